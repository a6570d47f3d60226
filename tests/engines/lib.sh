# tests/engines/lib.sh — shared by the engine tests (icinga2.sh, nagios.sh, zabbix.sh) and
# tests/demo/zz_icinga2.sh. Source it after tests/tap.sh.
# Needs env BUILDDIR (build dir holding plugins/), LAB (tests/lab/lab), LAB_NS, LAB_DIR; the
# lab is up. The engines run the real plugins (the build's; IWA_ENGINE_PLUGINDIR overrides
# the folder, e.g. installed ones); there is no stand-in to drift from them.
ENG_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ENG_CONTRIB=$ENG_SRC/contrib
: "${BUILDDIR:?BUILDDIR must name the build directory}" "${LAB:?LAB must name tests/lab/lab}"
: "${LAB_NS:?}" "${LAB_DIR:?}"
BUILDDIR=$(cd "$BUILDDIR" && pwd)
ENG_PLUGINDIR=${IWA_ENGINE_PLUGINDIR:-$BUILDDIR/plugins}
# The plugins as the build lists them (Makefile.am: print-plugins).
mapfile -t ENG_PLUGINS < <(make -s --no-print-directory -C "$BUILDDIR" print-plugins 2>/dev/null |
  grep -E "^check_[A-Za-z0-9_]+$")
# The plugins may be built with ASan/LSan: the engines hand their environment down to the
# checks, so the suppressions of known leaks inside system libraries reach the plugins (the
# test command sets these; a bare run gets the same defaults).
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ENG_SRC/tests/lsan.supp:print_suppressions=0}

eng_now() { date +%s.%N; }
# eng_since T0: seconds since T0, two decimals.
eng_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }

# eng_workdir NAME: a fresh directory under the build dir (tests write only there).
eng_workdir() {
  mkdir -p "$BUILDDIR/engines-run"
  mktemp -d "$BUILDDIR/engines-run/$1.XXXXXX"
}

# eng_lab_env: reads the lab's environment (as `$LAB exec` gives it to commands) into LABENV.
declare -gA LABENV=()
eng_lab_env() {
  local line
  while IFS= read -r line; do
    case $line in LAB_*=*|KRB5*=*) LABENV[${line%%=*}]=${line#*=} ;; esac
  done < <("$LAB" exec /usr/bin/env)
  [ -n "${LABENV[LAB_MONITOR_KEYTAB]:-}" ]
}
eng_dc_name() { echo "${LABENV[LAB_DC_FQDN]:-${LABENV[LAB_DC_NAME]:-dc1.camtest.test}}"; }
eng_fqdn() { echo "${LABENV[LAB_VIP_FQDN]:-${LABENV[LAB_FQDN]:-sso.camtest.test}}"; }

# eng_plugins_present: tap assertion that the plugins the build lists are built.
eng_plugins_present() {
  local p missing=()
  if [ ${#ENG_PLUGINS[@]} -eq 0 ]; then
    tap_fail "plugins present in $ENG_PLUGINDIR" "make print-plugins in $BUILDDIR listed none"
    return 1
  fi
  for p in "${ENG_PLUGINS[@]}"; do [ -x "$ENG_PLUGINDIR/$p" ] || missing+=("$p"); done
  if [ ${#missing[@]} -eq 0 ]; then tap_ok "plugins present in $ENG_PLUGINDIR"; return 0; fi
  tap_fail "plugins present in $ENG_PLUGINDIR" "missing: ${missing[*]}"; return 1
}

# eng_watchdog SECONDS: bounds the whole test; on expiry the test gets SIGTERM (its EXIT
# trap stops the engine and reverts the lab). eng_watchdog_stop in the EXIT trap.
ENG_WATCHDOG=""
eng_watchdog() {
  local me=$$
  (
    trap 'kill "$s" 2>/dev/null; exit 0' TERM
    sleep "$1" >/dev/null 2>&1 </dev/null & s=$!
    wait "$s" || exit 0
    printf 'not ok - test finished within %ss (watchdog)\n' "$1"; kill -TERM "$me"
  ) &
  ENG_WATCHDOG=$!
}
eng_watchdog_stop() {
  if [ -n "$ENG_WATCHDOG" ]; then kill "$ENG_WATCHDOG" 2>/dev/null; wait "$ENG_WATCHDOG" 2>/dev/null; fi
  ENG_WATCHDOG=""
}

# eng_start: the opening of every engine test (after its EXIT trap is set): TERM/INT end the
# test through that trap, the watchdog (ENGINE_TEST_TIMEOUT, default 115 s), then the assertions that the plugins are built and the lab's environment is read.
# Returns 1 (after tap_end) when the test cannot go on: `eng_start || exit 1`.
eng_start() {
  trap 'exit 1' TERM INT
  eng_watchdog "${ENGINE_TEST_TIMEOUT:-115}"
  eng_plugins_present || { tap_end; return 1; }
  if eng_lab_env; then
    tap_ok "lab environment read (keytab ${LABENV[LAB_MONITOR_KEYTAB]})"; return 0; fi
  tap_fail "lab environment read" "\`$LAB exec env\` has no LAB_MONITOR_KEYTAB"
  tap_end; return 1
}

# eng_finish DIR: the common part of every engine test's EXIT trap: all lab scenarios off,
# the watchdog stopped, DIR (the engine's folder: logs, config) removed unless an assertion
# failed.
eng_finish() {
  "$LAB" reset >/dev/null 2>&1
  eng_watchdog_stop
  [ "$TAP_FAILED" -eq 0 ] && [ -n "${1:-}" ] && rm -rf "$1"
}

# eng_expect_state ENGINE SERVICE WANT REGEX STATE OUTPUT: tap assertion that the engine
# shows SERVICE in state WANT with OUTPUT matching REGEX (grep -Ez: across lines).
eng_expect_state() {
  local eng=$1 svc=$2 want=$3 re=$4 st=$5 out=$6
  if [ "$st" = "$want" ] && printf '%s' "$out" | grep -Ezq -- "$re"; then
    tap_ok "$eng: $svc state $want, output /$re/"
  else
    tap_fail "$eng: $svc state $want, output /$re/" "state: $st" "output: $out"
  fi
}

# eng_took NAME LIMIT: one assertion that the whole engine test (since the test's own
# T_START=$(eng_now)) took less than LIMIT seconds.
eng_took() {
  local d; d=$(eng_since "$T_START")
  if awk -v d="$d" -v l="$2" 'BEGIN { exit !(d < l) }'; then tap_ok "$1 engine test took ${d}s (< $2 s)"; else
    tap_fail "$1 engine test took ${d}s (< $2 s)"; fi
}

# eng_zabbix_healthy LABEL BACKEND...: the shipped Zabbix template's items on the healthy lab,
# each with the test's own expect_item KEY REGEX (zabbix.sh: the template evaluated by the
# test; zabbix-server.sh: a real server): the plugins' states and counts; BACKEND... (what the
# backend discovery gave, any order) is exactly $S1 $S2 vip (one assertion "LABEL <found>");
# each backend's discovered state, HTTP status and time.
eng_zabbix_healthy() {
  local label=$1 b found want; shift
  expect_item iwa.spn_unique.state '^0$'
  expect_item iwa.spn_unique.owners '^1$'
  expect_item iwa.spn_audit.state '^0$'
  expect_item iwa.spn_audit.duplicates '^0$'
  expect_item iwa.negotiate_backend.state '^0$'
  expect_item iwa.negotiate_backend.ok '^3$'
  expect_item iwa.batch_logon_gpo.state '^0$'
  found=$(printf '%s\n' "$@" | sort | paste -sd' ')
  want=$(printf '%s\n' "$S1" "$S2" vip | sort | paste -sd' ')
  if [ "$found" = "$want" ]; then tap_ok "$label $found"; else
    tap_fail "$label $S1 $S2 vip" "found: $found"; fi
  for b in "$S1" "$S2" vip; do
    expect_item "iwa.negotiate_backend.backend.state[$b]" '^OK$'
    expect_item "iwa.negotiate_backend.backend.status[$b]" '^2[0-9][0-9]$'
    expect_item "iwa.negotiate_backend.backend.time[$b]" '^[0-9]+(\.[0-9]+)?$'
  done
}

# eng_scenario_states RUN NAME TIMEOUT SERVICE STATE REGEX [SERVICE STATE REGEX]...: turns
# lab scenario NAME on, has the engine check the services (RUN "scenario NAME" TIMEOUT
# SERVICE...), asserts each with the test's own expect_state SERVICE STATE REGEX, and turns
# the scenario off again.
eng_scenario_states() {
  local run=$1 name=$2 t=$3; shift 3
  local svcs=() args=("$@")
  while [ $# -gt 0 ]; do svcs+=("$1"); shift 3; done
  eng_scenario "$name" on || return
  "$run" "scenario $name" "$t" "${svcs[@]}"
  set -- "${args[@]}"
  while [ $# -gt 0 ]; do expect_state "$1" "$2" "$3"; shift 3; done
  eng_scenario "$name" off
}

# eng_scenario NAME on|off : toggles a lab scenario (the switch returns once the lab shows the
# new state); the engine is under test, not the lab, so a refused switch is tried again for up
# to ENG_SCENARIO_WAIT seconds (30, a bounded poll) before it is a tap failure.
eng_scenario() {
  ENG_SCENARIO_TRIES=0 ENG_SCENARIO_OUT=
  if wait_for "${ENG_SCENARIO_WAIT:-30}" _eng_switch "$1" "$2"; then
    [ "$ENG_SCENARIO_TRIES" -gt 1 ] &&
      printf '# lab scenario %s %s needed %d tries\n' "$1" "$2" "$ENG_SCENARIO_TRIES"
    return 0
  fi
  tap_fail "lab scenario $1 $2" "refused $ENG_SCENARIO_TRIES times in ${ENG_SCENARIO_WAIT:-30} s; last:" \
    "$ENG_SCENARIO_OUT"
  return 1
}
_eng_switch() {
  ENG_SCENARIO_TRIES=$((ENG_SCENARIO_TRIES + 1))
  ENG_SCENARIO_OUT=$("$LAB" scenario "$1" "$2" 2>&1)
}

# eng_kill_pid PID NAME [WAIT_S]: SIGTERM, wait until gone, SIGKILL as a last resort.
# Returns 0 when it stopped on SIGTERM.
# eng_alive PID: running (a zombie waiting for its parent counts as gone).
eng_alive() {
  local st
  st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}
eng_gone() { ! eng_alive "$1"; }
eng_kill_pid() {
  local pid=$1
  [ -n "$pid" ] && eng_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null
  wait_for "${3:-15}" eng_gone "$pid" && return 0
  kill -KILL "$pid" 2>/dev/null
  wait_for 5 eng_gone "$pid"
  return 1
}

# eng_write_ini FILE: the plugins' directory and Kerberos options for the lab, one section per
# plugin, as a site keeps them for --extra-opts (used with contrib/nagios and contrib/zabbix).
eng_write_ini() {
  cat > "$1" <<EOF
[spn_unique]
host = $(eng_dc_name)
keytab = ${LABENV[LAB_MONITOR_KEYTAB]}
principal = ${LABENV[LAB_MONITOR_PRINCIPAL]}

[negotiate_backend]
keytab = ${LABENV[LAB_MONITOR_KEYTAB]}
principal = ${LABENV[LAB_MONITOR_PRINCIPAL]}
ca-file = ${LABENV[LAB_CA]}

[batch_logon_gpo]
host = $(eng_dc_name)
keytab = ${LABENV[LAB_MONITOR_KEYTAB]}
principal = ${LABENV[LAB_MONITOR_PRINCIPAL]}

[iwa_farm]
host = $(eng_dc_name)
keytab = ${LABENV[LAB_MONITOR_KEYTAB]}
principal = ${LABENV[LAB_MONITOR_PRINCIPAL]}
ca-file = ${LABENV[LAB_CA]}
EOF
  chmod 600 "$1"
}
