# tests/demo/zx_curl_gnutls.sh — demo snippet for scripts/main-job.sh (sourced; it provides
# demo_run and exports the lab's environment): check_negotiate_backend built against a libcurl
# that uses GnuTLS (tests/lab/curl-gnutls-build: what a build from source gets with
# libcurl4-gnutls-dev). The channel binding then comes from CURLOPT_CERTINFO and the TLS
# cause from GnuTLS's status mask; the run looks as with the OpenSSL libcurl.
NB_GT=$(mktemp -d)
if "$TOP/tests/lab/curl-gnutls-build" "$NB_GT" 2>"$NB_GT/err"; then
  echo "built $NB_GT/plugins/check_negotiate_backend: $(ldd "$NB_GT/plugins/check_negotiate_backend" | grep -o 'libcurl[^ ]*' | head -1)"
  demo_run "check_negotiate_backend (GnuTLS libcurl): Allow and Require backends, bindings from CERTINFO" \
    "$NB_GT/plugins/check_negotiate_backend" -u "https://$LAB_FQDN/" --no-vip -B epa-allow -B epa-require \
    --keytab "$LAB_MONITOR_KEYTAB" --ca-file "$LAB_CA" --epa-probe
  demo_run "check_negotiate_backend (GnuTLS libcurl): a --ca-file that did not sign the backend" \
    "$NB_GT/plugins/check_negotiate_backend" -u "https://$LAB_FQDN/" --no-vip -B server1 \
    --keytab "$LAB_MONITOR_KEYTAB" --ca-file "$TOP/tests/unit/fixtures/tls/one.pem"
else
  echo "(the GnuTLS build failed: $(tail -n 3 "$NB_GT/err"))"
fi
rm -rf "$NB_GT"
