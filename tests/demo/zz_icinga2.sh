# tests/demo/zz_icinga2.sh — the main job's last demo (sorted last): the checks' states as
# Icinga 2 sees them. Sourced by scripts/main-job.sh (BUILDDIR, LAB, LAB_NS, LAB_DIR and the
# lab env exported; demo_scenario available). Starts Icinga 2 from a private folder inside the
# lab namespace with contrib/icinga2 as shipped and PluginDir = the plugins just built, forces
# every service through the REST API, prints service/state/output, then stops Icinga by PID.
_zz_here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../engines" && pwd)
source "$_zz_here/../tap.sh"   # wait_for (the bounded poll icinga2-lib.sh uses)
source "$_zz_here/lib.sh"
source "$_zz_here/icinga2-lib.sh"

_zz_table() {
  local states=(OK WARNING CRITICAL UNKNOWN)
  printf '%-24s %-9s %s\n' SERVICE STATE "OUTPUT (first line)"
  printf '%-24s %-9s %s\n' "------------------------" "---------" "-------------------"
  printf '%s\n' "$1" | jq -r '[.service, (.state|tostring), (.output|split("\n")[0])] | @tsv' |
    while IFS=$'\t' read -r svc st out; do
      out=${out%"${out##*[![:space:]]}"}
      [ ${#out} -gt 150 ] && out="${out:0:147}..."
      printf '%-24s %-9s %s\n' "$svc" "${states[$st]:-$st}" "$out"
    done
}

_zz_run() {
  local res t0
  t0=$(eng_now)
  if ! res=$(icinga_force 90); then
    echo "Icinga 2 did not return every result: $res"
    return 1
  fi
  echo "(all services forced with POST /v1/actions/reschedule-check, force=true; results"
  echo " from GET /v1/objects/services last_check_result after $(eng_since "$t0") s)"
  echo
  _zz_table "$res"
}

_zz_main() {
  eng_lab_env || { echo "cannot read the lab environment"; return 1; }
  local w; w=$(eng_workdir demo-icinga2)
  icinga_setup "$w" || { echo "cannot set up Icinga 2 in $w"; return 1; }
  trap 'icinga_stop >/dev/null 2>&1; rm -rf "'"$w"'"' EXIT
  echo "Icinga 2 $(icinga2 --version 2>/dev/null | sed -n 's/.*(version: \(.*\))/\1/p' | head -n 1)," \
    "private folder ${w#"$BUILDDIR"/}, loading contrib/icinga2/iwa-commands.conf and"
  echo "iwa-services.conf unchanged, PluginDir = $ENG_PLUGINDIR,"
  echo "one farm host built from the lab (see contrib/icinga2/iwa-hosts.conf.example)."
  if ! icinga_start; then
    echo "Icinga 2 did not start:"; tail -n 20 "$w/log/icinga2.log" 2>/dev/null
    return 1
  fi
  echo "icinga2 daemon started inside the lab namespace: PID $ICINGA_PID, REST API up in ${ICINGA_START_SECONDS} s"
  echo
  echo "=== healthy farm"
  _zz_run
  demo_scenario backend-503 on
  demo_scenario gpo-wrong-ou on
  echo
  echo "=== server1's app pool stopped (503) and the GPO linked to the service accounts' OU"
  _zz_run
  demo_scenario gpo-wrong-ou off
  demo_scenario backend-503 off
  demo_scenario dup-spn-computer on
  echo
  echo "=== HTTP/sso.camtest.test also registered on SERVER1\$ (the KDC then refuses tickets)"
  _zz_run
  demo_scenario dup-spn-computer off
  echo
  local pid=$ICINGA_PID t0; t0=$(eng_now)
  icinga_stop && echo "icinga2 (PID $pid) stopped with SIGTERM in $(eng_since "$t0") s"
  trap - EXIT
  rm -rf "$w"
}
_zz_main
