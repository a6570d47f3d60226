#!/usr/bin/env bash
# bench/gpo.sh — a whole check_batch_logon_gpo run (healthy lab: cam-svc on SERVER1 and
# SERVER2, SYSVOL over SMB) against the commands that fetch the same data: the plugin's 8
# LDAP searches as 8 `ldapsearch -Y GSSAPI` (rootDSE; account + computers; tokenGroups of
# each; gPLink of the 2 containers; the GPOs with their DACL, SD flags control) and one
# `smbclient --use-kerberos=required` reading GPT.INI and GptTmpl.inf of the 2 GPOs; paired
# (bench/pair.py), same warm credential cache. Goal: plugin / commands <= 1.0. Also the
# plugin with --sysvol-path (no SMB, libsmbclient never loaded). Needs a running lab.
#   LAB_NS=... LAB_DIR=... BUILDDIR=_build/rel bench/gpo.sh [RUNS]     (default 10)
set -uo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
RUNS=${1:-10}
bench_init check_batch_logon_gpo
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
echo "uptime: $(uptime)"
"$LAB" exec bash -s "$P" "$RUNS" "$TOP/bench/pair.py" "$TSV" "$d" <<'INNER'
P=$1 RUNS=$2 PAIR=$3 TSV=$4 D=$5
export KRB5CCNAME=FILE:$D/cc
kinit -k -t "$LAB_MONITOR_KEYTAB" "$LAB_MONITOR_PRINCIPAL" || exit 2
B=$LAB_BASE_DN DDP='{31B2F340-016D-11D2-945F-00C04FB984F9}'
cat >"$D/raw.sh" <<RAW
q() { ldapsearch -Q -LLL -Y GSSAPI -H ldap://$LAB_DC_FQDN "\$@" >/dev/null || exit 1; }
q -s base -b '' '(objectClass=*)' defaultNamingContext configurationNamingContext
q -b '$B' '(|(sAMAccountName=cam-svc)(sAMAccountName=SERVER1\$)(sAMAccountName=SERVER2\$))' sAMAccountName userPrincipalName dNSHostName objectSid
q -s base -b '$LAB_CAMSVC_DN' '(objectClass=*)' tokenGroups
q -s base -b '$LAB_SERVER1_DN' '(objectClass=*)' tokenGroups
q -s base -b '$LAB_SERVER2_DN' '(objectClass=*)' tokenGroups
q -s base -b 'OU=WebServers,$B' '(objectClass=*)' gPLink gPOptions
q -s base -b '$B' '(objectClass=*)' gPLink gPOptions
q -s one -b 'CN=Policies,CN=System,$B' -E '!1.2.840.113556.1.4.801=::MAMCAQQ=' '(objectClass=groupPolicyContainer)' cn displayName gPCFileSysPath flags versionNumber gPCMachineExtensionNames gPCWMIFilter nTSecurityDescriptor
smbclient -N //$LAB_DC_FQDN/SysVol --use-kerberos=required -c 'cd $LAB_DNS_DOMAIN/Policies/$LAB_GPO_GUID; get GPT.INI /dev/null; get "MACHINE/Microsoft/Windows NT/SecEdit/GptTmpl.inf" /dev/null; cd ../$DDP; get GPT.INI /dev/null; get "MACHINE/Microsoft/Windows NT/SecEdit/GptTmpl.inf" /dev/null' >/dev/null 2>&1
exit 0
RAW
ARGS="-H $LAB_DC_FQDN --ccache $KRB5CCNAME -a cam-svc -C SERVER1 -C SERVER2"
"$PAIR" -n "$RUNS" --tsv "$TSV" --name "GPO: check_batch_logon_gpo (SMB) vs 8 x ldapsearch + smbclient" \
  --la "check_batch_logon_gpo" --lb "8 ldapsearch + smbclient" -a "$P $ARGS" -b "bash $D/raw.sh"
"$PAIR" -n "$RUNS" --tsv "$TSV" --name "GPO: check_batch_logon_gpo --sysvol-path (no SMB) vs 8 x ldapsearch" \
  --la "check_batch_logon_gpo --sysvol-path" --lb "8 ldapsearch" \
  -a "$P $ARGS --sysvol-path $LAB_SYSVOL" -b "bash -c 'sed /^smbclient/d $D/raw.sh | bash'"
INNER
