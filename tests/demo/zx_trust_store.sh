# tests/demo/zx_trust_store.sh — demo snippet for scripts/main-job.sh (sourced; it provides
# demo_run and exports the lab's environment): the plugins WITHOUT --ca-file, trusting the
# system's store. A copy of /etc/ssl/certs with the lab CA installed the Debian way (file +
# hashed link + bundle) or appended to the bundle only is bound over /etc/ssl/certs in a private
# mount namespace (nothing outside the command sees it). HTTPS reads the CA directory, LDAPS
# the bundle (README "Credential and TLS options" (1)).
NB_STORE=$(mktemp -d)
for how in debian bundle; do
  mkdir -p "$NB_STORE/$how"
  cp -L /etc/ssl/certs/ca-certificates.crt "$NB_STORE/$how/" 2>/dev/null
  find /etc/ssl/certs -maxdepth 1 -name '*.pem' -exec cp -L {} "$NB_STORE/$how/" \; 2>/dev/null
  cat "$LAB_CA" >>"$NB_STORE/$how/ca-certificates.crt"
  [ "$how" = debian ] && cp "$LAB_CA" "$NB_STORE/$how/iwa-lab-ca.pem"
  openssl rehash "$NB_STORE/$how" 2>/dev/null
done
NB_SYS=(-u "https://$LAB_FQDN/" -B server1 -B server2 --keytab "$LAB_MONITOR_KEYTAB")
demo_run "check_negotiate_backend: the system trust store, lab CA installed the Debian way (no --ca-file)" \
  unshare -m --propagation private sh -c 'mount --bind "$1" /etc/ssl/certs && shift && exec "$@"' sh \
  "$NB_STORE/debian" "$BUILDDIR/plugins/check_negotiate_backend" "${NB_SYS[@]}"
demo_run "check_negotiate_backend: the system trust store, lab CA appended to ca-certificates.crt only" \
  unshare -m --propagation private sh -c 'mount --bind "$1" /etc/ssl/certs && shift && exec "$@"' sh \
  "$NB_STORE/bundle" "$BUILDDIR/plugins/check_negotiate_backend" "${NB_SYS[@]}"
demo_run "check_spn_unique over LDAPS (simple bind): the system trust store, lab CA in the bundle (no --ca-file)" \
  unshare -m --propagation private sh -c 'mount --bind "$1" /etc/ssl/certs && shift && exec "$@"' sh \
  "$NB_STORE/debian" "$BUILDDIR/plugins/check_spn_unique" --ldap-uri "ldaps://$LAB_DC_FQDN:3269" \
  --bind-dn "$LAB_MONITOR_DN" --password-file "$LAB_MONITOR_PASSWORD_FILE" -f "$LAB_FQDN" -e cam-svc
rm -rf "$NB_STORE"
