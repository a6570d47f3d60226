/* check_negotiate_backend — logs in with Kerberos (HTTP Negotiate, SPNEGO) to every backend
 * behind an L4 balancer, through the public name, and proves with mutual authentication that
 * each backend decrypted the ticket with the SPN's key.
 *
 * Flow: our credentials (common/krb.c) -> ONE service ticket for HTTP/<public name>@REALM
 * into the cache (common/gss.c) -> for every backend in parallel (common/http.c, curl multi,
 * CURLOPT_CONNECT_TO): GET -> 401 + WWW-Authenticate: Negotiate -> GET with
 * Authorization: Negotiate <token of a fresh GSS context> -> final status + final token ->
 * gss_init_sec_context(final token) = mutual authentication verified.
 * This file: the check module's definition (nb_check) and help texts; options in
 * check_negotiate_backend_opts.c, the check in check_negotiate_backend_run.c, main() in
 * check_negotiate_backend_main.c. */
#include "check_negotiate_backend.h"
#include "plugin.h"

#include <string.h>

/* ------------------------------------------------------------------ plugin definition */

static const struct option nb_longopts[] = {
	{"url", required_argument, NULL, 'u'},
	{"backend", required_argument, NULL, 'B'},
	{"expect", required_argument, NULL, 'e'},
	{"warning", required_argument, NULL, 'w'},
	{"critical", required_argument, NULL, 'c'},
	{"no-vip", no_argument, NULL, OPT_NO_VIP},
	{"spn", required_argument, NULL, OPT_SPN},
	{"spn-from", required_argument, NULL, OPT_SPN_FROM},
	{"realm", required_argument, NULL, OPT_REALM},
	IWA_KRB_LONGOPTS_ENTRIES,
	{"fresh-ticket", no_argument, NULL, IWA_OPT_KRB_FRESH},
	IWA_TLS_LONGOPTS_ENTRIES,
	{"require-mutual", no_argument, NULL, OPT_REQUIRE_MUTUAL},
	{"allow-rc4", no_argument, NULL, OPT_ALLOW_RC4},
	{"no-channel-binding", no_argument, NULL, OPT_NO_CHANNEL_BINDING},
	{"epa-probe", no_argument, NULL, OPT_EPA_PROBE},
	{"epa", required_argument, NULL, OPT_EPA},
	{NULL, 0, NULL, 0},
};

static const char nb_purpose[] =
	"Logs in with Kerberos (HTTP Negotiate/SPNEGO) to every backend behind an L4\n"
	"balancer, as a browser would through the public name, and proves with mutual\n"
	"authentication that each backend decrypted the ticket with the SPN's key.\n"
	"One service ticket per run is shared by all backends; all backends are checked\n"
	"in parallel, each bounded by the time budget (-t).\n";

static const char nb_usage[] =
	"Usage: check_negotiate_backend -u URL [-B ADDR[:PORT]]... [--no-vip]\n"
	"         [--spn SPN | --spn-from typed|canonical|both] [--realm REALM]\n"
	"         [--keytab FILE [--principal NAME]]\n"
	"         [--ccache NAME] [--fresh-ticket] [--ca-file FILE | --insecure]\n"
	"         [-e CODES] [-w RANGE] [-c RANGE] [--require-mutual] [--allow-rc4]\n"
	"         [--no-channel-binding | --epa-probe | --epa LEVEL] [-t SECONDS] [-v]\n";

static const char nb_options[] =
	"Target:\n"
	" -u, --url URL          the public URL as users reach it (http or https),\n"
	"                        e.g. https://sso.example.com/app/ (required)\n"
	" -B, --backend ADDR[:PORT]\n"
	"                        also check this backend (repeatable, up to 32): connect\n"
	"                        to ADDR while URL host, TLS SNI, Host header and SPN\n"
	"                        stay the public name; PORT defaults to the URL's; an\n"
	"                        IPv6 address as [ADDR]:PORT; results are labelled with\n"
	"                        ADDR[:PORT] as given (default: none)\n"
	" --no-vip               do not check the URL's own address (default: the VIP\n"
	"                        is checked too, labelled 'vip')\n"
	"Kerberos:\n"
	" --spn SPN              service principal to ask for, imported exactly (no DNS\n"
	"                        canonicalization) (default: HTTP/<URL host>)\n"
	" --spn-from typed|canonical|both\n"
	"                        when the URL's host is a DNS alias (CNAME, one query\n"
	"                        through resolv.conf): ask for HTTP/<host as typed>\n"
	"                        (what Firefox asks for), HTTP/<canonical name> (what\n"
	"                        Chrome and Edge ask for by default) or both, one\n"
	"                        ticket each, every backend tried with each (default:\n"
	"                        both for an alias, else the typed name)\n"
	" --realm REALM          realm of the SPN (default: our principal's realm)\n"
	" --fresh-ticket         ask the KDC for a new service ticket even when the\n"
	"                        cache (e.g. --ccache) holds a valid one from an earlier\n"
	"                        run; only that ticket is replaced (default: reuse "
	"it)\n" IWA_KRB_OPTIONS_HELP IWA_TLS_OPTIONS_HELP "Results:\n"
	" -e, --expect CODES     HTTP status expected after authentication, a list of\n"
	"                        codes and ranges, e.g. 200,301-302 (default: 200-399)\n"
	" -w, --warning RANGE    WARNING when a backend's total time in seconds is\n"
	"                        outside RANGE (default: none)\n"
	" -c, --critical RANGE   CRITICAL likewise (default: none)\n"
	" --require-mutual       CRITICAL instead of WARNING when a backend answers\n"
	"                        without the final mutual-authentication token\n"
	"                        (default: WARNING)\n"
	" --allow-rc4            an RC4 (arcfour-hmac) service ticket is OK, not\n"
	"                        WARNING (default: WARNING: RC4 is being retired)\n"
	"Extended Protection (channel bindings, IIS tokenChecking):\n"
	" --no-channel-binding   send tokens without channel bindings, like curl\n"
	"                        (default: bind every token to the TLS certificate its\n"
	"                        connection presented, RFC 5929 tls-server-end-point,\n"
	"                        as browsers do)\n"
	" --epa-probe            tell each target's tokenChecking level (None, Allow,\n"
	"                        Require) with at most 2 extra requests per target (a\n"
	"                        token without bindings, then one with a wrong binding);\n"
	"                        WARNING when the backends differ (default: off)\n"
	" --epa LEVEL            the level expected (None, Allow or Require): a target\n"
	"                        below it is CRITICAL, one at or above it OK (the\n"
	"                        backends need not agree then); implies --epa-probe\n"
	"                        (default: none expected)\n";

static const char nb_notes[] =
	"Per backend (worst wins):\n"
	" OK        expected status after Kerberos, mutual authentication verified\n"
	" WARNING   authenticated but no mutual-authentication token; slower than -w;\n"
	"           the service ticket is RC4 (not with --allow-rc4)\n"
	" CRITICAL  401 after the token (the backend cannot decrypt the ticket: wrong\n"
	"           key, e.g. IIS kernel mode without useAppPoolCredentials); 503\n"
	"           (application pool stopped: 'Log on as a batch job'?); only NTLM\n"
	"           or Basic offered (Kerberos off); refused, TLS failure, timeout,\n"
	"           unexpected status; the KDC has no unique account for the SPN;\n"
	"           clock skew (a backend's KRB-ERROR, or the KDC's); a backend\n"
	"           without a key of the ticket's enctype/kvno (its KRB-ERROR says\n"
	"           NOKEY or BADKEYVER: keytab older than the AES keys or the password);\n"
	"           Extended Protection: the VIP presents another certificate than\n"
	"           the backends (TLS terminated in front), the bound token refused\n"
	"           while one without bindings is accepted (TLS re-encrypted in\n"
	"           front), 401 with and without bindings on another certificate\n"
	"           (Require, mismatch), a level below --epa\n"
	" UNKNOWN   our own credentials are unusable (bad keytab, expired password)\n"
	"URL host that is a DNS alias: one result per browser family, e.g.\n"
	"  Chrome/Edge: OK, Firefox: falls back to NTLM (no HTTP/<host>) - WARNING when\n"
	"  one family gets Kerberos and the KDC knows no SPN for the other; a DNS server\n"
	"  that does not answer ends the run within -t (stage DNS named).\n"
	"Perfdata: backends_ok, <label>_time, <label>_ttfb, <label>_status per target\n"
	"(the VIP is 'vip'), ticket_time (credentials and service ticket, seconds);\n"
	"with --epa-probe <label>_epa (0 None, 1 Allow, 2 Require) per target whose\n"
	"level was told; for an alias these are the typed name's, plus\n"
	"canonical_backends_ok and canonical_ticket_time. A token refused with\n"
	"bindings is sent once more without them (1 extra request) to tell a binding\n"
	"mismatch from a wrong key.\n"
	"The ticket line names the ticket's enctype, kvno and session key; -v adds\n"
	"TGT/ticket reuse, and per-target\n"
	"addresses, steps and timings.\n";

static const char nb_examples[] =
	"Examples:\n"
	"  check_negotiate_backend -u https://sso.camtest.test/ -B server1 -B server2 \\\n"
	"    --keytab /etc/iwa/monitor.keytab --ccache FILE:/var/cache/iwa/cc \\\n"
	"    --ca-file /etc/iwa/ca.pem\n"
	"  NEGOTIATE OK - 3/3 backends accept Kerberos for HTTP/sso.camtest.test, mutual\n"
	"  authentication verified | backends_ok=3;;;0;3 vip_time=0.02s;;;0 ...\n"
	"  check_negotiate_backend -u https://sso.camtest.test/ -B 10.0.0.11:8443 \\\n"
	"    --no-vip -w 1 -c 5 -e 200\n"
	"  check_negotiate_backend -u https://sso.camtest.test/ -B server1 -B server2 \\\n"
	"    --epa Require\n";

static void cfg_free(void *cfg)
{
	nb_cfg_free(cfg);
}

const struct iwa_plugin nb_check = {
	.name = "check_negotiate_backend",
	.service = "NEGOTIATE",
	.shortopts = "u:B:e:w:c:",
	.longopts = nb_longopts,
	.purpose = nb_purpose,
	.usage = nb_usage,
	.options_help = nb_options,
	.notes = nb_notes,
	.examples = nb_examples,
	.handle_opt = nb_opt,
	.validate = nb_validate,
	.run = nb_run,
	.cfg_size = sizeof(struct nb_cfg),
	.cfg_init = nb_cfg_init,
	.cfg_free = cfg_free,
};
