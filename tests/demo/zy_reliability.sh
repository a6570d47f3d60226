# tests/demo/zy_reliability.sh — demo snippet for scripts/main-job.sh (sourced; it provides
# demo_run and demo_scenario and exports the lab's environment). What the plugins say when the
# mistake is ours (UNKNOWN, before any network I/O), when a server hangs (the stage that hung,
# within -t) and when a server is hostile (a named cap instead of unbounded memory or time).
# The fake KDC and the fake web backend are the integration tests' own
# (tests/integration/kdc_blackhole.py, negotiate_fake_backend.py), started inside the lab's
# namespace and stopped by PID.
_zy_it=$(cd "$(dirname "${BASH_SOURCE[0]}")/../integration" && pwd)
_zy_dir=$(mktemp -d)
_zy_pids=()
_zy_end() {
  local p
  for p in "${_zy_pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$_zy_dir"
}
trap _zy_end EXIT

SPN_ARGS=(-H "$LAB_DC_FQDN" -f "$LAB_FQDN" -e cam-svc --keytab "$LAB_MONITOR_KEYTAB")

# --- our own mistakes: UNKNOWN, one line naming the option and why
: >"$_zy_dir/empty.pem"
demo_run "our mistake: a --ca-file that holds no certificate (UNKNOWN before any connection)" \
  check_negotiate_backend -u "https://$LAB_FQDN/" -B server1 --keytab "$LAB_MONITOR_KEYTAB" \
  --ca-file "$_zy_dir/empty.pem"
demo_run "our mistake: a --keytab that does not exist" \
  check_spn_unique -H "$LAB_DC_FQDN" -f "$LAB_FQDN" --keytab /etc/iwa/monitr.keytab
demo_run "our mistake: --bind-dn for the GPO check without --sysvol-path (SMB would use an ambient cache)" \
  check_batch_logon_gpo -H "$LAB_DC_FQDN" -a 'CAMTEST\cam-svc' -C SERVER1 \
  --bind-dn "$LAB_MONITOR_DN" --password-file "$LAB_MONITOR_PASSWORD_FILE" --ca-file "$LAB_CA"

# --- a KDC that never answers (accepts TCP, then silence): the stage is named, within -t
"$LAB" exec /usr/bin/python3 "$_zy_it/kdc_blackhole.py" 127.0.20.1 3290 "$LAB_DC_IP" silent \
  >/dev/null 2>&1 &
_zy_pids+=($!)
"$LAB" exec /usr/bin/python3 "$_zy_it/kdc_blackhole.py" 127.0.20.1 3291 "$LAB_DC_IP" tgs \
  >/dev/null 2>&1 &
_zy_pids+=($!)
"$LAB" wait-tcp 10 127.0.20.1 3290 3291 >/dev/null
source "$_zy_it/../labtest.sh"   # kdc_conf
for _zy_port in 3290 3291; do kdc_conf "$_zy_port" "$_zy_dir/krb5-$_zy_port.conf"; done
demo_run "a KDC that never answers the login (-t 3): the KDC and the stage named" \
  env KRB5_CONFIG="$_zy_dir/krb5-3290.conf" "$BUILDDIR/plugins/check_spn_unique" "${SPN_ARGS[@]}" -t 3
demo_run "a KDC that answers the login but never the service ticket (-t 3)" \
  env KRB5_CONFIG="$_zy_dir/krb5-3291.conf" "$BUILDDIR/plugins/check_negotiate_backend" \
  -u "https://$LAB_FQDN/" -B server1 --no-vip --keytab "$LAB_MONITOR_KEYTAB" --ca-file "$LAB_CA" -t 3

# --- a hostile web backend: caps and named causes
"$LAB" exec /usr/bin/python3 "$_zy_it/negotiate_fake_backend.py" 127.0.0.1 18090 "$_zy_dir/fake.log" \
  >/dev/null 2>&1 &
_zy_pids+=($!)
"$LAB" wait-tcp 10 127.0.0.1 18090 >/dev/null
for _zy_path in endless bigheader loop notspnego hang; do
  demo_run "a hostile backend: /$_zy_path" check_negotiate_backend -u "http://$LAB_FQDN:18090/$_zy_path" \
    -B 127.0.0.1:18090 --no-vip --keytab "$LAB_MONITOR_KEYTAB" -t 3
done
_zy_end
trap - EXIT
