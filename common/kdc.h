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

/* Deadline of the current run for the calls above: now + the budget's remaining time. */
double iwa_kdc_deadline(void);

#endif
