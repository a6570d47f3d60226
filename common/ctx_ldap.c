/* ctx_ldap.c — the run context's LDAP connections: one bound connection per server and bind
 * identity (see ctx.h). Apart from ctx.c so that only the plugins reading a directory link it. */
#include "ctx.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Unbinds every connection, then frees the credentials (removing a private cache). */
static void release_ldap(struct iwa_ctx *ctx)
{
	for (size_t i = 0; i < ctx->n_ldap; i++) {
		iwa_ldap_free(ctx->ldap[i].l);
		free(ctx->ldap[i].key);
	}
	ctx->n_ldap = 0;
	iwa_krb_free(ctx->krb);
	ctx->krb = NULL;
}

/* The key of one connection: "<URI> <bind DN>" (bind DN "" for GSSAPI). [out] key_out. */
static int ldap_key(const struct iwa_ldap_opts *o, char **key_out, struct iwa_err *err)
{
	struct iwa_buf b;
	char *uri = NULL;
	int rc;

	rc = iwa_ldap_opts_uri(o, &uri, err);
	if (rc < 0)
		return rc;
	iwa_buf_init(&b, 8192);
	rc = iwa_buf_addf(&b, "%s %s", uri, o->bind_dn != NULL ? o->bind_dn : "");
	free(uri);
	if (rc < 0) {
		iwa_buf_free(&b);
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	}
	*key_out = iwa_buf_take(&b);
	return 0;
}

int iwa_ctx_ldap(struct iwa_ctx *ctx, const struct iwa_ldap_opts *o, struct iwa_ldap **l_out,
		 struct iwa_err *err)
{
	struct iwa_krb *krb = NULL;
	struct iwa_ldap *l = NULL;
	char *key = NULL;
	int rc;

	rc = ldap_key(o, &key, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < ctx->n_ldap; i++) {
		if (strcmp(ctx->ldap[i].key, key) == 0) {
			free(key);
			*l_out = ctx->ldap[i].l;
			return 0;
		}
	}
	if (ctx->n_ldap == IWA_CTX_LDAP_MAX) {
		free(key);
		return iwa_err_set(err, IWA_EINVAL, "more than %d directory connections in one run",
				   IWA_CTX_LDAP_MAX);
	}
	/* Our own credentials first (an unusable keytab is UNKNOWN whatever the server does). */
	if (o->bind_dn == NULL) {
		rc = iwa_ctx_krb(ctx, &o->krb, &krb, err);
		if (rc < 0)
			goto cleanup;
	}
	rc = iwa_ldap_connect(o, ctx->deadline, krb, &l, err);
	if (rc < 0)
		goto cleanup;
	ctx->release = release_ldap;
	ctx->ldap[ctx->n_ldap].key = key;
	ctx->ldap[ctx->n_ldap].l = l;
	ctx->n_ldap++;
	key = NULL;
	*l_out = l;
cleanup:
	free(key);
	return rc;
}
