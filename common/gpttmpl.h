/* gpttmpl.h — the SYSVOL text files of a GPO: Machine\Microsoft\Windows NT\SecEdit\GptTmpl.inf
 * (security template: [Privilege Rights] "SeBatchLogonRight = *S-1-5-...,name") and GPT.INI
 * ([General] Version=N). Pure functions over bytes already read; no I/O.
 *
 * Encodings: UTF-16LE with BOM (what Windows writes), UTF-16BE with BOM, UTF-8 with or without
 * BOM, UTF-16LE without BOM (detected by NUL high bytes), else ANSI (Windows-1252). Line ends
 * CRLF, LF or CR. Section names and keys are compared without regard to case; lines starting
 * with ';' are comments; "key = value" splits at the first '='; spaces around both trimmed. */
#ifndef IWA_GPTTMPL_H
#define IWA_GPTTMPL_H

#include "iwa.h"
#include "sid.h"
#include <stdint.h>

enum iwa_text_enc {
	IWA_ENC_UTF8 = 0,
	IWA_ENC_UTF8_BOM,
	IWA_ENC_UTF16LE_BOM,
	IWA_ENC_UTF16BE_BOM,
	IWA_ENC_UTF16LE,
	IWA_ENC_ANSI
};
const char *iwa_text_enc_name(enum iwa_text_enc e);

/* Converts the file's bytes to a NUL-terminated UTF-8 string (caller frees). Invalid UTF-16
 * (lone surrogates) becomes U+FFFD; embedded NULs are refused (IWA_EPARSE). */
int iwa_text_decode(const uint8_t *data, size_t len, char **utf8_out, enum iwa_text_enc *enc_out,
		    struct iwa_err *err);

struct iwa_inf_kv {
	char *section; /* "" before the first [section] */
	char *key, *value;
};
struct iwa_inf {
	struct iwa_inf_kv *v;
	size_t n;
};
/* Parses INF/INI text (UTF-8). Caller frees with iwa_inf_free. */
int iwa_inf_parse(const char *text, struct iwa_inf *out, struct iwa_err *err);
void iwa_inf_free(struct iwa_inf *inf);
/* Last value of key in section (case-insensitive), or NULL. */
const char *iwa_inf_get(const struct iwa_inf *inf, const char *section, const char *key);

/* One member of a user-rights list: "*S-1-5-32-568" (a SID) or "CAMTEST\\cam-svc" (a name). */
struct iwa_right_entry {
	bool is_sid;
	struct iwa_sid sid; /* when is_sid */
	char *text;         /* the entry as written, without the '*' */
};
struct iwa_right_list {
	bool defined; /* the key is present in [Privilege Rights] (an empty value = nobody) */
	struct iwa_right_entry *v;
	size_t n;
};
/* Splits a rights value on ',' (spaces and tabs around items trimmed, empty items skipped,
 * surrounding quotes removed). "*" followed by a malformed SID is kept as a name. */
int iwa_right_list_parse(const char *value, struct iwa_right_list *out, struct iwa_err *err);
/* Looks `right` up (case-insensitive) in [Privilege Rights] of a parsed GptTmpl.inf. */
int iwa_gpttmpl_right(const struct iwa_inf *inf, const char *right, struct iwa_right_list *out,
		      struct iwa_err *err);
void iwa_right_list_free(struct iwa_right_list *l);

/* GPT.INI: Version= in [General] (or before any section). 0..4294967295.
 * IWA_ENOTFOUND when absent, IWA_EPARSE when not a number. */
int iwa_gptini_version(const uint8_t *data, size_t len, uint32_t *version_out, struct iwa_err *err);

#endif
