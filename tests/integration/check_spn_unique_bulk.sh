#!/usr/bin/env bash
# tests/integration/check_spn_unique_bulk.sh — check_spn_unique --all on a big directory:
# tests/lab/bulk-load adds 20,000 accounts with 65,000 SPNs and a few planted duplicates;
# the audit must find exactly those, with their owners. Prints the load time, the scan time
# and the peak RSS (/usr/bin/time -v) as TAP comments.
# The load is offline: the DC is stopped (tests/lab/lab dc stop), a copy of its database is
# taken (dc snapshot), the objects are written in one ldb transaction, the DC is started again
# and polled until LDAP, the GC and the KDC answer (dc start). At the end the copy is put back
# (dc restore: the DC stopped, the files replaced, the DC started and polled), so the tests
# that run after it see the usual, healthy lab; the EXIT trap does the same if the test stops
# early, and re-provisions the lab if that fails. Its name sorts last among the
# check_spn_unique tests. Measured: see tests/lab/README.md ("Measured").
# Env: BUILDDIR, LAB (tests/lab/lab), LAB_NS, LAB_DIR; the lab is up when this starts.
source "$(dirname "$0")/../tap.sh"
set -u

source "$(dirname "$0")/../labtest.sh"
labtest_init check_spn_unique spn-bulk
LOADER=$(cd "$(dirname "$0")/../lab" && pwd)/bulk-load
RESTORED=no
cleanup() {
  if [ "$RESTORED" = no ]; then
    if ! "$LAB" dc restore >"$WORK/restore.log" 2>&1; then
      printf '# lab dc restore failed (%s): re-provisioning the lab\n' "$(tail -n 1 "$WORK/restore.log")"
      "$LAB" down >/dev/null 2>&1; "$LAB" up >/dev/null 2>&1
    fi
    "$LAB" reset >/dev/null 2>&1
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
"$LAB" reset >/dev/null 2>&1

# ------------------------------------------------------------------ load
ms_since() { printf '%d' $(( ($(date +%s%N) - $1) / 1000000 )); }
t0=$(date +%s%N)
if "$LAB" dc stop >"$WORK/load.log" 2>&1 && "$LAB" dc snapshot >>"$WORK/load.log" 2>&1; then
  t1=$(date +%s%N)
  "$LOADER" "$LAB_SMB_CONF" load >>"$WORK/load.log" 2>&1; lrc=$?
  t2=$(date +%s%N)
  "$LAB" dc start >>"$WORK/load.log" 2>&1; src=$?
  if [ "$lrc" = 0 ] && [ "$src" = 0 ]; then
    tap_ok "$(grep -o 'bulk-load: .* planted duplicates' "$WORK/load.log"), the DC answers again"
  else
    tap_fail "bulk-load load (offline) and lab dc start" "$(tail -n 20 "$WORK/load.log")"
  fi
  printf '# load time: %d ms (DC stop + snapshot %d ms, writing %d ms, DC start until it answers %d ms)\n' \
    "$(ms_since "$t0")" $(( (t1 - t0) / 1000000 )) $(( (t2 - t1) / 1000000 )) "$(ms_since "$t2")"
  sed -n 's/^bulk-load: .* in \(.*\)$/# bulk-load: \1/p' "$WORK/load.log"
else
  tap_fail "lab dc stop + dc snapshot" "$(tail -n 20 "$WORK/load.log")"
fi
"$LOADER" "$LAB_SMB_CONF" planted >"$WORK/planted.tsv"
NPLANTED=$(wc -l <"$WORK/planted.tsv")

# ------------------------------------------------------------------ audit
t0=$(date +%s%N)
run_cmd "$LAB" exec /usr/bin/time -v -o "$WORK/time.txt" "$P" -H "$LAB_DC_FQDN" --all \
  --keytab "$LAB_MONITOR_KEYTAB" --max-list 100 -t 120 --output-format=json
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
printf '# --all over the bulk directory: %d ms wall, peak RSS %s KiB\n' "$ms" "${rss:-?}"
printf '%s\n' "$OUT" | "$PY" -c '
import json, sys
j = json.load(sys.stdin)
p = {x["label"]: x["value"] for x in j["perfdata"]}
print("# perfdata: objects=%d spns=%d duplicates=%d scan_time=%.3f s" % (p["objects"], p["spns"], p["duplicates"], p["scan_time"]))
' 2>/dev/null
[ "$RC" = 2 ] && tap_ok "--all on the bulk directory: CRITICAL (exit 2)" ||
  tap_fail "--all on the bulk directory: CRITICAL (exit 2)" "rc $RC" "$(printf '%s' "$OUT" | head -c 2000)" "$ERR"

res=$(printf '%s' "$OUT" | "$PY" -c '
import json, sys
j = json.load(sys.stdin)
p = {x["label"]: x["value"] for x in j["perfdata"]}
want = {}
for line in open(sys.argv[1]):
    spn, owners = line.rstrip("\n").split("\t")
    want[spn.lower()] = sorted(o.lower() for o in owners.split(","))
got = {s["name"].lower(): sorted(c["name"].lower() for c in s["subchecks"]) for s in j["subchecks"]}
errs = []
if got != want:
    errs.append("duplicates differ: missing %s, unexpected %s, owners differ %s" % (
        sorted(set(want) - set(got)), sorted(set(got) - set(want)),
        [k for k in want if k in got and got[k] != want[k]]))
if p["duplicates"] != len(want):
    errs.append("perfdata duplicates=%s, want %d" % (p["duplicates"], len(want)))
if p["objects"] < 20000:
    errs.append("objects=%s < 20000" % p["objects"])
if p["spns"] < 50000:
    errs.append("spns=%s < 50000" % p["spns"])
print("; ".join(errs) if errs else "yes")
' "$WORK/planted.tsv" 2>&1)
[ "$res" = yes ] && tap_ok "--all finds exactly the $NPLANTED planted duplicates with their owners (>= 20000 objects, >= 50000 SPNs)" ||
  tap_fail "--all finds exactly the $NPLANTED planted duplicates with their owners" "$res"
[ -n "$rss" ] && [ "$rss" -lt 200000 ] && tap_ok "--all: peak RSS ${rss} KiB (< 200 MB)" ||
  tap_fail "--all: peak RSS ${rss:-?} KiB (< 200 MB)"

# the same in text, with an --exclude that drops two of the planted SPNs
run_cmd "$LAB" exec "$P" -H "$LAB_DC_FQDN" --all --keytab "$LAB_MONITOR_KEYTAB" -t 120 \
  --exclude '^MSSQLSvc/' --exclude '^HOST/bulkpc-'
expect "--all --exclude: the other $((NPLANTED - 2)) duplicates remain" 2 \
  "^SPN_UNIQUE CRITICAL - $((NPLANTED - 2)) duplicate SPNs \(the KDC cannot pick one key: clients fall back to NTLM\): " \
  ' duplicates='"$((NPLANTED - 2))"';;0;0 ' '^\[CRITICAL\] HTTP/bulkweb-00042\.bulk\.camtest\.test is registered on 2 accounts'

# targeted mode is not slowed down by the big directory (one indexed OR search)
run_cmd "$LAB" exec "$P" -H "$LAB_DC_FQDN" -f "$LAB_FQDN" -e cam-svc --keytab "$LAB_MONITOR_KEYTAB"
expect "targeted mode on the bulk directory: OK, cam-svc" 0 \
  '^SPN_UNIQUE OK - HTTP/sso\.camtest\.test is registered once, on cam-svc'
printf '# targeted: %s\n' "$(printf '%s\n' "$OUT" | head -n 1 | grep -o 'search_time=[0-9.]*s')"

# ------------------------------------------------------------------ restore the lab
t0=$(date +%s%N)
if "$LAB" dc restore >"$WORK/restore.log" 2>&1; then
  RESTORED=yes
  ms=$(ms_since "$t0")
  run_cmd "$LAB" exec "$P" -H "$LAB_DC_FQDN" --all --keytab "$LAB_MONITOR_KEYTAB"
  expect "the DC's database is restored without the bulk accounts ($ms ms)" 0 \
    '^SPN_UNIQUE OK - no duplicate SPNs: [0-9]+ SPNs on [0-9] objects scanned'
else
  tap_fail "restoring the DC's database after the bulk test (lab dc restore)" "$(tail -n 20 "$WORK/restore.log")"
fi

tap_end
