#!/usr/bin/env bash
# bench/all.sh — runs every benchmark in bench/ (each bench/*.sh but this one and lib.sh, by name) and
# ends with one table of the figures they printed. The contract of a benchmark script: env
# LAB, LAB_NS, LAB_DIR (a running lab) and BUILDDIR (a release build: configure without
# --enable-sanitizers, -O2); optional first argument RUNS; it prints both sides and the ratio
# from one paired run (bench/pair.py), and appends bench/pair.py's --tsv lines to $BENCH_TSV.
# Not part of the test command: figures on the shared 2-core machine are noisy, read the
# ratios, and the load average printed beside them. About 10 minutes (spn_all.sh: ~5).
#   export LAB_NS=iwa-x LAB_DIR=$PWD/_build/lab-x; tests/lab/lab up
#   mkdir -p _build/rel && (cd _build/rel && ../../configure CFLAGS=-O2 && make -j2)
#   BUILDDIR=_build/rel bench/all.sh [SCRIPT...]       (default: every bench/*.sh)
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILDDIR=${BUILDDIR:?BUILDDIR must be a release build directory}
case "$BUILDDIR" in /*) ;; *) BUILDDIR=$PWD/$BUILDDIR ;; esac
export BUILDDIR
BENCH_TSV=$(mktemp); export BENCH_TSV
trap 'rm -f "$BENCH_TSV"' EXIT
if [ $# -gt 0 ]; then scripts=("$@"); else
  scripts=(); for s in "$TOP"/bench/*.sh; do case "$(basename "$s")" in all.sh | lib.sh) ;; *) scripts+=("$s") ;; esac; done
fi
fails=0
for s in "${scripts[@]}"; do
  echo "######## $(basename "$s")"
  bash "$s" || { echo "bench: $(basename "$s") failed (exit $?)"; fails=$((fails + 1)); }
done
echo "######## summary (medians; ratio = A / B from the same paired run; load = 1-min load average)"
awk -F'\t' 'BEGIN { printf "%-72s %10s %9s %8s %10s %9s %8s %6s %6s %5s\n", "benchmark", "A wall ms", "A cpu ms", "A MiB", "B wall ms", "B cpu ms", "B MiB", "wall", "cpu", "load" }
  { printf "%-72s %10.1f %9.1f %8.1f %10.1f %9.1f %8.1f %6.2f %6.2f %5.2f\n", substr($1, 1, 72), $4, $5, $6 / 1024, $7, $8, $9 / 1024, $10, $11, $13 }' "$BENCH_TSV"
exit $(( fails > 0 ))
