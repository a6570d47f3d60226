/* iwa.h — common definitions for iwa-plugins: states, error struct, version.
 *
 * Conventions for all of common/:
 *  - public names carry the iwa_ prefix; functions return 0 on success or a negative
 *    IWA_E* code and fill a struct iwa_err; nothing in common/ ever exits or prints;
 *  - output parameters end in _out and are set only on success;
 *  - release functions accept NULL. */
#ifndef IWA_H
#define IWA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum iwa_state { IWA_OK = 0, IWA_WARNING = 1, IWA_CRITICAL = 2, IWA_UNKNOWN = 3 };

/* Error codes (negative). The message in struct iwa_err says what happened in words. */
enum {
	IWA_EOK = 0,
	IWA_EINVAL = -1,   /* bad argument / bad input */
	IWA_ENOMEM = -2,   /* out of memory or a size cap was hit */
	IWA_EIO = -3,      /* I/O or protocol failure talking to a server */
	IWA_ETIMEOUT = -4, /* the time budget ran out */
	IWA_EAUTH = -5,    /* our own credentials are unusable */
	IWA_ENOTFOUND = -6,
	IWA_EPARSE = -7, /* malformed outside data */
	IWA_ELIMIT = -8, /* a server's answer goes past one of our caps (broken or hostile) */
};

#define IWA_ERR_MAX 1024
struct iwa_err {
	int code;
	char msg[IWA_ERR_MAX];
};

/* Sets err->code and formats err->msg (truncated to fit); returns code. err may be NULL. */
int iwa_err_set(struct iwa_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefixes err->msg with "prefix: " (keeps the code). */
void iwa_err_prefix(struct iwa_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *iwa_state_name(enum iwa_state s);
/* Parses a state name (case-insensitive, also 0-3); returns 0 or IWA_EINVAL. */
int iwa_state_parse(const char *s, enum iwa_state *out);
/* Worst of two states by monitoring precedence: CRITICAL > WARNING > UNKNOWN > OK. */
enum iwa_state iwa_state_worst(enum iwa_state a, enum iwa_state b);

#endif
