#!/usr/bin/env bash
# tests/integration/curl_gnutls.sh — check_negotiate_backend built against a libcurl that uses
# GnuTLS (Debian's libcurl3-gnutls: what a build from source gets on a machine with
# libcurl4-gnutls-dev). There the OpenSSL hook into libcurl's verification is not used: the leaf
# certificate of each connection, and so the channel binding, come from CURLOPT_CERTINFO, and
# the verify result is GnuTLS's status mask (common/http.c maps it). The same lab as the other
# tests: the channel binding must be the farm certificate's hash (epa-require refuses any
# other), the certificate of THIS connection (epa-proxy presents another), and the TLS causes
# must be named as with OpenSSL.
# Env: BUILDDIR, LAB (tests/lab/lab), LAB_NS, LAB_DIR; the lab is up when this starts. Builds
# the plugin itself in its work folder (tests/lab/curl-gnutls-build, seconds to a minute).
source "$(dirname "$0")/../tap.sh"
set -u

source "$(dirname "$0")/../labtest.sh"
labtest_init check_negotiate_backend curl_gnutls
TOP=$(cd "$(dirname "$0")/../.." && pwd)

B=$WORK/build
"$TOP/tests/lab/curl-gnutls-build" "$B" 2>"$WORK/build.err"
case $? in
0) tap_ok "check_negotiate_backend builds against libcurl-gnutls (configure CURL_LIBS=-l:libcurl-gnutls.so.4)" ;;
2) # scripts/install-deps.sh installs libcurl3-gnutls: its absence is a failure, not a skip
  tap_fail "libcurl-gnutls.so.4 is installed (package libcurl3-gnutls)" "$(cat "$WORK/build.err")"
  tap_end; exit 1 ;;
*) tap_fail "check_negotiate_backend builds against libcurl-gnutls" "$(cat "$WORK/build.err")"
  tap_end; exit 1 ;;
esac
P=$B/plugins/check_negotiate_backend
libs=$(ldd "$P")
if printf '%s\n' "$libs" | grep -q 'libcurl-gnutls\.so\.4' && ! printf '%s\n' "$libs" | grep -q 'libcurl\.so\.4'; then
  tap_ok "the build links libcurl-gnutls.so.4 and not the OpenSSL libcurl.so.4"
else tap_fail "the build links libcurl-gnutls.so.4 and not the OpenSSL libcurl.so.4" "$libs"; fi

URL=https://$LAB_FQDN/
BASE=(-u "$URL" --keytab "$LAB_MONITOR_KEYTAB" --ca-file "$LAB_CA" --ccache "FILE:$WORK/cc")
nb() { run_cmd "$LAB" exec "$P" "$@"; }
SSO_HASH=$(openssl x509 -in "$LAB_SSO_CERT" -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
PROXY_HASH=$(openssl x509 -in "$LAB_EPA_PROXY_CERT" -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)

nb "${BASE[@]}" -B server1 -B server2
expect "GnuTLS build, healthy farm: OK, mutual authentication" 0 \
  '^NEGOTIATE OK - 3/3 backends accept Kerberos for HTTP/sso\.camtest\.test, mutual authentication verified \| ' \
  '^\[OK\] server1: HTTP 200 after Negotiate/Kerberos, mutual authentication verified'

nb "${BASE[@]}" --no-vip -B epa-allow -B epa-require -v
expect "GnuTLS build, Allow and Require with default bindings: OK, the hash bound is the farm certificate's (from CERTINFO)" 0 \
  '^NEGOTIATE OK - 2/2 backends accept Kerberos for HTTP/sso\.camtest\.test, mutual authentication verified \| ' \
  '^\[OK\] epa-require: HTTP 200 after Negotiate/Kerberos, mutual authentication verified' \
  "channel binding: sent tls-server-end-point SHA-256 $SSO_HASH of CN=sso\\.camtest\\.test"

nb "${BASE[@]}" --no-vip -B epa-require -B epa-proxy
expect "GnuTLS build, Require behind a TLS-terminating device: each connection's own certificate hashed" 2 \
  '^NEGOTIATE CRITICAL - epa-proxy: 401 after the token: the channel binding did not match \(1/2 backends OK\)' \
  "^\[CRITICAL\] epa-proxy: .*we hashed the certificate this connection presented \(SHA-256 $PROXY_HASH, subject CN=sso\\.camtest\\.test\), another one than epa-require presents \(SHA-256 $SSO_HASH\)"

nb "${BASE[@]}" --no-vip -B epa-allow -B epa-require --epa-probe
expect "GnuTLS build, --epa-probe: Allow and Require told per target" 1 \
  '^NEGOTIATE WARNING - epa-allow: Extended Protection differs \(epa-allow Allow, epa-require Require\)' \
  ' epa-allow_epa=1;;;0;2 ' ' epa-require_epa=2;;;0;2 '

# GnuTLS says "server certificate verification failed. CAfile: ... CRLfile: none" for every
# chain problem; its status mask tells which (here INVALID | SIGNER_NOT_FOUND)
OTHER_CA=$TOP/tests/unit/fixtures/tls/one.pem
nb -u "$URL" --keytab "$LAB_MONITOR_KEYTAB" --ccache "FILE:$WORK/cc" -B server1 --ca-file "$OTHER_CA" --no-vip
expect "GnuTLS build, a CA that does not sign the server: 'not trusted', GnuTLS's reason in words" 2 \
  '^NEGOTIATE CRITICAL - server1: TLS certificate not trusted \(0/1 backends OK\)' \
  '^\[CRITICAL\] server1: TLS certificate not trusted for server1:443: server certificate verification failed\. .*\(GnuTLS: its issuer is not a trusted CA\) — no trusted CA issued it: install the issuing CA'

nb -u "https://$LAB_DC_FQDN/" --spn "HTTP/$LAB_FQDN" -B server1 --no-vip \
  --keytab "$LAB_MONITOR_KEYTAB" --ccache "FILE:$WORK/cc" --ca-file "$LAB_CA"
expect "GnuTLS build, a certificate that does not name the URL's host: 'name mismatch'" 2 \
  '^NEGOTIATE CRITICAL - server1: TLS certificate name mismatch \(0/1 backends OK\) \| ' \
  "^\[CRITICAL\] server1: TLS certificate name mismatch for server1:443: SSL: certificate subject name \(sso\.camtest\.test\) does not match target host name 'dc1\.camtest\.test' — the certificate does not name the URL's host"

tap_end
