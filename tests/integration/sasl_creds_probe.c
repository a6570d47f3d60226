/* sasl_creds_probe — for tests/integration/sasl_explicit_creds.sh: sets up our credentials
 * from a keytab as the plugins do (krb.c: a private cache), then changes KRB5CCNAME behind
 * krb.c's back (unset, or naming another cache), binds with SASL GSSAPI through
 * common/directory.c and prints who it is bound as. The bind
 * must use the run's cache, handed to SASL explicitly, whatever KRB5CCNAME says. Who we are
 * is the SASL GSSAPI mechanism's authenticated name (LDAP_OPT_X_SASL_USERNAME: the initiator
 * of the GSS-API context the server accepted; Samba does not answer "Who am I?").
 * Usage: sasl_creds_probe URI KEYTAB PRINCIPAL unset|CCACHE-NAME
 * Exit 0 "bound as <authzid>", 2 the bind failed, 3 bad usage or our credentials. */
#include "budget.h"
#include "directory.h"
#include "krb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	struct iwa_ldap_opts o;
	struct iwa_krb *krb = NULL;
	struct iwa_ldap *l = NULL;
	char *id = NULL;
	struct iwa_err err;
	int rc = 3;

	if (argc != 5) {
		printf("usage: sasl_creds_probe URI KEYTAB PRINCIPAL unset|CCACHE\n");
		return 3;
	}
	iwa_ldap_opts_init(&o, 389);
	o.uri = argv[1];
	o.krb.keytab = argv[2];
	o.krb.principal = argv[3];
	double deadline = iwa_now() + 30;
	if (iwa_krb_setup(&o.krb, deadline, &krb, &err) < 0) {
		printf("credentials: %s\n", err.msg);
		goto cleanup;
	}
	if (strcmp(argv[4], "unset") == 0)
		unsetenv("KRB5CCNAME");
	else
		setenv("KRB5CCNAME", argv[4], 1);
	rc = 2;
	if (iwa_ldap_connect(&o, deadline, krb, &l, &err) < 0) {
		printf("bind: %s\n", err.msg);
		goto cleanup;
	}
	if (ldap_get_option(iwa_ldap_handle(l), LDAP_OPT_X_SASL_USERNAME, &id) !=
		    LDAP_OPT_SUCCESS ||
	    id == NULL) {
		printf("bound, but no SASL user name\n");
		goto cleanup;
	}
	printf("bound as %s\n", id);
	rc = 0;
cleanup:
	ldap_memfree(id);
	iwa_ldap_free(l);
	iwa_krb_free(krb);
	return rc;
}
