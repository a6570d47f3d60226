/* check_spn_unique.h — internals of check_spn_unique shared by its source files and its unit
 * tests (tests/unit/test_spn.c).
 *
 *  check_spn_unique.c        options, LDAP I/O, main
 *  check_spn_unique_spn.c    pure helpers: SPN variants, comparison, filters, account
 *                            matching, userAccountControl, the audit hash table
 *  check_spn_unique_eval.c   pure evaluation: owners found -> result tree (states, texts with
 *                            cause and fix, perfdata) for the targeted and the audit mode */
#ifndef CHECK_SPN_UNIQUE_H
#define CHECK_SPN_UNIQUE_H

#include "directory.h"
#include "iwa.h"
#include "kdc.h"
#include "sid.h"
#include "output.h"
#include "plugin.h"
#include "range.h"
#include "util.h"

#include <regex.h>
#include <stdint.h>

/* ------------------------------------------------------------------ SPN lists */

/* An ordered list of SPNs without case-insensitive duplicates. */
struct spn_list {
	char **v;
	size_t n, cap;
};

/* Adds a copy of spn unless an equal one (case-insensitive) is there. Returns 1 when added,
 * 0 when it was already there, IWA_ENOMEM. */
int spn_list_add(struct spn_list *l, const char *spn);
void spn_list_free(struct spn_list *l);

/* Checks the shape of a user-given SPN: "class/host[:port][/service]" with a non-empty class
 * and host, no spaces or control characters, at most 512 bytes. (Characters such as '*', '(',
 * ')' and '\' are allowed: they are escaped in filters and simply match nothing.) Returns 0 or
 * IWA_EINVAL with a message naming `what`. */
int spn_validate(const char *spn, const char *what, struct iwa_err *err);

/* Checks a --fqdn value: a DNS name (letters, digits, '-', '.'; no empty label). */
int spn_validate_fqdn(const char *fqdn, struct iwa_err *err);

/* The SPNs a browser's request for fqdn can hit, in this order: HTTP/<fqdn>, HTTP/<short>,
 * HOST/<fqdn>, HOST/<short>, then HTTP/<fqdn>:<port> for each port (short = the first label;
 * the short forms are skipped when fqdn has no dot). Appended to l (deduplicated). */
int spn_expand_fqdn(const char *fqdn, const unsigned *ports, size_t nports, struct spn_list *l);

/* Case-insensitive SPN equality, as AD compares servicePrincipalName (ASCII letters folded;
 * other bytes compared as they are). */
bool spn_equal(const char *a, const char *b);
/* Hash over the case-folded bytes (FNV-1a), consistent with spn_equal. */
uint32_t spn_hash(const char *s);

/* The search filter for all SPNs of l: "(servicePrincipalName=X)" for one, an OR of equality
 * filters for more, every value escaped per RFC 4515. Appends to out. */
int spn_build_filter(const struct spn_list *l, struct iwa_buf *out);

/* "HTTP/sso.camtest.test:443" -> class "HTTP" (len 4). */
size_t spn_class_len(const char *spn);

/* ------------------------------------------------------------------ accounts */

enum spn_kind { SPN_KIND_USER = 0, SPN_KIND_COMPUTER, SPN_KIND_OTHER };
/* From the objectClass values (case-insensitive): "computer" wins over "user". */
enum spn_kind spn_kind_from_classes(const char *const *classes, size_t n);
/* "user", "computer", "object". */
const char *spn_kind_name(enum spn_kind k);

/* userAccountControl bits that matter here. */
#define SPN_UAC_ACCOUNTDISABLE 0x0002u
#define SPN_UAC_LOCKOUT 0x0010u
#define SPN_UAC_NORMAL_ACCOUNT 0x0200u
#define SPN_UAC_WORKSTATION_TRUST 0x1000u
#define SPN_UAC_SERVER_TRUST 0x2000u
#define SPN_UAC_DONT_EXPIRE_PASSWD 0x10000u
#define SPN_UAC_PASSWORD_EXPIRED 0x800000u

/* Parses an LDAP INTEGER value (decimal, optional '-', as AD may send a 32-bit signed value)
 * of len bytes into a 32-bit flag word. Returns 0 or IWA_EPARSE. Pure, fuzzed. */
int spn_parse_uac(const char *s, size_t len, uint32_t *out);
/* Parses lockoutTime (a decimal FILETIME, 0 = not locked). Returns 0 or IWA_EPARSE. */
int spn_parse_lockout(const char *s, size_t len, long long *out);
/* Writes the set flags as "ACCOUNTDISABLE, NORMAL_ACCOUNT" (known names; others as 0x...). */
void spn_uac_describe(uint32_t uac, char *buf, size_t n);

/* One directory object found holding SPNs. */
struct spn_owner {
	char *dn;
	char *sam; /* sAMAccountName, may be NULL */
	char *upn; /* userPrincipalName, may be NULL */
	enum spn_kind kind;
	bool has_uac;
	uint32_t uac;
	long long lockout; /* lockoutTime, 0 = none */
	char **spns;       /* its servicePrincipalName values (targeted mode only) */
	size_t nspns;
	/* RC4 retirement: what the directory says about its keys */
	bool has_set;         /* msDS-SupportedEncryptionTypes present */
	uint32_t set;         /* its value */
	bool has_pwdlastset;  /* pwdLastSet present */
	long long pwdlastset; /* FILETIME (100 ns since 1601), 0 = must change */
	bool has_kvno;        /* msDS-KeyVersionNumber present */
	uint32_t kvno;
	bool has_sid;
	struct iwa_sid sid; /* objectSid (the domain's RID-521 group is found from it) */
};
void spn_owner_clear(struct spn_owner *o);

/* Does the owner match -e ACCOUNT? ACCOUNT is a sAMAccountName ("cam-svc", also "SERVER1"
 * for "SERVER1$"), "DOMAIN\name" (the domain part is not checked), "user@upn" (the
 * userPrincipalName, else name@ against sAMAccountName) or a DN (contains '='; compared
 * case-insensitively, spaces after commas ignored). */
bool spn_account_matches(const char *expect, const struct spn_owner *o);

/* The account name setspn wants: "SERVER1" for a computer "SERVER1$", else sAMAccountName,
 * else the DN. Writes into buf. */
void spn_setspn_account(const struct spn_owner *o, char *buf, size_t n);
/* The name shown to admins: sAMAccountName, else the DN. */
const char *spn_owner_name(const struct spn_owner *o);
/* The account name for "setspn -S" from -e: "cam-svc" from "CAMTEST\cam-svc",
 * "cam-svc@realm", or the RDN value of a DN. */
void spn_expect_setspn_name(const char *expect, char *buf, size_t n);

/* ------------------------------------------------------------------ audit table */

/* One distinct SPN (case-insensitive) and the owners (indices into the caller's owner
 * array) holding it, first seen casing kept for display. */
struct spn_entry {
	char *spn;      /* right after the entry, in the table's arena */
	uint32_t *more; /* owners 2..n, only for duplicates */
	uint32_t hash;
	uint32_t n_owners;
	uint32_t owner0;
	uint32_t more_cap;
};
uint32_t spn_entry_owner(const struct spn_entry *e, uint32_t i);

struct spn_table;
struct spn_table *spn_table_new(void);
/* Records that `owner` holds spn. The same owner adding the same SPN twice (two values that
 * differ only in case on one object) counts once. Returns 0 or IWA_ENOMEM. */
int spn_table_add(struct spn_table *t, const char *spn, uint32_t owner);
size_t spn_table_distinct(const struct spn_table *t);
/* The entries held by more than one owner, sorted by SPN (case-insensitive).
 * [out] dups_out: array of pointers into the table (caller frees the array only). */
int spn_table_duplicates(const struct spn_table *t, const struct spn_entry ***dups_out,
			 size_t *n_out);
/* Approximate bytes held by the table (for -v). */
size_t spn_table_bytes(const struct spn_table *t);
void spn_table_free(struct spn_table *t);

/* ------------------------------------------------------------------ evaluation */

/* Targeted mode: variants->v[0] is the main SPN. owners: every object the search returned.
 * expect: -e or NULL. Builds the subchecks and summary of root, adds perfdata except the
 * timings. [out] conflicts_out: owner problems found (wrong/extra owners). */
int spn_eval_targeted(const struct spn_list *variants, const struct spn_owner *owners,
		      size_t nowners, const char *expect, struct iwa_check *root,
		      unsigned *main_owners_out, unsigned *conflicts_out);

/* -f NAME is a DNS alias (NAME CNAME ... CANONICAL): browsers that canonicalize (Chrome/Edge
 * by default) ask for HTTP/CANONICAL, the others for HTTP/NAME. */
struct spn_alias {
	const char *typed;      /* -f */
	const char *canonical;  /* the end of the CNAME chain */
	const char *chain_text; /* "sso.x CNAME lb-vip.x A 127.0.20.10" */
};

/* The SPNs the targeted evaluation judges for an alias, main first: the variants of the name
 * whose HTTP/ SPN is registered (the typed name, else the canonical one when only that is
 * registered), then the other name's variants except its HTTP/ SPN, which spn_eval_alias
 * judges. [out] l (appended), canon_main: the canonical name's SPN is the main one. */
int spn_alias_variants(const struct spn_alias *a, const unsigned *ports, size_t nports,
		       const struct spn_owner *owners, size_t nowners, struct spn_list *l,
		       bool *canon_main);

/* After spn_eval_targeted: a "DNS" node with the chain and which clients ask for which SPN;
 * WARNING when only one of HTTP/typed and HTTP/canonical is registered (the browsers that
 * fall back to NTLM named, the fix: the same account, or an A record), CRITICAL when the
 * canonical one is on another account than the typed one's (or -e) or on several (counted
 * in spn_eval_targeted's `conflicts` perfdata: one per account too many or wrong). The
 * summary becomes this problem's when it is the worst. */
int spn_eval_alias(const struct spn_alias *a, const struct spn_owner *owners, size_t nowners,
		   const char *expect, struct iwa_check *root);

/* What another driver (check_iwa_farm) needs of a targeted run: who holds the main SPN. */
#define SPN_FINDINGS_OWNERS_MAX 8
struct spn_findings {
	bool done; /* a targeted search ran and was judged */
	char main[512];
	size_t nowners; /* objects holding the main SPN (all counted, the first ones listed) */
	struct {
		char name[256]; /* sAMAccountName ("SERVER1$"), else the DN */
		enum spn_kind kind;
		bool expected; /* matches -e */
	} owner[SPN_FINDINGS_OWNERS_MAX];
};
/* Pure: fills out from the owners the search returned (main = variants->v[0]). */
void spn_findings_fill(const char *main, const struct spn_owner *owners, size_t nowners,
		       const char *expect, struct spn_findings *out);

/* Audit mode statistics. */
struct spn_audit_stats {
	unsigned long objects; /* objects with at least one SPN */
	unsigned long spns;    /* SPN values scanned (after --exclude) */
	unsigned long excluded;
	double scan_seconds;
};

/* Audit mode: every entry of t with more than one owner is a duplicate; thresholds th on
 * their number; at most max_list listed. Builds summary, subchecks and perfdata. */
int spn_eval_audit(const struct spn_table *t, const struct spn_owner *owners, size_t nowners,
		   const struct spn_audit_stats *st, const struct iwa_thresholds *th,
		   unsigned max_list, struct iwa_check *root);

/* ------------------------------------------------------------------ RC4 retirement */

/* msDS-SupportedEncryptionTypes bits. */
#define SPN_SET_RC4 0x4u
#define SPN_SET_AES128 0x8u
#define SPN_SET_AES256 0x10u
#define SPN_SET_AES (SPN_SET_AES128 | SPN_SET_AES256)

/* "20261202024149.0Z" (GeneralizedTime as AD writes whenCreated) -> FILETIME. Returns 0 or
 * IWA_EPARSE. Pure, fuzzed with the other values. */
int spn_parse_gentime(const char *s, size_t len, long long *filetime_out);
/* FILETIME -> "2026-12-02" (UTC). */
void spn_filetime_date(long long ft, char *buf, size_t n);
/* Only RC4 allowed: the RC4 bit without an AES bit. */
bool spn_set_rc4_only(uint32_t set);
/* Does the owner's password predate the domain's AES keys (pwdLastSet older than the RID-521
 * group's whenCreated)? false when either is unknown (pwdLastSet 0 = "must change" too). */
bool spn_pwd_predates_aes(const struct spn_owner *o, bool has_aes_date, long long aes_date);

/* What the targeted mode learnt about the main SPN's single owner. */
struct spn_rc4_in {
	const char *spn; /* the main SPN */
	const struct spn_owner *owner;
	bool has_aes_date;  /* the RID-521 group's whenCreated was read */
	long long aes_date; /* FILETIME */
	bool probed;        /* the key probe answered (probe valid) */
	struct iwa_kdc_probe probe;
	const char *probe_err; /* why there is no probe answer (NULL: not tried) */
	bool ticketed;         /* the ticket request answered (tkt valid) */
	bool tkt_aes_only;     /* asked with an AES session key only */
	struct iwa_kdc_tkt tkt;
	const char *tkt_err; /* why there is no ticket answer (NULL: not tried) */
	bool allow_rc4;      /* --allow-rc4 */
	const char *kdc_err; /* the KDC did not answer (timeout, unreachable): UNKNOWN
				      * unless the directory alone shows a problem */
};
/* Adds the "encryption" subcheck to root: CRITICAL when the owner has no AES keys (probe, or
 * password older than the domain's AES date) or the KDC refuses the ticket
 * (KDC_ERR_ETYPE_NOSUPP); WARNING (OK with allow_rc4) when only RC4 is allowed or the KDC
 * still issues an RC4 ticket; the root's summary becomes the subcheck's text when the root
 * was OK before. Returns 0 or IWA_ENOMEM. */
int spn_eval_rc4(const struct spn_rc4_in *in, struct iwa_check *root);

/* Audit mode with --rc4: one owner judged by the directory alone. */
enum spn_rc4_audit { SPN_RC4_FINE = 0, SPN_RC4_ONLY, SPN_RC4_NO_AES };
enum spn_rc4_audit spn_rc4_audit_owner(const struct spn_owner *o, bool has_aes_date,
				       long long aes_date);

/* --all --rc4: lists (at most max_list) the account owners that allow only RC4 (WARNING,
 * OK with allow_rc4) or whose password predates the domain's AES keys (CRITICAL); perfdata
 * rc4_only and no_aes_keys. The root's summary becomes this finding's when it was OK. */
int spn_eval_audit_rc4(const struct spn_owner *owners, size_t nowners, bool has_aes_date,
		       long long aes_date, bool allow_rc4, unsigned max_list,
		       struct iwa_check *root);

/* --- the check module (check_spn_unique.c) --- */
#define MAX_PORTS 16
#define MAX_EXCLUDES 16

struct spn_cfg {
	struct iwa_ldap_opts ldap;
	struct spn_list spns; /* -s, in order */
	const char *fqdn;     /* -f */
	unsigned ports[MAX_PORTS];
	size_t nports;
	bool ports_given;
	const char *expect; /* -e */
	bool all;
	regex_t excl[MAX_EXCLUDES];
	size_t nexcl;
	unsigned max_list;
	unsigned long max_spns; /* --max-spns */
	bool max_spns_given;
	struct iwa_thresholds th;
	bool th_given;
	bool allow_rc4;                /* --allow-rc4 */
	bool rc4;                      /* --rc4 (audit) */
	struct spn_findings *findings; /* optional [out] for check_iwa_farm, not owned */
};

/* Defaults (void * for the module table); releases what the options allocated. */
void spn_cfg_init(void *cfg);
void spn_cfg_free(void *cfg);
/* One run: the targeted search or the audit on ctx's directory connection, judged into root. */
int spn_run(struct iwa_ctx *ctx, void *cfg, struct iwa_check *root, struct iwa_err *err);
/* The module: option table, help, validate and run, for iwa_check_main or another driver. */
extern const struct iwa_plugin spn_check;

#endif
