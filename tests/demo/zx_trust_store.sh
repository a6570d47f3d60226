# tests/demo/zx_trust_store.sh — demo snippet for scripts/main-job.sh (sourced; it provides
# demo_run and exports the lab's environment): the plugins WITHOUT --ca-file, trusting the
# system's store. A copy of /etc/ssl/certs with the lab CA installed the Debian way (file +
# hashed link + bundle) or appended to the bundle only is bound over /etc/ssl/certs in a private
# mount namespace (nothing outside the command sees it). HTTPS reads the CA directory, LDAPS
# the bundle (README "Credential and TLS options" (1)).
NB_STORE=$(mktemp -d)
NB_TS=$TOP/tests/lab/trust-store
"$NB_TS" make "$NB_STORE/debian" debian "$LAB_CA"
"$NB_TS" make "$NB_STORE/bundle" bundle "$LAB_CA"
NB_SYS=(-u "https://$LAB_FQDN/" -B server1 -B server2 --keytab "$LAB_MONITOR_KEYTAB")
demo_run "check_negotiate_backend: the system trust store, lab CA installed the Debian way (no --ca-file)" \
  "$NB_TS" run "$NB_STORE/debian" "$BUILDDIR/plugins/check_negotiate_backend" "${NB_SYS[@]}"
demo_run "check_negotiate_backend: the system trust store, lab CA appended to ca-certificates.crt only" \
  "$NB_TS" run "$NB_STORE/bundle" "$BUILDDIR/plugins/check_negotiate_backend" "${NB_SYS[@]}"
demo_run "check_spn_unique over LDAPS (simple bind): the system trust store, lab CA in the bundle (no --ca-file)" \
  "$NB_TS" run "$NB_STORE/debian" "$BUILDDIR/plugins/check_spn_unique" --ldap-uri "ldaps://$LAB_DC_FQDN:3269" \
  --bind-dn "$LAB_MONITOR_DN" --password-file "$LAB_MONITOR_PASSWORD_FILE" -f "$LAB_FQDN" -e cam-svc
rm -rf "$NB_STORE"
