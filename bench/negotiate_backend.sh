#!/usr/bin/env bash
# bench/negotiate_backend.sh — check_negotiate_backend over N targets (default N = 1, 8, 32;
# --no-vip, N -B entries) against N sequential `curl --negotiate` runs of the same targets,
# paired (bench/pair.py), the same warm credential cache (service ticket cached by a warm-up).
# The lab has 2 Apache backends (event MPM, 16 threads each): N targets are the 2 backends
# under N different -B labels (server1.camtest.test, Server1.camtest.test, sErver1..., a
# case variant of the name per label, alternating server1/server2): every label is its own TLS
# connection, SPNEGO exchange and mutual-authentication check. The servers' CPU (both Apache
# trees and HAProxy) is charged to each run, to show when the servers on the same 2 cores are
# the limit. Prints per-target wall and CPU, and the plugin at N against itself at N=1.
# Goals: >= 6x faster than curl at N=8; N=8 wall <= 1.5x N=1. Needs a running lab.
#   LAB_NS=... LAB_DIR=... BUILDDIR=_build/rel bench/negotiate_backend.sh [RUNS [N...]]  (10)
set -uo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
RUNS=${1:-10}; shift || true
NS=${*:-1 8 32}
bench_init check_negotiate_backend
eval "$("$LAB" env)"
pids=$(cat "$LAB_DIR/server1/run/httpd.pid" "$LAB_DIR/server2/run/httpd.pid" "$LAB_DIR/haproxy/haproxy.pid" | paste -sd,)
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
echo "uptime: $(uptime)"
"$LAB" exec bash -s "$P" "$RUNS" "$TOP/bench/pair.py" "$TSV" "$d" "$pids" $NS <<'INNER'
P=$1 RUNS=$2 PAIR=$3 TSV=$4 D=$5 PIDS=$6; shift 6
export KRB5CCNAME=FILE:$D/cc
kinit -k -t "$LAB_MONITOR_KEYTAB" "$LAB_MONITOR_PRINCIPAL" || exit 2
URL=https://$LAB_FQDN/
# label i: server1 or server2 (alternating), its name with the letters of bits of i/2 upper-cased
label() {
  local i=$1 s=server$(( $1 % 2 + 1 )).camtest.test out="" k=0 c bits=$(( $1 / 2 ))
  for ((k = 0; k < ${#s}; k++)); do
    c=${s:k:1}
    if [ $k -lt 7 ] && (( (bits >> k) & 1 )); then c=${c^^}; fi
    out+=$c
  done
  printf '%s' "$out"
}
for n in "$@"; do
  args=""; : >"$D/curls.$n"
  for ((i = 0; i < n; i++)); do
    l=$(label "$i")
    args+=" -B $l"
    printf 'curl -sf --negotiate -u : --cacert %s -o /dev/null --connect-to %s:443:%s:443 %s || exit 1\n' \
      "$LAB_CA" "$LAB_FQDN" "$l" "$URL" >>"$D/curls.$n"
  done
  "$P" -u "$URL" --no-vip $args --ccache "$KRB5CCNAME" --ca-file "$LAB_CA" >/dev/null ||
    { echo "bench: the plugin is not OK with $n targets" >&2; exit 1; }
  "$PAIR" -n "$RUNS" --tsv "$TSV" --watch "$PIDS" --name "backends: check_negotiate_backend, $n targets, vs $n sequential curl --negotiate" \
    --la "check_negotiate_backend N=$n" --lb "$n x curl --negotiate" \
    -a "$P -u $URL --no-vip $args --ccache $KRB5CCNAME --ca-file $LAB_CA" -b "bash $D/curls.$n" | tee "$D/out.$n"
  sed -n "s/^  check_negotiate_backend N=$n  *wall *\([0-9.]*\) ms  cpu *\([0-9.]*\) ms.*/\1 \2/p" "$D/out.$n" >"$D/w.$n"
  read -r w c <"$D/w.$n"
  awk -v w="$w" -v c="$c" -v n="$n" 'BEGIN { printf "  per target: wall %.1f ms, cpu %.1f ms\n", w / n, c / n }'
done
if [ -s "$D/w.1" ]; then
  read -r w1 _ <"$D/w.1"
  for n in "$@"; do
    [ "$n" = 1 ] && continue
    read -r w _ <"$D/w.$n"
    awk -v a="$w" -v b="$w1" -v n="$n" 'BEGIN { printf "check_negotiate_backend N=%d / N=1: wall %.2f (%.1f / %.1f ms; the two are separate paired runs)\n", n, a / b, a, b }'
  done
fi
INNER
