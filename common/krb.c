/* krb.c — our own Kerberos credentials in a FILE: cache named by KRB5CCNAME (see krb.h).
 *
 * MIT krb5 API only. With a keytab, the TGT comes from the stepped AS exchange (kdc.c) and goes
 * into a private cache made with mkstemp (mode 0600, removed by iwa_krb_free), or into the
 * --ccache given, where a still-valid TGT of the same principal is reused. Without a keytab the
 * given or default cache is used as is. Library errors are turned into words an admin can act
 * on, followed by the library's own text. */
#include "krb.h"
#include "budget.h"
#include "kdc.h"

#include <errno.h>
#include <fcntl.h>
#include <krb5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A TGT must stay valid at least this long to be reused (seconds). */
#define TGT_MIN_LIFE 120

struct iwa_krb {
	char *ccache_name;  /* "FILE:/..." or whatever the cache's full name is */
	char *private_path; /* path of the cache file we created, removed at free; or NULL */
	char *client;
	double deadline; /* the run's, bounding the AS exchange */
	double tgt_seconds;
	bool reused;
};

/* Copies the library's message for code into err with IWA code `code` and a prefix made of
 * our words. Returns code. */
static int krb_fail(krb5_context ctx, krb5_error_code kcode, int code, struct iwa_err *err,
		    const char *words)
{
	const char *m = ctx != NULL ? krb5_get_error_message(ctx, kcode) : NULL;

	iwa_err_set(err, code, "%s (krb5: %s)", words, m != NULL ? m : error_message(kcode));
	if (m != NULL)
		krb5_free_error_message(ctx, m);
	return code;
}

/* Maps an error of the initial-credentials exchange to our code and admin words.
 * [in] princ: unparsed client name; keytab: keytab name (for the wrong-key text). */
static int map_init_error(krb5_context ctx, krb5_error_code kcode, const char *princ,
			  const char *keytab, double deadline, struct iwa_err *err)
{
	char words[768];
	int code = IWA_EAUTH;

	switch (kcode) {
	case KRB5KDC_ERR_PREAUTH_FAILED:
	case KRB5KRB_AP_ERR_BAD_INTEGRITY:
	case KRB5_PREAUTH_FAILED:
	case KRB5KRB_AP_ERR_MODIFIED:
		snprintf(words, sizeof words,
			 "keytab key for %s does not match the KDC's (password changed? re-export "
			 "the keytab)",
			 princ);
		break;
	case KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN:
		snprintf(words, sizeof words,
			 "principal %s is unknown to the KDC (account deleted or renamed? check "
			 "--principal and the keytab)",
			 princ);
		break;
	case KRB5KRB_AP_ERR_SKEW:
		snprintf(
			words, sizeof words,
			"clock skew between this host and the KDC is too great for %s (synchronize "
			"the clocks with NTP)",
			princ);
		break;
	case KRB5KDC_ERR_KEY_EXP:
		snprintf(words, sizeof words,
			 "password of %s has expired (set a new one and re-export the keytab)",
			 princ);
		break;
	case KRB5KDC_ERR_CLIENT_REVOKED:
		snprintf(words, sizeof words,
			 "account %s is disabled, locked out or expired in the directory", princ);
		break;
	case KRB5KDC_ERR_ETYPE_NOSUPP:
		snprintf(words, sizeof words,
			 "the KDC accepts none of the encryption types in keytab %s for %s "
			 "(re-export it with the account's current enctypes)",
			 keytab != NULL ? keytab : "(none)", princ);
		break;
	case KRB5_KT_NOTFOUND:
		snprintf(words, sizeof words, "keytab %s holds no usable key for %s",
			 keytab != NULL ? keytab : "(none)", princ);
		break;
	case KRB5_KDC_UNREACH:
		code = IWA_EIO;
		snprintf(words, sizeof words,
			 "cannot reach any KDC for %s (check the kdc entries in krb5.conf, DNS and "
			 "port 88)",
			 princ);
		break;
	case KRB5_REALM_CANT_RESOLVE:
	case KRB5_REALM_UNKNOWN:
		code = IWA_EIO;
		snprintf(words, sizeof words,
			 "no KDC is known for the realm of %s (add it to krb5.conf [realms] or "
			 "enable dns_lookup_kdc)",
			 princ);
		break;
	default:
		snprintf(words, sizeof words, "cannot get a Kerberos ticket for %s", princ);
		break;
	}
	if (iwa_deadline_remaining_ms(deadline) == 0 && code == IWA_EIO)
		code = IWA_ETIMEOUT;
	return krb_fail(ctx, kcode, code, err, words);
}

/* Finds a TGT for client's own realm in cc valid for at least TGT_MIN_LIFE seconds.
 * [out] tgt_out: a copy of it (caller frees with krb5_free_cred_contents) when non-NULL.
 * Returns true when found. */
static bool find_valid_tgt(krb5_context ctx, krb5_ccache cc, krb5_principal client,
			   krb5_creds *tgt_out)
{
	krb5_cc_cursor cur = NULL;
	krb5_creds c;
	bool found = false;
	krb5_timestamp now = (krb5_timestamp)time(NULL);

	if (krb5_cc_start_seq_get(ctx, cc, &cur) != 0)
		return false;
	while (!found && krb5_cc_next_cred(ctx, cc, &cur, &c) == 0) {
		const krb5_data *realm = krb5_princ_realm(ctx, client);
		krb5_principal s = c.server;

		if (s != NULL && krb5_princ_size(ctx, s) == 2 &&
		    krb5_princ_component(ctx, s, 0)->length == 6 &&
		    memcmp(krb5_princ_component(ctx, s, 0)->data, "krbtgt", 6) == 0 &&
		    krb5_princ_component(ctx, s, 1)->length == realm->length &&
		    memcmp(krb5_princ_component(ctx, s, 1)->data, realm->data, realm->length) ==
			    0 &&
		    krb5_principal_compare(ctx, c.client, client) &&
		    (long long)c.times.endtime - (long long)now > TGT_MIN_LIFE) {
			found = true;
			if (tgt_out != NULL) {
				*tgt_out = c;
				continue; /* ownership moved to the caller */
			}
		}
		krb5_free_cred_contents(ctx, &c);
	}
	krb5_cc_end_seq_get(ctx, cc, &cur);
	return found;
}

/* Records the client principal's name in k->client. Returns 0 or IWA_ENOMEM. */
static int set_client_name(krb5_context ctx, krb5_const_principal client, struct iwa_krb *k,
			   struct iwa_err *err)
{
	char *uname = NULL;
	krb5_error_code kc = krb5_unparse_name(ctx, client, &uname);

	if (kc != 0)
		return krb_fail(ctx, kc, IWA_ENOMEM, err, "cannot format the principal name");
	k->client = iwa_strdup(uname);
	krb5_free_unparsed_name(ctx, uname);
	if (k->client == NULL)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	return 0;
}

/* Makes an empty private cache file (mkstemp in $TMPDIR or /tmp, mode 0600).
 * [out] path_out: malloc'd path. Returns 0 or IWA_EIO/IWA_ENOMEM. */
static int make_private_file(char **path_out, struct iwa_err *err)
{
	const char *dir = getenv("TMPDIR");
	char *path = NULL;
	size_t n;
	int fd;

	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	n = strlen(dir) + sizeof "/iwa_krb5cc_XXXXXX";
	path = malloc(n);
	if (path == NULL)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	snprintf(path, n, "%s/iwa_krb5cc_XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0) {
		int e = errno;
		free(path);
		return iwa_err_set(err, IWA_EIO,
				   "cannot create a private credential cache in %s: %s", dir,
				   strerror(e));
	}
	(void)fchmod(fd, 0600);
	close(fd);
	/* If -t cuts the run off, the backstop removes the cache (it may hold a TGT). */
	(void)iwa_budget_cleanup_path(path);
	*path_out = path;
	return 0;
}

/* Returns the "TYPE:residual" name of cc (malloc'd) or NULL. */
static char *cc_full_name(krb5_context ctx, krb5_ccache cc)
{
	char *full = NULL;
	char *copy;

	if (krb5_cc_get_full_name(ctx, cc, &full) != 0)
		return NULL;
	copy = iwa_strdup(full);
	krb5_free_string(ctx, full);
	return copy;
}

/* Creates a private FILE: cache and resolves it. [out] k->private_path, cc_out. */
static int open_private_cache(krb5_context ctx, struct iwa_krb *k, krb5_ccache *cc_out,
			      struct iwa_err *err)
{
	char name[4096];
	krb5_error_code kc;
	int rc;

	rc = make_private_file(&k->private_path, err);
	if (rc < 0)
		return rc;
	snprintf(name, sizeof name, "FILE:%s", k->private_path);
	kc = krb5_cc_resolve(ctx, name, cc_out);
	if (kc != 0)
		return krb_fail(ctx, kc, IWA_EIO, err, "cannot open the private credential cache");
	return 0;
}

/* Reads the principal to use from a keytab: the named one, or the keytab's first entry.
 * [out] princ_out: caller frees with krb5_free_principal. */
static int keytab_principal(krb5_context ctx, krb5_keytab kt, const char *ktname, const char *name,
			    krb5_principal *princ_out, struct iwa_err *err)
{
	krb5_kt_cursor cur;
	krb5_keytab_entry ent;
	krb5_error_code kc;

	if (name != NULL) {
		kc = krb5_parse_name(ctx, name, princ_out);
		if (kc != 0)
			return krb_fail(ctx, kc, IWA_EINVAL, err,
					"--principal is not a valid principal name");
		return 0;
	}
	kc = krb5_kt_start_seq_get(ctx, kt, &cur);
	if (kc != 0)
		return krb_fail(ctx, kc, IWA_EAUTH, err, "cannot read the keytab");
	kc = krb5_kt_next_entry(ctx, kt, &ent, &cur);
	if (kc == 0) {
		kc = krb5_copy_principal(ctx, ent.principal, princ_out);
		krb5_free_keytab_entry_contents(ctx, &ent);
	}
	krb5_kt_end_seq_get(ctx, kt, &cur);
	if (kc == KRB5_KT_END)
		return iwa_err_set(err, IWA_EAUTH, "keytab %s is empty", ktname);
	if (kc != 0)
		return krb_fail(ctx, kc, IWA_EAUTH, err, "cannot read the keytab");
	return 0;
}

/* Stores only tgt in a fresh private cache (used by --fresh-ticket so that no cached
 * service ticket is used, without touching the original cache). */
static int private_copy_of_tgt(krb5_context ctx, struct iwa_krb *k, krb5_principal client,
			       krb5_creds *tgt, krb5_ccache *cc_inout, struct iwa_err *err)
{
	krb5_ccache pc = NULL;
	krb5_error_code kc;
	int rc;

	rc = open_private_cache(ctx, k, &pc, err);
	if (rc < 0)
		return rc;
	kc = krb5_cc_initialize(ctx, pc, client);
	if (kc == 0)
		kc = krb5_cc_store_cred(ctx, pc, tgt);
	if (kc != 0) {
		krb5_cc_close(ctx, pc);
		return krb_fail(ctx, kc, IWA_EIO, err, "cannot write the private credential cache");
	}
	krb5_cc_close(ctx, *cc_inout);
	*cc_inout = pc;
	return 0;
}

/* Gets a TGT from the keytab into cc for client. Measures the time in k->tgt_seconds. The AS
 * exchange is stepped by kdc.c (krb5_init_creds_step with our own sockets), so a KDC that does
 * not answer ends within the budget, named: "the KDC (...) did not answer within N s while
 * getting a ticket for <client>". The KDC's refusals keep map_init_error's words. */
static int tgt_from_keytab(krb5_context ctx, struct iwa_krb *k, krb5_keytab kt, const char *ktname,
			   krb5_principal client, krb5_ccache cc, struct iwa_err *err)
{
	krb5_get_init_creds_opt *gic = NULL;
	krb5_init_creds_context icc = NULL;
	krb5_error_code kc;
	char stage[600];
	double t0 = iwa_now();
	int rc = 0;

	kc = krb5_get_init_creds_opt_alloc(ctx, &gic);
	if (kc != 0)
		return krb_fail(ctx, kc, IWA_ENOMEM, err, "cannot allocate Kerberos options");
	/* Initializes cc with client and stores the TGT once obtained (also in step mode). */
	kc = krb5_get_init_creds_opt_set_out_ccache(ctx, gic, cc);
	if (kc == 0)
		kc = krb5_init_creds_init(ctx, client, NULL, NULL, 0, gic, &icc);
	if (kc == 0)
		kc = krb5_init_creds_set_keytab(ctx, icc, kt);
	if (kc != 0) {
		rc = map_init_error(ctx, kc, k->client, ktname, k->deadline, err);
		goto cleanup;
	}
	snprintf(stage, sizeof stage, "getting a ticket for %s", k->client);
	rc = iwa_kdc_init_creds(ctx, icc, k->deadline, stage, &kc, err);
	if (rc == IWA_EAUTH) {
		rc = map_init_error(ctx, kc, k->client, ktname, k->deadline, err);
		goto cleanup;
	}
	if (rc < 0)
		goto cleanup;
	k->tgt_seconds = iwa_now() - t0;
cleanup:
	krb5_init_creds_free(ctx, icc);
	krb5_get_init_creds_opt_free(ctx, gic);
	return rc;
}

/* Keytab mode of iwa_krb_setup. */
static int setup_keytab(krb5_context ctx, const struct iwa_krb_opts *o, struct iwa_krb *k,
			krb5_ccache *cc_out, struct iwa_err *err)
{
	const char *path = o->keytab;
	krb5_keytab kt = NULL;
	krb5_principal client = NULL;
	krb5_principal cc_client = NULL;
	krb5_ccache cc = NULL;
	krb5_creds tgt;
	krb5_error_code kc;
	int rc = 0;

	memset(&tgt, 0, sizeof tgt);
	if (strncmp(path, "FILE:", 5) == 0)
		path += 5;
	if (strchr(o->keytab, ':') == NULL || path != o->keytab) {
		if (access(path, R_OK) != 0) {
			rc = iwa_err_set(err, IWA_EAUTH, "cannot read keytab %s: %s", path,
					 strerror(errno));
			goto cleanup;
		}
	}
	kc = krb5_kt_resolve(ctx, o->keytab, &kt);
	if (kc != 0) {
		rc = krb_fail(ctx, kc, IWA_EAUTH, err, "cannot open the keytab");
		goto cleanup;
	}
	rc = keytab_principal(ctx, kt, o->keytab, o->principal, &client, err);
	if (rc < 0)
		goto cleanup;
	rc = set_client_name(ctx, client, k, err);
	if (rc < 0)
		goto cleanup;

	if (o->ccache != NULL && o->ccache[0] != '\0') {
		kc = krb5_cc_resolve(ctx, o->ccache, &cc);
		if (kc != 0) {
			rc = krb_fail(ctx, kc, IWA_EAUTH, err, "cannot open --ccache");
			goto cleanup;
		}
		/* Reuse a valid TGT of the same principal: no AS exchange. */
		if (krb5_cc_get_principal(ctx, cc, &cc_client) == 0 &&
		    krb5_principal_compare(ctx, cc_client, client) &&
		    find_valid_tgt(ctx, cc, client, o->fresh ? &tgt : NULL)) {
			k->reused = true;
			if (o->fresh)
				rc = private_copy_of_tgt(ctx, k, client, &tgt, &cc, err);
			goto cleanup;
		}
	} else {
		rc = open_private_cache(ctx, k, &cc, err);
		if (rc < 0)
			goto cleanup;
	}
	rc = tgt_from_keytab(ctx, k, kt, o->keytab, client, cc, err);
cleanup:
	if (tgt.client != NULL || tgt.server != NULL)
		krb5_free_cred_contents(ctx, &tgt);
	krb5_free_principal(ctx, cc_client);
	krb5_free_principal(ctx, client);
	if (kt != NULL)
		krb5_kt_close(ctx, kt);
	if (rc == 0)
		*cc_out = cc;
	else if (cc != NULL)
		krb5_cc_close(ctx, cc);
	return rc;
}

/* Cache-only mode of iwa_krb_setup: the given or default cache must hold a valid TGT. */
static int setup_ccache(krb5_context ctx, const struct iwa_krb_opts *o, struct iwa_krb *k,
			krb5_ccache *cc_out, struct iwa_err *err)
{
	krb5_ccache cc = NULL;
	krb5_principal client = NULL;
	krb5_creds tgt;
	char *name = NULL;
	krb5_error_code kc;
	int rc = 0;

	memset(&tgt, 0, sizeof tgt);
	if (o->ccache != NULL && o->ccache[0] != '\0')
		kc = krb5_cc_resolve(ctx, o->ccache, &cc);
	else
		kc = krb5_cc_default(ctx, &cc);
	if (kc != 0) {
		rc = krb_fail(ctx, kc, IWA_EAUTH, err, "cannot open the credential cache");
		goto cleanup;
	}
	name = cc_full_name(ctx, cc);
	kc = krb5_cc_get_principal(ctx, cc, &client);
	if (kc != 0) {
		const char *m = krb5_get_error_message(ctx, kc);

		rc = iwa_err_set(
			err, IWA_EAUTH,
			"no valid Kerberos credentials in %s (run kinit, or give --keytab) "
			"(krb5: %s)",
			name != NULL ? name : "the credential cache", m);
		krb5_free_error_message(ctx, m);
		goto cleanup;
	}
	rc = set_client_name(ctx, client, k, err);
	if (rc < 0)
		goto cleanup;
	if (!find_valid_tgt(ctx, cc, client, o->fresh ? &tgt : NULL)) {
		rc = iwa_err_set(err, IWA_EAUTH,
				 "no valid Kerberos credentials in %s: the TGT of %s is missing or "
				 "expired (run kinit, or give --keytab)",
				 name != NULL ? name : "the credential cache", k->client);
		goto cleanup;
	}
	k->reused = true;
	if (o->fresh)
		rc = private_copy_of_tgt(ctx, k, client, &tgt, &cc, err);
cleanup:
	if (tgt.client != NULL || tgt.server != NULL)
		krb5_free_cred_contents(ctx, &tgt);
	free(name);
	krb5_free_principal(ctx, client);
	if (rc == 0)
		*cc_out = cc;
	else if (cc != NULL)
		krb5_cc_close(ctx, cc);
	return rc;
}

/* Sets up credentials per krb.h and exports KRB5CCNAME. [out] out: caller frees with
 * iwa_krb_free (which removes a private cache). */
int iwa_krb_setup(const struct iwa_krb_opts *opts, double deadline, struct iwa_krb **out,
		  struct iwa_err *err)
{
	krb5_context ctx = NULL;
	krb5_ccache cc = NULL;
	struct iwa_krb *k = NULL;
	krb5_error_code kc;
	int rc = 0;

	if (opts == NULL || out == NULL)
		return iwa_err_set(err, IWA_EINVAL, "iwa_krb_setup: missing argument");
	k = calloc(1, sizeof *k);
	if (k == NULL)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	k->deadline = deadline > 0 ? deadline : iwa_kdc_deadline();
	kc = krb5_init_context(&ctx);
	if (kc != 0) {
		rc = iwa_err_set(err, IWA_EAUTH,
				 "cannot initialize Kerberos (krb5.conf unreadable?): %s",
				 error_message(kc));
		goto cleanup;
	}
	if (opts->keytab != NULL && opts->keytab[0] != '\0')
		rc = setup_keytab(ctx, opts, k, &cc, err);
	else
		rc = setup_ccache(ctx, opts, k, &cc, err);
	if (rc < 0)
		goto cleanup;
	k->ccache_name = cc_full_name(ctx, cc);
	if (k->ccache_name == NULL) {
		rc = iwa_err_set(err, IWA_ENOMEM, "cannot name the credential cache");
		goto cleanup;
	}
	if (setenv("KRB5CCNAME", k->ccache_name, 1) != 0) {
		rc = iwa_err_set(err, IWA_ENOMEM, "cannot set KRB5CCNAME: %s", strerror(errno));
		goto cleanup;
	}
cleanup:
	if (cc != NULL)
		krb5_cc_close(ctx, cc);
	if (ctx != NULL)
		krb5_free_context(ctx);
	if (rc < 0) {
		iwa_krb_free(k);
		return rc;
	}
	*out = k;
	return 0;
}

const char *iwa_krb_ccache_name(const struct iwa_krb *k)
{
	return k != NULL ? k->ccache_name : NULL;
}

const char *iwa_krb_client(const struct iwa_krb *k)
{
	return k != NULL ? k->client : NULL;
}

double iwa_krb_tgt_seconds(const struct iwa_krb *k)
{
	return k != NULL ? k->tgt_seconds : 0.0;
}

bool iwa_krb_tgt_reused(const struct iwa_krb *k)
{
	return k != NULL && k->reused;
}

int iwa_krb_opt(struct iwa_krb_opts *o, int opt, const char *arg, struct iwa_err *err)
{
	const char **slot = NULL;
	const char *name = NULL;

	switch (opt) {
	case IWA_OPT_KRB_KEYTAB:
		slot = &o->keytab;
		name = "--keytab";
		break;
	case IWA_OPT_KRB_PRINCIPAL:
		slot = &o->principal;
		name = "--principal";
		break;
	case IWA_OPT_KRB_CCACHE:
		slot = &o->ccache;
		name = "--ccache";
		break;
	case IWA_OPT_KRB_FRESH:
		o->fresh = true;
		return 1;
	default:
		return 0;
	}
	/* an empty value would silently mean "not given" (the ambient cache) */
	if (arg == NULL || arg[0] == '\0')
		return iwa_err_set(err, IWA_EINVAL, "%s: empty value", name);
	*slot = arg;
	return 1;
}

/* The file behind a keytab name, or NULL for a type that is no file (MEMORY:, ...). A name
 * without a type prefix is a path; "/x:y" (a ':' after a '/') too. */
static const char *keytab_path(const char *name)
{
	const char *colon = strchr(name, ':');

	if (strncmp(name, "FILE:", 5) == 0)
		return name + 5;
	if (strncmp(name, "WRFILE:", 7) == 0)
		return name + 7;
	if (colon == NULL || (strchr(name, '/') != NULL && strchr(name, '/') < colon))
		return name;
	return NULL;
}

int iwa_krb_validate(const struct iwa_krb_opts *o, struct iwa_err *err)
{
	const char *path;
	unsigned char head[2];
	ssize_t n;
	int fd, e;

	if (o->principal != NULL && o->keytab == NULL)
		return iwa_err_set(err, IWA_EINVAL,
				   "--principal needs --keytab (without a keytab the cache's own "
				   "principal is used)");
	if (o->keytab == NULL || (path = keytab_path(o->keytab)) == NULL)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return iwa_err_set(err, IWA_EINVAL, "--keytab %s: cannot read the keytab: %s",
				   o->keytab, strerror(errno));
	do
		n = read(fd, head, sizeof head);
	while (n < 0 && errno == EINTR);
	e = errno;
	close(fd);
	if (n < 0)
		return iwa_err_set(err, IWA_EINVAL, "--keytab %s: cannot read the keytab: %s",
				   o->keytab, strerror(e));
	if (n == 0)
		return iwa_err_set(err, IWA_EINVAL,
				   "--keytab %s: the keytab is empty (export the account's keys "
				   "into it)",
				   o->keytab);
	if (n < 2 || head[0] != 5 || (head[1] != 1 && head[1] != 2))
		return iwa_err_set(err, IWA_EINVAL,
				   "--keytab %s: not a keytab file (no keytab format version "
				   "0x0501/0x0502 at its start)",
				   o->keytab);
	return 0;
}

/* Removes the private cache file (if we made one) and frees k. Accepts NULL. */
void iwa_krb_free(struct iwa_krb *k)
{
	if (k == NULL)
		return;
	if (k->private_path != NULL) {
		(void)unlink(k->private_path);
		(void)iwa_budget_cleanup_path(NULL);
	}
	free(k->private_path);
	free(k->ccache_name);
	free(k->client);
	free(k);
}
