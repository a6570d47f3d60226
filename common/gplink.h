/* gplink.h — the gPLink attribute of a site, domain or OU, and the MS-GPOL GPO precedence
 * computed from the containers above a computer. Pure functions, no I/O.
 *
 * gPLink = "[LDAP://cn={GUID},cn=policies,cn=system,DC=...;N][LDAP://...;N]..."
 * N: bit 0 (1) = link disabled, bit 1 (2) = link enforced. "LDAP://" is matched without
 * regard to case. Inside one container the links are stored LOWEST precedence first: the last
 * link in the string is the one GPMC shows as link order 1 (highest precedence in that
 * container). An empty or blank value means no links. */
#ifndef IWA_GPLINK_H
#define IWA_GPLINK_H

#include "iwa.h"

#define IWA_GPLINK_DISABLED 0x1u
#define IWA_GPLINK_ENFORCED 0x2u

struct iwa_gplink {
	char *dn;      /* GPO DN as written in the link */
	char guid[39]; /* "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}", upper case */
	unsigned options;
	bool disabled, enforced;
	unsigned link_order; /* 1 = highest precedence inside its container (GPMC "Link Order") */
};

struct iwa_gplink_list {
	struct iwa_gplink *v; /* in the attribute's order */
	size_t n;
};

/* Parses a gPLink value. Any malformed part ("[...]" without "LDAP://", no ';', options not
 * a number, no cn={GUID} first RDN, text between links) rejects the whole value with
 * IWA_EPARSE and a message quoting the part. Caller frees with iwa_gplink_list_free. */
int iwa_gplink_parse(const char *s, struct iwa_gplink_list *out, struct iwa_err *err);
void iwa_gplink_list_free(struct iwa_gplink_list *l);
/* Normalizes "{guid}" or "guid" to "{UPPER-CASE}" in out (39 bytes). 0 or IWA_EINVAL. */
int iwa_gpo_guid_normalize(const char *s, char out[39]);

/* One scope of management on the path of a computer. */
struct iwa_som {
	const char *dn;
	const struct iwa_gplink_list *links; /* may be NULL (no gPLink) */
	bool block_inheritance;              /* gPOptions bit 0 */
	bool is_site;                        /* site: its own gPOptions cannot block */
};

enum iwa_link_status {
	IWA_LINK_APPLIES = 0,
	IWA_LINK_DISABLED, /* the link's disabled bit */
	IWA_LINK_BLOCKED,  /* non-enforced link above a container that blocks inheritance */
};

struct iwa_link_eval {
	size_t som;  /* index into the soms array */
	size_t link; /* index into that som's links->v */
	enum iwa_link_status status;
	size_t blocked_at;   /* som index of the blocking container (IWA_LINK_BLOCKED) */
	unsigned precedence; /* 1 = highest; 0 when it does not apply */
};

struct iwa_gpo_order {
	struct iwa_link_eval *v; /* applying links by precedence (1, 2, ...), then the others */
	size_t n, napply;
};

/* MS-GPOL 3.2.5.1 for one computer. soms[] runs from the top down: the site first (when
 * evaluated), then the domain root, then each OU down to the one holding the computer.
 * Precedence, highest first:
 *  1. enforced links, from the container farthest from the computer down to the closest
 *     (a parent's enforced link beats a child's), each container's in link order;
 *  2. non-enforced links, from the closest container up to the domain, then the site, each
 *     container's in link order; a container with block inheritance drops every
 *     non-enforced link ABOVE it (its own links still apply; enforced links pass).
 * Disabled links never apply. Caller frees with iwa_gpo_order_free. */
int iwa_gpo_order_compute(const struct iwa_som *soms, size_t nsoms, struct iwa_gpo_order *out,
			  struct iwa_err *err);
void iwa_gpo_order_free(struct iwa_gpo_order *o);

#endif
