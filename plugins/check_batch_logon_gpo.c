/* check_batch_logon_gpo.c — does the IIS app-pool account really get "Log on as a batch job"
 * (SeBatchLogonRight, or any --right) on every server, according to the directory and SYSVOL?
 * The check module (blg_check): options, help, validation and the run; directory/SYSVOL reads
 * in _dir.c and _sysvol.c, the per-computer evaluation in _eval.c; main() in _main.c. */
#include "check_batch_logon_gpo.h"
#include "budget.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_GPO = IWA_OPT_PLUGIN,
	OPT_RIGHT,
	OPT_SYSVOL_PATH,
	OPT_SITE,
	OPT_SYSVOL_HOST,
};

static const struct option blg_longopts[] = {
	IWA_LDAP_LONGOPTS_ENTRIES,
	{"account", required_argument, NULL, 'a'},
	{"computer", required_argument, NULL, 'C'},
	{"gpo", required_argument, NULL, OPT_GPO},
	{"right", required_argument, NULL, OPT_RIGHT},
	{"sysvol-path", required_argument, NULL, OPT_SYSVOL_PATH},
	{"site", required_argument, NULL, OPT_SITE},
	{"sysvol-host", required_argument, NULL, OPT_SYSVOL_HOST},
	{0, 0, 0, 0},
};

void blg_cfg_init(void *vc)
{
	struct blg_config *c = vc;

	memset(c, 0, sizeof(*c));
	/* GPOs, gPLink and tokenGroups are domain data: the domain's LDAP port, not the GC. */
	iwa_ldap_opts_init(&c->ldap, 389);
	c->right = "SeBatchLogonRight";
}

/* A value must not be empty; a few options must not hold control characters. */
static int nonempty(const char *opt, const char *arg, struct iwa_err *err)
{
	if (arg == NULL || *arg == '\0')
		return iwa_err_set(err, IWA_EINVAL, "%s: empty value", opt);
	for (const char *p = arg; *p; p++)
		if ((unsigned char)*p < 0x20)
			return iwa_err_set(err, IWA_EINVAL, "%s: control character in \"%s\"", opt,
					   arg);
	return 0;
}

/* One option of ours (the directory options go to iwa_ldap_opt). */
static int blg_opt(void *vcfg, int opt, const char *arg, struct iwa_err *err)
{
	struct blg_config *c = vcfg;
	int rc = iwa_ldap_opt(&c->ldap, opt, arg, err);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	switch (opt) {
	case 'a':
		if ((rc = nonempty("-a/--account", arg, err)) != 0)
			return rc;
		c->account = arg;
		return 0;
	case 'C':
		if ((rc = nonempty("-C/--computer", arg, err)) != 0)
			return rc;
		if (c->ncomputers == BLG_MAX_COMPUTERS)
			return iwa_err_set(err, IWA_EINVAL, "-C/--computer: at most %d computers",
					   BLG_MAX_COMPUTERS);
		c->computers[c->ncomputers++] = arg;
		return 0;
	case OPT_GPO:
		if ((rc = nonempty("--gpo", arg, err)) != 0)
			return rc;
		c->gpo = arg;
		return 0;
	case OPT_RIGHT:
		if ((rc = nonempty("--right", arg, err)) != 0)
			return rc;
		for (const char *p = arg; *p; p++)
			if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			      (*p >= '0' && *p <= '9')))
				return iwa_err_set(err, IWA_EINVAL,
						   "--right: \"%s\" is not a right name such as "
						   "SeBatchLogonRight",
						   arg);
		c->right = arg;
		return 0;
	case OPT_SYSVOL_PATH:
		if ((rc = nonempty("--sysvol-path", arg, err)) != 0)
			return rc;
		c->sysvol_path = arg;
		return 0;
	case OPT_SYSVOL_HOST:
		if ((rc = nonempty("--sysvol-host", arg, err)) != 0)
			return rc;
		if (strpbrk(arg, "/\\@?#: ") != NULL)
			return iwa_err_set(err, IWA_EINVAL,
					   "--sysvol-host: \"%s\" is not a host name", arg);
		c->sysvol_host = arg;
		return 0;
	case OPT_SITE:
		if ((rc = nonempty("--site", arg, err)) != 0)
			return rc;
		if (strpbrk(arg, ",=+<>#;\\\"") != NULL)
			return iwa_err_set(err, IWA_EINVAL, "--site: \"%s\" is not a site name",
					   arg);
		c->site = arg;
		return 0;
	}
	return iwa_err_set(err, IWA_EINVAL, "unknown option");
}

/* "ldap://dc1.camtest.test:389/" -> "dc1.camtest.test" (NULL when there is no host, or an
 * IPv6 literal: SMB with Kerberos needs a name anyway). */
static char *uri_host(const char *uri)
{
	char host[256];

	iwa_ldap_uri_host(uri, host, sizeof host);
	return host[0] != '\0' && strchr(host, ':') == NULL ? strdup(host) : NULL;
}

static int blg_validate(void *vcfg, const struct iwa_common_opts *common, struct iwa_err *err)
{
	struct blg_config *c = vcfg;
	int rc;

	(void)common;
	if (c->account == NULL)
		return iwa_err_set(err, IWA_EINVAL,
				   "-a/--account is required (the app-pool "
				   "identity, e.g. CAMTEST\\cam-svc)");
	if (c->ncomputers == 0)
		return iwa_err_set(err, IWA_EINVAL,
				   "-C/--computer is required (the IIS servers' "
				   "computer accounts, repeatable)");
	/* SMB authenticates with Kerberos only, from KRB5CCNAME/the default cache: with
	 * a simple bind no credentials of ours are set up, so it would silently use
	 * whatever ticket that cache holds (or fail for a reason we cannot name). */
	if (c->ldap.bind_dn != NULL && c->sysvol_path == NULL)
		return iwa_err_set(err, IWA_EINVAL,
				   "--bind-dn without --sysvol-path: SYSVOL is read over "
				   "SMB with Kerberos only, which would silently use the "
				   "ambient credential cache; authenticate with --keytab "
				   "or --ccache instead of --bind-dn, or give --sysvol-path "
				   "DIR");
	if (c->sysvol_host != NULL && c->sysvol_path != NULL)
		return iwa_err_set(err, IWA_EINVAL,
				   "--sysvol-host (SYSVOL over SMB) and --sysvol-path (SYSVOL "
				   "from a directory) exclude each other");
	rc = iwa_ldap_validate(&c->ldap, err);
	if (rc != 0)
		return rc;
	if (c->sysvol_path != NULL) {
		DIR *d = opendir(c->sysvol_path);

		if (d == NULL)
			return iwa_err_set(err, IWA_EINVAL,
					   "--sysvol-path %s: cannot read the directory: %s",
					   c->sysvol_path, strerror(errno));
		closedir(d);
	} else {
		if (!iwa_smb_available())
			return iwa_err_set(err, IWA_EINVAL,
					   "--sysvol-path is required: this build has "
					   "no libsmbclient (--without-smbclient)");
		if (c->sysvol_host == NULL && c->ldap.host == NULL && c->ldap.uri != NULL)
			c->sysvol_host = c->uri_host = uri_host(c->ldap.uri);
		if (c->sysvol_host == NULL && c->ldap.host == NULL)
			return iwa_err_set(err, IWA_EINVAL,
					   "--sysvol-host or -H is required to read "
					   "SYSVOL over SMB (the DC's DNS name; or "
					   "give --sysvol-path)");
		if (c->sysvol_host == NULL)
			c->sysvol_host = c->ldap.host;
	}
	return 0;
}

int blg_run(struct iwa_ctx *ctx, void *vcfg, struct iwa_check *root, struct iwa_err *err)
{
	const struct blg_config *cfg = vcfg;
	struct blg_ctx c;
	bool need_links = false;
	int rc;

	memset(&c, 0, sizeof(c));
	c.cfg = cfg;
	c.run = ctx;
	c.verbose = ctx->verbose;
	c.expected_gpo = -1;
	c.account.query = cfg->account;
	for (size_t i = 0; i < cfg->ncomputers; i++)
		c.comp[i].query = cfg->computers[i];
	c.ncomp = cfg->ncomputers;
	rc = iwa_ctx_ldap(ctx, &cfg->ldap, &c.ldap, err);
	if (rc != 0) {
		iwa_err_prefix(err, "directory unreadable");
		goto cleanup;
	}
	rc = blg_dir_load(&c, err);
	if (rc == 0)
		rc = blg_sysvol_load(&c, err);
	if (rc == 0)
		rc = blg_dir_resolve_names(&c, err);
	/* the wrong-OU cause names where --gpo is linked: read that now, not while evaluating */
	if (rc == 0)
		rc = blg_needs_expected_links(&c, &need_links, err);
	if (rc == 0 && need_links)
		rc = blg_dir_expected_links(&c, err);
	c.seconds = iwa_ctx_elapsed(ctx);
	if (rc == 0)
		rc = blg_evaluate(&c, root, err);
cleanup:
	iwa_smb_free(c.smb);
	c.smb = NULL;
	blg_ctx_free(&c);
	return rc;
}

void blg_cfg_free(void *vc)
{
	struct blg_config *c = vc;

	free(c->uri_host);
	c->uri_host = NULL;
}

const struct iwa_plugin blg_check = {
	.name = "check_batch_logon_gpo",
	.service = "BATCH_LOGON",
	.shortopts = IWA_LDAP_SHORTOPTS "a:C:",
	.longopts = blg_longopts,
	.purpose = "Checks that the IIS application-pool account gets \"Log on as a batch job\"\n"
		   "(SeBatchLogonRight) on every server from Group Policy, as the directory and\n"
		   "SYSVOL say: for each computer account, the GPOs linked on its OU chain up to\n"
		   "the domain (link order, disabled and enforced links, blocked inheritance, as\n"
		   "MS-GPOL orders them), their status, security filtering, Security CSE and\n"
		   "versions, and the winning [Privilege Rights] definition in GptTmpl.inf (user\n"
		   "rights are not merged: the GPO with the highest precedence that defines the\n"
		   "right wins). Without the right the pool cannot start and IIS answers 503.\n"
		   "Read-only: LDAP searches and SMB reads only.\n",
	.usage = "Usage: check_batch_logon_gpo -H DC -a ACCOUNT -C COMPUTER [-C COMPUTER...]\n"
		 "         [--gpo NAME|{GUID}] [--right NAME] [--sysvol-path DIR] [--site NAME]\n"
		 "         [--keytab FILE [--principal NAME]] [options]\n",
	.options_help =
		"What to check:\n"
		" -a, --account ACCOUNT  the app-pool identity: DOMAIN\\name, name, UPN or DN\n"
		"                        (required)\n"
		" -C, --computer NAME    an IIS server's computer account: NAME, NAME$, its DNS\n"
		"                        name or DN; repeatable, at most 64 (required)\n"
		" --gpo NAME|{GUID}      the GPO expected to grant the right; reported when it\n"
		"                        does not apply (default: none)\n"
		" --right NAME           the privilege right to check, e.g. SeServiceLogonRight\n"
		"                        (default: SeBatchLogonRight)\n"
		" --site NAME            also evaluate GPOs linked to this AD site (default:\n"
		"                        site links are not evaluated; the output says so)\n"
		"SYSVOL (GPT.INI and Machine\\Microsoft\\Windows NT\\SecEdit\\GptTmpl.inf):\n"
		"                        default: SMB2/3 with Kerberos (the same credentials as\n"
		"                        LDAP) from the DC (-H or --sysvol-host): gPCFileSysPath\n"
		"                        \\\\domain\\SysVol\\domain\\Policies\\{GUID} is read as\n"
		"                        smb://<DC>/SysVol/domain/Policies/{GUID}\n"
		" --sysvol-host NAME     server to read SYSVOL from over SMB, by its DNS name\n"
		"                        (default: -H, else the host of --ldap-uri)\n"
		" --sysvol-path DIR      read a mounted or copied SYSVOL instead: DIR/domain/\n"
		"                        Policies/{GUID} or DIR/Policies/{GUID} (names matched\n"
		"                        without regard to case) (default: "
		"SMB)\n" IWA_LDAP_OPTIONS_HELP
		" (-p default here: 389, the domain's LDAP: GPOs, gPLink and tokenGroups are\n"
		"  domain data; -b default: the DC's defaultNamingContext)\n",
	.notes = "States (per computer; the worst one is the result):\n"
		 "  OK        the winning definition lists the account or one of its groups;\n"
		 "            the summary names the GPO that grants the right\n"
		 "  CRITICAL  the winning GPO does not list the account (named with what it\n"
		 "            grants); the GPO that defines the right does not apply: link\n"
		 "            disabled, computer half disabled, inheritance blocked, security\n"
		 "            filtering; --gpo linked only where it does not reach the servers\n"
		 "            (e.g. the service account's OU: user-rights are COMPUTER settings)\n"
		 "  WARNING   no applying GPO defines the right (the local policy decides);\n"
		 "            GPT.INI Version differs from the directory's versionNumber;\n"
		 "            Security CSE missing in gPCMachineExtensionNames; WMI filter on the\n"
		 "            winner (not evaluated); the winning list drops IIS_IUSRS\n"
		 "            (S-1-5-32-568); --gpo does not apply but another GPO grants\n"
		 "  UNKNOWN   bad options; directory or SYSVOL unreadable with our credentials\n"
		 "  (time budget -t used up: --timeout-state, default CRITICAL)\n"
		 "Perfdata: applying_gpos_<COMPUTER>, gpos_read, sysvol_time, time.\n"
		 "Security filtering uses the computer's objectSid, tokenGroups, Everyone,\n"
		 "Authenticated Users and This Organization; the account's SIDs are its\n"
		 "objectSid and tokenGroups. Site-linked GPOs only with --site. The directory\n"
		 "cannot show what a server has applied (gpupdate /force after a change).\n"
		 "SMB uses Kerberos only (never NTLM), with the credentials of --keytab or\n"
		 "--ccache: --bind-dn (LDAP only) therefore needs --sysvol-path.\n",
	.examples =
		"  check_batch_logon_gpo -H dc1.camtest.test --keytab /etc/iwa/monitor.keytab \\\n"
		"      -a 'CAMTEST\\cam-svc' -C SERVER1 -C SERVER2 --gpo IIS-BatchLogon-GPO\n"
		"  BATCH_LOGON OK - cam-svc holds SeBatchLogonRight on SERVER1, SERVER2 via\n"
		"  IIS-BatchLogon-GPO | gpos_read=2;;;0 sysvol_time=0.09s;;;0 time=0.2s;;;0\n"
		"  applying_gpos_SERVER1=1;;;0 applying_gpos_SERVER2=1;;;0\n"
		"  check_batch_logon_gpo -H dc1.camtest.test -a cam-svc -C SERVER1 \\\n"
		"      --sysvol-path /mnt/sysvol --right SeServiceLogonRight\n",
	.handle_opt = blg_opt,
	.validate = blg_validate,
	.run = blg_run,
	.cfg_size = sizeof(struct blg_config),
	.cfg_init = blg_cfg_init,
	.cfg_free = blg_cfg_free,
};
