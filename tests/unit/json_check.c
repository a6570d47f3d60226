/* json_check.c — a small strict JSON parser for the unit tests (see json_check.h). */
#include "json_check.h"

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 1000

struct parser {
	const char *s;
	size_t pos;
	char *err;
	size_t errlen;
	bool failed;
};

static void fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records the first error with its byte offset. */
static void fail(struct parser *p, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	if (p->failed)
		return;
	p->failed = true;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (p->err != NULL && p->errlen > 0)
		(void)snprintf(p->err, p->errlen, "offset %zu: %s", p->pos, msg);
}

static void skip_ws(struct parser *p)
{
	while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
	       p->s[p->pos] == '\r')
		p->pos++;
}

static struct jc_value *new_value(enum jc_type t)
{
	struct jc_value *v = calloc(1, sizeof *v);

	if (v != NULL)
		v->type = t;
	return v;
}

void jc_free(struct jc_value *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		if (v->keys != NULL)
			free(v->keys[i]);
		jc_free(v->items[i]);
	}
	free(v->keys);
	free(v->items);
	free(v->str);
	free(v);
}

/* Appends one code point as UTF-8 to out (which has room). Returns bytes written. */
static size_t put_utf8(char *out, unsigned long cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Reads 4 hex digits at p->pos. */
static long read_hex4(struct parser *p)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p->s[p->pos + (size_t)i];
		int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * 16 + d;
	}
	p->pos += 4;
	return v;
}

/* Length of a valid UTF-8 sequence at s, 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		return (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F))
			return 0;
		return 3;
	}
	if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
			return 0;
		if ((s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
			return 0;
		return 4;
	}
	return 0;
}

/* Parses a string literal at p->pos (on the opening quote); returns the decoded copy. */
static char *parse_string(struct parser *p)
{
	size_t cap = strlen(p->s + p->pos) + 1, o = 0;
	char *out = malloc(cap);

	if (out == NULL) {
		fail(p, "out of memory");
		return NULL;
	}
	p->pos++; /* opening quote */
	for (;;) {
		unsigned char c = (unsigned char)p->s[p->pos];

		if (c == '\0') {
			fail(p, "unterminated string");
			goto bad;
		}
		if (c == '"') {
			p->pos++;
			break;
		}
		if (c < 0x20) {
			fail(p, "raw control character 0x%02x in string", c);
			goto bad;
		}
		if (c == '\\') {
			char e = p->s[p->pos + 1];
			long cp;

			p->pos += 2;
			switch (e) {
			case '"':
				out[o++] = '"';
				break;
			case '\\':
				out[o++] = '\\';
				break;
			case '/':
				out[o++] = '/';
				break;
			case 'b':
				out[o++] = '\b';
				break;
			case 'f':
				out[o++] = '\f';
				break;
			case 'n':
				out[o++] = '\n';
				break;
			case 'r':
				out[o++] = '\r';
				break;
			case 't':
				out[o++] = '\t';
				break;
			case 'u':
				cp = read_hex4(p);
				if (cp < 0) {
					fail(p, "bad \\u escape");
					goto bad;
				}
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					long lo;

					if (p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u') {
						fail(p, "unpaired high surrogate");
						goto bad;
					}
					p->pos += 2;
					lo = read_hex4(p);
					if (lo < 0xDC00 || lo > 0xDFFF) {
						fail(p, "bad low surrogate");
						goto bad;
					}
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
					fail(p, "unpaired low surrogate");
					goto bad;
				} else if (cp == 0) {
					fail(p, "\\u0000 not supported by this checker");
					goto bad;
				}
				o += put_utf8(out + o, (unsigned long)cp);
				break;
			default:
				p->pos--;
				fail(p, "bad escape");
				goto bad;
			}
			continue;
		}
		{
			size_t n = utf8_len((const unsigned char *)p->s + p->pos);

			if (n == 0) {
				fail(p, "invalid UTF-8 in string");
				goto bad;
			}
			memcpy(out + o, p->s + p->pos, n);
			o += n;
			p->pos += n;
		}
	}
	out[o] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

/* Parses a number per the JSON grammar, converted in the C locale. */
static struct jc_value *parse_number(struct parser *p)
{
	size_t start = p->pos;
	const char *s = p->s;
	struct jc_value *v;
	locale_t c_loc;
	char buf[128];
	size_t len;

	if (s[p->pos] == '-')
		p->pos++;
	if (s[p->pos] == '0') {
		p->pos++;
		if (s[p->pos] >= '0' && s[p->pos] <= '9') {
			fail(p, "leading zero");
			return NULL;
		}
	} else if (s[p->pos] >= '1' && s[p->pos] <= '9') {
		while (s[p->pos] >= '0' && s[p->pos] <= '9')
			p->pos++;
	} else {
		fail(p, "bad number");
		return NULL;
	}
	if (s[p->pos] == '.') {
		p->pos++;
		if (!(s[p->pos] >= '0' && s[p->pos] <= '9')) {
			fail(p, "digit expected after '.'");
			return NULL;
		}
		while (s[p->pos] >= '0' && s[p->pos] <= '9')
			p->pos++;
	}
	if (s[p->pos] == 'e' || s[p->pos] == 'E') {
		p->pos++;
		if (s[p->pos] == '+' || s[p->pos] == '-')
			p->pos++;
		if (!(s[p->pos] >= '0' && s[p->pos] <= '9')) {
			fail(p, "digit expected in exponent");
			return NULL;
		}
		while (s[p->pos] >= '0' && s[p->pos] <= '9')
			p->pos++;
	}
	len = p->pos - start;
	if (len >= sizeof buf) {
		fail(p, "number too long for this checker");
		return NULL;
	}
	memcpy(buf, s + start, len);
	buf[len] = '\0';
	v = new_value(JC_NUM);
	if (v == NULL) {
		fail(p, "out of memory");
		return NULL;
	}
	c_loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (c_loc == (locale_t)0) {
		free(v);
		fail(p, "no C locale");
		return NULL;
	}
	v->num = strtod_l(buf, NULL, c_loc);
	freelocale(c_loc);
	return v;
}

static struct jc_value *parse_value(struct parser *p, int depth);

/* Appends item (and key) to a container. */
static bool push(struct parser *p, struct jc_value *c, char *key, struct jc_value *item)
{
	struct jc_value **items = realloc(c->items, (c->n + 1) * sizeof *items);

	if (items == NULL)
		goto oom;
	c->items = items;
	if (c->type == JC_OBJ) {
		char **keys = realloc(c->keys, (c->n + 1) * sizeof *keys);

		if (keys == NULL)
			goto oom;
		c->keys = keys;
		c->keys[c->n] = key;
	}
	c->items[c->n++] = item;
	return true;
oom:
	fail(p, "out of memory");
	free(key);
	jc_free(item);
	return false;
}

/* Parses an array or object at p->pos (on '[' or '{'). */
static struct jc_value *parse_container(struct parser *p, int depth, bool obj)
{
	struct jc_value *c = new_value(obj ? JC_OBJ : JC_ARR);
	char close = obj ? '}' : ']';

	if (c == NULL) {
		fail(p, "out of memory");
		return NULL;
	}
	p->pos++;
	skip_ws(p);
	if (p->s[p->pos] == close) {
		p->pos++;
		return c;
	}
	for (;;) {
		char *key = NULL;
		struct jc_value *item;

		skip_ws(p);
		if (obj) {
			if (p->s[p->pos] != '"') {
				fail(p, "object key expected");
				goto bad;
			}
			key = parse_string(p);
			if (key == NULL)
				goto bad;
			if (jc_get(c, key) != NULL) {
				fail(p, "duplicate key \"%s\"", key);
				free(key);
				goto bad;
			}
			skip_ws(p);
			if (p->s[p->pos] != ':') {
				fail(p, "':' expected");
				free(key);
				goto bad;
			}
			p->pos++;
		}
		item = parse_value(p, depth + 1);
		if (item == NULL) {
			free(key);
			goto bad;
		}
		if (!push(p, c, key, item))
			goto bad;
		skip_ws(p);
		if (p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->s[p->pos] == close) {
			p->pos++;
			return c;
		}
		fail(p, "',' or '%c' expected", close);
		goto bad;
	}
bad:
	jc_free(c);
	return NULL;
}

static struct jc_value *parse_value(struct parser *p, int depth)
{
	struct jc_value *v;
	char c;

	if (depth > MAX_DEPTH) {
		fail(p, "nesting too deep");
		return NULL;
	}
	skip_ws(p);
	c = p->s[p->pos];
	if (c == '{' || c == '[')
		return parse_container(p, depth, c == '{');
	if (c == '"') {
		char *s = parse_string(p);

		if (s == NULL)
			return NULL;
		v = new_value(JC_STR);
		if (v == NULL) {
			free(s);
			fail(p, "out of memory");
			return NULL;
		}
		v->str = s;
		return v;
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return parse_number(p);
	if (strncmp(p->s + p->pos, "true", 4) == 0 || strncmp(p->s + p->pos, "false", 5) == 0) {
		v = new_value(JC_BOOL);
		if (v == NULL) {
			fail(p, "out of memory");
			return NULL;
		}
		v->b = c == 't';
		p->pos += v->b ? 4 : 5;
		return v;
	}
	if (strncmp(p->s + p->pos, "null", 4) == 0) {
		v = new_value(JC_NULL);
		if (v == NULL)
			fail(p, "out of memory");
		p->pos += 4;
		return v;
	}
	fail(p, "value expected");
	return NULL;
}

struct jc_value *jc_parse(const char *text, char *err, size_t errlen)
{
	struct parser p = {.s = text, .pos = 0, .err = err, .errlen = errlen, .failed = false};
	struct jc_value *v;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (text == NULL) {
		fail(&p, "no text");
		return NULL;
	}
	v = parse_value(&p, 0);
	if (v == NULL)
		return NULL;
	skip_ws(&p);
	if (p.s[p.pos] != '\0') {
		fail(&p, "trailing data after the value");
		jc_free(v);
		return NULL;
	}
	return v;
}

const struct jc_value *jc_get(const struct jc_value *v, const char *key)
{
	if (v == NULL || v->type != JC_OBJ || key == NULL)
		return NULL;
	for (size_t i = 0; i < v->n; i++) {
		if (strcmp(v->keys[i], key) == 0)
			return v->items[i];
	}
	return NULL;
}

const struct jc_value *jc_at(const struct jc_value *v, size_t i)
{
	if (v == NULL || v->type != JC_ARR || i >= v->n)
		return NULL;
	return v->items[i];
}

const char *jc_get_str(const struct jc_value *v, const char *key)
{
	const struct jc_value *m = jc_get(v, key);

	return m != NULL && m->type == JC_STR ? m->str : NULL;
}

double jc_get_num(const struct jc_value *v, const char *key)
{
	const struct jc_value *m = jc_get(v, key);

	return m != NULL && m->type == JC_NUM ? m->num : NAN;
}
