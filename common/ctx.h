/* ctx.h — the run context: what the checks of one plugin run share, passed explicitly.
 *
 * The driver (plugin.c) makes one after validating the options and arming the budget, hands it
 * to the plugin's run(ctx, cfg, root), and frees it before rendering. It owns:
 *  - the deadline: -t as a value (iwa_now() seconds). budget.c keeps only the backstop; checks
 *    and the transports they call take the time left from here (iwa_ctx_remaining_ms);
 *  - the Kerberos credentials: ONE TGT per process (iwa_ctx_krb), whose cache name every user
 *    (GSS-API, SASL GSSAPI, SMB) gets from iwa_krb_ccache_name();
 *  - the LDAP connections: one bound connection per server URI and bind identity
 *    (iwa_ctx_ldap), reused by every check of the run that reads that directory;
 *  - the verbosity (-v, 0..3).
 * Check modules never free what the context owns. */
#ifndef IWA_CTX_H
#define IWA_CTX_H

#include "directory.h"
#include "iwa.h"
#include "krb.h"
#include <sys/time.h>

#define IWA_CTX_LDAP_MAX 8

struct iwa_ctx {
	int verbose;      /* -v count, 0..3 */
	unsigned timeout; /* -t seconds, for messages ("-t 5") */
	double start;     /* iwa_now() seconds when the run began */
	double deadline;  /* iwa_now() seconds when -t runs out */
	struct iwa_krb *krb;
	struct {
		char *key; /* URI + " " + bind DN ("" for GSSAPI) */
		struct iwa_ldap *l;
	} ldap[IWA_CTX_LDAP_MAX];
	size_t n_ldap;
	/* Set by ctx_krb.c / ctx_ldap.c when it acquires something: releases it (so that a plugin without
	 * LDAP or Kerberos does not link them through the driver). */
	void (*release)(struct iwa_ctx *ctx);
};

/* Starts a context: deadline as given (the driver passes the armed budget's), nothing else
 * acquired yet. */
void iwa_ctx_init(struct iwa_ctx *ctx, int verbose, unsigned timeout, double start,
		  double deadline);
/* Milliseconds left before the deadline (0 when passed); the same as a struct timeval
 * (false when none is left); seconds since the run began. */
long iwa_ctx_remaining_ms(const struct iwa_ctx *ctx);
bool iwa_ctx_timeval(const struct iwa_ctx *ctx, struct timeval *tv);
double iwa_ctx_elapsed(const struct iwa_ctx *ctx);
/* ctx_krb.c, ctx_ldap.c: */
/* The run's Kerberos credentials, set up from o on first use (iwa_krb_setup's errors) and
 * returned as they are afterwards. [out] krb_out: owned by ctx. */
int iwa_ctx_krb(struct iwa_ctx *ctx, const struct iwa_krb_opts *o, struct iwa_krb **krb_out,
		struct iwa_err *err);
/* A bound connection to the directory o names: the one already open for that URI and bind
 * identity, else a new one (GSSAPI with iwa_ctx_krb's credentials), within the deadline.
 * iwa_ldap_connect's errors. [out] l_out: owned by ctx. */
int iwa_ctx_ldap(struct iwa_ctx *ctx, const struct iwa_ldap_opts *o, struct iwa_ldap **l_out,
		 struct iwa_err *err);
/* Unbinds every connection, then removes a private credential cache. Accepts NULL. */
void iwa_ctx_free(struct iwa_ctx *ctx);

#endif
