# tests/demo/check_iwa_farm.sh — demo snippet for scripts/main-job.sh (sourced; it provides
# demo_run and demo_scenario and exports the lab's environment).
# The whole farm in one run: healthy, then what on-call sees for one and for two broken
# scenarios at once — ONE root cause each, the rest listed as consequences.
FARM_ARGS=(-u "https://$LAB_FQDN/" --server SERVER1 --server SERVER2 -a 'CAMTEST\cam-svc'
  -H "$LAB_DC_FQDN" --keytab "$LAB_MONITOR_KEYTAB" --ca-file "$LAB_CA" --gpo "$LAB_GPO_NAME")

demo_run "check_iwa_farm: healthy farm (SPN, VIP + both backends, GPO in one run)" \
  check_iwa_farm "${FARM_ARGS[@]}"

demo_scenario dup-spn-computer on
demo_run "check_iwa_farm: dup-spn-computer (one cause, not five CRITICALs)" \
  check_iwa_farm "${FARM_ARGS[@]}"
demo_scenario dup-spn-computer off

demo_scenario backend-503 on
demo_scenario gpo-wrong-ou on
demo_run "check_iwa_farm: backend-503 + gpo-wrong-ou (the 503 is the GPO's symptom), JSON" \
  check_iwa_farm "${FARM_ARGS[@]}" --output-format json
demo_scenario gpo-wrong-ou off
demo_scenario backend-503 off

demo_scenario spn-missing on
demo_scenario backend-down on
demo_run "check_iwa_farm: spn-missing + backend-down (two causes)" \
  check_iwa_farm "${FARM_ARGS[@]}"
demo_scenario backend-down off
demo_scenario spn-missing off

# Extended Protection: the lab's IIS-like acceptors as the farm's servers (epa-require,
# epa-allow); epa-proxy as a VIP that terminates TLS in front of them
FARM_EPA=(--server SERVER1=epa-require --server SERVER2=epa-allow -a 'CAMTEST\cam-svc'
  -H "$LAB_DC_FQDN" --keytab "$LAB_MONITOR_KEYTAB" --ca-file "$LAB_CA" --gpo "$LAB_GPO_NAME")
demo_run "check_iwa_farm --epa-probe: backends Require and Allow (one cause: they differ)" \
  check_iwa_farm -u "https://$LAB_FQDN/" "${FARM_EPA[@]}" --no-vip --epa-probe
demo_run "check_iwa_farm: a VIP that terminates TLS in front of Extended Protection (the balancer's cause)" \
  check_iwa_farm -u "https://epa-proxy.$LAB_DNS_DOMAIN/" --spn "HTTP/$LAB_FQDN" "${FARM_EPA[@]}"
