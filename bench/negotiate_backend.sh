#!/usr/bin/env bash
# bench/negotiate_backend.sh — check_negotiate_backend over N targets (default N = 1, 8, 32;
# --no-vip, N -B entries) against N sequential `curl --negotiate` runs of the same targets,
# paired (bench/pair.py), the same warm credential cache (service ticket cached by a warm-up).
# The lab has 2 Apache backends (event MPM, 16 threads each): N targets are the 2 backends
# under N different -B labels (server1.camtest.test, Server1.camtest.test, sErver1..., a
# case variant of the name per label, alternating server1/server2): every label is its own TLS
# connection, SPNEGO exchange and mutual-authentication check. The servers' CPU (both Apache
# trees and HAProxy) is charged to each run, to show when the servers on the same 2 cores are
# the limit. Prints per-target wall and CPU, and the plugin at N against itself at N=1. For
# N > 1 two more pairs: the plugin against ONE `curl --parallel` process doing the same N
# exchanges, and that curl against the N sequential ones (what one process with the same
# libraries reaches on this machine).
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
# medians LABEL FILE: "WALL CPU" (ms) of LABEL's line in a bench/pair.py output
medians() { sed -n "s/^  $1  *wall *\([0-9.]*\) ms  cpu *\([0-9.]*\) ms.*/\1 \2/p" "$2"; }
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
  args=""; par="curl --parallel"; bare="curl --parallel"; : >"$D/curls.$n"
  for ((i = 0; i < n; i++)); do
    l=$(label "$i")
    args+=" -B $l"
    one="-sf --negotiate -u : --cacert $LAB_CA -o /dev/null --connect-to $LAB_FQDN:443:$l:443 $URL"
    printf 'curl %s || exit 1\n' "$one" >>"$D/curls.$n"
    [ "$i" -gt 0 ] && par+=" --next" && bare+=" --next"
    par+=" $one"
    bare+=" -s --cacert $LAB_CA -o /dev/null --connect-to $LAB_FQDN:443:$l:443 $URL"
  done
  [ "$n" = 1 ] && bare1=$bare
  "$P" -u "$URL" --no-vip $args --ccache "$KRB5CCNAME" --ca-file "$LAB_CA" >/dev/null ||
    { echo "bench: the plugin is not OK with $n targets" >&2; exit 1; }
  "$PAIR" -n "$RUNS" --tsv "$TSV" --watch "$PIDS" --name "backends: check_negotiate_backend, $n targets, vs $n sequential curl --negotiate" \
    --la "check_negotiate_backend N=$n" --lb "$n x curl --negotiate" \
    -a "$P -u $URL --no-vip $args --ccache $KRB5CCNAME --ca-file $LAB_CA" -b "bash $D/curls.$n" | tee "$D/out.$n"
  medians "check_negotiate_backend N=$n" "$D/out.$n" >"$D/w.$n"
  medians "$n x curl --negotiate" "$D/out.$n" >"$D/c.$n"
  read -r w c <"$D/w.$n"
  awk -v w="$w" -v c="$c" -v n="$n" 'BEGIN { printf "  per target: wall %.1f ms, cpu %.1f ms\n", w / n, c / n }'
  [ "$n" = 1 ] && continue
  # The reference tool at its best: ONE curl process doing the same n exchanges in parallel
  # (--parallel, one --next section per target), the same libraries (libcurl, OpenSSL, MIT
  # GSS-API) and the same work per target (TCP + TLS, the anonymous request, the token, the
  # server's token checked). It shows how much of the goal one process can reach on this
  # machine, and where the plugin stands against it.
  "$PAIR" -n "$RUNS" --tsv "$TSV" --watch "$PIDS" --name "backends: check_negotiate_backend, $n targets, vs one curl --parallel doing the same $n" \
    --la "check_negotiate_backend N=$n" --lb "curl --parallel, $n URLs" \
    -a "$P -u $URL --no-vip $args --ccache $KRB5CCNAME --ca-file $LAB_CA" -b "$par"
  "$PAIR" -n "$RUNS" --tsv "$TSV" --watch "$PIDS" --name "backends: one curl --parallel with $n URLs vs $n sequential curl --negotiate" \
    --la "curl --parallel, $n URLs" --lb "$n x curl --negotiate" -a "$par" -b "bash $D/curls.$n"
  # What one more connection costs at the least: TCP + TLS + one anonymous request (the 401),
  # no Kerberos, in one curl process, N URLs against 1 (paired).
  if [ -n "${bare1:-}" ]; then
    "$PAIR" -n "$RUNS" --tsv "$TSV" --name "backends: TLS alone, one curl --parallel without --negotiate, $n URLs vs 1" \
      --la "TLS alone, $n URLs" --lb "TLS alone, 1 URL" -a "$bare" -b "$bare1" --expect-a 0 --expect-b 0 | tee "$D/bare.$n"
    medians "TLS alone, $n URLs" "$D/bare.$n" >"$D/b.$n"
    medians "TLS alone, 1 URL" "$D/bare.$n" >"$D/b1.$n"
  fi
done
if [ -s "$D/w.1" ]; then
  read -r w1 _ <"$D/w.1"
  for n in "$@"; do
    [ "$n" = 1 ] && continue
    read -r w c <"$D/w.$n"
    read -r _ c1 <"$D/w.1"
    awk -v a="$w" -v b="$w1" -v n="$n" 'BEGIN { printf "check_negotiate_backend N=%d / N=1: wall %.2f (%.1f / %.1f ms; the two are separate paired runs)\n", n, a / b, a, b }'
    # The N <= 1.5 x N=1 goal leaves 0.5 x N=1 for the n-1 more targets: set it beside what one
    # more target costs the plugin and what one more bare TLS connection costs curl.
    if [ -s "$D/b.$n" ] && [ -s "$D/b1.$n" ]; then
      read -r bw bc <"$D/b.$n"; read -r bw1 bc1 <"$D/b1.$n"
      awk -v n="$n" -v w="$w" -v c="$c" -v w1="$w1" -v c1="$c1" -v bw="$bw" -v bc="$bc" -v bw1="$bw1" -v bc1="$bc1" 'BEGIN {
        printf "  one more target: plugin wall %.2f ms, cpu %.2f ms; one more bare TLS connection (curl, no Kerberos): wall %.2f ms, cpu %.2f ms\n", (w - w1) / (n - 1), (c - c1) / (n - 1), (bw - bw1) / (n - 1), (bc - bc1) / (n - 1)
        printf "  N=%d <= 1.5 x N=1 allows %.2f ms of wall per more target (0.5 x %.1f ms / %d)\n", n, 0.5 * w1 / (n - 1), w1, n - 1 }'
      read -r cw _ <"$D/c.$n"
      awk -v n="$n" -v cw="$cw" -v bw="$bw" -v w="$w" 'BEGIN {
        printf "  %d sequential curl --negotiate (%.1f ms) / TLS alone at %d URLs (%.1f ms): %.2fx, the most a one-process client making these %d TLS connections could be faster (the plugin: %.2fx; goal 6x)\n", n, cw, n, bw, cw / bw, n, cw / w }'
    fi
  done
fi
INNER
