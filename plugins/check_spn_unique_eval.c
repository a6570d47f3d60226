/* check_spn_unique_eval.c — pure evaluation of check_spn_unique: what the directory returned
 * -> the result tree, with every CRITICAL/WARNING naming the cause and the fix in admin words.
 * No I/O: the unit tests feed owners and compare the rendered text and JSON. */
#include "check_spn_unique.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ACCT_MAX 300

/* The problems seen, to pick the summary: the first one of the worst state. */
struct problems {
	enum iwa_state worst;
	unsigned count;
	char first[8192];
};

static void note_problem(struct problems *p, enum iwa_state st, const char *text)
{
	if (st == IWA_OK)
		return;
	p->count++;
	if (p->first[0] == '\0' ||
	    (iwa_state_worst(p->worst, st) == st && st != p->worst && st != IWA_UNKNOWN)) {
		snprintf(p->first, sizeof p->first, "%s", text);
		p->worst = st;
	}
}

/* "SERVER1$ (computer, CN=SERVER1,OU=...)". */
static void owner_desc(const struct spn_owner *o, char *buf, size_t n)
{
	if (o->sam != NULL && o->sam[0] != '\0')
		snprintf(buf, n, "%s (%s, %s)", o->sam, spn_kind_name(o->kind),
			 o->dn != NULL ? o->dn : "?");
	else
		snprintf(buf, n, "%s (%s)", o->dn != NULL ? o->dn : "?", spn_kind_name(o->kind));
}

/* The owner's own value of spn (its casing), or spn itself. */
static const char *owner_value(const struct spn_owner *o, const char *spn)
{
	size_t i;

	for (i = 0; i < o->nspns; i++)
		if (spn_equal(o->spns[i], spn))
			return o->spns[i];
	return spn;
}

static bool owner_holds(const struct spn_owner *o, const char *spn)
{
	size_t i;

	for (i = 0; i < o->nspns; i++)
		if (spn_equal(o->spns[i], spn))
			return true;
	return false;
}

/* Adds a child for an owner: name = account, text = description [+ ": " + cause]. */
static struct iwa_check *add_owner_node(struct iwa_check *parent, const struct spn_owner *o,
					enum iwa_state st, const char *cause)
{
	char desc[ACCT_MAX + 64];
	struct iwa_check *c;

	owner_desc(o, desc, sizeof desc);
	if (cause != NULL)
		c = iwa_check_add(parent, st, "%s", cause);
	else
		c = iwa_check_add(parent, st, "%s", desc);
	if (c != NULL && iwa_check_set_name(c, spn_owner_name(o)) < 0)
		return NULL;
	if (c != NULL && cause != NULL && iwa_check_add_line(c, "owner: %s", desc) < 0)
		return NULL;
	return c;
}

/* " (as http/SSO.x: the same SPN, SPNs are case-insensitive)" when the owner's value differs
 * in case from spn; "" otherwise. */
static void case_note(const struct spn_owner *o, const char *spn, char *buf, size_t n)
{
	const char *v = owner_value(o, spn);

	if (strcmp(v, spn) != 0)
		snprintf(buf, n, " as %s (the same SPN: SPNs are case-insensitive)", v);
	else
		buf[0] = '\0';
}

/* Adds WARNING children for a disabled or locked-out owner of the main SPN. */
static int account_state(struct iwa_check *node, const struct spn_owner *o, struct problems *p)
{
	char flags[256], text[1024];
	struct iwa_check *c;

	if (o->has_uac && (o->uac & SPN_UAC_ACCOUNTDISABLE) != 0) {
		spn_uac_describe(o->uac, flags, sizeof flags);
		snprintf(text, sizeof text,
			 "%s is disabled (userAccountControl 0x%x: %s): the KDC issues no tickets "
			 "for its SPNs and an application pool cannot run under it; enable the "
			 "account",
			 spn_owner_name(o), (unsigned)o->uac, flags);
		c = iwa_check_add(node, IWA_WARNING, "%s", text);
		if (c == NULL)
			return IWA_ENOMEM;
		note_problem(p, IWA_WARNING, text);
	}
	if (o->lockout != 0 || (o->has_uac && (o->uac & SPN_UAC_LOCKOUT) != 0)) {
		snprintf(text, sizeof text,
			 "%s is locked out (lockoutTime %lld): logons with its password fail until "
			 "the lockout duration passes or an admin unlocks it; unlock it and find "
			 "the process using an old password",
			 spn_owner_name(o), o->lockout);
		c = iwa_check_add(node, IWA_WARNING, "%s", text);
		if (c == NULL)
			return IWA_ENOMEM;
		note_problem(p, IWA_WARNING, text);
	}
	return 0;
}

/* Why a variant on a foreign account matters, by the variant's form. */
static void variant_cause(const char *variant, const char *main, const char *acct_name,
			  bool main_missing, char *buf, size_t n)
{
	size_t cl = spn_class_len(variant);
	const char *host = variant[cl] == '/' ? variant + cl + 1 : "";
	const char *main_host = main + spn_class_len(main) + (main[spn_class_len(main)] ? 1 : 0);

	if (cl == 4 && strncasecmp(variant, "HOST", 4) == 0) {
		snprintf(buf, n,
			 "clients asking for %s, and the KDC's HTTP->HOST mapping (sPNMappings) "
			 "whenever no account holds HTTP/%s%s, get tickets encrypted with %s's key",
			 variant, host, main_missing ? " (as now)" : "", acct_name);
	} else if (strchr(host, ':') != NULL) {
		snprintf(buf, n,
			 "clients that put the port in the SPN get tickets for %s encrypted with "
			 "%s's key",
			 variant, acct_name);
	} else if (strchr(host, '.') == NULL && strchr(main_host, '.') != NULL) {
		snprintf(
			buf, n,
			"users who browse to the short name %s get tickets encrypted with %s's key",
			host, acct_name);
	} else {
		snprintf(buf, n, "clients asking for %s get tickets encrypted with %s's key",
			 variant, acct_name);
	}
}

/* The main SPN's node: no owner, one owner (right or wrong), or several owners. */
static int eval_main(struct iwa_check *root, const char *main, const struct spn_owner *owners,
		     const size_t *m, size_t nm, const char *expect, struct problems *p,
		     unsigned *conflicts)
{
	char text[8192], acct[ACCT_MAX], want[ACCT_MAX], note[700];
	struct iwa_check *node, *c;
	size_t i, keeper = (size_t)-1, users = 0;

	spn_expect_setspn_name(expect, want, sizeof want);
	node = iwa_check_add(root, IWA_OK, "%s", main);
	if (node == NULL || iwa_check_set_name(node, main) < 0)
		return IWA_ENOMEM;
	if (nm == 0) {
		snprintf(text, sizeof text,
			 "%s is registered on no account: clients cannot get a Kerberos ticket for "
			 "it and fall back to NTLM; register it on the service account with "
			 "`setspn -S %s %s`",
			 main, main, want);
		iwa_check_set_state(node, IWA_CRITICAL);
		note_problem(p, IWA_CRITICAL, text);
		return iwa_check_set_text(node, "%s", text);
	}
	if (nm == 1) {
		const struct spn_owner *o = &owners[m[0]];

		spn_setspn_account(o, acct, sizeof acct);
		if (expect != NULL && !spn_account_matches(expect, o)) {
			snprintf(text, sizeof text,
				 "%s is registered on %s (%s), not on %s: tickets for it are "
				 "encrypted "
				 "with %s's key, so backends whose application pool runs as %s%s "
				 "cannot decrypt them (KRB_AP_ERR_MODIFIED, HTTP 401); move it: "
				 "`setspn -D %s %s` then `setspn -S %s %s`",
				 main, spn_owner_name(o), spn_kind_name(o->kind), expect,
				 spn_owner_name(o), want,
				 o->kind == SPN_KIND_COMPUTER
					 ? " (and every other server behind the balancer)"
					 : "",
				 owner_value(o, main), acct, main, want);
			(*conflicts)++;
			note_problem(p, IWA_CRITICAL, text);
			if (iwa_check_set_text(node, "%s: registered on %s (%s), not on %s", main,
					       spn_owner_name(o), spn_kind_name(o->kind),
					       expect) < 0 ||
			    add_owner_node(node, o, IWA_CRITICAL, text) == NULL)
				return IWA_ENOMEM;
			return 0;
		}
		if (expect == NULL && o->kind == SPN_KIND_COMPUTER) {
			snprintf(text, sizeof text,
				 "%s is registered on the computer account %s: tickets for it are "
				 "encrypted with that server's key, so behind a load balancer only "
				 "%s "
				 "can decrypt them; register it on the shared service account "
				 "instead "
				 "(`setspn -D %s %s` then `setspn -S %s <service account>`), or "
				 "give "
				 "-e %s if this server alone answers for the name",
				 main, spn_owner_name(o), acct, owner_value(o, main), acct, main,
				 spn_owner_name(o));
			(*conflicts)++;
			note_problem(p, IWA_WARNING, text);
			if (iwa_check_set_text(node, "%s: registered on the computer account %s",
					       main, spn_owner_name(o)) < 0 ||
			    (c = add_owner_node(node, o, IWA_WARNING, text)) == NULL)
				return IWA_ENOMEM;
			return account_state(c, o, p);
		}
		if (iwa_check_set_text(node, "%s: registered once, on %s (%s)", main,
				       spn_owner_name(o), spn_kind_name(o->kind)) < 0 ||
		    (c = add_owner_node(node, o, IWA_OK, NULL)) == NULL)
			return IWA_ENOMEM;
		return account_state(c, o, p);
	}

	/* Several owners: a duplicate. Keep it on the expected account, or on the one user
	 * account among computers. */
	for (i = 0; i < nm; i++) {
		const struct spn_owner *o = &owners[m[i]];

		if (expect != NULL && spn_account_matches(expect, o))
			keeper = i;
		if (o->kind == SPN_KIND_USER)
			users++;
	}
	if (expect == NULL && users == 1)
		for (i = 0; i < nm; i++)
			if (owners[m[i]].kind == SPN_KIND_USER)
				keeper = i;
	{
		struct iwa_buf names;

		iwa_buf_init(&names, 4096);
		for (i = 0; i < nm; i++)
			if (iwa_buf_addf(&names, "%s%s", i ? ", " : "",
					 spn_owner_name(&owners[m[i]])) < 0)
				break;
		snprintf(text, sizeof text,
			 "%s is registered on %zu accounts (%s): the KDC cannot pick one key, "
			 "clients "
			 "get KDC_ERR_S_PRINCIPAL_UNKNOWN and fall back to NTLM%s",
			 main, nm, names.data != NULL ? names.data : "",
			 keeper == (size_t)-1
				 ? "; keep it only on the account the application pool "
				   "runs as (give -e ACCOUNT) and remove it from the "
				   "others with `setspn -D SPN ACCOUNT`"
				 : "");
		iwa_buf_free(&names);
	}
	iwa_check_set_state(node, IWA_CRITICAL);
	if (iwa_check_set_text(node, "%s", text) < 0)
		return IWA_ENOMEM;
	if (keeper == (size_t)-1)
		note_problem(p, IWA_CRITICAL, text);
	if (expect != NULL && keeper == (size_t)-1) {
		snprintf(note, sizeof note, "%s holds none of them: it should be the only owner",
			 expect);
		if (iwa_check_add_line(node, "%s", note) < 0)
			return IWA_ENOMEM;
	}
	for (i = 0; i < nm; i++) {
		const struct spn_owner *o = &owners[m[i]];

		spn_setspn_account(o, acct, sizeof acct);
		case_note(o, main, note, sizeof note);
		if (i == keeper) {
			snprintf(text, sizeof text, "%s%s: keep it here", spn_owner_name(o), note);
			c = add_owner_node(node, o, IWA_OK, text);
		} else {
			snprintf(text, sizeof text,
				 "%s is also registered on %s (%s)%s: the KDC cannot pick one key; "
				 "remove it with `setspn -D %s %s`",
				 main, spn_owner_name(o), spn_kind_name(o->kind), note,
				 owner_value(o, main), acct);
			(*conflicts)++;
			if (keeper != (size_t)-1)
				note_problem(p, IWA_CRITICAL, text);
			c = add_owner_node(node, o, IWA_CRITICAL, text);
		}
		if (c == NULL)
			return IWA_ENOMEM;
		if (account_state(c, o, p) < 0)
			return IWA_ENOMEM;
	}
	if (keeper == (size_t)-1)
		(*conflicts)--; /* n owners, n-1 too many */
	return 0;
}

/* One variant's node: each owner outside the reference set is a WARNING. */
static int eval_variant(struct iwa_check *root, const char *variant, const char *main,
			const struct spn_owner *owners, size_t nowners, const bool *ref,
			bool have_ref, const char *ref_name, bool main_missing, struct problems *p,
			unsigned *conflicts)
{
	char text[8192], acct[ACCT_MAX], cause[1024], note[700];
	struct iwa_check *node;
	size_t k, n = 0;
	struct iwa_buf names;

	node = iwa_check_add(root, IWA_OK, "%s", variant);
	if (node == NULL || iwa_check_set_name(node, variant) < 0)
		return IWA_ENOMEM;
	iwa_buf_init(&names, 4096);
	for (k = 0; k < nowners; k++) {
		const struct spn_owner *o = &owners[k];

		if (!owner_holds(o, variant))
			continue;
		if (iwa_buf_addf(&names, "%s%s (%s)", n ? ", " : "", spn_owner_name(o),
				 spn_kind_name(o->kind)) < 0) {
			iwa_buf_free(&names);
			return IWA_ENOMEM;
		}
		n++;
		if (have_ref && ref[k]) {
			if (add_owner_node(node, o, IWA_OK, NULL) == NULL)
				goto oom;
			continue;
		}
		spn_setspn_account(o, acct, sizeof acct);
		case_note(o, variant, note, sizeof note);
		variant_cause(variant, main, spn_owner_name(o), main_missing, cause, sizeof cause);
		snprintf(text, sizeof text,
			 "%s is registered on %s (%s)%s, %s: %s; remove it with "
			 "`setspn -D %s %s`",
			 variant, spn_owner_name(o), spn_kind_name(o->kind), note, ref_name, cause,
			 owner_value(o, variant), acct);
		(*conflicts)++;
		note_problem(p, IWA_WARNING, text);
		if (add_owner_node(node, o, IWA_WARNING, text) == NULL)
			goto oom;
	}
	if (n == 0) {
		iwa_buf_free(&names);
		return iwa_check_set_text(node, "%s: not registered", variant);
	}
	if (iwa_check_set_text(node, "%s: registered on %s", variant, names.data) < 0)
		goto oom;
	iwa_buf_free(&names);
	return 0;
oom:
	iwa_buf_free(&names);
	return IWA_ENOMEM;
}

/* Targeted mode (see the header). */
void spn_findings_fill(const char *main, const struct spn_owner *owners, size_t nowners,
		       const char *expect, struct spn_findings *out)
{
	memset(out, 0, sizeof *out);
	out->done = true;
	snprintf(out->main, sizeof out->main, "%s", main);
	for (size_t k = 0; k < nowners; k++) {
		if (!owner_holds(&owners[k], main))
			continue;
		if (out->nowners < SPN_FINDINGS_OWNERS_MAX) {
			snprintf(out->owner[out->nowners].name, sizeof out->owner[0].name, "%s",
				 spn_owner_name(&owners[k]));
			out->owner[out->nowners].kind = owners[k].kind;
			out->owner[out->nowners].expected =
				expect != NULL && spn_account_matches(expect, &owners[k]);
		}
		out->nowners++;
	}
}

int spn_eval_targeted(const struct spn_list *variants, const struct spn_owner *owners,
		      size_t nowners, const char *expect, struct iwa_check *root,
		      unsigned *main_owners_out, unsigned *conflicts_out)
{
	const char *main;
	size_t *m = NULL, nm = 0, k, i;
	bool *ref = NULL, have_ref = false;
	char ref_name[ACCT_MAX + 64];
	struct problems p;
	unsigned conflicts = 0;
	double zero = 0;
	int rc = IWA_ENOMEM;

	if (variants == NULL || variants->n == 0)
		return IWA_EINVAL;
	memset(&p, 0, sizeof p);
	main = variants->v[0];
	m = calloc(nowners + 1, sizeof *m);
	ref = calloc(nowners + 1, sizeof *ref);
	if (m == NULL || ref == NULL)
		goto cleanup;
	for (k = 0; k < nowners; k++) {
		if (owner_holds(&owners[k], main))
			m[nm++] = k;
		if (expect != NULL && spn_account_matches(expect, &owners[k]))
			ref[k] = have_ref = true;
	}
	if (expect == NULL)
		for (i = 0; i < nm; i++)
			ref[m[i]] = have_ref = true;
	if (expect != NULL)
		snprintf(ref_name, sizeof ref_name, "not on %s", expect);
	else if (nm == 1)
		snprintf(ref_name, sizeof ref_name, "not on %s (the owner of %s)",
			 spn_owner_name(&owners[m[0]]), main);
	else if (nm > 1)
		snprintf(ref_name, sizeof ref_name, "not on an owner of %s", main);
	else
		snprintf(ref_name, sizeof ref_name, "while %s is registered nowhere", main);

	rc = eval_main(root, main, owners, m, nm, expect, &p, &conflicts);
	for (i = 1; rc == 0 && i < variants->n; i++)
		rc = eval_variant(root, variants->v[i], main, owners, nowners, ref, have_ref,
				  ref_name, nm == 0, &p, &conflicts);
	if (rc < 0)
		goto cleanup;
	if (p.count == 0)
		rc = iwa_check_set_text(root, "%s is registered once, on %s (%s); %zu SPNs checked",
					main, spn_owner_name(&owners[m[0]]),
					spn_kind_name(owners[m[0]].kind), variants->n);
	else if (p.count == 1)
		rc = iwa_check_set_text(root, "%s", p.first);
	else
		rc = iwa_check_set_text(root, "%s (and %u more problems, see below)", p.first,
					p.count - 1);
	if (rc < 0)
		goto cleanup;
	if (iwa_check_perf(root, "owners", (double)nm, "", NULL, &zero, NULL) < 0 ||
	    iwa_check_perf(root, "spns_checked", (double)variants->n, "", NULL, &zero, NULL) < 0 ||
	    iwa_check_perf(root, "conflicts", (double)conflicts, "", NULL, &zero, NULL) < 0)
		goto cleanup;
	if (main_owners_out != NULL)
		*main_owners_out = (unsigned)nm;
	if (conflicts_out != NULL)
		*conflicts_out = conflicts;
	rc = 0;
cleanup:
	free(m);
	free(ref);
	return rc;
}

/* The fix for one duplicate found by the audit. */
static void audit_fix(const struct spn_entry *e, const struct spn_owner *owners, char *buf,
		      size_t n)
{
	uint32_t i, users = 0, user = 0;
	char acct[ACCT_MAX];
	size_t used;

	for (i = 0; i < e->n_owners; i++)
		if (owners[spn_entry_owner(e, i)].kind == SPN_KIND_USER) {
			users++;
			user = spn_entry_owner(e, i);
		}
	if (users == 1) {
		used = (size_t)snprintf(buf, n, "keep it on %s and remove it from the others:",
					spn_owner_name(&owners[user]));
		for (i = 0; i < e->n_owners && used < n; i++) {
			uint32_t k = spn_entry_owner(e, i);

			if (k == user)
				continue;
			spn_setspn_account(&owners[k], acct, sizeof acct);
			used += (size_t)snprintf(buf + used, n - used, " `setspn -D %s %s`", e->spn,
						 acct);
		}
		return;
	}
	snprintf(buf, n,
		 "keep it only on the account the service runs as and remove it from the others "
		 "with `setspn -D %s ACCOUNT`",
		 e->spn);
}

/* Audit mode (see the header). */
int spn_eval_audit(const struct spn_table *t, const struct spn_owner *owners, size_t nowners,
		   const struct spn_audit_stats *st, const struct iwa_thresholds *th,
		   unsigned max_list, struct iwa_check *root)
{
	const struct spn_entry **d = NULL;
	size_t nd = 0, i;
	enum iwa_state state;
	struct iwa_buf sum;
	struct iwa_perf pf;
	double zero = 0;
	char fix[2048];
	int rc;

	(void)nowners;
	rc = spn_table_duplicates(t, &d, &nd);
	if (rc < 0)
		return rc;
	state = iwa_thresholds_state(th, (double)nd);
	iwa_buf_init(&sum, 4096);
	if (nd == 0) {
		rc = iwa_buf_addf(&sum,
				  "no duplicate SPNs: %lu SPNs on %lu objects scanned in %.2f s",
				  st->spns, st->objects, st->scan_seconds);
	} else {
		rc = iwa_buf_addf(&sum,
				  "%zu duplicate SPN%s (the KDC cannot pick one key: clients "
				  "fall back to NTLM):",
				  nd, nd == 1 ? "" : "s");
		for (i = 0; rc == 0 && i < nd && i < 3; i++) {
			uint32_t j;

			rc = iwa_buf_addf(&sum, "%s %s on ", i ? ";" : "", d[i]->spn);
			for (j = 0; rc == 0 && j < d[i]->n_owners; j++)
				rc = iwa_buf_addf(
					&sum, "%s%s",
					j == 0 ? "" : (j + 1 == d[i]->n_owners ? " and " : ", "),
					spn_owner_name(&owners[spn_entry_owner(d[i], j)]));
		}
		if (rc == 0 && nd > 3)
			rc = iwa_buf_addf(&sum, "; and %zu more", nd - 3);
		if (rc == 0)
			rc = iwa_buf_addf(&sum, " (%lu SPNs on %lu objects scanned)", st->spns,
					  st->objects);
	}
	if (rc == 0)
		rc = iwa_check_set_text(root, "%s", sum.data);
	iwa_buf_free(&sum);
	if (rc < 0)
		goto cleanup;
	iwa_check_raise(root, state);
	for (i = 0; i < nd && i < max_list; i++) {
		const struct spn_entry *e = d[i];
		struct iwa_check *node;
		uint32_t j;

		audit_fix(e, owners, fix, sizeof fix);
		node = iwa_check_add(root, state, "%s is registered on %u accounts: %s", e->spn,
				     (unsigned)e->n_owners, fix);
		if (node == NULL || iwa_check_set_name(node, e->spn) < 0) {
			rc = IWA_ENOMEM;
			goto cleanup;
		}
		for (j = 0; j < e->n_owners; j++)
			if (add_owner_node(node, &owners[spn_entry_owner(e, j)], IWA_OK, NULL) ==
			    NULL) {
				rc = IWA_ENOMEM;
				goto cleanup;
			}
	}
	if (nd > max_list &&
	    iwa_check_add_line(root,
			       "... and %zu more duplicate SPNs (raise --max-list to list them)",
			       nd - max_list) < 0) {
		rc = IWA_ENOMEM;
		goto cleanup;
	}
	rc = IWA_ENOMEM;
	if (iwa_check_perf(root, "objects", (double)st->objects, "", NULL, &zero, NULL) < 0 ||
	    iwa_check_perf(root, "spns", (double)st->spns, "", NULL, &zero, NULL) < 0)
		goto cleanup;
	if (iwa_perf_init(&pf, "duplicates", (double)nd, "", NULL) < 0)
		goto cleanup;
	iwa_perf_set_thresholds(&pf, th);
	iwa_perf_set_min(&pf, 0);
	if (iwa_check_add_perf(root, &pf) < 0 ||
	    iwa_check_perf(root, "scan_time", st->scan_seconds, "s", NULL, &zero, NULL) < 0)
		goto cleanup;
	rc = 0;
cleanup:
	free(d);
	return rc;
}

/* ------------------------------------------------------------------ RC4 retirement */

/* The fix, the same words wherever the farm depends on RC4 or lacks AES keys. */
static void rc4_fix(const char *spn, const char *acct, char *buf, size_t n)
{
	snprintf(buf, n,
		 "tickets for %s fail on domain controllers that no longer issue RC4 (enforced "
		 "since July 2026); reset %s's password (the domain creates AES keys), then set "
		 "msDS-SupportedEncryptionTypes to 0x18 and re-export any keytab",
		 spn, acct);
}

static void etype_list(const int32_t *e, size_t n, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++) {
		char name[64];
		iwa_krb_etype_name(e[i], name, sizeof name);
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "", name);
	}
}

int spn_eval_rc4(const struct spn_rc4_in *in, struct iwa_check *root)
{
	const struct spn_owner *o = in->owner;
	const char *acct = spn_owner_name(o);
	enum iwa_state st = IWA_OK, before = iwa_check_state(root);
	char text[2048], fix[700], keys[256] = "", tkt[64], skey[64], set[64], d1[32], d2[32];
	bool aes_keys = false, rc4_set = o->has_set && spn_set_rc4_only(o->set);
	struct iwa_check *node;

	if (o->has_set)
		snprintf(set, sizeof set, "msDS-SupportedEncryptionTypes=0x%x", (unsigned)o->set);
	else
		snprintf(set, sizeof set, "msDS-SupportedEncryptionTypes not set");
	rc4_fix(in->spn, acct, fix, sizeof fix);
	if (in->probed && in->probe.kind == IWA_KDC_PROBE_KEYS) {
		for (size_t i = 0; i < in->probe.n; i++)
			aes_keys = aes_keys || iwa_krb_etype_aes(in->probe.etypes[i]);
		etype_list(in->probe.etypes, in->probe.n, keys, sizeof keys);
	}
	if (in->ticketed && in->tkt.kind == IWA_KDC_TKT_ISSUED) {
		iwa_krb_etype_name(in->tkt.tkt_etype, tkt, sizeof tkt);
		iwa_krb_etype_name(in->tkt.skey_etype, skey, sizeof skey);
	}

	if (in->probed && in->probe.kind == IWA_KDC_PROBE_KEYS && !aes_keys && in->probe.n > 0) {
		st = IWA_CRITICAL;
		snprintf(text, sizeof text,
			 "%s has no AES keys (the KDC offers only %s for it): %s", acct, keys, fix);
	} else if (!(in->probed && aes_keys) &&
		   spn_pwd_predates_aes(o, in->has_aes_date, in->aes_date)) {
		spn_filetime_date(o->pwdlastset, d1, sizeof d1);
		spn_filetime_date(in->aes_date, d2, sizeof d2);
		st = IWA_CRITICAL;
		snprintf(
			text, sizeof text,
			"%s's password was last set on %s, before the domain could create AES keys "
			"(%s), so it has none: %s",
			acct, d1, d2, fix);
	} else if (in->ticketed && in->tkt.kind == IWA_KDC_TKT_NOSUPP && !in->tkt_aes_only) {
		st = IWA_CRITICAL;
		snprintf(text, sizeof text,
			 "the KDC refuses tickets for %s (KDC_ERR_ETYPE_NOSUPP) while %s allows "
			 "only "
			 "RC4 (%s): %s",
			 in->spn, acct, set, fix);
	} else if (in->ticketed && in->tkt.kind == IWA_KDC_TKT_NOSUPP) {
		st = IWA_CRITICAL;
		snprintf(text, sizeof text,
			 "the KDC refuses an AES-only ticket for %s (KDC_ERR_ETYPE_NOSUPP): %s",
			 in->spn, fix);
	} else if (rc4_set) {
		st = in->allow_rc4 ? IWA_OK : IWA_WARNING;
		snprintf(text, sizeof text,
			 "%s allows only RC4 (%s): tickets for %s are RC4 (%s); works today, cheap "
			 "to "
			 "crack offline, breaks when RC4 is switched off; set "
			 "msDS-SupportedEncryptionTypes to 0x18 and re-export any keytab%s",
			 acct, set, in->spn,
			 in->ticketed && in->tkt.kind == IWA_KDC_TKT_ISSUED ? tkt : "arcfour-hmac",
			 in->allow_rc4 ? " (accepted: --allow-rc4)" : "");
	} else if (in->ticketed && in->tkt.kind == IWA_KDC_TKT_ISSUED &&
		   iwa_krb_etype_rc4(in->tkt.tkt_etype)) {
		st = in->allow_rc4 ? IWA_OK : IWA_WARNING;
		snprintf(text, sizeof text,
			 "the KDC still issues an RC4 (%s) ticket for %s (%s): works today, cheap "
			 "to "
			 "crack offline, breaks when RC4 is switched off; set "
			 "msDS-SupportedEncryptionTypes to 0x18 on %s and re-export any keytab%s",
			 tkt, in->spn, set, acct, in->allow_rc4 ? " (accepted: --allow-rc4)" : "");
	} else if (in->ticketed && in->tkt.kind == IWA_KDC_TKT_ISSUED) {
		snprintf(text, sizeof text, "tickets for %s are %s (session key %s, kvno %u); %s",
			 in->spn, tkt, skey, in->tkt.kvno, set);
	} else if (in->kdc_err != NULL) {
		st = IWA_CRITICAL;
		snprintf(text, sizeof text, "the KDC could not be asked about %s's keys: %s", acct,
			 in->kdc_err);
	} else {
		snprintf(text, sizeof text, "%s: %s%s%s", in->spn, set,
			 in->tkt_err != NULL ? "; no ticket asked: " : "",
			 in->tkt_err != NULL ? in->tkt_err : "");
	}
	node = iwa_check_add(root, st, "%s", text);
	if (node == NULL || iwa_check_set_name(node, "encryption") < 0)
		return IWA_ENOMEM;
	if (in->probed) {
		const char *what = in->probe.cached ? " (cached in the credential cache)" : "";
		if (in->probe.kind == IWA_KDC_PROBE_KEYS &&
		    iwa_check_add_line(node, "key probe: the KDC holds %s keys for %s%s",
				       keys[0] ? keys : "no", acct, what) < 0)
			return IWA_ENOMEM;
		if (in->probe.kind == IWA_KDC_PROBE_NO_PREAUTH &&
		    iwa_check_add_line(node,
				       "key probe: %s does not require Kerberos pre-authentication "
				       "(userAccountControl 0x400000): its AS-REP can be cracked "
				       "offline%s",
				       acct, what) < 0)
			return IWA_ENOMEM;
		if (in->probe.kind == IWA_KDC_PROBE_UNKNOWN &&
		    iwa_check_add_line(node, "key probe: the KDC does not know %s%s", acct, what) <
			    0)
			return IWA_ENOMEM;
		if (in->probe.kind == IWA_KDC_PROBE_ERROR &&
		    iwa_check_add_line(node, "key probe: the KDC answered error %d",
				       in->probe.code) < 0)
			return IWA_ENOMEM;
	} else if (in->probe_err != NULL &&
		   iwa_check_add_line(node, "key probe: %s", in->probe_err) < 0) {
		return IWA_ENOMEM;
	}
	if (in->ticketed && in->tkt.kind == IWA_KDC_TKT_ISSUED &&
	    iwa_check_add_line(node, "ticket%s: %s, session key %s, kvno %u%s",
			       in->tkt_aes_only ? " (asked with an AES session key only)" : "", tkt,
			       skey, in->tkt.kvno,
			       in->tkt.cached ? " (from the credential cache)" : "") < 0)
		return IWA_ENOMEM;
	if (in->ticketed && in->tkt.kind != IWA_KDC_TKT_ISSUED &&
	    iwa_check_add_line(node, "ticket%s: %s%s",
			       in->tkt_aes_only ? " (asked with an AES session key only)" : "",
			       in->tkt.err_text,
			       in->tkt.cached ? " (answer kept in the credential cache)" : "") < 0)
		return IWA_ENOMEM;
	if (!in->ticketed && in->tkt_err != NULL &&
	    iwa_check_add_line(node, "ticket: %s", in->tkt_err) < 0)
		return IWA_ENOMEM;
	if (o->has_pwdlastset) {
		spn_filetime_date(o->pwdlastset, d1, sizeof d1);
		if (in->has_aes_date)
			spn_filetime_date(in->aes_date, d2, sizeof d2);
		if (iwa_check_add_line(node, "%s: %s, password last set %s%s%s%s", acct, set, d1,
				       in->has_aes_date ? " (domain AES keys since " : "",
				       in->has_aes_date ? d2 : "", in->has_aes_date ? ")" : "") < 0)
			return IWA_ENOMEM;
	}
	if (o->has_kvno &&
	    iwa_check_add_line(node, "%s: key version (kvno) %u", acct, (unsigned)o->kvno) < 0)
		return IWA_ENOMEM;
	if (before == IWA_OK && st != IWA_OK)
		return iwa_check_set_text(root, "%s", text);
	return 0;
}

int spn_eval_audit_rc4(const struct spn_owner *owners, size_t nowners, bool has_aes_date,
		       long long aes_date, bool allow_rc4, unsigned max_list,
		       struct iwa_check *root)
{
	unsigned long n_rc4 = 0, n_noaes = 0, listed = 0;
	enum iwa_state st, before = iwa_check_state(root);
	struct iwa_check *node;
	double zero = 0;
	char d1[32], d2[32];

	node = iwa_check_add(root, IWA_OK, "RC4");
	if (node == NULL || iwa_check_set_name(node, "rc4") < 0)
		return IWA_ENOMEM;
	if (has_aes_date)
		spn_filetime_date(aes_date, d2, sizeof d2);
	for (size_t i = 0; i < nowners; i++) {
		const struct spn_owner *o = &owners[i];
		enum spn_rc4_audit r;
		if (o->kind == SPN_KIND_OTHER)
			continue;
		r = spn_rc4_audit_owner(o, has_aes_date, aes_date);
		if (r == SPN_RC4_FINE)
			continue;
		if (r == SPN_RC4_NO_AES)
			n_noaes++;
		else
			n_rc4++;
		if (listed++ >= max_list)
			continue;
		spn_filetime_date(o->pwdlastset, d1, sizeof d1);
		if (r == SPN_RC4_NO_AES) {
			if (iwa_check_add_line(node,
					       "%s (%s): no AES keys (password last set %s, before "
					       "the domain's AES keys %s)",
					       spn_owner_name(o), spn_kind_name(o->kind), d1,
					       d2) < 0)
				return IWA_ENOMEM;
		} else if (iwa_check_add_line(
				   node, "%s (%s): RC4 only (msDS-SupportedEncryptionTypes=0x%x)",
				   spn_owner_name(o), spn_kind_name(o->kind),
				   (unsigned)o->set) < 0) {
			return IWA_ENOMEM;
		}
	}
	if (listed > max_list &&
	    iwa_check_add_line(node, "(and %lu more, see --max-list)", listed - max_list) < 0)
		return IWA_ENOMEM;
	st = n_noaes > 0 ? IWA_CRITICAL : (n_rc4 > 0 && !allow_rc4 ? IWA_WARNING : IWA_OK);
	iwa_check_set_state(node, st);
	if (n_noaes + n_rc4 == 0) {
		if (iwa_check_set_text(node, "no SPN owner is RC4-only or without AES keys%s",
				       has_aes_date ? "" : " (the domain's AES date is unknown)") <
		    0)
			return IWA_ENOMEM;
	} else if (iwa_check_set_text(
			   node,
			   "%lu SPN owners without AES keys, %lu RC4-only: their tickets fail on "
			   "domain controllers that no longer issue RC4 (enforced since July "
			   "2026); reset each one's password (the domain creates AES keys), then "
			   "set msDS-SupportedEncryptionTypes to 0x18 and re-export any keytab%s",
			   n_noaes, n_rc4,
			   n_noaes == 0 && allow_rc4 ? " (RC4 accepted: --allow-rc4)" : "") < 0) {
		return IWA_ENOMEM;
	}
	if (iwa_check_perf(root, "rc4_only", (double)n_rc4, "", NULL, &zero, NULL) < 0 ||
	    iwa_check_perf(root, "no_aes_keys", (double)n_noaes, "", NULL, &zero, NULL) < 0)
		return IWA_ENOMEM;
	if (before == IWA_OK && st != IWA_OK)
		return iwa_check_set_text(root, "%s", iwa_check_text(node));
	return 0;
}

/* ------------------------------------------------------------------ DNS aliases */

/* The owners (indices) of spn. */
static size_t owners_of(const char *spn, const struct spn_owner *owners, size_t nowners,
			size_t *idx, size_t cap)
{
	size_t k, n = 0;

	for (k = 0; k < nowners; k++)
		if (owner_holds(&owners[k], spn) && n < cap)
			idx[n++] = k;
	return n;
}

static bool same_owner(const struct spn_owner *a, const struct spn_owner *b)
{
	return a->dn != NULL && b->dn != NULL && strcasecmp(a->dn, b->dn) == 0;
}

int spn_alias_variants(const struct spn_alias *a, const unsigned *ports, size_t nports,
		       const struct spn_owner *owners, size_t nowners, struct spn_list *l,
		       bool *canon_main)
{
	char typed[600], canon[600];
	struct spn_list other = {0};
	size_t idx[1], i;
	int rc;

	snprintf(typed, sizeof typed, "HTTP/%s", a->typed);
	snprintf(canon, sizeof canon, "HTTP/%s", a->canonical);
	*canon_main = owners_of(typed, owners, nowners, idx, 1) == 0 &&
		      owners_of(canon, owners, nowners, idx, 1) > 0;
	rc = spn_expand_fqdn(*canon_main ? a->canonical : a->typed, ports, nports, l);
	if (rc >= 0)
		rc = spn_expand_fqdn(*canon_main ? a->typed : a->canonical, ports, nports, &other);
	for (i = 0; rc >= 0 && i < other.n; i++)
		if (!spn_equal(other.v[i], *canon_main ? typed : canon))
			rc = spn_list_add(l, other.v[i]);
	spn_list_free(&other);
	return rc < 0 ? rc : 0;
}

#define ALIAS_OWNERS_MAX 16

int spn_eval_alias(const struct spn_alias *a, const struct spn_owner *owners, size_t nowners,
		   const char *expect, struct iwa_check *root)
{
	char typed[600], canon[600], text[8192], want[ACCT_MAX], acct[ACCT_MAX];
	size_t t[ALIAS_OWNERS_MAX], c[ALIAS_OWNERS_MAX], nt, nc, i;
	const struct spn_owner *ref = NULL, *wrong = NULL;
	const char *ref_name;
	enum iwa_state before = iwa_check_state(root), st = IWA_OK;
	struct iwa_check *node;

	snprintf(typed, sizeof typed, "HTTP/%s", a->typed);
	snprintf(canon, sizeof canon, "HTTP/%s", a->canonical);
	nt = owners_of(typed, owners, nowners, t, ALIAS_OWNERS_MAX);
	nc = owners_of(canon, owners, nowners, c, ALIAS_OWNERS_MAX);
	/* the account the farm runs as: -e, else the one owner of the typed (or canonical) SPN */
	if (expect != NULL) {
		for (i = 0; i < nowners && ref == NULL; i++)
			if (spn_account_matches(expect, &owners[i]))
				ref = &owners[i];
		spn_expect_setspn_name(expect, want, sizeof want);
	} else if (nt == 1) {
		ref = &owners[t[0]];
	} else if (nt == 0 && nc == 1) {
		ref = &owners[c[0]];
	}
	if (expect == NULL) {
		if (ref != NULL)
			spn_setspn_account(ref, want, sizeof want);
		else
			snprintf(want, sizeof want, "<service account>");
	}
	ref_name = expect != NULL ? expect : ref != NULL ? spn_owner_name(ref) : "?";
	node = iwa_check_add(root, IWA_OK, "%s is a DNS alias: %s", a->typed, a->chain_text);
	if (node == NULL || iwa_check_set_name(node, "DNS") < 0)
		return IWA_ENOMEM;
	if (iwa_check_add_line(node,
			       "Chrome and Edge (policy DisableAuthNegotiateCnameLookup unset or "
			       "false, the default) ask for %s",
			       canon) < 0 ||
	    iwa_check_add_line(
		    node,
		    "Firefox, and Chrome/Edge with DisableAuthNegotiateCnameLookup=true, "
		    "ask for %s (the name as typed)",
		    typed) < 0 ||
	    iwa_check_add_line(node,
			       "MIT krb5 clients (curl --negotiate, GSS-API host-based names) ask "
			       "for %s unless krb5.conf sets dns_canonicalize_hostname = false",
			       canon) < 0)
		return IWA_ENOMEM;

	if (nc > 1) {
		st = IWA_CRITICAL;
		snprintf(
			text, sizeof text,
			"%s (the SPN Chrome and Edge ask for: %s is an alias of %s) is registered "
			"on %zu accounts: the KDC cannot pick one key and those browsers fall back "
			"to NTLM; keep it only on %s and remove it from the others with "
			"`setspn -D %s ACCOUNT`",
			canon, a->typed, a->canonical, nc, want, canon);
	} else if (nc == 1 && (expect != NULL ? !spn_account_matches(expect, &owners[c[0]])
					      : ref != NULL && !same_owner(&owners[c[0]], ref))) {
		wrong = &owners[c[0]];
		spn_setspn_account(wrong, acct, sizeof acct);
		st = IWA_CRITICAL;
		snprintf(
			text, sizeof text,
			"%s (the SPN Chrome and Edge ask for: %s is an alias of %s) is registered "
			"on %s (%s), not on %s: Chrome and Edge get tickets encrypted with %s's "
			"key that backends running as %s cannot decrypt (KRB_AP_ERR_MODIFIED, HTTP "
			"401) while Firefox works; move it: `setspn -D %s %s` then "
			"`setspn -S %s %s`",
			canon, a->typed, a->canonical, spn_owner_name(wrong),
			spn_kind_name(wrong->kind), ref_name, spn_owner_name(wrong), ref_name,
			canon, acct, canon, want);
	} else if (nt > 0 && nc == 0) {
		st = IWA_WARNING;
		snprintf(text, sizeof text,
			 "Chrome/Edge: fall back to NTLM (no %s), Firefox: OK (%s): %s is an alias "
			 "of %s and Chrome and Edge ask for the canonical name; register it on the "
			 "same account (`setspn -S %s %s`), or make %s an A record",
			 canon, typed, a->typed, a->canonical, canon, want, a->typed);
	} else if (nt == 0 && nc > 0) {
		st = IWA_WARNING;
		snprintf(
			text, sizeof text,
			"Chrome/Edge: OK (%s), Firefox: falls back to NTLM (no %s): %s is an alias "
			"of %s and Firefox asks for the name as typed; register it on the same "
			"account (`setspn -S %s %s`), or make %s an A record",
			canon, typed, a->typed, a->canonical, typed, want, a->typed);
	} else if (nt == 0 && nc == 0) {
		st = IWA_WARNING;
		snprintf(
			text, sizeof text,
			"neither %s nor %s is registered: %s is an alias of %s, register both on "
			"the service account (`setspn -S %s %s` and `setspn -S %s %s`), or make %s "
			"an A record",
			typed, canon, a->typed, a->canonical, typed, want, canon, want, a->typed);
	} else if (nt == 1) {
		snprintf(text, sizeof text, "Chrome/Edge: OK (%s), Firefox: OK (%s), both on %s",
			 canon, typed, spn_owner_name(&owners[c[0]]));
	} else {
		snprintf(text, sizeof text, "%s is registered on %s; %s: see above", canon,
			 spn_owner_name(&owners[c[0]]), typed);
	}
	if (st == IWA_OK)
		return iwa_check_add(node, IWA_OK, "%s", text) == NULL ? IWA_ENOMEM : 0;
	if (iwa_check_add(node, st, "%s", text) == NULL)
		return IWA_ENOMEM;
	/* the canonical SPN's conflicts join spn_eval_targeted's count (absent: not run) */
	if (nc > 1 || wrong != NULL)
		(void)iwa_check_perf_add_value(root, "conflicts", nc > 1 ? (double)(nc - 1) : 1.0);
	if (wrong != NULL && add_owner_node(node, wrong, st, NULL) == NULL)
		return IWA_ENOMEM;
	/* the summary: this problem when it is the worst one (or the only one) */
	if (before == IWA_OK)
		return iwa_check_set_text(root, "%s", text);
	if (iwa_state_worst(before, st) == st && st != before)
		return iwa_check_set_text(root, "%s (and more problems, see below)", text);
	return 0;
}
