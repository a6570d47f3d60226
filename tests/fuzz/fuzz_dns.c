/* fuzz_dns.c — libFuzzer entry point for iwa_dns_parse_chain (a DNS answer's CNAME chain).
 * Built and run by `scripts/fuzz.sh dns`.
 * Seeds: tests/fuzz/corpus/dns/ (an A answer, a two-hop chain, NXDOMAIN, a CNAME loop).
 * Checks: a chain read is 1..IWA_DNS_CHAIN_MAX+1 names, each NUL-terminated, and its text fits. */
#include "dns.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iwa_dns_chain c;
	struct iwa_err err;
	char text[4096];
	size_t i;

	if (iwa_dns_parse_chain(data, size, "sso.camtest.test", &c, &err) != 0)
		return 0;
	if (c.n < 1 || c.n > IWA_DNS_CHAIN_MAX + 1)
		abort();
	for (i = 0; i < c.n; i++)
		if (memchr(c.name[i], '\0', sizeof c.name[i]) == NULL)
			abort();
	iwa_dns_chain_text(&c, text, sizeof text);
	if (memchr(text, '\0', sizeof text) == NULL)
		abort();
	return 0;
}
