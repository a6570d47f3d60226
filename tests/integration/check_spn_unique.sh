#!/usr/bin/env bash
# tests/integration/check_spn_unique.sh — check_spn_unique against the lab: healthy (OK on
# cam-svc), each SPN scenario in text and JSON (state, owners named, cause and fix), --all
# (exactly the scenario duplicates, nothing when healthy), every way to authenticate (keytab,
# ccache after kinit, simple bind over LDAPS), our own credentials unusable (wrong keytab,
# wrong password), a DC that is unreachable or never answers (exit within -t), and SPN
# arguments holding filter metacharacters (escaped: they match nothing).
# Env: BUILDDIR, LAB (tests/lab/lab), LAB_NS, LAB_DIR; the lab is up when this starts.
source "$(dirname "$0")/../tap.sh"
set -u

source "$(dirname "$0")/../labtest.sh"
labtest_init check_spn_unique spn

DC=$LAB_DC_FQDN
KT=(--keytab "$LAB_MONITOR_KEYTAB")
TARGET=(-H "$DC" -f "$LAB_FQDN" -e cam-svc)
SPN_RE='HTTP/sso\.camtest\.test'
PERF_RE="owners=[0-9]+;;;0 spns_checked=5;;;0 conflicts=[0-9]+;;;0 bind_time=[0-9.]+s;;;0 search_time=[0-9.]+s;;;0( kdc_exchanges=[0-9]+;;;0 kdc_time=[0-9.]+s;;;0)?$"

spn() { run_cmd "$LAB" exec "$P" "$@"; }

# perfdata_ok NAME: every item of the first line's perfdata matches the plugin guidelines.
perfdata_ok() {
  local perf; perf=$(printf '%s\n' "$OUT" | head -n 1 | sed -n 's/^[^|]*| //p')
  local item bad=()
  [ -n "$perf" ] || bad+=("no perfdata")
  for item in $perf; do
    printf '%s\n' "$item" | grep -Eq "^'?[A-Za-z0-9_ ./-]+'?=-?[0-9]+(\.[0-9]+)?(s|ms|%|B|KB|MB|GB|TB|c)?(;[~@0-9.:-]*){0,4}$" ||
      bad+=("bad item: $item")
  done
  if [ ${#bad[@]} -eq 0 ]; then tap_ok "$1"; else tap_fail "$1" "${bad[@]}" "$OUT"; fi
}

# json_ok NAME PYTHON-EXPR: parses $OUT with json.load and evaluates EXPR on it as `j`;
# owners(spn) lists the subcheck names under the SPN's subcheck.
json_ok() {
  local name=$1 expr=$2 res
  res=$(printf '%s' "$OUT" | "$PY" -c '
import json, sys
j = json.load(sys.stdin)
def node(name, tree=None):
    for s in (tree if tree is not None else j)["subchecks"]:
        if s.get("name") == name:
            return s
    return None
def owners(spn):
    n = node(spn)
    return sorted(c.get("name") for c in n.get("subchecks", [])) if n else None
def owner(spn, acct):
    n = node(spn)
    return node(acct, n) if n else None
ok = eval(sys.argv[1])
print("yes" if ok else "no: " + json.dumps(j)[:3000])
' "$expr" 2>&1)
  if [ "$res" = yes ]; then tap_ok "$name"; else tap_fail "$name" "expression: $expr" "$res"; fi
}

# ------------------------------------------------------------------ healthy
spn "${TARGET[@]}" "${KT[@]}" -v
expect "healthy: OK, HTTP/sso.camtest.test registered once on cam-svc" 0 \
  "^SPN_UNIQUE OK - $SPN_RE is registered once, on cam-svc \(user\); 5 SPNs checked \| $PERF_RE" \
  "^\[OK\] $SPN_RE: registered once, on cam-svc \(user\)" \
  "^  \[OK\] cam-svc \(user, $LAB_CAMSVC_DN\)" \
  '^\[OK\] HOST/sso\.camtest\.test: not registered' \
  '^LDAP server: ldap://dc1\.camtest\.test:3268$' \
  '^bind: SASL GSSAPI as monitor@CAMTEST\.TEST \(new TGT\) in [0-9.]+ s' \
  "^filter: \(servicePrincipalName=$SPN_RE\) OR \(servicePrincipalName=HTTP/sso\) OR" \
  '^search: 1 entries in [0-9.]+ s'
perfdata_ok "healthy: perfdata follows the plugin guidelines"
[ -z "$ERR" ] && tap_ok "healthy: nothing on stderr" || tap_fail "healthy: nothing on stderr" "$ERR"

spn "${TARGET[@]}" "${KT[@]}" --output-format=json
expect "healthy JSON: exit 0" 0 '^\{"service":"SPN_UNIQUE","state":"OK","exit_code":0,'
json_ok "healthy JSON: the owner cam-svc is a subcheck of the SPN" \
  'j["state"] == "OK" and owners("HTTP/sso.camtest.test") == ["cam-svc"] and node("HOST/sso.camtest.test")["state"] == "OK"'

spn -H "$DC" -s "$LAB_SPN" "${KT[@]}"
expect "healthy: -s SPN without -e: OK naming cam-svc" 0 \
  "^SPN_UNIQUE OK - $SPN_RE is registered once, on cam-svc \(user\); 1 SPNs checked \|"

# ------------------------------------------------------------------ scenarios
scenario dup-spn-computer on
spn "${TARGET[@]}" "${KT[@]}"
expect "dup-spn-computer: CRITICAL, SERVER1\$ named with the setspn -D fix" 2 \
  "^SPN_UNIQUE CRITICAL - $SPN_RE is also registered on SERVER1\\$ \(computer\): the KDC cannot pick one key; remove it with \`setspn -D $SPN_RE SERVER1\` \| owners=2;;;0 spns_checked=5;;;0 conflicts=1;;;0 " \
  "^\[CRITICAL\] $SPN_RE is registered on 2 accounts \(cam-svc, SERVER1\\$\): the KDC cannot pick one key, clients get KDC_ERR_S_PRINCIPAL_UNKNOWN and fall back to NTLM" \
  '^  \[OK\] cam-svc: keep it here' \
  "owner: SERVER1\\$ \(computer, $LAB_SERVER1_DN\)"
spn "${TARGET[@]}" "${KT[@]}" --output-format=json
expect "dup-spn-computer JSON: exit 2" 2 '^\{"service":"SPN_UNIQUE","state":"CRITICAL","exit_code":2,'
json_ok "dup-spn-computer JSON: owners cam-svc and SERVER1\$, SERVER1\$ CRITICAL" \
  'owners("HTTP/sso.camtest.test") == ["SERVER1$", "cam-svc"] and owner("HTTP/sso.camtest.test", "SERVER1$")["state"] == "CRITICAL" and "setspn -D HTTP/sso.camtest.test SERVER1" in owner("HTTP/sso.camtest.test", "SERVER1$")["text"]'
scenario dup-spn-computer off

scenario dup-spn-case on
spn "${TARGET[@]}" "${KT[@]}"
expect "dup-spn-case: CRITICAL, the upper-case value on SERVER2\$ is the same SPN" 2 \
  "^SPN_UNIQUE CRITICAL - $SPN_RE is also registered on SERVER2\\$ \(computer\) as http/SSO\.camtest\.test \(the same SPN: SPNs are case-insensitive\): the KDC cannot pick one key; remove it with \`setspn -D http/SSO\.camtest\.test SERVER2\` \| owners=2;;;0 " \
  "owner: SERVER2\\$ \(computer, $LAB_SERVER2_DN\)"
spn "${TARGET[@]}" "${KT[@]}" --output-format=json
expect "dup-spn-case JSON: exit 2" 2 '"state":"CRITICAL","exit_code":2,'
json_ok "dup-spn-case JSON: owners cam-svc and SERVER2\$" \
  'owners("HTTP/sso.camtest.test") == ["SERVER2$", "cam-svc"] and owner("HTTP/sso.camtest.test", "SERVER2$")["state"] == "CRITICAL"'
scenario dup-spn-case off

scenario spn-missing on
spn "${TARGET[@]}" "${KT[@]}"
expect "spn-missing: CRITICAL, no owner, NTLM fallback and setspn -S fix" 2 \
  "^SPN_UNIQUE CRITICAL - $SPN_RE is registered on no account: clients cannot get a Kerberos ticket for it and fall back to NTLM; register it on the service account with \`setspn -S $SPN_RE cam-svc\` \| owners=0;;;0 spns_checked=5;;;0 conflicts=0;;;0 "
spn "${TARGET[@]}" "${KT[@]}" --output-format=json
expect "spn-missing JSON: exit 2" 2 '"state":"CRITICAL","exit_code":2,'
json_ok "spn-missing JSON: the SPN's subcheck is CRITICAL without owners" \
  'node("HTTP/sso.camtest.test")["state"] == "CRITICAL" and owners("HTTP/sso.camtest.test") == [] and "setspn -S" in node("HTTP/sso.camtest.test")["text"]'
scenario spn-missing off

scenario spn-on-computer on
spn "${TARGET[@]}" "${KT[@]}"
expect "spn-on-computer: CRITICAL, on SERVER1\$ not cam-svc: other backends cannot decrypt" 2 \
  "^SPN_UNIQUE CRITICAL - $SPN_RE is registered on SERVER1\\$ \(computer\), not on cam-svc: tickets for it are encrypted with SERVER1\\$'s key, so backends whose application pool runs as cam-svc \(and every other server behind the balancer\) cannot decrypt them \(KRB_AP_ERR_MODIFIED, HTTP 401\); move it: \`setspn -D $SPN_RE SERVER1\` then \`setspn -S $SPN_RE cam-svc\` \| owners=1;;;0 "
spn "${TARGET[@]}" "${KT[@]}" --output-format=json
json_ok "spn-on-computer JSON: owner SERVER1\$ CRITICAL" \
  'j["exit_code"] == 2 and owners("HTTP/sso.camtest.test") == ["SERVER1$"] and owner("HTTP/sso.camtest.test", "SERVER1$")["state"] == "CRITICAL"'
spn -H "$DC" -f "$LAB_FQDN" "${KT[@]}"
expect "spn-on-computer without -e: WARNING, a computer key behind a balancer" 1 \
  "^SPN_UNIQUE WARNING - $SPN_RE is registered on the computer account SERVER1\\$: tickets for it are encrypted with that server's key, so behind a load balancer only SERVER1 can decrypt them"
scenario spn-on-computer off

scenario host-alias on
spn "${TARGET[@]}" "${KT[@]}"
expect "host-alias: WARNING, HOST/sso.camtest.test on SERVER2\$ (HTTP->HOST mapping)" 1 \
  "^SPN_UNIQUE WARNING - HOST/sso\.camtest\.test is registered on SERVER2\\$ \(computer\), not on cam-svc: clients asking for HOST/sso\.camtest\.test, and the KDC's HTTP->HOST mapping \(sPNMappings\) whenever no account holds $SPN_RE, get tickets encrypted with SERVER2\\$'s key; remove it with \`setspn -D HOST/sso\.camtest\.test SERVER2\` \| owners=1;;;0 spns_checked=5;;;0 conflicts=1;;;0 " \
  "^\[OK\] $SPN_RE: registered once, on cam-svc \(user\)"
spn "${TARGET[@]}" "${KT[@]}" --output-format=json
json_ok "host-alias JSON: HOST/sso.camtest.test owned by SERVER2\$ (WARNING), main OK" \
  'j["exit_code"] == 1 and owners("HOST/sso.camtest.test") == ["SERVER2$"] and owner("HOST/sso.camtest.test", "SERVER2$")["state"] == "WARNING" and node("HTTP/sso.camtest.test")["state"] == "OK"'
scenario host-alias off

# ------------------------------------------------------------------ audit (--all)
spn -H "$DC" --all "${KT[@]}"
expect "--all on the healthy lab: no duplicates" 0 \
  '^SPN_UNIQUE OK - no duplicate SPNs: [0-9]+ SPNs on [0-9]+ objects scanned in [0-9.]+ s \| objects=[0-9]+;;;0 spns=[0-9]+;;;0 duplicates=0;;0;0 scan_time=[0-9.]+s;;;0$'
perfdata_ok "--all: perfdata follows the plugin guidelines"

scenario dup-spn-computer on
spn -H "$DC" --all "${KT[@]}" --output-format=json
json_ok "--all with dup-spn-computer: exactly one duplicate, owned by cam-svc and SERVER1\$" \
  'j["exit_code"] == 2 and [s["name"] for s in j["subchecks"]] == ["HTTP/sso.camtest.test"] and owners("HTTP/sso.camtest.test") == ["SERVER1$", "cam-svc"] and [p["value"] for p in j["perfdata"] if p["label"] == "duplicates"] == [1]'
scenario dup-spn-case on
spn -H "$DC" --all "${KT[@]}"
expect "--all with dup-spn-computer + dup-spn-case: one SPN on three accounts" 2 \
  "^SPN_UNIQUE CRITICAL - 1 duplicate SPN \(the KDC cannot pick one key: clients fall back to NTLM\): $SPN_RE on (cam-svc|SERVER1\\$|SERVER2\\$), (cam-svc|SERVER1\\$|SERVER2\\$) and (cam-svc|SERVER1\\$|SERVER2\\$) \(" \
  "^\[CRITICAL\] $SPN_RE is registered on 3 accounts: keep it on cam-svc and remove it from the others: \`setspn -D $SPN_RE SERVER[12]\` \`setspn -D $SPN_RE SERVER[12]\`" \
  ' duplicates=1;;0;0 '
spn -H "$DC" --all "${KT[@]}" --exclude '^HTTP/sso\.'
expect "--all --exclude drops the duplicate SPN from the audit" 0 '^SPN_UNIQUE OK - no duplicate SPNs'
spn -H "$DC" --all "${KT[@]}" -c 1 -w 0
expect "--all -w 0 -c 1: one duplicate is a WARNING" 1 \
  '^SPN_UNIQUE WARNING - 1 duplicate SPN ' ' duplicates=1;0;1;0 '
spn -H "$DC" --all "${KT[@]}" --max-list 0
expect "--all --max-list 0: counted, not listed" 2 \
  '^SPN_UNIQUE CRITICAL - 1 duplicate SPN ' '^\.\.\. and 1 more duplicate SPNs \(raise --max-list to list them\)'
"$LAB" reset >/dev/null 2>&1
spn -H "$DC" --all "${KT[@]}" -b "$LAB_BASE_DN" -p 389
expect "--all under -b on port 389 (no GC): OK" 0 '^SPN_UNIQUE OK - no duplicate SPNs'
spn -H "$DC" -p 389 -f "$LAB_FQDN" -e cam-svc "${KT[@]}" -v
expect "port 389 without -b: the domain's naming context" 0 \
  "^SPN_UNIQUE OK - $SPN_RE is registered once, on cam-svc" "^search base: '$LAB_BASE_DN'$"

# ------------------------------------------------------------------ authentication paths
CC=FILE:$WORK/cc
"$LAB" exec kinit -k -t "$LAB_MONITOR_KEYTAB" -c "$CC" "$LAB_MONITOR_PRINCIPAL" >/dev/null 2>&1 ||
  tap_fail "kinit into $CC"
spn "${TARGET[@]}" --ccache "$CC" -v
expect "auth: --ccache after kinit (TGT reused, no keytab)" 0 \
  "^SPN_UNIQUE OK - $SPN_RE is registered once, on cam-svc" \
  '^bind: SASL GSSAPI as monitor@CAMTEST\.TEST \(TGT reused from the cache\)'
run_cmd "$LAB" exec env KRB5CCNAME="$CC" "$P" "${TARGET[@]}"
expect "auth: KRB5CCNAME from the environment" 0 "^SPN_UNIQUE OK - $SPN_RE is registered once"
spn "${TARGET[@]}" "${KT[@]}" --ccache "FILE:$WORK/cc-keytab" -v
expect "auth: --keytab with --ccache: first run gets a TGT" 0 '^SPN_UNIQUE OK - ' '^bind: SASL GSSAPI as monitor@CAMTEST\.TEST \(new TGT\)'
spn "${TARGET[@]}" "${KT[@]}" --ccache "FILE:$WORK/cc-keytab" -v
expect "auth: --keytab with --ccache: second run reuses it (no AS exchange)" 0 '^SPN_UNIQUE OK - ' \
  '^bind: SASL GSSAPI as monitor@CAMTEST\.TEST \(TGT reused from the cache\)'
mkdir -p "$WORK/tmp"
run_cmd "$LAB" exec env TMPDIR="$WORK/tmp" "$P" "${TARGET[@]}" "${KT[@]}"
left=$(ls -A "$WORK/tmp")
[ "$RC" = 0 ] && [ -z "$left" ] && tap_ok "auth: the private ccache (in \$TMPDIR) is removed at exit" ||
  tap_fail "auth: the private ccache (in \$TMPDIR) is removed at exit" "rc $RC, left: $left"
spn --ldap-uri "ldaps://$DC:3269" --ca-file "$LAB_CA" --bind-dn "$LAB_MONITOR_DN" \
  --password-file "$LAB_MONITOR_PASSWORD_FILE" -f "$LAB_FQDN" -e cam-svc -v
expect "auth: simple bind over LDAPS (GC port 3269) with --password-file" 0 \
  "^SPN_UNIQUE OK - $SPN_RE is registered once, on cam-svc" '^bind: simple in [0-9.]+ s' \
  '^LDAP server: ldaps://dc1\.camtest\.test:3269$'
printf '[spn_unique]\npassword = %s\n' "$(cat "$LAB_MONITOR_PASSWORD_FILE")" >"$WORK/pw.ini"
spn -H "$DC" -p 3269 --ca-file "$LAB_CA" --bind-dn "$LAB_MONITOR_DN" --extra-opts "$WORK/pw.ini" \
  -f "$LAB_FQDN"
expect "auth: simple bind with the password from the --extra-opts ini" 0 "^SPN_UNIQUE OK - $SPN_RE"
[[ "$OUT" != *"$(cat "$LAB_MONITOR_PASSWORD_FILE")"* ]] && tap_ok "auth: the password is never printed" ||
  tap_fail "auth: the password is never printed"

spn "${TARGET[@]}" --keytab "$LAB_WRONG_KEYTAB"
expect "auth: wrong keytab -> UNKNOWN with the KDC's reason" 3 \
  "^SPN_UNIQUE UNKNOWN - keytab key for monitor@CAMTEST\.TEST does not match the KDC's \(password changed\? re-export the keytab\) \(krb5: Preauthentication failed\)$"
printf 'Wrong-password-1!\n' >"$WORK/wrong.pw"
spn --ldap-uri "ldaps://$DC:3269" --ca-file "$LAB_CA" --bind-dn "$LAB_MONITOR_DN" \
  --password-file "$WORK/wrong.pw" -f "$LAB_FQDN"
expect "auth: wrong password -> UNKNOWN with the server's reason" 3 \
  "^SPN_UNIQUE UNKNOWN - as CN=monitor,CN=Users,DC=camtest,DC=test: simple bind on ldaps://dc1\.camtest\.test:3269 failed: Invalid credentials: wrong password \(80090308: .*data 52e"
spn --ldap-uri "ldaps://$DC:3269" --bind-dn "$LAB_MONITOR_DN" --password-file "$LAB_MONITOR_PASSWORD_FILE" -f "$LAB_FQDN"
expect "auth: untrusted TLS certificate -> UNKNOWN naming --ca-file" 3 \
  '^SPN_UNIQUE UNKNOWN - cannot reach ldaps://dc1\.camtest\.test:3269 .*the TLS certificate trusted \(--ca-file\)\?\)$'
# --ca-file means only the CAs in FILE, for LDAPS as for HTTPS: a real CA that did not sign the
# DC's certificate (a unit-test fixture) -> not trusted.
OTHER_CA=$(cd "$(dirname "$0")/../unit/fixtures/tls" && pwd)/one.pem
spn --ldap-uri "ldaps://$DC:3269" --ca-file "$OTHER_CA" --bind-dn "$LAB_MONITOR_DN" \
  --password-file "$LAB_MONITOR_PASSWORD_FILE" -f "$LAB_FQDN"
expect "auth: --ca-file of a CA that did not sign the DC -> UNKNOWN naming --ca-file" 3 \
  '^SPN_UNIQUE UNKNOWN - cannot reach ldaps://dc1\.camtest\.test:3269 .*the TLS certificate trusted \(--ca-file\)\?\)$'
spn --ldap-uri "ldaps://$DC:3269" --ca-file /dev/null --bind-dn "$LAB_MONITOR_DN" \
  --password-file "$LAB_MONITOR_PASSWORD_FILE" -f "$LAB_FQDN"
expect "auth: --ca-file /dev/null -> UNKNOWN before any connection" 3 \
  '^SPN_UNIQUE UNKNOWN - --ca-file /dev/null: not a PEM CA bundle: the file is empty$'
spn "${TARGET[@]}" --keytab "$WORK/missing.keytab"
expect "auth: a --keytab that does not exist -> UNKNOWN naming it" 3 \
  "^SPN_UNIQUE UNKNOWN - --keytab $WORK/missing\\.keytab: cannot read the keytab: No such file or directory\$"
run_cmd "$LAB" exec env KRB5CCNAME="FILE:$WORK/none" "$P" "${TARGET[@]}"
expect "auth: empty credential cache -> UNKNOWN saying kinit or --keytab" 3 \
  "^SPN_UNIQUE UNKNOWN - no valid Kerberos credentials in FILE:$WORK/none \(run kinit, or give --keytab\)"
spn -H "$DC" -p 389 -f "$LAB_FQDN" --bind-dn "$LAB_MONITOR_DN" --password-file "$LAB_MONITOR_PASSWORD_FILE"
expect "auth: simple bind without TLS is refused before sending the password" 3 \
  '^SPN_UNIQUE UNKNOWN - --bind-dn: a simple bind sends the password, so it is only done over TLS'

# ------------------------------------------------------------------ unreachable / silent DC
t0=$(date +%s%N)
spn -H 127.0.20.99 -f "$LAB_FQDN" "${KT[@]}" -t 2
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect "DC unreachable: UNKNOWN naming the server" 3 \
  '^SPN_UNIQUE UNKNOWN - cannot reach ldap://127\.0\.20\.99:3268 \(connecting\): Can.t contact LDAP server \(is the DC up, the name right, the port open\?\)$'
[ "$ms" -lt 3000 ] && tap_ok "DC unreachable: done in $ms ms (< 3 s with -t 2)" ||
  tap_fail "DC unreachable: done in $ms ms (< 3 s with -t 2)"

# A listener on the DC's address that accepts and never answers (ldap/dc1 has a key, so the
# Kerberos part succeeds and the bind waits for the server).
"$LAB" exec "$PY" -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.20.1", 3270)); s.listen(16); held = []
while True:
    c, _ = s.accept(); held.append(c)
' >/dev/null 2>&1 &
LISTENER=$!
"$LAB" wait-tcp 10 127.0.20.1 3270 >/dev/null
t0=$(date +%s%N)
spn -H "$DC" -p 3270 -f "$LAB_FQDN" "${KT[@]}" -t 2
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect "DC never answers (GSSAPI bind): CRITICAL timeout naming the server and the stage" 2 \
  '^SPN_UNIQUE CRITICAL - the LDAP server ldap://dc1\.camtest\.test:3270 did not answer within [0-9.]+ s during the SASL GSSAPI bind$'
[ "$ms" -lt 3000 ] && tap_ok "DC never answers: done in $ms ms (< 3 s with -t 2)" ||
  tap_fail "DC never answers: done in $ms ms (< 3 s with -t 2)"
t0=$(date +%s%N)
spn --ldap-uri "ldaps://$DC:3270" --ca-file "$LAB_CA" --bind-dn "$LAB_MONITOR_DN" \
  --password-file "$LAB_MONITOR_PASSWORD_FILE" -f "$LAB_FQDN" -t 2 --timeout-state UNKNOWN
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect "DC never answers (ldaps handshake): --timeout-state UNKNOWN, the TLS handshake named" 3 \
  '^SPN_UNIQUE UNKNOWN - the LDAP server ldaps://dc1\.camtest\.test:3270 did not answer within [0-9.]+ s during the TLS handshake$'
[ "$ms" -lt 3000 ] && tap_ok "DC never answers (ldaps): done in $ms ms (< 3 s with -t 2)" ||
  tap_fail "DC never answers (ldaps): done in $ms ms (< 3 s with -t 2)"
# A KDC that never answers (the same silent listener, as a TCP KDC): the AS exchange is ours
# (common/kdc.c), cut off at -t with the KDC and the stage named (not the backstop's line),
# and the private credential cache it had created is removed.
mkdir -p "$WORK/tmp"
# kdc_case NAME CONF REGEX: the plugin with CONF as krb5.conf at -t 2: exit 2 and REGEX as the
# first line, done within -t + 1 s, and no private credential cache left in its TMPDIR.
kdc_case() {
  local t0 ms left
  t0=$(date +%s%N)
  run_cmd "$LAB" exec env KRB5_CONFIG="$2" TMPDIR="$WORK/tmp" \
    "$P" -H "$DC" -f "$LAB_FQDN" "${KT[@]}" -t 2
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  expect "$1: CRITICAL naming the KDC and the stage" 2 "$3"
  [ "$ms" -lt 3000 ] && tap_ok "$1: done in $ms ms (< 3 s with -t 2)" ||
    tap_fail "$1: done in $ms ms (< 3 s with -t 2)"
  left=$(ls -A "$WORK/tmp")
  [ -z "$left" ] && tap_ok "$1: no private credential cache left behind" ||
    tap_fail "$1: no private credential cache left behind" "left: $left"
}
kdc_conf 3270 "$WORK/krb5-silent.conf"
kdc_case "KDC never answers (AS)" "$WORK/krb5-silent.conf" \
  '^SPN_UNIQUE CRITICAL - the KDC \(127\.0\.20\.1:3270\) did not answer within [0-9.]+ s while getting a ticket for monitor@CAMTEST\.TEST$'
# A KDC that answers the AS exchange but never a TGS request (tests/integration/
# kdc_blackhole.py relays AS-REQs to the lab's KDC): the ldap/ service ticket, fetched by our
# bounded TGS exchange before the SASL bind, is the stage named.
kdc_hole_stop
kdc_hole 3271 tgs "$WORK/krb5-tgs.conf"
kdc_case "KDC never answers the TGS request" "$WORK/krb5-tgs.conf" \
  '^SPN_UNIQUE CRITICAL - the KDC \(127\.0\.20\.1:3271\) did not answer within [0-9.]+ s while getting a service ticket for ldap/dc1\.camtest\.test@CAMTEST\.TEST$'
kdc_hole_stop

# ------------------------------------------------------------------ escaping
for bad in 'HTTP/*' 'HTTP/sso.camtest.test)(servicePrincipalName=*' 'HTTP/\2a' 'HTTP/sso*' '*/*'; do
  spn -H "$DC" -s "$bad" "${KT[@]}" -v
  expect "escaping: -s '$bad' matches nothing (CRITICAL: no owner)" 2 \
    "^SPN_UNIQUE CRITICAL - .* is registered on no account: " ' owners=0;;;0 ' '^search: 0 entries in '
done
spn -H "$DC" -s 'HTTP/sso.camtest.test' -s 'HOST/a(b)\c*' -e cam-svc "${KT[@]}" -v
expect "escaping: a metacharacter variant next to the real SPN matches only the real one" 0 \
  "^SPN_UNIQUE OK - $SPN_RE is registered once, on cam-svc" \
  '\(servicePrincipalName=HOST/a\\28b\\29\\5cc\\2a\)' '^search: 1 entries in '

# ------------------------------------------------------------------ bad input
spn -H "$DC" "${KT[@]}"
expect "bad input: no -s/-f -> UNKNOWN naming the options" 3 \
  '^SPN_UNIQUE UNKNOWN - -s/--spn or -f/--fqdn is required \(or --all for an audit\)$'
spn -H "$DC" -s sso.camtest.test "${KT[@]}"
expect "bad input: -s without a class -> UNKNOWN" 3 "^SPN_UNIQUE UNKNOWN - -s/--spn: 'sso\.camtest\.test' is not an SPN"
spn -H "$DC" --all --exclude '(' "${KT[@]}"
expect "bad input: --exclude with a bad regex -> UNKNOWN" 3 "^SPN_UNIQUE UNKNOWN - --exclude '\(': "
spn -H "$DC" -f "$LAB_FQDN" -c 1 "${KT[@]}"
expect "bad input: -c in targeted mode -> UNKNOWN" 3 '^SPN_UNIQUE UNKNOWN - -w/-c are thresholds on duplicates'
spn -f "$LAB_FQDN" "${KT[@]}"
expect "bad input: no -H/--ldap-uri -> UNKNOWN" 3 '^SPN_UNIQUE UNKNOWN - -H/--host or --ldap-uri is required$'
spn --help
expect "--help: exit 3, documents --all and ends with examples" 3 '^check_spn_unique' \
  '--all' '--exclude REGEX' '--port-variant PORT' 'SPN_UNIQUE OK - HTTP/sso\.camtest\.test is registered once'
wide=$(printf '%s\n' "$OUT" | awk 'length > 80' | head -n 3)
[ -z "$wide" ] && tap_ok "--help fits 80 columns" || tap_fail "--help fits 80 columns" "$wide"

tap_end
