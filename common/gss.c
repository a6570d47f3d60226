/* gss.c — thin wrappers over MIT GSS-API and krb5 for the HTTP Negotiate client (gss.h).
 * Models: curl lib/curl_gssapi.c (one wrapper per gss_* call, GSS_C_MUTUAL_FLAG) and
 * krb5 src/appl/gss-sample/gss-misc.c (display_status looping over major and minor). */
#include "gss.h"
#include "kdc.h"

#include <errno.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* SPNEGO 1.3.6.1.5.5.2 */
static gss_OID_desc spnego_oid = {6, (void *)"\x2b\x06\x01\x05\x05\x02"};
/* Kerberos 5 1.2.840.113554.1.2.2 */
static gss_OID_desc krb5_oid = {9, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"};

struct iwa_gss_cred {
	gss_cred_id_t cred;
	gss_OID mech;
	krb5_context kctx; /* with mem: the MEMORY copy of the cache the cred reads */
	krb5_ccache mem;
};

struct iwa_gss_ctx {
	gss_ctx_id_t ctx;
	gss_name_t target;
	gss_OID mech;
	gss_cred_id_t cred; /* borrowed */
	OM_uint32 ret_flags;
	bool complete;
	unsigned char cb[128]; /* channel bindings' application data (cb_len 0: none) */
	size_t cb_len;
	char last_error[512];
	OM_uint32 last_minor;
};

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Appends to buf (NUL-terminated, capacity len) without overflowing. */
static void append(char *buf, size_t len, const char *s, size_t slen)
{
	size_t used = strnlen(buf, len);
	if (used + 1 >= len)
		return;
	size_t room = len - used - 1;
	if (slen > room)
		slen = room;
	memcpy(buf + used, s, slen);
	buf[used + slen] = '\0';
}

/* Appends every message gss_display_status gives for one status value (loops over the
 * message context, as gss-misc.c display_status_1 does), separated by "; ". */
static void display_one(OM_uint32 code, int type, gss_OID mech, char *buf, size_t len)
{
	OM_uint32 maj, min, msg_ctx = 0;
	int guard = 0;
	do {
		gss_buffer_desc msg = GSS_C_EMPTY_BUFFER;
		maj = gss_display_status(&min, code, type, mech, &msg_ctx, &msg);
		if (GSS_ERROR(maj)) {
			gss_release_buffer(&min, &msg);
			break;
		}
		if (msg.length > 0) {
			if (buf[0] != '\0')
				append(buf, len, "; ", 2);
			append(buf, len, msg.value, msg.length);
		}
		gss_release_buffer(&min, &msg);
	} while (msg_ctx != 0 && ++guard < 16);
}

/* Status text for a major/minor pair: the routine and supplementary messages of the major
 * status, then the mechanism's message for the minor status (when non-zero). */
void iwa_gss_status_text(unsigned major, unsigned minor, const void *mech_oid, char *buf,
			 size_t len)
{
	if (len == 0)
		return;
	buf[0] = '\0';
	display_one(major, GSS_C_GSS_CODE, GSS_C_NO_OID, buf, len);
	if (minor != 0)
		display_one(minor, GSS_C_MECH_CODE, (gss_OID)mech_oid, buf, len);
	if (buf[0] == '\0')
		snprintf(buf, len, "GSS major 0x%x minor %u", major, minor);
}

const char *iwa_gss_principal_realm(const char *principal)
{
	if (principal == NULL)
		return NULL;
	/* The realm follows the last unescaped '@'. */
	const char *at = NULL;
	for (const char *p = principal; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p == '@')
			at = p;
	}
	if (at == NULL || at[1] == '\0')
		return NULL;
	return at + 1;
}

int iwa_gss_service_principal(const char *spn, const char *realm, char *buf, size_t len,
			      struct iwa_err *err)
{
	const char *slash = spn != NULL ? strchr(spn, '/') : NULL;
	/* service/host: both parts non-empty (the host part ends at the realm's '@') */
	if (slash == NULL || slash == spn || slash[1] == '\0' || slash[1] == '@' || slash[1] == '/')
		return iwa_err_set(
			err, IWA_EINVAL,
			"SPN '%s' is not of the form service/host (e.g. HTTP/sso.example.com)",
			spn ? spn : "");
	int n;
	if (strchr(spn, '@') != NULL) {
		if (iwa_gss_principal_realm(spn) == NULL)
			return iwa_err_set(err, IWA_EINVAL, "SPN '%s' has an empty realm", spn);
		n = snprintf(buf, len, "%s", spn);
	} else {
		if (realm == NULL || realm[0] == '\0')
			return iwa_err_set(err, IWA_EINVAL, "no realm for SPN '%s'", spn);
		n = snprintf(buf, len, "%s@%s", spn, realm);
	}
	if (n < 0 || (size_t)n >= len)
		return iwa_err_set(err, IWA_EINVAL, "SPN '%s' is too long", spn);
	return 0;
}

/* Maps a krb5 error from the TGS exchange onto who is at fault. */
static enum iwa_gss_tkt_fail classify_tgs_error(krb5_error_code code)
{
	switch (code) {
	case KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN:
		return IWA_GSS_TKT_SPN_UNKNOWN;
	case KRB5KRB_AP_ERR_SKEW:
		return IWA_GSS_TKT_CLOCK_SKEW;
	case KRB5_KDC_UNREACH:
	case KRB5_REALM_CANT_RESOLVE:
	case KRB5_REALM_UNKNOWN:
		return IWA_GSS_TKT_KDC_UNREACHABLE;
	case KRB5_CC_NOTFOUND:
	case KRB5_FCC_NOFILE:
	case KRB5_CC_END:
	case KRB5KRB_AP_ERR_TKT_EXPIRED:
	case KRB5KRB_AP_ERR_TKT_NYV:
	case KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN:
	case KRB5KDC_ERR_CLIENT_REVOKED:
	case KRB5KDC_ERR_TGT_REVOKED:
	case KRB5KDC_ERR_KEY_EXP:
	case KRB5KRB_AP_ERR_BAD_INTEGRITY:
	case KRB5KRB_AP_ERR_MODIFIED:
		return IWA_GSS_TKT_OWN_CREDS;
	default:
		return IWA_GSS_TKT_KDC_REFUSED;
	}
}

/* Sets err from a krb5 error code with the library's message (which carries the KDC's
 * e-text when there is one). */
static int krb_err(krb5_context kctx, struct iwa_err *err, int code, krb5_error_code kc,
		   const char *what)
{
	const char *m = kctx ? krb5_get_error_message(kctx, kc) : NULL;
	iwa_err_set(err, code, "%s: %s", what, m ? m : "Kerberos error");
	if (m != NULL)
		krb5_free_error_message(kctx, m);
	return code;
}

/* A krb5 context with one credentials cache and its client principal, opened together
 * by both ccache readers below and released by kcc_close(). */
struct kcc {
	krb5_context ctx;
	krb5_ccache cc;
	krb5_principal client;
	double deadline; /* the run's, bounding the TGS exchange */
};

/* Opens k for the cache named ccache. Returns 0, else the krb5 error with *init_failed_out
 * telling whether the context itself could not be made (k->ctx is then NULL). k is always
 * fit for kcc_close(). */
static krb5_error_code kcc_open(struct kcc *k, const char *ccache, bool *init_failed_out)
{
	krb5_error_code kc;

	memset(k, 0, sizeof(*k));
	*init_failed_out = false;
	kc = krb5_init_context(&k->ctx);
	if (kc != 0) {
		k->ctx = NULL;
		*init_failed_out = true;
		return kc;
	}
	kc = ccache != NULL ? krb5_cc_resolve(k->ctx, ccache, &k->cc)
			    : krb5_cc_default(k->ctx, &k->cc);
	if (kc != 0) {
		k->cc = NULL;
		return kc;
	}
	kc = krb5_cc_get_principal(k->ctx, k->cc, &k->client);
	if (kc != 0)
		k->client = NULL;
	return kc;
}

static void kcc_close(struct kcc *k)
{
	if (k->ctx == NULL)
		return;
	if (k->client != NULL)
		krb5_free_principal(k->ctx, k->client);
	if (k->cc != NULL)
		krb5_cc_close(k->ctx, k->cc);
	krb5_free_context(k->ctx);
	memset(k, 0, sizeof(*k));
}

int iwa_gss_ccache_client(const char *ccache, char *buf, size_t len, struct iwa_err *err)
{
	struct kcc k;
	char *name = NULL;
	bool init_failed;
	int rc = 0;
	krb5_error_code kc = kcc_open(&k, ccache, &init_failed);

	if (init_failed) {
		rc = iwa_err_set(err, IWA_EAUTH, "cannot initialize Kerberos (error %ld)",
				 (long)kc);
		goto cleanup;
	}
	if (kc == 0)
		kc = krb5_unparse_name(k.ctx, k.client, &name);
	if (kc != 0) {
		rc = krb_err(k.ctx, err, IWA_EAUTH, kc, ccache);
		goto cleanup;
	}
	if ((size_t)snprintf(buf, len, "%s", name) >= len)
		rc = iwa_err_set(err, IWA_EINVAL, "principal name too long");
cleanup:
	if (name != NULL)
		krb5_free_unparsed_name(k.ctx, name);
	kcc_close(&k);
	return rc;
}

/* Fills the enctype/kvno fields of t from the obtained credentials (the ticket's enc-part
 * is in clear: its etype and kvno say which service key the KDC encrypted it with). */
static void describe_ticket(krb5_context kctx, const krb5_creds *cr, struct iwa_gss_ticket *t)
{
	krb5_ticket *tkt = NULL;
	t->endtime = (long long)cr->times.endtime;
	if (krb5_enctype_to_name(cr->keyblock.enctype, FALSE, t->session_enctype,
				 sizeof(t->session_enctype)) != 0)
		snprintf(t->session_enctype, sizeof(t->session_enctype), "etype %d",
			 (int)cr->keyblock.enctype);
	if (krb5_decode_ticket(&cr->ticket, &tkt) != 0) {
		snprintf(t->enctype, sizeof(t->enctype), "unknown");
		return;
	}
	t->enctype_num = (int)tkt->enc_part.enctype;
	t->kvno = (unsigned)tkt->enc_part.kvno;
	if (krb5_enctype_to_name(tkt->enc_part.enctype, FALSE, t->enctype, sizeof(t->enctype)) != 0)
		snprintf(t->enctype, sizeof(t->enctype), "etype %d", t->enctype_num);
	krb5_free_ticket(kctx, tkt);
}

/* Records a failed TGS exchange in t and err: the library's/KDC's error kc classified, or
 * (kc == 0) the transport's named timeout or unreachability already in err. */
static int tgs_failed(krb5_context kctx, krb5_error_code kc, int transport_rc,
		      struct iwa_gss_ticket *t, struct iwa_err *err)
{
	char what[700];
	const char *km;
	int code = IWA_EIO;

	if (kc == 0) {
		/* our own transport (kdc.c): a named timeout, no KDC reachable, no memory */
		t->fail = transport_rc == IWA_ENOMEM ? IWA_GSS_TKT_INTERNAL
						     : IWA_GSS_TKT_KDC_UNREACHABLE;
		snprintf(t->kdc_message, sizeof(t->kdc_message), "%.*s",
			 (int)sizeof(t->kdc_message) - 1, err->msg);
		return transport_rc;
	}
	t->krb5_code = kc;
	t->fail = classify_tgs_error(kc);
	snprintf(what, sizeof(what), "no service ticket for %s", t->server);
	if (t->fail == IWA_GSS_TKT_SPN_UNKNOWN)
		code = IWA_ENOTFOUND;
	else if (t->fail == IWA_GSS_TKT_OWN_CREDS)
		code = IWA_EAUTH;
	krb_err(kctx, err, code, kc, what);
	km = krb5_get_error_message(kctx, kc);
	snprintf(t->kdc_message, sizeof(t->kdc_message), "%s", km ? km : "Kerberos error");
	if (km != NULL)
		krb5_free_error_message(kctx, km);
	return code;
}

/* Stores cr in cc without the client-side ok-as-delegate hint (see IWA_GSS_HOST_NO_DELEGATION),
 * replacing a cached copy that has it. */
static void store_without_delegation(krb5_context kctx, krb5_ccache cc, krb5_creds *cr,
				     bool was_cached)
{
	if (was_cached && !(cr->ticket_flags & TKT_FLG_OK_AS_DELEGATE))
		return;
	if (was_cached)
		(void)krb5_cc_remove_cred(kctx, cc, 0, cr);
	cr->ticket_flags &= ~(krb5_flags)TKT_FLG_OK_AS_DELEGATE;
	(void)krb5_cc_store_cred(kctx, cc, cr);
}

/* The service ticket for server in k's cache: from the cache, else one TGS exchange stepped
 * by kdc.c (bounded by the run's deadline, a hang named) that stores it in the cache.
 * options: krb5_tkt_creds options (KRB5_GC_CANONICALIZE, KRB5_GC_NO_STORE). */
static int service_ticket(struct kcc *k, krb5_principal server, krb5_flags options, bool fresh,
			  bool no_delegation, struct iwa_gss_ticket *t_out, struct iwa_err *err)
{
	krb5_context kctx = k->ctx;
	krb5_tkt_creds_context tcc = NULL;
	krb5_creds in, got;
	krb5_creds *out = NULL;
	krb5_error_code kc;
	char stage[700];
	int rc = 0;

	memset(&in, 0, sizeof(in));
	memset(&got, 0, sizeof(got));
	in.client = k->client;
	in.server = server;
	if (fresh) {
		/* Remove only the cached ticket for exactly this service; the cache and its TGT
		 * stay. KRB5_CC_NOTFOUND just means there was none. */
		kc = krb5_cc_remove_cred(kctx, k->cc, 0, &in);
		t_out->removed_old = (kc == 0);
	}
	kc = krb5_get_credentials(kctx, KRB5_GC_CACHED, k->cc, &in, &out);
	if (kc == 0) {
		t_out->cached = true;
		if (no_delegation)
			store_without_delegation(kctx, k->cc, out, true);
		describe_ticket(kctx, out, t_out);
		krb5_free_creds(kctx, out);
		return 0;
	}
	snprintf(stage, sizeof(stage), "getting a service ticket for %s", t_out->server);
	if (no_delegation)
		options |= KRB5_GC_NO_STORE;
	kc = krb5_tkt_creds_init(kctx, k->cc, &in, options, &tcc);
	if (kc == 0) {
		rc = iwa_kdc_tkt_creds(kctx, tcc, k->deadline, stage, &kc, err);
		if (rc == IWA_EAUTH)
			rc = 0; /* kc says why */
		else
			kc = 0;
	}
	if (rc == 0 && kc == 0)
		kc = krb5_tkt_creds_get_creds(kctx, tcc, &got);
	if (rc < 0 || kc != 0) {
		rc = tgs_failed(kctx, kc, rc, t_out, err);
		goto cleanup;
	}
	if (no_delegation)
		store_without_delegation(kctx, k->cc, &got, false);
	describe_ticket(kctx, &got, t_out);
	krb5_free_cred_contents(kctx, &got);
cleanup:
	krb5_tkt_creds_free(kctx, tcc);
	return rc;
}

/* Opens the cache for a service ticket: fills t_out->client; on failure t_out->fail. */
static int open_for_ticket(struct kcc *k, const char *ccache, struct iwa_gss_ticket *t_out,
			   struct iwa_err *err)
{
	bool init_failed;
	char *cname = NULL;
	krb5_error_code kc = kcc_open(k, ccache, &init_failed);

	if (init_failed) {
		t_out->fail = IWA_GSS_TKT_INTERNAL;
		return iwa_err_set(err, IWA_EIO, "cannot initialize Kerberos (error %ld)",
				   (long)kc);
	}
	if (kc != 0) {
		t_out->fail = IWA_GSS_TKT_OWN_CREDS;
		t_out->krb5_code = kc;
		return krb_err(k->ctx, err, IWA_EAUTH, kc, "no usable credentials cache");
	}
	if (krb5_unparse_name(k->ctx, k->client, &cname) == 0) {
		snprintf(t_out->client, sizeof(t_out->client), "%s", cname);
		krb5_free_unparsed_name(k->ctx, cname);
	}
	return 0;
}

int iwa_gss_service_ticket(const char *ccache, const char *principal, bool fresh, double deadline,
			   struct iwa_gss_ticket *t_out, struct iwa_err *err)
{
	struct kcc k;
	krb5_principal server = NULL;
	int rc;
	krb5_error_code kc;
	double t0 = mono_now();

	memset(t_out, 0, sizeof(*t_out));
	snprintf(t_out->server, sizeof(t_out->server), "%s", principal);
	rc = open_for_ticket(&k, ccache, t_out, err);
	k.deadline = deadline > 0 ? deadline : iwa_kdc_deadline();
	if (rc < 0)
		goto cleanup;
	kc = krb5_parse_name_flags(k.ctx, principal, KRB5_PRINCIPAL_PARSE_REQUIRE_REALM, &server);
	if (kc != 0) {
		t_out->fail = IWA_GSS_TKT_INTERNAL;
		rc = krb_err(k.ctx, err, IWA_EINVAL, kc, principal);
		goto cleanup;
	}
	rc = service_ticket(&k, server, 0, fresh, false, t_out, err);
cleanup:
	t_out->seconds = mono_now() - t0;
	if (server != NULL)
		krb5_free_principal(k.ctx, server);
	kcc_close(&k);
	return rc;
}

/* The realm Samba's client puts in cifs/<host>@REALM (kerberos_get_principal_from_service_
 * hostname): the host's realm from [domain_realm] (else MIT's fallback guess from the domain)
 * for a DNS name, the cache's client realm for a NetBIOS name. [out] realm_out: malloc'd. */
static krb5_error_code samba_host_realm(krb5_context kctx, krb5_const_principal client,
					const char *host, char **realm_out)
{
	char **realms = NULL;
	krb5_error_code kc;

	*realm_out = NULL;
	if (strchr(host, '.') != NULL) {
		kc = krb5_get_host_realm(kctx, host, &realms);
		if (kc == 0 && realms != NULL && realms[0] != NULL && realms[0][0] != '\0')
			*realm_out = strdup(realms[0]);
		if (realms != NULL)
			krb5_free_host_realm(kctx, realms);
		realms = NULL;
		if (*realm_out == NULL &&
		    krb5_get_fallback_host_realm(
			    kctx, &(krb5_data){KV5M_DATA, (unsigned)strlen(host), (char *)host},
			    &realms) == 0) {
			if (realms != NULL && realms[0] != NULL && realms[0][0] != '\0')
				*realm_out = strdup(realms[0]);
			if (realms != NULL)
				krb5_free_host_realm(kctx, realms);
		}
	}
	if (*realm_out == NULL)
		*realm_out = strndup(client->realm.data, client->realm.length);
	return *realm_out != NULL ? 0 : ENOMEM;
}

int iwa_gss_host_ticket(const char *ccache, const char *service, const char *host, unsigned flags,
			double deadline, struct iwa_gss_ticket *t_out, struct iwa_err *err)
{
	struct kcc k;
	krb5_principal server = NULL;
	char *realm = NULL, *uname = NULL;
	krb5_flags options = 0;
	krb5_error_code kc;
	int rc;
	double t0 = mono_now();

	memset(t_out, 0, sizeof(*t_out));
	snprintf(t_out->server, sizeof(t_out->server), "%s/%s", service, host);
	rc = open_for_ticket(&k, ccache, t_out, err);
	k.deadline = deadline > 0 ? deadline : iwa_kdc_deadline();
	if (rc < 0)
		goto cleanup;
	if (flags & IWA_GSS_HOST_SAMBA_NAME) {
		kc = samba_host_realm(k.ctx, k.client, host, &realm);
		if (kc == 0)
			kc = krb5_build_principal(k.ctx, &server, (unsigned)strlen(realm), realm,
						  service, host, (char *)NULL);
	} else {
		/* as MIT GSS-API turns the host-based name service@host into a principal */
		kc = krb5_sname_to_principal(k.ctx, host, service, KRB5_NT_SRV_HST, &server);
		options = KRB5_GC_CANONICALIZE;
	}
	if (kc == 0)
		kc = krb5_unparse_name(k.ctx, server, &uname);
	if (kc != 0) {
		t_out->fail = IWA_GSS_TKT_INTERNAL;
		rc = krb_err(k.ctx, err, IWA_EINVAL, kc, t_out->server);
		goto cleanup;
	}
	snprintf(t_out->server, sizeof(t_out->server), "%s", uname);
	rc = service_ticket(&k, server, options, false, (flags & IWA_GSS_HOST_NO_DELEGATION) != 0,
			    t_out, err);
cleanup:
	t_out->seconds = mono_now() - t0;
	free(realm);
	if (uname != NULL)
		krb5_free_unparsed_name(k.ctx, uname);
	if (server != NULL)
		krb5_free_principal(k.ctx, server);
	kcc_close(&k);
	return rc;
}

/* A MEMORY cache holding a copy of every credential in ccache (c->kctx, c->mem); its full
 * name into name. */
static int cache_copy(struct iwa_gss_cred *c, const char *ccache, char *name, size_t len,
		      struct iwa_err *err)
{
	krb5_ccache src = NULL;
	krb5_principal me = NULL;
	char *full = NULL;
	krb5_error_code kc;
	int rc = 0;

	if (krb5_init_context(&c->kctx) != 0) {
		c->kctx = NULL;
		return iwa_err_set(err, IWA_ENOMEM, "cannot initialize Kerberos");
	}
	kc = krb5_cc_resolve(c->kctx, ccache, &src);
	if (kc == 0)
		kc = krb5_cc_get_principal(c->kctx, src, &me);
	if (kc == 0)
		kc = krb5_cc_new_unique(c->kctx, "MEMORY", NULL, &c->mem);
	if (kc == 0)
		kc = krb5_cc_initialize(c->kctx, c->mem, me);
	if (kc == 0)
		kc = krb5_cc_copy_creds(c->kctx, src, c->mem);
	if (kc == 0)
		kc = krb5_cc_get_full_name(c->kctx, c->mem, &full);
	if (kc != 0) {
		const char *m = krb5_get_error_message(c->kctx, kc);
		rc = iwa_err_set(err, IWA_EAUTH, "cannot use the credentials in %s: %s", ccache, m);
		krb5_free_error_message(c->kctx, m);
	} else {
		snprintf(name, len, "%s", full);
	}
	krb5_free_string(c->kctx, full);
	krb5_free_principal(c->kctx, me);
	if (src != NULL)
		krb5_cc_close(c->kctx, src);
	return rc;
}

static void cred_release(struct iwa_gss_cred *c)
{
	OM_uint32 min;
	if (c->cred != GSS_C_NO_CREDENTIAL)
		gss_release_cred(&min, &c->cred);
	if (c->mem != NULL)
		krb5_cc_destroy(c->kctx, c->mem);
	if (c->kctx != NULL)
		krb5_free_context(c->kctx);
	free(c);
}

static int cred_acquire(const char *ccache, bool copy, enum iwa_gss_mech mech,
			struct iwa_gss_cred **out, struct iwa_err *err)
{
	OM_uint32 maj, min = 0;
	struct iwa_gss_cred *c = NULL;
	char mem_name[256];
	gss_key_value_element_desc el = {"ccache", ccache};
	gss_key_value_set_desc store = {1, &el};
	gss_OID_set_desc want = {1, mech == IWA_GSS_MECH_KRB5 ? &krb5_oid : &spnego_oid};
	gss_OID_set_desc krb5_only = {1, &krb5_oid};
	char msg[512];
	int rc = 0;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	c->cred = GSS_C_NO_CREDENTIAL;
	c->mech = want.elements;
	if (copy) {
		rc = cache_copy(c, ccache, mem_name, sizeof(mem_name), err);
		if (rc < 0)
			goto cleanup;
		el.value = mem_name;
	}
	maj = gss_acquire_cred_from(&min, GSS_C_NO_NAME, GSS_C_INDEFINITE, &want, GSS_C_INITIATE,
				    &store, &c->cred, NULL, NULL);
	if (GSS_ERROR(maj)) {
		iwa_gss_status_text(maj, min, NULL, msg, sizeof(msg));
		rc = iwa_err_set(err, IWA_EAUTH, "cannot use the credentials in %s: %s", ccache,
				 msg);
		goto cleanup;
	}
	if (mech == IWA_GSS_MECH_SPNEGO) {
		/* Offer Kerberos only inside SPNEGO, as a browser configured for Kerberos does:
		 * never fall back to NTLM (gss-ntlmssp) silently. */
		maj = gss_set_neg_mechs(&min, c->cred, &krb5_only);
		if (GSS_ERROR(maj)) {
			iwa_gss_status_text(maj, min, NULL, msg, sizeof(msg));
			rc = iwa_err_set(err, IWA_EAUTH, "cannot limit SPNEGO to Kerberos: %s",
					 msg);
			goto cleanup;
		}
	}
	*out = c;
	c = NULL;
cleanup:
	if (c != NULL)
		cred_release(c);
	return rc;
}

int iwa_gss_cred_acquire(const char *ccache, enum iwa_gss_mech mech, struct iwa_gss_cred **out,
			 struct iwa_err *err)
{
	return cred_acquire(ccache, false, mech, out, err);
}

int iwa_gss_cred_acquire_copy(const char *ccache, enum iwa_gss_mech mech, struct iwa_gss_cred **out,
			      struct iwa_err *err)
{
	return cred_acquire(ccache, true, mech, out, err);
}

void *iwa_gss_cred_handle(const struct iwa_gss_cred *c)
{
	return c != NULL ? (void *)c->cred : NULL;
}

void iwa_gss_cred_free(struct iwa_gss_cred *c)
{
	if (c != NULL)
		cred_release(c);
}

int iwa_gss_ctx_bind(struct iwa_gss_ctx *ctx, const void *app_data, size_t len, struct iwa_err *err)
{
	if (ctx == NULL || len > sizeof(ctx->cb) || (len > 0 && app_data == NULL))
		return iwa_err_set(err, IWA_EINVAL, "channel bindings of %zu bytes", len);
	if (ctx->ctx != GSS_C_NO_CONTEXT)
		return iwa_err_set(err, IWA_EINVAL, "channel bindings after the first step");
	if (len > 0)
		memcpy(ctx->cb, app_data, len);
	ctx->cb_len = len;
	return 0;
}

int iwa_gss_ctx_new(const struct iwa_gss_cred *cred, const char *principal,
		    struct iwa_gss_ctx **out, struct iwa_err *err)
{
	OM_uint32 maj, min = 0;
	struct iwa_gss_ctx *c = NULL;
	gss_buffer_desc nb;
	char msg[512];
	int rc = 0;

	if (cred == NULL || principal == NULL)
		return iwa_err_set(err, IWA_EINVAL, "no credentials or principal");
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	c->ctx = GSS_C_NO_CONTEXT;
	c->target = GSS_C_NO_NAME;
	c->mech = cred->mech;
	c->cred = cred->cred;
	nb.value = (void *)principal;
	nb.length = strlen(principal);
	/* A krb5 principal name, imported as is: no host-based service name, so no DNS
	 * canonicalization of the host part. */
	maj = gss_import_name(&min, &nb, (gss_OID)GSS_KRB5_NT_PRINCIPAL_NAME, &c->target);
	if (GSS_ERROR(maj)) {
		iwa_gss_status_text(maj, min, NULL, msg, sizeof(msg));
		rc = iwa_err_set(err, IWA_EINVAL, "cannot import the name %s: %s", principal, msg);
		goto cleanup;
	}
	*out = c;
	c = NULL;
cleanup:
	iwa_gss_ctx_free(c);
	return rc;
}

int iwa_gss_ctx_step(struct iwa_gss_ctx *ctx, const void *in, size_t in_len, void **out_tok,
		     size_t *out_len, bool *complete_out, struct iwa_err *err)
{
	OM_uint32 maj, min = 0, min2;
	gss_buffer_desc ib = {in_len, (void *)in};
	gss_buffer_desc ob = GSS_C_EMPTY_BUFFER;
	gss_OID actual = GSS_C_NO_OID;
	struct gss_channel_bindings_struct cb;
	void *copy = NULL;
	char msg[768];
	int rc = 0;

	*out_tok = NULL;
	*out_len = 0;
	*complete_out = false;
	if (ctx == NULL)
		return iwa_err_set(err, IWA_EINVAL, "no context");
	if (ctx->complete)
		return iwa_err_set(err, IWA_EINVAL, "context already complete");
	/* Windows' and browsers' form: no addresses (GSS_C_AF_UNSPEC), only application data */
	memset(&cb, 0, sizeof(cb));
	cb.application_data.value = ctx->cb;
	cb.application_data.length = ctx->cb_len;
	maj = gss_init_sec_context(&min, ctx->cred, &ctx->ctx, ctx->target, ctx->mech,
				   GSS_C_MUTUAL_FLAG | GSS_C_REPLAY_FLAG | GSS_C_SEQUENCE_FLAG, 0,
				   ctx->cb_len > 0 ? &cb : GSS_C_NO_CHANNEL_BINDINGS,
				   in != NULL ? &ib : GSS_C_NO_BUFFER, &actual, &ob,
				   &ctx->ret_flags, NULL);
	if (GSS_ERROR(maj)) {
		iwa_gss_status_text(maj, min, NULL, msg, sizeof(msg));
		ctx->last_error[0] = '\0';
		ctx->last_minor = min;
		if (min != 0)
			display_one(min, GSS_C_MECH_CODE, GSS_C_NO_OID, ctx->last_error,
				    sizeof(ctx->last_error));
		if (ctx->last_error[0] == '\0')
			append(ctx->last_error, sizeof(ctx->last_error), msg, strlen(msg));
		rc = iwa_err_set(err, IWA_EAUTH, "%s", msg);
		goto cleanup;
	}
	if (ob.length > 0) {
		copy = malloc(ob.length);
		if (copy == NULL) {
			rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
			goto cleanup;
		}
		memcpy(copy, ob.value, ob.length);
		*out_tok = copy;
		*out_len = ob.length;
	}
	if (maj == GSS_S_COMPLETE)
		ctx->complete = true;
	*complete_out = ctx->complete;
cleanup:
	gss_release_buffer(&min2, &ob);
	return rc;
}

const char *iwa_gss_ctx_last_error(const struct iwa_gss_ctx *ctx)
{
	return ctx != NULL ? ctx->last_error : "";
}

/* Classifies the last failure by the krb5 error it carries: the minor status is a krb5
 * error code, or (when a mechanism layer renumbered it) its text is the krb5 message. */
enum iwa_gss_peer_error iwa_gss_ctx_peer_error(const struct iwa_gss_ctx *ctx)
{
	static const struct {
		krb5_error_code code;
		enum iwa_gss_peer_error kind;
	} map[] = {
		{KRB5KRB_AP_ERR_SKEW, IWA_GSS_PEER_SKEW},
		{KRB5KRB_AP_ERR_MODIFIED, IWA_GSS_PEER_WRONG_KEY},
		{KRB5KRB_AP_ERR_BAD_INTEGRITY, IWA_GSS_PEER_WRONG_KEY},
		{KRB5KRB_AP_ERR_NOKEY, IWA_GSS_PEER_WRONG_KEY},
		{KRB5KRB_AP_ERR_BADKEYVER, IWA_GSS_PEER_WRONG_KEY},
		{KRB5KRB_AP_WRONG_PRINC, IWA_GSS_PEER_WRONG_KEY},
	};
	if (ctx == NULL || ctx->last_error[0] == '\0')
		return IWA_GSS_PEER_OTHER;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if ((krb5_error_code)ctx->last_minor == map[i].code)
			return map[i].kind;
		const char *m = error_message(map[i].code);
		if (m != NULL && strstr(ctx->last_error, m) != NULL)
			return map[i].kind;
	}
	return IWA_GSS_PEER_OTHER;
}

bool iwa_gss_ctx_mutual(const struct iwa_gss_ctx *ctx)
{
	return ctx != NULL && ctx->complete && (ctx->ret_flags & GSS_C_MUTUAL_FLAG) != 0;
}

void iwa_gss_ctx_free(struct iwa_gss_ctx *ctx)
{
	OM_uint32 min;
	if (ctx == NULL)
		return;
	if (ctx->ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&min, &ctx->ctx, GSS_C_NO_BUFFER);
	if (ctx->target != GSS_C_NO_NAME)
		gss_release_name(&min, &ctx->target);
	free(ctx);
}
