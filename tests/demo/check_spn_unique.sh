# tests/demo/check_spn_unique.sh — demo snippet for scripts/main-job.sh (sourced; it provides
# demo_run and demo_scenario and exports the lab's environment).
# The healthy SPN (verbose, then JSON), each SPN scenario, and the forest-wide audit (--all)
# on the healthy lab and with duplicates; then a simple bind over LDAPS.
SPN_ARGS=(-H "$LAB_DC_FQDN" -f "$LAB_FQDN" -e cam-svc --keytab "$LAB_MONITOR_KEYTAB")

demo_run "check_spn_unique: healthy lab, verbose" check_spn_unique "${SPN_ARGS[@]}" -v

demo_run "check_spn_unique: --output-format json (owners as subchecks, for Zabbix)" \
  check_spn_unique "${SPN_ARGS[@]}" --output-format json

for s in dup-spn-computer dup-spn-case spn-missing spn-on-computer host-alias; do
  demo_scenario "$s" on
  demo_run "check_spn_unique: scenario $s" check_spn_unique "${SPN_ARGS[@]}"
  demo_scenario "$s" off
done

demo_run "check_spn_unique --all: forest-wide audit (setspn -X -F), healthy lab" \
  check_spn_unique -H "$LAB_DC_FQDN" --all --keytab "$LAB_MONITOR_KEYTAB" -v

demo_scenario dup-spn-computer on
demo_scenario dup-spn-case on
demo_run "check_spn_unique --all: scenarios dup-spn-computer and dup-spn-case" \
  check_spn_unique -H "$LAB_DC_FQDN" --all --keytab "$LAB_MONITOR_KEYTAB"
demo_scenario dup-spn-case off
demo_scenario dup-spn-computer off

demo_run "check_spn_unique: simple bind over LDAPS (password from a file)" \
  check_spn_unique --ldap-uri "ldaps://$LAB_DC_FQDN:3269" --ca-file "$LAB_CA" \
  --bind-dn "$LAB_MONITOR_DN" --password-file "$LAB_MONITOR_PASSWORD_FILE" -f "$LAB_FQDN" -e cam-svc
