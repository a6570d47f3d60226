#!/usr/bin/env bash
# bench/spn_all.sh — check_spn_unique --all at scale against a raw paged dump of
# servicePrincipalName from the same Global Catalog (`ldapsearch -Y GSSAPI -E pr=1000`), paired
# (bench/pair.py), both from the same warm credential cache. For each size (default 50000 and
# 100000 accounts, 2 SPNs each: 100,000 / 200,000 SPNs) tests/lab/bulk-load writes the accounts
# offline (lab dc stop + snapshot, load, dc start: the load time is printed), the pair runs,
# and the DC's database is put back (lab dc restore; also on exit). Goals: wall ratio <= 1.1,
# peak RSS <= 32 MiB at 100k (release build), 2x the data -> <= 2.2x the time. Needs a running
# lab and root; takes ~5 min on 2 shared cores.
#   LAB_NS=... LAB_DIR=... BUILDDIR=_build/rel bench/spn_all.sh [RUNS [SIZE...]]   (default 3)
set -uo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
RUNS=${1:-3}; shift || true
SIZES=${*:-50000 100000}
bench_init check_spn_unique
eval "$("$LAB" env)"
d=$(mktemp -d); LOADED=no
cleanup() {
  [ "$LOADED" = yes ] && { "$LAB" dc restore >"$d/restore.log" 2>&1 || echo "bench: lab dc restore failed: $(tail -n 1 "$d/restore.log")" >&2; }
  rm -rf "$d"
}
trap cleanup EXIT
echo "uptime: $(uptime)"
"$LAB" dc stop >/dev/null && "$LAB" dc snapshot >/dev/null || { echo "bench: lab dc stop/snapshot failed" >&2; "$LAB" dc start; exit 1; }
"$LAB" dc start >/dev/null || exit 1
declare -A WALL RAW
for n in $SIZES; do
  users=$(( n * 3 / 4 )) computers=$(( n - n * 3 / 4 ))
  t0=$(date +%s%N)
  "$LAB" dc stop >/dev/null || exit 1
  LOADED=yes
  "$TOP/tests/lab/bulk-load" "$LAB_SMB_CONF" load --users "$users" --computers "$computers" \
    --spns-per-account 2 >"$d/load.log" 2>&1 || { echo "bench: bulk-load failed: $(tail -n 3 "$d/load.log")" >&2; exit 1; }
  t1=$(date +%s%N)
  "$LAB" dc start >/dev/null || exit 1
  t2=$(date +%s%N)
  printf '== %d accounts: %s; load %.1f s (DC stop + write %.1f s, DC start until it answers %.1f s)\n' \
    "$n" "$(sed -n 's/^bulk-load: \(.*\) in .*/\1/p' "$d/load.log")" \
    "$(( (t2 - t0) / 1000000 ))e-3" "$(( (t1 - t0) / 1000000 ))e-3" "$(( (t2 - t1) / 1000000 ))e-3"
  "$LAB" exec bash -s "$P" "$RUNS" "$n" "$TOP/bench/pair.py" "$TSV" "$d" <<'INNER' | tee "$d/pair.$n"
P=$1 RUNS=$2 N=$3 PAIR=$4 TSV=$5 D=$6
export KRB5CCNAME=FILE:$D/cc
kinit -k -t "$LAB_MONITOR_KEYTAB" "$LAB_MONITOR_PRINCIPAL" || exit 2
"$PAIR" -n "$RUNS" --tsv "$TSV" --name "audit: check_spn_unique --all vs ldapsearch paged dump, $N accounts" \
  --la "check_spn_unique --all" --lb "ldapsearch -Y GSSAPI pr=1000" --expect-a 2 \
  -a "$P -H $LAB_DC_FQDN --all --ccache $KRB5CCNAME -t 600" \
  -b "ldapsearch -Q -LLL -Y GSSAPI -H ldap://$LAB_DC_FQDN:3268 -b '' -E pr=1000/noprompt (servicePrincipalName=*) servicePrincipalName"
INNER
  WALL[$n]=$(sed -n 's/^  check_spn_unique --all  *wall *\([0-9.]*\) ms  cpu *\([0-9.]*\) ms.*/\1 \2/p' "$d/pair.$n")
  RAW[$n]=$(sed -n 's/^  ldapsearch [^w]*wall *\([0-9.]*\) ms.*/\1/p' "$d/pair.$n")
  "$LAB" dc restore >/dev/null || exit 1
  LOADED=no
done
set -- $SIZES
if [ $# -ge 2 ] && [ -n "${WALL[$1]:-}" ] && [ -n "${WALL[$2]:-}" ]; then
  read -r wa ca <<<"${WALL[$1]}"; read -r wb cb <<<"${WALL[$2]}"
  awk -v wa="$wa" -v wb="$wb" -v ca="$ca" -v cb="$cb" -v ra="${RAW[$1]:-0}" -v rb="${RAW[$2]:-0}" \
    -v na="$1" -v nb="$2" 'BEGIN {
    printf "growth: %d -> %d accounts (x%.1f): check_spn_unique --all wall x%.2f, cpu x%.2f; the raw ldapsearch dump wall x%.2f (the DC'"'"'s share)\n",
      na, nb, nb / na, wb / wa, cb / ca, (ra > 0 ? rb / ra : 0) }'
fi
