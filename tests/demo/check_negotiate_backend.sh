# tests/demo/check_negotiate_backend.sh — demo snippet for scripts/main-job.sh (sourced; it
# provides demo_run and demo_scenario and exports the lab's environment).
# The healthy farm, then each broken backend scenario and a missing SPN.
NB_ARGS=(-u "https://$LAB_FQDN/" -B server1 -B server2 --keytab "$LAB_MONITOR_KEYTAB"
  --ca-file "$LAB_CA")

demo_run "check_negotiate_backend: healthy farm (VIP + both backends), verbose" \
  check_negotiate_backend "${NB_ARGS[@]}" -v

demo_run "check_negotiate_backend: --output-format json (for Zabbix dependent items)" \
  check_negotiate_backend "${NB_ARGS[@]}" --output-format json

for s in backend-wrong-key backend-503 backend-ntlm-only backend-down; do
  demo_scenario "$s" on
  demo_run "check_negotiate_backend: scenario $s" check_negotiate_backend "${NB_ARGS[@]}" --no-vip
  demo_scenario "$s" off
done

demo_scenario backend-blackhole on
demo_run "check_negotiate_backend: scenario backend-blackhole (-t 5: still exits in time)" \
  check_negotiate_backend "${NB_ARGS[@]}" --no-vip -t 5
demo_scenario backend-blackhole off

demo_scenario spn-missing on
demo_run "check_negotiate_backend: scenario spn-missing" check_negotiate_backend "${NB_ARGS[@]}"
demo_scenario spn-missing off

# The system trust store (no --ca-file): a copy of /etc/ssl/certs with the lab CA installed the
# Debian way (file + hashed link + bundle), bound over /etc/ssl/certs in a private mount
# namespace; then with the CA appended to the bundle only (the directory is what is read).
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
rm -rf "$NB_STORE"
