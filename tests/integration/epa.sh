#!/usr/bin/env bash
# tests/integration/epa.sh — check_negotiate_backend and Extended Protection (channel
# bindings) against the lab's own IIS-like backends (tests/lab/epa_backend.py): epa-allow
# (tokenChecking Allow), epa-require (Require), epa-proxy / epa-proxy-allow (HAProxy that
# terminates TLS with its own certificate and re-encrypts to epa-require / epa-allow), with the
# default bindings and with --epa-probe / --epa; the healthy Apache farm (None) stays OK with
# bindings sent. What each backend saw is read from its requests.log.
# Env: BUILDDIR, LAB (tests/lab/lab), LAB_NS, LAB_DIR; the lab is up when this starts.
source "$(dirname "$0")/../tap.sh"
set -u

source "$(dirname "$0")/../labtest.sh"
labtest_init check_negotiate_backend epa

URL=https://$LAB_FQDN/
BASE=(-u "$URL" --keytab "$LAB_MONITOR_KEYTAB" --ca-file "$LAB_CA" --ccache "FILE:$WORK/cc")
HEX='[0-9a-f]{64}'
nb() { run_cmd "$LAB" exec "$P" "$@"; }
# what LEVEL's backend logged since the mark (requests.log lines, health checks left out)
mark() { MARK_A=$(wc -l <"$LAB_DIR/epa-allow/requests.log"); MARK_R=$(wc -l <"$LAB_DIR/epa-require/requests.log"); }
seen() { # allow|require -> its results since mark, one line
  local m=$MARK_A; [ "$1" = require ] && m=$MARK_R
  tail -n +"$((m + 1))" "$LAB_DIR/epa-$1/requests.log" | grep -v ' health$' | cut -d' ' -f2 | tr '\n' ' '
}
logged() { # name level expected-list
  local got; got=$(seen "$2")
  if [ "$got" = "$3 " ]; then tap_ok "$1"; else tap_fail "$1" "epa-$2 saw: [$got], wanted [$3 ]"; fi
}

# ------------------------------------------------------------------ default: bindings sent
nb "${BASE[@]}" -B server1 -B server2
expect "healthy farm with bindings (Apache ignores them): OK, mutual authentication" 0 \
  '^NEGOTIATE OK - 3/3 backends accept Kerberos for HTTP/sso\.camtest\.test, mutual authentication verified \| ' \
  '^\[OK\] server1: HTTP 200 after Negotiate/Kerberos, mutual authentication verified'
if printf '%s\n' "$OUT" | grep -q '_epa='; then tap_fail "no <label>_epa perfdata without --epa-probe" "$OUT"
else tap_ok "no <label>_epa perfdata without --epa-probe"; fi

mark
nb "${BASE[@]}" --no-vip -B epa-allow -B epa-require -v
expect "epa-allow and epa-require with default bindings: OK (the token is bound to their certificate)" 0 \
  '^NEGOTIATE OK - 2/2 backends accept Kerberos for HTTP/sso\.camtest\.test, mutual authentication verified \| backends_ok=2;;;0;2 ' \
  '^\[OK\] epa-require: HTTP 200 after Negotiate/Kerberos, mutual authentication verified, .*served by epa-require$' \
  "channel binding: sent tls-server-end-point SHA-256 $HEX of CN=sso\\.camtest\\.test"
logged "epa-allow: one unauthenticated request, one bound token (no extra request)" allow "none ok-bound"
logged "epa-require: one unauthenticated request, one bound token accepted" require "none ok-bound"
SSO_HASH=$(openssl x509 -in "$LAB_SSO_CERT" -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
if printf '%s\n' "$OUT" | grep -q "tls-server-end-point SHA-256 $SSO_HASH of"; then
  tap_ok "the hash bound is the SHA-256 of the farm certificate's DER (openssl dgst)"
else tap_fail "the hash bound is the SHA-256 of the farm certificate's DER (openssl dgst)" "want $SSO_HASH" "$OUT"; fi

nb "${BASE[@]}" --no-vip -B epa-require --no-channel-binding
expect "--no-channel-binding against Require: CRITICAL 401, says bindings were not sent" 2 \
  '^NEGOTIATE CRITICAL - epa-require: 401 after the Kerberos token: cannot decrypt the ticket ' \
  'or Extended Protection Require: --no-channel-binding sent the token without bindings\)$'

mark
nb "${BASE[@]}" --no-vip -B epa-proxy-allow
expect "TLS re-encrypted in front of Allow: correct binding refused, none accepted" 2 \
  '^NEGOTIATE CRITICAL - epa-proxy-allow: channel binding refused, none accepted: TLS re-encrypted in front \(0/1 backends OK\)' \
  "^\[CRITICAL\] epa-proxy-allow: HTTP 401 to the Kerberos token carrying the channel binding \(SHA-256 hash $HEX of the certificate this connection presented, subject CN=sso\\.camtest\\.test\), HTTP 200 to the same without bindings — .*the balancer must pass TCP through, or IIS needs the Proxy flag and the SPN list$"
logged "epa-allow behind the proxy: bound token refused, then one retry without bindings" allow "none bad-bindings ok-unbound"
PROXY_HASH=$(openssl x509 -in "$LAB_EPA_PROXY_CERT" -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
if printf '%s\n' "$OUT" | grep -q "SHA-256 hash $PROXY_HASH of"; then tap_ok "re-encrypted: the hash named is the proxy certificate's"
else tap_fail "re-encrypted: the hash named is the proxy certificate's" "want $PROXY_HASH" "$OUT"; fi

nb "${BASE[@]}" --no-vip -B epa-require -B epa-proxy
expect "Require behind a TLS-terminating device (as -B): the binding did not match, names both certificates" 2 \
  '^NEGOTIATE CRITICAL - epa-proxy: 401 after the token: the channel binding did not match \(1/2 backends OK\)' \
  "^\[CRITICAL\] epa-proxy: .*we hashed the certificate this connection presented \(SHA-256 $PROXY_HASH, subject CN=sso\\.camtest\\.test\), another one than epa-require presents \(SHA-256 $SSO_HASH\)" \
  '^\[OK\] epa-require: '

# the VIP is the TLS-terminating balancer (URL on its name, the SPN stays HTTP/sso...)
nb -u "https://epa-proxy.$LAB_DNS_DOMAIN/" --spn "HTTP/$LAB_FQDN" --keytab "$LAB_MONITOR_KEYTAB" \
  --ca-file "$LAB_CA" --ccache "FILE:$WORK/cc" -B epa-require
expect "VIP terminating TLS in front of Require: the VIP presents another certificate than the backends" 2 \
  '^NEGOTIATE CRITICAL - vip: the VIP presents another certificate than the backends \(TLS terminated in front\) \(1/2 backends OK\)' \
  "^\[CRITICAL\] vip: HTTP 401 to the Kerberos token bound to the certificate the VIP presented \(SHA-256 $PROXY_HASH, subject CN=sso\\.camtest\\.test\) — the VIP presents another certificate than the backends \(epa-require: SHA-256 $SSO_HASH, subject CN=sso\\.camtest\\.test\): TLS is terminated in front of them; with Extended Protection the balancer must pass TCP through, or IIS needs the Proxy flag and the SPN list$"

# ------------------------------------------------------------------ --epa-probe
mark
t0=$(date +%s%N)
nb "${BASE[@]}" --no-vip -B epa-allow -B epa-require --epa-probe
t1=$(date +%s%N)
expect "--epa-probe: Allow and Require told per target, WARNING because they differ" 1 \
  '^NEGOTIATE WARNING - epa-allow: Extended Protection differs \(epa-allow Allow, epa-require Require\); epa-require: Extended Protection differs' \
  ' epa-allow_epa=1;;;0;2 ' ' epa-require_epa=2;;;0;2 ' \
  '^\[WARNING\] epa-allow: HTTP 200 after .*; Extended Protection Allow — the backends differ'
logged "--epa-probe on Allow: 2 extra requests (none accepted, wrong refused)" allow "none ok-bound ok-unbound bad-bindings"
logged "--epa-probe on Require: 1 extra request (none refused)" require "none ok-bound refused-unbound"
echo "# --epa-probe epa-allow + epa-require: $(( (t1 - t0) / 1000000 )) ms"

nb "${BASE[@]}" -B server1 -B server2 --epa-probe
expect "--epa-probe on the healthy farm: OK, Extended Protection None everywhere" 0 \
  '^NEGOTIATE OK - 3/3 backends accept Kerberos for HTTP/sso\.camtest\.test, mutual authentication verified, Extended Protection None \| ' \
  ' vip_epa=0;;;0;2 ' ' server1_epa=0;;;0;2 ' ' server2_epa=0;;;0;2 '

nb "${BASE[@]}" --no-vip -B epa-require --epa Require
expect "--epa Require on a Require backend: OK" 0 \
  '^NEGOTIATE OK - 1/1 backends accept Kerberos for HTTP/sso\.camtest\.test, mutual authentication verified, Extended Protection Require \| ' \
  ' epa-require_epa=2;;;0;2 '

nb "${BASE[@]}" --no-vip -B server1 -B epa-allow --epa Require
expect "--epa Require: None and Allow backends are CRITICAL, each named with its level" 2 \
  '^NEGOTIATE CRITICAL - server1: Extended Protection None, expected Require; epa-allow: Extended Protection Allow, expected Require \(0/2 backends OK\)' \
  'tokenChecking="Require" on this server$' ' server1_epa=0;;;0;2 ' ' epa-allow_epa=1;;;0;2 '

nb "${BASE[@]}" --no-vip -B epa-proxy-allow --epa-probe
expect "--epa-probe behind a re-encrypting proxy: the cause, and the level seen (Allow)" 2 \
  '^NEGOTIATE CRITICAL - epa-proxy-allow: channel binding refused, none accepted: TLS re-encrypted in front ' \
  ' epa-proxy-allow_epa=1;;;0;2 '

# ------------------------------------------------------------------ our mistakes
run_cmd "$P" -u "$URL" --no-channel-binding --epa-probe
expect "--no-channel-binding with --epa-probe: UNKNOWN, one line" 3 \
  '^NEGOTIATE UNKNOWN - --no-channel-binding excludes --epa-probe and --epa \(they send bindings\)$'
run_cmd "$P" -u "$URL" --epa Maybe
expect "--epa with a bad level: UNKNOWN naming the option" 3 \
  "^NEGOTIATE UNKNOWN - --epa: 'Maybe' is not a level \(None, Allow or Require\)$"
run_cmd "$P" -u "http://$LAB_FQDN/" --epa-probe
expect "--epa-probe on an http URL: UNKNOWN" 3 '^NEGOTIATE UNKNOWN - --epa-probe/--epa need an https URL'

tap_end
