/* ctx_krb.c — the run context's Kerberos credentials, acquired on first use (see ctx.h). Apart
 * from ctx.c so that only the plugins using Kerberos link it. */
#include "ctx.h"

/* Frees the credentials (removing a private cache). */
static void release_krb(struct iwa_ctx *ctx)
{
	iwa_krb_free(ctx->krb);
	ctx->krb = NULL;
}

int iwa_ctx_krb(struct iwa_ctx *ctx, const struct iwa_krb_opts *o, struct iwa_krb **krb_out,
		struct iwa_err *err)
{
	int rc;

	if (ctx->krb == NULL) {
		rc = iwa_krb_setup(o, ctx->deadline, &ctx->krb, err);
		if (rc < 0)
			return rc;
		if (ctx->release == NULL)
			ctx->release = release_krb;
	}
	*krb_out = ctx->krb;
	return 0;
}
