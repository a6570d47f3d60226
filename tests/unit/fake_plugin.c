/* fake_plugin.c — check_fake, a plugin built only for `make check` (never installed) that
 * exercises the driver (common/plugin.c) and the time budget (common/budget.c):
 *   --value N with -w/-c ranges, --state STATE, --perf, --name TEXT, --password (ini only),
 *   --sleep SECONDS (ignores the budget, like a library call that never times out),
 *   --sleep-honour (sleeps at most the remaining budget, then fails with IWA_ETIMEOUT),
 *   --fail (run fails: UNKNOWN with the message). */
#include "budget.h"
#include "plugin.h"
#include "range.h"
#include "util.h"

#include <errno.h>
#include <string.h>
#include <time.h>

enum {
	OPT_SLEEP = IWA_OPT_PLUGIN,
	OPT_SLEEP_HONOUR,
	OPT_STATE,
	OPT_PERF,
	OPT_VALUE,
	OPT_NAME,
	OPT_PASSWORD,
	OPT_FAIL,
};

struct fake_cfg {
	double sleep_s;
	bool sleep_honour;
	bool has_state;
	enum iwa_state state;
	bool perf;
	bool has_value;
	double value;
	struct iwa_thresholds th;
	const char *name;
	const char *password;
	bool fail;
};

static const struct option fake_longopts[] = {
	{"sleep", required_argument, NULL, OPT_SLEEP},
	{"sleep-honour", no_argument, NULL, OPT_SLEEP_HONOUR},
	{"state", required_argument, NULL, OPT_STATE},
	{"perf", no_argument, NULL, OPT_PERF},
	{"value", required_argument, NULL, OPT_VALUE},
	{"warning", required_argument, NULL, 'w'},
	{"critical", required_argument, NULL, 'c'},
	{"name", required_argument, NULL, OPT_NAME},
	{"password", required_argument, NULL, OPT_PASSWORD},
	{"fail", no_argument, NULL, OPT_FAIL},
	{NULL, 0, NULL, 0},
};

static int fake_opt(void *vcfg, int opt, const char *arg, struct iwa_err *err)
{
	struct fake_cfg *cfg = vcfg;
	int rc;

	switch (opt) {
	case OPT_SLEEP:
		rc = iwa_parse_double(arg, "--sleep", &cfg->sleep_s, err);
		if (rc == 0 && (cfg->sleep_s < 0 || cfg->sleep_s > 3600))
			rc = iwa_err_set(err, IWA_EINVAL, "--sleep: must be 0..3600 seconds");
		return rc;
	case OPT_SLEEP_HONOUR:
		cfg->sleep_honour = true;
		return 0;
	case OPT_STATE:
		cfg->has_state = true;
		if (iwa_state_parse(arg, &cfg->state) < 0)
			return iwa_err_set(err, IWA_EINVAL, "--state: '%s' is not a state", arg);
		return 0;
	case OPT_PERF:
		cfg->perf = true;
		return 0;
	case OPT_VALUE:
		cfg->has_value = true;
		return iwa_parse_double(arg, "--value", &cfg->value, err);
	case 'w':
		cfg->th.has_warn = true;
		rc = iwa_range_parse(arg, &cfg->th.warn, err);
		if (rc < 0)
			iwa_err_prefix(err, "-w");
		return rc;
	case 'c':
		cfg->th.has_crit = true;
		rc = iwa_range_parse(arg, &cfg->th.crit, err);
		if (rc < 0)
			iwa_err_prefix(err, "-c");
		return rc;
	case OPT_NAME:
		cfg->name = arg;
		return 0;
	case OPT_PASSWORD:
		if (strlen(arg) < 4)
			return iwa_err_set(err, IWA_EINVAL, "--password: '%s' is too short", arg);
		cfg->password = arg;
		return 0;
	case OPT_FAIL:
		cfg->fail = true;
		return 0;
	default:
		return iwa_err_set(err, IWA_EINVAL, "unhandled option");
	}
}

static int fake_validate(void *vcfg, const struct iwa_common_opts *common, struct iwa_err *err)
{
	const struct fake_cfg *cfg = vcfg;

	(void)common;
	if ((cfg->th.has_warn || cfg->th.has_crit) && !cfg->has_value)
		return iwa_err_set(err, IWA_EINVAL, "-w/-c: need --value");
	return 0;
}

/* Sleeps s seconds on the monotonic clock, resuming after signals. */
static void sleep_for(double s)
{
	struct timespec ts;
	double until = iwa_now() + s;

	for (;;) {
		double left = until - iwa_now();
		if (left <= 0)
			return;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		if (nanosleep(&ts, NULL) == 0)
			return;
		if (errno != EINTR)
			return;
	}
}

static int fake_run(struct iwa_ctx *ctx, void *vcfg, struct iwa_check *root, struct iwa_err *err)
{
	const struct fake_cfg *cfg = vcfg;
	struct iwa_check *sub;

	if (cfg->fail)
		return iwa_err_set(err, IWA_EIO, "fake failure requested with --fail");
	if (cfg->sleep_s > 0) {
		if (cfg->sleep_honour) {
			double left = (double)iwa_ctx_remaining_ms(ctx) / 1000.0;
			if (cfg->sleep_s > left) {
				sleep_for(left);
				return iwa_err_set(
					err, IWA_ETIMEOUT,
					"sleep of %g s cut off by the time budget (-t %u)",
					cfg->sleep_s, ctx->timeout);
			}
		}
		sleep_for(cfg->sleep_s);
	}
	if (iwa_check_set_text(root, "fake check%s%s%s", cfg->name != NULL ? " '" : "",
			       cfg->name != NULL ? cfg->name : "",
			       cfg->name != NULL ? "'" : "") < 0)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	if (cfg->has_state)
		iwa_check_set_state(root, cfg->state);
	if (cfg->has_value) {
		enum iwa_state st = iwa_thresholds_state(&cfg->th, cfg->value);
		sub = iwa_check_add(root, st, "value is %g", cfg->value);
		if (sub == NULL ||
		    iwa_check_perf(sub, "value", cfg->value, "", &cfg->th, NULL, NULL) < 0)
			return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	}
	if (cfg->password != NULL) {
		if (iwa_check_add(root, IWA_OK, "password set (%zu characters)",
				  strlen(cfg->password)) == NULL)
			return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	}
	if (ctx->verbose > 0 &&
	    iwa_check_add_line(root, "verbosity %d, timeout %u s", ctx->verbose, ctx->timeout) < 0)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	if (cfg->perf) {
		double min = 0, max = 10;
		if (iwa_check_perf(root, "response time", 0.25, "s", NULL, &min, &max) < 0 ||
		    iwa_check_perf(root, "count", 3, "", NULL, NULL, NULL) < 0)
			return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	}
	return 0;
}

static const struct iwa_plugin fake_plugin = {
	.name = "check_fake",
	.service = "FAKE",
	.shortopts = "w:c:",
	.longopts = fake_longopts,
	.purpose = "A fake plugin for the tests of the iwa-plugins driver: it checks nothing and\n"
		   "reports what its options ask for.\n",
	.usage = "Usage: check_fake [--value N [-w RANGE] [-c RANGE]] [--state STATE] [--perf]\n"
		 "                  [--sleep SECONDS [--sleep-honour]] [--name TEXT] [--fail]\n",
	.options_help = " --value=N\n"
			"    The number compared with -w and -c (default: none).\n"
			" -w, --warning=RANGE / -c, --critical=RANGE\n"
			"    Nagios ranges for --value (default: none).\n"
			" --state=STATE\n"
			"    Own state of the result (default: OK).\n"
			" --perf\n"
			"    Add two perfdata items (default: none).\n"
			" --sleep=SECONDS\n"
			"    Sleep before answering, ignoring the time budget (default: 0).\n"
			" --sleep-honour\n"
			"    Sleep at most the remaining budget, then fail with a timeout.\n"
			" --name=TEXT\n"
			"    Shown in the summary (default: none).\n"
			" --password=SECRET\n"
			"    Only from --extra-opts; never printed (default: none).\n"
			" --fail\n"
			"    Fail as if the check could not run (UNKNOWN).\n",
	.notes = "Built for `make check` only; never installed.\n",
	.examples = "  check_fake --value 5 -w 10 -c 20\n"
		    "  FAKE OK - fake check | value=5;10;20\n",
	.handle_opt = fake_opt,
	.validate = fake_validate,
	.run = fake_run,
};

int main(int argc, char **argv)
{
	struct fake_cfg cfg;

	memset(&cfg, 0, sizeof(cfg));
	return iwa_plugin_main(&fake_plugin, &cfg, argc, argv);
}
