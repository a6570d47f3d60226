#!/usr/bin/env bash
# scripts/run-tests.sh — the project's test command (README "Quick start", command 2).
# As root on a Debian 12 machine (run by another user, it re-runs itself through sudo; without
# sudo it says so and exits 2): installs missing packages, builds with sanitizers and
# -Werror in _build/ci, runs the unit tests (every cmocka case and shell assertion counted),
# make distcheck, the format check, then brings up the lab (tests/lab/lab, namespace iwaci)
# and runs the lab self-test, every tests/integration/*.sh and tests/engines/*.sh against it.
# Full logs: _build/ci/logs/. Last line: "N passed, N failed, N skipped". Exit 1 on any failure.
#
# A script under tests/ is a test when it starts with "#!" (sourced helpers such as lib.sh do
# not). Each "ok"/"not ok" line it prints counts ("ok ... # SKIP" counts as skipped); a script
# that exits non-zero without any "not ok" line counts as one more failure.
set -uo pipefail
# shellcheck source=as-root.sh
. "$(dirname "$0")/as-root.sh" || exit 2
IWA_AS_ROOT_KEEP="IWA_SCRIPT_TIMEOUT ASAN_EXTRA" iwa_as_root "$0" "$@"
umask 022
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 2
B=$TOP/_build/ci
LOGS=$B/logs
T0=$(date +%s)
PASSED=0 FAILED=0 SKIPPED=0
FAILS=()        # "name|logfile" of every failure, for the details at the end
SCRIPT_TIMEOUT=${IWA_SCRIPT_TIMEOUT:-900}   # one lab test script
STEP_TIMEOUT=900                              # make check, make distcheck
TOTAL_BUDGET=$((80 * 60))                     # CI allows 90 min: stop starting scripts at 80

say() { printf '%s [%4ds] %s\n' "run-tests:" "$(( $(date +%s) - T0 ))" "$*"; }
pass() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); FAILS+=("$1|${2:-}"); say "FAILED: $1"; }

# A fresh build tree each run (the logs live in it).
rm -rf "$B"
mkdir -p "$LOGS/sanitizers"

# Sanitizer reports go to files (plugins point stderr at /dev/null); each file is a failure.
export ASAN_OPTIONS="detect_leaks=1:log_path=$LOGS/sanitizers/asan:${ASAN_EXTRA:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$LOGS/sanitizers/ubsan"
export LSAN_OPTIONS="suppressions=$TOP/tests/lsan.supp:print_suppressions=0"

# ---------------------------------------------------------------- 1. packages and build
say "installing missing packages (scripts/install-deps.sh all)"
if scripts/install-deps.sh all >"$LOGS/install-deps.log" 2>&1; then pass; else
  fail "install-deps" "$LOGS/install-deps.log"; fi

say "bootstrap + configure --enable-werror --enable-sanitizers in _build/ci"
built=no
if ./bootstrap >"$LOGS/bootstrap.log" 2>&1 &&
   (cd "$B" && "$TOP/configure" --enable-werror --enable-sanitizers) >"$LOGS/configure.log" 2>&1; then
  say "make -j2"
  if make -C "$B" -j2 >"$LOGS/make.log" 2>&1; then pass; built=yes; else fail "build (make)" "$LOGS/make.log"; fi
else
  fail "bootstrap/configure" "$LOGS/configure.log"
fi

# ---------------------------------------------------------------- 2. unit tests (make check)
if [ "$built" = yes ]; then
  say "make check (unit tests)"
  timeout --kill-after=10 "$STEP_TIMEOUT" make -C "$B" -j2 check >"$LOGS/make-check.log" 2>&1
  check_rc=$?
  ntrs=0 tfail=0
  while IFS= read -r trs; do
    ntrs=$((ntrs + 1))
    log=${trs%.trs}.log
    name=${trs#"$B"/}; name=${name%.trs}
    np=0 nf=0
    while IFS= read -r res; do
      case "$res" in
        PASS|XFAIL) np=$((np + 1)) ;;
        SKIP) SKIPPED=$((SKIPPED + 1)) ;;
        *) nf=$((nf + 1)) ;;
      esac
    done < <(sed -n 's/^:test-result: \([A-Z]*\).*/\1/p' "$trs")
    # "exited with status N" after failing cases only repeats them: not counted again
    if [ "$nf" -gt 0 ] && grep -qE '^ERROR: .* - exited with status' "$log" 2>/dev/null &&
       [ "$(grep -cE '^(FAIL|XPASS): ' "$log")" -gt 0 ]; then
      nf=$((nf - 1))
    fi
    PASSED=$((PASSED + np)); tfail=$((tfail + nf))
    listed=0
    while IFS= read -r l && [ "$listed" -lt "$nf" ]; do
      fail "$name: $l" "$log"; listed=$((listed + 1))
    done < <(grep -E '^(not ok|Bail out)' "$log" 2>/dev/null)
    while [ "$listed" -lt "$nf" ]; do
      fail "$name: test error (see its log)" "$log"; listed=$((listed + 1))
    done
    cp "$log" "$LOGS/unit-$(basename "$name").log" 2>/dev/null
  done < <(find "$B" -name '*.trs' -not -path "$LOGS/*" | sort)
  if [ "$check_rc" -ne 0 ] && [ "$tfail" -eq 0 ]; then
    fail "make check exited $check_rc (a test program did not build or run)" "$LOGS/make-check.log"
  fi
  say "unit tests: $ntrs programs"
else
  fail "unit tests not run (build failed)" "$LOGS/make.log"
fi

# ---------------------------------------------------------------- 3. release tarball
if [ "$built" = yes ]; then
  say "make distcheck (tarball builds and passes make check on its own)"
  if timeout --kill-after=10 "$STEP_TIMEOUT" make -C "$B" -j2 distcheck >"$LOGS/distcheck.log" 2>&1; then pass; else
    fail "make distcheck: $(grep -m1 -E '\*\*\*|^(FAIL|ERROR):' "$LOGS/distcheck.log")" "$LOGS/distcheck.log"; fi
fi

# ---------------------------------------------------------------- 4. format check
say "format check (scripts/check-format.sh)"
if scripts/check-format.sh >"$LOGS/check-format.log" 2>&1; then pass; else
  fail "format check: $(tail -n 1 "$LOGS/check-format.log")" "$LOGS/check-format.log"; fi

# ---------------------------------------------------------------- 5. the lab and its tests
export BUILDDIR=$B
export LAB=$TOP/tests/lab/lab
export LAB_NS=iwaci
export LAB_DIR=$TOP/_build/lab-ci
lab_tests=()
[ -e tests/lab/selftest.sh ] && lab_tests+=(tests/lab/selftest.sh) || fail "tests/lab/selftest.sh is missing"
for f in tests/integration/*.sh tests/engines/*.sh tests/package/*.sh; do
  [ -f "$f" ] || continue
  case "$(basename "$f")" in lib.sh | *-lib.sh) continue ;; esac
  [ "$(head -c 2 "$f")" = "#!" ] || continue
  lab_tests+=("$f")
done

lab_down() { [ -x "$LAB" ] && "$LAB" down >>"$LOGS/lab-down.log" 2>&1; }
trap 'lab_down' EXIT
trap 'exit 130' INT TERM

lab_up=no
if [ ! -x "$LAB" ]; then
  fail "lab: tests/lab/lab is missing"
elif [ "$built" != yes ]; then
  fail "lab not started (build failed)"
else
  say "lab up (LAB_NS=$LAB_NS LAB_DIR=$LAB_DIR)"
  "$LAB" down --purge >"$LOGS/lab-down.log" 2>&1
  t=$(date +%s)
  if timeout --kill-after=10 300 "$LAB" up >"$LOGS/lab-up.log" 2>&1; then
    pass; lab_up=yes; say "lab up in $(( $(date +%s) - t )) s"
  else
    fail "lab up" "$LOGS/lab-up.log"
  fi
fi

# run_tap NAME SCRIPT: runs a TAP script, counts its lines.
run_tap() {
  local name=$1 script=$2 base out err rc ok notok skip t
  base=$LOGS/$(printf '%s' "$name" | tr '/' '_')
  out=$base.tap; err=$base.err
  t=$(date +%s)
  timeout --kill-after=10 "$SCRIPT_TIMEOUT" bash "$script" >"$out" 2>"$err" </dev/null
  rc=$?
  ok=$(grep -cE '^ok\b' "$out" | head -n1)
  skip=$(grep -cE '^ok\b.*#[[:space:]]*(SKIP|skip)' "$out" | head -n1)
  notok=$(grep -cE '^not ok\b' "$out" | head -n1)
  PASSED=$((PASSED + ok - skip)); SKIPPED=$((SKIPPED + skip))
  while IFS= read -r l; do fail "$name: $l" "$out"; done < <(grep -E '^not ok\b' "$out")
  if [ "$rc" -ne 0 ] && [ "$notok" -eq 0 ]; then
    [ "$rc" -eq 124 ] && fail "$name: timed out after ${SCRIPT_TIMEOUT} s" "$out" ||
      fail "$name: exited $rc without a failing assertion ($ok ok)" "$err"
  fi
  say "$name: $((ok - skip)) ok, $notok not ok, $skip skipped, exit $rc ($(( $(date +%s) - t )) s)"
  RUN_TAP_RC=$rc
}

# lab_heal RC: after a script that failed, give the next one a healthy lab: every scenario
# off, or (after a timeout: its EXIT trap may not have run) a freshly provisioned lab.
lab_heal() {
  local rc=$1
  [ "$rc" -eq 0 ] && return 0
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    say "re-provisioning the lab after a timed-out script"
    "$LAB" down >>"$LOGS/lab-down.log" 2>&1
    if timeout --kill-after=10 300 "$LAB" up >>"$LOGS/lab-up.log" 2>&1; then return 0; fi
    lab_up=no
    fail "lab up (again, after a timed-out script)" "$LOGS/lab-up.log"
  else
    timeout 120 "$LAB" reset >>"$LOGS/lab-reset.log" 2>&1 || say "lab reset failed (see $LOGS/lab-reset.log)"
  fi
}

for s in "${lab_tests[@]}"; do
  name=${s#tests/}; name=${name%.sh}
  if [ $(( $(date +%s) - T0 )) -gt "$TOTAL_BUDGET" ]; then
    fail "$name: not run (the test command's 80-minute budget is spent)"
  elif [ "$lab_up" = yes ]; then
    run_tap "$name" "$s"
    lab_heal "$RUN_TAP_RC"
  else
    fail "$name: not run (the lab is not up)"
  fi
done

if [ "$lab_up" = yes ] || [ -x "$LAB" ]; then
  say "lab down"
  lab_down
fi
trap - EXIT

# ---------------------------------------------------------------- 6. sanitizer reports
for f in "$LOGS"/sanitizers/*; do
  [ -f "$f" ] || continue
  fail "sanitizer report $(basename "$f"): $(grep -m1 -E 'ERROR|runtime error|SUMMARY' "$f")" "$f"
done

# ---------------------------------------------------------------- summary
if [ ${#FAILS[@]} -gt 0 ]; then
  echo
  echo "==================== failures (details; full logs in ${LOGS#"$TOP"/}) ===================="
  declare -A shown=()
  for entry in "${FAILS[@]}"; do
    name=${entry%%|*}; log=${entry#*|}
    echo "--- $name"
    line=${name#*: }
    if [ -n "$log" ] && [ -f "$log" ] && [[ "$line" == "not ok"* ]] &&
       n=$(grep -nxF -m1 -- "$line" "$log" | cut -d: -f1) && [ -n "$n" ]; then
      # the assertion's own details: the "#" lines right after it
      tail -n +"$((n + 1))" "$log" | awk '/^#/ { print; if (++k >= 40) exit; next } { exit }' |
        sed 's/^/    | /'
      echo "    (log: ${log#"$TOP"/})"
    elif [ -n "$log" ] && [ -f "$log" ] && [ -z "${shown[$log]:-}" ]; then
      shown[$log]=1
      echo "    (log: ${log#"$TOP"/}, last 25 lines)"
      tail -n 25 "$log" | sed 's/^/    | /'
    fi
  done
  echo
fi
say "total time $(( $(date +%s) - T0 )) s"
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" -eq 0 ]
