#!/usr/bin/env bash
# tests/integration/sasl_explicit_creds.sh — the SASL GSSAPI bind (common/directory.c) uses the
# run's credential cache, handed to libldap explicitly (LDAP_OPT_X_SASL_GSS_CREDS), not the
# cache KRB5CCNAME names: tests/integration/sasl_creds_probe sets up monitor's credentials from
# its keytab, then unsets KRB5CCNAME or points it at another cache (empty, missing, or holding
# Administrator's TGT) before binding, and must be bound as monitor every time.
# Env: BUILDDIR, LAB (tests/lab/lab), LAB_NS, LAB_DIR; the lab is up when this starts.
source "$(dirname "$0")/../tap.sh"
set -u

source "$(dirname "$0")/../labtest.sh"
labtest_init check_spn_unique sasl_creds

PROBE=$BUILDDIR/tests/integration/sasl_creds_probe
URI=ldap://$LAB_DC_FQDN
ME=monitor@$LAB_REALM
MONITOR_RE="^bound as monitor@$LAB_REALM$"

probe() { run_cmd "$LAB" exec "$PROBE" "$URI" "$LAB_MONITOR_KEYTAB" "$ME" "$1"; }

probe unset
expect "KRB5CCNAME unset: bound as monitor" 0 "$MONITOR_RE"

probe "FILE:$WORK/missing/cache"
expect "KRB5CCNAME names a missing cache: bound as monitor" 0 "$MONITOR_RE"

: >"$WORK/empty.cc"
probe "FILE:$WORK/empty.cc"
expect "KRB5CCNAME names an empty file: bound as monitor" 0 "$MONITOR_RE"

# Another principal's TGT in the cache KRB5CCNAME names: had SASL looked there, the directory
# would say Administrator.
OTHER=$WORK/admin.cc
if "$LAB" exec env KRB5CCNAME="FILE:$OTHER" kinit "Administrator@$LAB_REALM" \
  <"$LAB_DIR/secrets/admin.pw" >/dev/null 2>&1 &&
  "$LAB" exec env KRB5CCNAME="FILE:$OTHER" klist -s; then
  tap_ok "a cache holding Administrator's TGT"
else
  tap_fail "a cache holding Administrator's TGT" "kinit Administrator failed"
fi
probe "FILE:$OTHER"
expect "KRB5CCNAME names Administrator's cache: still bound as monitor" 0 "$MONITOR_RE"

tap_end
