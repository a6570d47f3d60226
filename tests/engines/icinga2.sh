#!/usr/bin/env bash
# Engine test: Icinga 2 runs the plugins against the lab with contrib/icinga2 as shipped.
# Icinga 2 runs from a private folder inside the lab namespace; every service is forced
# through the REST API and its state, output and perfdata read back; every perfdata item goes
# through Icinga's own parse_performance_data; one broken scenario per plugin.
# Env: BUILDDIR LAB LAB_NS LAB_DIR (lab up). TAP on stdout.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../tap.sh"
source "$here/lib.sh"
source "$here/icinga2-lib.sh"
T_START=$(eng_now)

cleanup() {
  icinga_stop >/dev/null 2>&1
  eng_finish "${W:-}"
}
trap cleanup EXIT
eng_start || exit 1

W=$(eng_workdir icinga2)
# Test-only overlay: a probe that shows which environment Icinga gives to check commands
# (printenv, no shell: Icinga would take $...$ as macros).
cat > "$W/overlay.conf" <<'EOF'
object CheckCommand "iwa-test-envprobe" {
  command = [ "/usr/bin/printenv", "KRB5_CONFIG", "LSAN_OPTIONS" ]
}
apply Service "iwa-test-envprobe" {
  check_command = "iwa-test-envprobe"
  assign where host.vars.iwa_fqdn
}
EOF
icinga_setup "$W" "$W/overlay.conf" || { tap_fail "icinga2 private folder set up"; tap_end; exit 1; }

icinga_validate
expect "icinga2 -C accepts contrib/icinga2 (commands and apply rules) unchanged" 0 '' \
  'Instantiated [0-9]+ CheckCommands' 'Instantiated 1 Host' 'Instantiated 7 Services' \
  'Instantiated 3 Dependencies'

tap_check "every CheckCommand argument is an option the plugin --help documents" \
  /usr/bin/python3 "$here/options_documented.py" "$ENG_PLUGINDIR" "$ENG_CONTRIB/icinga2/iwa-commands.conf"
if icinga_start; then
  tap_ok "icinga2 started in the lab namespace (PID $ICINGA_PID, API up in ${ICINGA_START_SECONDS}s)"
else
  tap_fail "icinga2 started in the lab namespace" "$(tail -n 20 "$W/log/stdout.log" "$W/log/icinga2.log" 2>/dev/null)"
  tap_end; exit 1
fi

# results_of LABEL TIMEOUT [SERVICE...]: forces, stores JSON lines in $RES.
results_of() {
  local label=$1 t0; shift
  t0=$(eng_now)
  if RES=$(icinga_force "$@"); then
    tap_ok "$label: forced checks returned through the REST API in $(eng_since "$t0")s"
  else
    tap_fail "$label: forced checks returned through the REST API" "$RES"; RES=""
  fi
}
# expect_state SERVICE STATE REGEX: one assertion on a result in $RES (icinga2-lib.sh).
expect_state() { icinga_expect_state icinga2 "$@"; }

# --- healthy lab: every service OK, perfdata parsed by Icinga ---
results_of "healthy lab" 60
probe=$(icinga_field iwa-test-envprobe output)
if [ "$probe" = "${LABENV[KRB5_CONFIG]}"$'\n'"$LSAN_OPTIONS" ]; then
  tap_ok "icinga2 passes the lab environment to check commands (KRB5_CONFIG, LSAN_OPTIONS)"
else
  tap_fail "icinga2 passes the lab environment to check commands" "probe output: $probe"
fi
SERVICES=(iwa-spn-unique iwa-spn-audit iwa-negotiate-server1 iwa-negotiate-server2
  iwa-negotiate-vip iwa-batch-logon-gpo)
icinga_expect_healthy
for svc in "${SERVICES[@]}"; do
  mapfile -t items < <(printf '%s\n' "$RES" | jq -r --arg s "$svc" \
    'select(.service==$s) | .performance_data[]')
  bad=()
  for it in "${items[@]}"; do icinga_parse_perfdata "$it" || bad+=("rejected: $it"); done
  if [ ${#items[@]} -gt 0 ] && [ ${#bad[@]} -eq 0 ]; then
    tap_ok "icinga2: $svc perfdata (${#items[@]} items) all pass parse_performance_data"
  else
    tap_fail "icinga2: $svc perfdata passes parse_performance_data" "items: ${#items[@]}" "${bad[@]}"
  fi
done

# --- one scenario per plugin: the expected non-OK state in Icinga, then revert ---
# scenario NAME TIMEOUT SERVICE STATE REGEX [SERVICE STATE REGEX]...
# scenario NAME TIMEOUT SERVICE STATE REGEX [SERVICE STATE REGEX]...
scenario() { eng_scenario_states results_of "$@"; }
scenario spn-missing 40 iwa-spn-unique 2 '^SPN_UNIQUE CRITICAL - .*HTTP/'
# Dependencies (contrib/icinga2/iwa-dependencies.conf): while the SPN service is CRITICAL the
# login services are not reachable (their notifications suppressed); the parent is checked
# first, then the children.
LOGINS=(iwa-negotiate-server1 iwa-negotiate-server2 iwa-negotiate-vip)
# expect_reachable WANT SERVICE...: last_reachable of each service's latest result.
expect_reachable() {
  local want=$1 svc got; shift
  for svc in "$@"; do
    got=$(icinga_field "$svc" reachable)
    if [ "$got" = "$want" ]; then tap_ok "icinga2: $svc reachable=$want"; else
      tap_fail "icinga2: $svc reachable=$want" "got: $got (state $(icinga_field "$svc" state))"; fi
  done
}
results_of "healthy lab (parent, again after the scenario above)" 40 iwa-spn-unique
results_of "healthy lab (logins)" 40 "${LOGINS[@]}"
expect_reachable true "${LOGINS[@]}"
if eng_scenario spn-missing on; then
  results_of "scenario spn-missing (parent)" 40 iwa-spn-unique
  expect_state iwa-spn-unique 2 '^SPN_UNIQUE CRITICAL - '
  results_of "scenario spn-missing (logins)" 40 "${LOGINS[@]}"
  expect_reachable false "${LOGINS[@]}"
  eng_scenario spn-missing off
  results_of "scenario spn-missing off (parent)" 40 iwa-spn-unique
  results_of "scenario spn-missing off (logins)" 40 "${LOGINS[@]}"
  expect_reachable true "${LOGINS[@]}"
fi
scenario backend-503 40 iwa-negotiate-server1 2 '^NEGOTIATE CRITICAL - .*503' \
  iwa-negotiate-server2 0 '^NEGOTIATE OK - '
scenario gpo-wrong-ou 40 iwa-batch-logon-gpo 2 '^BATCH_LOGON CRITICAL - .*(ServiceAccounts|WebServers)'

# --- stop by PID ---
t0=$(eng_now); pid=$ICINGA_PID
if icinga_stop; then tap_ok "icinga2 (PID $pid) stopped on SIGTERM in $(eng_since "$t0")s"; else
  tap_fail "icinga2 (PID $pid) stopped on SIGTERM" "had to be killed"; fi
eng_took "icinga2" 120
tap_end
