/* plugin.c — iwa_plugin_main, the one driver of every plugin, and --extra-opts (see plugin.h).
 *
 * Order of a run: stderr to /dev/null (libraries must not reach the monitoring engine's first
 * line), locale, --extra-opts expansion, getopt_long over the common and the plugin's options,
 * validate, arm the budget, run, disarm, render with ONE write(2) to stdout, return the state.
 * Every failure before the check ran is one "<SERVICE> UNKNOWN - <option>: <why>" line. */
#include "config.h"

#include "plugin.h"
#include "budget.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT 15
#define MAX_TIMEOUT 3600
#define OUTPUT_MAX (1024 * 1024)
#define INI_MAX_BYTES (1024 * 1024)
#define INI_MAX_ARGS 1000

static const struct option common_longopts[] = {
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{"verbose", no_argument, NULL, 'v'},
	{"timeout", required_argument, NULL, 't'},
	{"timeout-state", required_argument, NULL, IWA_OPT_TIMEOUT_STATE},
	{"output-format", required_argument, NULL, IWA_OPT_OUTPUT_FORMAT},
	{"extra-opts", required_argument, NULL, IWA_OPT_EXTRA_OPTS},
	{NULL, 0, NULL, 0},
};
#define COMMON_SHORTOPTS "hVvt:"

/* ---------------------------------------------------------------------------------------- */
/* argv helpers                                                                               */

void iwa_argv_free(int argc, char **argv)
{
	if (argv == NULL)
		return;
	for (int i = 0; i < argc; i++) {
		if (argv[i] != NULL) {
			/* ini values may be secrets: wipe before freeing */
			explicit_bzero(argv[i], strlen(argv[i]));
			free(argv[i]);
		}
	}
	free(argv);
}

/* Appends a copy of s (or, with len != (size_t)-1, of its first len bytes) to the vector.
 * Returns 0 or IWA_ENOMEM. */
static int argv_push(int *argc_io, char ***argv_io, const char *s, size_t len)
{
	char **v;
	char *copy;

	if (len == (size_t)-1)
		len = strlen(s);
	copy = strndup(s, len);
	if (copy == NULL)
		return IWA_ENOMEM;
	v = realloc(*argv_io, sizeof(char *) * ((size_t)*argc_io + 2));
	if (v == NULL) {
		free(copy);
		return IWA_ENOMEM;
	}
	v[*argc_io] = copy;
	v[*argc_io + 1] = NULL;
	*argv_io = v;
	(*argc_io)++;
	return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* ini parsing (pure)                                                                         */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Trims [*s, *e) of blanks on both sides. */
static void trim(const char **s, const char **e)
{
	while (*s < *e && is_blank(**s))
		(*s)++;
	while (*e > *s && is_blank((*e)[-1]))
		(*e)--;
}

static bool section_wanted(const char *name, size_t len, const char *const *sections)
{
	for (size_t i = 0; sections[i] != NULL; i++)
		if (strlen(sections[i]) == len && memcmp(sections[i], name, len) == 0)
			return true;
	return false;
}

/* Unquotes the value [s, e) into b: "..." with \" and \\ escapes, '...' literal, else as is.
 * Returns 0 or IWA_EPARSE (unterminated quote, text after the closing quote). */
static int unquote(const char *s, const char *e, struct iwa_buf *b)
{
	if (s < e && (*s == '"' || *s == '\'')) {
		char q = *s++;
		while (s < e && *s != q) {
			if (q == '"' && *s == '\\' && s + 1 < e && (s[1] == '"' || s[1] == '\\'))
				s++;
			if (iwa_buf_add(b, s, 1) < 0)
				return IWA_ENOMEM;
			s++;
		}
		if (s >= e || s + 1 != e)
			return IWA_EPARSE;
		return 0;
	}
	return iwa_buf_add(b, s, (size_t)(e - s));
}

int iwa_ini_to_args(const char *text, size_t len, const char *const *sections, const char *source,
		    int *argc_io, char ***argv_io, bool *found_out, struct iwa_err *err)
{
	const char *p = text, *end = text + len;
	bool in_wanted = false, found = false;
	unsigned lineno = 0;
	int added = 0, rc = 0;
	struct iwa_buf arg;

	iwa_buf_init(&arg, INI_MAX_BYTES + 64);
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end) {
		const char *ls = p, *le = memchr(p, '\n', (size_t)(end - p));
		const char *ks, *ke, *eq;

		if (le == NULL)
			le = end;
		p = le < end ? le + 1 : end;
		lineno++;
		if (memchr(ls, '\0', (size_t)(le - ls)) != NULL) {
			rc = iwa_err_set(err, IWA_EPARSE, "--extra-opts: %s line %u: NUL byte",
					 source, lineno);
			goto cleanup;
		}
		trim(&ls, &le);
		if (ls == le || *ls == '#' || *ls == ';')
			continue;
		if (*ls == '[') {
			const char *ns = ls + 1, *ne = le - 1;
			if (le - ls < 2 || *ne != ']') {
				rc = iwa_err_set(
					err, IWA_EPARSE,
					"--extra-opts: %s line %u: section header lacks ']'",
					source, lineno);
				goto cleanup;
			}
			trim(&ns, &ne);
			in_wanted = section_wanted(ns, (size_t)(ne - ns), sections);
			found = found || in_wanted;
			continue;
		}
		if (!in_wanted)
			continue;
		eq = memchr(ls, '=', (size_t)(le - ls));
		ks = ls;
		ke = eq != NULL ? eq : le;
		trim(&ks, &ke);
		if (ks == ke) {
			rc = iwa_err_set(err, IWA_EPARSE,
					 "--extra-opts: %s line %u: no option name", source,
					 lineno);
			goto cleanup;
		}
		for (const char *k = ks; k < ke; k++) {
			if (!(isalnum((unsigned char)*k) || ((*k == '-' || *k == '_') && k > ks))) {
				/* the key is not shown: a mistyped line may hold a secret */
				rc = iwa_err_set(err, IWA_EPARSE,
						 "--extra-opts: %s line %u: not an option name "
						 "(expected \"name = value\")",
						 source, lineno);
				goto cleanup;
			}
		}
		if ((size_t)(ke - ks) == strlen("extra-opts") &&
		    memcmp(ks, "extra-opts", 10) == 0) {
			rc = iwa_err_set(err, IWA_EINVAL,
					 "--extra-opts: %s line %u: extra-opts cannot be nested",
					 source, lineno);
			goto cleanup;
		}
		if (added >= INI_MAX_ARGS) {
			rc = iwa_err_set(err, IWA_ENOMEM, "--extra-opts: %s: more than %d options",
					 source, INI_MAX_ARGS);
			goto cleanup;
		}
		arg.len = 0;
		if (arg.data != NULL)
			arg.data[0] = '\0';
		if (iwa_buf_adds(&arg, "--") < 0 || iwa_buf_add(&arg, ks, (size_t)(ke - ks)) < 0) {
			rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
			goto cleanup;
		}
		if (eq != NULL) {
			const char *vs = eq + 1, *ve = le;
			trim(&vs, &ve);
			if (iwa_buf_adds(&arg, "=") < 0) {
				rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
				goto cleanup;
			}
			rc = unquote(vs, ve, &arg);
			if (rc == IWA_EPARSE) {
				rc = iwa_err_set(
					err, IWA_EPARSE,
					"--extra-opts: %s line %u: bad quoting in the value "
					"of %.*s",
					source, lineno, (int)(ke - ks), ks);
				goto cleanup;
			}
			if (rc < 0) {
				rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
				goto cleanup;
			}
		}
		if (argv_push(argc_io, argv_io, arg.data, arg.len) < 0) {
			rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
			goto cleanup;
		}
		added++;
	}
	if (found_out != NULL)
		*found_out = found;
	rc = 0;
cleanup:
	if (arg.data != NULL)
		explicit_bzero(arg.data, arg.cap);
	iwa_buf_free(&arg);
	return rc;
}

/* Reads the whole --extra-opts file (at most INI_MAX_BYTES) into *text_out (NUL-terminated,
 * caller frees) with util.c's reader. Returns 0 or IWA_EIO/IWA_ENOMEM with a message naming
 * the option and the file. */
static int read_file(const char *path, char **text_out, size_t *len_out, struct iwa_err *err)
{
	struct iwa_err e2 = {0, {0}};
	int rc = iwa_read_file(path, INI_MAX_BYTES, text_out, len_out, &e2);

	if (rc == IWA_ENOMEM && strncmp(e2.msg, "larger", 6) == 0)
		return iwa_err_set(err, rc, "--extra-opts: %s is larger than %d bytes", path,
				   INI_MAX_BYTES);
	if (rc < 0)
		return iwa_err_set(err, rc, "--extra-opts: cannot open %s: %s", path, e2.msg);
	return 0;
}

/* Loads one --extra-opts value ([section@]file) and appends its options. */
static int load_extra_opts(const char *spec, const char *section_default, int *argc_io,
			   char ***argv_io, struct iwa_err *err)
{
	const char *at = strchr(spec, '@');
	const char *path = at != NULL ? at + 1 : spec;
	char *section = NULL, *text = NULL;
	const char *sections[3] = {NULL, NULL, NULL};
	size_t len = 0;
	bool found = false;
	int rc;

	if (*path == '\0') {
		rc = iwa_err_set(err, IWA_EINVAL,
				 "--extra-opts: no file given (use [SECTION@]FILE)");
		goto cleanup;
	}
	if (at != NULL && at != spec) {
		section = strndup(spec, (size_t)(at - spec));
		if (section == NULL) {
			rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
			goto cleanup;
		}
		sections[0] = section;
	} else if (strncmp(section_default, "check_", 6) == 0 && section_default[6] != '\0') {
		sections[0] = section_default + 6;
		sections[1] = section_default;
	} else {
		sections[0] = section_default;
	}
	rc = read_file(path, &text, &len, err);
	if (rc < 0)
		goto cleanup;
	rc = iwa_ini_to_args(text, len, sections, path, argc_io, argv_io, &found, err);
	if (rc < 0)
		goto cleanup;
	if (!found) {
		if (sections[1] != NULL)
			rc = iwa_err_set(err, IWA_EINVAL,
					 "--extra-opts: no section [%s] or [%s] in %s", sections[0],
					 sections[1], path);
		else
			rc = iwa_err_set(err, IWA_EINVAL, "--extra-opts: no section [%s] in %s",
					 sections[0], path);
	}
cleanup:
	if (text != NULL)
		explicit_bzero(text, len);
	free(text);
	free(section);
	return rc;
}

/* Expands every --extra-opts into a new vector: argv[0], the ini options in order, then the
 * remaining command line. *n_ini_out = how many ini options were inserted. */
static int expand(int argc, char **argv, const char *section_default, int *argc_out,
		  char ***argv_out, int *n_ini_out, struct iwa_err *err)
{
	int ini_argc = 0, rest_argc = 0, out_argc = 0, rc = 0;
	char **ini_argv = NULL, **rest_argv = NULL, **out_argv = NULL;
	bool dashdash = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *spec = NULL;

		if (!dashdash && strcmp(a, "--") == 0)
			dashdash = true;
		else if (!dashdash && strncmp(a, "--extra-opts=", 13) == 0)
			spec = a + 13;
		else if (!dashdash && strcmp(a, "--extra-opts") == 0) {
			if (i + 1 >= argc) {
				rc = iwa_err_set(err, IWA_EINVAL, "--extra-opts: missing value");
				goto cleanup;
			}
			spec = argv[++i];
		}
		if (spec != NULL)
			rc = load_extra_opts(spec, section_default, &ini_argc, &ini_argv, err);
		else
			rc = argv_push(&rest_argc, &rest_argv, a, (size_t)-1) < 0
				     ? iwa_err_set(err, IWA_ENOMEM, "out of memory")
				     : 0;
		if (rc < 0)
			goto cleanup;
	}
	if (argv_push(&out_argc, &out_argv, argc > 0 ? argv[0] : "plugin", (size_t)-1) < 0)
		goto nomem;
	for (int i = 0; i < ini_argc; i++)
		if (argv_push(&out_argc, &out_argv, ini_argv[i], (size_t)-1) < 0)
			goto nomem;
	for (int i = 0; i < rest_argc; i++)
		if (argv_push(&out_argc, &out_argv, rest_argv[i], (size_t)-1) < 0)
			goto nomem;
	*argc_out = out_argc;
	*argv_out = out_argv;
	if (n_ini_out != NULL)
		*n_ini_out = ini_argc;
	out_argv = NULL;
	out_argc = 0;
	rc = 0;
	goto cleanup;
nomem:
	rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
cleanup:
	iwa_argv_free(ini_argc, ini_argv);
	iwa_argv_free(rest_argc, rest_argv);
	iwa_argv_free(out_argc, out_argv);
	return rc;
}

int iwa_extra_opts_expand(int argc, char **argv, const char *section_default, int *argc_out,
			  char ***argv_out, struct iwa_err *err)
{
	if (argv == NULL || section_default == NULL || argc_out == NULL || argv_out == NULL)
		return iwa_err_set(err, IWA_EINVAL, "internal error: bad arguments");
	return expand(argc, argv, section_default, argc_out, argv_out, NULL, err);
}

/* ---------------------------------------------------------------------------------------- */
/* output helpers                                                                             */

/* Writes all of buf to fd, retrying on EINTR and short writes. */
static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* Puts the one-line result "<SERVICE> <STATE> - <msg>" (or JSON) into out. */
static void render_message(struct iwa_buf *out, const char *service, enum iwa_state st,
			   const char *msg, enum iwa_format fmt)
{
	out->len = 0;
	if (out->data != NULL)
		out->data[0] = '\0';
	if (msg == NULL || *msg == '\0')
		msg = "internal error";
	if (iwa_render_message(service, st, msg, fmt, out) == 0 && out->len > 0)
		return;
	/* last resort, e.g. when the message itself was too large */
	out->len = 0;
	if (out->data != NULL)
		out->data[0] = '\0';
	if (iwa_buf_addf(out, "%s %s - %.200s\n", service, iwa_state_name(st), msg) < 0) {
		out->len = 0;
	}
}

/* --output-format as it will be parsed, found before parsing so that even an error in an
 * earlier option is rendered in the format asked for. */
static enum iwa_format prescan_format(int argc, char **argv, enum iwa_format fmt)
{
	for (int i = 1; i < argc; i++) {
		const char *v = NULL;
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strncmp(argv[i], "--output-format=", 16) == 0)
			v = argv[i] + 16;
		else if (strcmp(argv[i], "--output-format") == 0 && i + 1 < argc)
			v = argv[++i];
		if (v != NULL && strcmp(v, "json") == 0)
			fmt = IWA_FORMAT_JSON;
		else if (v != NULL && strcmp(v, "text") == 0)
			fmt = IWA_FORMAT_TEXT;
	}
	return fmt;
}

/* Help text of the common options; %s are the default --extra-opts sections. */
static int add_common_help(struct iwa_buf *b, const char *name)
{
	const char *short_name = strncmp(name, "check_", 6) == 0 ? name + 6 : name;

	return iwa_buf_addf(
		b,
		"Common options:\n"
		" -h, --help\n"
		"    Print this help and exit with UNKNOWN (3).\n"
		" -V, --version\n"
		"    Print the version and exit with UNKNOWN (3).\n"
		" -v, --verbose\n"
		"    More detail in the long output; repeat up to 3 times (default: 0).\n"
		" -t, --timeout=SECONDS\n"
		"    Time budget of the whole run, 1..%u (default: %u). Every network call\n"
		"    gets what is left of it; the plugin always answers within SECONDS + 1 s.\n"
		" --timeout-state=STATE\n"
		"    State reported when the budget runs out: OK, WARNING, CRITICAL or\n"
		"    UNKNOWN (default: CRITICAL).\n"
		" --output-format=FORMAT\n"
		"    text: the plugin guidelines' format (default); json: one JSON object\n"
		"    with state, exit_code, summary, subchecks and perfdata.\n"
		" --extra-opts=[SECTION@]FILE\n"
		"    Read options from an ini file: each \"name = value\" line of SECTION acts\n"
		"    as --name=value placed before the command line's options, so the command\n"
		"    line wins. Lines starting with # or ; are comments; values may be quoted.\n"
		"    Secrets (password = ...) are accepted only this way, never on the command\n"
		"    line. Default SECTION: [%.19s] or [%.25s].\n",
		MAX_TIMEOUT, DEFAULT_TIMEOUT, short_name, name);
}

/* Appends a help part followed by an empty line (nothing for NULL/""). */
static int add_part(struct iwa_buf *b, const char *title, const char *text)
{
	size_t n;

	if (text == NULL || *text == '\0')
		return 0;
	/* a text that already starts with its title ("Examples:...") is not titled twice */
	if (title != NULL && strncmp(text, title, strlen(title)) == 0)
		title = NULL;
	if (title != NULL && iwa_buf_addf(b, "%s\n", title) < 0)
		return IWA_ENOMEM;
	if (iwa_buf_adds(b, text) < 0)
		return IWA_ENOMEM;
	n = strlen(text);
	if (text[n - 1] != '\n' && iwa_buf_adds(b, "\n") < 0)
		return IWA_ENOMEM;
	return iwa_buf_adds(b, "\n");
}

static int render_help(const struct iwa_plugin *p, struct iwa_buf *b)
{
	if (iwa_buf_addf(b, "%s (%s) %s\n\n", p->name, PACKAGE_NAME, PACKAGE_VERSION) < 0 ||
	    add_part(b, NULL, p->purpose) < 0 || add_part(b, NULL, p->usage) < 0 ||
	    add_part(b, "Options:", p->options_help) < 0 || add_common_help(b, p->name) < 0 ||
	    iwa_buf_adds(b, "\n") < 0 || add_part(b, "Notes:", p->notes) < 0 ||
	    add_part(b, "Examples:", p->examples) < 0)
		return IWA_ENOMEM;
	/* drop the final empty line */
	if (b->len >= 2 && b->data[b->len - 1] == '\n' && b->data[b->len - 2] == '\n')
		b->data[--b->len] = '\0';
	return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* option parsing                                                                             */

struct parser {
	const struct iwa_plugin *p;
	struct option *longopts;
	char *shortopts;
	int n_long;
};

static void parser_free(struct parser *ps)
{
	free(ps->longopts);
	free(ps->shortopts);
}

/* Merges the common and the plugin's options; refuses clashes (a plugin bug). */
static int parser_init(struct parser *ps, const struct iwa_plugin *p, struct iwa_err *err)
{
	size_t nc = sizeof(common_longopts) / sizeof(common_longopts[0]) - 1, np = 0;
	const char *pshort = p->shortopts != NULL ? p->shortopts : "";
	size_t slen;

	memset(ps, 0, sizeof(*ps));
	ps->p = p;
	while (*pshort == '+' || *pshort == '-' || *pshort == ':')
		pshort++;
	for (const char *c = pshort; *c != '\0'; c++)
		if (*c != ':' && strchr(COMMON_SHORTOPTS, *c) != NULL)
			return iwa_err_set(err, IWA_EINVAL,
					   "internal error: plugin option -%c is reserved", *c);
	if (p->longopts != NULL)
		while (p->longopts[np].name != NULL)
			np++;
	for (size_t i = 0; i < np; i++)
		for (size_t j = 0; j < nc; j++)
			if (strcmp(p->longopts[i].name, common_longopts[j].name) == 0 ||
			    (p->longopts[i].flag == NULL &&
			     p->longopts[i].val == common_longopts[j].val))
				return iwa_err_set(err, IWA_EINVAL,
						   "internal error: plugin option --%s is reserved",
						   p->longopts[i].name);
	ps->longopts = calloc(nc + np + 1, sizeof(struct option));
	slen = strlen(COMMON_SHORTOPTS) + strlen(pshort) + 3;
	ps->shortopts = malloc(slen);
	if (ps->longopts == NULL || ps->shortopts == NULL) {
		parser_free(ps);
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	}
	memcpy(ps->longopts, common_longopts, nc * sizeof(struct option));
	if (np > 0)
		memcpy(ps->longopts + nc, p->longopts, np * sizeof(struct option));
	ps->n_long = (int)(nc + np);
	/* '+': no permutation (a stray argument stops parsing and is reported);
	 * ':': a missing value is reported as ':' (and opterr = 0 silences getopt) */
	snprintf(ps->shortopts, slen, "+:%s%s", COMMON_SHORTOPTS, pshort);
	return 0;
}

/* The long option whose val is opt, or NULL. */
static const struct option *long_by_val(const struct parser *ps, int opt)
{
	for (int i = 0; i < ps->n_long; i++)
		if (ps->longopts[i].flag == NULL && ps->longopts[i].val == opt)
			return &ps->longopts[i];
	return NULL;
}

/* Secrets ("password", "*-password") are accepted only from --extra-opts. */
static bool is_secret_name(const char *name)
{
	size_t n = strlen(name);
	return strcmp(name, "password") == 0 || (n > 9 && strcmp(name + n - 9, "-password") == 0);
}

/* Replaces each occurrence of secret in msg by "***". */
static void scrub(char *msg, size_t cap, const char *secret)
{
	char tmp[IWA_ERR_MAX];
	size_t sl = secret != NULL ? strlen(secret) : 0, o = 0;

	if (sl == 0 || strstr(msg, secret) == NULL)
		return;
	for (const char *m = msg; *m != '\0' && o + 4 < sizeof(tmp);) {
		if (strncmp(m, secret, sl) == 0) {
			memcpy(tmp + o, "***", 3);
			o += 3;
			m += sl;
		} else {
			tmp[o++] = *m++;
		}
	}
	tmp[o] = '\0';
	snprintf(msg, cap, "%s", tmp);
	explicit_bzero(tmp, sizeof(tmp));
}

/* The name of the option element as typed ("--timeout" of "--timeout=abc"), capped. */
static void element_name(const char *el, char *out, size_t cap)
{
	size_t n = strcspn(el, "=");
	if (n > 60)
		n = 60;
	snprintf(out, cap, "%.*s", (int)n, el);
}

enum parse_result { PARSE_RUN = 0, PARSE_HELP, PARSE_VERSION };

/* Parses argv (already expanded) into common and, via handle_opt, into cfg.
 * Returns 0 with *what_out, or a negative code with err naming the option. */
static int parse(const struct parser *ps, void *cfg, int argc, char **argv, int n_ini,
		 struct iwa_common_opts *common, enum parse_result *what_out, struct iwa_err *err)
{
	const char *ini_lo = NULL, *ini_hi = NULL;
	char name[80];
	int rc;

	*what_out = PARSE_RUN;
	optind = 0; /* full re-initialisation of glibc's getopt */
	opterr = 0;
	for (;;) {
		int li = -1, opt;
		unsigned long long u;
		bool from_ini;

		opt = getopt_long(argc, argv, ps->shortopts, ps->longopts, &li);
		if (opt == -1)
			break;
		if (li >= 0)
			snprintf(name, sizeof(name), "--%.60s", ps->longopts[li].name);
		else if (opt > 0 && opt <= CHAR_MAX && opt != '?' && opt != ':')
			snprintf(name, sizeof(name), "-%c", opt);
		else
			name[0] = '\0';
		/* an option came from the ini when its element is one of argv[1..n_ini] */
		from_ini = false;
		for (int i = 1; i <= n_ini && i < argc; i++) {
			ini_lo = argv[i];
			ini_hi = argv[i] + strlen(argv[i]);
			if (optarg != NULL && optarg >= ini_lo && optarg <= ini_hi)
				from_ini = true;
		}
		switch (opt) {
		case '?': {
			const char *el = optind > 0 && optind <= argc ? argv[optind - 1] : "";
			const struct option *lo = optopt != 0 ? long_by_val(ps, optopt) : NULL;
			if (strncmp(el, "--", 2) == 0) {
				element_name(el, name, sizeof(name));
				if (optopt != 0 && lo != NULL && strchr(el, '=') != NULL)
					return iwa_err_set(err, IWA_EINVAL, "%s: takes no value",
							   name);
				return iwa_err_set(err, IWA_EINVAL,
						   "%s: unknown or ambiguous option (see --help)",
						   name);
			}
			if (optopt > 0 && optopt <= CHAR_MAX && isgraph(optopt))
				return iwa_err_set(err, IWA_EINVAL,
						   "-%c: unknown option (see --help)", optopt);
			return iwa_err_set(err, IWA_EINVAL, "unknown option (see --help)");
		}
		case ':': {
			const char *el = optind > 0 && optind <= argc ? argv[optind - 1] : "";
			if (strncmp(el, "--", 2) == 0) {
				element_name(el, name, sizeof(name));
				return iwa_err_set(err, IWA_EINVAL, "%s: missing value", name);
			}
			if (optopt > 0 && optopt <= CHAR_MAX && isgraph(optopt))
				return iwa_err_set(err, IWA_EINVAL, "-%c: missing value", optopt);
			return iwa_err_set(err, IWA_EINVAL, "missing value of an option");
		}
		case 'h':
			*what_out = PARSE_HELP;
			return 0;
		case 'V':
			*what_out = PARSE_VERSION;
			return 0;
		case 'v':
			if (common->verbose < 3)
				common->verbose++;
			break;
		case 't':
			rc = iwa_parse_uint(optarg, 1, MAX_TIMEOUT, name, &u, err);
			if (rc < 0) {
				if (strncmp(err->msg, name, strlen(name)) != 0)
					iwa_err_prefix(err, "%s", name);
				return rc;
			}
			common->timeout = (unsigned)u;
			break;
		case IWA_OPT_TIMEOUT_STATE:
			if (iwa_state_parse(optarg, &common->timeout_state) < 0)
				return iwa_err_set(
					err, IWA_EINVAL,
					"%s: '%.40s' is not a state (OK, WARNING, CRITICAL, "
					"UNKNOWN)",
					name, optarg);
			break;
		case IWA_OPT_OUTPUT_FORMAT:
			if (strcmp(optarg, "text") == 0)
				common->format = IWA_FORMAT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				common->format = IWA_FORMAT_JSON;
			else
				return iwa_err_set(err, IWA_EINVAL,
						   "%s: '%.40s' is not a format (text, json)", name,
						   optarg);
			break;
		case IWA_OPT_EXTRA_OPTS:
			return iwa_err_set(err, IWA_EINVAL,
					   "--extra-opts: write the option name in full");
		default:
			if (li >= 0 && is_secret_name(ps->longopts[li].name) && !from_ini)
				return iwa_err_set(
					err, IWA_EINVAL,
					"%s: secrets are not accepted on the command line "
					"(other users see it in ps); put \"%s = ...\" in an "
					"--extra-opts ini file",
					name, ps->longopts[li].name);
			if (ps->p->handle_opt == NULL)
				return iwa_err_set(err, IWA_EINVAL, "%s: not handled", name);
			err->code = 0;
			err->msg[0] = '\0';
			rc = ps->p->handle_opt(cfg, opt, optarg, err);
			if (rc < 0) {
				if (err->msg[0] == '\0')
					iwa_err_set(err, rc, "%s: invalid value", name);
				else if (err->msg[0] != '-' && name[0] != '\0')
					iwa_err_prefix(err, "%s", name);
				if (li >= 0 && is_secret_name(ps->longopts[li].name))
					scrub(err->msg, sizeof(err->msg), optarg);
				return rc;
			}
			break;
		}
	}
	if (optind < argc) {
		const char *a = argv[optind];
		if (strcmp(a, "--") == 0 && optind + 1 < argc)
			a = argv[optind + 1];
		return iwa_err_set(err, IWA_EINVAL,
				   "unexpected argument '%.60s' (this plugin takes no positional "
				   "arguments; see --help)",
				   a);
	}
	return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* the driver                                                                                 */

/* Points fd 2 at /dev/null unless IWA_PLUGIN_STDERR=keep (for debugging): libraries (krb5,
 * Samba, OpenSSL) must not print where the monitoring engine reads the result. */
static void quiet_stderr(void)
{
	const char *keep = getenv("IWA_PLUGIN_STDERR");
	int fd;

	if (keep != NULL && strcmp(keep, "keep") == 0)
		return;
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fd != STDERR_FILENO) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
}

int iwa_plugin_main(const struct iwa_plugin *plugin, void *cfg, int argc, char **argv)
{
	struct iwa_common_opts common = {
		.verbose = 0,
		.timeout = DEFAULT_TIMEOUT,
		.timeout_state = IWA_CRITICAL,
		.format = IWA_FORMAT_TEXT,
	};
	struct iwa_err err = {0, {0}};
	struct parser ps = {0};
	struct iwa_check *root = NULL;
	struct iwa_ctx ctx;
	struct iwa_buf out;
	enum parse_result what = PARSE_RUN;
	enum iwa_state fail_state = IWA_UNKNOWN;
	char **xargv = NULL;
	int xargc = 0, n_ini = 0, rc, code = IWA_UNKNOWN;
	const char *service =
		plugin != NULL && plugin->service != NULL ? plugin->service : "PLUGIN";

	quiet_stderr();
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	signal(SIGPIPE, SIG_IGN);
	iwa_buf_init(&out, OUTPUT_MAX);

	if (plugin == NULL || plugin->name == NULL || plugin->run == NULL) {
		iwa_err_set(&err, IWA_EINVAL, "internal error: incomplete plugin definition");
		goto fail;
	}
	common.format = prescan_format(argc, argv, common.format);
	rc = expand(argc, argv, plugin->name, &xargc, &xargv, &n_ini, &err);
	if (rc < 0)
		goto fail;
	common.format = prescan_format(xargc, xargv, common.format);
	rc = parser_init(&ps, plugin, &err);
	if (rc < 0)
		goto fail;
	rc = parse(&ps, cfg, xargc, xargv, n_ini, &common, &what, &err);
	if (rc < 0)
		goto fail;
	if (what == PARSE_HELP) {
		if (render_help(plugin, &out) < 0)
			render_message(&out, service, IWA_UNKNOWN, "help text too large",
				       IWA_FORMAT_TEXT);
		code = IWA_UNKNOWN;
		goto emit;
	}
	if (what == PARSE_VERSION) {
		iwa_buf_addf(&out, "%s (%s) %s\n", plugin->name, PACKAGE_NAME, PACKAGE_VERSION);
		code = IWA_UNKNOWN;
		goto emit;
	}
	if (plugin->validate != NULL) {
		rc = plugin->validate(cfg, &common, &err);
		if (rc < 0)
			goto fail;
	}
	rc = iwa_budget_arm(common.timeout, common.timeout_state, service, common.format);
	if (rc < 0) {
		iwa_err_set(&err, rc, "internal error: cannot arm the time budget");
		goto fail;
	}
	root = iwa_check_new();
	if (root == NULL) {
		iwa_budget_disarm();
		iwa_err_set(&err, IWA_ENOMEM, "out of memory");
		goto fail;
	}
	err.code = 0;
	err.msg[0] = '\0';
	iwa_ctx_init(&ctx, common.verbose, common.timeout, iwa_budget_start(),
		     iwa_budget_deadline());
	rc = plugin->run(&ctx, cfg, root, &err);
	iwa_ctx_free(&ctx);
	iwa_budget_disarm();
	if (rc < 0) {
		const char *t = iwa_check_text(root);
		if (iwa_check_state(root) == IWA_OK || t == NULL || *t == '\0') {
			fail_state = rc == IWA_ETIMEOUT ? common.timeout_state : IWA_UNKNOWN;
			if (err.msg[0] == '\0')
				iwa_err_set(&err, rc, "internal error (code %d)", rc);
			goto fail;
		}
	}
	code = (int)iwa_check_state(root);
	if (iwa_check_render(root, service, common.format, &out) < 0) {
		iwa_err_set(&err, IWA_ENOMEM, "internal error: the result is too large to render");
		fail_state = IWA_UNKNOWN;
		goto fail;
	}
	goto emit;
fail:
	code = (int)fail_state;
	render_message(&out, service, fail_state, err.msg, common.format);
emit:
	if (out.data != NULL)
		write_all(STDOUT_FILENO, out.data, out.len);
	iwa_buf_free(&out);
	iwa_check_free(root);
	parser_free(&ps);
	iwa_argv_free(xargc, xargv);
	explicit_bzero(&err, sizeof(err));
	return code;
}

int iwa_check_main(const struct iwa_plugin *module, int argc, char **argv)
{
	void *cfg = calloc(1, module->cfg_size > 0 ? module->cfg_size : 1);
	int code;

	if (cfg == NULL) {
		static const char line[] = " UNKNOWN - out of memory\n";

		write_all(STDOUT_FILENO, module->service, strlen(module->service));
		write_all(STDOUT_FILENO, line, sizeof line - 1);
		return IWA_UNKNOWN;
	}
	if (module->cfg_init != NULL)
		module->cfg_init(cfg);
	code = iwa_plugin_main(module, cfg, argc, argv);
	if (module->cfg_free != NULL)
		module->cfg_free(cfg);
	free(cfg);
	return code;
}
