/* check_iwa_farm.h — the farm check: the three check modules (spn_check, nb_check, blg_check)
 * in one run, and a correlation step that names the root cause(s) of what they found.
 *
 *  check_iwa_farm.c        the module (farm_check): options merged from the three modules'
 *                          tables, validate, run (backends in a thread while SPN and GPO run),
 *                          the facts read from the layers, the rendering of the causes
 *  check_iwa_farm_rules.c  pure: the facts -> root causes and consequences, as a table of
 *                          rules (tests/unit/test_iwa_farm_rules.c exercises each one)
 *  check_iwa_farm_main.c   main() */
#ifndef CHECK_IWA_FARM_H
#define CHECK_IWA_FARM_H

#include "check_negotiate_backend.h"
#include "iwa.h"
#include "output.h"
#include "plugin.h"

#include <stdbool.h>
#include <stddef.h>

#define FARM_MAX_SERVERS 32
#define FARM_MAX_CAUSES 48
#define FARM_TEXT 1536

/* ------------------------------------------------------------------ facts (pure input) */

/* What one backend (or the VIP) answered: the backend module's public cause code (enum
 * nb_cause of its pure evaluation) folded into what the rules tell apart. */
enum farm_nb_code {
	FARM_NB_OK = 0,
	FARM_NB_503,       /* application pool stopped */
	FARM_NB_WRONG_KEY, /* 401 after the token: cannot decrypt the ticket */
	FARM_NB_NO_TICKET, /* not tested: no service ticket */
	FARM_NB_DOWN,      /* refused, timeout, no answer */
	FARM_NB_NTLM_ONLY, /* Negotiate not offered */
	FARM_NB_SKEW,      /* clock skew */
	FARM_NB_NO_KEY,    /* 401, KRB-ERROR: no key for the ticket's enctype or kvno */
	FARM_NB_EPA,       /* channel binding (EPA): TLS terminated/re-encrypted, mismatch */
	FARM_NB_OTHER,
};

struct farm_target {
	char label[128];  /* "server1", "vip" */
	char server[128]; /* computer account name "SERVER1" ("" for the VIP) */
	bool vip;
	enum farm_nb_code code;
	enum iwa_state state;
	char text[FARM_TEXT]; /* the backend layer's line for it */
	bool epa_differs;     /* its cause: the farm's Extended Protection levels differ */
	char epa_level[16];   /* its level when told (--epa-probe / --epa): "Require", else "" */
};

struct farm_spn_owner {
	char name[256]; /* "cam-svc", "SERVER1$" */
	bool computer, expected;
};

struct farm_facts {
	const char *account; /* -a as given */
	/* SPN layer */
	bool spn_run;
	enum iwa_state spn_state;
	char spn_text[FARM_TEXT];
	char spn[512]; /* the main SPN */
	size_t spn_nowners;
	struct farm_spn_owner spn_owner[8];
	size_t spn_nlisted;
	/* backend layer */
	bool nb_run;
	enum iwa_state nb_state;
	bool ticket_ok;
	char ticket_text[FARM_TEXT];
	enum iwa_state ticket_state; /* the ticket's own verdict (RC4 ticket: WARNING) */
	bool ticket_rc4;             /* the service ticket is RC4 (enctype 23/24) */
	char ticket_enc_text[FARM_TEXT];
	struct farm_target t[FARM_MAX_SERVERS + 1];
	size_t nt;
	/* GPO layer */
	bool gpo_run;
	enum iwa_state gpo_state;
	char gpo_text[2048];
	struct {
		char name[128];
		bool found, holds_right, wrong_ou;
	} comp[FARM_MAX_SERVERS];
	size_t ncomp;
	/* the CNAME (alias) findings arrive in the SPN layer's words (rule spn-other) */
};

/* ------------------------------------------------------------------ result (pure output) */

struct farm_cause {
	enum iwa_state state;
	char layer[16];   /* "spn", "kerberos", "backends", "gpo" */
	char object[256]; /* "HTTP/sso.camtest.test", "SERVER1", "server2" */
	char cause[FARM_TEXT];
	char fix[FARM_TEXT];
	char rule[32]; /* the rule's id */
};

struct farm_result {
	struct farm_cause cause[FARM_MAX_CAUSES];
	size_t ncauses;
	char consequence[FARM_MAX_CAUSES][512];
	size_t ncons;
	/* what is explained already (a later rule does not name it again) */
	bool target_done[FARM_MAX_SERVERS + 1];
	bool spn_done, ticket_done, gpo_done;
};

/* One rule: looks at the facts and what earlier rules explained, adds causes and
 * consequences, marks what it explained. Returns 0 or IWA_ELIMIT when the result is full. */
struct farm_rule {
	const char *id;
	const char *what; /* one line for docs and tests */
	int (*apply)(const struct farm_facts *f, struct farm_result *r);
};
extern const struct farm_rule farm_rules[];
extern const size_t farm_nrules;

/* Runs every rule in table order over f into r (zeroed first). */
int farm_correlate(const struct farm_facts *f, struct farm_result *r);
/* The first line after "FARM STATE - ": "root cause: ...; consequences: ..." or the OK words.
 * Appends to out. */
int farm_summary(const struct farm_facts *f, const struct farm_result *r, struct iwa_buf *out);
/* The JSON member `"root_causes":[{"layer":..,"object":..,"cause":..,"fix":..}]`, plus
 * `"consequences":[..]`. Appends to out. */
int farm_json(const struct farm_result *r, struct iwa_buf *out);
/* The backend module's cause code (enum nb_cause, check_negotiate_backend.h) -> the farm's
 * coarser code the rules use. */
enum farm_nb_code farm_nb_code_from_cause(enum nb_cause c);

/* ------------------------------------------------------------------ the module */
extern const struct iwa_plugin farm_check;
/* Builds the option table from the three modules' tables (call once before iwa_check_main). */
void farm_options_init(void);

#endif
