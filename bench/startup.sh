#!/usr/bin/env bash
# bench/startup.sh — start-up cost of every plugin: `PLUGIN -V` against /bin/true, paired
# (bench/pair.py), and what each big library costs at load alone: an empty main() linked
# with libldap + libsasl2, libcurl, MIT krb5 + GSS-API, libsmbclient (built here with cc),
# against /bin/true. Goal: every plugin's -V within 15 ms of wall time. No lab needed.
#   BUILDDIR=_build/rel bench/startup.sh [RUNS]      (default 20; a release build)
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILDDIR=${BUILDDIR:?BUILDDIR must be the build directory holding plugins/}
case "$BUILDDIR" in /*) ;; *) BUILDDIR=$PWD/$BUILDDIR ;; esac
RUNS=${1:-20}
PAIR=$TOP/bench/pair.py
TSV=${BENCH_TSV:-/dev/null}
plugins=$(make -s -C "$BUILDDIR" print-plugins) && [ -n "$plugins" ] ||
  { echo "bench: make print-plugins in $BUILDDIR gave no plugin" >&2; exit 2; }
echo "uptime: $(uptime)"
for p in $plugins; do
  x=$BUILDDIR/plugins/$p
  [ -x "$x" ] || { echo "bench: $x is not built" >&2; exit 2; }
  n=$(ldd "$x" | wc -l)
  "$PAIR" -n "$RUNS" --name "start-up: $p -V ($n shared libraries) vs /bin/true" \
    --tsv "$TSV" --la "$p -V" --lb /bin/true --expect-a 3 -a "$x -V" -b /bin/true
done
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
echo 'int main(void) { return 0; }' >"$d/e.c"
for lib in "libldap:-lldap -llber -lsasl2" "libcurl:-lcurl" "krb5:-lgssapi_krb5 -lkrb5" \
  "libsmbclient:-lsmbclient"; do
  name=${lib%%:*} flags=${lib#*:}
  # shellcheck disable=SC2086 # flags are words
  cc -o "$d/$name" "$d/e.c" -Wl,--no-as-needed $flags 2>/dev/null ||
    { echo "  ($name: cannot link an empty program with $flags: skipped)"; continue; }
  "$PAIR" -n "$RUNS" --name "library load alone: empty main() linked with $name ($(ldd "$d/$name" | wc -l) shared libraries) vs /bin/true" \
    --tsv "$TSV" --la "$name" --lb /bin/true -a "$d/$name" -b /bin/true
done
