/* dns.c — the CNAME chain of a name through the system resolver (see dns.h). The answer is
 * read by iwa_dns_parse_chain (pure: libresolv's ns_initparse/ns_parserr/dn_expand over the
 * bytes, no I/O); iwa_dns_resolve sends the one query. */
#include "dns.h"
#include "budget.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Case-insensitive name equality, a trailing dot on either side ignored. */
static bool name_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

/* Copies name without a trailing dot into dst (IWA_DNS_NAME_MAX bytes). */
static int copy_name(char *dst, const char *src)
{
	size_t l = strlen(src);

	if (l > 0 && src[l - 1] == '.')
		l--;
	if (l == 0 || l >= IWA_DNS_NAME_MAX)
		return IWA_EPARSE;
	memcpy(dst, src, l);
	dst[l] = '\0';
	return 0;
}

int iwa_dns_parse_chain(const unsigned char *msg, size_t len, const char *qname,
			struct iwa_dns_chain *out, struct iwa_err *err)
{
	char owner[NS_MAXDNAME], target[NS_MAXDNAME];
	ns_msg m;
	int i, count, hop;

	memset(out, 0, sizeof *out);
	if (copy_name(out->name[0], qname) < 0)
		return iwa_err_set(err, IWA_EINVAL, "DNS: bad name to resolve");
	out->n = 1;
	if (len > 65535 || ns_initparse(msg, (int)len, &m) != 0)
		return iwa_err_set(err, IWA_EPARSE, "DNS: malformed answer for %s (%zu bytes)",
				   out->name[0], len);
	out->rcode = (int)ns_msg_getflag(m, ns_f_rcode);
	if (out->rcode == ns_r_nxdomain)
		return 0;
	if (out->rcode != ns_r_noerror)
		return iwa_err_set(err, IWA_EIO, "DNS: the server answered %s for %s",
				   out->rcode == ns_r_servfail  ? "SERVFAIL"
				   : out->rcode == ns_r_refused ? "REFUSED"
								: "an error",
				   out->name[0]);
	count = ns_msg_count(m, ns_s_an);
	/* follow the chain: each hop is one CNAME whose owner is the current name */
	for (hop = 0;; hop++) {
		bool found = false;

		for (i = 0; i < count; i++) {
			ns_rr rr;

			if (ns_parserr(&m, ns_s_an, i, &rr) != 0)
				return iwa_err_set(err, IWA_EPARSE,
						   "DNS: malformed record %d in the answer for %s",
						   i, out->name[0]);
			if (ns_rr_type(rr) != ns_t_cname || ns_rr_class(rr) != ns_c_in ||
			    !name_eq(ns_rr_name(rr), out->name[out->n - 1]))
				continue;
			if (dn_expand(ns_msg_base(m), ns_msg_end(m), ns_rr_rdata(rr), target,
				      sizeof target) < 0)
				return iwa_err_set(
					err, IWA_EPARSE,
					"DNS: malformed CNAME target in the answer for %s",
					out->name[0]);
			found = true;
			break;
		}
		if (!found)
			break;
		if (out->n > IWA_DNS_CHAIN_MAX)
			return iwa_err_set(err, IWA_EPARSE,
					   "DNS: the CNAME chain of %s is longer than %d names "
					   "(a loop?)",
					   out->name[0], IWA_DNS_CHAIN_MAX);
		if (copy_name(out->name[out->n], target) < 0)
			return iwa_err_set(err, IWA_EPARSE,
					   "DNS: bad CNAME target in the answer for %s",
					   out->name[0]);
		out->n++;
	}
	(void)hop;
	for (i = 0; i < count; i++) {
		ns_rr rr;
		int af;

		if (ns_parserr(&m, ns_s_an, i, &rr) != 0)
			return iwa_err_set(err, IWA_EPARSE, "DNS: malformed answer for %s",
					   out->name[0]);
		snprintf(owner, sizeof owner, "%s", ns_rr_name(rr));
		if (!name_eq(owner, out->name[out->n - 1]) || ns_rr_class(rr) != ns_c_in)
			continue;
		if (ns_rr_type(rr) == ns_t_a && ns_rr_rdlen(rr) == 4)
			af = AF_INET;
		else if (ns_rr_type(rr) == ns_t_aaaa && ns_rr_rdlen(rr) == 16)
			af = AF_INET6;
		else
			continue;
		if (out->naddr < IWA_DNS_ADDRS_MAX &&
		    inet_ntop(af, ns_rr_rdata(rr), out->addr[out->naddr], sizeof out->addr[0]) ==
			    NULL)
			out->addr[out->naddr][0] = '\0';
		out->naddr++;
	}
	out->exists = out->n > 1 || out->naddr > 0;
	return 0;
}

bool iwa_dns_is_alias(const struct iwa_dns_chain *c)
{
	return c->n > 1;
}

const char *iwa_dns_canonical(const struct iwa_dns_chain *c)
{
	return c->name[c->n > 0 ? c->n - 1 : 0];
}

void iwa_dns_chain_text(const struct iwa_dns_chain *c, char *buf, size_t n)
{
	size_t used, i;

	if (n == 0)
		return;
	used = (size_t)snprintf(buf, n, "%s", c->name[0]);
	if (!c->exists) {
		if (used < n)
			snprintf(buf + used, n - used, " has no DNS record%s",
				 c->rcode == ns_r_nxdomain ? " (NXDOMAIN)" : "");
		return;
	}
	for (i = 1; i < c->n && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, " CNAME %s", c->name[i]);
	for (i = 0; i < c->naddr && i < IWA_DNS_ADDRS_MAX && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, " %s %s",
					 strchr(c->addr[i], ':') != NULL ? "AAAA" : "A",
					 c->addr[i]);
	if (c->naddr == 0 && used < n)
		snprintf(buf + used, n - used, " (no A/AAAA record)");
}

/* Whole seconds left before deadline (at least 1): the resolver's timeouts are seconds. */
static int whole_seconds_left(double deadline)
{
	double left = deadline - iwa_now();

	return left < 1.0 ? 1 : (int)left;
}

/* How long glibc's res_nsend waits for r tries over n nameservers with retrans 1: try 0
 * waits 1 s per server, try i (1 << i) / n s per server (at least 1). */
static int wait_seconds(int r, int n)
{
	int total = n;

	for (int i = 1; i < r; i++)
		total += n * ((1 << i) / n > 1 ? (1 << i) / n : 1);
	return total;
}

/* As many tries as fit in secs, at most 4 (a dropped datagram costs a second, not the
 * whole budget); at least one. */
static int tries_within(int secs, int n)
{
	int r = 1;

	while (r < 4 && wait_seconds(r + 1, n) <= secs)
		r++;
	return r;
}

int iwa_dns_query(const char *name, int type, double deadline, unsigned char *ans, size_t cap,
		  int *len_out, struct iwa_err *err)
{
	struct __res_state rs;
	unsigned char q[NS_PACKETSZ];
	char server[64] = "?";
	int qlen, n, secs, nsn;

	*len_out = 0;
	memset(&rs, 0, sizeof rs);
	if (deadline > 0 && deadline - iwa_now() <= 0)
		return iwa_err_set(err, IWA_ETIMEOUT, "DNS: no time left (-t) to resolve %s", name);
	if (res_ninit(&rs) != 0)
		return iwa_err_set(err, IWA_EIO, "DNS: cannot read the resolver configuration");
	secs = deadline > 0 ? whole_seconds_left(deadline) : 5;
	nsn = rs.nscount > 0 ? rs.nscount : 1;
	rs.retrans = 1;
	rs.retry = tries_within(secs, nsn);
	if (rs.nscount > 0 && rs.nsaddr_list[0].sin_family == AF_INET)
		inet_ntop(AF_INET, &rs.nsaddr_list[0].sin_addr, server, sizeof server);
	qlen = res_nmkquery(&rs, ns_o_query, name, ns_c_in, type, NULL, 0, NULL, q, sizeof q);
	if (qlen < 0) {
		res_nclose(&rs);
		return iwa_err_set(err, IWA_EINVAL, "DNS: cannot build a query for %s", name);
	}
	errno = 0;
	n = res_nsend(&rs, q, qlen, ans, cap > 65535 ? 65535 : (int)cap);
	res_nclose(&rs);
	if (n < 0) {
		if (errno == ETIMEDOUT || errno == 0 || (deadline > 0 && iwa_now() >= deadline - 1))
			return iwa_err_set(err, IWA_ETIMEOUT,
					   "DNS: no answer from the nameserver %s%s for %s "
					   "within %d s (%d tries; the nameservers of resolv.conf "
					   "hang or drop the queries)",
					   server, nsn > 1 ? " (and the others)" : "", name,
					   wait_seconds(rs.retry, nsn), rs.retry);
		return iwa_err_set(err, IWA_EIO, "DNS: the nameserver %s did not answer for %s: %s",
				   server, name, strerror(errno));
	}
	*len_out = n;
	return 0;
}

int iwa_dns_resolve(const char *name, double deadline, struct iwa_dns_chain *out,
		    struct iwa_err *err)
{
	unsigned char ans[8192];
	int n, rc;

	memset(out, 0, sizeof *out);
	rc = iwa_dns_query(name, ns_t_a, deadline, ans, sizeof ans, &n, err);
	if (rc < 0)
		return rc;
	return iwa_dns_parse_chain(ans, (size_t)n, name, out, err);
}
