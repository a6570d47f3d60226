#!/usr/bin/env bash
# tests/integration/rc4.sh — RC4 retirement against the lab: check_spn_unique's targeted mode
# (the owner's keys probed at the KDC, the ticket asked with an AES session key only) and
# --all --rc4, healthy and in each RC4 scenario (owner-rc4-only, owner-no-aes, kdc-no-rc4
# alone and with owner-rc4-only): exit code, first line with the cause and fix, perfdata;
# --allow-rc4; the KDC cost (2 exchanges cold, 0 with a kept --ccache).
# check_negotiate_backend: the ticket line's enctype/session key, an RC4 ticket (WARNING,
# --allow-rc4), and a backend without the ticket's key (backend-keytab-rc4,
# backend-keytab-old-kvno: the KRB-ERROR in its 401 named, not the useAppPoolCredentials cause).
# Env: BUILDDIR, LAB (tests/lab/lab), LAB_NS, LAB_DIR; the lab is up when this starts.
source "$(dirname "$0")/../tap.sh"
set -u

source "$(dirname "$0")/../labtest.sh"
labtest_init check_spn_unique rc4

KT=(--keytab "$LAB_MONITOR_KEYTAB")
TARGET=(-H "$LAB_DC_FQDN" -f "$LAB_FQDN" -e cam-svc)
FIX="tickets for HTTP/sso\.camtest\.test fail on domain controllers that no longer issue RC4 \(enforced since July 2026\); reset cam-svc's password \(the domain creates AES keys\), then set msDS-SupportedEncryptionTypes to 0x18 and re-export any keytab"
spn() { run_cmd "$LAB" exec "$P" "$@"; }

# ------------------------------------------------------------------ healthy
spn "${TARGET[@]}" "${KT[@]}"
expect "healthy: OK, AES ticket named, 2 KDC exchanges" 0 \
  '^SPN_UNIQUE OK - HTTP/sso\.camtest\.test is registered once, on cam-svc \(user\); 5 SPNs checked \|.* kdc_exchanges=2;;;0 kdc_time=[0-9.]+s;;;0$' \
  '^\[OK\] tickets for HTTP/sso\.camtest\.test are aes256-cts-hmac-sha1-96 \(session key aes256-cts-hmac-sha1-96, kvno 2\); msDS-SupportedEncryptionTypes=0x18$' \
  '^    key probe: the KDC holds aes256-cts-hmac-sha1-96 keys for cam-svc$'

# warm cache: a kept --ccache answers both questions without the KDC
CC=FILE:$WORK/cc
spn "${TARGET[@]}" "${KT[@]}" --ccache "$CC"
expect "kept --ccache, first run: 2 KDC exchanges" 0 '^SPN_UNIQUE OK .* kdc_exchanges=2;;;0'
spn "${TARGET[@]}" "${KT[@]}" --ccache "$CC"
expect "kept --ccache, second run: 0 KDC exchanges, answers from the cache" 0 \
  '^SPN_UNIQUE OK .* kdc_exchanges=0;;;0' '\(cached in the credential cache\)$' '\(from the credential cache\)$'

spn "${TARGET[@]}" "${KT[@]}" --rc4
expect "--rc4 without --all: UNKNOWN naming the option" 3 \
  '^SPN_UNIQUE UNKNOWN - --rc4 only applies to --all \(the targeted mode always checks the owner.s keys\)$'
spn -H "$LAB_DC_FQDN" --all --rc4 "${KT[@]}"
expect "--all --rc4 healthy: OK, counts 0" 0 \
  '^SPN_UNIQUE OK - no duplicate SPNs: .* rc4_only=0;;;0 no_aes_keys=0;;;0$' \
  '^\[OK\] no SPN owner is RC4-only or without AES keys$'

# ------------------------------------------------------------------ owner-rc4-only
scenario owner-rc4-only on
spn "${TARGET[@]}" "${KT[@]}"
expect "owner-rc4-only: WARNING, RC4 named with the fix" 1 \
  '^SPN_UNIQUE WARNING - cam-svc allows only RC4 \(msDS-SupportedEncryptionTypes=0x4\): tickets for HTTP/sso\.camtest\.test are RC4 \(arcfour-hmac\); works today, cheap to crack offline, breaks when RC4 is switched off; set msDS-SupportedEncryptionTypes to 0x18 and re-export any keytab \|' \
  '^    ticket: arcfour-hmac, session key arcfour-hmac, kvno 2$'
spn "${TARGET[@]}" "${KT[@]}" --allow-rc4
expect "owner-rc4-only --allow-rc4: OK, the risk still shown" 0 \
  '^SPN_UNIQUE OK - HTTP/sso\.camtest\.test is registered once' '\(accepted: --allow-rc4\)$'
spn -H "$LAB_DC_FQDN" --all --rc4 "${KT[@]}"
expect "owner-rc4-only --all --rc4: WARNING, cam-svc listed, rc4_only=1" 1 \
  '^SPN_UNIQUE WARNING - 0 SPN owners without AES keys, 1 RC4-only: .* rc4_only=1;;;0 no_aes_keys=0;;;0$' \
  '^    cam-svc \(user\): RC4 only \(msDS-SupportedEncryptionTypes=0x4\)$'

# ------------------------------------------------------------------ + kdc-no-rc4
scenario kdc-no-rc4 on
spn "${TARGET[@]}" "${KT[@]}"
expect "owner-rc4-only + kdc-no-rc4: CRITICAL, the KDC refuses (ETYPE_NOSUPP)" 2 \
  "^SPN_UNIQUE CRITICAL - the KDC refuses tickets for HTTP/sso\.camtest\.test \(KDC_ERR_ETYPE_NOSUPP\) while cam-svc allows only RC4 \(msDS-SupportedEncryptionTypes=0x4\): $FIX \|.* kdc_exchanges=2;;;0"
spn "${TARGET[@]}" "${KT[@]}" --allow-rc4
expect "owner-rc4-only + kdc-no-rc4 --allow-rc4: still CRITICAL (it fails today)" 2 \
  '^SPN_UNIQUE CRITICAL - the KDC refuses tickets'
scenario owner-rc4-only off
spn "${TARGET[@]}" "${KT[@]}"
expect "kdc-no-rc4 alone: OK (cam-svc is AES)" 0 \
  '^SPN_UNIQUE OK - HTTP/sso\.camtest\.test is registered once' '^\[OK\] tickets for HTTP/sso\.camtest\.test are aes256-cts-hmac-sha1-96'
scenario kdc-no-rc4 off

# ------------------------------------------------------------------ owner-no-aes
scenario owner-no-aes on
spn "${TARGET[@]}" "${KT[@]}"
expect "owner-no-aes: CRITICAL, no AES keys (key probe) with the fix" 2 \
  "^SPN_UNIQUE CRITICAL - cam-svc has no AES keys \(the KDC offers only arcfour-hmac for it\): $FIX \|" \
  '^    key probe: the KDC holds arcfour-hmac keys for cam-svc$' \
  '^    ticket \(asked with an AES session key only\): arcfour-hmac, session key aes256-cts-hmac-sha1-96, kvno 2$'
spn "${TARGET[@]}" "${KT[@]}" --allow-rc4
expect "owner-no-aes --allow-rc4: still CRITICAL" 2 '^SPN_UNIQUE CRITICAL - cam-svc has no AES keys'
spn "${TARGET[@]}" "${KT[@]}" --output-format json
json=$(printf '%s' "$OUT" | "$PY" -c '
import json, sys
j = json.load(sys.stdin)
n = [s for s in j["subchecks"] if s.get("name") == "encryption"]
print("yes" if n and n[0]["state"] == "CRITICAL" and j["exit_code"] == 2 else "no: " + json.dumps(j)[:2000])' 2>&1)
[ "$json" = yes ] && tap_ok "owner-no-aes JSON: subcheck encryption CRITICAL" || tap_fail "owner-no-aes JSON: subcheck encryption CRITICAL" "$json"
scenario owner-no-aes off

# ------------------------------------------------------------------ check_negotiate_backend
NBP=$BUILDDIR/plugins/check_negotiate_backend
NB=(-u "https://$LAB_FQDN/" --keytab "$LAB_MONITOR_KEYTAB" --ca-file "$LAB_CA" -B server1 -B server2 --fresh-ticket)
nb() { run_cmd "$LAB" exec "$NBP" "$@"; }
nb "${NB[@]}"
expect "negotiate healthy: OK, ticket line names enctype, kvno, session key" 0 \
  '^NEGOTIATE OK - 3/3 backends accept Kerberos for HTTP/sso\.camtest\.test, mutual authentication verified \|' \
  '^\[OK\] ticket: HTTP/sso\.camtest\.test@CAMTEST\.TEST for monitor@CAMTEST\.TEST, new service ticket from the KDC, aes256-cts-hmac-sha1-96 kvno 2, session key aes256-cts-hmac-sha1-96$'
scenario owner-rc4-only on
nb "${NB[@]}"
expect "negotiate owner-rc4-only: WARNING, the RC4 ticket named with the fix" 1 \
  "^NEGOTIATE WARNING - the ticket for HTTP/sso\.camtest\.test is RC4 \(arcfour-hmac, session key arcfour-hmac, kvno 2\): works today, cheap to crack offline, breaks when RC4 is switched off; set msDS-SupportedEncryptionTypes to 0x18 on the SPN's owner \(reset its password first if it predates AES keys\) and re-export any keytab \(3/3 backends accept Kerberos\) \| backends_ok=3;;;0;3 " \
  '^\[WARNING\] ticket: HTTP/sso\.camtest\.test@CAMTEST\.TEST for monitor@CAMTEST\.TEST, new service ticket from the KDC, the ticket for'
nb "${NB[@]}" --allow-rc4
expect "negotiate owner-rc4-only --allow-rc4: OK, RC4 still on the ticket line" 0 \
  '^NEGOTIATE OK - 3/3 backends accept Kerberos' \
  '^\[OK\] ticket: .*, arcfour-hmac kvno 2, session key arcfour-hmac \(RC4 accepted: --allow-rc4\)$'
scenario owner-rc4-only off
NOKEY="server2 has no key for aes256-cts-hmac-sha1-96 \(the ticket's enctype, kvno 2\): its keytab or password predates the account's AES keys, or its keytab predates the last password change \(kvno 2\); re-export the keytab / reset the pool account's password \(the server says: KRB_AP_ERR_BADKEYVER, key version is not available\)"
for sc in backend-keytab-rc4 backend-keytab-old-kvno; do
  scenario $sc on
  nb "${NB[@]}"
  expect "negotiate $sc: CRITICAL, server2 has no key for the ticket's enctype/kvno (not useAppPoolCredentials)" 2 \
    "^NEGOTIATE CRITICAL - .*server2: 401 after the Kerberos token: no key for the ticket's enctype/kvno \([12]/3 backends OK\) \|" \
    "^\[CRITICAL\] $NOKEY$" '^\[OK\] server1: HTTP 200'
  printf '%s\n' "$OUT" | grep -q useAppPoolCredentials && tap_fail "negotiate $sc: no useAppPoolCredentials advice" "$OUT" \
    || tap_ok "negotiate $sc: no useAppPoolCredentials advice"
  scenario $sc off
done

# ------------------------------------------------------------------ a KDC that never answers
# tests/integration/kdc_blackhole.py hold=WORD relays every request but those holding WORD:
# the key probe's AS-REQ names cam-svc in clear, the ticket's TGS-REQ names sso.camtest.test.
hang_case() { # name port word regex
  local t0 ms
  kdc_hole "$2" "hold=$3" "$WORK/krb5-$2.conf"
  t0=$(date +%s%N)
  run_cmd "$LAB" exec env KRB5_CONFIG="$WORK/krb5-$2.conf" "$P" "${TARGET[@]}" "${KT[@]}" -t 3
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  kdc_hole_stop
  expect "$1: CRITICAL naming the KDC and the stage" 2 "$4"
  if [ "$ms" -le 4000 ]; then tap_ok "$1: done within -t + 1 s (${ms} ms)"; else tap_fail "$1: done within -t + 1 s" "took ${ms} ms"; fi
}
hang_case "the key probe hangs" 3281 cam-svc \
  "^SPN_UNIQUE CRITICAL - the KDC could not be asked about cam-svc's keys: the KDC \(127\.0\.20\.1:3281\) did not answer within [0-9.]+ s while probing the keys of cam-svc@CAMTEST\.TEST \(AS-REQ without pre-authentication\)"
hang_case "the AES-only ticket hangs" 3282 sso.camtest \
  "^SPN_UNIQUE CRITICAL - the KDC could not be asked about cam-svc's keys: the KDC \(127\.0\.20\.1:3282\) did not answer within [0-9.]+ s while getting a ticket for HTTP/sso\.camtest\.test@CAMTEST\.TEST with an AES session key only"
tap_end
