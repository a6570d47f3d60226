#!/usr/bin/env bash
# tests/integration/trust_store.sh — check_negotiate_backend WITHOUT --ca-file trusts the
# system's store the way README "Credential and TLS options" (1) says: libcurl's CA directory
# (Debian: /etc/ssl/certs, hashed links), not the bundle file beside it. Each case runs in a
# private mount namespace (tests/lab/trust-store) where /etc/ssl/certs is a copy of this machine's with
# the lab CA added one way or another; nothing outside the test sees the copy.
#  - the lab CA installed the Debian way (a PEM file + its hashed link, and in the bundle):
#    OK through the VIP and both backends, channel binding sent;
#  - only its hashed link, not in the bundle: OK (the directory is what is read);
#  - only appended to the bundle (no link): not trusted — CRITICAL naming the TLS cause;
#  - the unchanged copy: not trusted either.
# And check_spn_unique over LDAPS (simple bind, --password-file; Samba refuses GSSAPI over TLS)
# without --ca-file: the system's CA bundle (libldap's own ldap.conf/LDAPTLS_CACERT, which the
# lab's environment sets to the lab CA, play no part): OK with the lab CA in the copy's bundle,
# UNKNOWN "the TLS certificate trusted (--ca-file)?" without it.
# Env: BUILDDIR, LAB (tests/lab/lab), LAB_NS, LAB_DIR; the lab is up when this starts.
source "$(dirname "$0")/../tap.sh"
set -u

source "$(dirname "$0")/../labtest.sh"
labtest_init check_negotiate_backend trust_store

CC=$WORK/cc
if "$LAB" exec env KRB5CCNAME="FILE:$CC" kinit -k -t "$LAB_MONITOR_KEYTAB" "$LAB_MONITOR_PRINCIPAL" >/dev/null 2>&1; then
  tap_ok "monitor's TGT for the trust store cases"
else
  tap_fail "monitor's TGT for the trust store cases" "kinit -k monitor failed"
fi

# store NAME HOW: a copy of /etc/ssl/certs in $WORK/NAME with the lab CA added HOW (debian,
# link, bundle, none: tests/lab/trust-store)
STORE=$(dirname "$0")/../lab/trust-store
store() { "$STORE" make "$WORK/$1" "$2" "$LAB_CA" || tap_fail "store copy $1 ($2)"; }

# with_store NAME ARGS...: the plugin without --ca-file, /etc/ssl/certs bound to $WORK/NAME
with_store() {
  local d=$WORK/$1; shift
  run_cmd "$LAB" exec "$STORE" run "$d" "$P" -u "https://$LAB_FQDN/" -B server1.camtest.test -B server2.camtest.test \
    --ccache "FILE:$CC" "$@"
}

store debian debian
with_store debian -v
expect "lab CA installed the Debian way: OK without --ca-file" 0 \
  "^NEGOTIATE OK - 3/3 backends accept Kerberos for HTTP/$LAB_FQDN, mutual authentication verified" \
  "channel binding: sent tls-server-end-point SHA-256 [0-9a-f]{64} of CN=$LAB_FQDN"

store link link
with_store link
expect "lab CA as a hashed link only: the directory is read (OK)" 0 "^NEGOTIATE OK - 3/3 backends"

store bundle bundle
with_store bundle
expect "lab CA appended to the bundle only: not trusted (CRITICAL, TLS cause)" 2 \
  "^NEGOTIATE CRITICAL - vip: TLS certificate not trusted; server1.camtest.test: TLS certificate not trusted; server2.camtest.test: TLS certificate not trusted \(0/3 backends OK\)"

store none none
with_store none
expect "system store without the lab CA: not trusted (CRITICAL)" 2 \
  "^NEGOTIATE CRITICAL - vip: TLS certificate not trusted;"

# with_store_spn NAME ARGS...: check_spn_unique over LDAPS without --ca-file, /etc/ssl/certs
# bound to $WORK/NAME
SPN_P=$BUILDDIR/plugins/check_spn_unique
with_store_spn() {
  local d=$WORK/$1; shift
  run_cmd "$LAB" exec "$STORE" run "$d" "$SPN_P" --ldap-uri "ldaps://$LAB_DC_FQDN:3269" --bind-dn "$LAB_MONITOR_DN" \
    --password-file "$LAB_MONITOR_PASSWORD_FILE" -f "$LAB_FQDN" -e cam-svc "$@"
}
with_store_spn debian
expect "LDAPS: lab CA in the system's bundle: OK without --ca-file" 0 \
  "^SPN_UNIQUE OK - HTTP/$LAB_FQDN is registered once, on cam-svc"
with_store_spn none
expect "LDAPS: system store without the lab CA: UNKNOWN, not trusted" 3 \
  '^SPN_UNIQUE UNKNOWN - cannot reach ldaps://dc1\.camtest\.test:3269 .*the TLS certificate trusted \(--ca-file\)\?\)$'

tap_end
