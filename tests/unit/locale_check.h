/* locale_check.h — switch a unit test into a locale with ',' as decimal point.
 *
 * Uses de_DE.UTF-8 when the system has it, otherwise the locale "iwa_comma" that
 * tests/unit/local.am builds with localedef from tests/unit/fixtures/iwa_comma.locale into
 * <dir of the test program>/locale (LOCPATH). Either way the test then runs with ',' decimals,
 * on any machine: no skip. */
#ifndef IWA_LOCALE_CHECK_H
#define IWA_LOCALE_CHECK_H

#include <libgen.h>
#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* setlocale(LC_ALL, <comma locale>): de_DE.UTF-8 if installed, else the generated iwa_comma
 * (through LOCPATH; setlocale, not newlocale, which leaks its path list in glibc 2.36 when
 * LOCPATH is set). Returns true when the decimal point is now ','. */
static inline bool enter_comma_locale(void)
{
	static char locpath[PATH_MAX + 16];
	char exe[PATH_MAX];
	const struct lconv *lc;
	const char *ok;
	ssize_t n;

	ok = setlocale(LC_ALL, "de_DE.UTF-8");
	if (ok == NULL) {
		n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		if (n <= 0)
			return false;
		exe[n] = '\0';
		if (snprintf(locpath, sizeof locpath, "%s/locale", dirname(exe)) >=
		    (int)sizeof locpath)
			return false;
		if (setenv("LOCPATH", locpath, 1) != 0)
			return false;
		ok = setlocale(LC_ALL, "iwa_comma");
		(void)unsetenv("LOCPATH");
	}
	if (ok == NULL)
		return false;
	lc = localeconv();
	return lc != NULL && strcmp(lc->decimal_point, ",") == 0;
}

static inline void leave_comma_locale(void)
{
	(void)setlocale(LC_ALL, "C");
}

/* A locale object with ',' decimals for uselocale() (free with freelocale), or (locale_t)0.
 * The global locale is "C" afterwards. */
static inline locale_t comma_locale_dup(void)
{
	locale_t l = (locale_t)0;

	if (enter_comma_locale())
		l = duplocale(LC_GLOBAL_LOCALE);
	leave_comma_locale();
	return l;
}

#endif
