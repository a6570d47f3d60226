#!/usr/bin/env bash
# tests/package/deb.sh — the Debian packages (debian/, README "Build and install"):
#  1. dpkg-buildpackage -us -uc -b from a copy of the checkout (make check runs inside, the
#     comma-locale unit tests included; DEB_BUILD_OPTIONS=nocheck skips it);
#  2. lintian --pedantic on the .changes: no error, warning, info or pedantic tag that is not
#     overridden (with its reason) in debian/;
#  3. what each .deb holds (paths, conffiles) and depends on (libsmbclient only for the GPO
#     check); `make install` of ./configure --prefix=/usr --sysconfdir=/etc (default plugin
#     folder) puts the engine files exactly where the packages do;
#  4. apt-get install ./*.deb into a clean Debian 12 chroot (debootstrap minbase from this
#     machine's archive; the base is cached, see chroot-lib.sh), then there the autopkgtests
#     (debian/tests: --help/--version, icinga2 daemon -C, nagios4 -v) through autopkgtest
#     itself, and one real check per package against the lab from the installed binaries,
#     run inside the lab's network namespace (ip netns exec $LAB_NS chroot ...).
# Env: LAB (tests/lab/lab), LAB_NS, LAB_DIR (the lab is up); BUILDDIR (work folder parent,
# default _build/dev); IWA_CHROOT_CACHE (default /var/cache/iwa-plugins). Root; TAP output.
# Measured here (2 shared cores): cold (no cached base) 78-324 s, of which making the base
# 44-217 s (the archive's speed); warm 60-131 s, mostly the package build and its make check.
# The chroot's mounts (/proc, /dev) live in a private mount namespace: they go away with the
# test's processes, even if it is killed (the EXIT trap unmounts them too).
if [ -z "${IWA_PKG_MOUNTNS:-}" ]; then
  IWA_PKG_MOUNTNS=1 exec unshare --mount --propagation private -- "$BASH" "$0" "$@"
fi
source "$(dirname "$0")/../tap.sh"
source "$(dirname "$0")/chroot-lib.sh"
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
LAB=${LAB:?LAB must point at tests/lab/lab}
# the lab's environment is loaded only for the lab checks (section 5): the package build and
# its make check run without the lab's KRB5_CONFIG, KRB5CCNAME, LDAPTLS_CACERT
labenv=$("$LAB" env 2>&1) || { tap_fail "lab env (is the lab up?)" "$labenv"; tap_end; exit 1; }
W=${BUILDDIR:-$TOP/_build/dev}/package.$$
R=$W/chroot
T0=$(date +%s)
mkdir -p "$W/logs"

cleanup() {
  chroot_kill "$R"
  chroot_umount_all || echo "# could not unmount: ${CHROOT_MOUNTS[*]}"
  chroot_remove "$R"
  if [ "$TAP_FAILED" -eq 0 ]; then rm -rf "$W"; else echo "# logs kept in $W/logs"; fi
}
trap cleanup EXIT
trap 'fg_stop; exit 130' INT TERM
elapsed() { echo $(( $(date +%s) - $1 )); }

for tool in dpkg-buildpackage dh lintian help2man debootstrap autopkgtest zstd; do
  command -v "$tool" >/dev/null ||
    tap_fail "$tool is installed (scripts/install-deps.sh package)"
done
[ "$TAP_FAILED" -eq 0 ] || { tap_end; exit 1; }

# the checkout as it is (tracked and new files, not the ignored build trees)
export_tree() {
  mkdir -p "$1"
  if git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$TOP" && git ls-files -z -co --exclude-standard | tar -c --null -T - -f -) | tar -x -C "$1"
  else
    (cd "$TOP" && tar -c --exclude=./_build -f - .) | tar -x -C "$1"
  fi
}
export_tree "$W/src"
export_tree "$W/autopkgtest-src"

# ---------------------------------------------------------------- 1. build
# nocheck: dh_auto_test must be debhelper's own (not overridden in debian/rules): it skips
# make check under DEB_BUILD_OPTIONS=nocheck (asserted after the build, on its build tree).
seq_out=$(cd "$W/src" && dh build-arch --no-act 2>&1)
t=$(date +%s)
run_bounded env -C "$W/src" DEB_BUILD_OPTIONS="parallel=2" timeout --kill-after=10 900 \
  dpkg-buildpackage -us -uc -b >"$W/logs/build.log" 2>&1
rc=$?
BUILD_S=$(elapsed "$t")
changes=$(ls "$W"/iwa-plugins_*_"$(dpkg --print-architecture)".changes 2>/dev/null | head -n 1)
debs=()
for p in iwa-plugins iwa-plugins-core iwa-plugins-gpo; do
  f=$(ls "$W/${p}_"*.deb 2>/dev/null | head -n 1)
  [ -n "$f" ] && debs+=("$f")
done
if [ "$rc" -eq 0 ] && [ -n "$changes" ] && [ ${#debs[@]} -eq 3 ]; then
  tap_ok "dpkg-buildpackage -us -uc -b builds iwa-plugins, iwa-plugins-core, iwa-plugins-gpo (${BUILD_S} s)"
else
  tap_fail "dpkg-buildpackage -us -uc -b builds iwa-plugins, iwa-plugins-core, iwa-plugins-gpo" \
    "exit $rc; debs: ${debs[*]:-none}" "$(tail -n 30 "$W/logs/build.log")"
  tap_end; exit 1
fi
nc_out=$(cd "$W/src" && DEB_BUILD_OPTIONS=nocheck dh_auto_test --builddirectory=debian/build --no-act 2>&1)
ck_out=$(cd "$W/src" && DEB_BUILD_OPTIONS= dh_auto_test --builddirectory=debian/build --no-act 2>&1)
if printf '%s\n' "$seq_out" | grep -qx '[[:space:]]*dh_auto_test.*' &&
   ! printf '%s\n' "$seq_out" | grep -q 'override_dh_auto_test' &&
   [ -z "$nc_out" ] && printf '%s\n' "$ck_out" | grep -q 'make .*check'; then
  tap_ok "DEB_BUILD_OPTIONS=nocheck skips make check (dh_auto_test not overridden); without it dh_auto_test runs make check"
else
  tap_fail "DEB_BUILD_OPTIONS=nocheck skips make check (dh_auto_test not overridden); without it dh_auto_test runs make check" \
    "dh build-arch --no-act:" "$seq_out" "nocheck: $nc_out" "without: $ck_out"
fi
total=$(sed -n 's/^# TOTAL: *//p' "$W/logs/build.log" | tail -n 1)
bad=$(grep -E '^# (FAIL|ERROR|XPASS): *[1-9]' "$W/logs/build.log")
comma=$(grep -cE '^PASS: tests/unit/test_[a-z_]+ [0-9]+ - test_.*comma_locale' "$W/logs/build.log")
if [ -n "$total" ] && [ "$total" -gt 0 ] && [ -z "$bad" ] && [ "$comma" -ge 4 ]; then
  tap_ok "make check ran in the package build: $total tests passed, the $comma ',' decimal locale tests among them (localedef locale)"
else
  tap_fail "make check ran in the package build, comma-locale tests passed" \
    "TOTAL: ${total:-none}; $bad; comma-locale PASS lines: $comma"
fi

# ---------------------------------------------------------------- 2. lintian
run_bounded timeout 300 lintian --pedantic --show-overrides "$changes" >"$W/logs/lintian.log" 2>"$W/logs/lintian.err"
lrc=$?
tags=$(grep -E '^[EWIPX]: ' "$W/logs/lintian.log")
if [ "$lrc" -eq 0 ] && [ -z "$tags" ]; then
  tap_ok "lintian --pedantic: no error, warning, info or pedantic tag (overridden ones explained in debian/)"
else
  tap_fail "lintian --pedantic: no error, warning, info or pedantic tag" "exit $lrc" "$tags" \
    "$(cat "$W/logs/lintian.err")"
fi
grep -E '^O: ' "$W/logs/lintian.log" | sed 's/^/# lintian /'

# ---------------------------------------------------------------- 3. contents and dependencies
deb_of() { ls "$W/${1}_"*.deb | head -n 1; }
files_of() { dpkg-deb -c "$(deb_of "$1")" | awk '{ sub(/^\./, "", $6); print $6 }'; }
core_files=$(files_of iwa-plugins-core)
gpo_files=$(files_of iwa-plugins-gpo)
want_core=(/usr/lib/nagios/plugins/check_spn_unique /usr/lib/nagios/plugins/check_negotiate_backend
  /etc/nagios-plugins/config/iwa-commands.cfg
  /usr/share/icinga2/include/plugins-contrib.d/iwa-commands.conf
  /etc/zabbix/zabbix_agentd.conf.d/userparameter_iwa.conf
  /usr/share/iwa-plugins/zabbix/zbx_iwa_plugins_template.yaml
  /usr/share/iwa-plugins/iwa-plugins.ini.example
  /usr/share/man/man1/check_spn_unique.1.gz /usr/share/man/man1/check_negotiate_backend.1.gz)
want_gpo=(/usr/lib/nagios/plugins/check_batch_logon_gpo /usr/share/man/man1/check_batch_logon_gpo.1.gz
  /usr/lib/nagios/plugins/check_iwa_farm /usr/share/man/man1/check_iwa_farm.1.gz)
miss=()
for f in "${want_core[@]}"; do printf '%s\n' "$core_files" | grep -qxF "$f" || miss+=("core: $f"); done
for f in "${want_gpo[@]}"; do printf '%s\n' "$gpo_files" | grep -qxF "$f" || miss+=("gpo: $f"); done
contrib_d=$(printf '%s\n' "$core_files" | grep '^/usr/share/icinga2/include/plugins-contrib.d/.' )
[ "$contrib_d" = /usr/share/icinga2/include/plugins-contrib.d/iwa-commands.conf ] ||
  miss+=("plugins-contrib.d holds exactly iwa-commands.conf, not: $contrib_d")
if [ ${#miss[@]} -eq 0 ]; then
  tap_ok "plugins in /usr/lib/nagios/plugins, Nagios commands in /etc/nagios-plugins/config, CheckCommands (only) in plugins-contrib.d, Zabbix files, sample ini, a manual page per plugin"
else
  tap_fail "package contents: plugins, engine definitions, sample ini, manual pages" "${miss[@]}"
fi
conffiles=$(dpkg-deb --ctrl-tarfile "$(deb_of iwa-plugins-core)" | tar -xOf - ./conffiles 2>/dev/null)
if printf '%s\n' "$conffiles" | grep -qx /etc/nagios-plugins/config/iwa-commands.cfg &&
   printf '%s\n' "$conffiles" | grep -qx /etc/zabbix/zabbix_agentd.conf.d/userparameter_iwa.conf; then
  tap_ok "the Nagios command file and the Zabbix UserParameters are conffiles (local edits survive upgrades)"
else tap_fail "the Nagios command file and the Zabbix UserParameters are conffiles" "conffiles: $conffiles"; fi
zplug=$(dpkg-deb --fsys-tarfile "$(deb_of iwa-plugins-core)" |
  tar -xOf - ./etc/zabbix/zabbix_agentd.conf.d/userparameter_iwa.conf | grep -o 'IWA_PLUGINDIR:-[^}]*' | sort -u)
[ "$zplug" = "IWA_PLUGINDIR:-/usr/lib/nagios/plugins" ] &&
  tap_ok "the packaged UserParameters default to /usr/lib/nagios/plugins" ||
  tap_fail "the packaged UserParameters default to /usr/lib/nagios/plugins" "$zplug"

core_dep=$(dpkg-deb -f "$(deb_of iwa-plugins-core)" Depends)
core_rec=$(dpkg-deb -f "$(deb_of iwa-plugins-core)" Recommends)
gpo_dep=$(dpkg-deb -f "$(deb_of iwa-plugins-gpo)" Depends)
gpo_rec=$(dpkg-deb -f "$(deb_of iwa-plugins-gpo)" Recommends)
meta_dep=$(dpkg-deb -f "$(deb_of iwa-plugins)" Depends)
why=()
case "$core_dep $core_rec" in *smbclient*) why+=("iwa-plugins-core pulls libsmbclient: $core_dep / $core_rec") ;; esac
case "$gpo_dep" in *libsmbclient*) ;; *) why+=("iwa-plugins-gpo lacks libsmbclient: $gpo_dep") ;; esac
for d in libcurl4 libgssapi-krb5-2 libldap-2.5-0; do
  case "$core_dep" in *"$d "*|*"$d,"*|*"$d") ;; *) why+=("core Depends lacks $d (shlibdeps): $core_dep") ;; esac
done
case "$core_rec|$gpo_rec" in *libsasl2-modules-gssapi-mit*'|'*libsasl2-modules-gssapi-mit*) ;;
  *) why+=("libsasl2-modules-gssapi-mit not recommended by both: $core_rec | $gpo_rec") ;; esac
case "$meta_dep" in *iwa-plugins-core*iwa-plugins-gpo*) ;; *) why+=("metapackage: $meta_dep") ;; esac
if [ ${#why[@]} -eq 0 ]; then
  tap_ok "dependencies: shlibdeps; libsmbclient only in iwa-plugins-gpo; libsasl2-modules-gssapi-mit recommended; iwa-plugins pulls both"
else tap_fail "dependencies (shlibdeps, libsmbclient only for the GPO check, Recommends)" "${why[@]}"; fi
echo "# iwa-plugins-core Depends: $core_dep"
echo "# iwa-plugins-gpo Depends: $gpo_dep"

# make install with configure's defaults (no --with-plugindir) and --prefix=/usr
# --sysconfdir=/etc: the same engine paths as the package, the same plugin folder. Only the
# data is installed (plugin_PROGRAMS emptied): nothing to compile.
mkdir -p "$W/inst/build"
if run_bounded env -C "$W/inst/build" timeout 300 "$W/src/configure" -q --prefix=/usr \
     --sysconfdir=/etc >"$W/logs/make-install.log" 2>&1 &&
   run_bounded timeout 120 make -s -C "$W/inst/build" install-data DESTDIR="$W/inst/root" \
     plugin_PROGRAMS= >>"$W/logs/make-install.log" 2>&1; then
  pd=$(make -s -C "$W/inst/build" --no-print-directory --eval 'iwa-plugindir: ; @echo $(plugindir)' iwa-plugindir)
  mi=$(cd "$W/inst/root" && find . -type f | sed 's/^\.//' | sort)
  pk=$(printf '%s\n' "$core_files" "$gpo_files" | grep -vE '^/usr/lib/nagios/plugins/|^/usr/share/(man|doc|lintian)/|/$' | sort -u)
  if [ "$pd" = /usr/lib/nagios/plugins ] && [ "$mi" = "$pk" ] &&
     cmp -s "$W/inst/root/etc/zabbix/zabbix_agentd.conf.d/userparameter_iwa.conf" \
       "$W/src/debian/iwa-plugins-core/etc/zabbix/zabbix_agentd.conf.d/userparameter_iwa.conf"; then
    tap_ok "make install (./configure --prefix=/usr --sysconfdir=/etc) uses plugindir $pd and installs the engine files where the packages do"
  else
    tap_fail "make install (./configure --prefix=/usr --sysconfdir=/etc) agrees with the packages" \
      "plugindir: $pd" "$(diff <(printf '%s\n' "$mi") <(printf '%s\n' "$pk"))"
  fi
else
  tap_fail "make install (./configure --prefix=/usr --sysconfdir=/etc) agrees with the packages" \
    "$(tail -n 20 "$W/logs/make-install.log")"
fi

# ---------------------------------------------------------------- 4. a clean Debian 12 chroot
# The base holds what the packages need from the archive (their Depends and Recommends, the
# engines the autopkgtests use, dma as the mail transport nagios4-core wants, as in
# scripts/install-deps.sh, and dpkg-dev, which autopkgtest wants in a testbed it runs a
# source tree's tests in) so that installing them needs no download; the key follows that
# list, so a changed dependency makes a new base.
pkglist=$(for d in "${debs[@]}"; do dpkg-deb -f "$d" Depends Recommends | sed 's/^[A-Za-z-]*: //'; done |
  tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/[[:space:]]//g' | grep -v '^iwa-plugins' | grep . | sort -u)
base_pkgs=($pkglist icinga2 nagios4-core dma dpkg-dev)
t=$(date +%s)
if chroot_base "${base_pkgs[@]}"; then
  BASE_S=$(elapsed "$t")
  if [ "$CHROOT_BASE_BUILT" = yes ]; then how="made (cold) in $BASE_S s"; else how="reused (warm)"; fi
  tap_ok "clean Debian 12 base (debootstrap --variant=minbase $CHROOT_SUITE, ${#base_pkgs[@]} packages): $how"
  echo "# base: $CHROOT_TARBALL"
else
  tap_fail "clean Debian 12 base (debootstrap --variant=minbase $CHROOT_SUITE)" "${CHROOT_ERROR:-}"
  tap_end; exit 1
fi
t=$(date +%s)
if chroot_unpack "$R" && chroot_mount "$R"; then :; else
  tap_fail "chroot unpacked and /proc, /dev mounted"; tap_end; exit 1; fi
mkdir -p "$R/tmp/debs" && cp "${debs[@]}" "$R/tmp/debs/"
DEBIAN_FRONTEND=noninteractive run_bounded timeout 300 chroot "$R" sh -c \
  'cd /tmp/debs && apt-get install -y -q ./iwa-plugins_*.deb ./iwa-plugins-core_*.deb ./iwa-plugins-gpo_*.deb' \
  >"$W/logs/apt-install.log" 2>&1
rc=$?
st=$(chroot "$R" dpkg-query -W -f='${Package} ${Status}\n' iwa-plugins iwa-plugins-core iwa-plugins-gpo \
  libsasl2-modules-gssapi-mit 2>&1)
if [ "$rc" -eq 0 ] && [ "$(printf '%s\n' "$st" | grep -c ' install ok installed$')" = 4 ]; then
  tap_ok "apt-get install ./iwa-plugins*.deb in the chroot: the three packages and the recommended SASL GSSAPI module installed ($(elapsed "$t") s)"
else
  tap_fail "apt-get install ./iwa-plugins*.deb in the chroot" "exit $rc" "$st" "$(tail -n 20 "$W/logs/apt-install.log")"
  tap_end; exit 1
fi

# the autopkgtests, run by autopkgtest itself with the chroot as testbed
t=$(date +%s)
run_bounded timeout --kill-after=10 600 autopkgtest --no-built-binaries --timeout-test=300 \
  --output-dir "$W/logs/autopkgtest" "$W/autopkgtest-src" -- chroot "$R" >"$W/logs/autopkgtest.log" 2>&1
rc=$?
summary=$(cat "$W/logs/autopkgtest/summary" 2>/dev/null)
for name in $(sed -n 's/^Tests: *//p' "$W/src/debian/tests/control"); do
  so=$W/logs/autopkgtest/$name-stdout
  while IFS= read -r l; do
    case "$l" in "ok - "*) tap_ok "autopkgtest $name: ${l#ok - }" ;;
      *) tap_fail "autopkgtest $name: ${l#not ok - }" ;; esac
  done < <(grep -E '^(not )?ok - ' "$so" 2>/dev/null)
  res=$(printf '%s\n' "$summary" | awk -v n="$name" '$1 == n { print $2 }')
  [ "$res" = PASS ] && tap_ok "autopkgtest $name: PASS" ||
    tap_fail "autopkgtest $name: PASS" "result: ${res:-none} (autopkgtest exit $rc)" \
      "$(tail -n 15 "$W/logs/autopkgtest.log")"
done
echo "# autopkgtest: $(elapsed "$t") s"

# ---------------------------------------------------------------- 5. real checks against the lab
# The installed binaries, inside the lab's network namespace, with the lab's krb5.conf,
# keytab, CA and names copied into the chroot (ip netns exec binds /etc/netns/NS/* over the
# machine's /etc, not the chroot's).
eval "$labenv"
L=/etc/iwa-lab
mkdir -p "$R$L"
cp "$KRB5_CONFIG" "$R$L/krb5.conf"
install -m 0600 "$LAB_MONITOR_KEYTAB" "$R$L/monitor.keytab"
install -m 0600 "$LAB_MONITOR_PASSWORD_FILE" "$R$L/monitor.pw"
cp "$LAB_CA" "$R$L/ca.pem"
cp "/etc/netns/$LAB_NS/hosts" "$R/etc/hosts"
cp "/etc/netns/$LAB_NS/resolv.conf" "$R/etc/resolv.conf"
in_lab() {
  run_cmd timeout 60 ip netns exec "$LAB_NS" chroot "$R" /usr/bin/env -i PATH=/usr/bin:/bin \
    HOME=/root KRB5_CONFIG=$L/krb5.conf "$@"
}
PD=/usr/lib/nagios/plugins
KT=(--keytab "$L/monitor.keytab" --principal "$LAB_MONITOR_PRINCIPAL")

in_lab $PD/check_spn_unique -H "$LAB_DC_FQDN" -f "$LAB_FQDN" -e cam-svc "${KT[@]}"
expect "installed check_spn_unique against the lab (SASL GSSAPI bind with the keytab): OK" 0 \
  "^SPN_UNIQUE OK - HTTP/sso\.camtest\.test is registered once, on cam-svc \(user\)"

in_lab $PD/check_negotiate_backend -u "https://$LAB_FQDN/" -B server1 -B server2 "${KT[@]}" \
  --ca-file "$L/ca.pem"
expect "installed check_negotiate_backend against the lab: 3/3 backends, mutual authentication" 0 \
  "^NEGOTIATE OK - 3/3 backends accept Kerberos for HTTP/sso\.camtest\.test, mutual authentication verified"

in_lab $PD/check_batch_logon_gpo -H "$LAB_DC_FQDN" "${KT[@]}" -a 'CAMTEST\cam-svc' \
  -C SERVER1 -C SERVER2 --gpo "$LAB_GPO_NAME"
expect "installed check_batch_logon_gpo against the lab (SYSVOL over SMB with libsmbclient): OK" 0 \
  "^BATCH_LOGON OK - cam-svc holds SeBatchLogonRight on SERVER1, SERVER2 via IIS-BatchLogon-GPO"

in_lab $PD/check_iwa_farm -u "https://$LAB_FQDN/" --server SERVER1 --server SERVER2 \
  -a 'CAMTEST\cam-svc' -H "$LAB_DC_FQDN" "${KT[@]}" --ca-file "$L/ca.pem" --gpo "$LAB_GPO_NAME"
expect "installed check_iwa_farm against the lab (all three layers in one run): OK" 0 \
  "^FARM OK - farm healthy: HTTP/sso\.camtest\.test on cam-svc; 2 backend\(s\) and the VIP accept Kerberos"

# Why Recommends and not Depends: without the SASL GSSAPI module a Kerberos bind cannot work
# (UNKNOWN, saying so), a simple bind over TLS still does, and check_negotiate_backend never
# needs it.
chroot "$R" dpkg -r libsasl2-modules-gssapi-mit >"$W/logs/dpkg-r.log" 2>&1 ||
  tap_fail "dpkg -r libsasl2-modules-gssapi-mit in the chroot" "$(cat "$W/logs/dpkg-r.log")"
in_lab $PD/check_spn_unique -H "$LAB_DC_FQDN" -f "$LAB_FQDN" -e cam-svc "${KT[@]}"
expect "without libsasl2-modules-gssapi-mit a Kerberos bind is UNKNOWN, naming the SASL GSSAPI bind" 3 \
  "^SPN_UNIQUE UNKNOWN - .*GSSAPI"
echo "# without the module: $(printf '%s\n' "$OUT" | head -n 1)"
in_lab $PD/check_spn_unique --ldap-uri "ldaps://$LAB_DC_FQDN:3269" --ca-file "$L/ca.pem" \
  --bind-dn "$LAB_MONITOR_DN" --password-file "$L/monitor.pw" -f "$LAB_FQDN" -e cam-svc
expect "without it a simple bind over LDAPS (GC 3269) still works: OK" 0 \
  "^SPN_UNIQUE OK - HTTP/sso\.camtest\.test is registered once, on cam-svc"
in_lab $PD/check_negotiate_backend -u "https://$LAB_FQDN/" -B server1 "${KT[@]}" --ca-file "$L/ca.pem"
expect "without it check_negotiate_backend still works: OK" 0 "^NEGOTIATE OK - "

echo "# times: package build ${BUILD_S} s (make check inside), base ${BASE_S} s ($CHROOT_BASE_BUILT made), total $(elapsed "$T0") s"
tap_end
