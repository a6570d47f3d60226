/* fuzz_www_authenticate.c — libFuzzer entry point for the WWW-Authenticate parser and the
 * response-header handling of common/http.c (and base64 decoding of the Negotiate token).
 * Build and run on demand: scripts/fuzz.sh -t 60 www_authenticate (seeds:
 * tests/unit/fixtures/www_authenticate/).
 * The input is used four ways: as one field value, as a block of header lines (with the
 * header cap, Location and the phase), (when a Negotiate token comes out) through the
 * server-token decoder (base64, then the SPNEGO outer DER shape), and as a token itself;
 * plus as libcurl error text for the TLS classification. */
#include <curl/curl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iwa_auth_challenge ch[16];
	struct iwa_err err;
	size_t n = 0;
	const char *s = (const char *)data;

	if (iwa_www_auth_parse(s, size, ch, 16, &n, &err) == 0) {
		for (size_t i = 0; i < n; i++) {
			/* every slice must lie inside the input */
			if (ch[i].scheme < s || ch[i].scheme + ch[i].scheme_len > s + size)
				abort();
			if (ch[i].token68 != NULL &&
			    (ch[i].token68 < s || ch[i].token68 + ch[i].token68_len > s + size))
				abort();
			size_t np = ch[i].nparams < IWA_AUTH_PARAMS_MAX ? ch[i].nparams
									: IWA_AUTH_PARAMS_MAX;
			for (size_t k = 0; k < np; k++)
				if (ch[i].params[k].value < s ||
				    ch[i].params[k].value + ch[i].params[k].value_len > s + size)
					abort();
		}
	}

	struct iwa_http_resp r;
	iwa_http_resp_init(&r, 64);
	size_t start = 0;
	for (size_t i = 0; i <= size; i++) {
		if (i == size || data[i] == '\n') {
			iwa_http_resp_header(&r, s + start, i - start);
			start = i + 1;
		}
	}
	if (r.cap == IWA_HTTP_CAP_NONE && r.header_bytes > IWA_HTTP_HEADERS_MAX)
		abort();
	if (strlen(r.location) >= sizeof(r.location) || strlen(r.backend) >= sizeof(r.backend))
		abort();
	(void)iwa_http_resp_phase(&r, true);
	if (r.negotiate_token != NULL) {
		void *tok = NULL;
		size_t tl = 0;
		if (strlen(r.negotiate_token) > IWA_HTTP_TOKEN_MAX)
			abort();
		if (iwa_negotiate_token_decode(r.negotiate_token, strlen(r.negotiate_token), &tok,
					       &tl, &err) == 0)
			free(tok);
	}
	iwa_http_resp_free(&r);

	/* the input as a server token */
	void *tok = NULL;
	size_t tl = 0;
	if (iwa_negotiate_token_decode(s, size, &tok, &tl, &err) == 0) {
		const unsigned char *t = tok;
		if (tl == 0 || (t[0] != 0xa1 && t[0] != 0x60))
			abort();
		free(tok);
	}
	/* the input as libcurl's error text (NUL-terminated copy) */
	char *text = malloc(size + 1);
	if (text != NULL) {
		memcpy(text, data, size);
		text[size] = '\0';
		enum iwa_tls_problem p = iwa_tls_classify(CURLE_PEER_FAILED_VERIFICATION,
							  size > 0 ? data[0] : 0, text);
		if (p == IWA_TLS_NONE || iwa_tls_problem_summary(p) == NULL)
			abort();
		free(text);
	}
	return 0;
}
