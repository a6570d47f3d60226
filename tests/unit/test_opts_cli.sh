#!/bin/bash
# test_opts_cli.sh — our own bad arguments are UNKNOWN, caught before any network I/O, with the
# same words in every plugin: --ca-file/--insecure (common/tls.c), --keytab/--principal/--ccache
# (common/krb.c), --bind-dn/--password-file (common/directory.c), and check_batch_logon_gpo's
# SYSVOL options. Runs the built plugins (no lab): every case checks exit code 3, the exact
# single line and an empty stderr. The hosts are in .invalid (RFC 6761): a check that got past
# the options would say that the name does not resolve, not what is asserted here.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../tap.sh"
BUILDDIR=${BUILDDIR:-$PWD}
FIX=$here/fixtures/tls
export IWA_PLUGIN_STDERR=keep # the plugins must print nothing on stderr
tmp=$(mktemp -d "$BUILDDIR/test_opts_cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
printf 'just text\n' > "$tmp/notes.txt"
printf 'password\n' > "$tmp/text.keytab"
: > "$tmp/empty.keytab"
printf 's3cret\n' > "$tmp/pw"
chmod 600 "$tmp/pw"
mkdir "$tmp/sysvol"

SPN=$BUILDDIR/plugins/check_spn_unique
NB=$BUILDDIR/plugins/check_negotiate_backend
BLG=$BUILDDIR/plugins/check_batch_logon_gpo
for p in "$SPN" "$NB" "$BLG"; do
  [ -x "$p" ] && tap_ok "built: $(basename "$p")" || tap_fail "built: $(basename "$p")" "missing $p"
done

# Each plugin with the least it needs to get past its own required options.
declare -A CMD=(
  [SPN_UNIQUE]="$SPN -H dc1.invalid -f sso.invalid"
  [NEGOTIATE]="$NB -u https://sso.invalid/"
  [BATCH_LOGON]="$BLG -H dc1.invalid -a cam-svc -C SERVER1"
)

# --- the shared TLS and Kerberos options: the same line in every plugin ---
for svc in SPN_UNIQUE NEGOTIATE BATCH_LOGON; do
  read -r -a c <<< "${CMD[$svc]}"
  n=$(basename "${c[0]}")
  expect_one_line "$n: --ca-file that does not exist" 3 \
    "$svc UNKNOWN - --ca-file /nonexistent/ca.pem: cannot read the CA file: No such file or directory" \
    "${c[@]}" --ca-file /nonexistent/ca.pem
  expect_one_line "$n: --ca-file /dev/null" 3 \
    "$svc UNKNOWN - --ca-file /dev/null: not a PEM CA bundle: the file is empty" \
    "${c[@]}" --ca-file /dev/null
  expect_one_line "$n: --ca-file of text without a certificate" 3 \
    "$svc UNKNOWN - --ca-file $tmp/notes.txt: not a PEM CA bundle: no \"-----BEGIN CERTIFICATE-----\" line in it" \
    "${c[@]}" --ca-file "$tmp/notes.txt"
  expect_one_line "$n: --ca-file in DER" 3 \
    "$svc UNKNOWN - --ca-file $FIX/one.der: not a PEM CA bundle: binary data, not PEM text (a DER certificate? convert it: openssl x509 -inform der -in FILE -out FILE.pem)" \
    "${c[@]}" --ca-file "$FIX/one.der"
  expect_one_line "$n: --ca-file that is a directory" 3 \
    "$svc UNKNOWN - --ca-file $tmp: cannot read the CA file: Is a directory" \
    "${c[@]}" --ca-file "$tmp"
  expect_one_line "$n: --insecure with --ca-file" 3 \
    "$svc UNKNOWN - --insecure and --ca-file exclude each other (--insecure verifies no certificate)" \
    "${c[@]}" --ca-file "$FIX/bundle.pem" --insecure
  expect_one_line "$n: --ca-file= (empty)" 3 \
    "$svc UNKNOWN - --ca-file: empty value (a PEM file)" "${c[@]}" --ca-file=
  expect_one_line "$n: --keytab that does not exist" 3 \
    "$svc UNKNOWN - --keytab /nonexistent/monitor.keytab: cannot read the keytab: No such file or directory" \
    "${c[@]}" --keytab /nonexistent/monitor.keytab
  expect_one_line "$n: --keytab FILE: that does not exist" 3 \
    "$svc UNKNOWN - --keytab FILE:/nonexistent/monitor.keytab: cannot read the keytab: No such file or directory" \
    "${c[@]}" --keytab FILE:/nonexistent/monitor.keytab
  expect_one_line "$n: --keytab that is no keytab" 3 \
    "$svc UNKNOWN - --keytab $tmp/text.keytab: not a keytab file (no keytab format version 0x0501/0x0502 at its start)" \
    "${c[@]}" --keytab "$tmp/text.keytab"
  expect_one_line "$n: --keytab of 0 bytes" 3 \
    "$svc UNKNOWN - --keytab $tmp/empty.keytab: the keytab is empty (export the account's keys into it)" \
    "${c[@]}" --keytab "$tmp/empty.keytab"
  expect_one_line "$n: --keytab= (empty) is not 'no keytab'" 3 \
    "$svc UNKNOWN - --keytab: empty value" "${c[@]}" --keytab=
  expect_one_line "$n: --ccache= (empty)" 3 \
    "$svc UNKNOWN - --ccache: empty value" "${c[@]}" --ccache=
  expect_one_line "$n: --principal without --keytab" 3 \
    "$svc UNKNOWN - --principal needs --keytab (without a keytab the cache's own principal is used)" \
    "${c[@]}" --principal monitor@CAMTEST.TEST
done

# --- the same options through --extra-opts: the same checks ---
printf '[spn_unique]\nkeytab = /nonexistent/monitor.keytab\n' > "$tmp/plugins.ini"
expect_one_line "check_spn_unique: --keytab from the ini is checked too" 3 \
  "SPN_UNIQUE UNKNOWN - --keytab /nonexistent/monitor.keytab: cannot read the keytab: No such file or directory" \
  $SPN -H dc1.invalid -f sso.invalid --extra-opts "$tmp/plugins.ini"

# --- the simple bind's password (directory plugins) ---
LDAPS=(--ldap-uri ldaps://dc1.invalid --bind-dn CN=monitor,CN=Users,DC=camtest,DC=test)
expect_one_line "check_spn_unique: --password-file that does not exist" 3 \
  "SPN_UNIQUE UNKNOWN - --password-file /nonexistent/pw: cannot read the password file: No such file or directory" \
  $SPN -f sso.invalid "${LDAPS[@]}" --password-file /nonexistent/pw
printf '\n' > "$tmp/pw.empty"
expect_one_line "check_spn_unique: --password-file with an empty first line" 3 \
  "SPN_UNIQUE UNKNOWN - --password-file $tmp/pw.empty: the password is empty (an empty password would be an anonymous bind)" \
  $SPN -f sso.invalid "${LDAPS[@]}" --password-file "$tmp/pw.empty"
expect_one_line "check_batch_logon_gpo: --password-file that does not exist" 3 \
  "BATCH_LOGON UNKNOWN - --password-file /nonexistent/pw: cannot read the password file: No such file or directory" \
  $BLG -a cam-svc -C SERVER1 "${LDAPS[@]}" --password-file /nonexistent/pw --sysvol-path "$tmp/sysvol"
expect_one_line "check_spn_unique: --bind-dn with --keytab" 3 \
  "SPN_UNIQUE UNKNOWN - --bind-dn (simple bind) and --keytab/--principal/--ccache (Kerberos) are exclusive" \
  $SPN -f sso.invalid "${LDAPS[@]}" --password-file "$tmp/pw" --keytab "$tmp/text.keytab"

# --- check_batch_logon_gpo: SMB would silently use the ambient credential cache ---
expect_one_line "check_batch_logon_gpo: --bind-dn without --sysvol-path" 3 \
  "BATCH_LOGON UNKNOWN - --bind-dn without --sysvol-path: SYSVOL is read over SMB with Kerberos only, which would silently use the ambient credential cache; authenticate with --keytab or --ccache instead of --bind-dn, or give --sysvol-path DIR" \
  $BLG -a cam-svc -C SERVER1 "${LDAPS[@]}" --password-file "$tmp/pw"
expect_one_line "check_batch_logon_gpo: --sysvol-path that does not exist" 3 \
  "BATCH_LOGON UNKNOWN - --sysvol-path /nonexistent/sysvol: cannot read the directory: No such file or directory" \
  ${CMD[BATCH_LOGON]} --sysvol-path /nonexistent/sysvol
expect_one_line "check_batch_logon_gpo: --sysvol-path that is a file" 3 \
  "BATCH_LOGON UNKNOWN - --sysvol-path $tmp/pw: cannot read the directory: Not a directory" \
  ${CMD[BATCH_LOGON]} --sysvol-path "$tmp/pw"
expect_one_line "check_batch_logon_gpo: --sysvol-host with --sysvol-path" 3 \
  "BATCH_LOGON UNKNOWN - --sysvol-host (SYSVOL over SMB) and --sysvol-path (SYSVOL from a directory) exclude each other" \
  ${CMD[BATCH_LOGON]} --sysvol-path "$tmp/sysvol" --sysvol-host dc1.invalid

# --- control: good files pass the option checks; the run then stops at the (local) empty
# credential cache, still before any network I/O (a test of the tests: the cases above did not
# fail for a reason common to every run) ---
for svc in SPN_UNIQUE NEGOTIATE BATCH_LOGON; do
  read -r -a c <<< "${CMD[$svc]}"
  run_cmd "${c[@]}" --ca-file "$FIX/bundle.pem" --ccache "FILE:$tmp/none.cc" -t 5
  expect "$(basename "${c[0]}"): a good --ca-file passes the checks" 3 \
    "^$svc UNKNOWN - .*no valid Kerberos credentials in FILE:$tmp/none\.cc \(run kinit, or give --keytab\)"
done

tap_end
