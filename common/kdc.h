/* kdc.h — the KDC exchanges of a run, driven by us with our own sockets and the run's deadline.
 *
 * MIT krb5 sends KDC requests with its own timing (1 s per server and pass, 3 passes, waiting
 * without end on a TCP connection that was accepted) and has no per-call timeout before 1.22
 * (request_timeout in [libdefaults]; Debian 12 ships 1.20). krb5_set_kdc_send_hook would let
 * us send, but the hook is told neither whether UDP is allowed (the TCP retry after
 * KRB_ERR_RESPONSE_TOO_BIG) nor anything MIT's locator found, and it never reaches the contexts
 * that GSS-API makes for itself. So the library only builds and parses messages here
 * (krb5_init_creds_step for the AS exchange, krb5_tkt_creds_step for TGS) and this module
 * carries them: KDC addresses from the realm's `kdc` entries in the profile (else DNS SRV
 * records when dns_lookup_kdc allows), UDP first for requests up to udp_preference_limit
 * bytes, TCP otherwise or after RESPONSE_TOO_BIG, a new server every second while the others
 * stay open, UDP retransmissions, every wait cut off at the deadline. A KDC that does not
 * answer in time ends in IWA_ETIMEOUT with a message naming the KDCs, the time waited and the
 * stage, e.g. "the KDC (127.0.20.1:88) did not answer within 3 s while getting a ticket for
 * monitor@CAMTEST.TEST".
 *
 * Differences from MIT kept on purpose: no second AS attempt against primary_kdc after an
 * error from a replica, no MS-KKDCP (https:// entries are skipped and named when nothing else
 * is left), no locate plugins. Besides MIT's syntax (host, host:port, [v6]:port, /unix/path),
 * a kdc entry may start with tcp/ or udp/ (Heimdal's syntax; MIT would take it for a host
 * name) to force that transport. */
#ifndef IWA_KDC_H
#define IWA_KDC_H

#include "iwa.h"
#include <krb5.h>
#include <stddef.h>
#include <stdint.h>

/* ---- pure parts (unit tested) ---- */

enum iwa_kdc_transport {
	IWA_KDC_ANY = 0, /* UDP or TCP, by message size */
	IWA_KDC_UDP,
	IWA_KDC_TCP,
	IWA_KDC_UNIX, /* stream socket at a path (MIT's "/path" entries) */
	IWA_KDC_HTTPS /* MS-KKDCP: recognised, not supported */
};

struct iwa_kdc_addr {
	enum iwa_kdc_transport transport;
	char host[256]; /* name or address without brackets; the path for IWA_KDC_UNIX */
	unsigned port;
};

/* Parses one `kdc` profile value as MIT's locate_kdc does (host, host:port, [addr]:port, a
 * path starting with '/', https://host[:port]/path), plus the tcp/ and udp/ prefixes. A
 * missing port is default_port. Returns 0 or IWA_EINVAL with err naming the entry. */
int iwa_kdc_parse(const char *spec, unsigned default_port, struct iwa_kdc_addr *out,
		  struct iwa_err *err);
/* "host:port" ("[v6]:port", the path for a UNIX socket) into buf, for messages. */
void iwa_kdc_addr_text(const struct iwa_kdc_addr *a, char *buf, size_t len);

/* RFC 4120 7.2.2: a TCP message is a 4-byte big-endian length, then the message. */
#define IWA_KDC_TCP_MAX (1024u * 1024u) /* longest reply we accept (bytes) */
void iwa_kdc_tcp_header(size_t msg_len, uint8_t hdr_out[4]);
/* Looks at the `have` bytes received so far on a TCP connection. Returns 1 when a whole
 * message is there (*msg_len_out = its length, starting at buf + 4), 0 when more is needed,
 * IWA_EPARSE when the length has the reserved high bit set (RFC 5021 extensions) or exceeds
 * max. */
int iwa_kdc_tcp_reply(const uint8_t *buf, size_t have, size_t max, size_t *msg_len_out);

/* Seconds as a message shows them: whole seconds without decimals ("3"), else one decimal
 * ("2.5"); never negative. */
void iwa_kdc_seconds_text(double s, char *buf, size_t len);
/* The timeout message: "the KDC (a:88) did not answer within 3 s while <stage>", with
 * "the KDCs (a:88, b:88)" for several; at most 4 named, then "and N more". */
void iwa_kdc_timeout_text(const char *const *kdcs, size_t n, double waited, const char *stage,
			  char *buf, size_t len);

/* ---- Kerberos messages we read ourselves (pure, fuzzed by tests/fuzz/fuzz_krb_error.c) ----
 * A minimal DER reader (definite lengths, tags below 31, nothing read outside the input). */

#define IWA_KRB_ERR_PREAUTH_REQUIRED 25   /* KDC_ERR_PREAUTH_REQUIRED */
#define IWA_KRB_ERR_C_PRINCIPAL_UNKNOWN 6 /* KDC_ERR_C_PRINCIPAL_UNKNOWN */
#define IWA_KRB_ERR_ETYPE_NOSUPP 14       /* KDC_ERR_ETYPE_NOSUPP */
#define IWA_KRB_AP_ERR_BADKEYVER 44       /* "Specified version of key is not available" */
#define IWA_KRB_AP_ERR_NOKEY 45           /* "Service key not available" */
#define IWA_KRB_AP_ERR_MODIFIED 41        /* wrong key */
#define IWA_KRB_AP_ERR_NOT_US 35          /* "The ticket isn't for us" */
#define IWA_KRB_AP_ERR_SKEW 37

/* A KRB-ERROR ([APPLICATION 30], RFC 4120 5.9.1): its error-code and e-data (a slice of the
 * input, NULL when absent). Returns 0 or IWA_EPARSE. */
struct iwa_krb_error {
	int32_t code;
	const uint8_t *edata;
	size_t edata_len;
};
int iwa_krb_error_parse(const uint8_t *msg, size_t len, struct iwa_krb_error *out);
/* The enctypes a KDC offers for the client's keys: the PA-ETYPE-INFO2 (19) entries of a
 * METHOD-DATA e-data, else PA-ETYPE-INFO (11)'s, in the KDC's order, at most max. Returns 0
 * (*n_out may be 0: no such padata), IWA_EPARSE. */
int iwa_krb_etype_info(const uint8_t *edata, size_t len, int32_t *etypes, size_t max,
		       size_t *n_out);
/* The enc-part etype of an AS-REP ([APPLICATION 11]): the client key's type. 0 or IWA_EPARSE. */
int iwa_krb_as_rep_etype(const uint8_t *msg, size_t len, int32_t *etype_out);
/* The KRB-ERROR inside a server's Negotiate token: a SPNEGO negTokenResp ([1]) whose
 * responseToken is a krb5 GSS token (0x60, the krb5 OID, TOK_ID 03 00), or such a krb5 token
 * alone. Returns 0 with *code_out, IWA_ENOTFOUND (a token without a KRB-ERROR: an AP-REP, a
 * reject without token), IWA_EPARSE. */
int iwa_krb_token_error(const uint8_t *tok, size_t len, int32_t *code_out);
/* Is etype one of the AES enctypes (17, 18, 19, 20)? RC4 (23, 24)? */
bool iwa_krb_etype_aes(int32_t etype);
bool iwa_krb_etype_rc4(int32_t etype);
/* MIT's name of an enctype ("aes256-cts-hmac-sha1-96", "arcfour-hmac"), "etype N" otherwise. */
void iwa_krb_etype_name(int32_t etype, char *buf, size_t len);

/* ---- the exchanges ---- */

/* One request to the KDCs of realm (from ctx's profile), answered or not before deadline
 * (iwa_now() clock). [out] reply_out: krb5_free_data_contents. stage: words for messages
 * ("getting a ticket for monitor@R"). Returns 0, IWA_ETIMEOUT (named), IWA_EIO (no KDC could
 * be reached, each one's reason given; or none is known for the realm), IWA_ENOMEM. */
int iwa_kdc_send(krb5_context ctx, const krb5_data *realm, const krb5_data *msg, bool tcp_only,
		 double deadline, const char *stage, krb5_data *reply_out, struct iwa_err *err);

/* Runs an initial-credentials context (krb5_init_creds_init + set_keytab/set_password done by
 * the caller) to completion through iwa_kdc_send. Returns 0; IWA_ETIMEOUT/IWA_EIO/IWA_ENOMEM
 * from the transport (err set); or IWA_EAUTH with *kc_out = the library's or the KDC's error
 * for the caller to put in words (err not set). */
int iwa_kdc_init_creds(krb5_context ctx, krb5_init_creds_context icc, double deadline,
		       const char *stage, krb5_error_code *kc_out, struct iwa_err *err);
/* The same for a service-ticket context (krb5_tkt_creds_init); a ticket found in the cache
 * completes without any request. */
int iwa_kdc_tkt_creds(krb5_context ctx, krb5_tkt_creds_context tcc, double deadline,
		      const char *stage, krb5_error_code *kc_out, struct iwa_err *err);

/* The key probe: one AS-REQ for principal WITHOUT pre-authentication (no secret needed),
 * offering every AES and RC4 enctype. The KDC answers PREAUTH_REQUIRED with ETYPE-INFO2: the
 * enctypes it holds keys for (IWA_KDC_PROBE_KEYS); an AS-REP when the account does not
 * require pre-authentication (IWA_KDC_PROBE_NO_PREAUTH, etypes[0] = the key it used);
 * KDC_ERR_C_PRINCIPAL_UNKNOWN (IWA_KDC_PROBE_UNKNOWN); any other KRB-ERROR
 * (IWA_KDC_PROBE_ERROR, code). One KDC exchange, within deadline. Returns 0 (out filled),
 * IWA_ETIMEOUT (stage named) / IWA_EIO / IWA_ENOMEM / IWA_EPARSE (a reply we cannot read). */
enum iwa_kdc_probe_kind {
	IWA_KDC_PROBE_KEYS = 0,
	IWA_KDC_PROBE_NO_PREAUTH,
	IWA_KDC_PROBE_UNKNOWN,
	IWA_KDC_PROBE_ERROR
};
#define IWA_KDC_PROBE_MAX 8
struct iwa_kdc_probe {
	enum iwa_kdc_probe_kind kind;
	int32_t etypes[IWA_KDC_PROBE_MAX];
	size_t n;
	int32_t code; /* IWA_KDC_PROBE_ERROR: the KRB-ERROR code */
	bool cached;  /* answered from the ccache (see iwa_kdc_probe_keys_cached) */
};
int iwa_kdc_probe_keys(krb5_context ctx, const char *principal, double deadline,
		       struct iwa_kdc_probe *out, struct iwa_err *err);
/* The same, answered from a config entry of ccache (krb5_cc_set_config,
 * "iwa-keys:<principal>") written by an earlier probe, which lives as long as the cache's
 * TGT: with a kept --ccache the probe costs no KDC exchange until the TGT is renewed. A fresh
 * answer is stored there. fresh: ignore the stored answer. */
int iwa_kdc_probe_keys_cached(const char *ccache, const char *principal, bool fresh,
			      double deadline, struct iwa_kdc_probe *out, struct iwa_err *err);

/* A service ticket for principal from ccache's TGT with the session key restricted to AES
 * (aes_only) or the library's default list, stored in the cache (so a later run finds it:
 * no KDC exchange with a warm cache; a KDC_ERR_ETYPE_NOSUPP answer is kept as a config entry
 * "iwa-aes-only:<principal>" of the cache, likewise). fresh: neither is used. On success
 * (IWA_KDC_TKT_ISSUED) the ticket's enc-part enctype and kvno and the session key's enctype;
 * KDC_ERR_ETYPE_NOSUPP is IWA_KDC_TKT_NOSUPP, another KDC error IWA_KDC_TKT_ERROR (code and
 * the library's text in err_text). At most one KDC exchange (a cross-realm referral: more).
 * Returns 0 (out filled) or IWA_ETIMEOUT/IWA_EIO/IWA_ENOMEM/IWA_EAUTH (our cache unusable). */
enum iwa_kdc_tkt_kind { IWA_KDC_TKT_ISSUED = 0, IWA_KDC_TKT_NOSUPP, IWA_KDC_TKT_ERROR };
struct iwa_kdc_tkt {
	enum iwa_kdc_tkt_kind kind;
	int32_t tkt_etype, skey_etype;
	unsigned kvno;
	bool cached; /* found in the cache: no KDC exchange */
	krb5_error_code code;
	char err_text[256];
};
int iwa_kdc_restricted_ticket(const char *ccache, const char *principal, bool aes_only, bool fresh,
			      double deadline, struct iwa_kdc_tkt *out, struct iwa_err *err);

/* KDC requests this process sent through iwa_kdc_send (for -v and the tests). */
unsigned long iwa_kdc_exchanges(void);

/* Deadline of the current run for the calls above: now + the budget's remaining time. */
double iwa_kdc_deadline(void);

#endif
