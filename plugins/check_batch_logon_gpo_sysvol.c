/* check_batch_logon_gpo_sysvol.c — GPT.INI and GptTmpl.inf of each GPO on the computers'
 * paths (and --gpo), each read once: over SMB2/3 with Kerberos from the DC, or from
 * --sysvol-path. A missing file is the GPO's problem (recorded); an unreachable SYSVOL, access
 * denied or the time budget stop the check (UNKNOWN). */
#include "check_batch_logon_gpo.h"
#include "budget.h"
#include "util.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ SYSVOL */

/* Reads rel of GPO g (SMB or local). IWA_ENOTFOUND when the file does not exist. */
static int sysvol_read(struct blg_ctx *c, struct blg_gpo *g, const char *local_dir, const char *rel,
		       uint8_t **data, size_t *len, struct iwa_err *err)
{
	double t0 = iwa_now();
	int rc;

	if (local_dir)
		rc = iwa_local_read(local_dir, rel, BLG_FILE_MAX, data, len, err);
	else {
		char *url = NULL;
		const char *host = c->cfg->sysvol_host;
		rc = iwa_sysvol_smb_url(host, g->fspath, rel, &url, err);
		if (rc == 0)
			rc = iwa_smb_read(c->smb, url, iwa_ctx_remaining_ms(c->run), BLG_FILE_MAX,
					  data, len, err);
		free(url);
	}
	c->smb_files++;
	c->sysvol_seconds += iwa_now() - t0;
	return rc;
}

/* GPT.INI and GptTmpl.inf of one GPO. Errors that stop the check: SYSVOL unreachable,
 * access denied, time budget; a missing file is the GPO's problem and is recorded. */
static int load_gpo_files(struct blg_ctx *c, struct blg_gpo *g, struct iwa_err *err)
{
	char *dir = NULL, *text = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	struct iwa_err ferr = {0};
	int rc = 0;

	if (g->fspath == NULL) {
		g->gptini_error = strdup("the GPO has no gPCFileSysPath");
		goto done;
	}
	if (c->cfg->sysvol_path) {
		rc = iwa_sysvol_local_dir(c->cfg->sysvol_path, g->fspath, &dir, err);
		if (rc != 0) {
			iwa_err_prefix(err, "SYSVOL unreadable: %s", blg_gpo_label(g));
			goto cleanup;
		}
	}
	rc = sysvol_read(c, g, dir, "GPT.INI", &data, &len, &ferr);
	if (rc == IWA_ENOTFOUND) {
		g->gptini_error = strdup("GPT.INI missing in SYSVOL (the GPO's folder is absent or "
					 "incomplete)");
	} else if (rc != 0) {
		rc = iwa_err_set(err, rc, "SYSVOL unreadable: %s", ferr.msg);
		goto cleanup;
	} else {
		g->has_gptini = true;
		if (iwa_gptini_version(data, len, &g->gpt_version, &ferr) != 0) {
			g->has_gptini = false;
			g->gptini_error = strdup(ferr.msg);
		}
	}
	free(data);
	data = NULL;
	rc = sysvol_read(c, g, dir, BLG_GPTTMPL_REL, &data, &len, &ferr);
	if (rc == IWA_ENOTFOUND) {
		rc = 0;
		goto done;
	}
	if (rc != 0) {
		rc = iwa_err_set(err, rc, "SYSVOL unreadable: %s", ferr.msg);
		goto cleanup;
	}
	g->has_tmpl = true;
	{
		struct iwa_inf inf = {NULL, 0};
		if (iwa_text_decode(data, len, &text, &g->tmpl_enc, &ferr) != 0 ||
		    iwa_inf_parse(text, &inf, &ferr) != 0 ||
		    iwa_gpttmpl_right(&inf, c->cfg->right, &g->right, &ferr) != 0) {
			if (ferr.code == IWA_ENOMEM) {
				iwa_inf_free(&inf);
				rc = iwa_err_set(err, IWA_ENOMEM, "%s", ferr.msg);
				goto cleanup;
			}
			g->tmpl_error = strdup(ferr.msg);
		}
		iwa_inf_free(&inf);
	}
done:
	g->read_done = true;
	c->gpos_read++;
	rc = 0;
cleanup:
	free(text);
	free(data);
	free(dir);
	return rc;
}

/* Reads SYSVOL for every GPO linked on a computer's path (or expected), each once. */
int blg_sysvol_load(struct blg_ctx *c, struct iwa_err *err)
{
	int rc = 0;

	for (size_t i = 0; i < c->ngpos; i++) {
		struct blg_gpo *g = &c->gpos[i];
		if (!g->found || g->read_done)
			continue;
		if (c->cfg->sysvol_path == NULL && c->smb == NULL) {
			struct addrinfo hints = {0}, *ai = NULL;
			int grc;
			hints.ai_socktype = SOCK_STREAM;
			grc = getaddrinfo(c->cfg->sysvol_host, "445", &hints, &ai);
			if (grc != 0)
				return iwa_err_set(err, IWA_EIO,
						   "SYSVOL unreadable: cannot resolve %s (%s)",
						   c->cfg->sysvol_host, gai_strerror(grc));
			freeaddrinfo(ai);
			rc = iwa_smb_open(iwa_ctx_remaining_ms(c->run), &c->smb, err);
			if (rc != 0) {
				iwa_err_prefix(err, "SYSVOL unreadable");
				return rc;
			}
		}
		rc = load_gpo_files(c, g, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}
