/* gpttmpl.c — GptTmpl.inf and GPT.INI: text decoding, INF parsing, user-rights lists. */
#include "gpttmpl.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *iwa_text_enc_name(enum iwa_text_enc e)
{
	switch (e) {
	case IWA_ENC_UTF8:
		return "UTF-8";
	case IWA_ENC_UTF8_BOM:
		return "UTF-8 with BOM";
	case IWA_ENC_UTF16LE_BOM:
		return "UTF-16LE with BOM";
	case IWA_ENC_UTF16BE_BOM:
		return "UTF-16BE with BOM";
	case IWA_ENC_UTF16LE:
		return "UTF-16LE without BOM";
	case IWA_ENC_ANSI:
		return "ANSI (Windows-1252)";
	}
	return "?";
}

/* Windows-1252 0x80..0x9F (0 = undefined, mapped to U+FFFD). */
static const uint16_t cp1252[32] = {
	0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
	0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
	0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

/* Appends code point cp as UTF-8. */
static int put_utf8(struct iwa_buf *b, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | cp >> 18);
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return iwa_buf_add(b, u, n);
}

/* True when p[0..len) is valid UTF-8 (no overlongs, no surrogates). */
static bool valid_utf8(const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = p[i];
		size_t n;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0)
			n = 1, cp = c & 0x1F;
		else if ((c & 0xF0) == 0xE0)
			n = 2, cp = c & 0x0F;
		else if ((c & 0xF8) == 0xF0)
			n = 3, cp = c & 0x07;
		else
			return false;
		if (len - i <= n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3F);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += n + 1;
	}
	return true;
}

/* Decodes UTF-16 (be = big endian) code units into b. */
static int decode_utf16(const uint8_t *p, size_t len, bool be, struct iwa_buf *b)
{
	size_t n = len / 2;

	for (size_t i = 0; i < n; i++) {
		uint32_t u = be ? (uint32_t)(p[2 * i] << 8 | p[2 * i + 1])
				: (uint32_t)(p[2 * i] | p[2 * i + 1] << 8);
		if (u == 0)
			return IWA_EPARSE;
		if (u >= 0xD800 && u <= 0xDBFF && i + 1 < n) {
			uint32_t lo = be ? (uint32_t)(p[2 * i + 2] << 8 | p[2 * i + 3])
					 : (uint32_t)(p[2 * i + 2] | p[2 * i + 3] << 8);
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
				i++;
			} else
				u = 0xFFFD;
		} else if (u >= 0xD800 && u <= 0xDFFF)
			u = 0xFFFD;
		if (put_utf8(b, u) != 0)
			return IWA_ENOMEM;
	}
	return 0;
}

/* See header: BOM first, then the UTF-16LE heuristic, then UTF-8, else Windows-1252. */
int iwa_text_decode(const uint8_t *data, size_t len, char **utf8_out, enum iwa_text_enc *enc_out,
		    struct iwa_err *err)
{
	struct iwa_buf b;
	enum iwa_text_enc enc;
	int rc = 0;

	iwa_buf_init(&b, len * 3 + 16); /* worst case: ANSI 0x80 -> 3 UTF-8 bytes */
	if (len >= 2 && data[0] == 0xFF && data[1] == 0xFE) {
		enc = IWA_ENC_UTF16LE_BOM;
		rc = decode_utf16(data + 2, len - 2, false, &b);
	} else if (len >= 2 && data[0] == 0xFE && data[1] == 0xFF) {
		enc = IWA_ENC_UTF16BE_BOM;
		rc = decode_utf16(data + 2, len - 2, true, &b);
	} else if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) {
		enc = IWA_ENC_UTF8_BOM;
		if (!valid_utf8(data + 3, len - 3) || memchr(data + 3, 0, len - 3) != NULL)
			rc = IWA_EPARSE;
		else
			rc = iwa_buf_add(&b, data + 3, len - 3);
	} else if (len >= 4 && len % 2 == 0 && data[0] != 0 && data[1] == 0 && data[3] == 0) {
		enc = IWA_ENC_UTF16LE;
		rc = decode_utf16(data, len, false, &b);
	} else if (memchr(data, 0, len) != NULL) {
		enc = IWA_ENC_UTF8;
		rc = IWA_EPARSE;
	} else if (valid_utf8(data, len)) {
		enc = IWA_ENC_UTF8;
		rc = iwa_buf_add(&b, data, len);
	} else {
		enc = IWA_ENC_ANSI;
		for (size_t i = 0; i < len && rc == 0; i++) {
			uint32_t cp = data[i];
			if (cp >= 0x80 && cp < 0xA0)
				cp = cp1252[cp - 0x80] ? cp1252[cp - 0x80] : 0xFFFD;
			rc = put_utf8(&b, cp);
		}
	}
	if (rc != 0) {
		iwa_buf_free(&b);
		if (rc == IWA_EPARSE)
			return iwa_err_set(err, IWA_EPARSE,
					   "text file (%s) holds NUL characters or "
					   "invalid UTF-8",
					   iwa_text_enc_name(enc));
		return iwa_err_set(err, IWA_ENOMEM, "text file too large");
	}
	*utf8_out = iwa_buf_take(&b);
	if (*utf8_out == NULL)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	if (enc_out)
		*enc_out = enc;
	return 0;
}

static bool sp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Copies [s, e) trimmed of white space. */
static char *trimdup(const char *s, const char *e)
{
	while (s < e && sp(*s))
		s++;
	while (e > s && sp(e[-1]))
		e--;
	return strndup(s, (size_t)(e - s));
}

/* Parses INF/INI text line by line. */
int iwa_inf_parse(const char *text, struct iwa_inf *out, struct iwa_err *err)
{
	struct iwa_inf inf = {NULL, 0};
	size_t cap = 0;
	char *section = strdup("");
	const char *p = text;

	if (section == NULL)
		goto nomem;
	while (p != NULL && *p != '\0') {
		const char *e = p + strcspn(p, "\r\n");
		const char *s = p, *eq;

		p = *e ? e + 1 : e;
		while (s < e && sp(*s))
			s++;
		if (s == e || *s == ';' || *s == '#')
			continue;
		if (*s == '[') {
			const char *c = memchr(s, ']', (size_t)(e - s));
			char *ns;
			if (c == NULL)
				continue; /* not a section header: ignored like Windows does */
			ns = trimdup(s + 1, c);
			if (ns == NULL)
				goto nomem;
			free(section);
			section = ns;
			continue;
		}
		eq = memchr(s, '=', (size_t)(e - s));
		if (eq == NULL)
			continue;
		if (inf.n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct iwa_inf_kv *nv = realloc(inf.v, ncap * sizeof(*nv));
			if (nv == NULL)
				goto nomem;
			inf.v = nv;
			cap = ncap;
		}
		inf.v[inf.n].section = strdup(section);
		inf.v[inf.n].key = trimdup(s, eq);
		inf.v[inf.n].value = trimdup(eq + 1, e);
		inf.n++;
		if (!inf.v[inf.n - 1].section || !inf.v[inf.n - 1].key || !inf.v[inf.n - 1].value)
			goto nomem;
	}
	free(section);
	*out = inf;
	return 0;
nomem:
	free(section);
	iwa_inf_free(&inf);
	return iwa_err_set(err, IWA_ENOMEM, "out of memory");
}

void iwa_inf_free(struct iwa_inf *inf)
{
	if (inf == NULL)
		return;
	for (size_t i = 0; i < inf->n; i++) {
		free(inf->v[i].section);
		free(inf->v[i].key);
		free(inf->v[i].value);
	}
	free(inf->v);
	inf->v = NULL;
	inf->n = 0;
}

const char *iwa_inf_get(const struct iwa_inf *inf, const char *section, const char *key)
{
	const char *r = NULL;

	for (size_t i = 0; i < inf->n; i++)
		if (strcasecmp(inf->v[i].section, section) == 0 &&
		    strcasecmp(inf->v[i].key, key) == 0)
			r = inf->v[i].value;
	return r;
}

/* Splits a rights value into entries. */
int iwa_right_list_parse(const char *value, struct iwa_right_list *out, struct iwa_err *err)
{
	struct iwa_right_list l = {true, NULL, 0};
	size_t cap = 0;
	const char *p = value ? value : "";

	for (;;) {
		const char *e = p + strcspn(p, ",");
		char *item = trimdup(p, e);
		size_t len;

		if (item == NULL)
			goto nomem;
		len = strlen(item);
		if (len >= 2 && item[0] == '"' && item[len - 1] == '"') {
			memmove(item, item + 1, len - 2);
			item[len - 2] = '\0';
		}
		if (item[0] == '*' && item[1 + strspn(item + 1, " \t")] == '\0')
			item[0] = '\0'; /* a lone '*' names nothing */
		if (item[0] != '\0') {
			struct iwa_right_entry *r;
			if (l.n == cap) {
				size_t ncap = cap ? cap * 2 : 8;
				struct iwa_right_entry *nv = realloc(l.v, ncap * sizeof(*nv));
				if (nv == NULL) {
					free(item);
					goto nomem;
				}
				l.v = nv;
				cap = ncap;
			}
			r = &l.v[l.n++];
			memset(r, 0, sizeof(*r));
			if (item[0] == '*') {
				const char *t = item + 1;
				while (*t == ' ' || *t == '\t')
					t++;
				r->is_sid = iwa_sid_from_str(t, &r->sid, NULL) == 0;
				memmove(item, t, strlen(t) + 1);
			}
			r->text = item;
		} else
			free(item);
		if (*e == '\0')
			break;
		p = e + 1;
	}
	*out = l;
	return 0;
nomem:
	iwa_right_list_free(&l);
	return iwa_err_set(err, IWA_ENOMEM, "out of memory");
}

int iwa_gpttmpl_right(const struct iwa_inf *inf, const char *right, struct iwa_right_list *out,
		      struct iwa_err *err)
{
	const char *v = iwa_inf_get(inf, "Privilege Rights", right);

	if (v == NULL) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	return iwa_right_list_parse(v, out, err);
}

void iwa_right_list_free(struct iwa_right_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].text);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* GPT.INI Version=. */
int iwa_gptini_version(const uint8_t *data, size_t len, uint32_t *version_out, struct iwa_err *err)
{
	char *text = NULL;
	struct iwa_inf inf = {NULL, 0};
	const char *v;
	unsigned long long n;
	int rc;

	rc = iwa_text_decode(data, len, &text, NULL, err);
	if (rc != 0)
		goto cleanup;
	rc = iwa_inf_parse(text, &inf, err);
	if (rc != 0)
		goto cleanup;
	v = iwa_inf_get(&inf, "General", "Version");
	if (v == NULL)
		v = iwa_inf_get(&inf, "", "Version");
	if (v == NULL) {
		rc = iwa_err_set(err, IWA_ENOTFOUND, "GPT.INI has no Version= in [General]");
		goto cleanup;
	}
	rc = iwa_parse_uint(v, 0, 0xFFFFFFFFull, "GPT.INI Version", &n, err);
	if (rc != 0) {
		rc = IWA_EPARSE;
		if (err)
			err->code = rc;
		goto cleanup;
	}
	*version_out = (uint32_t)n;
cleanup:
	iwa_inf_free(&inf);
	free(text);
	return rc;
}
