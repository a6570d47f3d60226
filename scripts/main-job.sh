#!/usr/bin/env bash
# scripts/main-job.sh — the project's main job (README "Quick start", command 1).
# As root on a Debian 12 machine (run by another user, it re-runs itself through sudo; without
# sudo it says so and exits 2): installs missing packages, builds the plugins in
# _build/main, brings up the bundled lab (a Samba AD DC, two Kerberos web backends behind an
# L4 balancer, in the network namespace "iwamain") and runs every check against it — the
# healthy farm first, then each broken scenario — showing what a monitoring engine would see.
# The lab is taken down at the end (also on failure or Ctrl-C).
#
# Demo snippets: tests/demo/*.sh are sourced (each in a subshell, in name order) with:
#   demo_run "Title" CMD [ARGS...]   run CMD inside the lab; show the command line as you
#                                    would type it, its stdout and "[exit N]". A CMD named
#                                    check_* means the plugin just built.
#   demo_scenario NAME on|off        switch a lab scenario (see: tests/lab/lab scenarios)
# and the lab's environment (LAB_*, KRB5_CONFIG, ...) exported.
# A plugin without a demo snippet is shown with --help (or reported as not built).
set -uo pipefail
# shellcheck source=as-root.sh
. "$(dirname "$0")/as-root.sh" || exit 2
IWA_AS_ROOT_KEEP="LAB_NS LAB_DIR" iwa_as_root "$0" "$@"
umask 022
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 2
B=$TOP/_build/main
LOGS=$B/logs
T0=$(date +%s)

hr() { printf '%s\n' "================================================================================"; }
say() { printf '[%4ds] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }
die() { say "ERROR: $*"; exit 1; }

# step NAME LOG CMD...: runs CMD with its output in LOG; on failure shows the log's tail.
step() {
  local name=$1 log=$2; shift 2
  say "$name"
  if ! "$@" >"$log" 2>&1; then
    tail -n 30 "$log" | sed 's/^/    | /'
    die "$name failed (full log: ${log#"$TOP"/})"
  fi
}

mkdir -p "$LOGS"
hr; echo "iwa-plugins main job: build, start the lab, run every check against it"; hr
step "installing missing Debian packages (scripts/install-deps.sh all)" "$LOGS/install-deps.log" \
  scripts/install-deps.sh all
step "bootstrap" "$LOGS/bootstrap.log" ./bootstrap
step "configure (in _build/main)" "$LOGS/configure.log" \
  bash -c 'cd "$1" && "$2/configure"' _ "$B" "$TOP"
step "make -j2" "$LOGS/make.log" make -C "$B" -j2
# the plugins as the build lists them (Makefile.am: print-plugins)
mapfile -t PLUGINS < <(make -s --no-print-directory -C "$B" print-plugins | grep -E "^check_[A-Za-z0-9_]+$")
[ ${#PLUGINS[@]} -gt 0 ] || die "make print-plugins in ${B#"$TOP"/} listed no plugin"

export BUILDDIR=$B
export LAB=$TOP/tests/lab/lab
export LAB_NS=${LAB_NS:-iwamain}
export LAB_DIR=${LAB_DIR:-$TOP/_build/lab-main}
[ -x "$LAB" ] || die "the lab (tests/lab/lab) is missing"

lab_down() { say "lab down"; "$LAB" down >>"$LOGS/lab-down.log" 2>&1 || say "lab down failed (see $LOGS/lab-down.log)"; }
trap 'lab_down' EXIT
trap 'exit 130' INT TERM
"$LAB" down >"$LOGS/lab-down.log" 2>&1
t=$(date +%s)
step "lab up (namespace $LAB_NS, folder ${LAB_DIR#"$TOP"/})" "$LOGS/lab-up.log" "$LAB" up
say "lab up in $(( $(date +%s) - t )) s"
# The lab's environment, so demo command lines can name $LAB_MONITOR_KEYTAB and friends.
set -a
# shellcheck disable=SC1090
source <("$LAB" env)
set +a

# How a user would type the command: plugins by name, arguments quoted only when needed.
demo_cmdline() {
  local out="" a
  for a in "$@"; do
    case "$a" in "$BUILDDIR"/plugins/*) a=${a#"$BUILDDIR"/plugins/} ;; esac
    if [[ "$a" =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then out+=" $a"; else
      out+=" '${a//\'/\'\\\'\'}'"; fi
  done
  printf '%s\n' "${out# }"
}

DEMO_COUNT=$LOGS/demo-runs.count
: >"$DEMO_COUNT"
export DEMO_COUNT
demo_run() {
  local title=$1; shift
  local cmd=("$@") out err rc
  [[ "${cmd[0]}" == check_* ]] && cmd[0]=$BUILDDIR/plugins/${cmd[0]}
  echo
  echo "--- $title"
  echo "\$ $(demo_cmdline "${cmd[@]}")"
  err=$(mktemp)
  out=$("$LAB" exec "${cmd[@]}" 2>"$err"); rc=$?
  [ -n "$out" ] && printf '%s\n' "$out"
  [ -s "$err" ] && sed 's/^/stderr: /' "$err"
  rm -f "$err"
  echo "[exit $rc]"
  printf '%s|%s\n' "$rc" "$title" >>"$DEMO_COUNT"
  return 0
}

demo_scenario() {
  local name=$1 onoff=$2
  echo
  echo ">>> lab scenario $name $onoff"
  if ! "$LAB" scenario "$name" "$onoff" >>"$LOGS/scenarios.log" 2>&1; then
    echo ">>> (scenario $name $onoff FAILED: see ${LOGS#"$TOP"/}/scenarios.log)"
  fi
  return 0
}
export -f demo_run demo_scenario demo_cmdline

for p in "${PLUGINS[@]}"; do
  [ -e "tests/demo/$p.sh" ] && continue
  hr; echo "$p (no demo yet: its --help)"; hr
  if [ -x "$B/plugins/$p" ]; then demo_run "$p --help" "$p" --help
  else echo "$p: not built yet (no plugins/$p.am program)"; fi
done
for f in tests/demo/*.sh; do
  [ -f "$f" ] || continue
  hr; echo "demo: ${f#tests/demo/}"; hr
  ( set +u; source "$f" ) || say "demo $f ended with status $?"
  "$LAB" reset >>"$LOGS/scenarios.log" 2>&1
done

hr
echo "Recap: the state each check reported"
while IFS='|' read -r rc title; do
  case "$rc" in 0) st=OK ;; 1) st=WARNING ;; 2) st=CRITICAL ;; 3) st=UNKNOWN ;; *) st="exit $rc" ;; esac
  printf '  %-9s %s\n' "$st" "$title"
done <"$DEMO_COUNT"
hr
say "done: $(wc -l <"$DEMO_COUNT") checks shown; logs in ${LOGS#"$TOP"/}"
