/* budget.h — the one time budget of a plugin run (-t).
 *
 * iwa_budget_arm() starts the clock. Every network call asks iwa_budget_remaining_ms() and
 * passes that as its own timeout, so a slow server produces a named, clean failure. As a
 * backstop, an interval timer fires shortly after the budget; its handler only write(2)s a
 * line prepared at arm time ("<SERVICE> <STATE> - timed out after N s ...", or its JSON form)
 * and _exit()s with the --timeout-state code: the plugin always exits within -t + 1 s. */
#ifndef IWA_BUDGET_H
#define IWA_BUDGET_H

#include "iwa.h"
#include "output.h"
#include <sys/time.h>

/* Arms the budget of `seconds` (>= 1). Returns 0 or IWA_EINVAL. */
int iwa_budget_arm(unsigned seconds, enum iwa_state timeout_state, const char *service,
		   enum iwa_format fmt);
/* Milliseconds left before the soft deadline; 0 when it has passed. Before arm: a large value. */
long iwa_budget_remaining_ms(void);
bool iwa_budget_expired(void);
/* Seconds since arm (monotonic), for timings. */
double iwa_budget_elapsed(void);
/* Monotonic clock in seconds, for measuring one step. */
double iwa_now(void);
/* The remaining budget as a struct timeval, for library calls that take one (LDAP).
 * Returns false when the budget has run out. */
bool iwa_budget_timeval(struct timeval *tv);
/* The deadline as a value: monotonic seconds (iwa_now()) at which -t runs out. The driver reads
 * it once after arming and hands it to the run context (ctx.h); everything below the driver
 * asks the context, or takes the deadline as an argument, instead of the global above. */
double iwa_budget_deadline(void);
/* When the budget was armed (iwa_now() seconds), for the context's elapsed time. */
double iwa_budget_start(void);
/* Milliseconds left before `deadline`; 0 when it has passed. */
long iwa_deadline_remaining_ms(double deadline);
/* The time left before `deadline` as a struct timeval; false when it has passed. */
bool iwa_deadline_timeval(double deadline, struct timeval *tv);
/* Registers one file that the backstop removes (unlink(2), async-signal-safe) before it
 * exits, so a private credential cache never outlives a run cut off by -t. NULL clears it.
 * The path is copied; returns 0 or IWA_EINVAL when it is too long. */
int iwa_budget_cleanup_path(const char *path);
/* Disarms the backstop (before rendering the final result). */
void iwa_budget_disarm(void);

#endif
