#!/usr/bin/env bash
# tests/integration/check_batch_logon_gpo.sh — check_batch_logon_gpo against the lab: healthy
# (OK for SERVER1 and SERVER2 naming IIS-BatchLogon-GPO) over SMB and with --sysvol-path; each
# GPO scenario with its documented state and named cause; SYSVOL or directory unreadable ->
# UNKNOWN with the reason; JSON output; --help.
# Env: BUILDDIR, LAB (tests/lab/lab), LAB_NS, LAB_DIR; the lab is up when this starts.
source "$(dirname "$0")/../tap.sh"
set -u

source "$(dirname "$0")/../labtest.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
# libsmbclient keeps one process-global allocation (see tests/lsan.supp).
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$SRC/tests/lsan.supp}
labtest_init check_batch_logon_gpo gpo
mkdir -p "$WORK/empty-sysvol"

BASE=(-H "$LAB_DC_FQDN" --keytab "$LAB_MONITOR_KEYTAB" -a 'CAMTEST\cam-svc' -C SERVER1 -C SERVER2)
EXP=(--gpo "$LAB_GPO_NAME")
PERF2='\| gpos_read=2;;;0 sysvol_time=[0-9.]+s;;;0 time=[0-9.]+s;;;0 applying_gpos_SERVER1=N;;;0 applying_gpos_SERVER2=N;;;0$'
perf() { printf '%s' "${PERF2//N/$1}"; }
WEB='OU=WebServers,DC=camtest,DC=test'
SVC='OU=ServiceAccounts,DC=camtest,DC=test'

gpo() { run_cmd "$LAB" exec "$P" "$@"; }

# ---------------------------------------------------------------- healthy
gpo "${BASE[@]}" "${EXP[@]}" -v
expect "healthy over SMB: OK naming IIS-BatchLogon-GPO for both servers" 0 \
  "^BATCH_LOGON OK - cam-svc holds SeBatchLogonRight on SERVER1, SERVER2 via IIS-BatchLogon-GPO $(perf 1)" \
  '^\[OK\] SERVER1: SeBatchLogonRight granted to cam-svc by IIS-BatchLogon-GPO \(listed as cam-svc\)' \
  '^\[OK\] SERVER2: SeBatchLogonRight granted to cam-svc by IIS-BatchLogon-GPO' \
  "1\. IIS-BatchLogon-GPO \{[0-9A-F-]+\}: linked at $WEB \(link order 1\), applies \(Apply Group Policy via Authenticated Users\); SeBatchLogonRight = cam-svc, IIS_IUSRS; .*<= WINNER" \
  'Default Domain Policy .*computer version 0 \(empty\)' \
  'site-linked GPOs were not evaluated \(give --site NAME\)' \
  'LDAP: 8 searches in 4 round trips .*; SYSVOL: 4 file reads for 2 GPO\(s\) via SMB'

if [ -z "$ERR" ]; then tap_ok "nothing on stderr (libsmbclient's log kept out)"; else
  tap_fail "nothing on stderr (libsmbclient's log kept out)" "$ERR"; fi

gpo "${BASE[@]}" "${EXP[@]}" --sysvol-path "$LAB_SYSVOL" -v
expect "healthy with --sysvol-path (the domain folder): OK, same verdict" 0 \
  "^BATCH_LOGON OK - cam-svc holds SeBatchLogonRight on SERVER1, SERVER2 via IIS-BatchLogon-GPO $(perf 1)" \
  'SYSVOL: 4 file reads for 2 GPO\(s\) via --sysvol-path'

gpo "${BASE[@]}" --sysvol-path "$(dirname "$LAB_SYSVOL")"
expect "healthy with --sysvol-path (the SysVol share root) and without --gpo" 0 \
  "^BATCH_LOGON OK - cam-svc holds SeBatchLogonRight on SERVER1, SERVER2 via IIS-BatchLogon-GPO"

gpo -H "$LAB_DC_FQDN" --keytab "$LAB_MONITOR_KEYTAB" -a cam-svc@camtest.test \
  -C "$LAB_SERVER1_DN" -C server2.camtest.test --site Default-First-Site-Name
expect "account as UPN, computers as DN and DNS name, --site evaluated" 0 \
  '^BATCH_LOGON OK - cam-svc holds SeBatchLogonRight on SERVER1, SERVER2 via IIS-BatchLogon-GPO' \
  'site CN=Default-First-Site-Name,CN=Sites,CN=Configuration,DC=camtest,DC=test: its links were evaluated'

gpo "${BASE[@]}" "${EXP[@]}" --output-format json
res=$(printf '%s' "$OUT" | "$PY" -c '
import json, sys
j = json.load(sys.stdin)
names = [s["name"] for s in j["subchecks"]]
ok = (j["state"] == "OK" and j["exit_code"] == 0 and names == ["SERVER1", "SERVER2"]
      and "IIS-BatchLogon-GPO" in j["summary"]
      and {p["label"] for p in j["perfdata"]} >= {"gpos_read", "time", "applying_gpos_SERVER1"})
print("ok" if ok else "bad")' 2>&1)
if [ "$RC" = 0 ] && [ "$res" = ok ]; then tap_ok "JSON output: state, subchecks per computer, perfdata"
else tap_fail "JSON output: state, subchecks per computer, perfdata" "rc=$RC $res" "$OUT"; fi

# ---------------------------------------------------------------- scenarios
scenario gpo-wrong-ou on
gpo "${BASE[@]}" "${EXP[@]}"
expect "gpo-wrong-ou: CRITICAL, names where the GPO is linked and where the servers live" 2 \
  "^BATCH_LOGON CRITICAL - IIS-BatchLogon-GPO is linked only to $SVC, which holds user accounts; computer settings apply from the computer's own OU chain: link it to $WEB \(where SERVER1, SERVER2 live\) $(perf 0)" \
  '^\[CRITICAL\] SERVER1: no applying GPO grants SeBatchLogonRight to cam-svc'
gpo "${BASE[@]}"
expect "gpo-wrong-ou without --gpo: WARNING, no applying GPO defines the right" 1 \
  "^BATCH_LOGON WARNING - SERVER1, SERVER2: no applying GPO defines SeBatchLogonRight: the local policy of the server decides, which the directory cannot show \\| gpos_read=1;;;0 "
scenario gpo-wrong-ou off

scenario gpo-missing-right on
gpo "${BASE[@]}" "${EXP[@]}"
expect "gpo-missing-right: CRITICAL, the winning GPO and what it grants" 2 \
  "^BATCH_LOGON CRITICAL - SERVER1, SERVER2: IIS-BatchLogon-GPO \(precedence 1, linked at $WEB\) defines SeBatchLogonRight without cam-svc or its groups: it grants IIS_IUSRS $(perf 1)" \
  '^\[CRITICAL\] SERVER2: SeBatchLogonRight NOT granted to cam-svc: IIS-BatchLogon-GPO wins and grants IIS_IUSRS'
gpo "${BASE[@]}" "${EXP[@]}" --sysvol-path "$LAB_SYSVOL"
expect "gpo-missing-right with --sysvol-path: same CRITICAL" 2 \
  "^BATCH_LOGON CRITICAL - SERVER1, SERVER2: IIS-BatchLogon-GPO \(precedence 1, linked at $WEB\) defines SeBatchLogonRight without cam-svc"
scenario gpo-missing-right off

scenario gpo-computer-disabled on
gpo "${BASE[@]}" "${EXP[@]}"
expect "gpo-computer-disabled: CRITICAL, computer settings disabled" 2 \
  "^BATCH_LOGON CRITICAL - SERVER1, SERVER2: IIS-BatchLogon-GPO has its computer settings disabled \(flags=2\): enable them \(GPMC: GPO Status\) $(perf 0)" \
  'IIS-BatchLogon-GPO .*computer settings disabled'
scenario gpo-computer-disabled off

scenario gpo-link-disabled on
gpo "${BASE[@]}" "${EXP[@]}"
expect "gpo-link-disabled: CRITICAL, the disabled link named" 2 \
  "^BATCH_LOGON CRITICAL - SERVER1, SERVER2: the link of IIS-BatchLogon-GPO on $WEB is disabled \(gPLink option 1\): enable the link $(perf 0)" \
  "-  IIS-BatchLogon-GPO \{[0-9A-F-]+\}: linked at $WEB \(link order 1\), link disabled"
scenario gpo-link-disabled off

scenario gpo-blocked on
gpo "${BASE[@]}" "${EXP[@]}"
expect "gpo-blocked: CRITICAL, link at the domain root blocked by OU=WebServers" 2 \
  "^BATCH_LOGON CRITICAL - SERVER1, SERVER2: IIS-BatchLogon-GPO is linked at DC=camtest,DC=test, but $WEB blocks inheritance \(gPOptions=1\): enforce that link or link the GPO to $WEB $(perf 0)" \
  'blocked by inheritance blocking'
scenario gpo-blocked off

scenario gpo-version-skew on
gpo "${BASE[@]}" "${EXP[@]}"
expect "gpo-version-skew: WARNING, both versions named (SMB)" 1 \
  "^BATCH_LOGON WARNING - SERVER1, SERVER2: IIS-BatchLogon-GPO: GPT.INI Version ([0-9]+) \(computer [0-9]+\) differs from the directory's versionNumber [0-9]+ \(computer [0-9]+\): SYSVOL and AD disagree \(replication lag or a half-saved edit\) $(perf 1)" \
  '^\[WARNING\] SERVER1: SeBatchLogonRight granted to cam-svc by IIS-BatchLogon-GPO'
gpo "${BASE[@]}" "${EXP[@]}" --sysvol-path "$LAB_SYSVOL"
expect "gpo-version-skew with --sysvol-path: same WARNING" 1 \
  "^BATCH_LOGON WARNING - SERVER1, SERVER2: IIS-BatchLogon-GPO: GPT.INI Version [0-9]+ .*differs from the directory's versionNumber"
scenario gpo-version-skew off

scenario gpo-no-cse on
gpo "${BASE[@]}" "${EXP[@]}"
expect "gpo-no-cse: WARNING, the Security CSE missing" 1 \
  "^BATCH_LOGON WARNING - SERVER1, SERVER2: IIS-BatchLogon-GPO defines SeBatchLogonRight, but its gPCMachineExtensionNames lacks the Security CSE \{827D319E-6EAC-11D2-A4EA-00C04F79F83A\}: clients skip its security settings $(perf 1)" \
  'applies, but no Security CSE'
scenario gpo-no-cse off

gpo "${BASE[@]}" "${EXP[@]}"
expect "healthy again after the scenarios" 0 '^BATCH_LOGON OK - '

# ---------------------------------------------------------------- rights lists (a SYSVOL copy)
# The lab's SYSVOL copied under $WORK, its GptTmpl.inf rewritten: names, group SIDs, empty value.
cp -r "$LAB_SYSVOL" "$WORK/sysvol"
TMPL=$(find "$WORK/sysvol/Policies/$LAB_GPO_GUID" -iname gpttmpl.inf)
DOM=${LAB_CAMSVC_SID%-*}
tmpl() { { printf '\xff\xfe'; printf '[Privilege Rights]\r\nSeBatchLogonRight = %s\r\n' "$1" |
  iconv -f UTF-8 -t UTF-16LE; } >"$TMPL"; }
COPY=(--sysvol-path "$WORK/sysvol")

tmpl 'CAMTEST\cam-svc,*S-1-5-32-568'
gpo "${BASE[@]}" "${EXP[@]}" "${COPY[@]}" -v
expect "rights list naming the account by NAME: OK, resolved in one extra search" 0 \
  '^BATCH_LOGON OK - cam-svc holds SeBatchLogonRight on SERVER1, SERVER2 via IIS-BatchLogon-GPO' \
  'granted to cam-svc by IIS-BatchLogon-GPO \(listed as CAMTEST\\cam-svc\)' \
  'LDAP: 9 searches in 5 round trips'

tmpl "*$DOM-513"
gpo "${BASE[@]}" "${EXP[@]}" "${COPY[@]}"
expect "granted through a group (Domain Users, from tokenGroups), IIS_IUSRS dropped: WARNING" 1 \
  "^BATCH_LOGON WARNING - SERVER1, SERVER2: IIS-BatchLogon-GPO's SeBatchLogonRight list drops IIS_IUSRS \(S-1-5-32-568\), which a domain GPO definition replaces on the server $(perf 1)" \
  'granted to cam-svc by IIS-BatchLogon-GPO \(listed as Domain Users\)'

tmpl "*S-1-5-32-544, monitor ,*$DOM-1999,"
gpo "${BASE[@]}" "${EXP[@]}" "${COPY[@]}"
expect "winning list without the account: CRITICAL, what it grants in words" 2 \
  "^BATCH_LOGON CRITICAL - SERVER1, SERVER2: IIS-BatchLogon-GPO \(precedence 1, linked at $WEB\) defines SeBatchLogonRight without cam-svc or its groups: it grants Administrators, monitor, \*$DOM-1999 "

tmpl ''
gpo "${BASE[@]}" "${EXP[@]}" "${COPY[@]}"
expect "empty value (the right defined as nobody): CRITICAL" 2 \
  '^BATCH_LOGON CRITICAL - .*defines SeBatchLogonRight without cam-svc or its groups: it grants nobody \(empty value\)'

gpo "${BASE[@]}" --gpo No-Such-GPO
expect "--gpo that does not exist while another GPO grants: WARNING" 1 \
  '^BATCH_LOGON WARNING - SERVER1, SERVER2: GPO No-Such-GPO \(--gpo\) not found in CN=Policies,CN=System,DC=camtest,DC=test \(the right comes from IIS-BatchLogon-GPO\)'

# ---------------------------------------------------------------- unreadable -> UNKNOWN
gpo "${BASE[@]}" --sysvol-path "$WORK/empty-sysvol"
expect "--sysvol-path without the GPO files: UNKNOWN naming the paths tried" 3 \
  "^BATCH_LOGON UNKNOWN - SYSVOL unreadable: IIS-BatchLogon-GPO: GPO folder not found under --sysvol-path $WORK/empty-sysvol \(tried .*/Policies/\{[0-9A-F-]+\}\)$"

gpo "${BASE[@]}" --sysvol-host "$LAB_SERVER1_FQDN"
expect "SMB to a server without SMB: UNKNOWN, connection refused" 3 \
  "^BATCH_LOGON UNKNOWN - SYSVOL unreadable: smb://$LAB_SERVER1_FQDN/sysvol/camtest.test/Policies/\{[0-9A-F-]+\}/GPT.INI: connection refused \(no SMB server on port 445\)$"

gpo "${BASE[@]}" --sysvol-host nosuch.camtest.test
expect "SMB to a name that does not resolve: UNKNOWN" 3 \
  '^BATCH_LOGON UNKNOWN - SYSVOL unreadable: cannot resolve nosuch\.camtest\.test'

# An SMB port that accepts and never answers (server1's address, where nothing listens on 445).
"$LAB" exec "$PY" -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("'"$LAB_SERVER1_IP"'", 445)); s.listen(8); held = []
while True:
    held.append(s.accept()[0])' >/dev/null 2>&1 &
LISTENER=$!
"$LAB" wait-tcp 10 "$LAB_SERVER1_IP" 445 >/dev/null
t0=$(date +%s.%N)
gpo "${BASE[@]}" --sysvol-host "$LAB_SERVER1_FQDN" -t 3
took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
expect "SMB server that never answers: ends within -t 3 (took ${took} s), the server and the stage named" 2 \
  "^BATCH_LOGON CRITICAL - SYSVOL unreadable: the SMB server $LAB_SERVER1_FQDN did not answer within [0-9.]+ s while connecting to \\\\\\\\$LAB_SERVER1_FQDN\\\\sysvol\\\\camtest\.test\\\\Policies\\\\\{[0-9A-F-]+\}\\\\GPT\.INI$"
awk -v t="$took" 'BEGIN { exit !(t < 4.5) }' && tap_ok "SMB timeout bounded by the budget" ||
  tap_fail "SMB timeout bounded by the budget" "took $took s"
kill "$LISTENER" 2>/dev/null; LISTENER=

# A KDC that answers everything but the cifs/ ticket (tests/integration/kdc_blackhole.py
# hold=cifs, the only TCP KDC): that ticket is fetched by our bounded TGS exchange ahead of
# libsmbclient, so its hang is named and ends within -t.
kdc_hole 3274 hold=cifs "$WORK/krb5-cifs.conf"
t0=$(date +%s.%N)
run_cmd "$LAB" exec env KRB5_CONFIG="$WORK/krb5-cifs.conf" "$P" "${BASE[@]}" -t 3
took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
expect "KDC never answers the cifs/ ticket: CRITICAL naming the KDC and the service ticket" 2 \
  "^BATCH_LOGON CRITICAL - SYSVOL unreadable: the KDC \(127\.0\.20\.1:3274\) did not answer within [0-9.]+ s while getting a service ticket for cifs/$LAB_DC_FQDN@CAMTEST\.TEST$"
awk -v t="$took" 'BEGIN { exit !(t < 4.0) }' && tap_ok "cifs/ ticket timeout within -t 3 + 1 s (took $took s)" ||
  tap_fail "cifs/ ticket timeout within -t 3 + 1 s" "took $took s"
kill "$LISTENER" 2>/dev/null; wait "$LISTENER" 2>/dev/null; LISTENER=

gpo -H "$LAB_DC_FQDN" --keytab "$LAB_WRONG_KEYTAB" -a cam-svc -C SERVER1
expect "our keytab is wrong: UNKNOWN, directory unreadable with the reason" 3 \
  '^BATCH_LOGON UNKNOWN - directory unreadable: .*(keytab|Preauthentication)'

gpo "${BASE[@]}" -C SERVER9 -a nosuch
expect "account and computer missing: CRITICAL naming both" 2 \
  '^BATCH_LOGON CRITICAL - account nosuch not found in DC=camtest,DC=test .*computer account SERVER9 not found'

gpo -H "$LAB_DC_FQDN" -a cam-svc
expect "no -C: UNKNOWN naming the option" 3 '^BATCH_LOGON UNKNOWN - -C/--computer is required'

# A simple bind (LDAPS) reads SYSVOL from --sysvol-path; without it SMB would silently use the
# ambient credential cache: UNKNOWN before any connection, saying what to give instead.
SIMPLE=(--ldap-uri "ldaps://$LAB_DC_FQDN" --ca-file "$LAB_CA" --bind-dn "$LAB_MONITOR_DN"
  --password-file "$LAB_MONITOR_PASSWORD_FILE" -a 'CAMTEST\cam-svc' -C SERVER1 -C SERVER2)
gpo "${SIMPLE[@]}" --sysvol-path "$LAB_SYSVOL"
expect "simple bind over LDAPS with --sysvol-path: OK, same verdict" 0 \
  "^BATCH_LOGON OK - cam-svc holds SeBatchLogonRight on SERVER1, SERVER2 via IIS-BatchLogon-GPO"
gpo "${SIMPLE[@]}"
expect "--bind-dn without --sysvol-path: UNKNOWN, give --keytab/--ccache or --sysvol-path" 3 \
  '^BATCH_LOGON UNKNOWN - --bind-dn without --sysvol-path: SYSVOL is read over SMB with Kerberos only, which would silently use the ambient credential cache; authenticate with --keytab or --ccache instead of --bind-dn, or give --sysvol-path DIR$'
gpo "${BASE[@]}" --sysvol-path "$WORK/no-such-dir"
expect "--sysvol-path that does not exist: UNKNOWN before any connection" 3 \
  "^BATCH_LOGON UNKNOWN - --sysvol-path $WORK/no-such-dir: cannot read the directory: No such file or directory\$"

# ---------------------------------------------------------------- --help
run_cmd "$P" --help
long=$(printf '%s\n' "$OUT" | awk 'length($0) > 80' | wc -l)
missing=()
for o in --account --computer --gpo --right --sysvol-path --sysvol-host --site --keytab -H; do
  printf '%s\n' "$OUT" | grep -q -- "$o" || missing+=("$o")
done
if [ "$RC" = 3 ] && [ "$long" = 0 ] && [ ${#missing[@]} -eq 0 ] &&
  printf '%s\n' "$OUT" | tail -n 3 | grep -q check_batch_logon_gpo; then
  tap_ok "--help: 80 columns, every option, ends with examples"
else tap_fail "--help: 80 columns, every option, ends with examples" "rc=$RC long=$long missing=${missing[*]}"; fi

tap_end
