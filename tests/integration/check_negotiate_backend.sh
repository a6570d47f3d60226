#!/usr/bin/env bash
# tests/integration/check_negotiate_backend.sh — check_negotiate_backend against the lab:
# healthy farm (server1, server2, VIP: mutual authentication verified), every backend
# scenario (the right backend named with the right cause, the other one still OK, exit
# within -t with a black hole), a missing SPN, ticket reuse across runs (from the KDC's own
# log and the cache), our own credentials unusable, and bad input (exit 3).
# Env: BUILDDIR, LAB (tests/lab/lab), LAB_NS, LAB_DIR; the lab is up when this starts.
source "$(dirname "$0")/../tap.sh"
set -u

source "$(dirname "$0")/../labtest.sh"
# The lab's environment (LAB_MONITOR_KEYTAB, LAB_CA, ...), $WORK, the EXIT trap.
labtest_init check_negotiate_backend negotiate

URL=https://$LAB_FQDN/
SPN_RE='HTTP/sso\.camtest\.test'
# Scenario runs: a private cache per run (a cached ticket would hide a missing SPN).
BASE=(-u "$URL" --keytab "$LAB_MONITOR_KEYTAB" --ca-file "$LAB_CA")
BACKENDS=(-B server1 -B server2)

nb() { run_cmd "$LAB" exec "$P" "$@"; }

# ------------------------------------------------------------------ healthy
nb "${BASE[@]}" "${BACKENDS[@]}" -v
expect "healthy: OK for vip, server1, server2 with mutual authentication" 0 \
  "^NEGOTIATE OK - 3/3 backends accept Kerberos for $SPN_RE, mutual authentication verified \| backends_ok=3;;;0;3 " \
  '^\[OK\] vip: HTTP 200 after Negotiate/Kerberos, mutual authentication verified' \
  '^\[OK\] server1: HTTP 200 after Negotiate/Kerberos, mutual authentication verified, [0-9.]+ s \(ttfb [0-9.]+ s\), served by server1' \
  '^\[OK\] server2: HTTP 200 after Negotiate/Kerberos, mutual authentication verified, [0-9.]+ s \(ttfb [0-9.]+ s\), served by server2' \
  ' vip_time=[0-9.]+s;;;0 vip_ttfb=[0-9.]+s;;;0 vip_status=200 ' \
  ' server1_time=[0-9.]+s;;;0 server1_ttfb=[0-9.]+s;;;0 server1_status=200 ' \
  ' server2_time=[0-9.]+s;;;0 server2_ttfb=[0-9.]+s;;;0 server2_status=200 ticket_time=[0-9.]+s;;;0$' \
  'ticket enctype aes256-cts-hmac-sha1-96 \(18\), kvno [0-9]+, session key ' \
  'via CURLOPT_CONNECT_TO sso\.camtest\.test:443:server1:443, connected to 127\.0\.20\.11:443' \
  'step 2: HTTP 200, final Negotiate token: yes, mutual authentication: verified'
HEALTHY_OUT=$OUT

nb "${BASE[@]}" "${BACKENDS[@]}" --output-format json
expect "healthy: JSON result for Zabbix (one subcheck per backend)" 0 \
  '^\{"service":"NEGOTIATE","state":"OK","exit_code":0,' \
  '"name":"server1","state":"OK"' '"name":"server2","state":"OK"' '"name":"ticket","state":"OK"' \
  '"label":"backends_ok","value":3,"uom":"","min":0,"max":3'

nb "${BASE[@]}" "${BACKENDS[@]}" --no-vip -w 0.000001 -c 30
expect "thresholds: -w on each backend's total time -> WARNING, ranges in perfdata" 1 \
  '^NEGOTIATE WARNING - server1: slow: [0-9.]+ s; server2: slow: [0-9.]+ s \(0/2 backends OK\) \| backends_ok=0;;;0;2 ' \
  ' server1_time=[0-9.]+s;0.000001;30;0 ' \
  '^\[WARNING\] server1: HTTP 200 after Negotiate.* — slow: total time outside the -w range$'

nb "${BASE[@]}" -B server1 --no-vip -e 204
expect "expect: -e 204 against a 200 -> CRITICAL unexpected status" 2 \
  '^NEGOTIATE CRITICAL - server1: unexpected HTTP status after authentication ' \
  '^\[CRITICAL\] server1: HTTP 200 after Kerberos authentication, expected 204'

# ------------------------------------------------------------------ backend scenarios
scenario backend-wrong-key on
nb "${BASE[@]}" "${BACKENDS[@]}" --no-vip
expect "backend-wrong-key: server2 cannot decrypt the ticket, server1 OK" 2 \
  '^NEGOTIATE CRITICAL - server2: 401 after the Kerberos token: cannot decrypt the ticket \(1/2 backends OK\) \| backends_ok=1;;;0;2 ' \
  "^\[CRITICAL\] server2: HTTP 401 after the Kerberos token.* the backend cannot decrypt the ticket for $SPN_RE: it uses another key than the SPN's owner; on IIS set useAppPoolCredentials=true \(or useKernelMode=false\)" \
  '^\[OK\] server1: HTTP 200 after Negotiate/Kerberos, mutual authentication verified' \
  ' server2_status=401 '
scenario backend-wrong-key off

scenario backend-503 on
nb "${BASE[@]}" "${BACKENDS[@]}" --no-vip
expect "backend-503: server1 application pool stopped (batch logon right), server2 OK" 2 \
  '^NEGOTIATE CRITICAL - server1: HTTP 503 \(application pool stopped\?\) \(1/2 backends OK\) \| backends_ok=1;;;0;2 ' \
  "^\[CRITICAL\] server1: HTTP 503 before authentication — the application pool is stopped; if it runs as a domain account, check that the account holds 'Log on as a batch job'.*check_batch_logon_gpo" \
  '^\[OK\] server2: HTTP 200 after Negotiate/Kerberos, mutual authentication verified' \
  ' server1_status=503 '
scenario backend-503 off

scenario backend-ntlm-only on
nb "${BASE[@]}" "${BACKENDS[@]}" --no-vip
expect "backend-ntlm-only: server2 has Kerberos off (NTLM only), server1 OK" 2 \
  '^NEGOTIATE CRITICAL - server2: Negotiate not offered \(Kerberos off\) \(1/2 backends OK\) \| backends_ok=1;;;0;2 ' \
  '^\[CRITICAL\] server2: HTTP 401 offering only NTLM, no Negotiate — Kerberos is off on this backend' \
  '^\[OK\] server1: HTTP 200 after Negotiate/Kerberos, mutual authentication verified' \
  ' server2_status=401 '
scenario backend-ntlm-only off

scenario backend-down on
nb "${BASE[@]}" "${BACKENDS[@]}" --no-vip
expect "backend-down: server1 refuses connections, server2 OK" 2 \
  '^NEGOTIATE CRITICAL - server1: connection refused \(1/2 backends OK\) \| backends_ok=1;;;0;2 ' \
  '^\[CRITICAL\] server1: cannot connect to server1:443: .* the web server is down or the port is closed' \
  '^\[OK\] server2: HTTP 200 after Negotiate/Kerberos, mutual authentication verified' \
  ' server1_status=0 '
scenario backend-down off

scenario backend-blackhole on
t0=$(date +%s.%N)
nb "${BASE[@]}" "${BACKENDS[@]}" --no-vip -t 4
el=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
expect "backend-blackhole: server1 hangs (named), server2 OK" 2 \
  '^NEGOTIATE CRITICAL - server1: no answer to the TLS handshake \(timeout\) \(1/2 backends OK\) \| backends_ok=1;;;0;2 ' \
  '^\[CRITICAL\] server1: server1:443 accepted the TCP connection but did not answer the TLS handshake within [0-9.]+ s — the web server hangs' \
  '^\[OK\] server2: HTTP 200 after Negotiate/Kerberos, mutual authentication verified'
# -t + 1 s: the named step shows the plugin's own deadline ended it (not the backstop at
# -t + 0.5 s); the second covers process start and exit under sanitizers on a busy machine.
if awk -v e="$el" 'BEGIN { exit !(e < 5.0) }'; then tap_ok "backend-blackhole: exits within -t 4 + 1 s (took $el s)"
else tap_fail "backend-blackhole: exits within -t 4 + 1 s" "took $el s"; fi
scenario backend-blackhole off

# ------------------------------------------------------------------ directory scenario
scenario spn-missing on
nb "${BASE[@]}" "${BACKENDS[@]}"
expect "spn-missing: no ticket for the SPN, KDC message, points at check_spn_unique" 2 \
  "^NEGOTIATE CRITICAL - no Kerberos ticket for $SPN_RE@CAMTEST\.TEST: the KDC does not know a unique account for it \(Server not found in Kerberos database\) — the SPN is missing or registered on more than one account.*run check_spn_unique.* \| backends_ok=0;;;0;3 " \
  "^\[UNKNOWN\] server1: HTTP 401 offering Negotiate; Kerberos not tested: no ticket for $SPN_RE" \
  "^\[UNKNOWN\] server2: HTTP 401 offering Negotiate; Kerberos not tested"
scenario spn-missing off

# ------------------------------------------------------------------ ticket reuse
# The KDC logs AS-REQ/TGS-REQ lines at kerberos:3: raise the level of the lab's KDC
# processes (those in our namespace) for this test.
KDC_LOG=$LAB_DIR/samba/log/samba.log
kdc_pids=()
for pid in $(ip netns pids "$LAB_NS" 2>/dev/null); do
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'task\[kdc\]' && kdc_pids+=("$pid")
done
for pid in "${kdc_pids[@]}"; do
  "$LAB" exec smbcontrol -s "$LAB_SMB_CONF" "$pid" debug "1 kerberos:3" >/dev/null 2>&1
done
count() { grep -c "Kerberos: $1 monitor@CAMTEST.TEST from " "$KDC_LOG" 2>/dev/null; }
# kdc_logged AS TGS: the KDC log shows at least AS AS-REQs and TGS TGS-REQs for monitor. The KDC
# writes the line before it answers, so once the plugin returned a count is final; the bounded
# poll only covers a slow write. A run that must cause no request has nothing to wait for.
kdc_logged() { [ "$(count AS-REQ)" -ge "$1" ] && [ "$(count TGS-REQ)" -ge "$2" ]; }
CC=$WORK/reuse.cc
REUSE=(-u "$URL" "${BACKENDS[@]}" --keytab "$LAB_MONITOR_KEYTAB" --ca-file "$LAB_CA" --ccache "FILE:$CC" -v)

as0=$(count AS-REQ); tgs0=$(count TGS-REQ)
nb "${REUSE[@]}"
wait_for 5 kdc_logged $((as0 + 1)) $((tgs0 + 1))
as1=$(count AS-REQ); tgs1=$(count TGS-REQ)
expect "ticket reuse, run 1: TGT and one service ticket from the KDC" 0 \
  '^NEGOTIATE OK - 3/3 backends accept Kerberos' \
  'obtained a TGT in [0-9.]+ s \(AS exchange\)' \
  "service ticket for $SPN_RE@CAMTEST\.TEST obtained from the KDC in"
if [ $((as1 - as0)) -ge 1 ] && [ $((tgs1 - tgs0)) -eq 1 ]; then
  tap_ok "ticket reuse, run 1: KDC log shows $((as1 - as0)) AS-REQ and exactly 1 TGS-REQ for 3 backends"
else
  tap_fail "ticket reuse, run 1: KDC log" "AS-REQ +$((as1 - as0)), TGS-REQ +$((tgs1 - tgs0)) (want >= 1 and 1)"
fi
klist1=$("$LAB" exec klist -c "FILE:$CC" 2>&1)

nb "${REUSE[@]}"
as2=$(count AS-REQ); tgs2=$(count TGS-REQ)
expect "ticket reuse, run 2: reused TGT and cached service ticket" 0 \
  '^NEGOTIATE OK - 3/3 backends accept Kerberos' \
  'reused TGT from the cache \(no AS exchange\)' \
  "cached service ticket for $SPN_RE@CAMTEST\.TEST reused \(no TGS exchange\)" \
  'ticket: .*, cached service ticket, '
if [ $((as2 - as1)) -eq 0 ] && [ $((tgs2 - tgs1)) -eq 0 ]; then
  tap_ok "ticket reuse, run 2: KDC log shows no AS-REQ and no TGS-REQ"
else
  tap_fail "ticket reuse, run 2: KDC log" "AS-REQ +$((as2 - as1)), TGS-REQ +$((tgs2 - tgs1)) (want 0 and 0)"
fi
klist2=$("$LAB" exec klist -c "FILE:$CC" 2>&1)
if [ "$klist1" = "$klist2" ] && printf '%s\n' "$klist2" | grep -q 'HTTP/sso.camtest.test@CAMTEST.TEST'; then
  tap_ok "ticket reuse, run 2: cache unchanged (same TGT and service ticket times)"
else
  tap_fail "ticket reuse, run 2: cache unchanged" "before:" "$klist1" "after:" "$klist2"
fi

nb "${REUSE[@]}" --fresh-ticket
wait_for 5 kdc_logged "$as2" $((tgs2 + 1))
as3=$(count AS-REQ); tgs3=$(count TGS-REQ)
expect "--fresh-ticket: a new service ticket, the TGT still reused" 0 \
  '^NEGOTIATE OK - 3/3 backends accept Kerberos' \
  'reused TGT from the cache \(no AS exchange\)' \
  'obtained from the KDC in [0-9.]+ s \(--fresh-ticket: the cached one was removed\)'
if [ $((as3 - as2)) -eq 0 ] && [ $((tgs3 - tgs2)) -eq 1 ]; then
  tap_ok "--fresh-ticket: KDC log shows 1 TGS-REQ, no AS-REQ"
else
  tap_fail "--fresh-ticket: KDC log" "AS-REQ +$((as3 - as2)), TGS-REQ +$((tgs3 - tgs2)) (want 0 and 1)"
fi

# ------------------------------------------------------------------ misbehaving backend
# Cases the lab's Apache backends cannot show, from a small fake backend inside the lab's
# namespace (tests/integration/negotiate_fake_backend.py), started and stopped by PID.
FAKE_PORT=18080
ip netns exec "$LAB_NS" /usr/bin/python3 "$(dirname "$0")/negotiate_fake_backend.py" \
  127.0.0.1 "$FAKE_PORT" >/dev/null 2>&1 &
FAKE_PID=$!
LISTENER=$FAKE_PID
"$LAB" wait-tcp 10 127.0.0.1 "$FAKE_PORT" >/dev/null
FAKE=(--keytab "$LAB_MONITOR_KEYTAB" -B "127.0.0.1:$FAKE_PORT" --no-vip)
FURL=http://$LAB_FQDN:$FAKE_PORT
nb -u "$FURL/nomutual" "${FAKE[@]}"
expect "no final Negotiate token: WARNING, mutual authentication not proven" 1 \
  '^NEGOTIATE WARNING - 127\.0\.0\.1:18080: no mutual authentication token \(0/1 backends OK\) \| backends_ok=0;;;0;1 127\.0\.0\.1:18080_time=' \
  '^\[WARNING\] 127\.0\.0\.1:18080: HTTP 200 after Negotiate/Kerberos, but no final WWW-Authenticate: Negotiate token — mutual authentication not proven'
nb -u "$FURL/nomutual" "${FAKE[@]}" --require-mutual
expect "no final Negotiate token with --require-mutual: CRITICAL" 2 \
  '^NEGOTIATE CRITICAL - 127\.0\.0\.1:18080: no mutual authentication token '
nb -u "$FURL/badmutual" "${FAKE[@]}"
expect "a final token that does not verify: CRITICAL, GSS-API's reason" 2 \
  '^NEGOTIATE CRITICAL - 127\.0\.0\.1:18080: mutual authentication failed ' \
  "^\[CRITICAL\] 127\.0\.0\.1:18080: HTTP 200, but the final Negotiate token does not verify: .+ — this backend did not prove it holds the key of $SPN_RE"
nb -u "$FURL/anon" "${FAKE[@]}"
expect "anonymous 200 without a 401: CRITICAL (nothing proves Kerberos works)" 2 \
  '^NEGOTIATE CRITICAL - 127\.0\.0\.1:18080: no authentication asked ' \
  'HTTP 200 without asking for authentication — anonymous access is on'
nb -u "$FURL/basic" "${FAKE[@]}"
expect "only Basic offered: CRITICAL, Kerberos off" 2 \
  '^NEGOTIATE CRITICAL - 127\.0\.0\.1:18080: Negotiate not offered \(Kerberos off\) ' \
  'HTTP 401 offering only Basic, no Negotiate'
nb -u "$FURL/noauth" "${FAKE[@]}"
expect "401 without any WWW-Authenticate: CRITICAL, said in plain words" 2 \
  '^NEGOTIATE CRITICAL - 127\.0\.0\.1:18080: no authentication scheme offered ' \
  'HTTP 401 without any WWW-Authenticate header — browsers cannot authenticate at all'
kill "$FAKE_PID" 2>/dev/null
wait "$FAKE_PID" 2>/dev/null
LISTENER=

# ------------------------------------------------------------------ many failing backends
# The summary lists the failing targets that fit and counts the others (it used to drop the
# ones past a 4 KiB buffer without a word); the long output has every one.
MANY=(); for i in $(seq -w 1 32); do MANY+=(-B "unreachable-backend-$i.example.invalid"); done
nb "${BASE[@]}" "${MANY[@]}" -t 5
expect "32 failing backends: the summary names the first ones and counts the rest" 2 \
  '^NEGOTIATE CRITICAL - unreachable-backend-01\.example\.invalid: name does not resolve; .*; and [0-9]+ more \(1/33 backends OK\) \| backends_ok=1;;;0;33 ' \
  '^\[CRITICAL\] unreachable-backend-32\.example\.invalid: cannot resolve the name'
summary=$(printf '%s\n' "$OUT" | head -n 1 | sed 's/ | .*//')
[ "${#summary}" -le 1200 ] && tap_ok "32 failing backends: summary of ${#summary} characters" ||
  tap_fail "32 failing backends: summary at most 1200 characters" "${#summary}: $summary"

# ------------------------------------------------------------------ a KDC that never answers
# tests/integration/kdc_blackhole.py in the lab's namespace as the only (TCP) KDC: silent
# (the AS exchange hangs), then relaying AS-REQs to the lab's KDC but holding every TGS-REQ
# (the service ticket hangs). The exchanges are ours (common/kdc.c): the stage is named and
# the run ends at -t, not at the backstop.
for mode in silent tgs; do
  kdc_hole 3273 "$mode" "$WORK/krb5-hole.conf"
  t0=$(date +%s.%N)
  run_cmd "$LAB" exec env KRB5_CONFIG="$WORK/krb5-hole.conf" "$P" "${BASE[@]}" "${BACKENDS[@]}" -t 3
  el=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  if [ "$mode" = silent ]; then
    expect "KDC never answers (AS): CRITICAL naming the KDC and the ticket for monitor" 2 \
      '^NEGOTIATE CRITICAL - the KDC \(127\.0\.20\.1:3273\) did not answer within [0-9.]+ s while getting a ticket for monitor@CAMTEST\.TEST$'
  else
    expect "KDC never answers the TGS request: CRITICAL naming the service ticket" 2 \
      "^NEGOTIATE CRITICAL - the KDC \(127\.0\.20\.1:3273\) did not answer within [0-9.]+ s while getting a service ticket for $SPN_RE@CAMTEST\.TEST$"
  fi
  if awk -v e="$el" 'BEGIN { exit !(e < 3.5) }'; then tap_ok "KDC $mode: ends within -t 3 + 0.5 s (took $el s)"
  else tap_fail "KDC $mode: ends within -t 3 + 0.5 s" "took $el s"; fi
  kdc_hole_stop
done

# ------------------------------------------------------------------ our own credentials
nb -u "$URL" -B server1 --keytab "$LAB_WRONG_KEYTAB" --ca-file "$LAB_CA"
expect "wrong keytab: UNKNOWN, our credentials named" 3 \
  '^NEGOTIATE UNKNOWN - .*monitor@CAMTEST\.TEST.*(keytab|Preauthentication)'
nb -u "$URL" -B server1 --ccache "FILE:$WORK/empty.cc" --ca-file "$LAB_CA"
expect "no credentials in the cache: UNKNOWN" 3 '^NEGOTIATE UNKNOWN - .*(no valid Kerberos credentials|cache)'
# --ca-file means only the CAs in FILE: a real CA that did not sign the backends' certificates
# (a unit-test fixture) -> the backend's certificate is not trusted.
OTHER_CA=$(cd "$(dirname "$0")/../unit/fixtures/tls" && pwd)/one.pem
nb -u "$URL" --keytab "$LAB_MONITOR_KEYTAB" -B server1 --ca-file "$OTHER_CA" --no-vip
expect "TLS: a CA that does not sign the server -> CRITICAL, named" 2 \
  '^NEGOTIATE CRITICAL - server1: TLS certificate not trusted \(0/1 backends OK\)' \
  '^\[CRITICAL\] server1: TLS certificate not trusted for server1:443: SSL certificate problem: unable to get local issuer certificate — no trusted CA issued it'
# A --ca-file that is no CA bundle is our mistake, caught before any connection.
nb "${BASE[@]}" -B server1 --ca-file /dev/null --no-vip
expect "TLS: --ca-file /dev/null -> UNKNOWN before any connection" 3 \
  '^NEGOTIATE UNKNOWN - --ca-file /dev/null: not a PEM CA bundle: the file is empty$'
nb -u "$URL" -B server1 --keytab "$WORK/missing.keytab" --ca-file "$LAB_CA"
expect "a --keytab that does not exist -> UNKNOWN naming it" 3 \
  "^NEGOTIATE UNKNOWN - --keytab $WORK/missing\\.keytab: cannot read the keytab: No such file or directory\$"

# ------------------------------------------------------------------ TLS: one cause, summary and detail
# The URL's host (the DC's name) is not in the backend's certificate (sso, server1, server2):
# the summary says "name mismatch" as the detail does (it used to say "not trusted").
nb -u "https://$LAB_DC_FQDN/" --spn "HTTP/$LAB_FQDN" -B server1 --no-vip \
  --keytab "$LAB_MONITOR_KEYTAB" --ca-file "$LAB_CA"
expect "TLS: a certificate that does not name the URL's host -> 'certificate name mismatch' in summary and detail" 2 \
  '^NEGOTIATE CRITICAL - server1: TLS certificate name mismatch \(0/1 backends OK\) \| ' \
  "^\[CRITICAL\] server1: TLS certificate name mismatch for server1:443: SSL: no alternative certificate subject name matches target host name 'dc1\.camtest\.test' — the certificate does not name the URL's host"

# ------------------------------------------------------------------ --help
# Every option of the plugin's own section states its default or that it is required.
run_cmd "$P" --help
undoc=$(printf '%s\n' "$OUT" | awk '
  /^Options:/ { on = 1; next } /^Common options:/ { on = 0 }
  !on { next }
  /^ -/ { if (opt != "" && !ok) print opt; opt = $1 " " $2; ok = 0 }
  /default|required/ { ok = 1 }
  END { if (opt != "" && !ok) print opt }')
[ "$RC" = 3 ] && [ -z "$undoc" ] && tap_ok "--help: every option states its default" ||
  tap_fail "--help: every option states its default" "rc $RC; without a default: $undoc"

# ------------------------------------------------------------------ bad input -> 3
bad() { # NAME REGEX ARGS...
  local name=$1 re=$2; shift 2
  run_cmd "$P" "$@"
  expect "bad input: $name" 3 "^NEGOTIATE UNKNOWN - $re"
  [ "$(printf '%s\n' "$OUT" | wc -l)" = 1 ] || tap_fail "bad input: $name: one line only" "$OUT"
}
bad "malformed URL" "--url: 'not a url' is not a valid URL" -u 'not a url'
bad "unknown scheme" "--url: scheme 'ftp' is not supported" -u ftp://sso.camtest.test/
bad "credentials in the URL" "--url: must not hold a user name" -u https://a:b@sso.camtest.test/
bad "missing --url" "-u/--url is required" -B server1
bad "backend 'host:'" "-B: 'host:': the port after ':' is missing" -u "$URL" -B host:
bad "backend ':443'" "-B: ':443': the address is missing" -u "$URL" -B :443
bad "backend '[::1'" "-B: '\[::1': missing '\]'" -u "$URL" -B '[::1'
bad "backend port 70000" "-B: 'server1:70000': port must be 1..65535" -u "$URL" -B server1:70000
bad "backend port 0" "-B: 'server1:0': port must be 1..65535" -u "$URL" -B server1:0
bad "backend twice" "-B: 'server1' is given twice" -u "$URL" -B server1 -B server1
bad "--no-vip without -B" "--no-vip without -B" -u "$URL" --no-vip
bad "bad -e" "-e: '99' is not a status code" -u "$URL" -e 99
bad "bad -w" "-w: " -u "$URL" -w abc
bad "bad --spn" "--spn: SPN 'sso' is not of the form service/host" -u "$URL" --spn sso

tap_end
