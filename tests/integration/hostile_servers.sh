#!/usr/bin/env bash
# tests/integration/hostile_servers.sh — the plugins against servers that misbehave on
# purpose, inside the lab's namespace: a web backend (negotiate_fake_backend.py) that answers
# with a 1 MiB header, 1 MiB of headers, an endless or trickling chunked body, an oversized
# or garbage Negotiate token, a redirect loop, or hangs at each step (TCP connect, first
# answer, answer to the token, body); an LDAP server (fake_ldap.py, ldaps with the lab's DC
# certificate) that returns 100,000 values of one attribute, 100,000 entries, a message
# announcing 1 GiB, or more SPNs than --max-spns. Each case: the exit code, the first line
# (the named cause), the detail line, and the time it took (within -t; a case ended by a cap
# well before -t). Env: BUILDDIR, LAB, LAB_NS, LAB_DIR; the lab is up when this starts.
source "$(dirname "$0")/../tap.sh"
set -u

source "$(dirname "$0")/../labtest.sh"
labtest_init check_negotiate_backend hostile
NB=$P
SPN=$BUILDDIR/plugins/check_spn_unique
HERE=$(cd "$(dirname "$0")" && pwd)

# Helper processes of this script (by PID), stopped on exit before the lab is reset.
HELPERS=()
hostile_cleanup() {
  local p
  for p in "${HELPERS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  labtest_cleanup
}
trap hostile_cleanup EXIT

# wait_port ADDR PORT: a bounded poll (10 s) until the port accepts inside the namespace.
wait_port() { "$LAB" wait-tcp 10 "$1" "$2" >/dev/null; }

# start_helper ADDR PORT CMD...: starts CMD in the namespace, waits for its port; $HELPER_PID.
start_helper() {
  local addr=$1 port=$2; shift 2
  ip netns exec "$LAB_NS" "$@" >/dev/null 2>&1 &
  HELPER_PID=$!
  HELPERS+=("$HELPER_PID")
  wait_port "$addr" "$port" || tap_fail "helper on $addr:$port did not start: $*"
}

stop_helper() {
  kill "$1" 2>/dev/null
  wait "$1" 2>/dev/null
  local keep=() p
  for p in "${HELPERS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  HELPERS=("${keep[@]}")
}

# timed NAME MAX_SECONDS CMD...: run_cmd with the elapsed time in $EL; asserts EL < MAX. The
# plugins run straight under `ip netns exec` (the lab's environment is loaded), so the time
# is theirs and not a wrapper's. With HOSTILE_RSS=1 each run also goes through
# /usr/bin/time and its peak RSS is printed as a "# peak RSS" line (for figures, run this
# script with BUILDDIR pointing at a build without sanitizers).
timed() {
  local name=$1 max=$2; shift 2
  local t0; t0=$(date +%s.%N)
  if [ "${HOSTILE_RSS:-}" = 1 ]; then
    run_cmd /usr/bin/time -f '%M' -o "$WORK/rss" "$@"
    printf '# peak RSS: %s KiB (%s)\n' "$(tail -n 1 "$WORK/rss")" "$name"
  else
    run_cmd "$@"
  fi
  EL=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  if awk -v e="$EL" -v m="$max" 'BEGIN { exit !(e < m) }'; then
    tap_ok "$name: ended in $EL s (< $max s)"
  else
    tap_fail "$name: ended within $max s" "took $EL s" "$OUT"
  fi
}

# ------------------------------------------------------------------ hostile web backend
PORT=18081
FLOG=$WORK/fake.log
start_helper 127.0.0.1 "$PORT" "$PY" "$HERE/negotiate_fake_backend.py" 127.0.0.1 "$PORT" "$FLOG"
FAKE_PID=$HELPER_PID
B=127\\.0\\.0\\.1:$PORT
FURL=http://$LAB_FQDN:$PORT
# -t 4 for every case: a hang ends on the time left, a cap well before it. A hang's bound is
# -t + 1 s: the named step in the message shows the plugin's own deadline ended it (the
# backstop, at -t + 0.5 s, says 'plugin timed out'); the second covers starting and ending a
# sanitizer-instrumented process on a busy machine.
nbf() { timed "$1" "$2" ip netns exec "$LAB_NS" "$NB" -u "$FURL/$3" -B "127.0.0.1:$PORT" --no-vip \
  --keytab "$LAB_MONITOR_KEYTAB" -t 4; }

nbf "1 MiB header line" 2 bigheader
expect "1 MiB header line: CRITICAL, response headers too large (libcurl's 100 KiB line limit)" 2 \
  "^NEGOTIATE CRITICAL - $B: response headers too large \(0/1 backends OK\) \| " \
  "^\[CRITICAL\] $B: $B sent a header line longer than 100 KiB in the first answer \(libcurl's limit; it reported: .+\) — a broken or hostile web server$"

nbf "1 MiB of headers" 2 manyheaders
expect "1 MiB of headers: CRITICAL, cut at the 128 KiB cap" 2 \
  "^NEGOTIATE CRITICAL - $B: response headers too large \(0/1 backends OK\) \| " \
  "^\[CRITICAL\] $B: $B sent more than 128 KiB of headers in the first answer — a broken or hostile web server .*the check stops reading at 128 KiB$"

nbf "endless chunked body" 2 endless
expect "endless chunked body: CRITICAL, cut at the 1 MiB body cap" 2 \
  "^NEGOTIATE CRITICAL - $B: response body too large \(endless\?\) \(0/1 backends OK\) \| " \
  "^\[CRITICAL\] $B: the body of the first answer \(HTTP 401\) from $B goes on past 1 MiB — an endless or oversized body; .*point -u at a small page"

nbf "trickling body of the 401" 5 trickle
expect "trickling body of the 401: CRITICAL, the time ran out reading the body (named)" 2 \
  "^NEGOTIATE CRITICAL - $B: timeout reading the body \(0/1 backends OK\) \| " \
  "^\[CRITICAL\] $B: timed out after [0-9.]+ s reading the body of the first answer \(HTTP 401 from $B, [0-9]+ body bytes received, the body did not end\)"

nbf "trickling body after the token" 5 trickle-token
expect "trickling body after the token: CRITICAL, reading the body of the answer to the token" 2 \
  "^NEGOTIATE CRITICAL - $B: timeout reading the body \(0/1 backends OK\) \| " \
  "^\[CRITICAL\] $B: timed out after [0-9.]+ s reading the body of the answer to the Kerberos token \(HTTP 200 from $B, [0-9]+ body bytes received"

nbf "oversized Negotiate token" 2 bigtoken
expect "oversized Negotiate token: CRITICAL, the 64 KiB cap named" 2 \
  "^NEGOTIATE CRITICAL - $B: Negotiate token too large \(0/1 backends OK\) \| " \
  "^\[CRITICAL\] $B: HTTP 200 with a final Negotiate token of 80000 characters, larger than the 64 KiB the check accepts"

nbf "token not base64" 2 notbase64
expect "a final token that is not base64: invalid Negotiate token from the server" 2 \
  "^NEGOTIATE CRITICAL - $B: invalid Negotiate token from the server \(0/1 backends OK\) \| " \
  "^\[CRITICAL\] $B: HTTP 200, but the final Negotiate token is invalid: not base64 \(bad character at offset 3\)"

nbf "token not SPNEGO" 2 notspnego
expect "a final token that is base64 but no SPNEGO token: invalid Negotiate token from the server" 2 \
  "^NEGOTIATE CRITICAL - $B: invalid Negotiate token from the server \(0/1 backends OK\) \| " \
  "^\[CRITICAL\] $B: HTTP 200, but the final Negotiate token is invalid: not a SPNEGO token \(it starts with 0x66, not 0xa1 NegTokenResp"

nbf "unparsable WWW-Authenticate" 2 badwwwauth
expect "a final WWW-Authenticate that does not parse: invalid Negotiate token from the server" 2 \
  "^NEGOTIATE CRITICAL - $B: invalid Negotiate token from the server \(0/1 backends OK\) \| " \
  "^\[CRITICAL\] $B: HTTP 200, but the final WWW-Authenticate: Negotiate value does not parse \(expected token68 or auth-param at offset 10\)"

: >"$FLOG"
nbf "redirect loop" 2 loop
expect "a 302 to itself before authentication: CRITICAL, named with its Location and the fix" 2 \
  "^NEGOTIATE CRITICAL - $B: redirect \(302\) instead of 401 \(0/1 backends OK\) \| .* ${B}_status=302 " \
  "^\[CRITICAL\] $B: answered 302 \(redirect to http://sso\.camtest\.test:$PORT/loop\) instead of 401 with WWW-Authenticate: Negotiate — the plugin does not follow redirects: point -u at the final URL$"
n=$(grep -c '^GET /loop' "$FLOG" 2>/dev/null)
[ "$n" = 1 ] && tap_ok "redirect loop: one request, the redirect not followed" ||
  tap_fail "redirect loop: exactly one request" "the fake backend saw $n"

nbf "no answer at all" 5 hang
expect "no answer to the first request: CRITICAL, the step named" 2 \
  "^NEGOTIATE CRITICAL - $B: no answer to the first request \(timeout\) \(0/1 backends OK\) \| " \
  "^\[CRITICAL\] $B: connected to $B but no answer to the first request within [0-9.]+ s — the web server or application hangs"

nbf "headers that never end" 5 hang-headers
expect "headers that never end: CRITICAL, waiting for the first answer, bytes counted" 2 \
  "^NEGOTIATE CRITICAL - $B: no answer to the first request \(timeout\) \(0/1 backends OK\) \| " \
  "^\[CRITICAL\] $B: connected to $B but no answer to the first request within [0-9.]+ s \(the headers did not end: [1-9][0-9]* bytes received\)"

nbf "no answer to the token" 5 hang-token
expect "no answer to the Kerberos token: CRITICAL, that step named" 2 \
  "^NEGOTIATE CRITICAL - $B: no answer to the Kerberos token \(timeout\) \(0/1 backends OK\) \| " \
  "^\[CRITICAL\] $B: $B got the Kerberos token but did not answer it within [0-9.]+ s — the web server or the application hangs after authentication"
stop_helper "$FAKE_PID"

# TCP connect that hangs: a listener whose accept queue is full (SYNs are dropped).
SPORT=18082
ip netns exec "$LAB_NS" "$PY" "$HERE/negotiate_fake_backend.py" --syn-drop 127.0.0.1 "$SPORT" \
  >"$WORK/syn.out" 2>&1 &
SYN_PID=$!
HELPERS+=("$SYN_PID")
wait_for 10 grep -q ready "$WORK/syn.out" || tap_fail "syn-drop listener did not start"
SB=127\\.0\\.0\\.1:$SPORT
timed "TCP connect hangs" 4 ip netns exec "$LAB_NS" "$NB" -u "http://$LAB_FQDN:$SPORT/" -B "127.0.0.1:$SPORT" \
  --no-vip --keytab "$LAB_MONITOR_KEYTAB" -t 3
expect "TCP connect hangs: CRITICAL, the connect step named" 2 \
  "^NEGOTIATE CRITICAL - $SB: TCP connect timed out \(0/1 backends OK\) \| " \
  "^\[CRITICAL\] $SB: no TCP connection to $SB within [0-9.]+ s \(.+\) — host down or filtered$"
stop_helper "$SYN_PID"

# ------------------------------------------------------------------ hostile LDAP server
# ldaps on the DC's address (its certificate names dc1.camtest.test), simple bind: the fake
# server does no Kerberos.
LPORT=16360
LDAP=(--ldap-uri "ldaps://$LAB_DC_FQDN:$LPORT" --ca-file "$LAB_CA" --bind-dn "CN=monitor"
  --password-file "$LAB_MONITOR_PASSWORD_FILE" -t 6)
ldap_mode() { # MODE [N]: (re)starts the fake LDAP server in that mode
  [ -n "${LDAP_PID:-}" ] && stop_helper "$LDAP_PID"
  start_helper "$LAB_DC_IP" "$LPORT" "$PY" "$HERE/fake_ldap.py" "$LAB_DIR/tls/dc.pem" \
    "$LAB_DIR/tls/dc.key" "$LAB_DC_IP" "$LPORT" "$@"
  LDAP_PID=$HELPER_PID
}
# -t 6 for every case: each is ended by a cap (or completes) well before it.
spnq() { timed "$1" "$2" ip netns exec "$LAB_NS" "$SPN" "${LDAP[@]}" "${@:3}"; }

ldap_mode values 10000
spnq "10,000 SPN values (at the cap)" 4 -s "HTTP/$LAB_FQDN"
expect "10,000 SPN values on one object (at the cap): still evaluated, OK" 0 \
  "^SPN_UNIQUE OK - HTTP/sso\.camtest\.test is registered once, on cam-svc \(user\)"

ldap_mode values 100000
spnq "100,000 SPN values" 4 -s "HTTP/$LAB_FQDN"
expect "100,000 values of servicePrincipalName: CRITICAL, the 10000 cap named" 2 \
  "^SPN_UNIQUE CRITICAL - the directory returned 100000 values of servicePrincipalName for CN=cam-svc,CN=Users,DC=camtest,DC=test, more than the 10000 the check accepts on one object \(AD returns at most 1500: MaxValRange\) — a broken or hostile directory server$"
spnq "100,000 SPN values, --all" 4 --all
expect "100,000 values of servicePrincipalName in --all: CRITICAL, the same cap" 2 \
  "^SPN_UNIQUE CRITICAL - the directory returned 100000 values of servicePrincipalName for CN=cam-svc,"

ldap_mode entries 100000
spnq "100,000 entries" 4 -s "HTTP/$LAB_FQDN"
expect "100,000 objects holding the SPN: CRITICAL, the search stopped at 1000" 2 \
  "^SPN_UNIQUE CRITICAL - the directory returned more than 1000 objects holding these SPNs \(the search was stopped there\)"

ldap_mode hugemsg
spnq "a message announcing 1 GiB" 2 -s "HTTP/$LAB_FQDN"
expect "an LDAP message announcing 1 GiB: CRITICAL, refused at the 4 MiB cap (nothing allocated, no wait)" 2 \
  "^SPN_UNIQUE CRITICAL - search on ldaps://dc1\.camtest\.test:$LPORT: the server sent an LDAP message larger than 4 MiB \(the cap on one message\) — a broken or hostile directory server$"

ldap_mode spns 5000
spnq "--all past --max-spns" 4 --all --max-spns 2000
expect "--all past --max-spns: UNKNOWN (no verdict), the option and -b named" 3 \
  "^SPN_UNIQUE UNKNOWN - --all stopped after 2000 SPNs on 2 objects: that is the --max-spns cap \(about 115 bytes each\); audit the forest in parts with -b, or raise --max-spns$"
spnq "--all within --max-spns" 4 --all --max-spns 5000
expect "--all within --max-spns: OK, every SPN counted" 0 \
  "^SPN_UNIQUE OK - no duplicate SPNs: 5000 SPNs on 5 objects scanned in [0-9.]+ s \| objects=5;;;0 spns=5000;;;0 "
stop_helper "$LDAP_PID"
LDAP_PID=

tap_end
