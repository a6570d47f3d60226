/* check_negotiate_backend.h — what the parts of check_negotiate_backend share (internal):
 * the configuration, the option parsers (check_negotiate_backend_opts.c, pure, unit-tested)
 * and the check itself (check_negotiate_backend_run.c). */
#ifndef CHECK_NEGOTIATE_BACKEND_H
#define CHECK_NEGOTIATE_BACKEND_H

#include "iwa.h"
#include "krb.h"
#include "plugin.h"
#include "range.h"
#include "tls.h"

#define MAX_BACKENDS 32
#define MAX_EXPECT 16
#define VIP_LABEL "vip"

enum nb_opt {
	OPT_NO_VIP = IWA_OPT_PLUGIN,
	OPT_SPN,
	OPT_REALM,
	OPT_REQUIRE_MUTUAL,
};

/* Longest -B argument: "<it>_status" must still fit a perfdata label (127 characters). */
#define NB_BACKEND_ARG_MAX 120

struct backend {
	char label[128]; /* as given with -B */
	char addr[128];  /* host name or address, IPv6 without brackets */
	unsigned port;   /* 0 = the URL's port */
};

struct code_range {
	unsigned lo, hi;
};

struct nb_cfg {
	const char *url;
	char *url_host; /* from curl_url, lower-cased */
	unsigned url_port;
	bool https;
	struct backend backends[MAX_BACKENDS];
	size_t nbackends;
	bool no_vip;
	const char *spn;
	const char *realm;
	struct iwa_krb_opts krb;
	struct iwa_tls_opts tls;
	struct code_range expect[MAX_EXPECT];
	size_t nexpect;
	char expect_text[128];
	struct iwa_thresholds th;
	bool require_mutual;
};

/* Parses and checks the public URL (http or https, a host, no credentials) into cfg. */
int nb_parse_url(struct nb_cfg *cfg, const char *arg, struct iwa_err *err);
/* Parses -B ADDR[:PORT] ("host", "host:port", "[v6]", "[v6]:port", bare IPv6). */
int nb_parse_backend(const char *arg, struct backend *b, struct iwa_err *err);
/* Parses -e "200,301-399" into cfg->expect. */
int nb_parse_expect(struct nb_cfg *cfg, const char *arg, struct iwa_err *err);
/* The iwa_plugin callbacks. */
int nb_opt(void *vcfg, int opt, const char *arg, struct iwa_err *err);
int nb_validate(void *vcfg, const struct iwa_common_opts *common, struct iwa_err *err);
int nb_run(struct iwa_ctx *ctx, void *vcfg, struct iwa_check *root, struct iwa_err *err);
/* The defaults (all zero) for the module table. */
void nb_cfg_init(void *cfg);
/* The module: option table, help, validate and run (check_negotiate_backend.c). */
extern const struct iwa_plugin nb_check;
/* Frees what nb_parse_url allocated. */
void nb_cfg_free(struct nb_cfg *cfg);

#endif
