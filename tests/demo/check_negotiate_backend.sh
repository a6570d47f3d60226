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

