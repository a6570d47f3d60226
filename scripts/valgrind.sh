#!/usr/bin/env bash
# scripts/valgrind.sh — valgrind memcheck of every plugin against the lab (on demand; the test
# command does not run it: the test command's own build runs under ASan/UBSan instead).
#
#   scripts/valgrind.sh
#
# As root on Debian 12: installs what is missing (scripts/install-deps.sh valgrind), builds the
# plugins without sanitizers in _build/valgrind, brings up its own lab (namespace iwavg, folder
# _build/lab-vg), and runs each plugin under `valgrind --leak-check=full` against the healthy
# farm and two broken scenarios. One line per run (exit code, memcheck errors, bytes definitely
# and indirectly lost), then a total; exit 1 if any run has an error or a definite leak. Logs:
# _build/valgrind/logs/<run>.vg. Suppressions (system libraries only, each explained):
# tests/valgrind.supp.
set -uo pipefail
umask 022
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 2
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null && exec sudo -E "$0" "$@"
  echo "valgrind.sh: must run as root (the lab needs network namespaces), and sudo is not installed"
  exit 2
fi
B=$TOP/_build/valgrind
LOGS=$B/logs
T0=$(date +%s)
say() { printf '[%4ds] %s\n' "$(($(date +%s) - T0))" "$*"; }
die() { say "ERROR: $*"; exit 2; }

mkdir -p "$LOGS"
rm -f "$LOGS"/*.vg
say "installing missing packages (scripts/install-deps.sh valgrind)"
scripts/install-deps.sh valgrind >"$LOGS/install-deps.log" 2>&1 || die "install-deps (see $LOGS/install-deps.log)"
say "build without sanitizers in _build/valgrind"
{ ./bootstrap && (cd "$B" && "$TOP/configure" --enable-werror CFLAGS='-g -O1') && make -C "$B" -j2; } \
  >"$LOGS/build.log" 2>&1 || die "build (see $LOGS/build.log)"

export LAB=$TOP/tests/lab/lab LAB_NS=iwavg LAB_DIR=$TOP/_build/lab-vg
trap '"$LAB" down >>"$LOGS/lab.log" 2>&1' EXIT
trap 'exit 130' INT TERM
say "lab up ($LAB_NS)"
"$LAB" down >"$LOGS/lab.log" 2>&1
timeout 300 "$LAB" up >>"$LOGS/lab.log" 2>&1 || die "lab up (see $LOGS/lab.log)"
eval "$("$LAB" env)"

P=$B/plugins
SPN=("$P/check_spn_unique" -H "$LAB_DC_FQDN" -f "$LAB_FQDN" -e cam-svc --keytab "$LAB_MONITOR_KEYTAB" -t 60 -v)
AUDIT=("$P/check_spn_unique" -H "$LAB_DC_FQDN" --all --keytab "$LAB_MONITOR_KEYTAB" -t 60)
NB=("$P/check_negotiate_backend" -u "https://$LAB_FQDN/" -B server1 -B server2 --keytab "$LAB_MONITOR_KEYTAB"
  --ca-file "$LAB_CA" -t 60 -v)
GPO=("$P/check_batch_logon_gpo" -H "$LAB_DC_FQDN" --keytab "$LAB_MONITOR_KEYTAB" -a 'CAMTEST\cam-svc'
  -C SERVER1 -C SERVER2 --gpo "$LAB_GPO_NAME" -t 60 -v)

VG=(valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect
  --errors-for-leak-kinds=definite --num-callers=30 --suppressions="$TOP/tests/valgrind.supp")
runs=0 bad=0 tot_err=0 tot_def=0
printf '%-44s %4s %7s %10s %10s\n' "run" "exit" "errors" "definite" "indirect"
# vg NAME SCENARIO|- CMD...: one plugin run under memcheck, inside the lab, in a scenario.
vg() {
  local name=$1 scen=$2 log=$LOGS/$1.vg rc err def ind; shift 2
  if [ "$scen" != - ] && ! "$LAB" scenario "$scen" on >>"$LOGS/lab.log" 2>&1; then
    printf '%-44s scenario %s could not be switched on\n' "$name" "$scen"; bad=$((bad + 1)); return
  fi
  "$LAB" exec "${VG[@]}" --log-file="$log" "$@" >"$LOGS/$name.out" 2>&1
  rc=$?
  [ "$scen" != - ] && "$LAB" scenario "$scen" off >>"$LOGS/lab.log" 2>&1
  err=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$log" | tail -n 1 | tr -d ,)
  def=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tail -n 1 | tr -d ,)
  ind=$(sed -n 's/.*indirectly lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tail -n 1 | tr -d ,)
  [ -n "$err" ] || err=missing
  printf '%-44s %4s %7s %10s %10s   %s\n' "$name" "$rc" "$err" "${def:-0}" "${ind:-0}" "$(head -n 1 "$LOGS/$name.out" | cut -c1-60)"
  runs=$((runs + 1))
  if [ "$err" = missing ] || [ "$err" -ne 0 ] || [ "${def:-0}" -ne 0 ]; then bad=$((bad + 1)); fi
  [ "$err" = missing ] || tot_err=$((tot_err + err))
  tot_def=$((tot_def + ${def:-0}))
}

vg spn_unique-healthy - "${SPN[@]}"
vg spn_unique-dup-spn-computer dup-spn-computer "${SPN[@]}"
vg spn_unique-spn-missing spn-missing "${SPN[@]}"
vg spn_unique-all-healthy - "${AUDIT[@]}"
vg spn_unique-all-dup-spn-case dup-spn-case "${AUDIT[@]}"
vg negotiate_backend-healthy - "${NB[@]}"
vg negotiate_backend-backend-wrong-key backend-wrong-key "${NB[@]}"
vg negotiate_backend-backend-down backend-down "${NB[@]}"
vg batch_logon_gpo-healthy-smb - "${GPO[@]}"
vg batch_logon_gpo-healthy-sysvol-path - "${GPO[@]}" --sysvol-path "$LAB_SYSVOL"
vg batch_logon_gpo-gpo-wrong-ou gpo-wrong-ou "${GPO[@]}"
vg batch_logon_gpo-gpo-missing-right gpo-missing-right "${GPO[@]}"

say "valgrind: $runs runs, $tot_err memcheck errors, $tot_def bytes definitely lost; $bad runs not clean"
[ "$bad" -eq 0 ]
