/* gss.h — thin wrappers over MIT GSS-API and the krb5 API for an HTTP Negotiate client.
 *
 * One service ticket per run, shared by every GSS context:
 *   1. iwa_gss_service_ticket() asks the credential cache (the one krb.c set up) for the
 *      ticket of the exact principal "HTTP/host@REALM"; when it is not cached (or `fresh`
 *      is set: then only THAT ticket is removed from the cache, never the cache itself) it
 *      makes one TGS request and stores the ticket in the cache. It reports the ticket's
 *      enctype and kvno (decoded from the ticket's enc-part) and where it came from.
 *   2. iwa_gss_cred_acquire() acquires initiator credentials from that cache once.
 *   3. iwa_gss_ctx_new()/iwa_gss_ctx_step() build one security context per backend; each
 *      finds the cached ticket (no KDC traffic) and makes its own authenticator.
 * The principal is imported as GSS_KRB5_NT_PRINCIPAL_NAME: no DNS canonicalization, the
 * check asks for exactly what browsers ask for. Error texts loop gss_display_status over the
 * major AND the minor status. Nothing here prints or exits. */
#ifndef IWA_GSS_H
#define IWA_GSS_H

#include "iwa.h"
#include <stddef.h>

/* Why a service ticket could not be had (err->code stays an IWA_E* code). */
enum iwa_gss_tkt_fail {
	IWA_GSS_TKT_OK = 0,
	IWA_GSS_TKT_SPN_UNKNOWN, /* KDC: principal unknown (missing or duplicate SPN) */
	IWA_GSS_TKT_CLOCK_SKEW,  /* KDC: clock skew too great between us and the KDC */
	IWA_GSS_TKT_KDC_REFUSED, /* another KDC error for the SPN (policy, enctype, ...) */
	IWA_GSS_TKT_OWN_CREDS,   /* our own credentials unusable (no/expired TGT) */
	IWA_GSS_TKT_KDC_UNREACHABLE,
	IWA_GSS_TKT_INTERNAL,
};

struct iwa_gss_ticket {
	char server[512]; /* the principal asked for, e.g. HTTP/sso.camtest.test@CAMTEST.TEST */
	char client[512]; /* our principal */
	char enctype[64]; /* ticket enc-part enctype name (the service key's type) */
	char session_enctype[64];
	int enctype_num;
	unsigned kvno;              /* kvno of the service key the ticket is encrypted with */
	long long endtime;          /* ticket end time (Unix seconds) */
	bool cached;                /* found in the cache: no TGS request this run */
	bool removed_old;           /* --fresh: a cached ticket was removed first */
	double seconds;             /* time spent (cache lookup + TGS) */
	enum iwa_gss_tkt_fail fail; /* set on failure */
	long krb5_code;             /* the krb5 error code on failure (0 if none) */
	char kdc_message[512];      /* the KDC's/library's message on failure ("" if none) */
};

/* Makes sure the ccache holds a service ticket for `principal` (a full "svc/host@REALM").
 * [in] ccache: krb5 ccache name ("FILE:/..."); fresh: remove a cached ticket for exactly
 * this principal first. [out] t_out: filled on success AND on failure (t_out->fail, codes).
 * Returns 0; IWA_ENOTFOUND (SPN unknown), IWA_EIO (KDC unreachable or refused),
 * IWA_EAUTH (our credentials unusable), IWA_ENOMEM/IWA_EINVAL; err names the principal and
 * carries the KDC's message. The TGS exchange is ours (kdc.h): bounded by the run's budget, a
 * KDC that does not answer is IWA_ETIMEOUT "the KDC (...) did not answer within N s while
 * getting a service ticket for <principal>" (t_out->fail IWA_GSS_TKT_KDC_UNREACHABLE). */
int iwa_gss_service_ticket(const char *ccache, const char *principal, bool fresh, double deadline,
			   struct iwa_gss_ticket *t_out, struct iwa_err *err);

/* Makes sure the cache holds a service ticket for the host-based service service/host, named
 * as the library that will use it names it, so that library finds it cached and makes no KDC
 * exchange of its own (outside the budget): by default as MIT GSS-API does for the
 * host-based name service@host (krb5_sname_to_principal: SASL GSSAPI's ldap/<dc>);
 * IWA_GSS_HOST_SAMBA_NAME as Samba's SMB client does (service/<host as given>@<the host's
 * realm>: cifs/<dc>). IWA_GSS_HOST_NO_DELEGATION stores the ticket without its ok-as-delegate
 * flag (a client-side hint only: the ticket itself is unchanged): Samba's client always asks
 * GSS_C_DELEG_POLICY_FLAG, and with ok-as-delegate (every DC's tickets carry it) its Heimdal
 * would ask the KDC for a forwarded TGT — an exchange outside the budget, and a monitoring
 * check has no business handing its TGT to a server. ccache NULL: KRB5CCNAME/the default.
 * Returns and fills t_out as iwa_gss_service_ticket. deadline (both): the run's (iwa_now()
 * seconds, from ctx.h) bounding the TGS exchange; 0: the armed budget's. */
#define IWA_GSS_HOST_SAMBA_NAME 1u
#define IWA_GSS_HOST_NO_DELEGATION 2u
int iwa_gss_host_ticket(const char *ccache, const char *service, const char *host, unsigned flags,
			double deadline, struct iwa_gss_ticket *t_out, struct iwa_err *err);

/* Client principal of a ccache ("monitor@CAMTEST.TEST") into buf; 0 or IWA_EAUTH. */
int iwa_gss_ccache_client(const char *ccache, char *buf, size_t len, struct iwa_err *err);

/* Realm part of a principal name ("a@R" -> "R"); NULL when there is none. Pure. */
const char *iwa_gss_principal_realm(const char *principal);

/* Builds the full service principal: spn as given when it holds '@', else spn@realm.
 * Rejects an empty spn, a spn without '/' or with an empty service or host part
 * ("HTTP/", "HTTP/@R", "/host") and an empty realm. Pure. */
int iwa_gss_service_principal(const char *spn, const char *realm, char *buf, size_t len,
			      struct iwa_err *err);

enum iwa_gss_mech { IWA_GSS_MECH_SPNEGO = 0, IWA_GSS_MECH_KRB5 = 1 };

struct iwa_gss_cred;
/* Acquires initiator credentials (krb5, or SPNEGO limited to krb5) from ccache. The
 * credentials are only a handle on the cache: contexts made from them read the cached
 * service ticket. Returns 0 or IWA_EAUTH with the GSS status text. */
int iwa_gss_cred_acquire(const char *ccache, enum iwa_gss_mech mech, struct iwa_gss_cred **out,
			 struct iwa_err *err);
/* The same from a MEMORY copy of every credential in ccache, made now: the contexts of a run
 * with many targets read the service ticket from memory instead of opening, locking and
 * reading the cache file for every token (8 times per target with a FILE cache). Only for a
 * caller that has put every service ticket it needs into ccache first: a ticket fetched
 * through these credentials would stay in the copy. */
int iwa_gss_cred_acquire_copy(const char *ccache, enum iwa_gss_mech mech, struct iwa_gss_cred **out,
			      struct iwa_err *err);
void iwa_gss_cred_free(struct iwa_gss_cred *c);
/* The gss_cred_id_t inside c (as a pointer: gss.h does not include gssapi.h), for a library
 * that takes credentials explicitly (libldap's LDAP_OPT_X_SASL_GSS_CREDS). Owned by c. */
void *iwa_gss_cred_handle(const struct iwa_gss_cred *c);

struct iwa_gss_ctx;
/* A new initiator context for `principal` (imported exactly, GSS_KRB5_NT_PRINCIPAL_NAME),
 * requesting mutual authentication. Returns 0 or IWA_EINVAL/IWA_ENOMEM. */
int iwa_gss_ctx_new(const struct iwa_gss_cred *cred, const char *principal,
		    struct iwa_gss_ctx **out, struct iwa_err *err);
/* Channel bindings for the context's token (before its first step): application data only
 * (no addresses), e.g. cbt.h's "tls-server-end-point:<hash>"; len 0 = none (the default).
 * Returns 0 or IWA_EINVAL (longer than 128 bytes, or the context has already stepped). */
int iwa_gss_ctx_bind(struct iwa_gss_ctx *ctx, const void *app_data, size_t len,
		     struct iwa_err *err);
/* One gss_init_sec_context step. [in] in/in_len: the server's token (NULL/0 for the first
 * step). [out] out_tok/out_len: the token to send (malloc'd, caller frees; NULL/0 when none).
 * [out] complete_out: the context is established (for the step that consumed the server's
 * final token: mutual authentication verified). Returns 0, or IWA_EAUTH with the major and
 * minor status texts (e.g. a KRB-ERROR from the server, a bad AP-REP). */
int iwa_gss_ctx_step(struct iwa_gss_ctx *ctx, const void *in, size_t in_len, void **out_tok,
		     size_t *out_len, bool *complete_out, struct iwa_err *err);
/* The mechanism's own text for the last failed step (the minor status, e.g. "The ticket
 * isn't for us" from a server's KRB-ERROR), or the major text when there was no minor; ""
 * before any failure. Owned by ctx. */
const char *iwa_gss_ctx_last_error(const struct iwa_gss_ctx *ctx);

/* What the last failed step says about the server (from a KRB-ERROR it sent). */
enum iwa_gss_peer_error {
	IWA_GSS_PEER_OTHER = 0,
	IWA_GSS_PEER_SKEW,      /* KRB_AP_ERR_SKEW: clocks more than the allowed skew apart */
	IWA_GSS_PEER_WRONG_KEY, /* MODIFIED/BAD_INTEGRITY/NOKEY/BADKEYVER/WRONG_PRINC */
};
enum iwa_gss_peer_error iwa_gss_ctx_peer_error(const struct iwa_gss_ctx *ctx);
/* Whether mutual authentication was granted (GSS_C_MUTUAL_FLAG in ret_flags, context
 * complete). */
bool iwa_gss_ctx_mutual(const struct iwa_gss_ctx *ctx);
void iwa_gss_ctx_free(struct iwa_gss_ctx *ctx);

/* Appends "major: ...; minor: ..." texts for a GSS status pair to buf (NUL-terminated,
 * truncated to len). mech may be NULL. */
void iwa_gss_status_text(unsigned major, unsigned minor, const void *mech_oid, char *buf,
			 size_t len);

#endif
