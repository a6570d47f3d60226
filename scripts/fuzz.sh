#!/usr/bin/env bash
# scripts/fuzz.sh — build and run the libFuzzer entry points in tests/fuzz/ (on demand only;
# not part of make check or the test command).
#   scripts/fuzz.sh [SECONDS] [NAME...]     default: 30 s each, every tests/fuzz/fuzz_*.c
# Each target is linked with all of common/*.c (instrumented), plus the files a line
# " * fuzz-extra: FILE..." in its header comment names (a plugin's pure helpers), and the libraries' flags from
# pkg-config; seeds come from tests/unit/fixtures/ when a folder named like the target exists
# there, and the corpus and any crash land in _build/fuzz/<name>/.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 2
secs=${1:-30}; [ $# -gt 0 ] && shift
command -v clang >/dev/null || { echo "fuzz: clang not found (apt-get install clang)"; exit 2; }
out=$TOP/_build/fuzz
mkdir -p "$out"
cfg=$out/config.h
# config.h stand-in: what the sources take from configure
printf '#define PACKAGE_NAME "iwa-plugins"\n#define PACKAGE_VERSION "fuzz"\n#define HAVE_SMBCLIENT 1\n' >"$cfg"
pk=$(pkg-config --cflags --libs krb5-gssapi krb5 libcurl ldap lber smbclient 2>/dev/null)
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in tests/fuzz/fuzz_*.c; do n=${f#tests/fuzz/fuzz_}; names+=("${n%.c}"); done
fi
rc=0
for n in "${names[@]}"; do
  d=$out/$n; mkdir -p "$d/corpus"
  [ -d "tests/unit/fixtures/$n" ] && cp -n tests/unit/fixtures/"$n"/* "$d/corpus/" 2>/dev/null
  echo "== fuzz_$n: build"
  extra=$(sed -n 's/^ \* fuzz-extra: \([^*]*\).*/\1/p' "tests/fuzz/fuzz_$n.c")
  # shellcheck disable=SC2086
  if ! clang -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -I"$out" -Icommon \
      -Iplugins "tests/fuzz/fuzz_$n.c" common/*.c $extra $pk -lsasl2 -lresolv -lm -o "$d/fuzz_$n" >"$d/build.log" 2>&1; then
    echo "fuzz_$n: build failed (see $d/build.log)"; rc=1; continue
  fi
  echo "== fuzz_$n: $secs s"
  if (cd "$d" && "./fuzz_$n" -max_total_time="$secs" -max_len=65536 corpus >run.log 2>&1); then
    echo "fuzz_$n: $(grep -m1 -o 'Done [0-9]* runs' "$d/run.log"), no crash"
  else
    echo "fuzz_$n: CRASH (see $d/run.log and $d/crash-*)"; rc=1
  fi
done
exit $rc
