# tests/tap.sh — tiny TAP helpers shared by every shell test (source it).
# Each assertion prints "ok - NAME" or "not ok - NAME" (with details as "# ..." lines).
# tests/run-all counts those lines; a script's exit status is non-zero if any assertion failed.
# Assertions never skip: in CI a missing prerequisite is a failure.
TAP_FAILED=0
TAP_COUNT=0

tap_ok()   { TAP_COUNT=$((TAP_COUNT + 1)); printf 'ok - %s\n' "$1"; }
tap_fail() {
  TAP_COUNT=$((TAP_COUNT + 1)); TAP_FAILED=$((TAP_FAILED + 1))
  printf 'not ok - %s\n' "$1"; shift
  local l; for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /'; done
}

# run_cmd CMD... : runs CMD, captures stdout in $OUT, stderr in $ERR, exit code in $RC.
run_cmd() {
  local ef; ef=$(mktemp)
  OUT=$("$@" 2>"$ef"); RC=$?
  ERR=$(cat "$ef"); rm -f "$ef"
  return 0
}

# expect NAME WANT_RC REGEX_FIRST_LINE [REGEX_ANYWHERE...] — after run_cmd.
# Checks exit code, the first line of stdout against an ERE, and each further ERE against all of stdout.
expect() {
  local name=$1 want_rc=$2 first_re=$3; shift 3
  local first; first=$(printf '%s\n' "$OUT" | head -n 1)
  local why=()
  [ "$RC" = "$want_rc" ] || why+=("exit code $RC, wanted $want_rc")
  printf '%s\n' "$first" | grep -Eq -- "$first_re" || why+=("first line does not match /$first_re/")
  local re; for re in "$@"; do
    printf '%s\n' "$OUT" | grep -Eq -- "$re" || why+=("output lacks /$re/")
  done
  if [ ${#why[@]} -eq 0 ]; then tap_ok "$name"; else
    tap_fail "$name" "${why[@]}" "--- stdout:" "$OUT" "--- stderr:" "$ERR"; fi
}

# expect_one_line NAME WANT_RC EXACT_LINE CMD... : runs CMD; exit code, stdout exactly one line
# equal to EXACT_LINE, nothing on stderr (as a plugin's option errors must be).
expect_one_line() {
  local name=$1 want_rc=$2 want=$3; shift 3
  run_cmd "$@"
  local why=() n; n=$(printf '%s\n' "$OUT" | wc -l)
  [ "$RC" = "$want_rc" ] || why+=("exit code $RC, wanted $want_rc")
  [ "$OUT" = "$want" ] || why+=("stdout differs; wanted: $want")
  [ "$n" = 1 ] || why+=("$n lines, wanted 1")
  [ -z "$ERR" ] || why+=("stderr not empty")
  if [ ${#why[@]} -eq 0 ]; then tap_ok "$name"; else
    tap_fail "$name" "${why[@]}" "--- stdout:" "$OUT" "--- stderr:" "$ERR"; fi
}

# tap_check NAME CMD... : ok when CMD exits 0.
tap_check() {
  local name=$1; shift
  if "$@" >/tmp/tap_check.$$ 2>&1; then tap_ok "$name"; else
    tap_fail "$name" "command failed: $*" "$(tail -n 20 /tmp/tap_check.$$)"; fi
  rm -f /tmp/tap_check.$$
}

# wait_for SECONDS CMD... : the one bounded poll of the tests and the lab (every wait is one).
# Runs CMD until it exits 0 (returns 0) or SECONDS (decimals allowed) have passed since the
# first try (returns 1); CMD runs at least once, then every WAIT_FOR_STEP seconds (0.1). The
# bound is wall time, not a count of tries, so it holds however slow each try gets under load.
_wait_usecs() { # [S.F] -> microseconds; without an argument: now
  local s=${1:-$EPOCHREALTIME} i f=
  s=${s/,/.}; i=${s%%.*}
  [[ $s == *.* ]] && f=${s#*.}
  f=${f}000000
  printf '%s' $((10#${i:-0} * 1000000 + 10#${f:0:6}))
}
wait_for() {
  local end; end=$(( $(_wait_usecs) + $(_wait_usecs "$1") )); shift
  until "$@"; do
    [ "$(_wait_usecs)" -lt "$end" ] || return 1
    sleep "${WAIT_FOR_STEP:-0.1}"
  done
}

# tap_end prints a trailing plan (1..N) so automake's TAP driver accepts the script too.
tap_end() { printf '# %d assertions, %d failed\n1..%d\n' "$TAP_COUNT" "$TAP_FAILED" "$TAP_COUNT"; [ "$TAP_FAILED" -eq 0 ]; }
