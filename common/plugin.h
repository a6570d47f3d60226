/* plugin.h — the one driver every plugin's main() calls, and the options common to all.
 *
 *   int main(int argc, char **argv) { struct cfg c; cfg_init(&c);
 *       int rc = iwa_plugin_main(&my_plugin, &c, argc, argv); cfg_free(&c); return rc; }
 *
 * iwa_plugin_main: setlocale(LC_ALL,"") then LC_NUMERIC "C"; expands --extra-opts; parses the
 * common options and hands every other one to plugin->handle_opt; -h/-V print and return 3;
 * runs plugin->validate; arms the time budget from -t; makes the run context (ctx.h) with
 * that deadline and -v; calls plugin->run(ctx, cfg, root); frees the context; renders the tree to
 * stdout (text or JSON) and returns the exit code. Any error before or during run becomes ONE
 * line "<SERVICE> UNKNOWN - <message>" (or JSON) on stdout and exit 3. Nothing on stderr.
 *
 * Common options (reserved; plugins must not reuse their letters):
 *   -h --help, -V --version, -v --verbose (repeatable, max 3), -t --timeout SECONDS (default 15),
 *   --timeout-state STATE (default CRITICAL), --output-format text|json (default text),
 *   --extra-opts [section@]file  (ini; default section = the plugin's name without "check_";
 *   each "key = value" line becomes --key=value placed BEFORE the command line's options, so the
 *   command line wins; a "key" line without value becomes --key) */
#ifndef IWA_PLUGIN_H
#define IWA_PLUGIN_H

#include "ctx.h"
#include "iwa.h"
#include "output.h"
#include <getopt.h>
#include <limits.h>

/* Long-only plugin options take values from IWA_OPT_PLUGIN upward. */
enum {
	IWA_OPT_TIMEOUT_STATE = CHAR_MAX + 1,
	IWA_OPT_OUTPUT_FORMAT,
	IWA_OPT_EXTRA_OPTS,
	IWA_OPT_PLUGIN = CHAR_MAX + 32,
};

struct iwa_common_opts {
	int verbose;      /* 0..3 */
	unsigned timeout; /* seconds */
	enum iwa_state timeout_state;
	enum iwa_format format;
};

struct iwa_plugin {
	const char *name;      /* "check_spn_unique" (also the default --extra-opts section) */
	const char *service;   /* "SPN_UNIQUE": first word of the status line */
	const char *shortopts; /* plugin's own short options, getopt syntax */
	const struct option *longopts; /* plugin's own, terminated by {0,0,0,0} */
	/* Help text, each printed as is (wrap at 79 columns, end lines with \n): */
	const char *purpose;      /* one paragraph: what it checks and why */
	const char *usage;        /* "Usage: check_x -H HOST ..." lines */
	const char *options_help; /* the plugin's options, each with its default */
	const char *notes;        /* states, thresholds, anything else; may be NULL */
	const char *examples;     /* real command lines with what they print */
	/* Handles one plugin option. Returns 0, or IWA_EINVAL with err naming the option. */
	int (*handle_opt)(void *cfg, int opt, const char *arg, struct iwa_err *err);
	/* Cross-option rules after parsing; may be NULL. */
	int (*validate)(void *cfg, const struct iwa_common_opts *common, struct iwa_err *err);
	/* Does the check: fills root (state, summary text, subchecks, perfdata) with the run
	 * context's deadline, credentials and connections (ctx.h). Returns 0, or a negative code
	 * with err set when the check could not run (-> UNKNOWN with err's message, unless root
	 * already carries a non-OK state and text, which is then rendered). */
	int (*run)(struct iwa_ctx *ctx, void *cfg, struct iwa_check *root, struct iwa_err *err);
	/* The config's size and its defaults/release, for iwa_check_main (may be 0/NULL when a
	 * caller keeps its own config and calls iwa_plugin_main). */
	size_t cfg_size;
	void (*cfg_init)(void *cfg);
	void (*cfg_free)(void *cfg);
};

int iwa_plugin_main(const struct iwa_plugin *plugin, void *cfg, int argc, char **argv);
/* The whole main() of an executable over one check module: allocates the module's config,
 * sets its defaults, runs iwa_plugin_main, frees. */
int iwa_check_main(const struct iwa_plugin *module, int argc, char **argv);

/* Exposed for unit tests: expands --extra-opts into a new argv (caller frees with
 * iwa_argv_free). section_default is used when the option names no section. */
int iwa_extra_opts_expand(int argc, char **argv, const char *section_default, int *argc_out,
			  char ***argv_out, struct iwa_err *err);
void iwa_argv_free(int argc, char **argv);

/* The pure ini parser behind --extra-opts (no I/O; fuzzed by tests/fuzz/fuzz_ini.c). Appends
 * one "--name=value" (or "--name") string to (*argc_io, *argv_io) for each entry of the
 * sections listed in `sections` (NULL-terminated); *found_out tells whether such a section
 * exists. Comments: lines starting with '#' or ';'. Values may be "double-quoted" (\" and \\
 * escapes) or 'single-quoted'. Messages name `source` and the line number, never a value. */
int iwa_ini_to_args(const char *text, size_t len, const char *const *sections, const char *source,
		    int *argc_io, char ***argv_io, bool *found_out, struct iwa_err *err);

#endif
