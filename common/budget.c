/* budget.c — the one time budget of a plugin run (-t), see budget.h.
 *
 * Soft deadline: arm time + the -t seconds. Network calls are given what is left of it and
 * fail with a named cause when a server is slow. Backstop: ITIMER_REAL fires BACKSTOP_MS after
 * the soft deadline (so a plugin always exits within -t + 1 s, even if a library call ignores
 * its timeout); its handler only write(2)s a line rendered at arm time and _exit()s.
 *
 * Note for I/O wrappers: ITIMER_REAL is the timer alarm() uses. Libraries must not use
 * alarm()/SIGALRM themselves (libcurl: set CURLOPT_NOSIGNAL=1). */
#include "budget.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* How long after the soft deadline the backstop fires. */
#define BACKSTOP_MS 500
/* What iwa_budget_remaining_ms() answers before arm: a day. */
#define UNARMED_REMAINING_MS (86400L * 1000L)
/* The precomputed line must fit here (the JSON form of one message is small). */
#define LINE_MAX_BYTES 2048

static double start_s;
static double deadline_s;
static bool armed;
static char timeout_line[LINE_MAX_BYTES];
static size_t timeout_line_len;
static volatile sig_atomic_t timeout_code = IWA_CRITICAL;
/* A file the backstop removes before exiting ("" = none); see iwa_budget_cleanup_path(). */
static char cleanup_path[4096];
static volatile sig_atomic_t cleanup_set;

double iwa_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* SIGALRM handler: async-signal-safe only (write(2) and _exit). Writes the line prepared at
 * arm time to stdout and exits with the --timeout-state code. */
static void on_alarm(int sig)
{
	size_t off = 0;

	(void)sig;
	if (cleanup_set)
		(void)unlink(cleanup_path);
	while (off < timeout_line_len) {
		ssize_t n = write(STDOUT_FILENO, timeout_line + off, timeout_line_len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	_exit(timeout_code);
}

/* Renders the timeout line into the static buffer. Returns 0 or a negative IWA_E* code. */
static int prepare_line(unsigned seconds, enum iwa_state st, const char *service,
			enum iwa_format fmt)
{
	struct iwa_buf msg, line;
	int rc;

	iwa_buf_init(&msg, 256);
	iwa_buf_init(&line, LINE_MAX_BYTES - 1);
	rc = iwa_buf_addf(&msg, "plugin timed out after %u s (-t %u)", seconds, seconds);
	if (rc < 0)
		goto cleanup;
	rc = iwa_render_message(service, st, msg.data, fmt, &line);
	if (rc < 0)
		goto cleanup;
	if (line.len == 0 || line.len >= sizeof(timeout_line)) {
		rc = IWA_ENOMEM;
		goto cleanup;
	}
	memcpy(timeout_line, line.data, line.len);
	timeout_line_len = line.len;
	rc = 0;
cleanup:
	iwa_buf_free(&msg);
	iwa_buf_free(&line);
	return rc;
}

int iwa_budget_arm(unsigned seconds, enum iwa_state timeout_state, const char *service,
		   enum iwa_format fmt)
{
	struct sigaction sa;
	struct itimerval it;
	unsigned long long ms;
	int rc;

	if (seconds < 1 || service == NULL || (unsigned)timeout_state > IWA_UNKNOWN)
		return IWA_EINVAL;
	iwa_budget_disarm();
	rc = prepare_line(seconds, timeout_state, service, fmt);
	if (rc < 0)
		return rc;
	timeout_code = (sig_atomic_t)timeout_state;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) != 0)
		return IWA_EIO;

	start_s = iwa_now();
	deadline_s = start_s + (double)seconds;
	armed = true;

	ms = (unsigned long long)seconds * 1000ULL + BACKSTOP_MS;
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = (time_t)(ms / 1000ULL);
	it.it_value.tv_usec = (suseconds_t)((ms % 1000ULL) * 1000ULL);
	if (setitimer(ITIMER_REAL, &it, NULL) != 0) {
		armed = false;
		return IWA_EIO;
	}
	return 0;
}

long iwa_deadline_remaining_ms(double deadline)
{
	double left = deadline - iwa_now();

	if (left <= 0.0)
		return 0;
	return (long)(left * 1000.0);
}

bool iwa_deadline_timeval(double deadline, struct timeval *tv)
{
	long ms = iwa_deadline_remaining_ms(deadline);

	if (ms <= 0)
		return false;
	tv->tv_sec = ms / 1000;
	tv->tv_usec = (ms % 1000) * 1000;
	return true;
}

double iwa_budget_deadline(void)
{
	return armed ? deadline_s : iwa_now() + (double)UNARMED_REMAINING_MS / 1000.0;
}

double iwa_budget_start(void)
{
	return start_s;
}

long iwa_budget_remaining_ms(void)
{
	if (!armed)
		return UNARMED_REMAINING_MS;
	return iwa_deadline_remaining_ms(deadline_s);
}

bool iwa_budget_expired(void)
{
	return armed && iwa_now() >= deadline_s;
}

double iwa_budget_elapsed(void)
{
	if (!armed && start_s == 0.0)
		return 0.0;
	return iwa_now() - start_s;
}

bool iwa_budget_timeval(struct timeval *tv)
{
	if (!armed)
		return iwa_deadline_timeval(iwa_budget_deadline(), tv);
	return iwa_deadline_timeval(deadline_s, tv);
}

int iwa_budget_cleanup_path(const char *path)
{
	size_t n = path != NULL ? strlen(path) : 0;

	if (n >= sizeof cleanup_path)
		return IWA_EINVAL;
	/* SIGALRM may fire meanwhile: the handler uses the path only while cleanup_set is 1,
	 * and the fences keep the copy between the two flag writes. */
	cleanup_set = 0;
	atomic_signal_fence(memory_order_seq_cst);
	if (n == 0)
		return 0;
	memcpy(cleanup_path, path, n + 1);
	atomic_signal_fence(memory_order_seq_cst);
	cleanup_set = 1;
	return 0;
}

void iwa_budget_disarm(void)
{
	struct itimerval it;
	struct sigaction sa;

	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	/* A SIGALRM already pending must not print a timeout line after the real result. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	armed = false;
}
