#!/usr/bin/env bash
# tests/integration/check_iwa_farm.sh — check_iwa_farm against the lab: healthy OK; each
# broken scenario -> the right root cause (layer, object, rule) and its consequences; two
# scenarios at once -> both causes, consequences never listed as causes; our own mistakes
# UNKNOWN; --skip. Asserts exit code, first line and the JSON root_causes.
# Env: BUILDDIR, LAB (tests/lab/lab), LAB_NS, LAB_DIR; the lab is up when this starts.
source "$(dirname "$0")/../tap.sh"
set -u

source "$(dirname "$0")/../labtest.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$SRC/tests/lsan.supp}
labtest_init check_iwa_farm farm

BASE=(-u "https://$LAB_FQDN/" --server SERVER1 --server SERVER2 -a 'CAMTEST\cam-svc'
  -H "$LAB_DC_FQDN" --keytab "$LAB_MONITOR_KEYTAB" --ca-file "$LAB_CA" --gpo "$LAB_GPO_NAME")
farm() { run_cmd "$LAB" exec "$P" "${BASE[@]}" "$@"; }

# causes NAME WANT_RC FIRST_RE CAUSES [CONSEQUENCE_RE...]: one JSON run; CAUSES is the list
# of root causes as "layer:object:rule" joined by spaces, in order; every CONSEQUENCE_RE must
# match a consequence; no consequence's target may be a cause's object.
causes() {
  local name=$1 rc=$2 first=$3 want=$4; shift 4
  farm --output-format json
  local got
  got=$(printf '%s' "$OUT" | "$PY" -c '
import json, re, sys
j = json.load(sys.stdin)
want_rc, first = int(sys.argv[1]), sys.argv[2]
cs = " ".join("%s:%s:%s" % (c["layer"], c["object"], c["rule"]) for c in j["root_causes"])
why = []
if j["exit_code"] != want_rc: why.append("exit_code %d" % j["exit_code"])
if not re.search(first, j["summary"]): why.append("summary /%s/" % first)
if cs != sys.argv[3]: why.append("root causes [%s]" % cs)
for c in j["root_causes"]:
    if not c["fix"] or not c["cause"]: why.append("empty cause or fix")
for rx in sys.argv[4:]:
    if not any(re.search(rx, k) for k in j["consequences"]): why.append("no consequence /%s/" % rx)
# a consequence is never also a cause
for k in j["consequences"]:
    for c in j["root_causes"]:
        if c["layer"] == "backends" and k.lower().startswith(c["object"].lower() + " "):
            why.append("%s is a cause and a consequence" % c["object"])
print("; ".join(why) + ("\n--- " + json.dumps(j["root_causes"]) + "\n--- " + json.dumps(j["consequences"]) if why else ""))
' "$rc" "$first" "$want" "$@" 2>&1)
  if [ -z "$got" ] && [ "$RC" = "$rc" ]; then tap_ok "$name"; else
    tap_fail "$name" "exit $RC: $got" "$ERR"; fi
}

# ---------------------------------------------------------------- healthy
farm
expect "healthy: OK, every layer OK underneath" 0 \
  '^FARM OK - farm healthy: HTTP/sso\.camtest\.test on cam-svc; 2 backend\(s\) and the VIP accept Kerberos; CAMTEST\\cam-svc holds the batch logon right on every server \| root_causes=0;;;0 farm_time=[0-9.]+s;;;0 owners=1;;;0 .*backends_ok=3;;;0;3 .*gpos_read=2;;;0' \
  '^\[OK\] spn: HTTP/sso\.camtest\.test is registered once, on cam-svc' \
  '^\[OK\] backends: 3/3 backends accept Kerberos' \
  '^  \[OK\] server2: HTTP 200 after Negotiate/Kerberos, mutual authentication verified' \
  '^\[OK\] gpo: cam-svc holds SeBatchLogonRight on SERVER1, SERVER2 via IIS-BatchLogon-GPO'
[ -z "$ERR" ] && tap_ok "healthy: nothing on stderr" || tap_fail "healthy: nothing on stderr" "$ERR"
causes "healthy JSON: no root cause" 0 '^farm healthy' ""

# ---------------------------------------------------------------- one scenario each
one() { # SCENARIO RC CAUSES [CONSEQUENCE_RE...]
  local s=$1 rc=$2 want=$3; shift 3
  scenario "$s" on
  causes "$s: root cause $want" "$rc" '^root cause' "$want" "$@"
  scenario "$s" off
}
one dup-spn-computer 2 "spn:HTTP/sso.camtest.test:spn-duplicate" '^server1 not tested' '^server2 not tested' 'no Kerberos ticket'
one dup-spn-case 2 "spn:HTTP/sso.camtest.test:spn-duplicate"
one spn-missing 2 "spn:HTTP/sso.camtest.test:spn-missing" '^server1 not tested' '^vip not tested'
one spn-on-computer 2 "spn:HTTP/sso.camtest.test:spn-wrong-account" '^server1 401' '^server2 401'
one host-alias 1 "spn:HTTP/sso.camtest.test:spn-other"
one backend-wrong-key 2 "backends:SERVER2:wrong-key"
one backend-503 2 "backends:SERVER1:503-right-ok"
one backend-ntlm-only 2 "backends:SERVER2:backend"
one backend-down 2 "backends:SERVER1:backend"
one gpo-wrong-ou 2 "gpo:SERVER1, SERVER2:gpo"
one gpo-missing-right 2 "gpo:SERVER1, SERVER2:gpo"
one gpo-computer-disabled 2 "gpo:SERVER1, SERVER2:gpo"
# RC4 retirement: the account's keys are the one cause, the RC4 ticket its consequence
one owner-rc4-only 1 "spn:HTTP/sso.camtest.test:rc4" '^the service ticket for HTTP/sso\.camtest\.test is RC4'
one owner-no-aes 2 "spn:HTTP/sso.camtest.test:rc4"
one backend-keytab-rc4 2 "backends:SERVER2:backend"
one backend-keytab-old-kvno 2 "backends:SERVER2:backend"

# the first line of one scenario in text form
scenario backend-503 on
farm
expect "backend-503 text: root cause with the right in place, the VIP a consequence" 2 \
  '^FARM CRITICAL - root cause: \[backends SERVER1\] server1: HTTP 503, application pool stopped for another reason \(batch logon right is in place\)' \
  '^root cause 1 \[backends SERVER1\]: .* — fix: read the WAS events' \
  '^\[CRITICAL\] backends: ' '^\[OK\] gpo: '
scenario backend-503 off

# ---------------------------------------------------------------- two scenarios at once
two() { # S1 S2 RC CAUSES [CONSEQUENCE_RE...]
  local a=$1 b=$2 rc=$3 want=$4; shift 4
  scenario "$a" on; scenario "$b" on
  causes "$a + $b: $want" "$rc" '^root cause' "$want" "$@"
  scenario "$b" off; scenario "$a" off
}
two backend-503 gpo-wrong-ou 2 "gpo:SERVER1:503-no-batch-right" \
  '^server1 HTTP 503 \(application pool stopped: no batch logon right\)'
two dup-spn-computer backend-down 2 \
  "spn:HTTP/sso.camtest.test:spn-duplicate backends:SERVER1:backend" '^server2 not tested'
two backend-ntlm-only gpo-computer-disabled 2 \
  "gpo:SERVER1, SERVER2:gpo backends:SERVER2:backend"
two backend-wrong-key backend-503 2 \
  "backends:SERVER1:503-right-ok backends:SERVER2:wrong-key"
two spn-missing gpo-missing-right 2 \
  "spn:HTTP/sso.camtest.test:spn-missing gpo:SERVER1, SERVER2:gpo" '^server1 not tested'
# With the SPN on SERVER1$ every backend fails with the wrong key, so server2's own key
# setting cannot be seen: ONE cause (the SPN's place), the backends its consequences.
two spn-on-computer backend-wrong-key 2 "spn:HTTP/sso.camtest.test:spn-wrong-account" \
  '^server2 401 .*can only be judged once the SPN is fixed'

# ---------------------------------------------------------------- Extended Protection (channel bindings)
# the lab's IIS-like acceptors as the farm's servers: epa-require (tokenChecking Require),
# epa-allow (Allow); epa-proxy terminates TLS with its own certificate in front of epa-require
EPA=(--server SERVER1=epa-require --server SERVER2=epa-allow -a 'CAMTEST\cam-svc' -H "$LAB_DC_FQDN"
  --keytab "$LAB_MONITOR_KEYTAB" --ca-file "$LAB_CA" --gpo "$LAB_GPO_NAME")
run_cmd "$LAB" exec "$P" -u "https://$LAB_FQDN/" "${EPA[@]}" --no-vip --epa-probe
expect "EPA: backends Require and Allow (--epa-probe): ONE root cause naming both levels, not one per backend" 1 \
  '^FARM WARNING - root cause: \[backends SERVER1, SERVER2\] the backends differ in Extended Protection \(server1 Require, server2 Allow\) \| ' \
  '^root cause 1 \[backends SERVER1, SERVER2\]: the backends differ in Extended Protection \(server1 Require, server2 Allow\) — fix: set the same Extended Protection \(windowsAuthentication extendedProtection tokenChecking\) on every server of the farm, or state the level wanted with --epa$' \
  ' server1_epa=2;;;0;2 ' ' server2_epa=1;;;0;2 ' '^\[OK\] spn: ' '^\[OK\] gpo: '
if printf '%s\n' "$OUT" | grep -q '^root cause 2'; then tap_fail "EPA differs: no second root cause" "$OUT"
else tap_ok "EPA differs: no second root cause"; fi
run_cmd "$LAB" exec "$P" -u "https://epa-proxy.$LAB_DNS_DOMAIN/" --spn "HTTP/$LAB_FQDN" "${EPA[@]}"
expect "EPA: the VIP terminates TLS in front of Require: the balancer's root cause, its fix not repeated in the cause" 2 \
  '^FARM CRITICAL - root cause: \[backends vip\] vip: HTTP 401 to the Kerberos token bound to the certificate the VIP presented \(SHA-256 [0-9a-f]{64}, subject CN=sso\.camtest\.test\) \| ' \
  '^root cause 1 \[backends vip\]: vip: HTTP 401 to the Kerberos token bound to the certificate the VIP presented \([^)]*\) — fix: the VIP presents another certificate than the backends \(server1: SHA-256 [0-9a-f]{64}, subject CN=sso\.camtest\.test\): TLS is terminated in front of them' \
  '^  \[OK\] server1: HTTP 200 after Negotiate/Kerberos' '^\[OK\] gpo: '
run_cmd "$LAB" exec "$P" -u "https://$LAB_FQDN/" "${EPA[@]}" --no-vip --epa Require
expect "EPA: --epa Require with an Allow backend: that backend is the root cause, with the setting to change" 2 \
  '^FARM CRITICAL - root cause: \[backends SERVER2\] server2: .*Extended Protection Allow \| ' \
  '^root cause 1 \[backends SERVER2\]: .* — fix: below --epa Require: set windowsAuthentication/extendedProtection tokenChecking="Require" on this server'

# ---------------------------------------------------------------- within -t
scenario backend-blackhole on
t0=$(date +%s%N)
farm -t 4
el=$(( ($(date +%s%N) - t0) / 1000000 ))
expect "backend-blackhole -t 4: CRITICAL naming the hung stage, the directory layers still judged" 2 \
  '^FARM CRITICAL - root cause: \[backends SERVER1\] server1: .*did not answer the TLS handshake within' \
  '^\[OK\] spn: ' '^\[OK\] gpo: '
[ "$el" -lt 5500 ] && tap_ok "backend-blackhole -t 4: ended in ${el} ms (< 5.5 s)" ||
  tap_fail "backend-blackhole -t 4: ended within -t" "took ${el} ms"
scenario backend-blackhole off

# ---------------------------------------------------------------- options
farm --skip gpo --skip spn --no-vip
expect "--skip gpo --skip spn --no-vip: only the backends" 0 \
  '^FARM OK - farm healthy: 2 backend\(s\) accept Kerberos \|'
# our own mistakes: UNKNOWN, one line naming the option, before any I/O
mistake() { # NAME FIRST_RE ARGS...
  local name=$1 re=$2; shift 2
  run_cmd "$P" "$@"
  expect "$name" 3 "$re"
  [ "$(printf '%s\n' "$OUT" | wc -l)" = 1 ] && [ -z "$ERR" ] && tap_ok "$name: one line, no stderr" ||
    tap_fail "$name: one line, no stderr" "$OUT" "$ERR"
}
mistake "no --server: UNKNOWN naming it" '^FARM UNKNOWN - --server NAME\[=ADDR\[:PORT\]\] is required' \
  -u "https://$LAB_FQDN/" -a cam-svc -H dc1
mistake "--skip web: UNKNOWN naming it" "^FARM UNKNOWN - --skip 'web': expected spn, backends or gpo" \
  -u "https://$LAB_FQDN/" -a cam-svc -H dc1 --server SERVER1 --skip web
mistake "-B is not a farm option (--server is)" '^FARM UNKNOWN - .*-B' \
  -u "https://$LAB_FQDN/" -a cam-svc -H dc1 --server SERVER1 -B x
mistake "no -a: UNKNOWN naming it" '^FARM UNKNOWN - -a/--account is required' \
  -u "https://$LAB_FQDN/" -H dc1 --server SERVER1
mistake "a module's own rule still applies (--max-spns is audit-only: unknown here)" \
  '^FARM UNKNOWN - .*max-spns' -u "https://$LAB_FQDN/" -a cam-svc -H dc1 --server SERVER1 --max-spns 3

tap_end
