#!/usr/bin/env bash
# scripts/soak.sh — run the test command several times in a row, each on a fresh clone, to show
# that it does not flake (on demand; not part of the test command).
#
#   scripts/soak.sh [-n RUNS] [--busy] [REV]
#
#   -n RUNS  how many runs in a row (default 5); the soak stops at the first failed run
#   --busy   keep the machine busy during every run: `stress-ng --cpu N` with one worker per
#            core (installed when missing), stopped by PID when the run ends
#   REV      what to clone (default HEAD of this checkout)
#
# Each run: `git clone` of REV into a new folder beside this checkout (so ../shared is where CI
# has it), `CI=true bash .ci/run` there, the last line and the time recorded, the clone removed
# when the run passed (kept for a look when it failed). One line per run, then a summary; the
# logs stay in _build/soak/. Exit 1 if any run failed.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 2
usage() { echo "usage: scripts/soak.sh [-n RUNS] [--busy] [REV]"; exit 2; }
runs=5 busy=no rev=HEAD
while [ $# -gt 0 ]; do
  case "$1" in
    -n) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
    --busy) busy=yes; shift ;;
    -*) usage ;;
    *) rev=$1; shift ;;
  esac
done
case "$runs" in '' | *[!0-9]*) usage ;; esac
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null && exec sudo -E "$0" "$@"
  echo "soak.sh: must run as root (the test command does), and sudo is not installed"; exit 2
fi
commit=$(git rev-parse --verify "$rev^{commit}") || { echo "soak.sh: $rev is not a commit"; exit 2; }
if [ "$busy" = yes ] && ! command -v stress-ng >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends stress-ng >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends stress-ng; } ||
    { echo "soak.sh: cannot install stress-ng"; exit 2; }
fi
LOGS=$TOP/_build/soak
mkdir -p "$LOGS"
STRESS=
stop_stress() { [ -n "$STRESS" ] && kill "$STRESS" 2>/dev/null && wait "$STRESS" 2>/dev/null; STRESS=; }
trap stop_stress EXIT
trap 'exit 130' INT TERM

echo "soak: $runs runs of the test command on fresh clones of ${commit:0:12}$([ "$busy" = yes ] && echo ", machine busy (stress-ng --cpu $(nproc))")"
ok=0
for i in $(seq 1 "$runs"); do
  dir=$(dirname "$TOP")/soak-$$-$i
  log=$LOGS/run-$i.log
  rm -rf "$dir"
  git clone -q "$TOP" "$dir" && git -C "$dir" checkout -q "$commit" || { echo "soak: clone failed"; exit 2; }
  if [ "$busy" = yes ]; then
    stress-ng --cpu "$(nproc)" --timeout 5400s >/dev/null 2>&1 &
    STRESS=$!
  fi
  t=$(date +%s)
  (cd "$dir" && CI=true bash .ci/run </dev/null) >"$log" 2>&1
  rc=$?
  secs=$(($(date +%s) - t))
  stop_stress
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  last=$(tail -n 1 "$log")
  printf 'soak: run %d/%d: exit %d in %d s: %s (load %s)\n' "$i" "$runs" "$rc" "$secs" "$last" "$load"
  if [ "$rc" -ne 0 ]; then
    echo "soak: run $i failed; its clone is kept in $dir, its log in ${log#"$TOP"/}"
    grep -E '^--- |FAILED' "$log" | head -n 20 | sed 's/^/    /'
    break
  fi
  ok=$((ok + 1))
  rm -rf "$dir"
done
echo "soak: $ok of $runs runs passed in a row"
[ "$ok" -eq "$runs" ]
