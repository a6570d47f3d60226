/* ctx.c — the run context (see ctx.h). */
#include "ctx.h"
#include "budget.h"

#include <string.h>

void iwa_ctx_init(struct iwa_ctx *ctx, int verbose, unsigned timeout, double start, double deadline)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->verbose = verbose;
	ctx->timeout = timeout;
	ctx->start = start;
	ctx->deadline = deadline;
}

long iwa_ctx_remaining_ms(const struct iwa_ctx *ctx)
{
	return iwa_deadline_remaining_ms(ctx->deadline);
}

bool iwa_ctx_timeval(const struct iwa_ctx *ctx, struct timeval *tv)
{
	return iwa_deadline_timeval(ctx->deadline, tv);
}

double iwa_ctx_elapsed(const struct iwa_ctx *ctx)
{
	return iwa_now() - ctx->start;
}

void iwa_ctx_free(struct iwa_ctx *ctx)
{
	if (ctx != NULL && ctx->release != NULL)
		ctx->release(ctx);
}
