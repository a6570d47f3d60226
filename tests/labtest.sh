# tests/labtest.sh — the common opening of an integration test against the lab (source it
# after tests/tap.sh). Env: BUILDDIR (build dir), LAB (tests/lab/lab), LAB_NS, LAB_DIR; the
# lab is up.
#
#   labtest_init PLUGIN WORKNAME
# sets P (the plugin's path), PY (Debian's python3), the lab's environment (lab env), a work
# folder $WORK, and an EXIT trap that kills $LISTENER (a helper process a test may start; set
# it back to empty once stopped), resets every lab scenario and removes $WORK.
#   scenario NAME on|off   switches a lab scenario; a failed switch is a failed assertion.

labtest_init() {
  LAB=${LAB:?LAB must point at tests/lab/lab}
  BUILDDIR=${BUILDDIR:?BUILDDIR must be the build directory}
  P=$BUILDDIR/plugins/$1
  PY=/usr/bin/python3
  eval "$("$LAB" env)"
  WORK=$BUILDDIR/tests/integration/$2.$$
  mkdir -p "$WORK"
  LISTENER=
  trap labtest_cleanup EXIT
}

labtest_cleanup() {
  [ -n "${LISTENER:-}" ] && kill "$LISTENER" 2>/dev/null
  "$LAB" reset >/dev/null 2>&1
  rm -rf "$WORK"
}

scenario() { "$LAB" scenario "$1" "$2" >/dev/null 2>&1 || tap_fail "lab scenario $1 $2"; }

# kdc_hole PORT MODE CONF: starts tests/integration/kdc_blackhole.py in the lab's namespace on
# 127.0.20.1:PORT as $LISTENER (MODE: silent, tgs, hold=SERVICE... — see the script), waits
# (bounded) until it accepts, and writes CONF: the lab's krb5.conf with that listener as the
# only (TCP) KDC. kdc_hole_stop ends it.
kdc_hole() {
  "$LAB" exec "$PY" "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/integration/kdc_blackhole.py" \
    127.0.20.1 "$1" "$LAB_DC_IP" "$2" >/dev/null 2>&1 &
  LISTENER=$!
  "$LAB" wait-tcp 10 127.0.20.1 "$1" >/dev/null || tap_fail "fake KDC on port $1 did not start"
  kdc_conf "$1" "$3"
}
# kdc_conf PORT CONF: the lab's krb5.conf with 127.0.20.1:PORT as the only KDC, over TCP.
kdc_conf() {
  sed -e "s#^\([[:space:]]*kdc[[:space:]]*=\).*#\1 127.0.20.1:$1#" \
    -e 's#^\(\[libdefaults\]\)#\1\n\tudp_preference_limit = 1#' "$KRB5_CONFIG" >"$2"
}
kdc_hole_stop() { [ -n "${LISTENER:-}" ] && kill "$LISTENER" 2>/dev/null && wait "$LISTENER" 2>/dev/null; LISTENER=; }
