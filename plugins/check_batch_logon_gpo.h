/* check_batch_logon_gpo.h — internal interface between the parts of check_batch_logon_gpo:
 * check_batch_logon_gpo.c (options, help, run), _dir.c (directory reads), _sysvol.c
 * (GPT.INI, GptTmpl.inf), _lookup.c (names in rights lists, where --gpo is linked, cleanup),
 * _eval.c (per-computer evaluation and the result tree), _text.c (the words). */
#ifndef CHECK_BATCH_LOGON_GPO_H
#define CHECK_BATCH_LOGON_GPO_H

#include "gplink.h"
#include "gpttmpl.h"
#include "iwa.h"
#include "directory.h"
#include "output.h"
#include "plugin.h"
#include "secdesc.h"
#include "sid.h"
#include "smb.h"

#define BLG_MAX_COMPUTERS 64
#define BLG_FILE_MAX (1024 * 1024) /* cap of one SYSVOL file read */
#define BLG_SECURITY_CSE "{827D319E-6EAC-11D2-A4EA-00C04F79F83A}"
#define BLG_GPTTMPL_REL "Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf"

/* What another driver (check_iwa_farm) needs of a run: per computer, whether the account
 * holds the right there, and the cause words of the summary. */
struct blg_findings {
	bool done; /* blg_evaluate ran */
	bool account_found;
	enum iwa_state state;
	char cause[2048]; /* the summary when state is not OK */
	size_t ncomp;
	struct {
		char name[128]; /* "SERVER1" */
		bool found, holds_right, wrong_ou;
	} comp[BLG_MAX_COMPUTERS];
};

struct blg_config {
	struct blg_findings *findings; /* optional [out] for check_iwa_farm, not owned */
	struct iwa_ldap_opts ldap;
	const char *account;
	const char *computers[BLG_MAX_COMPUTERS];
	size_t ncomputers;
	const char *gpo;   /* --gpo NAME or {GUID} */
	const char *right; /* --right, default SeBatchLogonRight */
	const char *sysvol_path;
	const char *sysvol_host; /* --sysvol-host, else -H, else the host of --ldap-uri */
	char *uri_host;          /* host parsed from --ldap-uri (owned) */
	const char *site;
};

/* The account or one computer. */
struct blg_principal {
	const char *query; /* as given on the command line */
	bool found, ambiguous;
	char *dn, *sam, *upn, *dns;
	struct iwa_sid sid;
	struct iwa_sid *groups; /* tokenGroups (transitive, primary group included) */
	size_t ngroups;
	size_t *chain; /* container indexes, top (site/domain) first, parent of the DN last */
	size_t nchain;
	struct iwa_gpo_order order; /* per-computer link evaluation */
	struct iwa_som *soms;       /* the chain as soms (points into the containers) */
};

struct blg_container {
	char *dn;
	bool is_site, found;
	char *gplink_raw;
	struct iwa_gplink_list links;
	unsigned gpoptions;
	char *parse_error;
};

struct blg_gpo {
	char guid[39];
	bool found, expected, relevant;
	char *dn, *name, *fspath, *machine_ext, *wmi;
	unsigned flags;
	uint32_t version;
	struct iwa_secdesc *sd;
	char *sd_error;
	/* SYSVOL */
	bool read_done;
	bool has_gptini;
	uint32_t gpt_version;
	char *gptini_error; /* GPT.INI missing or unreadable (a GPO problem, not ours) */
	bool has_tmpl;
	enum iwa_text_enc tmpl_enc;
	char *tmpl_error;
	struct iwa_right_list right; /* right.defined: the key is in [Privilege Rights] */
};

/* A rights-list entry looked up in the directory: a NAME resolved to its SID (by_sid false),
 * or a domain SID resolved to its sAMAccountName for the messages (by_sid true). */
struct blg_name {
	char *name; /* the name as written; for by_sid: the sAMAccountName found (or NULL) */
	bool by_sid, resolved;
	struct iwa_sid sid;
};

struct blg_ctx {
	const struct blg_config *cfg;
	struct iwa_ctx *run; /* the run context: deadline, credentials (NULL in unit tests) */
	int verbose;
	struct iwa_ldap *ldap; /* owned by run */
	char *base, *config_nc, *dns_domain;
	struct blg_principal account;
	struct blg_principal comp[BLG_MAX_COMPUTERS];
	size_t ncomp;
	struct blg_container *cont;
	size_t ncont;
	struct blg_gpo *gpos;
	size_t ngpos;
	struct blg_name *names;
	size_t nnames;
	int expected_gpo;      /* index in gpos, -1 when none/not found */
	char **expected_links; /* DNs of containers linking the expected GPO (wrong-OU case) */
	bool *expected_links_have_computers;
	bool *expected_links_have_users;
	size_t nexpected_links;
	bool expected_links_searched;
	/* measurements */
	unsigned ldap_searches, ldap_round_trips, gpos_read, smb_files;
	double sysvol_seconds, ldap_seconds;
	double seconds;      /* the run's time when the load ended (perfdata time) */
	struct iwa_smb *smb; /* the load's SYSVOL connection (blg_run closes it) */
};

/* _dir.c: searches (sent together, answers collected together: one round trip) */
/* Requests are directory.c's (struct iwa_ldap_req); their callbacks get the blg_ctx as owner. */
int blg_search_batch(struct blg_ctx *c, struct iwa_ldap_req *r, size_t n, struct iwa_err *err);
int blg_add_eq(struct iwa_buf *b, const char *attr, const char *value);

int blg_dir_load(struct blg_ctx *c, struct iwa_err *err);
/* _sysvol.c */
int blg_sysvol_load(struct blg_ctx *c, struct iwa_err *err);
/* _lookup.c */
int blg_dir_resolve_names(struct blg_ctx *c, struct iwa_err *err);
int blg_dir_expected_links(struct blg_ctx *c, struct iwa_err *err);
/* _data.c (pure): frees what the load put in c (not c->smb). */
void blg_ctx_free(struct blg_ctx *c);

/* How one GPO link fares for one computer. */
enum blg_gstat {
	BLG_GS_APPLIES = 0,
	BLG_GS_LINK_DISABLED,
	BLG_GS_BLOCKED,
	BLG_GS_NOT_FOUND,
	BLG_GS_COMPUTER_DISABLED,
	BLG_GS_EMPTY,
	BLG_GS_SD_UNREADABLE,
	BLG_GS_FILTERED,
};

struct blg_row {
	const struct iwa_link_eval *e;
	const struct iwa_gplink *link;
	const struct blg_container *som;
	int gi; /* index in c->gpos, -1 if unknown */
	enum blg_gstat st;
	bool no_cse;
	struct iwa_gpo_access acc;
};

/* One cause for the summary; identical texts of several computers are merged. */
struct blg_cause {
	enum iwa_state state;
	char *text;
	bool names_computers; /* the text already names the computers: no "SERVER1: " prefix */
	char who[512];        /* "SERVER1, SERVER2" */
};

struct blg_causes {
	struct blg_cause *v;
	size_t n;
};

/* _text.c */
const char *blg_gpo_label(const struct blg_gpo *g);
/* Short computer name: sAMAccountName without '$', else the query. */
void blg_short_name(const struct blg_principal *p, char *buf, size_t cap);
/* Adds a cause for computer `who` (merged with an identical text). 0 or IWA_ENOMEM. */
int blg_cause_add(struct blg_causes *cs, enum iwa_state st, bool names, const char *who,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void blg_causes_free(struct blg_causes *cs);
/* SID of a rights-list entry (names through the resolved table); false if unknown. */
bool blg_entry_sid(const struct blg_ctx *c, const struct iwa_right_entry *e, struct iwa_sid *out);
/* Human form of a SID: the account's or a computer's name, a resolved name, a well-known name,
 * else "*S-1-...". */
void blg_sid_words(const struct blg_ctx *c, const struct iwa_sid *s, char *buf, size_t cap);
/* "cam-svc, IIS_IUSRS, *S-1-5-..." or "nobody (empty value)". */
int blg_list_words(const struct blg_ctx *c, const struct iwa_right_list *l, struct iwa_buf *b);
/* Does GPO g (SYSVOL read) define the right? */
bool blg_defines(const struct blg_gpo *g);
/* Why a row does not apply (or does not count), with the fix, appended to b; its state. */
enum iwa_state blg_why_not(const struct blg_ctx *c, const struct blg_principal *p,
			   const struct blg_row *r, const struct iwa_sid *tok, struct iwa_buf *b);
/* One long-output line for a row under node. */
void blg_row_line(const struct blg_ctx *c, const struct blg_row *r, const struct iwa_sid *tok,
		  bool winner, struct iwa_check *node);
/* The wrong-OU sentence for the computers flagged in affected[], from the links the load
 * step read (blg_needs_expected_links, blg_dir_expected_links); no I/O. */
int blg_wrong_ou_text(struct blg_ctx *c, const bool *affected, struct iwa_buf *b,
		      struct iwa_err *err);

/* _eval.c */
int blg_needs_expected_links(struct blg_ctx *c, bool *need_out, struct iwa_err *err);
int blg_evaluate(struct blg_ctx *c, struct iwa_check *root, struct iwa_err *err);
/* Index of the GPO with this GUID, or -1 (_dir.c). */
int blg_gpo_find(const struct blg_ctx *c, const char *guid);

/* --- the check module (check_batch_logon_gpo.c) --- */
/* Defaults (void * for the module table); releases what validation allocated. */
void blg_cfg_init(void *cfg);
void blg_cfg_free(void *cfg);
/* One run: load (directory, SYSVOL, names) on ctx's connection, then evaluate into root. */
int blg_run(struct iwa_ctx *ctx, void *cfg, struct iwa_check *root, struct iwa_err *err);
/* The module: option table, help, validate and run, for iwa_check_main or another driver. */
extern const struct iwa_plugin blg_check;

#endif
