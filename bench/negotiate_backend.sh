#!/usr/bin/env bash
# bench/negotiate_backend.sh — wall time of check_negotiate_backend (VIP + 2 backends in
# parallel, one shared service ticket, mutual authentication verified) against sequential
# `curl --negotiate` runs of the same three targets, with the same warm credential cache.
# Medians of N runs of each, interleaved, timed inside the lab's namespace. Not part of the
# test command. Needs a running lab:
#   LAB_NS=iwa-x LAB_DIR=$PWD/_build/lab-x tests/lab/lab up
#   LAB_NS=iwa-x LAB_DIR=$PWD/_build/lab-x BUILDDIR=_build/main bench/negotiate_backend.sh [N]
# Use a build without sanitizers for meaningful figures.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
LAB=${LAB:-$TOP/tests/lab/lab}
BUILDDIR=${BUILDDIR:-$TOP/_build/main}
case "$BUILDDIR" in /*) ;; *) BUILDDIR=$PWD/$BUILDDIR ;; esac
N=${1:-21}
P=$BUILDDIR/plugins/check_negotiate_backend
[ -x "$P" ] || { echo "bench: $P not built" >&2; exit 2; }
"$LAB" status >/dev/null 2>&1 || { echo "bench: the lab is not up (LAB_NS/LAB_DIR)" >&2; exit 2; }

"$LAB" exec bash -s "$P" "$N" <<'INNER'
set -u
P=$1 N=$2
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
export KRB5CCNAME=FILE:$d/cc
kinit -k -t "$LAB_MONITOR_KEYTAB" "$LAB_MONITOR_PRINCIPAL" || exit 1
URL=https://$LAB_FQDN/
plugin() { "$P" -u "$URL" -B server1 -B server2 --ccache "$KRB5CCNAME" --ca-file "$LAB_CA" >/dev/null; }
curls() {
  curl -sf --negotiate -u : --cacert "$LAB_CA" -o /dev/null "$URL" &&
  curl -sf --negotiate -u : --cacert "$LAB_CA" -o /dev/null --connect-to "$LAB_FQDN:443:server1:443" "$URL" &&
  curl -sf --negotiate -u : --cacert "$LAB_CA" -o /dev/null --connect-to "$LAB_FQDN:443:server2:443" "$URL"
}
plugin || { echo "bench: the plugin is not OK on the healthy lab" >&2; exit 1; }   # warm up: service ticket cached
curls || { echo "bench: curl --negotiate fails" >&2; exit 1; }
ms() { local a b; a=$(date +%s%N); "$@"; b=$(date +%s%N); echo $(( (b - a) / 1000 )); }
: >"$d/p"; : >"$d/c"
for ((i = 0; i < N; i++)); do ms plugin >>"$d/p"; ms curls >>"$d/c"; done
med() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mp=$(med "$d/p"); mc=$(med "$d/c")
awk -v p="$mp" -v c="$mc" -v n="$N" 'BEGIN {
  printf "runs: %d each (interleaved), warm ccache, VIP + server1 + server2\n", n
  printf "check_negotiate_backend (parallel, mutual auth verified): median %.1f ms\n", p / 1000
  printf "3 x curl --negotiate (sequential):                        median %.1f ms\n", c / 1000
  printf "ratio plugin / curl: %.2f\n", p / c }'
INNER
