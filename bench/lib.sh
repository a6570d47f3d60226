# bench/lib.sh — the set-up the lab benchmarks share; sourced (not run: bench/all.sh skips it).
# shellcheck shell=bash disable=SC2034  # TSV and P are for the script that sources this
#   . "$(dirname "$0")/lib.sh"; bench_init PLUGIN
# sets TOP (the checkout), LAB (tests/lab/lab unless set), BUILDDIR (made absolute), TSV
# ($BENCH_TSV or /dev/null) and P ($BUILDDIR/plugins/PLUGIN); exits 2 when the plugin is not
# built or the lab is not up.
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB=${LAB:-$TOP/tests/lab/lab}
bench_init() {
  BUILDDIR=${BUILDDIR:?BUILDDIR must be the build directory holding plugins/}
  case "$BUILDDIR" in /*) ;; *) BUILDDIR=$PWD/$BUILDDIR ;; esac
  P=$BUILDDIR/plugins/$1
  TSV=${BENCH_TSV:-/dev/null}
  [ -x "$P" ] || { echo "bench: $P is missing (build first)" >&2; exit 2; }
  "$LAB" status >/dev/null 2>&1 || { echo "bench: the lab is not up (LAB_NS=${LAB_NS:-})" >&2; exit 2; }
}
