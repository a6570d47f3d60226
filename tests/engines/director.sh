#!/usr/bin/env bash
# Engine test: the Icinga Director basket contrib/icinga2/director-basket.json, restored and
# rendered by Debian 12's icingaweb2-module-director (1.10.2) through icingacli, on a private
# PostgreSQL cluster (unix socket in a temp folder) and a private ICINGAWEB_CONFIGDIR.
# Asserts: the committed basket equals a fresh run of make-director-basket.py; the Director
# restores it (twice: a re-import replaces, it does not duplicate); every CheckCommand it shows
# AND the config it renders for deployment have the same arguments (names, value, set_if,
# repeat_key, required, description) as contrib/icinga2/iwa-commands.conf; one data field per
# custom variable, attached to its command; the service templates with their check_command.
# Needs no lab and no plugins. Waits are bounded polls; PostgreSQL stops by PID in the EXIT trap.
# TAP on stdout.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../tap.sh"
SRC=$(cd "$here/../.." && pwd)
C2=$SRC/contrib/icinga2
GEN=$C2/make-director-basket.py
BASKET=$C2/director-basket.json
CONF=$C2/iwa-commands.conf
PGBIN=/usr/lib/postgresql/15/bin
MODS=/usr/share/icingaweb2/modules
T_START=$(date +%s.%N)
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }
P="" PG_PID="" PG_LAUNCHER=""

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
gone() { ! alive "$1"; }
# pg_stop: PostgreSQL's "fast" shutdown (SIGINT) by the postmaster's PID; 1 if it needed SIGKILL.
pg_stop() {
  local pid=$PG_PID; PG_PID=""
  alive "$pid" || return 0
  kill -INT "$pid" 2>/dev/null
  wait_for 20 gone "$pid" && { wait "$PG_LAUNCHER" 2>/dev/null; return 0; }
  kill -KILL "$pid" 2>/dev/null; wait_for 5 gone "$pid"; return 1
}
cleanup() {
  pg_stop
  [ "$TAP_FAILED" -eq 0 ] && [ -n "$P" ] && rm -rf "$P"
  [ "$TAP_FAILED" -eq 0 ] || [ -z "$P" ] || echo "# kept $P (logs, config)"
}
trap cleanup EXIT
trap 'exit 1' TERM INT

for f in "$PGBIN/postgres" /usr/bin/icingacli "$MODS/director/module.info" "$MODS/incubator/module.info" \
  /usr/share/php/Icinga/Application/Cli.php; do
  [ -e "$f" ] || { tap_fail "Director stack installed" "missing $f (scripts/install-deps.sh engines)"; tap_end; exit 1; }
done
php -m 2>/dev/null | grep -qx pdo_pgsql ||
  { tap_fail "Director stack installed" "PHP has no pdo_pgsql (php-pgsql)"; tap_end; exit 1; }

# --- the basket file ---
if "$GEN" | cmp -s - "$BASKET"; then tap_ok "director-basket.json equals a fresh make-director-basket.py run"
else tap_fail "director-basket.json equals a fresh make-director-basket.py run" \
  "regenerate: contrib/icinga2/make-director-basket.py > contrib/icinga2/director-basket.json" \
  "$("$GEN" | diff "$BASKET" - | head -n 20)"; fi

P=$(mktemp -d /tmp/iwa-director.XXXXXX) && chown postgres: "$P" && chmod 700 "$P"
"$GEN" --args "$CONF" >"$P/want.json"
# What the comparison compares must not be empty (a parser that finds nothing would agree).
mapfile -t CMDS < <(python3 -c 'import json,sys; [print(n) for n in json.load(open(sys.argv[1]))]' "$P/want.json")
NARGS=$(python3 -c 'import json,sys; print(sum(len(a) for a in json.load(open(sys.argv[1])).values()))' "$P/want.json")
if [ "${#CMDS[@]}" -ge 4 ] && [ "$NARGS" -ge 80 ]; then
  tap_ok "iwa-commands.conf read: ${#CMDS[@]} CheckCommands (${CMDS[*]}), $NARGS arguments"
else tap_fail "iwa-commands.conf read: at least 4 CheckCommands, 80 arguments" "got ${#CMDS[*]}: ${CMDS[*]}, $NARGS arguments"; fi

# --- PostgreSQL: a private cluster, unix socket only (it refuses to run as root) ---
t0=$(date +%s.%N)
pg_ready() { "$PGBIN/pg_isready" -q -h "$P"; }
pg_pid_or_gone() { [ -s "$P/data/postmaster.pid" ] || gone "$PG_LAUNCHER"; }
if runuser -u postgres -- "$PGBIN/initdb" -D "$P/data" -A trust -U postgres -E UTF8 --no-locale >"$P/initdb.log" 2>&1; then
  cat >>"$P/data/postgresql.conf" <<EOC
listen_addresses = ''
unix_socket_directories = '$P'
fsync = off
synchronous_commit = off
full_page_writes = off
EOC
  runuser -u postgres -- "$PGBIN/postgres" -D "$P/data" >"$P/postgres.log" 2>&1 &
  PG_LAUNCHER=$!
  wait_for 30 pg_pid_or_gone
  PG_PID=$(head -n 1 "$P/data/postmaster.pid" 2>/dev/null)
fi
psql_q() { psql -h "$P" -X -q -v ON_ERROR_STOP=1 "$@"; }
if [ -n "$PG_PID" ] && wait_for 30 pg_ready &&
  psql_q -U postgres -c "create role director login" \
    -c "create database director owner director encoding 'UTF8' template template0"; then
  tap_ok "PostgreSQL cluster (PID $PG_PID) up with an empty director database in $(since "$t0")s"
else
  tap_fail "PostgreSQL cluster up" "$(tail -n 5 "$P/initdb.log" "$P/postgres.log" 2>/dev/null)"
  tap_end; exit 1
fi

# --- Icinga Web 2 / Director configuration: private, nothing under /etc/icingaweb2 ---
export ICINGAWEB_CONFIGDIR=$P/icingaweb2
mkdir -p "$ICINGAWEB_CONFIGDIR/enabledModules" "$ICINGAWEB_CONFIGDIR/modules/director"
ln -s "$MODS/director" "$ICINGAWEB_CONFIGDIR/enabledModules/director"
ln -s "$MODS/incubator" "$ICINGAWEB_CONFIGDIR/enabledModules/incubator"
printf '[global]\nmodule_path = "%s"\n\n[logging]\nlog = "none"\n' "$MODS" >"$ICINGAWEB_CONFIGDIR/config.ini"
printf '[director_db]\ntype = "db"\ndb = "pgsql"\nhost = "%s"\nport = "5432"\ndbname = "director"\nusername = "director"\npassword = ""\ncharset = "utf8"\n' \
  "$P" >"$ICINGAWEB_CONFIGDIR/resources.ini"
printf '[db]\nresource = "director_db"\n' >"$ICINGAWEB_CONFIGDIR/modules/director/config.ini"
cli() { timeout 60 icingacli director "$@"; }
sql() { psql_q -U director -d director -At -c "$1"; }

t0=$(date +%s.%N)
run_cmd cli migration run
if [ "$RC" = 0 ] && ! cli migration pending && cli health --check config >"$P/health.log" 2>&1; then
  tap_ok "Director schema migrated, no pending migration, health check config OK in $(since "$t0")s"
else tap_fail "Director schema migrated" "rc $RC" "$OUT" "$ERR" "$(cat "$P/health.log")"; tap_end; exit 1; fi

for round in 1 2; do
  t0=$(date +%s.%N)
  run_cmd cli basket restore <"$BASKET"
  n_cmd=$(sql "select count(*) from icinga_command where object_type = 'object'")
  n_tpl=$(sql "select count(*) from icinga_service where object_type = 'template'")
  n_df=$(sql "select count(*) from director_datafield")
  want_tpl=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["ServiceTemplate"]))' "$BASKET")
  if [ "$RC" = 0 ] && [ "$n_cmd" = "${#CMDS[@]}" ] && [ "$n_tpl" = "$want_tpl" ] && [ "$n_df" = "$NARGS" ]; then
    tap_ok "basket restore #$round: $n_cmd commands, $n_tpl service templates, $n_df data fields in $(since "$t0")s"
  else tap_fail "basket restore #$round: ${#CMDS[@]} commands, $want_tpl templates, $NARGS data fields" \
    "rc $RC, $n_cmd commands, $n_tpl templates, $n_df data fields" "$OUT" "$ERR"; fi
done

# args_equal NAME FILE: the CheckCommand arguments in FILE (a Director rendering) equal
# iwa-commands.conf's for every command (or for NAME only if NAME is not "all").
args_equal() {
  python3 - "$1" "$P/want.json" "$2" "$GEN" <<'EOP'
import json, subprocess, sys
name, want, got = sys.argv[1], json.load(open(sys.argv[2])), json.loads(subprocess.check_output([sys.argv[4], "--args", sys.argv[3]]))
names = list(want) if name == "all" else [name]
bad = []
for n in names:
    w, g = want.get(n), got.get(n)
    if g is None:
        bad.append("%s: not rendered" % n); continue
    for k in sorted(set(w) | set(g)):
        if w.get(k) != g.get(k):
            bad.append("%s %s: conf %s, Director %s" % (n, k, w.get(k), g.get(k)))
if name == "all" and set(got) != set(want):
    bad.append("commands rendered: %s, conf: %s" % (sorted(got), sorted(want)))
print("\n".join(bad[:20]))
sys.exit(1 if bad else 0)
EOP
}

for c in "${CMDS[@]}"; do
  run_cmd cli command show "$c"
  printf '%s\n' "$OUT" >"$P/show-$c.conf"
  n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))[sys.argv[2]]))' "$P/want.json" "$c")
  if [ "$RC" = 0 ] && grep -q "command = \[ PluginDir + \"/check_$c\" \]" "$P/show-$c.conf" &&
    why=$(args_equal "$c" "$P/show-$c.conf"); then
    tap_ok "director command show $c: PluginDir + \"/check_$c\", the $n arguments of iwa-commands.conf"
  else tap_fail "director command show $c: the arguments of iwa-commands.conf" "rc $RC" "$why" "$ERR"; fi
  # one data field per custom variable of the command, attached to it
  want_vars=$(python3 -c '
import json, re, sys
a = json.load(open(sys.argv[1]))[sys.argv[2]]
print(" ".join(sorted(re.sub(r"\$", "", x.get("set_if", x.get("value"))) for x in a.values())))' "$P/want.json" "$c")
  got_vars=$(sql "select string_agg(df.varname, ' ' order by df.varname collate \"C\") from icinga_command_field cf
    join icinga_command c on c.id = cf.command_id join director_datafield df on df.id = cf.datafield_id
    where c.object_name = '$c'")
  if [ -n "$want_vars" ] && [ "$got_vars" = "$want_vars" ]; then
    tap_ok "$c: $n data fields attached ($(echo "$want_vars" | cut -c1-60)...)"
  else tap_fail "$c: one data field per custom variable" "want: $want_vars" "got:  $got_vars"; fi
done

# required arguments are required data fields; set_if variables are booleans, repeat_key arrays
bad=$(sql "select c.object_name || ' ' || df.varname || ' ' || df.datatype || ' ' || cf.is_required
  from icinga_command_field cf join icinga_command c on c.id = cf.command_id
  join director_datafield df on df.id = cf.datafield_id" | python3 -c '
import json, re, sys
want = json.load(open(sys.argv[1])); kinds = {}
for n, args in want.items():
    for a in args.values():
        v = re.sub(r"\$", "", a.get("set_if", a.get("value")))
        kinds[(n, v)] = ("Boolean" if "set_if" in a else "Array" if a.get("repeat_key") else "String",
                         "y" if a.get("required") else "n")
seen = 0
for line in sys.stdin:
    n, v, dt, req = line.split()
    seen += 1
    k = kinds.get((n, v))
    if k is None or not dt.endswith("DataType" + k[0]) or req != k[1]:
        print(n, v, dt, req, "wanted", k)
if seen != len(kinds):
    print("fields", seen, "wanted", len(kinds))' "$P/want.json")
if [ -z "$bad" ]; then tap_ok "data fields: set_if -> Boolean, repeat_key -> Array, required -> mandatory field"
else tap_fail "data fields: types and mandatory flags" "$bad"; fi

# service templates: iwa-service (intervals) and one per service of iwa-services.conf
mapfile -t TPLS < <(python3 -c '
import json, sys
for n, t in json.load(open(sys.argv[1]))["ServiceTemplate"].items():
    print(n, t.get("check_command", "-"))' "$BASKET")
for line in "${TPLS[@]}"; do
  read -r t cmd <<<"$line"
  run_cmd cli service show "$t"
  if [ "$cmd" = - ]; then
    re='check_interval = 5m' what="check_interval 5m, retry_interval 1m"
    printf '%s' "$OUT" | grep -q 'retry_interval = 1m' || re=no-retry_interval
  else re="import \"iwa-service\".*check_command = \"$cmd\"" what="imports iwa-service, check_command $cmd"; fi
  if [ "$RC" = 0 ] && printf '%s' "$OUT" | grep -Ezq "template Service \"$t\".*$re"; then
    tap_ok "director service show $t: template, $what"
  else tap_fail "director service show $t: template Service, /$re/" "rc $RC" "$OUT" "$ERR"; fi
done
run_cmd cli service show iwa-spn-audit
if printf '%s' "$OUT" | grep -q 'check_interval = 1h' && printf '%s' "$OUT" | grep -q 'vars.spn_unique_all = true'; then
  tap_ok "iwa-spn-audit: check_interval 1h, vars.spn_unique_all = true (as in iwa-services.conf)"
else tap_fail "iwa-spn-audit: check_interval 1h, vars.spn_unique_all = true" "$OUT"; fi

# --- the config the Director deploys ---
t0=$(date +%s.%N)
run_cmd cli config render
sum=$(printf '%s\n' "$OUT" | sed -n 's/^New config with checksum \([0-9a-f]\{40\}\) has been generated$/\1/p')
sql "select f.content from director_generated_config_file cf
  join director_generated_file f on f.checksum = cf.file_checksum
  where encode(cf.config_checksum, 'hex') = '$sum'
    and cf.file_path = 'zones.d/director-global/commands.conf'" >"$P/rendered-commands.conf" 2>"$P/render.err"
if [ "$RC" = 0 ] && [ -n "$sum" ] &&
  why=$(args_equal all "$P/rendered-commands.conf"); then
  tap_ok "director config render: zones.d/director-global/commands.conf has the ${#CMDS[@]} commands with iwa-commands.conf's arguments ($(since "$t0")s)"
else tap_fail "director config render: commands.conf with iwa-commands.conf's arguments" "rc $RC" "$OUT" "$ERR" "$why" "$(cat "$P/render.err")"; fi

p=$PG_PID
if pg_stop; then tap_ok "PostgreSQL (PID $p) stopped on SIGINT"; else tap_fail "PostgreSQL (PID $p) stopped on SIGINT" "needed SIGKILL"; fi
echo "# director.sh: $(since "$T_START")s"
tap_end
