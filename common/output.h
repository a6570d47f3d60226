/* output.h — the result tree every plugin builds and one renderer for it.
 *
 * A check node has its own state, a one-line text, optional long-output lines, perfdata
 * items and children. Its effective state is the worst of its own state and its children's
 * (CRITICAL > WARNING > UNKNOWN > OK). The root's text is the summary.
 *
 * Text rendering (plugin guidelines):
 *   <SERVICE> <STATE> - <summary> | <all perfdata of the tree, in tree order>
 *   [<STATE>] <child text>            (depth-first, two spaces of indent per level below 1)
 *       <line>                        (a node's long-output lines, indented under it)
 * JSON rendering (--output-format=json), one object:
 *   {"service":"..","state":"CRITICAL","exit_code":2,"summary":"..",
 *    "subchecks":[{"name":"..","state":"..","text":"..","lines":[..],"subchecks":[..]}],
 *    "perfdata":[{"label":"..","value":1.5,"uom":"s","warn":"..","crit":"..","min":0,"max":2}]}
 *   ("name" only when set; "warn"/"crit"/"min"/"max" only when set).
 * The tree owns copies of every string; nothing is ever written to stderr.
 *
 * Details of the renderers (additions to the contract above):
 *  - every rendered line ends with '\n' (JSON: one line); the state of a node shown in text and
 *    JSON is its effective state (iwa_check_state); "exit_code" is that state's value;
 *  - text: an empty summary gives "<SERVICE> <STATE>"; a NULL/"" service omits the first word;
 *    in every text '|' becomes '/' (it would start perfdata); in the summary and child texts
 *    control characters (newlines, tabs) become one space; in long-output lines an embedded
 *    newline starts a new line with the same indent. The root's own lines are printed first,
 *    unindented, before the children. A node's lines are indented 4 spaces beyond the node;
 *  - JSON keeps texts unchanged (escaped); the root also carries "lines":[..]; perfdata
 *    items are those of the text form (iwa_perf_init refuses NaN/infinite values);
 *  - the whole result is capped at IWA_OUTPUT_MAX bytes: text keeps the first line with all
 *    perfdata and as many whole long-output lines as fit, then "(output truncated)"; JSON
 *    drops long-output lines, then subchecks, and adds "truncated":true. Texts longer than
 *    IWA_OUTPUT_MAX are cut when stored. */
#ifndef IWA_OUTPUT_H
#define IWA_OUTPUT_H

#include "iwa.h"
#include "perfdata.h"
#include "util.h"

enum iwa_format { IWA_FORMAT_TEXT = 0, IWA_FORMAT_JSON = 1 };

/* Cap of one rendered result in bytes (see above). */
#define IWA_OUTPUT_MAX 65536

struct iwa_check;

/* A new root (state OK, empty text). NULL on out of memory. */
struct iwa_check *iwa_check_new(void);
/* Adds a child with state and printf-style text; returns it (owned by parent), NULL on OOM. */
struct iwa_check *iwa_check_add(struct iwa_check *parent, enum iwa_state state, const char *fmt,
				...) __attribute__((format(printf, 3, 4)));
/* Sets this node's own state (children still count through iwa_check_state). */
void iwa_check_set_state(struct iwa_check *c, enum iwa_state s);
/* Raises this node's own state to the worst of it and s. */
void iwa_check_raise(struct iwa_check *c, enum iwa_state s);
/* Replaces the node's text (for the root: the summary). Returns 0 or IWA_ENOMEM. */
int iwa_check_set_text(struct iwa_check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A machine-readable key for the node, e.g. the backend's name (JSON "name"). */
int iwa_check_set_name(struct iwa_check *c, const char *name);
/* Appends a long-output line under the node. */
int iwa_check_add_line(struct iwa_check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends a copy of a perfdata item to the node. */
int iwa_check_add_perf(struct iwa_check *c, const struct iwa_perf *p);
/* Convenience: builds and adds a perfdata item; thresholds/min/max optional (NULL = none). */
int iwa_check_perf(struct iwa_check *c, const char *label, double value, const char *uom,
		   const struct iwa_thresholds *t, const double *min, const double *max);
/* Adds delta to the value of the node's perfdata item named label (a count finished by a
 * later step). Returns 0, or IWA_EINVAL when the node has no such item. */
int iwa_check_perf_add_value(struct iwa_check *c, const char *label, double delta);
/* Effective state: worst of the node's own state and all descendants'. */
enum iwa_state iwa_check_state(const struct iwa_check *c);
const char *iwa_check_text(const struct iwa_check *c);
/* Renders the whole tree into out (appends). verbose > 0 adds nothing by itself: detail
 * lines are always printed; plugins decide what to add at -v. */
int iwa_check_render(const struct iwa_check *root, const char *service, enum iwa_format fmt,
		     struct iwa_buf *out);
/* Renders the one-line result of a check that could not run:
 * "<SERVICE> <STATE> - <msg>" (or its JSON form) with a trailing newline. */
int iwa_render_message(const char *service, enum iwa_state st, const char *msg, enum iwa_format fmt,
		       struct iwa_buf *out);
/* Reading a tree (a driver that runs several checks correlates their subtrees): the node's
 * children, i-th child (NULL past the end), its name (NULL when unset), its own state. */
size_t iwa_check_nkids(const struct iwa_check *c);
const struct iwa_check *iwa_check_kid(const struct iwa_check *c, size_t i);
const char *iwa_check_name(const struct iwa_check *c);
enum iwa_state iwa_check_own_state(const struct iwa_check *c);
/* Root only: one more member of the JSON object, already rendered as `"key":value` (valid
 * JSON, the caller's job), placed after "perfdata"; dropped with the subchecks when the
 * result is truncated. NULL removes it. Text rendering ignores it. */
int iwa_check_set_json_member(struct iwa_check *c, const char *member);
void iwa_check_free(struct iwa_check *c);

#endif
