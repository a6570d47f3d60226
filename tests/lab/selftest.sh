#!/usr/bin/env bash
# tests/lab/selftest.sh — checks the lab itself with RAW tools (ldapsearch, curl, smbclient,
# kinit/kvno), never with our plugins: the healthy lab, then every scenario on -> its intended
# symptom -> off -> healthy again. Prints TAP lines (tests/tap.sh).
#
#   tests/lab/selftest.sh          the lab must be up (the caller brings it up and down)
#   tests/lab/selftest.sh --up     brings the lab up first and tears it down on exit
# Honours LAB_NS / LAB_DIR like tests/lab/lab.
#
# No pipefail here: the checks are `producer | grep -q PATTERN`, and grep -q exits at its first
# match; bash's printf writes a multi-line value one line per write(2), so a later line can hit
# the closed pipe (SIGPIPE, 141), and pipefail turned a match into a failure — the flake
# "server1: curl --negotiate -> 200, X-Backend server1, final Negotiate token" with every header
# right (1 in ~4,000 pipelines on a quiet machine, more often under load). A check's status is
# the consumer's.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=../tap.sh
. "$REPO/tests/tap.sh"
LAB=$HERE/lab

if [ "${1:-}" = --up ]; then
  trap '"$LAB" down >/dev/null 2>&1' EXIT
  if ! "$LAB" up >/tmp/lab-selftest-up.$$ 2>&1; then
    tap_fail "lab up" "$(cat /tmp/lab-selftest-up.$$)"; rm -f /tmp/lab-selftest-up.$$
    tap_end; exit 1
  fi
  sed 's/^/# /' /tmp/lab-selftest-up.$$ | tail -n 1; rm -f /tmp/lab-selftest-up.$$
fi

if ! envtext=$("$LAB" env 2>&1); then
  tap_fail "lab is up (tests/lab/lab env)" "$envtext"; tap_end; exit 1
fi
eval "$envtext"
# A selftest-private ccache, so we never disturb the lab's shared one.
export KRB5CCNAME=FILE:$LAB_DIR/ccache/selftest.$$
# Work files in the lab's own folder (not the shared /tmp).
TMP=$(mktemp -d "$LAB_DIR/selftest.XXXXXX")
cleanup_tmp() { rm -rf "$TMP"; rm -f "$LAB_DIR/ccache/selftest.$$"; }
if [ "${1:-}" = --up ]; then trap 'cleanup_tmp; "$LAB" down >/dev/null 2>&1' EXIT
else trap cleanup_tmp EXIT; fi

lx() { "$LAB" exec env KRB5CCNAME="$KRB5CCNAME" "$@"; }

# ok_if NAME CONDITION-RESULT DETAILS...
check() { local name=$1 rc=$2; shift 2; if [ "$rc" = 0 ]; then tap_ok "$name"; else tap_fail "$name" "$@"; fi; }

fresh_tgt() { lx kdestroy -q >/dev/null 2>&1; lx kinit -k -t "$LAB_MONITOR_KEYTAB" "$LAB_MONITOR_PRINCIPAL" >/dev/null 2>&1; }

# DNs holding an SPN, via the Global Catalog (GSSAPI as monitor), sorted, one per line.
spn_owners() {
  lx ldapsearch -LLL -Q -o ldif-wrap=no -Y GSSAPI -H "ldap://$LAB_DC_FQDN:3268" -b "" \
    "(servicePrincipalName=$1)" dn 2>/dev/null | sed -n 's/^dn: //p' | sort
}
# attr DN ATTR [PORT]: values of one attribute (base search, GSSAPI as monitor).
attr() {
  lx ldapsearch -LLL -Q -o ldif-wrap=no -Y GSSAPI -H "ldap://$LAB_DC_FQDN${3:+:$3}" -b "$1" -s base \
    "(objectClass=*)" "$2" 2>/dev/null | sed -n "s/^$2: //p"
}
# sysvol REL-PATH: print a SYSVOL file read over SMB with Kerberos (UTF-16 converted to UTF-8).
sysvol() {
  local f=$TMP/sysvol.out
  rm -f "$f"
  lx smbclient -N "//$LAB_DC_FQDN/sysvol" --use-kerberos=required \
    -c "get \"$LAB_DNS_DOMAIN/Policies/$LAB_GPO_GUID/$1\" $f" >/dev/null 2>&1 || return 1
  if head -c 2 "$f" | od -An -tx1 | grep -q 'ff fe'; then iconv -f UTF-16 -t UTF-8 "$f"; else cat "$f"; fi | tr -d '\r'
}
gpt_version() { sysvol GPT.INI | sed -n 's/^Version=//p'; }
# get IP [curl args]: HTTPS GET of https://FQDN/ pinned to IP with Negotiate. Sets CODE, HDRS,
# CRC (curl's exit code) and BODY. The body file is removed first: curl creates it only when
# body bytes arrive, so an old one must never stand in for a transfer that brought none.
get() {
  local ip=$1; shift
  rm -f "$TMP/body"
  HDRS=$(lx curl -sS -m 15 --negotiate -u : --cacert "$LAB_CA" --connect-to "$LAB_FQDN:443:$ip:443" \
    -D - -o "$TMP/body" -w '\n%{http_code}' "$@" "https://$LAB_FQDN/" 2>"$TMP/curl.err")
  CRC=$?
  CODE=$(printf '%s\n' "$HDRS" | tail -n 1)
  HDRS=$(printf '%s\n' "$HDRS" | tr -d '\r')
  BODY=$(head -c 300 "$TMP/body" 2>/dev/null)
}
scen() { "$LAB" scenario "$1" "$2" >"$TMP/scen.out" 2>&1 || { cat "$TMP/scen.out"; return 1; }; }

# ---------------------------------------------------------------- lab exec contract
run_cmd "$LAB" exec sh -c 'echo out; echo err >&2; exit 7'
check "lab exec passes stdout, stderr and exit code through" \
  "$([ "$OUT" = out ] && [ "$ERR" = err ] && [ "$RC" = 7 ]; echo $?)" "rc=$RC out=[$OUT] err=[$ERR]"
run_cmd "$LAB" exec sh -c 'getent hosts "$LAB_FQDN"; echo "$KRB5CCNAME"'
check "lab exec: $LAB_FQDN resolves to the VIP, ccache is lab-private" \
  "$(printf '%s' "$OUT" | grep -q "^$LAB_VIP_IP" && printf '%s' "$OUT" | grep -q "FILE:$LAB_DIR/"; echo $?)" "$OUT"

run_cmd "$LAB" wait-tcp 10 "$LAB_DC_IP" 389 88
check "lab wait-tcp: the DC's LDAP and KDC ports accept" "$RC" "$ERR"
run_cmd "$LAB" wait-tcp 0.5 "$LAB_DC_IP" 1
check "lab wait-tcp: a closed port times out, exit 1, named" \
  "$([ "$RC" = 1 ] && printf '%s' "$ERR" | grep -q "timed out after 0.5 s waiting for $LAB_DC_IP port(s) 1"; echo $?)" "rc=$RC $ERR"

# ---------------------------------------------------------------- healthy lab
check "kinit -k as $LAB_MONITOR_PRINCIPAL with the lab keytab" "$(fresh_tgt; echo $?)"
run_cmd lx kinit -k -t "$LAB_WRONG_KEYTAB" "$LAB_MONITOR_PRINCIPAL"
check "kinit with LAB_WRONG_KEYTAB fails" "$([ "$RC" != 0 ]; echo $?)" "rc=$RC $ERR"
fresh_tgt
check "monitor is not an administrator (no memberOf)" \
  "$([ -z "$(attr "$LAB_MONITOR_DN" memberOf)" ]; echo $?)" "$(attr "$LAB_MONITOR_DN" memberOf)"
owners=$(spn_owners "HTTP/$LAB_FQDN")
check "GC (3268, GSSAPI as monitor): HTTP/$LAB_FQDN only on cam-svc" \
  "$([ "$owners" = "$LAB_CAMSVC_DN" ]; echo $?)" "owners: $owners"
run_cmd lx ldapsearch -LLL -x -H "ldaps://$LAB_DC_FQDN" -D "$LAB_MONITOR_PRINCIPAL" \
  -y "$LAB_MONITOR_PASSWORD_FILE" -b "$LAB_BASE_DN" "(sAMAccountName=cam-svc)" objectSid
check "LDAPS simple bind as monitor, DC certificate verified with LAB_CA" "$RC" "$ERR"

healthy_backend() { # n ip
  get "$2"
  local rc=0
  [ "$CODE" = 200 ] || rc=1
  grep -qi "^X-Backend: server$1" <<<"$HDRS" || rc=1
  grep -qiE '^WWW-Authenticate: Negotiate [A-Za-z0-9+/=]{20,}' <<<"$HDRS" || rc=1
  [ "$BODY" = "server$1" ] || rc=1
  check "${3:-server$1}: curl --negotiate -> 200, X-Backend server$1, final Negotiate token" \
    $rc "code=$CODE curl exit=$CRC body=[$BODY] (want [server$1])" "$HDRS" "$(cat "$TMP/curl.err")" \
    "server$1 error.log (last lines):" "$(tail -n 5 "$LAB_DIR/server$1/logs/error.log" 2>/dev/null)"
}
healthy_backend 1 "$LAB_SERVER1_IP"
healthy_backend 2 "$LAB_SERVER2_IP"
seen=""
for _ in 1 2 3 4; do get "$LAB_VIP_IP"; [ "$CODE" = 200 ] && seen="$seen $(printf '%s\n' "$HDRS" | sed -n 's/^[Xx]-[Bb]ackend: //p')"; done
check "VIP (haproxy, round robin): 4 x 200, both backends answer" \
  "$(echo "$seen" | grep -q server1 && echo "$seen" | grep -q server2 && [ "$(echo $seen | wc -w)" = 4 ]; echo $?)" "seen:$seen"
get "$LAB_SERVER1_IP" --no-negotiate -u ''
check "without credentials: 401 with WWW-Authenticate: Negotiate" \
  "$([ "$CODE" = 401 ] && printf '%s\n' "$HDRS" | grep -qix 'WWW-Authenticate: Negotiate'; echo $?)" "$HDRS"


# ---------------------------------------------------------------- Extended Protection
# epa-allow / epa-require check channel bindings (tests/lab/epa_backend.py); epa-proxy(-allow)
# terminates TLS with its own certificate in front of them. Raw client: tests/lab/epa_client.py.
epa_cb() { lx /usr/bin/python3 "$HERE/epa_client.py" "$1" "$LAB_FQDN" "$LAB_REALM" "$LAB_CA" "$2" 2>&1; }
epa_case() { # name ip "ok-answer none-answer wrong-answer"
  local got m
  got=$(for m in ok none wrong; do epa_cb "$2" "$m" | cut -d' ' -f1; done | tr '\n' ' ')
  check "$1: correct/no/wrong binding -> $3" "$([ "$got" = "$3 " ]; echo $?)" "got: $got"
}
fresh_tgt
epa_case "epa-allow (tokenChecking Allow)" "$LAB_EPA_ALLOW_IP" "200 200 401"
epa_case "epa-require (tokenChecking Require)" "$LAB_EPA_REQUIRE_IP" "200 401 401"
epa_case "epa-proxy (TLS terminated, re-encrypted to epa-require)" "$LAB_EPA_PROXY_IP" "401 401 401"
epa_case "epa-proxy-allow (TLS terminated, re-encrypted to epa-allow)" "$LAB_EPA_PROXY_ALLOW_IP" "401 200 401"
get "$LAB_EPA_ALLOW_IP"
check "epa-allow: curl --negotiate (no bindings) -> 200, X-Backend epa-allow" \
  "$([ "$CODE" = 200 ] && grep -qix 'X-Backend: epa-allow' <<<"$HDRS"; echo $?)" "code=$CODE" "$HDRS"
get "$LAB_EPA_REQUIRE_IP"
check "epa-require: curl --negotiate (no bindings) -> 401 with WWW-Authenticate: Negotiate" \
  "$([ "$CODE" = 401 ] && grep -qix 'WWW-Authenticate: Negotiate' <<<"$HDRS"; echo $?)" "code=$CODE" "$HDRS"
v_fp=$(lx openssl s_client -connect "$LAB_EPA_PROXY_IP:443" -servername "$LAB_FQDN" </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256)
b_fp=$(lx openssl s_client -connect "$LAB_EPA_REQUIRE_IP:443" -servername "$LAB_FQDN" </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256)
check "epa-proxy presents its own certificate (not the backend's), epa-require the farm's" \
  "$([ -n "$v_fp" ] && [ "$v_fp" != "$b_fp" ] && [ "$b_fp" = "$(openssl x509 -in "$LAB_SSO_CERT" -noout -fingerprint -sha256)" ]; echo $?)" "proxy $v_fp" "backend $b_fp"
# GPO healthy state
GPO_DN=$LAB_GPO_DN
OU_WEB="OU=WebServers,$LAB_BASE_DN"
OU_SVC="OU=ServiceAccounts,$LAB_BASE_DN"
gpo_healthy() { # label
  local why=() tmpl v g
  tmpl=$(sysvol "Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf") || why+=("smbclient cannot read GptTmpl.inf")
  printf '%s\n' "$tmpl" | grep -qx "SeBatchLogonRight = \*$LAB_CAMSVC_SID,\*S-1-5-32-568" || why+=("GptTmpl.inf: $tmpl")
  attr "$OU_WEB" gPLink | grep -qi "cn=$LAB_GPO_GUID,[^;]*;0\]" || why+=("OU=WebServers gPLink: $(attr "$OU_WEB" gPLink)")
  attr "$OU_SVC" gPLink | grep -qi "$LAB_GPO_GUID" && why+=("GPO linked to OU=ServiceAccounts")
  attr "$LAB_BASE_DN" gPLink | grep -qi "$LAB_GPO_GUID" && why+=("GPO linked to the domain root")
  [ -z "$(attr "$OU_WEB" gPOptions)" ] || [ "$(attr "$OU_WEB" gPOptions)" = 0 ] || why+=("gPOptions=$(attr "$OU_WEB" gPOptions)")
  [ "$(attr "$GPO_DN" flags)" = 0 ] || why+=("flags=$(attr "$GPO_DN" flags)")
  v=$(attr "$GPO_DN" versionNumber); g=$(gpt_version)
  [ -n "$v" ] && [ "$v" = "$g" ] && [ "$v" -gt 0 ] || why+=("versionNumber=$v GPT.INI=$g")
  attr "$GPO_DN" gPCMachineExtensionNames | grep -q '{827D319E-6EAC-11D2-A4EA-00C04F79F83A}' || why+=("no Security CSE")
  [ "$(attr "$GPO_DN" displayName)" = "$LAB_GPO_NAME" ] || why+=("displayName")
  if [ ${#why[@]} = 0 ]; then tap_ok "$1"; else tap_fail "$1" "${why[@]}"; fi
}
gpo_healthy "GPO healthy: GptTmpl.inf (SMB, Kerberos) grants cam-svc, linked to OU=WebServers, versions equal, Security CSE"
tmpl_raw=$TMP/tmpl.raw
lx smbclient -N "//$LAB_DC_FQDN/sysvol" --use-kerberos=required \
  -c "get \"$LAB_DNS_DOMAIN/Policies/$LAB_GPO_GUID/Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf\" $tmpl_raw" >/dev/null 2>&1
check "GptTmpl.inf is UTF-16LE with BOM and CRLF, [Unicode] and \$CHICAGO\$ signature" \
  "$(head -c 2 "$tmpl_raw" | od -An -tx1 | grep -q 'ff fe' && iconv -f UTF-16 -t UTF-8 "$tmpl_raw" | grep -q $'^Unicode=yes\r$' \
     && iconv -f UTF-16 -t UTF-8 "$tmpl_raw" | grep -q 'signature="\$CHICAGO\$"'; echo $?)"
check "LAB_SYSVOL is the local copy of the same GPO" \
  "$([ -f "$LAB_SYSVOL/Policies/$LAB_GPO_GUID/GPT.INI" ]; echo $?)" "$LAB_SYSVOL"

# ---------------------------------------------------------------- SPN scenarios
spn_scenario() { # name spn expected-owners-when-on(sorted, newline separated) curl-check
  local name=$1 spn=$2 want=$3 owners
  if ! scen "$name" on; then tap_fail "$name on" "$(cat "$TMP/scen.out")"; return; fi
  owners=$(spn_owners "$spn")
  check "$name on: GC shows owners of $spn as intended" "$([ "$owners" = "$want" ]; echo $?)" \
    "want: $want" "got:  $owners"
  if [ -n "${4:-}" ]; then "$4" on; fi
  scen "$name" off || tap_fail "$name off" "$(cat "$TMP/scen.out")"
  owners=$(spn_owners "$spn")
  local healthy=$LAB_CAMSVC_DN; [ "${spn%%/*}" = HOST ] && healthy=""
  check "$name off: $spn back to healthy owners" "$([ "$owners" = "$healthy" ]; echo $?)" "got: $owners"
  if [ -n "${4:-}" ]; then "$4" off; fi
}
kdc_unknown() { # the KDC has no unique principal for the SPN any more
  fresh_tgt
  if [ "$1" = on ]; then
    run_cmd lx kvno "HTTP/$LAB_FQDN"
    check "  KDC: no ticket for HTTP/$LAB_FQDN (principal unknown)" \
      "$([ "$RC" != 0 ] && printf '%s' "$ERR" | grep -qi 'not found'; echo $?)" "rc=$RC $OUT $ERR"
    get "$LAB_SERVER1_IP"
    check "  curl --negotiate -> 401 (no Kerberos ticket, client falls back)" "$([ "$CODE" = 401 ]; echo $?)" "code=$CODE"
  else
    run_cmd lx kvno "HTTP/$LAB_FQDN"; check "  KDC issues HTTP/$LAB_FQDN again" "$RC" "$ERR"
  fi
}
wrong_key_both() {
  fresh_tgt
  if [ "$1" = on ]; then
    get "$LAB_SERVER1_IP"; local c1=$CODE; get "$LAB_SERVER2_IP"; local c2=$CODE
    check "  ticket encrypted for SERVER1\$: both backends answer 401" "$([ "$c1" = 401 ] && [ "$c2" = 401 ]; echo $?)" "codes $c1 $c2"
  else
    get "$LAB_SERVER1_IP"; check "  server1 200 again" "$([ "$CODE" = 200 ]; echo $?)" "code=$CODE"
  fi
}
two() { printf '%s\n' "$@" | sort; }
spn_scenario dup-spn-computer "HTTP/$LAB_FQDN" "$(two "$LAB_CAMSVC_DN" "$LAB_SERVER1_DN")" kdc_unknown
spn_scenario dup-spn-case "HTTP/$LAB_FQDN" "$(two "$LAB_CAMSVC_DN" "$LAB_SERVER2_DN")"
scen dup-spn-case on && {
  v=$(attr "$LAB_SERVER2_DN" servicePrincipalName 3268 | grep -ix "http/$LAB_FQDN")
  check "dup-spn-case: SERVER2\$ holds the value in another case ($v)" \
    "$([ -n "$v" ] && [ "$v" != "HTTP/$LAB_FQDN" ]; echo $?)" "$v"
  scen dup-spn-case off; }
spn_scenario spn-missing "HTTP/$LAB_FQDN" "" kdc_unknown
spn_scenario spn-on-computer "HTTP/$LAB_FQDN" "$LAB_SERVER1_DN" wrong_key_both
spn_scenario host-alias "HOST/$LAB_FQDN" "$LAB_SERVER2_DN"
fresh_tgt

# ---------------------------------------------------------------- the DNS alias (cname-*)
# the DC's DNS (not /etc/hosts) serves LAB_ALIAS_FQDN CNAME LAB_CANON_FQDN A VIP: getent asks
# the system resolver with AI_CANONNAME (the canonical name is printed on the first line)
run_cmd lx getent ahosts "$LAB_ALIAS_FQDN"
check "DNS: $LAB_ALIAS_FQDN is an alias of $LAB_CANON_FQDN ($LAB_VIP_IP)" \
  "$(printf '%s\n' "$OUT" | head -n 1 | grep -Eq "^${LAB_VIP_IP//./\\.} +STREAM ${LAB_CANON_FQDN//./\\.}$"; echo $?)" "$OUT"
cname_scenario() { # name spn expected-owner-when-on
  if ! scen "$1" on; then tap_fail "$1 on" "$(cat "$TMP/scen.out")"; return; fi
  check "$1 on: GC shows $2 on $3" "$([ "$(spn_owners "$2")" = "$3" ]; echo $?)" "got: $(spn_owners "$2")"
  fresh_tgt
  run_cmd lx kvno "$2"
  check "  KDC issues a ticket for $2" "$RC" "$ERR"
  scen "$1" off || tap_fail "$1 off" "$(cat "$TMP/scen.out")"
  check "$1 off: $2 registered nowhere" "$([ -z "$(spn_owners "$2")" ]; echo $?)" "got: $(spn_owners "$2")"
}
cname_scenario cname-spn-typed "HTTP/$LAB_ALIAS_FQDN" "$LAB_CAMSVC_DN"
cname_scenario cname-spn-canonical "HTTP/$LAB_CANON_FQDN" "$LAB_CAMSVC_DN"
cname_scenario cname-canonical-elsewhere "HTTP/$LAB_CANON_FQDN" "$LAB_SERVER2_DN"
fresh_tgt

# ---------------------------------------------------------------- backend scenarios
backend_scenario() { # name n ip symptom-fn label
  local name=$1 n=$2 ip=$3
  if ! scen "$name" on; then tap_fail "$name on" "$(cat "$TMP/scen.out")"; return; fi
  "$4" "$ip"
  check "$name on: $5" $? "code=$CODE curl_rc=$CRC" "$HDRS" "$(cat "$TMP/curl.err" 2>/dev/null)"
  scen "$name" off || tap_fail "$name off" "$(cat "$TMP/scen.out")"
  healthy_backend "$n" "$ip" "$name off: server$n"
}
sym_wrong_key() { get "$1" -v; [ "$CODE" = 401 ] && grep -q '> Authorization: Negotiate' "$TMP/curl.err" \
  && printf '%s\n' "$HDRS" | grep -qi '^X-Backend: server2'; }
sym_503() { get "$1"; [ "$CODE" = 503 ] && printf '%s\n' "$HDRS" | grep -qi '^X-Backend: server1'; }
sym_ntlm() { get "$1"; [ "$CODE" = 401 ] && [ "$(printf '%s\n' "$HDRS" | grep -i '^WWW-Authenticate:')" = "WWW-Authenticate: NTLM" ]; }
sym_refused() { get "$1"; [ "$CRC" = 7 ]; }
sym_blackhole() {
  lx bash -c "exec 3<>/dev/tcp/$1/443" 2>/dev/null || return 1   # TCP is accepted...
  HDRS=$(lx curl -sS -m 3 --cacert "$LAB_CA" --connect-to "$LAB_FQDN:443:$1:443" -o /dev/null \
    -w '%{http_code}' "https://$LAB_FQDN/health" 2>"$TMP/curl.err"); CRC=$?; CODE=$HDRS
  [ "$CRC" = 28 ]                                                  # ...and nothing ever answers
}
backend_scenario backend-wrong-key 2 "$LAB_SERVER2_IP" sym_wrong_key "server2 401 after the Negotiate token"
backend_scenario backend-503 1 "$LAB_SERVER1_IP" sym_503 "server1 answers 503"
backend_scenario backend-ntlm-only 2 "$LAB_SERVER2_IP" sym_ntlm "server2 401 with only WWW-Authenticate: NTLM"
backend_scenario backend-down 1 "$LAB_SERVER1_IP" sym_refused "server1 connection refused (curl 7)"
backend_scenario backend-blackhole 1 "$LAB_SERVER1_IP" sym_blackhole "server1 TCP accepted, curl -m 3 times out (curl 28)"
scen backend-503 on && scen backend-503 on
check "turning a scenario on twice is harmless" "$?" "$(cat "$TMP/scen.out")"
scen backend-503 off

# ---------------------------------------------------------------- RC4 retirement
# tkt_etypes: "skey, tkt" enctypes of a fresh HTTP/ ticket (klist -e), or the kvno error.
tkt_etypes() {
  fresh_tgt
  run_cmd lx kvno "HTTP/$LAB_FQDN"
  [ "$RC" = 0 ] || { printf 'kvno failed: %s' "$ERR"; return; }
  lx klist -e | grep -A1 "HTTP/$LAB_FQDN@" | sed -n 's/.*Etype (skey, tkt): //p' | sed 's/ *$//'
}
# key_probe: the enctypes in the PREAUTH_REQUIRED answer to an AS-REQ for cam-svc without
# pre-authentication (no secret), as MIT's trace names the one it selected.
key_probe() {
  "$LAB" exec env KRB5_TRACE=/dev/stdout KRB5CCNAME="FILE:$TMP/probe.cc" kinit cam-svc </dev/null 2>&1 |
    sed -n 's/.*Selected etype info: etype \([^,]*\),.*/\1/p'
}
AES_T="aes256-cts-hmac-sha1-96, aes256-cts-hmac-sha1-96"
RC4_T="DEPRECATED:arcfour-hmac, DEPRECATED:arcfour-hmac"
check "healthy: cam-svc msDS-SupportedEncryptionTypes=24 (AES)" \
  "$([ "$(attr "$LAB_CAMSVC_DN" msDS-SupportedEncryptionTypes)" = 24 ]; echo $?)" "$(attr "$LAB_CAMSVC_DN" msDS-SupportedEncryptionTypes)"
e=$(tkt_etypes)
check "healthy: the HTTP/ ticket and its session key are aes256" "$([ "$e" = "$AES_T" ]; echo $?)" "$e"
e=$(key_probe)
check "healthy: the key probe (AS-REQ without preauth) offers aes256-cts" "$([ "$e" = aes256-cts ]; echo $?)" "$e"
check "healthy: the backends' keytab holds AES keys" \
  "$(klist -ke "$LAB_DIR/server1/http.keytab" | grep -q aes256-cts-hmac-sha1-96; echo $?)"
rc4_scenario() { # name check-on label
  if ! scen "$1" on; then tap_fail "$1 on" "$(cat "$TMP/scen.out")"; return; fi
  local why; why=$("$2" 2>&1)
  check "$1 on: $3" $? "$why"
  scen "$1" off || tap_fail "$1 off" "$(cat "$TMP/scen.out")"
  e=$(tkt_etypes); local p; p=$(key_probe)
  check "$1 off: AES ticket and key probe again" "$([ "$e" = "$AES_T" ] && [ "$p" = aes256-cts ]; echo $?)" "ticket: $e" "probe: $p"
}
r_rc4_only() {
  local v e; v=$(attr "$LAB_CAMSVC_DN" msDS-SupportedEncryptionTypes); e=$(tkt_etypes)
  [ "$v" = 4 ] && [ "$e" = "$RC4_T" ] || { echo "SET=$v ticket: $e"; return 1; }
  get "$LAB_SERVER1_IP"; [ "$CODE" = 200 ] || { echo "server1 code=$CODE"; return 1; }
}
r_no_aes() {
  local p e; p=$(key_probe); e=$(tkt_etypes)
  [ "$p" = rc4-hmac ] && [ "${e#*, }" = DEPRECATED:arcfour-hmac ] || { echo "probe: $p ticket: $e"; return 1; }
}
r_kdc_no_rc4() { # AES still works; an RC4-only account gets KDC_ERR_ETYPE_NOSUPP
  local e; e=$(tkt_etypes)
  [ "$e" = "$AES_T" ] || { echo "healthy account under kdc-no-rc4: $e"; return 1; }
  scen owner-rc4-only on || return 1
  e=$(tkt_etypes); scen owner-rc4-only off
  printf '%s' "$e" | grep -q 'KDC has no support for encryption type' || { echo "owner-rc4-only: $e"; return 1; }
}
r_keytab_err() { # the 401 after the token carries a KRB-ERROR, error-code 44 (KRB_AP_ERR_BADKEYVER)
  fresh_tgt; get "$LAB_SERVER2_IP" -v
  local tok; tok=$(printf '%s\n' "$HDRS" | sed -n 's/^[Ww][Ww][Ww]-[Aa]uthenticate: Negotiate \([A-Za-z0-9+/=]*\).*/\1/p' | tr -d '\r')
  [ "$CODE" = 401 ] && grep -q '> Authorization: Negotiate' "$TMP/curl.err" &&
    printf '%s' "$tok" | base64 -d 2>/dev/null | od -An -tx1 | tr -d ' \n' | grep -q 'a60302012c' &&
    grep -q "$1" "$LAB_DIR/server2/logs/error.log" || { echo "code=$CODE token=$tok"; tail -n 2 "$LAB_DIR/server2/logs/error.log"; return 1; }
}
r_keytab_rc4() { r_keytab_err 'found in keytab but not with enctype aes256-cts'; }
r_keytab_old() { r_keytab_err 'not found in keytab; keytab is likely out of date'; }
rc4_scenario owner-rc4-only r_rc4_only "SET=4, RC4 ticket and session key, server1 still 200"
rc4_scenario owner-no-aes r_no_aes "the key probe offers only rc4-hmac, the ticket is RC4"
rc4_scenario kdc-no-rc4 r_kdc_no_rc4 "AES tickets still issued; an RC4-only account: KDC has no support for encryption type"
backend_scenario backend-keytab-rc4 2 "$LAB_SERVER2_IP" r_keytab_rc4 "server2 401 + KRB-ERROR 44 (log: kvno found but not with enctype aes256-cts)"
backend_scenario backend-keytab-old-kvno 2 "$LAB_SERVER2_IP" r_keytab_old "server2 401 + KRB-ERROR 44 (log: kvno not found, keytab out of date)"

# ---------------------------------------------------------------- GPO scenarios
gpo_scenario() { # name check-fn label
  if ! scen "$1" on; then tap_fail "$1 on" "$(cat "$TMP/scen.out")"; return; fi
  local why; why=$("$2" 2>&1)
  check "$1 on: $3" $? "$why"
  scen "$1" off || tap_fail "$1 off" "$(cat "$TMP/scen.out")"
  gpo_healthy "$1 off: GPO healthy again"
}
g_wrong_ou() {
  ! attr "$OU_WEB" gPLink | grep -qi "$LAB_GPO_GUID" && attr "$OU_SVC" gPLink | grep -qi "cn=$LAB_GPO_GUID,[^;]*;0\]" \
    || { echo "web: $(attr "$OU_WEB" gPLink)"; echo "svc: $(attr "$OU_SVC" gPLink)"; return 1; }
}
v_before=0
g_missing_right() {
  local t v g; t=$(sysvol "Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf"); v=$(attr "$GPO_DN" versionNumber); g=$(gpt_version)
  printf '%s\n' "$t" | grep -qx 'SeBatchLogonRight = \*S-1-5-32-568' && ! printf '%s\n' "$t" | grep -q "$LAB_CAMSVC_SID" \
    && [ "$v" = "$g" ] && [ "$v" -gt "$v_before" ] || { echo "$t"; echo "versionNumber=$v GPT.INI=$g before=$v_before"; return 1; }
}
g_flags() { [ "$(attr "$GPO_DN" flags)" = 2 ] || { echo "flags=$(attr "$GPO_DN" flags)"; return 1; }; }
g_link_disabled() { attr "$OU_WEB" gPLink | grep -qi "cn=$LAB_GPO_GUID,[^;]*;1\]" || { attr "$OU_WEB" gPLink; return 1; }; }
g_blocked() {
  [ "$(attr "$OU_WEB" gPOptions)" = 1 ] && ! attr "$OU_WEB" gPLink | grep -qi "$LAB_GPO_GUID" \
    && attr "$LAB_BASE_DN" gPLink | grep -qi "cn=$LAB_GPO_GUID,[^;]*;0\]" \
    || { echo "gPOptions=$(attr "$OU_WEB" gPOptions) web=$(attr "$OU_WEB" gPLink) root=$(attr "$LAB_BASE_DN" gPLink)"; return 1; }
}
g_skew() { local v g; v=$(attr "$GPO_DN" versionNumber); g=$(gpt_version); [ -n "$v" ] && [ -n "$g" ] && [ "$v" != "$g" ] || { echo "v=$v g=$g"; return 1; }; }
g_no_cse() {
  local c; c=$(attr "$GPO_DN" gPCMachineExtensionNames)
  [ -n "$c" ] && ! printf '%s' "$c" | grep -q '827D319E-6EAC-11D2-A4EA-00C04F79F83A' || { echo "$c"; return 1; }
}
gpo_scenario gpo-wrong-ou g_wrong_ou "GPO linked to OU=ServiceAccounts only"
v_before=$(attr "$GPO_DN" versionNumber)
gpo_scenario gpo-missing-right g_missing_right "GptTmpl.inf without cam-svc, versionNumber and GPT.INI bumped together"
gpo_scenario gpo-computer-disabled g_flags "GPO flags=2"
gpo_scenario gpo-link-disabled g_link_disabled "link on OU=WebServers has option 1"
gpo_scenario gpo-blocked g_blocked "gPOptions=1 on OU=WebServers, link on the domain root"
gpo_scenario gpo-version-skew g_skew "versionNumber differs from GPT.INI Version"
gpo_scenario gpo-no-cse g_no_cse "gPCMachineExtensionNames without the Security CSE"

# ---------------------------------------------------------------- reset and final state
scen backend-503 on; scen gpo-no-cse on; scen spn-missing on
run_cmd "$LAB" reset
check "lab reset switches every scenario off" \
  "$([ "$RC" = 0 ] && ! "$LAB" scenarios | awk '$2 == "on" { f = 1 } END { exit !f }'; echo $?)" "$OUT" "$ERR" "$("$LAB" scenarios)"
run_cmd "$LAB" status
check "lab status exits 0 on the healthy lab" "$RC" "$OUT"
fresh_tgt
healthy_backend 1 "$LAB_SERVER1_IP" "after reset: server1"
check "after reset: HTTP/$LAB_FQDN only on cam-svc" "$([ "$(spn_owners "HTTP/$LAB_FQDN")" = "$LAB_CAMSVC_DN" ]; echo $?)"
lx kdestroy -q >/dev/null 2>&1
tap_end
