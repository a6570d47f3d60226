/* check_batch_logon_gpo_data.c — the loaded data's own helpers, pure (no LDAP, no SMB): find a
 * GPO by GUID, release everything the load put in a struct blg_ctx (its SMB connection is the
 * load's: blg_run closes it). Linked by the plugin and by the evaluation's unit test. */
#include "check_batch_logon_gpo.h"

#include <stdlib.h>
#include <string.h>

int blg_gpo_find(const struct blg_ctx *c, const char *guid)
{
	for (size_t i = 0; i < c->ngpos; i++)
		if (strcmp(c->gpos[i].guid, guid) == 0)
			return (int)i;
	return -1;
}

static void principal_free(struct blg_principal *p)
{
	free(p->dn), free(p->sam), free(p->upn), free(p->dns);
	free(p->groups);
	free(p->chain);
	free(p->soms);
	iwa_gpo_order_free(&p->order);
}

void blg_ctx_free(struct blg_ctx *c)
{
	if (c == NULL)
		return;
	principal_free(&c->account);
	for (size_t i = 0; i < c->ncomp; i++)
		principal_free(&c->comp[i]);
	for (size_t i = 0; i < c->ncont; i++) {
		free(c->cont[i].dn);
		free(c->cont[i].gplink_raw);
		free(c->cont[i].parse_error);
		iwa_gplink_list_free(&c->cont[i].links);
	}
	free(c->cont);
	for (size_t i = 0; i < c->ngpos; i++) {
		struct blg_gpo *g = &c->gpos[i];
		free(g->dn), free(g->name), free(g->fspath), free(g->machine_ext), free(g->wmi);
		iwa_secdesc_free(g->sd);
		free(g->sd_error), free(g->gptini_error), free(g->tmpl_error);
		iwa_right_list_free(&g->right);
	}
	free(c->gpos);
	for (size_t i = 0; i < c->nnames; i++)
		free(c->names[i].name);
	free(c->names);
	for (size_t i = 0; i < c->nexpected_links; i++)
		free(c->expected_links[i]);
	free(c->expected_links);
	free(c->expected_links_have_computers);
	free(c->expected_links_have_users);
	free(c->base), free(c->config_nc), free(c->dns_domain);
}
