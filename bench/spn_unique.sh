#!/usr/bin/env bash
# bench/spn_unique.sh — check_spn_unique (targeted mode) against `ldapsearch -Y GSSAPI` of the
# same filter, in the same lab, same run: both bind with SASL GSSAPI from the same credential
# cache (kinit first, so neither pays an AS exchange) to the Global Catalog and search the
# same OR of equality filters. Prints each tool's median wall time over N runs, alternating,
# and the ratio of the medians. Not part of the test command.
#
#   LAB_NS=... LAB_DIR=... BUILDDIR=... bench/spn_unique.sh [RUNS]     (default 30 runs)
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
LAB=${LAB:-$TOP/tests/lab/lab}
BUILDDIR=${BUILDDIR:?BUILDDIR must be the build directory holding plugins/}
RUNS=${1:-30}
P=$BUILDDIR/plugins/check_spn_unique
[ -x "$P" ] || { echo "bench: $P is missing (build first)" >&2; exit 2; }
"$LAB" status >/dev/null 2>&1 || { echo "bench: the lab is not up (LAB_NS=${LAB_NS:-})" >&2; exit 2; }

"$LAB" exec bash -s "$P" "$RUNS" <<'EOF'
P=$1 RUNS=$2
CC=FILE:$(mktemp -u /tmp/iwa-bench-cc.XXXXXX)
trap 'rm -f "${CC#FILE:}"' EXIT
export KRB5CCNAME=$CC
kinit -k -t "$LAB_MONITOR_KEYTAB" "$LAB_MONITOR_PRINCIPAL" || exit 2
F=$LAB_FQDN S=${LAB_FQDN%%.*}
FILTER="(|(servicePrincipalName=HTTP/$F)(servicePrincipalName=HTTP/$S)(servicePrincipalName=HOST/$F)(servicePrincipalName=HOST/$S)(servicePrincipalName=HTTP/$F:443))"
ATTRS="servicePrincipalName sAMAccountName objectClass userAccountControl lockoutTime distinguishedName userPrincipalName"
now() { date +%s%N; }
plugin=() ldaps=()
for i in $(seq "$RUNS"); do
  t=$(now); "$P" -H "$LAB_DC_FQDN" -f "$F" -e cam-svc --ccache "$CC" >/dev/null 2>&1 || echo "plugin run $i failed" >&2
  plugin+=($(( ($(now) - t) / 1000 )))
  t=$(now); ldapsearch -Q -Y GSSAPI -H "ldap://$LAB_DC_FQDN:3268" -b "" -E pr=1000/noprompt "$FILTER" $ATTRS >/dev/null 2>&1 || echo "ldapsearch run $i failed" >&2
  ldaps+=($(( ($(now) - t) / 1000 )))
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
mp=$(median "${plugin[@]}") ml=$(median "${ldaps[@]}")
printf 'runs: %d each, alternating; filter: %s\n' "$RUNS" "$FILTER"
printf 'check_spn_unique  median %7.1f ms\n' "$(awk -v v="$mp" 'BEGIN { print v / 1000 }')"
printf 'ldapsearch -Y GSSAPI median %7.1f ms\n' "$(awk -v v="$ml" 'BEGIN { print v / 1000 }')"
printf 'ratio (check_spn_unique / ldapsearch): %.2f\n' "$(awk -v a="$mp" -v b="$ml" 'BEGIN { print a / b }')"
EOF
