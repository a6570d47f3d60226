#!/bin/bash
# test_contrib.sh — contrib/ follows the one list of plugins (`make -s print-plugins`): every
# plugin has an Icinga 2 CheckCommand (contrib/icinga2/iwa-commands.conf) used by a service
# (iwa-services.conf), a Nagios command (contrib/nagios/iwa-commands.cfg) used by a service
# (iwa-services.cfg), and a Zabbix UserParameter (contrib/zabbix/userparameter_iwa.conf) whose
# key the template (zbx_iwa_plugins_template.yaml) polls; and contrib names no program that
# is not in the list. No network, no engine: the engine tests (tests/engines) run them.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../tap.sh"
BUILDDIR=${BUILDDIR:-$PWD}
SRCDIR=${SRCDIR:-$here/../..}
C=$SRCDIR/contrib
ICINGA=$C/icinga2/iwa-commands.conf ICINGA_SVC=$C/icinga2/iwa-services.conf
NAGIOS=$C/nagios/iwa-commands.cfg NAGIOS_SVC=$C/nagios/iwa-services.cfg
ZABBIX=$C/zabbix/userparameter_iwa.conf ZABBIX_TPL=$C/zabbix/zbx_iwa_plugins_template.yaml

mapfile -t PLUGINS < <(make -s --no-print-directory -C "$BUILDDIR" print-plugins 2>/dev/null |
  grep -E '^check_[A-Za-z0-9_]+$')
if [ ${#PLUGINS[@]} -gt 0 ]; then tap_ok "make print-plugins lists ${#PLUGINS[*]} plugins"
else tap_fail "make print-plugins lists the plugins" "none listed in $BUILDDIR"; fi

# icinga_commands PLUGIN: names of the CheckCommands whose command is PluginDir + "/PLUGIN".
icinga_commands() {
  awk -v p="$1" '
    /^object CheckCommand "/ { split($0, a, "\""); name = a[2] }
    /^}/ { name = "" }
    name != "" && index($0, "command = [ PluginDir + \"/" p "\"") { print name }' "$ICINGA"
}
# nagios_commands PLUGIN: command_name of each command whose command_line runs PLUGIN.
nagios_commands() {
  awk -v p="$1" '
    $1 == "command_name" { name = $2 }
    $1 == "command_line" && index($2, "$USER1$/" p) == 1 && length($2) == length(p) + 8 { print name }' "$NAGIOS"
}
# zabbix_keys PLUGIN: keys (without [*]) of the UserParameters that run PLUGIN.
zabbix_keys() {
  grep -E "^UserParameter=[^,]+,.*/$1\"( |$)" "$ZABBIX" | sed -E 's/^UserParameter=([^,[]+).*/\1/'
}

# engine PLUGIN WHAT LIST-FN USE-FILE USE-ERE USE-WHAT: LIST-FN names PLUGIN's entries (WHAT);
# each must be used in USE-FILE, found by USE-ERE with @ standing for the entry's name.
engine() {
  local p=$1 what=$2 list=$3 file=$4 ere=$5 usewhat=$6 n found
  mapfile -t found < <("$list" "$p")
  if [ ${#found[@]} -gt 0 ]; then tap_ok "$p: $what ${found[*]}"
  else tap_fail "$p: $what" "none in contrib/ runs $p"; fi
  for n in "${found[@]}"; do
    if grep -Eq -- "${ere//@/${n//./\\.}}" "$file"; then tap_ok "$p: $usewhat $n"
    else tap_fail "$p: $usewhat $n" "not in ${file#"$SRCDIR"/}"; fi
  done
}

for p in "${PLUGINS[@]}"; do
  engine "$p" "Icinga 2 CheckCommand" icinga_commands "$ICINGA_SVC" \
    'check_command = "@"' "an Icinga 2 service uses"
  engine "$p" "Nagios command" nagios_commands "$NAGIOS_SVC" \
    '^[[:space:]]*check_command[[:space:]]+@(!|$)' "a Nagios service uses"
  engine "$p" "Zabbix UserParameter" zabbix_keys "$ZABBIX_TPL" \
    "key: '?@(\\[|'?\$)" "the Zabbix template polls"
done

# The other way round: contrib runs nothing that the build does not list.
listed=" ${PLUGINS[*]} "
unknown=()
for f in "$ICINGA" "$NAGIOS" "$ZABBIX"; do
  while read -r q; do
    [[ $listed == *" $q "* ]] || unknown+=("$q (${f#"$SRCDIR"/})")
  done < <(grep -oE '/check_[A-Za-z0-9_]+' "$f" | sed 's#^/##' | sort -u)
done
if [ ${#unknown[@]} -eq 0 ]; then tap_ok "contrib runs only listed plugins"
else tap_fail "contrib runs only listed plugins" "${unknown[@]}"; fi

tap_end
