#!/bin/bash
# test_cli.sh — the plugin driver seen from the command line, through tests/unit/check_fake
# (built for `make check` only): help, version, option errors, the time budget backstop.
# Every case checks exit code, the exact first line, the line count and an empty stderr.
# Also for every plugin already built under $BUILDDIR/plugins: -h (80 columns), -V, -t abc,
# an unknown option.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../tap.sh"
BUILDDIR=${BUILDDIR:-$PWD}
FAKE=$BUILDDIR/tests/unit/check_fake
export IWA_PLUGIN_STDERR=keep   # the driver itself must print nothing on stderr
tmp=$(mktemp -d "${TMPDIR:-/tmp}/iwa-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# one_line NAME WANT_RC EXACT_FIRST_LINE ARGS... : exactly one line, nothing on stderr.
one_line() {
  local name=$1 want_rc=$2 want=$3; shift 3
  expect_one_line "$name" "$want_rc" "$want" "$FAKE" "$@"
}

# fits80 NAME : $OUT has no line longer than 80 columns.
fits80() {
  local long; long=$(printf '%s\n' "$OUT" | awk 'length($0) > 80 { print NR": "$0 }')
  if [ -z "$long" ]; then tap_ok "$1"; else tap_fail "$1" "lines over 80 columns:" "$long"; fi
}

# --- help and version ---
run_cmd "$FAKE" -h
expect "-h exits 3 and starts with the name and version" 3 '^check_fake \(iwa-plugins\) [0-9]+\.[0-9]+\.[0-9]+$' \
  '^Usage: check_fake' '^Common options:' '--timeout=SECONDS' 'default: 15' '^Examples:'
fits80 "-h fits 80 columns"
[ -z "$ERR" ] && tap_ok "-h prints nothing on stderr" || tap_fail "-h prints nothing on stderr" "$ERR"
run_cmd "$FAKE" --help
expect "--help is -h" 3 '^check_fake \(iwa-plugins\)'
ver=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$BUILDDIR/config.h")
one_line "-V prints name (suite) version" 3 "check_fake (iwa-plugins) $ver" -V
one_line "--version is -V" 3 "check_fake (iwa-plugins) $ver" --version

# --- bad values: one line naming the option, exit 3 ---
one_line "-t abc" 3 "FAKE UNKNOWN - -t: 'abc' is not a whole number" -t abc
run_cmd "$FAKE" -t 0
expect "-t 0 is out of range" 3 '^FAKE UNKNOWN - -t: .*(1|range)'
run_cmd "$FAKE" -t 3601
expect "-t 3601 is out of range" 3 '^FAKE UNKNOWN - -t: '
run_cmd "$FAKE" --timeout=-5
expect "--timeout=-5 names --timeout" 3 '^FAKE UNKNOWN - --timeout: '
run_cmd "$FAKE" --value 3 -w 20:10
expect "-w 20:10 names -w" 3 '^FAKE UNKNOWN - -w: .*20:10'
[ "$(printf '%s\n' "$OUT" | wc -l)" = 1 ] && tap_ok "-w 20:10 is one line" || tap_fail "-w 20:10 is one line" "$OUT"
run_cmd "$FAKE" --value 3 -c abc
expect "-c abc names -c" 3 '^FAKE UNKNOWN - -c: '
one_line "--timeout-state bad" 3 "FAKE UNKNOWN - --timeout-state: 'MAYBE' is not a state (OK, WARNING, CRITICAL, UNKNOWN)" --timeout-state MAYBE
one_line "--output-format bad" 3 "FAKE UNKNOWN - --output-format: 'xml' is not a format (text, json)" --output-format=xml
one_line "unknown long option" 3 "FAKE UNKNOWN - --bogus: unknown or ambiguous option (see --help)" --bogus=1
one_line "unknown short option" 3 "FAKE UNKNOWN - -x: unknown option (see --help)" -x
one_line "missing value (short)" 3 "FAKE UNKNOWN - -t: missing value" -t
one_line "missing value (long)" 3 "FAKE UNKNOWN - --timeout: missing value" --timeout
one_line "value given to a flag" 3 "FAKE UNKNOWN - --perf: takes no value" --perf=yes
one_line "positional argument" 3 "FAKE UNKNOWN - unexpected argument 'extra' (this plugin takes no positional arguments; see --help)" --perf extra
one_line "secret on the command line refused" 3 'FAKE UNKNOWN - --password: secrets are not accepted on the command line (other users see it in ps); put "password = ..." in an --extra-opts ini file' --password=hunter22
run_cmd "$FAKE" --password=hunter22
printf '%s' "$OUT" | grep -q hunter22 && tap_fail "refused secret is not echoed" "$OUT" || tap_ok "refused secret is not echoed"
run_cmd "$FAKE" --output-format=json -t abc
expect "an option error honours --output-format=json" 3 '^\{"service":"FAKE","state":"UNKNOWN","exit_code":3,"summary":"-t: '"'"'abc'"'"' is not a whole number"'
run_cmd "$FAKE" -t abc --output-format=json
expect "... even when --output-format comes later" 3 '^\{"service":"FAKE","state":"UNKNOWN"'

# --- normal runs ---
run_cmd "$FAKE" --value 5 -w 10 -c 20 --perf
expect "OK with perfdata on the first line" 0 "^FAKE OK - fake check \| 'response time'=0.25s;;;0;10 count=3 value=5;10;20$"
run_cmd "$FAKE" --value 15 -w 10 -c 20
expect "WARNING from -w" 1 '^FAKE WARNING - fake check \| value=15;10;20$' '^\[WARNING\] value is 15$'
run_cmd "$FAKE" --value 25 -w 10 -c 20
expect "CRITICAL from -c" 2 '^FAKE CRITICAL - fake check \| value=25;10;20$'
run_cmd "$FAKE" --state UNKNOWN
expect "--state UNKNOWN" 3 '^FAKE UNKNOWN - fake check$'
one_line "run failure is UNKNOWN with the message" 3 "FAKE UNKNOWN - fake failure requested with --fail" --fail
run_cmd "$FAKE" -vvvvv
expect "-v clamps at 3" 0 '^FAKE OK - fake check$' '^ *verbosity 3, timeout 15 s$'

# --- --extra-opts ---
cat > "$tmp/plugins.ini" <<'INI'
# shared ini of all plugins
[fake]
name = "from the ini"
timeout = 7
password = 's3cr;t#word'
verbose
[check_fake]
value = 5
[other]
name = other section
INI
run_cmd "$FAKE" --extra-opts="$tmp/plugins.ini"
expect "--extra-opts reads [fake] and [check_fake]" 0 "^FAKE OK - fake check 'from the ini' \| value=5$" \
  'password set \(11 characters\)' 'verbosity 1, timeout 7 s'
printf '%s' "$OUT" | grep -q 's3cr' && tap_fail "the ini password is never printed" "$OUT" || tap_ok "the ini password is never printed"
run_cmd "$FAKE" --extra-opts="$tmp/plugins.ini" --name cli -t 9
expect "the command line wins over the ini" 0 "^FAKE OK - fake check 'cli'" 'verbosity 1, timeout 9 s'
run_cmd "$FAKE" --extra-opts="other@$tmp/plugins.ini"
expect "--extra-opts=section@file" 0 "^FAKE OK - fake check 'other section'$"
one_line "--extra-opts: missing section" 3 "FAKE UNKNOWN - --extra-opts: no section [nope] in $tmp/plugins.ini" --extra-opts="nope@$tmp/plugins.ini"
run_cmd "$FAKE" --extra-opts="$tmp/missing.ini"
expect "--extra-opts: missing file" 3 "^FAKE UNKNOWN - --extra-opts: cannot open $tmp/missing.ini: No such file"
printf '[fake]\npassword = "unterminated\n' > "$tmp/bad.ini"
run_cmd "$FAKE" --extra-opts "$tmp/bad.ini"
expect "--extra-opts: bad quoting names file and line" 3 "^FAKE UNKNOWN - --extra-opts: $tmp/bad.ini line 2: bad quoting"
printf '%s' "$OUT" | grep -q unterminated && tap_fail "bad ini line is not echoed" "$OUT" || tap_ok "bad ini line is not echoed"
printf '[fake]\npassword = ab\n' > "$tmp/short.ini"
run_cmd "$FAKE" --extra-opts "$tmp/short.ini"
expect "a rejected secret value is masked" 3 "^FAKE UNKNOWN - --password: '\*\*\*' is too short$"

# --- the time budget: --sleep ignores it, the backstop cuts it off within -t + 1 s ---
budget_case() {
  local name=$1 want_rc=$2 want=$3; shift 3
  local t0 t1 ms
  t0=$(date +%s%N); run_cmd "$FAKE" "$@"; t1=$(date +%s%N)
  ms=$(( (t1 - t0) / 1000000 ))
  local why=()
  [ "$RC" = "$want_rc" ] || why+=("exit code $RC, wanted $want_rc")
  [ "$OUT" = "$want" ] || why+=("stdout differs; wanted: $want")
  [ -z "$ERR" ] || why+=("stderr not empty")
  [ "$ms" -lt 2000 ] || why+=("took $ms ms, wanted < 2000")
  if [ ${#why[@]} -eq 0 ]; then tap_ok "$name ($ms ms)"; else
    tap_fail "$name" "${why[@]}" "--- stdout:" "$OUT" "--- stderr:" "$ERR"; fi
}
budget_case "--sleep 5 -t 1 is cut off (text)" 2 "FAKE CRITICAL - plugin timed out after 1 s (-t 1)" --sleep 5 -t 1
budget_case "--sleep 5 -t 1 is cut off (json)" 2 \
  '{"service":"FAKE","state":"CRITICAL","exit_code":2,"summary":"plugin timed out after 1 s (-t 1)","lines":[],"subchecks":[],"perfdata":[]}' \
  --sleep 5 -t 1 --output-format=json
budget_case "--timeout-state=UNKNOWN" 3 "FAKE UNKNOWN - plugin timed out after 1 s (-t 1)" --sleep 5 -t 1 --timeout-state=UNKNOWN
budget_case "a call honouring the budget fails first, with its cause" 2 \
  "FAKE CRITICAL - sleep of 5 s cut off by the time budget (-t 1)" --sleep 5 --sleep-honour -t 1
run_cmd "$FAKE" --sleep 0.2 -t 1
expect "a run within the budget is not cut off" 0 '^FAKE OK - fake check$'

# --- every built plugin: -h fits 80 columns and exits 3; -V; -t abc and an unknown option are one line ---
for p in "$BUILDDIR"/plugins/check_*; do
  [ -x "$p" ] && [ -f "$p" ] || continue
  n=$(basename "$p")
  run_cmd "$p" -h
  expect "$n -h exits 3 with its name and version" 3 "^$n \\(iwa-plugins\\) " '^Examples:'
  fits80 "$n -h fits 80 columns"
  run_cmd "$p" -V
  expect "$n -V" 3 "^$n \\(iwa-plugins\\) $ver\$"
  run_cmd "$p" -t abc
  expect "$n -t abc: one line naming -t" 3 "^[A-Z_]+ UNKNOWN - -t: 'abc' is not a whole number\$"
  [ "$(printf '%s\n' "$OUT" | wc -l)" = 1 ] && [ -z "$ERR" ] && tap_ok "$n -t abc: one line, no stderr" ||
    tap_fail "$n -t abc: one line, no stderr" "$OUT" "$ERR"
  run_cmd "$p" --no-such-option
  expect "$n unknown option" 3 "^[A-Z_]+ UNKNOWN - --no-such-option: unknown or ambiguous option"
done

tap_end
