# tests/demo/check_batch_logon_gpo.sh — demo snippet for scripts/main-job.sh (sourced; it
# provides demo_run and demo_scenario and exports the lab's environment).
# The healthy farm (over SMB and from a SYSVOL copy), then each broken GPO scenario, then a
# SYSVOL that cannot be read.
GPO_ARGS=(-H "$LAB_DC_FQDN" --keytab "$LAB_MONITOR_KEYTAB" -a 'CAMTEST\cam-svc' -C SERVER1
  -C SERVER2 --gpo "$LAB_GPO_NAME")

demo_run "check_batch_logon_gpo: healthy farm, SYSVOL over SMB2/3 with Kerberos, verbose" \
  check_batch_logon_gpo "${GPO_ARGS[@]}" -v

demo_run "check_batch_logon_gpo: healthy farm, SYSVOL from a local copy (--sysvol-path)" \
  check_batch_logon_gpo "${GPO_ARGS[@]}" --sysvol-path "$LAB_SYSVOL"

for s in gpo-wrong-ou gpo-missing-right gpo-computer-disabled gpo-link-disabled gpo-blocked \
  gpo-version-skew gpo-no-cse; do
  demo_scenario "$s" on
  demo_run "check_batch_logon_gpo: scenario $s" check_batch_logon_gpo "${GPO_ARGS[@]}"
  demo_scenario "$s" off
done

demo_run "check_batch_logon_gpo: SYSVOL unreadable (SMB to a server that has no SMB)" \
  check_batch_logon_gpo "${GPO_ARGS[@]}" --sysvol-host "$LAB_SERVER1_FQDN"
