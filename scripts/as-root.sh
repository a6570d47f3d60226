# scripts/as-root.sh — sourced by scripts/main-job.sh and scripts/run-tests.sh (the README's
# commands) before anything else:  . "$(dirname "$0")/as-root.sh"; iwa_as_root "$0" "$@"
#
# iwa_as_root SCRIPT ARGS...: returns when running as root. Otherwise runs SCRIPT again
# through sudo (exec: the exit status is the script's), keeping the script's own knobs that are
# set (IWA_AS_ROOT_KEEP, names separated by spaces); without sudo: one line on stderr, exit 2.
iwa_as_root() {
  [ "$(id -u)" = 0 ] && return 0
  local script keep=() v
  script=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
  shift
  if ! command -v sudo >/dev/null 2>&1; then
    printf '%s: must run as root (network namespaces, Debian packages) and sudo is not installed: run it as root\n' \
      "$(basename "$script")" >&2
    exit 2
  fi
  for v in ${IWA_AS_ROOT_KEEP:-}; do [ -n "${!v+x}" ] && keep+=("$v=${!v}"); done
  [ ${#keep[@]} -eq 0 ] && exec sudo -- "$script" "$@"
  exec sudo -- env "${keep[@]}" "$script" "$@"
}
