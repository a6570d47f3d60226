#!/usr/bin/env bash
# tests/integration/cname.sh — public names that are DNS aliases (issue 18), against the lab:
# the DC's DNS serves LAB_ALIAS_FQDN (portal) CNAME LAB_CANON_FQDN (lb-vip) A VIP, and
# LAB_FQDN (sso) as a plain A record. check_spn_unique -f: the chain shown; the SPN on the
# typed name only, on the canonical name only, on both, the canonical one on another
# account (exit code, first line, the browsers and the fix named); a plain A record keeps
# the old output; a nameserver that never answers ends within -t naming the stage DNS.
# check_negotiate_backend -u https://<alias>/: one ticket per SPN browsers ask for, each
# backend tried with each ("Chrome/Edge: OK, Firefox: falls back to NTLM (no HTTP/...)"),
# --spn-from typed|canonical, option errors, the same silent nameserver.
# Env: BUILDDIR, LAB (tests/lab/lab), LAB_NS, LAB_DIR; the lab is up when this starts.
source "$(dirname "$0")/../tap.sh"
set -u

source "$(dirname "$0")/../labtest.sh"
labtest_init check_spn_unique cname

KT=(--keytab "$LAB_MONITOR_KEYTAB")
A=${LAB_ALIAS_FQDN//./\\.}
C=${LAB_CANON_FQDN//./\\.}
CHAIN="$A CNAME $C A ${LAB_VIP_IP//./\\.}"
spn() { run_cmd "$LAB" exec "$P" -H "$LAB_DC_FQDN" "${KT[@]}" "$@"; }
NB=$BUILDDIR/plugins/check_negotiate_backend
NBARGS=(--keytab "$LAB_MONITOR_KEYTAB" --ca-file "$LAB_CA" -B "$LAB_SERVER1_IP" -B "$LAB_SERVER2_IP")
nb() { run_cmd "$LAB" exec "$NB" "${NBARGS[@]}" "$@"; }
URL=https://$LAB_ALIAS_FQDN/

# ------------------------------------------------------------------ a plain A record
spn -f "$LAB_FQDN" -e cam-svc -v
expect "A record: OK as before, one DNS answer shown under -v, no alias node" 0 \
  '^SPN_UNIQUE OK - HTTP/sso\.camtest\.test is registered once, on cam-svc \(user\); 5 SPNs checked \|' \
  "^DNS: sso\.camtest\.test A ${LAB_VIP_IP//./\\.} \([0-9.]+ s\); no alias: browsers ask for the name as typed$"
printf '%s\n' "$OUT" | grep -q 'DNS alias' && tap_fail "A record: no alias node" "$OUT" \
  || tap_ok "A record: no alias node"
nb -u "https://$LAB_FQDN/"
expect "negotiate, A record: the output as before (one ticket, 3/3, no alias node)" 0 \
  '^NEGOTIATE OK - 3/3 backends accept Kerberos for HTTP/sso\.camtest\.test, mutual authentication verified \| backends_ok=3;;;0;3 vip_time=' \
  '^\[OK\] ticket: HTTP/sso\.camtest\.test@CAMTEST\.TEST for monitor@CAMTEST\.TEST'
printf '%s\n' "$OUT" | grep -Eq 'DNS alias|canonical_|Chrome' && tap_fail "negotiate, A record: nothing about aliases" "$OUT" \
  || tap_ok "negotiate, A record: nothing about aliases"

# ------------------------------------------------------------------ the alias, no SPN
spn -f "$LAB_ALIAS_FQDN" -e cam-svc
expect "alias, neither SPN: CRITICAL (the typed SPN on no account), the chain and both SPNs named" 2 \
  "^SPN_UNIQUE CRITICAL - HTTP/$A is registered on no account" \
  "$A is a DNS alias: $CHAIN" \
  "neither HTTP/$A nor HTTP/$C is registered"
nb -u "$URL"
expect "negotiate, alias, neither SPN: CRITICAL, both families fall back to NTLM" 2 \
  "^NEGOTIATE CRITICAL - Chrome/Edge: falls back to NTLM \(no HTTP/$C\), Firefox: falls back to NTLM \(no HTTP/$A\) \($CHAIN\) \|"

# ------------------------------------------------------------------ SPN on the typed name only
scenario cname-spn-typed on
spn -f "$LAB_ALIAS_FQDN" -e cam-svc
expect "typed only: WARNING, Chrome/Edge fall back to NTLM, fix named" 1 \
  "^SPN_UNIQUE WARNING - Chrome/Edge: fall back to NTLM \(no HTTP/$C\), Firefox: OK \(HTTP/$A\): $A is an alias of $C" \
  "register it on the same account \(\`setspn -S HTTP/$C cam-svc\`\), or make $A an A record" \
  "Chrome and Edge \(policy DisableAuthNegotiateCnameLookup unset or false, the default\) ask for HTTP/$C"
nb -u "$URL"
expect "negotiate, typed only: WARNING, Chrome/Edge fall back, Firefox OK on 3/3" 1 \
  "^NEGOTIATE WARNING - Chrome/Edge: falls back to NTLM \(no HTTP/$C\), Firefox: OK \($CHAIN\) \| canonical_backends_ok=0;;;0;3 canonical_ticket_time=[0-9.]+s;;;0 backends_ok=3;;;0;3 " \
  "^\[OK\] Firefox \(HTTP/$A\): OK" \
  "^  \[OK\] 127\.0\.20\.12: HTTP 200 after Negotiate/Kerberos, mutual authentication verified" \
  "^\[WARNING\] Chrome/Edge \(HTTP/$C\): falls back to NTLM" \
  "^\[OK\] $A is a DNS alias: $CHAIN"
nb -u "$URL" --spn-from typed
expect "negotiate, typed only, --spn-from typed: OK for HTTP/$A, the alias shown" 0 \
  "^NEGOTIATE OK - 3/3 backends accept Kerberos for HTTP/$A, mutual authentication verified \|" \
  "^\[OK\] $A is a DNS alias: $CHAIN"

# ------------------------------------------------------------------ both
scenario cname-spn-canonical on
spn -f "$LAB_ALIAS_FQDN" -e cam-svc
expect "both on cam-svc: OK, both browsers named OK" 0 \
  "^SPN_UNIQUE OK - HTTP/$A is registered once, on cam-svc \(user\); 9 SPNs checked \|" \
  "Chrome/Edge: OK \(HTTP/$C\), Firefox: OK \(HTTP/$A\), both on cam-svc"
nb -u "$URL"
expect "negotiate, both: OK, one ticket per SPN, every backend with each" 0 \
  "^NEGOTIATE OK - Chrome/Edge and Firefox: 3/3 backends accept Kerberos for HTTP/$C and HTTP/$A, mutual authentication verified \($CHAIN\) \|" \
  "^  \[OK\] ticket: HTTP/$C@CAMTEST\.TEST for monitor@CAMTEST\.TEST" \
  "^  \[OK\] ticket: HTTP/$A@CAMTEST\.TEST for monitor@CAMTEST\.TEST"
n=$(printf '%s\n' "$OUT" | grep -c 'HTTP 200 after Negotiate/Kerberos, mutual authentication verified')
[ "$n" = 6 ] && tap_ok "negotiate, both: 3 targets x 2 SPNs authenticated" || tap_fail "negotiate, both: 6 authentications" "got $n" "$OUT"

# ------------------------------------------------------------------ canonical only
scenario cname-spn-typed off
spn -f "$LAB_ALIAS_FQDN" -e cam-svc
expect "canonical only: WARNING (not CRITICAL), Firefox falls back to NTLM, fix named" 1 \
  "^SPN_UNIQUE WARNING - Chrome/Edge: OK \(HTTP/$C\), Firefox: falls back to NTLM \(no HTTP/$A\)" \
  "\`setspn -S HTTP/$A cam-svc\`" \
  "HTTP/$C: registered once, on cam-svc \(user\)"
nb -u "$URL"
expect "negotiate, canonical only: WARNING, Chrome/Edge OK, Firefox falls back to NTLM" 1 \
  "^NEGOTIATE WARNING - Chrome/Edge: OK, Firefox: falls back to NTLM \(no HTTP/$A\) \($CHAIN\) \|"
nb -u "$URL" --spn-from canonical
expect "negotiate, canonical only, --spn-from canonical: OK for HTTP/$C" 0 \
  "^NEGOTIATE OK - 3/3 backends accept Kerberos for HTTP/$C, mutual authentication verified \|"
scenario cname-spn-canonical off

# ------------------------------------------------------------------ canonical on another account
scenario cname-spn-typed on
scenario cname-canonical-elsewhere on
spn -f "$LAB_ALIAS_FQDN" -e cam-svc
expect "canonical on SERVER2\$: CRITICAL, Chrome/Edge get undecryptable tickets, setspn -D/-S" 2 \
  "^SPN_UNIQUE CRITICAL - HTTP/$C \(the SPN Chrome and Edge ask for: $A is an alias of $C\) is registered on SERVER2\\\$ \(computer\), not on cam-svc" \
  'KRB_AP_ERR_MODIFIED' ' conflicts=1;;;0 ' \
  "\`setspn -D HTTP/$C SERVER2\` then \`setspn -S HTTP/$C cam-svc\`"
nb -u "$URL"
expect "negotiate, canonical on SERVER2\$: CRITICAL, Chrome/Edge's tickets cannot be decrypted, Firefox OK" 2 \
  "^NEGOTIATE CRITICAL - Chrome/Edge: vip: [^,]*cannot decrypt.*\(0/3 backends OK\), Firefox: OK \($CHAIN\) \|"
scenario cname-canonical-elsewhere off
scenario cname-spn-typed off

# ------------------------------------------------------------------ option errors (UNKNOWN, one line)
expect_one_line "negotiate: --spn-from other is UNKNOWN, the option named" 3 \
  "NEGOTIATE UNKNOWN - --spn-from: 'other' is not typed, canonical or both" \
  "$NB" -u "$URL" --spn-from other
expect_one_line "negotiate: --spn with --spn-from is UNKNOWN" 3 \
  "NEGOTIATE UNKNOWN - --spn-from and --spn exclude each other (--spn is asked for exactly, without DNS)" \
  "$NB" -u "$URL" --spn HTTP/x --spn-from both

# ------------------------------------------------------------------ a nameserver that never answers
# a second address in the namespace with a UDP listener that reads and never answers; the
# plugin runs in its own mount namespace whose resolv.conf names only that server
ip -n "$LAB_NS" addr add 127.0.20.53/32 dev lo 2>/dev/null
printf 'nameserver 127.0.20.53\noptions timeout:1 attempts:1\n' >"$WORK/resolv.conf"
"$LAB" exec "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.20.53", 53))
while True:
    s.recv(4096)
' >/dev/null 2>&1 &
LISTENER=$!
udp_bound() { "$LAB" exec ss -Hnlu 'sport = :53' 2>/dev/null | grep -q '127\.0\.20\.53:53'; }
wait_for 10 udp_bound || tap_fail "silent nameserver did not start"
t0=$(date +%s.%N)
run_cmd "$LAB" exec unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' \
  sh "$WORK/resolv.conf" "$P" -H "$LAB_DC_FQDN" "${KT[@]}" -f "$LAB_ALIAS_FQDN" -e cam-svc -t 4
el=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
expect "silent nameserver: ended within -t 4, the stage DNS named" 2 \
  '^SPN_UNIQUE CRITICAL - DNS: no answer from the nameserver 127\.0\.20\.53 for portal\.camtest\.test within [0-9]+ s'
awk -v e="$el" 'BEGIN { exit !(e < 5.0) }' && tap_ok "silent nameserver: $el s (< 5 s)" \
  || tap_fail "silent nameserver: $el s, wanted < 5 s"
t0=$(date +%s.%N)
run_cmd "$LAB" exec unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' \
  sh "$WORK/resolv.conf" "$NB" "${NBARGS[@]}" -u "$URL" -t 4
el=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
expect "negotiate, silent nameserver: ended within -t 4, the stage DNS named" 2 \
  '^NEGOTIATE CRITICAL - DNS: no answer from the nameserver 127\.0\.20\.53 for portal\.camtest\.test within [0-9]+ s'
awk -v e="$el" 'BEGIN { exit !(e < 5.0) }' && tap_ok "negotiate, silent nameserver: $el s (< 5 s)" \
  || tap_fail "negotiate, silent nameserver: $el s, wanted < 5 s"
kill "$LISTENER" 2>/dev/null; wait "$LISTENER" 2>/dev/null; LISTENER=
ip -n "$LAB_NS" addr del 127.0.20.53/32 dev lo 2>/dev/null

tap_end
