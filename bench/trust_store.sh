#!/usr/bin/env bash
# bench/trust_store.sh — check_negotiate_backend with the SYSTEM trust store (no --ca-file, the
# way most users run it) over N targets (default 8, --no-vip) against N sequential
# `curl --negotiate` runs with curl's default trust store, paired (bench/pair.py). So that the
# lab's certificates verify through the system store, both sides run in a private mount
# namespace (tests/lab/trust-store) where /etc/ssl/certs is a copy of this machine's (Debian's bundle of
# ~144 CAs and its hashed directory) with the lab CA added (`openssl rehash`): nothing outside
# the benchmark sees it. What it shows: libcurl decodes the whole bundle for every new
# connection when it also has a CA directory (Debian's libcurl has both; ~30 ms of CPU each
# with OpenSSL 3.0), the plugin gives libcurl the directory alone (common/http.c) and OpenSSL
# reads only the issuer a chain needs. Needs a running lab.
#   LAB_NS=... LAB_DIR=... BUILDDIR=_build/rel bench/trust_store.sh [RUNS [N]]   (10, 8)
set -uo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
RUNS=${1:-10}
N=${2:-8}
bench_init check_negotiate_backend
[ -d /etc/ssl/certs ] && [ -f /etc/ssl/certs/ca-certificates.crt ] ||
  { echo "bench: /etc/ssl/certs/ca-certificates.crt is missing (install ca-certificates)" >&2; exit 2; }
eval "$("$LAB" env)"
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
# the copy: every certificate of the system store plus the lab CA installed the Debian way
"$TOP/tests/lab/trust-store" make "$d/certs" debian "$LAB_CA" || { echo "bench: cannot copy the store" >&2; exit 2; }
echo "uptime: $(uptime)"
echo "system store copy: $(grep -c 'BEGIN CERTIFICATE' "$d/certs/ca-certificates.crt") CAs in the bundle, $(find "$d/certs" -name '*.[0-9]' | wc -l) hashed links"
"$LAB" exec "$TOP/tests/lab/trust-store" run "$d/certs" bash -s "$P" "$RUNS" "$TOP/bench/pair.py" "$TSV" "$d" "$N" <<'INNER'
P=$1 RUNS=$2 PAIR=$3 TSV=$4 D=$5 N=$6
export KRB5CCNAME=FILE:$D/cc
kinit -k -t "$LAB_MONITOR_KEYTAB" "$LAB_MONITOR_PRINCIPAL" || exit 2
URL=https://$LAB_FQDN/
args=""
: >"$D/curls"
for ((i = 0; i < N; i++)); do
  s=server$(( i % 2 + 1 )).camtest.test bits=$(( i / 2 )) l=""
  for ((k = 0; k < ${#s}; k++)); do
    c=${s:k:1}
    if [ $k -lt 7 ] && (( (bits >> k) & 1 )); then c=${c^^}; fi
    l+=$c
  done
  args+=" -B $l"
  printf 'curl -sf --negotiate -u : -o /dev/null --connect-to %s:443:%s:443 %s || exit 1\n' "$LAB_FQDN" "$l" "$URL" >>"$D/curls"
done
"$P" -u "$URL" --no-vip $args --ccache "$KRB5CCNAME" >/dev/null ||
  { echo "bench: the plugin is not OK with the system store" >&2; "$P" -u "$URL" --no-vip $args --ccache "$KRB5CCNAME" | head -1 >&2; exit 1; }
bash "$D/curls" || { echo "bench: curl fails with the system store" >&2; exit 1; }
"$PAIR" -n "$RUNS" --tsv "$TSV" --name "backends, system trust store: check_negotiate_backend, $N targets, vs $N sequential curl --negotiate" \
  --la "check_negotiate_backend N=$N" --lb "$N x curl --negotiate" \
  -a "$P -u $URL --no-vip $args --ccache $KRB5CCNAME" -b "bash $D/curls"
INNER
