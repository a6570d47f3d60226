# tests/demo/zw_rc4_epa_cname.sh — demo snippet for scripts/main-job.sh (sourced; it provides
# demo_run and demo_scenario and exports the lab's environment). The failures that hit IWA farms
# in 2026: RC4 retirement (an RC4-only or AES-less pool account, a KDC that no longer issues RC4,
# a backend keytab without the AES key), Extended Protection (channel bindings; Allow/Require
# backends of our own and a TLS-terminating HAProxy in front of them) and public names that are
# DNS aliases (Chrome/Edge ask for the canonical name's SPN, Firefox for the typed one).

SPN=(check_spn_unique -H "$LAB_DC_FQDN" -f "$LAB_FQDN" -e cam-svc --keytab "$LAB_MONITOR_KEYTAB")
NB=(check_negotiate_backend --keytab "$LAB_MONITOR_KEYTAB" --ca-file "$LAB_CA")

# --- RC4 retirement
demo_run "RC4: the healthy farm is AES (ticket enctype, kvno, KDC exchanges in perfdata)" "${SPN[@]}"
demo_scenario owner-rc4-only on
demo_run "RC4: cam-svc allows only RC4 (msDS-SupportedEncryptionTypes=0x4): WARNING with the fix" "${SPN[@]}"
demo_run "RC4: the same, the site accepts the risk (--allow-rc4)" "${SPN[@]}" --allow-rc4
demo_run "RC4: the backends get an RC4 ticket (WARNING on the ticket line)" \
  "${NB[@]}" -u "https://$LAB_FQDN/" -B server1 -B server2
demo_run "RC4: the audit lists every RC4-only SPN owner (--all --rc4)" \
  check_spn_unique -H "$LAB_DC_FQDN" --all --rc4 --keytab "$LAB_MONITOR_KEYTAB"
demo_scenario kdc-no-rc4 on
demo_run "RC4: ... and the KDC no longer issues RC4 (KDC_ERR_ETYPE_NOSUPP): CRITICAL, also with --allow-rc4" \
  "${SPN[@]}" --allow-rc4
demo_scenario kdc-no-rc4 off
demo_scenario owner-rc4-only off
demo_scenario owner-no-aes on
demo_run "RC4: cam-svc has no AES keys (the key probe, no secret needed): CRITICAL" "${SPN[@]}"
demo_scenario owner-no-aes off
demo_scenario backend-keytab-rc4 on
demo_run "RC4: server2's keytab holds only the RC4 key: its own cause, not useAppPoolCredentials" \
  "${NB[@]}" -u "https://$LAB_FQDN/" --no-vip -B server1 -B server2
demo_scenario backend-keytab-rc4 off

# --- Extended Protection (channel bindings are sent by default, as browsers do)
demo_run "EPA: an Allow and a Require backend, each level told (--epa-probe): WARNING, they differ" \
  "${NB[@]}" -u "https://$LAB_FQDN/" --no-vip -B epa-allow -B epa-require --epa-probe
demo_run "EPA: the farm must have Require (--epa Require): the Apache backend (None) is CRITICAL" \
  "${NB[@]}" -u "https://$LAB_FQDN/" --no-vip -B server1 -B epa-require --epa Require
demo_run "EPA: a balancer that re-encrypts TLS in front of an Allow backend" \
  "${NB[@]}" -u "https://$LAB_FQDN/" --no-vip -B epa-proxy-allow
demo_run "EPA: the VIP terminates TLS in front of a Require backend: the certificates differ" \
  "${NB[@]}" -u "https://epa-proxy.$LAB_DNS_DOMAIN/" --spn "HTTP/$LAB_FQDN" -B epa-require

# --- public names that are DNS aliases (portal CNAME lb-vip)
demo_run "CNAME: $LAB_ALIAS_FQDN is an alias and no SPN is registered for either name" \
  check_spn_unique -H "$LAB_DC_FQDN" -f "$LAB_ALIAS_FQDN" -e cam-svc --keytab "$LAB_MONITOR_KEYTAB"
demo_scenario cname-spn-typed on
demo_run "CNAME: the SPN on the typed name only: Chrome/Edge fall back to NTLM" \
  check_spn_unique -H "$LAB_DC_FQDN" -f "$LAB_ALIAS_FQDN" -e cam-svc --keytab "$LAB_MONITOR_KEYTAB"
demo_run "CNAME: the backends with the ticket of each SPN browsers ask for (--spn-from both)" \
  "${NB[@]}" -u "https://$LAB_ALIAS_FQDN/" -B "$LAB_SERVER1_IP" -B "$LAB_SERVER2_IP"
demo_scenario cname-spn-canonical on
demo_run "CNAME: both SPNs on cam-svc: every browser gets Kerberos" \
  "${NB[@]}" -u "https://$LAB_ALIAS_FQDN/" -B "$LAB_SERVER1_IP" -B "$LAB_SERVER2_IP"
demo_scenario cname-spn-canonical off
demo_scenario cname-spn-typed off
