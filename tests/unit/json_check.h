/* json_check.h — a small strict JSON parser (RFC 8259) for the unit tests only.
 *
 * Strict: one value and nothing but whitespace after it, no trailing commas, no leading zeros,
 * no raw control characters or invalid UTF-8 in strings, valid escapes only (surrogates must
 * pair), no duplicate keys in an object, nesting at most 1000 deep. Numbers are converted in
 * the C locale whatever the process locale. */
#ifndef IWA_JSON_CHECK_H
#define IWA_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>

enum jc_type { JC_NULL, JC_BOOL, JC_NUM, JC_STR, JC_ARR, JC_OBJ };

struct jc_value {
	enum jc_type type;
	bool b;
	double num;
	char *str;   /* JC_STR: decoded UTF-8 (NUL-terminated; \u0000 refused) */
	size_t n;    /* JC_ARR/JC_OBJ: number of items */
	char **keys; /* JC_OBJ */
	struct jc_value **items;
};

/* Parses text; returns the tree (free with jc_free) or NULL with a message in err. */
struct jc_value *jc_parse(const char *text, char *err, size_t errlen);
void jc_free(struct jc_value *v);
/* Member of an object (NULL if v is not an object or has no such key). */
const struct jc_value *jc_get(const struct jc_value *v, const char *key);
/* Item i of an array (NULL if out of range or not an array). */
const struct jc_value *jc_at(const struct jc_value *v, size_t i);
/* Convenience: string member or NULL; number member or NaN. */
const char *jc_get_str(const struct jc_value *v, const char *key);
double jc_get_num(const struct jc_value *v, const char *key);

#endif
