#!/usr/bin/env bash
# tests/integration/cname.sh — public names that are DNS aliases (issue 18), against the lab:
# the DC's DNS serves LAB_ALIAS_FQDN (portal) CNAME LAB_CANON_FQDN (lb-vip) A VIP, and
# LAB_FQDN (sso) as a plain A record. check_spn_unique -f: the chain shown; the SPN on the
# typed name only, on the canonical name only, on both, the canonical one on another
# account (exit code, first line, the browsers and the fix named); a plain A record keeps
# the old output; a nameserver that never answers ends within -t naming the stage DNS.
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

# ------------------------------------------------------------------ a plain A record
spn -f "$LAB_FQDN" -e cam-svc -v
expect "A record: OK as before, one DNS answer shown under -v, no alias node" 0 \
  '^SPN_UNIQUE OK - HTTP/sso\.camtest\.test is registered once, on cam-svc \(user\); 5 SPNs checked \|' \
  "^DNS: sso\.camtest\.test A ${LAB_VIP_IP//./\\.} \([0-9.]+ s\); no alias: browsers ask for the name as typed$"
printf '%s\n' "$OUT" | grep -q 'DNS alias' && tap_fail "A record: no alias node" "$OUT" \
  || tap_ok "A record: no alias node"

# ------------------------------------------------------------------ the alias, no SPN
spn -f "$LAB_ALIAS_FQDN" -e cam-svc
expect "alias, neither SPN: CRITICAL (the typed SPN on no account), the chain and both SPNs named" 2 \
  "^SPN_UNIQUE CRITICAL - HTTP/$A is registered on no account" \
  "$A is a DNS alias: $CHAIN" \
  "neither HTTP/$A nor HTTP/$C is registered"

# ------------------------------------------------------------------ SPN on the typed name only
scenario cname-spn-typed on
spn -f "$LAB_ALIAS_FQDN" -e cam-svc
expect "typed only: WARNING, Chrome/Edge fall back to NTLM, fix named" 1 \
  "^SPN_UNIQUE WARNING - Chrome/Edge: fall back to NTLM \(no HTTP/$C\), Firefox: OK \(HTTP/$A\): $A is an alias of $C" \
  "register it on the same account \(\`setspn -S HTTP/$C cam-svc\`\), or make $A an A record" \
  "Chrome and Edge \(policy DisableAuthNegotiateCnameLookup unset or false, the default\) ask for HTTP/$C"

# ------------------------------------------------------------------ both
scenario cname-spn-canonical on
spn -f "$LAB_ALIAS_FQDN" -e cam-svc
expect "both on cam-svc: OK, both browsers named OK" 0 \
  "^SPN_UNIQUE OK - HTTP/$A is registered once, on cam-svc \(user\); 9 SPNs checked \|" \
  "Chrome/Edge: OK \(HTTP/$C\), Firefox: OK \(HTTP/$A\), both on cam-svc"

# ------------------------------------------------------------------ canonical only
scenario cname-spn-typed off
spn -f "$LAB_ALIAS_FQDN" -e cam-svc
expect "canonical only: WARNING (not CRITICAL), Firefox falls back to NTLM, fix named" 1 \
  "^SPN_UNIQUE WARNING - Chrome/Edge: OK \(HTTP/$C\), Firefox: falls back to NTLM \(no HTTP/$A\)" \
  "\`setspn -S HTTP/$A cam-svc\`" \
  "HTTP/$C: registered once, on cam-svc \(user\)"
scenario cname-spn-canonical off

# ------------------------------------------------------------------ canonical on another account
scenario cname-spn-typed on
scenario cname-canonical-elsewhere on
spn -f "$LAB_ALIAS_FQDN" -e cam-svc
expect "canonical on SERVER2\$: CRITICAL, Chrome/Edge get undecryptable tickets, setspn -D/-S" 2 \
  "^SPN_UNIQUE CRITICAL - HTTP/$C \(the SPN Chrome and Edge ask for: $A is an alias of $C\) is registered on SERVER2\\\$ \(computer\), not on cam-svc" \
  'KRB_AP_ERR_MODIFIED' \
  "\`setspn -D HTTP/$C SERVER2\` then \`setspn -S HTTP/$C cam-svc\`"
scenario cname-canonical-elsewhere off
scenario cname-spn-typed off

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
kill "$LISTENER" 2>/dev/null; wait "$LISTENER" 2>/dev/null; LISTENER=
ip -n "$LAB_NS" addr del 127.0.20.53/32 dev lo 2>/dev/null

tap_end
