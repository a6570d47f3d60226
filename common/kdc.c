/* kdc.c — KDC exchanges with our own sockets and the run's deadline (see kdc.h).
 *
 * Models: MIT krb5 src/lib/krb5/os/locate_kdc.c (the `kdc` entries, SRV records),
 * parse_host_string.c (host[:port], [v6]:port), sendto_kdc.c (UDP first up to
 * udp_preference_limit, the other transport deferred, a new server each second, retransmission
 * passes), get_in_tkt.c k5_init_creds_get and get_creds.c krb5_tkt_creds_get (the step loops,
 * KRB_ERR_RESPONSE_TOO_BIG -> TCP). Unlike MIT, every wait ends at the caller's deadline. */
#include "kdc.h"
#include "dns.h"
#include "budget.h"
#include "util.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <profile.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define KDC_PORT 88
#define DEFAULT_UDP_PREF_LIMIT 1465 /* MIT's */
#define HARD_UDP_LIMIT 32700        /* MIT's */
#define UDP_REPLY_MAX 65536
#define MAX_SERVERS 32
#define MAX_CONNS 64
#define PROTO_SVC_UNAVAILABLE 29 /* KDC_ERR_SVC_UNAVAILABLE in a KRB-ERROR (RFC 4120 7.5.9) */
#define UDP_SENDS 3              /* first send and two retransmissions, as MIT's 3 passes */

static unsigned long n_exchanges; /* requests sent by iwa_kdc_send */

/* ------------------------------------------------------------------ pure parts */

int iwa_kdc_parse(const char *spec, unsigned default_port, struct iwa_kdc_addr *out,
		  struct iwa_err *err)
{
	struct iwa_kdc_addr a;
	const char *p = spec, *host, *port = NULL;
	size_t hostlen;

	memset(&a, 0, sizeof a);
	if (spec == NULL)
		return iwa_err_set(err, IWA_EINVAL, "empty kdc entry");
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '/') {
		size_t n = strcspn(p, " \t");
		if (n >= sizeof a.host || n >= sizeof(((struct sockaddr_un *)0)->sun_path))
			return iwa_err_set(err, IWA_EINVAL, "kdc entry '%s': path too long", spec);
		a.transport = IWA_KDC_UNIX;
		memcpy(a.host, p, n);
		*out = a;
		return 0;
	}
	if (strncmp(p, "https://", 8) == 0) {
		a.transport = IWA_KDC_HTTPS;
		p += 8;
		default_port = 443;
	} else if (strncasecmp(p, "tcp/", 4) == 0) {
		a.transport = IWA_KDC_TCP;
		p += 4;
	} else if (strncasecmp(p, "udp/", 4) == 0) {
		a.transport = IWA_KDC_UDP;
		p += 4;
	}
	if (*p == '\0' || *p == ':' || *p == ' ' || *p == '\t' || *p == '/')
		return iwa_err_set(err, IWA_EINVAL, "kdc entry '%s' names no host", spec);
	if (*p == '[') {
		const char *rb = strchr(p, ']');
		if (rb == NULL)
			return iwa_err_set(err, IWA_EINVAL, "kdc entry '%s': missing ']'", spec);
		host = p + 1;
		hostlen = (size_t)(rb - host);
		if (rb[1] == ':')
			port = rb + 2;
		else if (rb[1] != '\0' && rb[1] != ' ' && rb[1] != '\t' && rb[1] != '/')
			return iwa_err_set(err, IWA_EINVAL, "kdc entry '%s': junk after ']'", spec);
	} else {
		host = p;
		hostlen = strcspn(host, " \t:/");
		if (host[hostlen] == ':')
			port = host + hostlen + 1;
	}
	if (hostlen == 0 || hostlen >= sizeof a.host)
		return iwa_err_set(err, IWA_EINVAL, "kdc entry '%s': bad host", spec);
	memcpy(a.host, host, hostlen);
	a.port = default_port;
	if (port != NULL) {
		size_t n = strcspn(port, " \t/");
		unsigned long v = 0;
		if (n == 0 || n > 5)
			return iwa_err_set(err, IWA_EINVAL, "kdc entry '%s': bad port", spec);
		for (size_t i = 0; i < n; i++) {
			if (port[i] < '0' || port[i] > '9')
				return iwa_err_set(err, IWA_EINVAL, "kdc entry '%s': bad port",
						   spec);
			v = v * 10 + (unsigned long)(port[i] - '0');
		}
		if (v == 0 || v > 65535)
			return iwa_err_set(err, IWA_EINVAL, "kdc entry '%s': bad port", spec);
		a.port = (unsigned)v;
	}
	*out = a;
	return 0;
}

void iwa_kdc_addr_text(const struct iwa_kdc_addr *a, char *buf, size_t len)
{
	if (len == 0)
		return;
	if (a->transport == IWA_KDC_UNIX)
		snprintf(buf, len, "%s", a->host);
	else if (strchr(a->host, ':') != NULL)
		snprintf(buf, len, "[%s]:%u", a->host, a->port);
	else
		snprintf(buf, len, "%s:%u", a->host, a->port);
}

void iwa_kdc_tcp_header(size_t msg_len, uint8_t hdr_out[4])
{
	hdr_out[0] = (uint8_t)(msg_len >> 24);
	hdr_out[1] = (uint8_t)(msg_len >> 16);
	hdr_out[2] = (uint8_t)(msg_len >> 8);
	hdr_out[3] = (uint8_t)msg_len;
}

int iwa_kdc_tcp_reply(const uint8_t *buf, size_t have, size_t max, size_t *msg_len_out)
{
	uint32_t n;

	if (have < 4)
		return 0;
	if (buf[0] & 0x80)
		return IWA_EPARSE;
	n = ((uint32_t)buf[0] << 24) | ((uint32_t)buf[1] << 16) | ((uint32_t)buf[2] << 8) |
	    (uint32_t)buf[3];
	if (n > max)
		return IWA_EPARSE;
	if (have - 4 < n)
		return 0;
	*msg_len_out = n;
	return 1;
}

void iwa_kdc_seconds_text(double s, char *buf, size_t len)
{
	double r;

	if (!(s > 0.0))
		s = 0.0;
	r = (double)(long long)(s * 10.0 + 0.5) / 10.0;
	if (r - (double)(long long)r < 0.05)
		snprintf(buf, len, "%lld", (long long)r);
	else
		snprintf(buf, len, "%.1f", r);
}

void iwa_kdc_timeout_text(const char *const *kdcs, size_t n, double waited, const char *stage,
			  char *buf, size_t len)
{
	struct iwa_buf b;
	char secs[32];
	size_t shown = n < 4 ? n : 4;
	char *s;

	iwa_kdc_seconds_text(waited, secs, sizeof secs);
	iwa_buf_init(&b, 4096); /* then cut to len by snprintf below */
	iwa_buf_adds(&b, n > 1 ? "the KDCs (" : "the KDC (");
	for (size_t i = 0; i < shown; i++)
		iwa_buf_addf(&b, "%s%s", i > 0 ? ", " : "", kdcs[i]);
	if (n > shown)
		iwa_buf_addf(&b, " and %zu more", n - shown);
	if (n == 0)
		iwa_buf_adds(&b, "none contacted");
	iwa_buf_addf(&b, ") did not answer within %s s while %s", secs, stage);
	s = iwa_buf_take(&b);
	snprintf(buf, len, "%s", s != NULL ? s : "the KDC did not answer in time");
	free(s);
}

/* ------------------------------------------------------------------ Kerberos messages (pure) */

/* One TLV at p (len bytes left): single-byte tag, definite length (at most 4 length bytes).
 * Returns 0 with tag, value slice and the TLV's whole size, or IWA_EPARSE. */
static int der_tlv(const uint8_t *p, size_t len, uint8_t *tag, const uint8_t **val, size_t *vlen,
		   size_t *total)
{
	size_t l, hdr = 2;

	if (len < 2 || (p[0] & 0x1f) == 0x1f)
		return IWA_EPARSE;
	*tag = p[0];
	if (p[1] < 0x80) {
		l = p[1];
	} else {
		size_t nb = p[1] & 0x7f;
		if (nb == 0 || nb > 4 || len < 2 + nb)
			return IWA_EPARSE;
		l = 0;
		for (size_t i = 0; i < nb; i++)
			l = (l << 8) | p[2 + i];
		hdr += nb;
	}
	if (l > len - hdr)
		return IWA_EPARSE;
	*val = p + hdr;
	*vlen = l;
	*total = hdr + l;
	return 0;
}

/* The value of the TLV with tag `want` directly inside a SEQUENCE's content (ctx), or
 * IWA_ENOTFOUND; IWA_EPARSE on a malformed member. */
static int der_field(const uint8_t *p, size_t len, uint8_t want, const uint8_t **val, size_t *vlen)
{
	while (len > 0) {
		uint8_t tag;
		const uint8_t *v;
		size_t vl, tot;
		if (der_tlv(p, len, &tag, &v, &vl, &tot) < 0)
			return IWA_EPARSE;
		if (tag == want) {
			*val = v;
			*vlen = vl;
			return 0;
		}
		p += tot;
		len -= tot;
	}
	return IWA_ENOTFOUND;
}

/* A whole TLV of the given tag as the only content of p (len); its value. */
static int der_expect(const uint8_t *p, size_t len, uint8_t tag, const uint8_t **val, size_t *vlen)
{
	uint8_t t;
	size_t tot;

	if (der_tlv(p, len, &t, val, vlen, &tot) < 0 || t != tag)
		return IWA_EPARSE;
	return 0;
}

/* INTEGER (tag 0x02) of at most 4 bytes, two's complement, into an int32. */
static int der_int32(const uint8_t *p, size_t len, int32_t *out)
{
	const uint8_t *v;
	size_t vl;
	uint32_t u;

	if (der_expect(p, len, 0x02, &v, &vl) < 0 || vl == 0 || vl > 4)
		return IWA_EPARSE;
	u = (v[0] & 0x80) ? 0xffffffffu : 0;
	for (size_t i = 0; i < vl; i++)
		u = (u << 8) | v[i];
	*out = (int32_t)u;
	return 0;
}

/* [n] EXPLICIT INTEGER field of a SEQUENCE's content. */
static int der_ctx_int(const uint8_t *seq, size_t len, unsigned n, int32_t *out)
{
	const uint8_t *v;
	size_t vl;
	int rc = der_field(seq, len, (uint8_t)(0xa0 | n), &v, &vl);

	if (rc < 0)
		return rc;
	return der_int32(v, vl, out) < 0 ? IWA_EPARSE : 0;
}

int iwa_krb_error_parse(const uint8_t *msg, size_t len, struct iwa_krb_error *out)
{
	const uint8_t *app, *seq, *v;
	size_t al, sl, vl;
	int rc;

	memset(out, 0, sizeof *out);
	if (msg == NULL || der_expect(msg, len, 0x7e, &app, &al) < 0 ||
	    der_expect(app, al, 0x30, &seq, &sl) < 0)
		return IWA_EPARSE;
	if (der_ctx_int(seq, sl, 6, &out->code) < 0)
		return IWA_EPARSE;
	rc = der_field(seq, sl, 0xac, &v, &vl);
	if (rc == IWA_EPARSE)
		return IWA_EPARSE;
	if (rc == 0) {
		if (der_expect(v, vl, 0x04, &out->edata, &out->edata_len) < 0)
			return IWA_EPARSE;
	}
	return 0;
}

/* The etypes of an ETYPE-INFO2 / ETYPE-INFO value: SEQUENCE OF SEQUENCE { [0] etype, ... }. */
static int etype_entries(const uint8_t *p, size_t len, int32_t *etypes, size_t max, size_t *n)
{
	const uint8_t *seq;
	size_t sl;

	*n = 0;
	if (der_expect(p, len, 0x30, &seq, &sl) < 0)
		return IWA_EPARSE;
	while (sl > 0) {
		uint8_t tag;
		const uint8_t *e;
		size_t el, tot;
		int32_t et;
		if (der_tlv(seq, sl, &tag, &e, &el, &tot) < 0 || tag != 0x30 ||
		    der_ctx_int(e, el, 0, &et) < 0)
			return IWA_EPARSE;
		if (*n < max)
			etypes[(*n)++] = et;
		seq += tot;
		sl -= tot;
	}
	return 0;
}

int iwa_krb_etype_info(const uint8_t *edata, size_t len, int32_t *etypes, size_t max, size_t *n_out)
{
	const uint8_t *seq, *info = NULL;
	size_t sl, info_len = 0;
	bool info2 = false;

	*n_out = 0;
	if (edata == NULL || der_expect(edata, len, 0x30, &seq, &sl) < 0)
		return IWA_EPARSE;
	while (sl > 0) { /* METHOD-DATA: SEQUENCE OF PA-DATA { [1] type, [2] value } */
		uint8_t tag;
		const uint8_t *pa, *v;
		size_t pl, tot, vl;
		int32_t type;
		if (der_tlv(seq, sl, &tag, &pa, &pl, &tot) < 0 || tag != 0x30 ||
		    der_ctx_int(pa, pl, 1, &type) < 0)
			return IWA_EPARSE;
		if ((type == 19 || (type == 11 && !info2))) {
			const uint8_t *os;
			size_t osl;
			if (der_field(pa, pl, 0xa2, &v, &vl) < 0 ||
			    der_expect(v, vl, 0x04, &os, &osl) < 0)
				return IWA_EPARSE;
			info = os;
			info_len = osl;
			info2 = info2 || type == 19;
		}
		seq += tot;
		sl -= tot;
	}
	if (info == NULL)
		return 0;
	return etype_entries(info, info_len, etypes, max, n_out);
}

int iwa_krb_as_rep_etype(const uint8_t *msg, size_t len, int32_t *etype_out)
{
	const uint8_t *app, *seq, *v, *ed;
	size_t al, sl, vl, el;

	if (msg == NULL || der_expect(msg, len, 0x6b, &app, &al) < 0 ||
	    der_expect(app, al, 0x30, &seq, &sl) < 0 || der_field(seq, sl, 0xa6, &v, &vl) < 0 ||
	    der_expect(v, vl, 0x30, &ed, &el) < 0 || der_ctx_int(ed, el, 0, etype_out) < 0)
		return IWA_EPARSE;
	return 0;
}

int iwa_krb_token_error(const uint8_t *tok, size_t len, int32_t *code_out)
{
	static const uint8_t krb5_oid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
					   0xf7, 0x12, 0x01, 0x02, 0x02};
	const uint8_t *v, *seq, *inner;
	size_t vl, sl, il;
	struct iwa_krb_error ke;
	int rc;

	if (tok == NULL || len < 2)
		return IWA_EPARSE;
	if (tok[0] == 0xa1) { /* negTokenResp: [1] SEQUENCE { ..., [2] responseToken } */
		if (der_expect(tok, len, 0xa1, &v, &vl) < 0 ||
		    der_expect(v, vl, 0x30, &seq, &sl) < 0)
			return IWA_EPARSE;
		rc = der_field(seq, sl, 0xa2, &v, &vl);
		if (rc < 0)
			return rc;
		if (der_expect(v, vl, 0x04, &tok, &len) < 0)
			return IWA_EPARSE;
	}
	/* [APPLICATION 0] IMPLICIT: the mechanism OID, then the krb5 token */
	if (der_expect(tok, len, 0x60, &inner, &il) < 0)
		return IWA_EPARSE;
	if (il < sizeof krb5_oid + 2 || memcmp(inner, krb5_oid, sizeof krb5_oid) != 0)
		return IWA_ENOTFOUND; /* another mechanism */
	inner += sizeof krb5_oid;
	il -= sizeof krb5_oid;
	if (inner[0] != 0x03 || inner[1] != 0x00)
		return IWA_ENOTFOUND; /* an AP-REQ (01 00) or AP-REP (02 00) */
	if (iwa_krb_error_parse(inner + 2, il - 2, &ke) < 0)
		return IWA_EPARSE;
	*code_out = ke.code;
	return 0;
}

bool iwa_krb_etype_aes(int32_t e)
{
	return e == 17 || e == 18 || e == 19 || e == 20;
}

bool iwa_krb_etype_rc4(int32_t e)
{
	return e == 23 || e == 24;
}

void iwa_krb_etype_name(int32_t e, char *buf, size_t len)
{
	static const struct {
		int32_t e;
		const char *name;
	} names[] = {{17, "aes128-cts-hmac-sha1-96"},
		     {18, "aes256-cts-hmac-sha1-96"},
		     {19, "aes128-cts-hmac-sha256-128"},
		     {20, "aes256-cts-hmac-sha384-192"},
		     {23, "arcfour-hmac"},
		     {24, "arcfour-hmac-exp"},
		     {1, "des-cbc-crc"},
		     {3, "des-cbc-md5"}};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].e == e) {
			snprintf(buf, len, "%s", names[i].name);
			return;
		}
	snprintf(buf, len, "etype %d", (int)e);
}

/* ------------------------------------------------------------------ the servers of a realm */

struct server {
	struct iwa_kdc_addr a;
	char text[300];
	bool resolved, contacted, failed;
	char why[160]; /* why it failed, for the unreachable message */
};

struct srvlist {
	struct server s[MAX_SERVERS];
	size_t n;
	size_t skipped_https;
};

static void add_server(struct srvlist *l, const struct iwa_kdc_addr *a)
{
	struct server *sv;

	if (l->n >= MAX_SERVERS)
		return;
	for (size_t i = 0; i < l->n; i++)
		if (l->s[i].a.port == a->port && l->s[i].a.transport == a->transport &&
		    strcmp(l->s[i].a.host, a->host) == 0)
			return;
	sv = &l->s[l->n++];
	memset(sv, 0, sizeof *sv);
	sv->a = *a;
	iwa_kdc_addr_text(a, sv->text, sizeof sv->text);
}

struct srvrec {
	unsigned prio, weight, port;
	char host[256];
};

/* SRV records _kerberos.<proto>.<realm> (MIT locate_srv_dns_1), priority order, into l. */
static void srv_lookup(const char *realm, const char *proto, enum iwa_kdc_transport t,
		       double deadline, struct srvlist *l)
{
	struct iwa_err derr;
	unsigned char ans[4096];
	char name[300], target[NS_MAXDNAME];
	struct srvrec rec[MAX_SERVERS];
	size_t nrec = 0;
	ns_msg m;
	int n;

	if (snprintf(name, sizeof name, "_kerberos.%s.%s.", proto, realm) >= (int)sizeof name)
		return;
	if (iwa_dns_query(name, ns_t_srv, deadline, ans, sizeof ans, &n, &derr) < 0 || n <= 0 ||
	    ns_initparse(ans, n, &m) != 0 || ns_msg_getflag(m, ns_f_rcode) != ns_r_noerror)
		return;
	for (int i = 0; i < ns_msg_count(m, ns_s_an) && nrec < MAX_SERVERS; i++) {
		ns_rr rr;
		const unsigned char *rd;
		if (ns_parserr(&m, ns_s_an, i, &rr) != 0 || ns_rr_type(rr) != ns_t_srv ||
		    ns_rr_rdlen(rr) < 7)
			continue;
		rd = ns_rr_rdata(rr);
		if (dn_expand(ns_msg_base(m), ns_msg_end(m), rd + 6, target, sizeof target) < 0)
			continue;
		if (target[0] == '\0' || strlen(target) >= sizeof rec[0].host)
			continue; /* "." = no service */
		rec[nrec].prio = (unsigned)ns_get16(rd);
		rec[nrec].weight = (unsigned)ns_get16(rd + 2);
		rec[nrec].port = (unsigned)ns_get16(rd + 4);
		memcpy(rec[nrec].host, target, strlen(target) + 1); /* length checked above */
		nrec++;
	}
	/* priority ascending, then weight descending (no random pick among equals) */
	for (size_t i = 1; i < nrec; i++)
		for (size_t j = i; j > 0 && (rec[j].prio < rec[j - 1].prio ||
					     (rec[j].prio == rec[j - 1].prio &&
					      rec[j].weight > rec[j - 1].weight));
		     j--) {
			struct srvrec tmp = rec[j];
			rec[j] = rec[j - 1];
			rec[j - 1] = tmp;
		}
	for (size_t i = 0; i < nrec; i++) {
		struct iwa_kdc_addr a;
		memset(&a, 0, sizeof a);
		a.transport = t;
		a.port = rec[i].port != 0 ? rec[i].port : KDC_PORT;
		snprintf(a.host, sizeof a.host, "%s", rec[i].host);
		add_server(l, &a);
	}
}

/* The KDCs of realm: the profile's [realms] <realm> kdc values in order, else (dns_lookup_kdc,
 * default true) the SRV records. Also reads udp_preference_limit. */
static int realm_servers(krb5_context ctx, const char *realm, double deadline, struct srvlist *l,
			 int *udp_limit_out, struct iwa_err *err)
{
	profile_t prof = NULL;
	const char *names[] = {"realms", realm, "kdc", NULL};
	char **vals = NULL;
	int limit = DEFAULT_UDP_PREF_LIMIT, dns = 1;
	krb5_error_code kc;

	memset(l, 0, sizeof *l);
	kc = krb5_get_profile(ctx, &prof);
	if (kc != 0)
		return iwa_err_set(err, IWA_EIO, "cannot read the Kerberos configuration: %s",
				   error_message(kc));
	if (profile_get_integer(prof, "libdefaults", "udp_preference_limit", NULL,
				DEFAULT_UDP_PREF_LIMIT, &limit) != 0 ||
	    limit < 0)
		limit = DEFAULT_UDP_PREF_LIMIT;
	if (limit > HARD_UDP_LIMIT)
		limit = HARD_UDP_LIMIT;
	*udp_limit_out = limit;
	if (profile_get_values(prof, names, &vals) == 0) {
		for (size_t i = 0; vals[i] != NULL; i++) {
			struct iwa_kdc_addr a;
			struct iwa_err perr;
			if (iwa_kdc_parse(vals[i], KDC_PORT, &a, &perr) != 0)
				continue; /* MIT gives up on the whole list; we use the others */
			if (a.transport == IWA_KDC_HTTPS) {
				l->skipped_https++;
				continue;
			}
			add_server(l, &a);
		}
		profile_free_list(vals);
	}
	if (l->n == 0 && l->skipped_https == 0) {
		(void)profile_get_boolean(prof, "libdefaults", "dns_lookup_kdc", NULL, 1, &dns);
		if (dns) {
			srv_lookup(realm, "_udp", IWA_KDC_UDP, deadline, l);
			srv_lookup(realm, "_tcp", IWA_KDC_TCP, deadline, l);
		}
	}
	profile_release(prof);
	return 0;
}

/* ------------------------------------------------------------------ name resolution */

/* getaddrinfo for host:port, bounded by deadline (getaddrinfo_a). Numeric addresses are
 * converted at once. Returns 0 with *res_out, EAI_* on failure, or EAI_AGAIN with
 * *timed_out set when the deadline came first. */
static int resolve(const char *host, unsigned port, int socktype, double deadline,
		   struct addrinfo **res_out, bool *timed_out)
{
	struct addrinfo hints;
	char svc[8];
	struct gaicb *cb;
	struct addrinfo *h;
	char *name, *s;
	int e;

	*timed_out = false;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(svc, sizeof svc, "%u", port);
	if (getaddrinfo(host, svc, &hints, res_out) == 0)
		return 0;
	cb = calloc(1, sizeof *cb);
	h = calloc(1, sizeof *h);
	name = strdup(host);
	s = strdup(svc);
	if (cb == NULL || h == NULL || name == NULL || s == NULL) {
		free(cb), free(h), free(name), free(s);
		return EAI_MEMORY;
	}
	h->ai_family = AF_UNSPEC;
	h->ai_socktype = socktype;
	h->ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV;
	cb->ar_name = name;
	cb->ar_service = s;
	cb->ar_request = h;
	{
		struct gaicb *list[1] = {cb};
		if (getaddrinfo_a(GAI_NOWAIT, list, 1, NULL) != 0) {
			free(cb), free(h), free(name), free(s);
			return EAI_SYSTEM;
		}
		for (;;) {
			double left = deadline - iwa_now();
			struct timespec ts;
			if (gai_error(cb) != EAI_INPROGRESS || left <= 0)
				break;
			ts.tv_sec = (time_t)left;
			ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
			(void)gai_suspend((const struct gaicb *const *)list, 1, &ts);
		}
	}
	e = gai_error(cb);
	if (e == EAI_INPROGRESS) {
		*timed_out = true;
		/* A lookup still running in the resolver's thread keeps using cb: it stays
		 * allocated (reachable from glibc's request list) unless the cancel took. */
		if (gai_cancel(cb) == EAI_CANCELED)
			free(cb), free(h), free(name), free(s);
		return EAI_AGAIN;
	}
	*res_out = cb->ar_result;
	free(cb), free(h), free(name), free(s);
	return e;
}

/* ------------------------------------------------------------------ connections */

struct conn {
	int fd;
	size_t srv;
	int socktype;
	int family;
	struct sockaddr_storage sa;
	socklen_t salen;
	bool deferred, started, failed, connected;
	size_t sent; /* stream: bytes of the framed message written */
	uint8_t *in;
	size_t in_len, in_cap;
	int udp_sends;
	double next_resend;
};

struct xfer {
	krb5_context ctx;
	const krb5_data *msg;
	uint8_t *framed; /* 4-byte length + msg, for streams */
	size_t framed_len;
	struct srvlist *l;
	struct conn c[MAX_CONNS];
	size_t nc;
	double t0;
};

static void fail_conn(struct xfer *x, struct conn *c, const char *why)
{
	struct server *sv = &x->l->s[c->srv];

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->failed = true;
	free(c->in);
	c->in = NULL;
	c->in_len = c->in_cap = 0;
	/* each reason once, in order ("connection refused; connection refused (UDP)") */
	if (sv->why[0] == '\0') {
		snprintf(sv->why, sizeof sv->why, "%s", why);
	} else {
		size_t n = strlen(sv->why), w = strlen(why);
		const char *tail = n >= w ? sv->why + n - w : sv->why;
		if (strcmp(tail, why) != 0 || (tail != sv->why && tail[-1] != ' '))
			snprintf(sv->why + n, sizeof sv->why - n, "; %s", why);
	}
}

/* A server has failed when each of its connections has. */
static void update_server_failed(struct xfer *x, size_t srv)
{
	bool any = false, all = true;

	for (size_t i = 0; i < x->nc; i++) {
		if (x->c[i].srv != srv)
			continue;
		any = true;
		if (!x->c[i].failed)
			all = false;
	}
	if (any && all)
		x->l->s[srv].failed = true;
}

static void add_conn(struct xfer *x, size_t srv, int socktype, bool deferred,
		     const struct sockaddr *sa, socklen_t salen, int family)
{
	struct conn *c;

	if (x->nc >= MAX_CONNS || salen > sizeof c->sa)
		return;
	c = &x->c[x->nc++];
	memset(c, 0, sizeof *c);
	c->fd = -1;
	c->srv = srv;
	c->socktype = socktype;
	c->deferred = deferred;
	c->family = family;
	memcpy(&c->sa, sa, salen);
	c->salen = salen;
}

/* Resolves server srv and adds its connections (the preferred transport first, the other one
 * deferred). Returns 0, or IWA_ETIMEOUT with err set when the name did not resolve in time. */
static int open_server(struct xfer *x, size_t srv, bool udp_first, bool tcp_only, double deadline,
		       const char *stage, struct iwa_err *err)
{
	struct server *sv = &x->l->s[srv];
	enum iwa_kdc_transport t = sv->a.transport;
	struct addrinfo *res = NULL;
	bool timed_out;
	int e, first, second;

	sv->resolved = true;
	if (t == IWA_KDC_UNIX) {
		struct sockaddr_un un;
		memset(&un, 0, sizeof un);
		un.sun_family = AF_UNIX;
		snprintf(un.sun_path, sizeof un.sun_path, "%s", sv->a.host);
		add_conn(x, srv, SOCK_STREAM, false, (struct sockaddr *)&un, sizeof un, AF_UNIX);
		return 0;
	}
	if (t == IWA_KDC_UDP && tcp_only) {
		sv->failed = true;
		snprintf(sv->why, sizeof sv->why, "UDP only, and the reply needs TCP");
		return 0;
	}
	first = (t == IWA_KDC_UDP || (t == IWA_KDC_ANY && udp_first && !tcp_only)) ? SOCK_DGRAM
										   : SOCK_STREAM;
	second = (t == IWA_KDC_ANY && !tcp_only) ? (first == SOCK_DGRAM ? SOCK_STREAM : SOCK_DGRAM)
						 : 0;
	e = resolve(sv->a.host, sv->a.port, 0, deadline, &res, &timed_out);
	if (timed_out) {
		char secs[32];
		iwa_kdc_seconds_text(iwa_now() - x->t0, secs, sizeof secs);
		return iwa_err_set(err, IWA_ETIMEOUT,
				   "the name of the KDC %s did not resolve within %s s while %s",
				   sv->a.host, secs, stage);
	}
	if (e != 0) {
		sv->failed = true;
		snprintf(sv->why, sizeof sv->why, "%s",
			 e == EAI_NONAME || e == EAI_NODATA ? "the name does not resolve"
							    : gai_strerror(e));
		return 0;
	}
	/* The transport of an entry with tcp/ or udp/, deferred when the message size prefers
	 * the other one (as MIT defers a fixed-transport entry). */
	for (struct addrinfo *a = res; a != NULL; a = a->ai_next) {
		if (a->ai_socktype != 0 && a->ai_socktype != SOCK_STREAM)
			continue; /* one entry per address: the SOCK_STREAM one (or any) */
		bool defer = (t == IWA_KDC_TCP && udp_first) || (t == IWA_KDC_UDP && !udp_first);
		add_conn(x, srv, first, defer, a->ai_addr, a->ai_addrlen, a->ai_family);
	}
	if (second != 0)
		for (struct addrinfo *a = res; a != NULL; a = a->ai_next) {
			if (a->ai_socktype != 0 && a->ai_socktype != SOCK_STREAM)
				continue;
			add_conn(x, srv, second, true, a->ai_addr, a->ai_addrlen, a->ai_family);
		}
	freeaddrinfo(res);
	if (x->nc == 0 || x->c[x->nc - 1].srv != srv) {
		sv->failed = true;
		snprintf(sv->why, sizeof sv->why, "no usable address");
	}
	return 0;
}

static void udp_send(struct xfer *x, struct conn *c, double now)
{
	ssize_t n = send(c->fd, x->msg->data, x->msg->length, MSG_NOSIGNAL);

	c->udp_sends++;
	c->next_resend = now + (c->udp_sends == 1 ? 2.0 : 4.0);
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		char why[128];
		snprintf(why, sizeof why, "%s", strerror(errno));
		fail_conn(x, c, why);
	}
}

/* Opens the socket of c and sends (UDP) or starts connecting (streams). */
static void start_conn(struct xfer *x, struct conn *c, double now)
{
	int fd;

	c->started = true;
	x->l->s[c->srv].contacted = true;
	fd = socket(c->family, c->socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fail_conn(x, c, strerror(errno));
		return;
	}
	c->fd = fd;
	if (connect(fd, (struct sockaddr *)&c->sa, c->salen) != 0 && errno != EINPROGRESS) {
		char why[128];
		snprintf(why, sizeof why, "%s",
			 errno == ECONNREFUSED ? "connection refused" : strerror(errno));
		fail_conn(x, c, why);
		return;
	}
	if (c->socktype == SOCK_DGRAM)
		udp_send(x, c, now);
}

/* Reads what is there. Returns 1 when c holds a whole reply (in c->in, c->in_len bytes of
 * message for UDP; 4 + n for streams), 0 to wait more; on failure c is failed. */
static int read_conn(struct xfer *x, struct conn *c)
{
	if (c->socktype == SOCK_DGRAM) {
		ssize_t n;
		if (c->in == NULL) {
			c->in = malloc(UDP_REPLY_MAX);
			if (c->in == NULL) {
				fail_conn(x, c, "out of memory");
				return 0;
			}
			c->in_cap = UDP_REPLY_MAX;
		}
		n = recv(c->fd, c->in, c->in_cap, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return 0;
			fail_conn(x, c,
				  errno == ECONNREFUSED ? "connection refused (UDP)"
							: strerror(errno));
			return 0;
		}
		if (n == 0)
			return 0;
		c->in_len = (size_t)n;
		return 1;
	}
	for (;;) {
		size_t msg_len = 0;
		ssize_t n;
		int r;
		if (c->in_len == c->in_cap) {
			size_t ncap = c->in_cap == 0 ? 4096 : c->in_cap * 2;
			uint8_t *nb;
			if (ncap > IWA_KDC_TCP_MAX + 4)
				ncap = IWA_KDC_TCP_MAX + 4;
			if (ncap <= c->in_cap) {
				fail_conn(x, c, "reply too large");
				return 0;
			}
			nb = realloc(c->in, ncap);
			if (nb == NULL) {
				fail_conn(x, c, "out of memory");
				return 0;
			}
			c->in = nb;
			c->in_cap = ncap;
		}
		n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR)
				continue;
			fail_conn(x, c,
				  errno == ECONNREFUSED ? "connection refused" : strerror(errno));
			return 0;
		}
		if (n == 0) {
			fail_conn(x, c, "the connection was closed without a reply");
			return 0;
		}
		c->in_len += (size_t)n;
		r = iwa_kdc_tcp_reply(c->in, c->in_len, IWA_KDC_TCP_MAX, &msg_len);
		if (r < 0) {
			fail_conn(x, c, "malformed or oversized TCP reply");
			return 0;
		}
		if (r == 1)
			return 1;
	}
}

/* Writes the rest of the framed message on a connected stream. */
static void write_conn(struct xfer *x, struct conn *c)
{
	while (c->sent < x->framed_len) {
		ssize_t n = send(c->fd, x->framed + c->sent, x->framed_len - c->sent, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EINTR)
				continue;
			fail_conn(x, c, strerror(errno));
			return;
		}
		c->sent += (size_t)n;
	}
}

/* true when the reply is a KRB-ERROR saying KDC_ERR_SVC_UNAVAILABLE (MIT then asks the next
 * KDC: check_for_svc_unavailable). */
static bool svc_unavailable(krb5_context ctx, const uint8_t *data, size_t len)
{
	krb5_data d;
	krb5_error *e = NULL;
	bool r = false;

	if (len == 0 || data[0] != 0x7e)
		return false;
	d.magic = KV5M_DATA;
	d.length = (unsigned)len;
	d.data = (char *)data;
	if (krb5_rd_error(ctx, &d, &e) == 0) {
		r = e->error == PROTO_SVC_UNAVAILABLE;
		krb5_free_error(ctx, e);
	}
	return r;
}

/* The timeout message naming the servers that were contacted and not refused. */
static int timeout_error(struct xfer *x, const char *stage, struct iwa_err *err)
{
	const char *names[MAX_SERVERS];
	size_t n = 0;

	for (size_t i = 0; i < x->l->n; i++)
		if (x->l->s[i].contacted && !x->l->s[i].failed)
			names[n++] = x->l->s[i].text;
	if (n == 0)
		for (size_t i = 0; i < x->l->n; i++)
			if (x->l->s[i].contacted)
				names[n++] = x->l->s[i].text;
	iwa_kdc_timeout_text(names, n, iwa_now() - x->t0, stage, err->msg, sizeof err->msg);
	err->code = IWA_ETIMEOUT;
	return IWA_ETIMEOUT;
}

static int unreachable_error(struct xfer *x, const char *realm, const char *stage,
			     struct iwa_err *err)
{
	struct iwa_buf b;
	char *s;

	iwa_buf_init(&b, sizeof err->msg);
	iwa_buf_addf(&b, "cannot reach any KDC of %s while %s (", realm, stage);
	for (size_t i = 0; i < x->l->n; i++)
		iwa_buf_addf(&b, "%s%s: %s", i > 0 ? "; " : "", x->l->s[i].text,
			     x->l->s[i].why[0] ? x->l->s[i].why : "no answer");
	iwa_buf_adds(&b, "): check the kdc entries in krb5.conf, DNS and port 88");
	s = iwa_buf_take(&b);
	iwa_err_set(err, IWA_EIO, "%s", s != NULL ? s : "cannot reach any KDC");
	free(s);
	return IWA_EIO;
}

int iwa_kdc_send(krb5_context ctx, const krb5_data *realm, const krb5_data *msg, bool tcp_only,
		 double deadline, const char *stage, krb5_data *reply_out, struct iwa_err *err)
{
	struct srvlist *l = NULL;
	struct xfer *x = NULL;
	char realm_s[256];
	int udp_limit = DEFAULT_UDP_PREF_LIMIT;
	bool udp_first;
	size_t next_srv = 0;
	double next_start;
	int rc = 0;

	n_exchanges++;
	reply_out->magic = KV5M_DATA;
	reply_out->length = 0;
	reply_out->data = NULL;
	if (realm == NULL || realm->length == 0 || realm->length >= sizeof realm_s)
		return iwa_err_set(err, IWA_EINVAL, "no realm to send a Kerberos request to");
	memcpy(realm_s, realm->data, realm->length);
	realm_s[realm->length] = '\0';
	l = calloc(1, sizeof *l);
	x = calloc(1, sizeof *x);
	if (l == NULL || x == NULL) {
		rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
		goto cleanup;
	}
	x->t0 = iwa_now();
	rc = realm_servers(ctx, realm_s, deadline, l, &udp_limit, err);
	if (rc < 0)
		goto cleanup;
	if (l->n == 0) {
		if (l->skipped_https > 0)
			rc = iwa_err_set(err, IWA_EIO,
					 "the KDCs of %s are only reachable through MS-KKDCP "
					 "(https:// kdc entries), which this plugin does not speak",
					 realm_s);
		else
			rc = iwa_err_set(err, IWA_EIO,
					 "no KDC is known for realm %s while %s (add it to "
					 "krb5.conf [realms] or enable dns_lookup_kdc)",
					 realm_s, stage);
		goto cleanup;
	}
	x->ctx = ctx;
	x->msg = msg;
	x->l = l;
	x->framed_len = (size_t)msg->length + 4;
	x->framed = malloc(x->framed_len);
	if (x->framed == NULL) {
		rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
		goto cleanup;
	}
	iwa_kdc_tcp_header(msg->length, x->framed);
	memcpy(x->framed + 4, msg->data, msg->length);
	udp_first = !tcp_only && msg->length <= (unsigned)udp_limit;
	next_start = x->t0;

	for (;;) {
		double now = iwa_now(), wake = deadline;
		struct pollfd pfd[MAX_CONNS];
		size_t map[MAX_CONNS], np = 0;
		bool pending = false, live = false;
		int pr;

		if (now >= deadline) {
			rc = timeout_error(x, stage, err);
			goto cleanup;
		}
		/* Start the next connection when due: the next one not deferred (resolving
		 * servers in order as needed), then the deferred ones. */
		if (now >= next_start) {
			struct conn *c = NULL;
			for (size_t i = 0; i < x->nc && c == NULL; i++)
				if (!x->c[i].started && !x->c[i].deferred)
					c = &x->c[i];
			if (c == NULL && next_srv < l->n) {
				rc = open_server(x, next_srv++, udp_first, tcp_only, deadline,
						 stage, err);
				if (rc < 0)
					goto cleanup;
				continue;
			}
			for (size_t i = 0; i < x->nc && c == NULL; i++)
				if (!x->c[i].started)
					c = &x->c[i];
			if (c != NULL) {
				start_conn(x, c, now);
				update_server_failed(x, c->srv);
				/* the next one after a second, at once when this one failed */
				next_start = c->failed ? now : now + 1.0;
				if (c->failed)
					continue;
			}
		}
		for (size_t i = 0; i < x->nc; i++) {
			struct conn *c = &x->c[i];
			if (!c->started)
				pending = true;
			if (!c->started || c->failed)
				continue;
			live = true;
			if (c->socktype == SOCK_DGRAM && c->udp_sends < UDP_SENDS &&
			    now >= c->next_resend) {
				udp_send(x, c, now);
				if (c->failed) {
					update_server_failed(x, c->srv);
					continue;
				}
			}
			if (c->socktype == SOCK_DGRAM && c->udp_sends < UDP_SENDS &&
			    c->next_resend < wake)
				wake = c->next_resend;
			pfd[np].fd = c->fd;
			pfd[np].events = POLLIN;
			if (c->socktype == SOCK_STREAM &&
			    (!c->connected || c->sent < x->framed_len))
				pfd[np].events |= POLLOUT;
			pfd[np].revents = 0;
			map[np++] = i;
		}
		if (next_srv < l->n)
			pending = true;
		if (!live && !pending) {
			rc = unreachable_error(x, realm_s, stage, err);
			goto cleanup;
		}
		if (pending && next_start < wake)
			wake = next_start;
		{
			double ms = (wake - now) * 1000.0;
			pr = poll(pfd, np, ms <= 0 ? 0 : (int)(ms + 1.0));
		}
		if (pr < 0 && errno != EINTR) {
			rc = iwa_err_set(err, IWA_EIO, "poll: %s", strerror(errno));
			goto cleanup;
		}
		for (size_t k = 0; pr > 0 && k < np; k++) {
			struct conn *c = &x->c[map[k]];
			short ev = pfd[k].revents;
			if (ev == 0 || c->failed)
				continue;
			if (c->socktype == SOCK_STREAM && !c->connected &&
			    (ev & (POLLOUT | POLLERR | POLLHUP))) {
				int soerr = 0;
				socklen_t sl = sizeof soerr;
				if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
					soerr = errno;
				if (soerr != 0) {
					fail_conn(x, c,
						  soerr == ECONNREFUSED ? "connection refused"
									: strerror(soerr));
					update_server_failed(x, c->srv);
					if (next_start > iwa_now())
						next_start = iwa_now();
					continue;
				}
				c->connected = true;
			}
			if (c->socktype == SOCK_STREAM && c->connected && c->sent < x->framed_len &&
			    (ev & POLLOUT))
				write_conn(x, c);
			if (!c->failed && (ev & (POLLIN | POLLERR | POLLHUP)) &&
			    (c->socktype == SOCK_DGRAM || c->connected) && read_conn(x, c) == 1) {
				const uint8_t *data = c->socktype == SOCK_DGRAM ? c->in : c->in + 4;
				size_t len = c->socktype == SOCK_DGRAM ? c->in_len : c->in_len - 4;
				if (svc_unavailable(ctx, data, len)) {
					fail_conn(x, c, "the KDC says: service unavailable");
				} else {
					reply_out->data = malloc(len > 0 ? len : 1);
					if (reply_out->data == NULL) {
						rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
						goto cleanup;
					}
					memcpy(reply_out->data, data, len);
					reply_out->length = (unsigned)len;
					rc = 0;
					goto cleanup;
				}
			}
			if (c->failed) {
				update_server_failed(x, c->srv);
				if (next_start > iwa_now())
					next_start = iwa_now();
			}
		}
	}
cleanup:
	if (x != NULL) {
		for (size_t i = 0; i < x->nc; i++) {
			if (x->c[i].fd >= 0)
				close(x->c[i].fd);
			free(x->c[i].in);
		}
		free(x->framed);
	}
	free(x);
	free(l);
	return rc;
}

/* ------------------------------------------------------------------ the step loops */

typedef krb5_error_code (*step_fn)(krb5_context ctx, void *c, krb5_data *in, krb5_data *out,
				   krb5_data *realm, unsigned *flags);

static krb5_error_code step_init(krb5_context ctx, void *c, krb5_data *in, krb5_data *out,
				 krb5_data *realm, unsigned *flags)
{
	return krb5_init_creds_step(ctx, c, in, out, realm, flags);
}

static krb5_error_code step_tkt(krb5_context ctx, void *c, krb5_data *in, krb5_data *out,
				krb5_data *realm, unsigned *flags)
{
	return krb5_tkt_creds_step(ctx, c, in, out, realm, flags);
}

/* Drives one context: step, send what it asks to its realm's KDCs, feed the reply back. */
static int drive(krb5_context ctx, step_fn step, void *c, double deadline, const char *stage,
		 bool stop_nosupp, krb5_error_code *kc_out, struct iwa_err *err)
{
	krb5_data in = {KV5M_DATA, 0, NULL}, out = {KV5M_DATA, 0, NULL},
		  realm = {KV5M_DATA, 0, NULL};
	bool tcp_only = false;
	int rc = 0;

	*kc_out = 0;
	for (int round = 0;; round++) {
		unsigned flags = 0;
		krb5_error_code kc = step(ctx, c, &in, &out, &realm, &flags);

		if (kc == KRB5KRB_ERR_RESPONSE_TOO_BIG && !tcp_only) {
			tcp_only = true; /* out holds the same request again */
		} else if (kc != 0) {
			*kc_out = kc;
			rc = IWA_EAUTH;
			break;
		} else if (!(flags & KRB5_INIT_CREDS_STEP_FLAG_CONTINUE)) {
			/* (the same bit as KRB5_TKT_CREDS_STEP_FLAG_CONTINUE) */
			break;
		}
		if (round >= 64) { /* the library loops itself out long before */
			rc = iwa_err_set(err, IWA_EIO, "too many Kerberos round trips while %s",
					 stage);
			break;
		}
		krb5_free_data_contents(ctx, &in);
		rc = iwa_kdc_send(ctx, &realm, &out, tcp_only, deadline, stage, &in, err);
		krb5_free_data_contents(ctx, &out);
		krb5_free_data_contents(ctx, &realm);
		if (rc < 0)
			break;
		if (stop_nosupp) { /* MIT would ask again without referrals: the same answer */
			struct iwa_krb_error ke;
			if (iwa_krb_error_parse((const uint8_t *)in.data, in.length, &ke) == 0 &&
			    ke.code == IWA_KRB_ERR_ETYPE_NOSUPP) {
				*kc_out = KRB5KDC_ERR_ETYPE_NOSUPP;
				rc = IWA_EAUTH;
				break;
			}
		}
	}
	krb5_free_data_contents(ctx, &in);
	krb5_free_data_contents(ctx, &out);
	krb5_free_data_contents(ctx, &realm);
	return rc;
}

int iwa_kdc_init_creds(krb5_context ctx, krb5_init_creds_context icc, double deadline,
		       const char *stage, krb5_error_code *kc_out, struct iwa_err *err)
{
	return drive(ctx, step_init, icc, deadline, stage, false, kc_out, err);
}

int iwa_kdc_tkt_creds(krb5_context ctx, krb5_tkt_creds_context tcc, double deadline,
		      const char *stage, krb5_error_code *kc_out, struct iwa_err *err)
{
	return drive(ctx, step_tkt, tcc, deadline, stage, false, kc_out, err);
}

double iwa_kdc_deadline(void)
{
	return iwa_now() + (double)iwa_budget_remaining_ms() / 1000.0;
}

unsigned long iwa_kdc_exchanges(void)
{
	return n_exchanges;
}

/* ------------------------------------------------------------------ RC4 retirement probes */

static int krb_text(krb5_context ctx, krb5_error_code kc, char *buf, size_t len)
{
	const char *m = krb5_get_error_message(ctx, kc);

	snprintf(buf, len, "%s", m != NULL ? m : "unknown Kerberos error");
	krb5_free_error_message(ctx, m);
	return 0;
}

int iwa_kdc_probe_keys(krb5_context ctx, const char *principal, double deadline,
		       struct iwa_kdc_probe *out, struct iwa_err *err)
{
	/* every AES and RC4 enctype, so the KDC lists each key it holds of them */
	krb5_enctype offer[] = {18, 17, 20, 19, 23};
	krb5_principal client = NULL;
	krb5_get_init_creds_opt *opt = NULL;
	krb5_init_creds_context icc = NULL;
	krb5_data in = {KV5M_DATA, 0, NULL}, req = {KV5M_DATA, 0, NULL},
		  realm = {KV5M_DATA, 0, NULL}, reply = {KV5M_DATA, 0, NULL};
	unsigned flags = 0;
	char stage[600], msg[256];
	struct iwa_krb_error ke;
	krb5_error_code kc;
	int rc;

	memset(out, 0, sizeof *out);
	snprintf(stage, sizeof stage, "probing the keys of %s (AS-REQ without pre-authentication)",
		 principal);
	kc = krb5_parse_name(ctx, principal, &client);
	if (kc == 0)
		kc = krb5_get_init_creds_opt_alloc(ctx, &opt);
	if (kc == 0) {
		krb5_get_init_creds_opt_set_etype_list(opt, offer, 5);
		krb5_get_init_creds_opt_set_preauth_list(opt, NULL, 0);
		kc = krb5_init_creds_init(ctx, client, NULL, NULL, 0, opt, &icc);
	}
	if (kc == 0)
		kc = krb5_init_creds_step(ctx, icc, &in, &req, &realm, &flags);
	if (kc != 0) {
		krb_text(ctx, kc, msg, sizeof msg);
		rc = iwa_err_set(err, IWA_EIO, "%s: %s", stage, msg);
		goto cleanup;
	}
	rc = iwa_kdc_send(ctx, &realm, &req, false, deadline, stage, &reply, err);
	if (rc == 0 && reply.length > 0 && (uint8_t)reply.data[0] == 0x6b) {
		/* an AS-REP without pre-authentication: the enc-part is in the client's key */
		out->kind = IWA_KDC_PROBE_NO_PREAUTH;
		if (iwa_krb_as_rep_etype((const uint8_t *)reply.data, reply.length,
					 &out->etypes[0]) == 0)
			out->n = 1;
	} else if (rc == 0) {
		if (iwa_krb_error_parse((const uint8_t *)reply.data, reply.length, &ke) < 0) {
			rc = iwa_err_set(err, IWA_EPARSE, "%s: the KDC's answer cannot be read",
					 stage);
		} else if (ke.code == IWA_KRB_ERR_PREAUTH_REQUIRED) {
			out->kind = IWA_KDC_PROBE_KEYS;
			if (ke.edata == NULL ||
			    iwa_krb_etype_info(ke.edata, ke.edata_len, out->etypes,
					       IWA_KDC_PROBE_MAX, &out->n) < 0)
				rc = iwa_err_set(
					err, IWA_EPARSE,
					"%s: the KDC's PREAUTH_REQUIRED carries no readable "
					"ETYPE-INFO2",
					stage);
		} else if (ke.code == IWA_KRB_ERR_C_PRINCIPAL_UNKNOWN) {
			out->kind = IWA_KDC_PROBE_UNKNOWN;
		} else {
			out->kind = IWA_KDC_PROBE_ERROR;
			out->code = ke.code;
		}
	}
cleanup:
	krb5_free_data_contents(ctx, &req);
	krb5_free_data_contents(ctx, &realm);
	krb5_free_data_contents(ctx, &reply);
	if (icc != NULL)
		krb5_init_creds_free(ctx, icc);
	if (opt != NULL)
		krb5_get_init_creds_opt_free(ctx, opt);
	krb5_free_principal(ctx, client);
	return rc;
}

/* "keys 18 17 23", "no-preauth 23", "unknown", "error 12": the stored probe answer. */
static void probe_format(const struct iwa_kdc_probe *p, char *buf, size_t len)
{
	static const char *const kind[] = {"keys", "no-preauth", "unknown", "error"};
	size_t off = (size_t)snprintf(buf, len, "%s", kind[p->kind]);

	if (p->kind == IWA_KDC_PROBE_ERROR && off < len)
		off += (size_t)snprintf(buf + off, len - off, " %d", (int)p->code);
	for (size_t i = 0; i < p->n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, " %d", (int)p->etypes[i]);
}

static bool probe_scan(const char *s, size_t len, struct iwa_kdc_probe *p)
{
	char buf[128], *tok, *save = NULL;
	static const char *const kind[] = {"keys", "no-preauth", "unknown", "error"};
	bool first = true;

	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(p, 0, sizeof *p);
	for (tok = strtok_r(buf, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save)) {
		char *end;
		long v;
		if (first) {
			size_t k;
			for (k = 0; k < 4 && strcmp(tok, kind[k]) != 0; k++)
				;
			if (k == 4)
				return false;
			p->kind = (enum iwa_kdc_probe_kind)k;
			first = false;
			continue;
		}
		v = strtol(tok, &end, 10);
		if (*end != '\0' || v < -1000 || v > 1000)
			return false;
		if (p->kind == IWA_KDC_PROBE_ERROR && p->code == 0)
			p->code = (int32_t)v;
		else if (p->n < IWA_KDC_PROBE_MAX)
			p->etypes[p->n++] = (int32_t)v;
	}
	return !first;
}

int iwa_kdc_probe_keys_cached(const char *ccache, const char *principal, bool fresh,
			      double deadline, struct iwa_kdc_probe *out, struct iwa_err *err)
{
	krb5_context ctx = NULL;
	krb5_ccache cc = NULL;
	krb5_data d = {KV5M_DATA, 0, NULL};
	char key[600], val[128];
	int rc;

	if (krb5_init_context(&ctx) != 0)
		return iwa_err_set(err, IWA_ENOMEM, "cannot start the Kerberos library");
	snprintf(key, sizeof key, "iwa-keys:%s", principal);
	if (ccache != NULL && krb5_cc_resolve(ctx, ccache, &cc) != 0)
		cc = NULL;
	if (cc != NULL && !fresh && krb5_cc_get_config(ctx, cc, NULL, key, &d) == 0) {
		bool ok = probe_scan(d.data, d.length, out);
		krb5_free_data_contents(ctx, &d);
		if (ok) {
			out->cached = true;
			rc = 0;
			goto done;
		}
	}
	rc = iwa_kdc_probe_keys(ctx, principal, deadline, out, err);
	if (rc == 0 && cc != NULL) {
		krb5_data v;
		probe_format(out, val, sizeof val);
		v.magic = KV5M_DATA;
		v.data = val;
		v.length = (unsigned)strlen(val);
		(void)krb5_cc_set_config(ctx, cc, NULL, key,
					 &v); /* a cache we cannot write: no cache */
	}
done:
	if (cc != NULL)
		krb5_cc_close(ctx, cc);
	krb5_free_context(ctx);
	return rc;
}

int iwa_kdc_restricted_ticket(const char *ccache, const char *principal, bool aes_only, bool fresh,
			      double deadline, struct iwa_kdc_tkt *out, struct iwa_err *err)
{
	krb5_enctype aes[] = {18, 17, 20, 19, 0};
	krb5_context ctx = NULL;
	krb5_ccache cc = NULL;
	krb5_creds in, creds;
	krb5_tkt_creds_context tcc = NULL;
	krb5_ticket *tkt = NULL;
	krb5_error_code kc;
	krb5_data d = {KV5M_DATA, 0, NULL};
	char stage[600], msg[256], key[600];
	unsigned long before = n_exchanges;
	int rc = 0;

	memset(out, 0, sizeof *out);
	memset(&in, 0, sizeof in);
	memset(&creds, 0, sizeof creds);
	snprintf(stage, sizeof stage, "getting a ticket for %s%s", principal,
		 aes_only ? " with an AES session key only" : "");
	if (krb5_init_context(&ctx) != 0)
		return iwa_err_set(err, IWA_ENOMEM, "cannot start the Kerberos library");
	kc = aes_only ? krb5_set_default_tgs_enctypes(ctx, aes) : 0;
	if (kc == 0)
		kc = krb5_cc_resolve(ctx, ccache, &cc);
	if (kc == 0)
		kc = krb5_cc_get_principal(ctx, cc, &in.client);
	if (kc == 0)
		kc = krb5_parse_name(ctx, principal, &in.server);
	if (kc != 0) {
		krb_text(ctx, kc, msg, sizeof msg);
		rc = iwa_err_set(err, IWA_EAUTH, "%s: %s", stage, msg);
		goto cleanup;
	}
	/* A refusal is kept in the cache as a config entry (it has no ticket to find next time) */
	snprintf(key, sizeof key, "iwa-%s:%s", aes_only ? "aes-only" : "ticket", principal);
	if (!fresh && krb5_cc_get_config(ctx, cc, NULL, key, &d) == 0) {
		long code = 0;
		if (d.length > 0 && d.length < sizeof msg) {
			memcpy(msg, d.data, d.length);
			msg[d.length] = '\0';
			code = strtol(msg, NULL, 10);
		}
		krb5_free_data_contents(ctx, &d);
		if (code == KRB5KDC_ERR_ETYPE_NOSUPP) {
			out->kind = IWA_KDC_TKT_NOSUPP;
			out->code = (krb5_error_code)code;
			out->cached = true;
			krb_text(ctx, out->code, out->err_text, sizeof out->err_text);
			goto cleanup;
		}
	}
	if (fresh) /* only THAT ticket goes, never the cache */
		(void)krb5_cc_remove_cred(ctx, cc, KRB5_TC_MATCH_SRV_NAMEONLY, &in);
	/* AES only: the session key asked for is aes256 alone. With a list, MIT asks first with
	 * every permitted enctype and again with the list when the answer is of another type
	 * (two exchanges); one enctype in the request is one exchange. */
	if (aes_only)
		in.keyblock.enctype = ENCTYPE_AES256_CTS_HMAC_SHA1_96;
	kc = krb5_tkt_creds_init(ctx, cc, &in, 0, &tcc);
	if (kc == 0) {
		rc = drive(ctx, step_tkt, tcc, deadline, stage, true, &kc, err);
		if (rc < 0 && rc != IWA_EAUTH)
			goto cleanup;
		rc = 0;
	}
	if (kc == 0 && tcc != NULL)
		kc = krb5_tkt_creds_get_creds(ctx, tcc, &creds);
	if (kc == KRB5KDC_ERR_ETYPE_NOSUPP) {
		krb5_data v;
		out->kind = IWA_KDC_TKT_NOSUPP;
		out->code = kc;
		krb_text(ctx, kc, out->err_text, sizeof out->err_text);
		snprintf(msg, sizeof msg, "%ld", (long)kc);
		v.magic = KV5M_DATA;
		v.data = msg;
		v.length = (unsigned)strlen(msg);
		(void)krb5_cc_set_config(ctx, cc, NULL, key, &v);
		goto cleanup;
	}
	if (kc != 0) {
		out->kind = IWA_KDC_TKT_ERROR;
		out->code = kc;
		krb_text(ctx, kc, out->err_text, sizeof out->err_text);
		goto cleanup;
	}
	out->kind = IWA_KDC_TKT_ISSUED;
	out->cached = n_exchanges == before;
	out->skey_etype = creds.keyblock.enctype;
	if (krb5_decode_ticket(&creds.ticket, &tkt) == 0) {
		out->tkt_etype = tkt->enc_part.enctype;
		out->kvno = tkt->enc_part.kvno;
		krb5_free_ticket(ctx, tkt);
	}
cleanup:
	if (tcc != NULL)
		krb5_tkt_creds_free(ctx, tcc);
	krb5_free_cred_contents(ctx, &creds);
	krb5_free_principal(ctx, in.client);
	krb5_free_principal(ctx, in.server);
	if (cc != NULL)
		krb5_cc_close(ctx, cc);
	krb5_free_context(ctx);
	return rc;
}
