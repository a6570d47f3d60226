#!/usr/bin/env bash
# bench/spn_unique.sh — check_spn_unique (targeted mode: -f NAME -e ACCOUNT) against
# `ldapsearch -Y GSSAPI` of the same filter and attributes, paired (bench/pair.py): both bind
# with SASL GSSAPI from the same credential cache (kinit first, so neither pays an AS
# exchange) to the Global Catalog and search the same OR of equality filters. Prints wall,
# CPU and peak RSS of each and the ratios. Goal: peak RSS <= 16 MiB (release build).
#   LAB_NS=... LAB_DIR=... BUILDDIR=_build/rel bench/spn_unique.sh [RUNS]   (default 20)
set -uo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
RUNS=${1:-20}
bench_init check_spn_unique
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
echo "uptime: $(uptime)"
"$LAB" exec bash -s "$P" "$RUNS" "$TOP/bench/pair.py" "$TSV" "$d" <<'INNER'
P=$1 RUNS=$2 PAIR=$3 TSV=$4 D=$5
export KRB5CCNAME=FILE:$D/cc
kinit -k -t "$LAB_MONITOR_KEYTAB" "$LAB_MONITOR_PRINCIPAL" || exit 2
F=$LAB_FQDN S=${LAB_FQDN%%.*}
FILTER="(|(servicePrincipalName=HTTP/$F)(servicePrincipalName=HTTP/$S)(servicePrincipalName=HOST/$F)(servicePrincipalName=HOST/$S)(servicePrincipalName=HTTP/$F:443))"
ATTRS="servicePrincipalName sAMAccountName objectClass userAccountControl lockoutTime distinguishedName userPrincipalName"
"$PAIR" -n "$RUNS" --tsv "$TSV" --name "targeted SPN: check_spn_unique -f $F -e cam-svc vs ldapsearch of the same filter" \
  --la "check_spn_unique -f -e" --lb "ldapsearch -Y GSSAPI" \
  -a "$P -H $LAB_DC_FQDN -f $F -e cam-svc --ccache $KRB5CCNAME" \
  -b "ldapsearch -Q -LLL -Y GSSAPI -H ldap://$LAB_DC_FQDN:3268 -b '' -E pr=1000/noprompt $FILTER $ATTRS"
INNER
