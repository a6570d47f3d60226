/* dns.h — one DNS query through the system resolver (resolv.conf, libresolv), bounded by the
 * run's deadline, and the pure reading of its answer: the CNAME chain of a name.
 *
 * Browsers that canonicalize (Chrome/Edge by default) ask the KDC for HTTP/<the name at the
 * end of the CNAME chain>; a name that is an A/AAAA record is its own canonical name. One
 * query of type A returns both the CNAME records and the final A records, so an A record
 * costs no extra query. /etc/hosts is not read: the chain is what the DNS serves. */
#ifndef IWA_DNS_H
#define IWA_DNS_H

#include "iwa.h"

#include <stdbool.h>
#include <stddef.h>

#define IWA_DNS_CHAIN_MAX 8 /* CNAME hops followed; more is a loop or a broken zone */
#define IWA_DNS_NAME_MAX 256
#define IWA_DNS_ADDRS_MAX 4

struct iwa_dns_chain {
	/* name[0] is the name asked for, name[n-1] the canonical name (n == 1: no alias) */
	char name[IWA_DNS_CHAIN_MAX + 1][IWA_DNS_NAME_MAX];
	size_t n;
	bool exists;                      /* the DNS answered NOERROR with records */
	unsigned naddr;                   /* A/AAAA records of the canonical name */
	char addr[IWA_DNS_ADDRS_MAX][48]; /* the first of them, as text */
	int rcode;                        /* the answer's RCODE (0, 3 = NXDOMAIN) */
};

/* Reads a DNS answer (wire format, len bytes) to a query for qname: follows the CNAME
 * records of the answer section from qname (case-insensitive, a trailing dot ignored),
 * collects the A/AAAA records of the last name. NXDOMAIN and NOERROR without records give
 * exists = false (no alias); SERVFAIL/REFUSED and other RCODEs give IWA_EIO; a malformed
 * message or a chain longer than IWA_DNS_CHAIN_MAX gives IWA_EPARSE. Pure, fuzzed. */
int iwa_dns_parse_chain(const unsigned char *msg, size_t len, const char *qname,
			struct iwa_dns_chain *out, struct iwa_err *err);

/* true when the chain has at least one CNAME hop. */
bool iwa_dns_is_alias(const struct iwa_dns_chain *c);
/* The canonical name (the last one of the chain). */
const char *iwa_dns_canonical(const struct iwa_dns_chain *c);
/* "sso.camtest.test CNAME lb-vip.camtest.test A 127.0.20.10" (or "... has no DNS record",
 * "... A 1.2.3.4" for a plain record) into buf. */
void iwa_dns_chain_text(const struct iwa_dns_chain *c, char *buf, size_t n);

/* One query (class IN, type A) for name to the resolver's nameservers: retransmitted after
 * 1, 2, 4 s as long as the tries fit in the time left before deadline (iwa_now() seconds;
 * at most 4 tries), so a dropped datagram costs a second, not the budget. Errors name the
 * stage "DNS": IWA_ETIMEOUT when no answer came in time, IWA_EIO when the server failed,
 * IWA_EPARSE for a bad answer. */
int iwa_dns_resolve(const char *name, double deadline, struct iwa_dns_chain *out,
		    struct iwa_err *err);

/* The query under iwa_dns_resolve, for any type (kdc.c: SRV): the raw answer (any RCODE)
 * into ans (cap bytes), its length into *len_out; the same timeouts and errors. */
int iwa_dns_query(const char *name, int type, double deadline, unsigned char *ans, size_t cap,
		  int *len_out, struct iwa_err *err);

#endif
