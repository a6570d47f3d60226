/* fuzz_krb_error.c — libFuzzer entry point for the Kerberos messages common/kdc.c reads
 * itself: a KRB-ERROR and its METHOD-DATA/ETYPE-INFO2 e-data (the key probe's answer), an
 * AS-REP's enc-part etype, and the KRB-ERROR inside a server's Negotiate token.
 * Build and run on demand: scripts/fuzz.sh -t 60 krb_error. */
#include <stdint.h>
#include <stdlib.h>

#include "kdc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iwa_krb_error ke;
	int32_t et[IWA_KDC_PROBE_MAX], code;
	size_t n = 0;

	if (iwa_krb_error_parse(data, size, &ke) == 0 && ke.edata != NULL) {
		if (ke.edata < data || ke.edata + ke.edata_len > data + size)
			abort(); /* the e-data must lie inside the input */
		if (iwa_krb_etype_info(ke.edata, ke.edata_len, et, IWA_KDC_PROBE_MAX, &n) == 0 &&
		    n > IWA_KDC_PROBE_MAX)
			abort();
	}
	(void)iwa_krb_etype_info(data, size, et, IWA_KDC_PROBE_MAX, &n);
	(void)iwa_krb_as_rep_etype(data, size, &code);
	(void)iwa_krb_token_error(data, size, &code);
	return 0;
}
