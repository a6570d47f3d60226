#!/usr/bin/env bash
# scripts/fuzz.sh — build and run the libFuzzer entry points in tests/fuzz/ (on demand only;
# not part of make check or the test command).
#
#   scripts/fuzz.sh [-t SECONDS] [-j JOBS] [--update-corpus] [NAME[=SECONDS]...]
#
#   -t SECONDS       time per target (default 30); NAME=SECONDS overrides it for one target
#   -j JOBS          targets fuzzed at once (default 1; each one uses one core)
#   --update-corpus  after a clean run, merge what the campaign found into the committed seed
#                    corpus tests/fuzz/corpus/NAME/ (libFuzzer -merge=1: only inputs that add
#                    coverage are kept, so the folder stays small)
#   NAME             a target, e.g. gpttmpl for tests/fuzz/fuzz_gpttmpl.c (default: every one)
#
# Each target is linked with all of common/*.c (instrumented), plus the files a line
# " * fuzz-extra: FILE..." in its header comment names (a plugin's pure helpers), and the
# libraries' flags from pkg-config. Seeds: the committed corpus tests/fuzz/corpus/NAME/ and,
# when a folder named like the target exists there, tests/unit/fixtures/NAME/. The working
# corpus, the log and any crash land in _build/fuzz/NAME/. One line per target says how many
# inputs it ran and whether it crashed; exit 1 if any target failed to build or crashed.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 2
usage() { echo "usage: scripts/fuzz.sh [-t SECONDS] [-j JOBS] [--update-corpus] [NAME[=SECONDS]...]"; exit 2; }
secs=30 jobs=1 update=no
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -t) [ $# -ge 2 ] || usage; secs=$2; shift 2 ;;
    -j) [ $# -ge 2 ] || usage; jobs=$2; shift 2 ;;
    --update-corpus) update=yes; shift ;;
    -h | --help) usage ;;
    -*) usage ;;
    *) args+=("$1"); shift ;;
  esac
done
case "$secs$jobs" in *[!0-9]*) echo "fuzz: -t and -j take whole numbers"; exit 2 ;; esac
[ "$jobs" -ge 1 ] || usage
command -v clang >/dev/null || { echo "fuzz: clang not found (apt-get install clang)"; exit 2; }
out=$TOP/_build/fuzz
mkdir -p "$out"
cfg=$out/config.h
# config.h stand-in: what the sources take from configure
printf '#define PACKAGE_NAME "iwa-plugins"\n#define PACKAGE_VERSION "fuzz"\n#define HAVE_SMBCLIENT 1\n' >"$cfg"
pk=$(pkg-config --cflags --libs krb5-gssapi krb5 libcurl ldap lber smbclient libcrypto 2>/dev/null)
if [ ${#args[@]} -eq 0 ]; then
  for f in tests/fuzz/fuzz_*.c; do n=${f#tests/fuzz/fuzz_}; args+=("${n%.c}"); done
fi

# fuzz_one NAME SECONDS: build, run, report one target (its own folder: safe to run in parallel).
fuzz_one() {
  local n=$1 t=$2 d=$out/$1 extra seeds=() runs
  [ -f "tests/fuzz/fuzz_$n.c" ] || { echo "fuzz_$n: no such target (tests/fuzz/fuzz_$n.c)"; return 1; }
  mkdir -p "$d/corpus"
  [ -d "tests/fuzz/corpus/$n" ] && seeds+=("$TOP/tests/fuzz/corpus/$n")
  [ -d "tests/unit/fixtures/$n" ] && seeds+=("$TOP/tests/unit/fixtures/$n")
  extra=$(sed -n 's/^ \* fuzz-extra: \([^*]*\).*/\1/p' "tests/fuzz/fuzz_$n.c")
  # shellcheck disable=SC2086
  if ! clang -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -I"$out" -Icommon \
      -Iplugins "tests/fuzz/fuzz_$n.c" common/*.c $extra $pk -lsasl2 -lresolv -lm -o "$d/fuzz_$n" >"$d/build.log" 2>&1; then
    echo "fuzz_$n: build failed (see $d/build.log)"; return 1
  fi
  # the working corpus comes first: new inputs are written there, never into the seed folders
  if ! (cd "$d" && "./fuzz_$n" -max_total_time="$t" -max_len=65536 -print_final_stats=1 \
      corpus "${seeds[@]}" >run.log 2>&1); then
    echo "fuzz_$n: CRASH after $t s (see $d/run.log and $d/crash-*)"; return 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/run.log" | tail -n 1)
  echo "fuzz_$n: $t s, ${runs:-?} runs, $(sed -n 's/^stat::peak_rss_mb: *//p' "$d/run.log" | tail -n 1) MB peak, no crash"
  if [ "$update" = yes ]; then
    mkdir -p "tests/fuzz/corpus/$n"
    (cd "$d" && "./fuzz_$n" -merge=1 -max_len=65536 "$TOP/tests/fuzz/corpus/$n" corpus >merge.log 2>&1) ||
      { echo "fuzz_$n: corpus merge failed (see $d/merge.log)"; return 1; }
    echo "fuzz_$n: seed corpus tests/fuzz/corpus/$n: $(find "tests/fuzz/corpus/$n" -type f | wc -l) files"
  fi
}

rc=0 running=0
for a in "${args[@]}"; do
  n=${a%%=*} t=$secs
  [ "$a" != "$n" ] && t=${a#*=}
  case "$t" in '' | *[!0-9]*) echo "fuzz: $a: the time must be whole seconds"; rc=1; continue ;; esac
  if [ "$jobs" -eq 1 ]; then
    fuzz_one "$n" "$t" || rc=1
    continue
  fi
  fuzz_one "$n" "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || rc=1
    running=$((running - 1))
  fi
done
while [ "$running" -gt 0 ]; do
  wait -n || rc=1
  running=$((running - 1))
done
exit $rc
