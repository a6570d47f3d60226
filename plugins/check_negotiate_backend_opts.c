/* check_negotiate_backend_opts.c — option parsing and validation of check_negotiate_backend
 * (pure: no I/O; tests/unit/test_negotiate_opts.c). */
#include "check_negotiate_backend.h"
#include "gss.h"
#include "util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ option parsing */

/* Parses and checks the public URL: http or https, a host, no credentials. */
int nb_parse_url(struct nb_cfg *cfg, const char *arg, struct iwa_err *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL, *pw = NULL;
	int rc = 0;
	unsigned long long p = 0;

	if (u == NULL)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	CURLUcode uc = curl_url_set(u, CURLUPART_URL, arg, CURLU_NON_SUPPORT_SCHEME);
	if (uc != CURLUE_OK) {
		rc = iwa_err_set(err, IWA_EINVAL, "--url: '%s' is not a valid URL (%s)", arg,
				 curl_url_strerror(uc));
		goto cleanup;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)) {
		rc = iwa_err_set(err, IWA_EINVAL,
				 "--url: scheme '%s' is not supported (http or https)",
				 scheme ? scheme : "");
		goto cleanup;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0') {
		rc = iwa_err_set(err, IWA_EINVAL, "--url: '%s' has no host", arg);
		goto cleanup;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &pw, 0) == CURLUE_OK) {
		rc = iwa_err_set(err, IWA_EINVAL,
				 "--url: must not hold a user name or password (Kerberos is used)");
		goto cleanup;
	}
	if (curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
	    iwa_parse_uint(port, 1, 65535, "--url port", &p, err) < 0) {
		rc = iwa_err_set(err, IWA_EINVAL, "--url: '%s' has a bad port", arg);
		goto cleanup;
	}
	for (char *c = host; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	free(cfg->url_host);
	cfg->url_host = strdup(host);
	if (cfg->url_host == NULL) {
		rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
		goto cleanup;
	}
	cfg->url_port = (unsigned)p;
	cfg->https = strcasecmp(scheme, "https") == 0;
	cfg->url = arg;
cleanup:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(user);
	curl_free(pw);
	curl_url_cleanup(u);
	return rc;
}

static bool host_chars_ok(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) && c != '-' && c != '.' && c != '_')
			return false;
	}
	return true;
}

/* Parses -B ADDR[:PORT]: a host name or IPv4 address, "[IPv6]", "[IPv6]:PORT", or a bare
 * IPv6 address (no port). Pure. */
int nb_parse_backend(const char *arg, struct backend *b, struct iwa_err *err)
{
	const char *host = arg, *port = NULL;
	size_t hlen;
	char v6[128];

	memset(b, 0, sizeof(*b));
	/* The label names perfdata items "<label>_status" etc., which must fit a perfdata
	 * label (a longer one used to lose its perfdata without a word). */
	if (strlen(arg) > NB_BACKEND_ARG_MAX)
		return iwa_err_set(err, IWA_EINVAL, "-B: '%.40s...' is longer than %d characters",
				   arg, NB_BACKEND_ARG_MAX);
	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');
		if (close == NULL)
			return iwa_err_set(err, IWA_EINVAL,
					   "-B: '%s': missing ']' after the IPv6 address", arg);
		hlen = (size_t)(close - arg - 1);
		host = arg + 1;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0')
			return iwa_err_set(err, IWA_EINVAL, "-B: '%s': expected ':PORT' after ']'",
					   arg);
		if (hlen == 0 || hlen >= sizeof(v6))
			return iwa_err_set(err, IWA_EINVAL, "-B: '%s': empty or too long address",
					   arg);
		memcpy(v6, host, hlen);
		v6[hlen] = '\0';
		struct in6_addr a6;
		if (inet_pton(AF_INET6, v6, &a6) != 1)
			return iwa_err_set(err, IWA_EINVAL, "-B: '%s' is not an IPv6 address", v6);
	} else {
		const char *c1 = strchr(arg, ':');
		if (c1 != NULL && strchr(c1 + 1, ':') != NULL) {
			/* two colons or more: a bare IPv6 address, no port */
			struct in6_addr a6;
			if (inet_pton(AF_INET6, arg, &a6) != 1)
				return iwa_err_set(err, IWA_EINVAL,
						   "-B: '%s' is neither HOST[:PORT] nor an IPv6 "
						   "address ([ADDR]:PORT)",
						   arg);
			hlen = strlen(arg);
		} else {
			hlen = c1 ? (size_t)(c1 - arg) : strlen(arg);
			if (c1 != NULL)
				port = c1 + 1;
			if (hlen == 0)
				return iwa_err_set(err, IWA_EINVAL,
						   "-B: '%s': the address is missing", arg);
			if (!host_chars_ok(arg, hlen))
				return iwa_err_set(err, IWA_EINVAL,
						   "-B: '%s': bad character in the address", arg);
		}
	}
	if (port != NULL) {
		unsigned long long p;
		if (port[0] == '\0')
			return iwa_err_set(err, IWA_EINVAL,
					   "-B: '%s': the port after ':' is missing", arg);
		if (iwa_parse_uint(port, 1, 65535, "port", &p, err) < 0)
			return iwa_err_set(err, IWA_EINVAL, "-B: '%s': port must be 1..65535", arg);
		b->port = (unsigned)p;
	}
	memcpy(b->addr, host, hlen);
	b->addr[hlen] = '\0';
	snprintf(b->label, sizeof(b->label), "%s", arg);
	return 0;
}

/* Parses -e "200,301-399": status codes and ranges (100..599), no empty items. */
int nb_parse_expect(struct nb_cfg *cfg, const char *arg, struct iwa_err *err)
{
	size_t n = 0;
	const char *p = arg;

	if (arg[0] == '\0' || strlen(arg) >= sizeof(cfg->expect_text))
		return iwa_err_set(err, IWA_EINVAL, "-e: '%s' is empty or too long", arg);
	for (;;) {
		char item[32], lo_s[16], hi_s[16];
		const char *comma = strchr(p, ',');
		size_t l = comma ? (size_t)(comma - p) : strlen(p);
		unsigned long long lo, hi;
		if (l == 0 || l >= sizeof(item))
			return iwa_err_set(err, IWA_EINVAL, "-e: empty or bad item in '%s'", arg);
		if (n >= MAX_EXPECT)
			return iwa_err_set(err, IWA_EINVAL, "-e: more than %d items", MAX_EXPECT);
		memcpy(item, p, l);
		item[l] = '\0';
		const char *dash = strchr(item, '-');
		size_t ll = dash ? (size_t)(dash - item) : l;
		if (ll >= sizeof(lo_s) || (dash && strlen(dash + 1) >= sizeof(hi_s)))
			return iwa_err_set(err, IWA_EINVAL, "-e: '%s' is not a status code", item);
		memcpy(lo_s, item, ll);
		lo_s[ll] = '\0';
		snprintf(hi_s, sizeof(hi_s), "%s", dash ? dash + 1 : lo_s);
		if (iwa_parse_uint(lo_s, 100, 599, "-e", &lo, err) < 0 ||
		    iwa_parse_uint(hi_s, 100, 599, "-e", &hi, err) < 0)
			return iwa_err_set(err, IWA_EINVAL,
					   "-e: '%s' is not a status code or range (100-599)",
					   item);
		if (hi < lo)
			return iwa_err_set(err, IWA_EINVAL, "-e: range '%s' is reversed", item);
		cfg->expect[n].lo = (unsigned)lo;
		cfg->expect[n].hi = (unsigned)hi;
		n++;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	cfg->nexpect = n;
	snprintf(cfg->expect_text, sizeof(cfg->expect_text), "%s", arg);
	return 0;
}

int nb_opt(void *vcfg, int opt, const char *arg, struct iwa_err *err)
{
	struct nb_cfg *cfg = vcfg;
	int rc;

	rc = iwa_krb_opt(&cfg->krb, opt, arg, err);
	if (rc == 0)
		rc = iwa_tls_opt(&cfg->tls, opt, arg, err);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	switch (opt) {
	case 'u':
		return nb_parse_url(cfg, arg, err);
	case 'B':
		if (cfg->nbackends >= MAX_BACKENDS)
			return iwa_err_set(err, IWA_EINVAL, "-B: at most %d backends",
					   MAX_BACKENDS);
		rc = nb_parse_backend(arg, &cfg->backends[cfg->nbackends], err);
		if (rc == 0)
			cfg->nbackends++;
		return rc;
	case 'e':
		return nb_parse_expect(cfg, arg, err);
	case 'w':
	case 'c': {
		struct iwa_range *r = opt == 'w' ? &cfg->th.warn : &cfg->th.crit;
		rc = iwa_range_parse(arg, r, err);
		if (rc < 0) {
			iwa_err_prefix(err, "%s", opt == 'w' ? "-w" : "-c");
			return rc;
		}
		if (opt == 'w')
			cfg->th.has_warn = true;
		else
			cfg->th.has_crit = true;
		return 0;
	}
	case OPT_NO_VIP:
		cfg->no_vip = true;
		return 0;
	case OPT_SPN:
		cfg->spn = arg;
		return 0;
	case OPT_REALM:
		if (arg[0] == '\0' || strpbrk(arg, "@/ ") != NULL)
			return iwa_err_set(err, IWA_EINVAL, "--realm: '%s' is not a realm name",
					   arg);
		cfg->realm = arg;
		return 0;
	case OPT_REQUIRE_MUTUAL:
		cfg->require_mutual = true;
		return 0;
	case OPT_ALLOW_RC4:
		cfg->allow_rc4 = true;
		return 0;
	case OPT_NO_CHANNEL_BINDING:
		cfg->no_channel_binding = true;
		return 0;
	case OPT_EPA_PROBE:
		cfg->epa_probe = true;
		return 0;
	case OPT_EPA:
		if (strcasecmp(arg, "none") == 0)
			cfg->epa_want = NB_EPA_NONE;
		else if (strcasecmp(arg, "allow") == 0)
			cfg->epa_want = NB_EPA_ALLOW;
		else if (strcasecmp(arg, "require") == 0)
			cfg->epa_want = NB_EPA_REQUIRE;
		else
			return iwa_err_set(err, IWA_EINVAL,
					   "--epa: '%s' is not a level (None, Allow or Require)",
					   arg);
		cfg->epa_probe = true;
		return 0;
	case OPT_SPN_FROM:
		if (strcmp(arg, "typed") == 0)
			cfg->spn_from = NB_SPN_FROM_TYPED;
		else if (strcmp(arg, "canonical") == 0)
			cfg->spn_from = NB_SPN_FROM_CANONICAL;
		else if (strcmp(arg, "both") == 0)
			cfg->spn_from = NB_SPN_FROM_BOTH;
		else
			return iwa_err_set(err, IWA_EINVAL,
					   "--spn-from: '%s' is not typed, canonical or both", arg);
		return 0;
	default:
		return iwa_err_set(err, IWA_EINVAL, "unhandled option");
	}
}

int nb_validate(void *vcfg, const struct iwa_common_opts *common, struct iwa_err *err)
{
	struct nb_cfg *cfg = vcfg;
	struct iwa_err e2;
	char principal[600];

	(void)common;
	if (cfg->url == NULL)
		return iwa_err_set(err, IWA_EINVAL, "-u/--url is required (the public URL)");
	if (cfg->no_channel_binding && cfg->epa_probe)
		return iwa_err_set(err, IWA_EINVAL,
				   "--no-channel-binding excludes --epa-probe and --epa (they send "
				   "bindings)");
	if (cfg->epa_probe && !cfg->https)
		return iwa_err_set(err, IWA_EINVAL,
				   "--epa-probe/--epa need an https URL (channel bindings bind to "
				   "the TLS certificate)");
	if (cfg->no_vip && cfg->nbackends == 0)
		return iwa_err_set(err, IWA_EINVAL, "--no-vip without -B: nothing to check");
	if (cfg->spn != NULL && cfg->spn_from != NB_SPN_FROM_DEFAULT)
		return iwa_err_set(err, IWA_EINVAL,
				   "--spn-from and --spn exclude each other (--spn is asked for "
				   "exactly, without DNS)");
	if (cfg->spn != NULL &&
	    iwa_gss_service_principal(cfg->spn, "REALM", principal, sizeof(principal), &e2) < 0)
		return iwa_err_set(err, IWA_EINVAL, "--spn: %s", e2.msg);
	for (size_t i = 0; i < cfg->nbackends; i++) {
		if (!cfg->no_vip && strcmp(cfg->backends[i].label, VIP_LABEL) == 0)
			return iwa_err_set(err, IWA_EINVAL,
					   "-B: '%s' is the name of the VIP's result (use --no-vip "
					   "or an address)",
					   VIP_LABEL);
		for (size_t j = 0; j < i; j++)
			if (strcmp(cfg->backends[i].label, cfg->backends[j].label) == 0)
				return iwa_err_set(err, IWA_EINVAL, "-B: '%s' is given twice",
						   cfg->backends[i].label);
	}
	/* the shared credential and TLS rules, files last (still before any network I/O) */
	if (iwa_krb_validate(&cfg->krb, err) < 0 || iwa_tls_validate(&cfg->tls, err) < 0)
		return err->code;
	return 0;
}

void nb_cfg_init(void *cfg)
{
	memset(cfg, 0, sizeof(struct nb_cfg));
	((struct nb_cfg *)cfg)->epa_want = NB_EPA_UNKNOWN;
}

void nb_cfg_free(struct nb_cfg *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->url_host);
	cfg->url_host = NULL;
}
