#!/usr/bin/env bash
# Install the Debian 12 packages iwa-plugins needs (build, lab, engines).
# Idempotent: runs `apt-get update` once and installs only what is missing.
# Usage: scripts/install-deps.sh [build|lab|engines|package|all|valgrind]   (default: all)
# (valgrind: what scripts/valgrind.sh needs: the lab and valgrind; package: what
# dpkg-buildpackage and tests/package/deb.sh need: debhelper, help2man, lintian, and
# debootstrap, autopkgtest, zstd for the clean chroot)
set -euo pipefail
what=${1:-all}
build_pkgs=(build-essential autoconf automake libtool pkg-config
  libkrb5-dev libldap-dev libsasl2-dev libcurl4-openssl-dev libsmbclient-dev libcmocka-dev
  libsasl2-modules-gssapi-mit libssl-dev clang-format libcurl3-gnutls)
lab_pkgs=(samba samba-ad-dc samba-ad-provision winbind smbclient krb5-user ldap-utils ldb-tools
  apache2 libapache2-mod-auth-gssapi haproxy openssl iproute2 curl ca-certificates python3-ldb python3-samba python3-gssapi
  time strace)
engine_pkgs=(icinga2 nagios4-core dma zabbix-agent jq python3-yaml
  zabbix-server-pgsql zabbix-frontend-php php-cli php-pgsql postgresql
  icingaweb2-module-director icingacli)
package_pkgs=(dpkg-dev debhelper help2man lintian debootstrap autopkgtest zstd)
pkgs=()
case "$what" in
  build) pkgs=("${build_pkgs[@]}") ;;
  lab) pkgs=("${build_pkgs[@]}" "${lab_pkgs[@]}") ;;
  engines) pkgs=("${build_pkgs[@]}" "${lab_pkgs[@]}" "${engine_pkgs[@]}") ;;
  package) pkgs=("${build_pkgs[@]}" "${package_pkgs[@]}") ;;
  all) pkgs=("${build_pkgs[@]}" "${lab_pkgs[@]}" "${engine_pkgs[@]}" "${package_pkgs[@]}") ;;
  valgrind) pkgs=("${build_pkgs[@]}" "${lab_pkgs[@]}" valgrind) ;;
  *) echo "usage: $0 [build|lab|engines|package|all|valgrind]"; exit 3 ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
# Package maintainer scripts must not start daemons (no systemd here; the lab starts its own).
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
