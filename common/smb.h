/* smb.h — reading one GPO file from SYSVOL: over SMB2/3 with Kerberos (libsmbclient), or from
 * a local folder (a cifs mount or a copy of the Policies folder, --sysvol-path).
 *
 * gPCFileSysPath "\\camtest.test\SysVol\camtest.test\Policies\{GUID}" becomes
 *   - SMB:   smb://<DC given by -H>/SysVol/camtest.test/Policies/{GUID}/<file>   (the server
 *            part of the UNC, the domain name, is replaced by the DC we talk LDAP to: no DNS
 *            lookup of the domain, same DC for directory and SYSVOL);
 *   - local: DIR/camtest.test/Policies/{GUID}/<file>, else DIR/Policies/{GUID}/<file> (so DIR
 *            may be the SysVol share root or the domain folder inside it); each path component
 *            is matched without regard to case when the exact name does not exist, as on a
 *            Windows share.
 * Kerberos: libsmbclient embeds Samba's Heimdal, which reads the FILE: cache named in
 * KRB5CCNAME (set by iwa_krb_setup). Options UseKerberos=1, FallbackAfterKerberos=0 (never
 * NTLM or anonymous), UseCCache=1, protocols SMB2_02..SMB3; its log goes nowhere (the last
 * line is kept for error messages). Reads are capped (max bytes).
 * Why KRB5CCNAME and not an explicit cache (Samba 4.17's libsmbclient.h): the context has no
 * krb5 ccache option; smbc_setOptionUseCCache() is winbind's cache, not a krb5 one;
 * smbc_set_credentials_with_fallback() takes a user, a domain and a password only. Inside,
 * the context's cli_credentials are guessed from the environment (KRB5CCNAME), and they are
 * not reachable through the public API. So the cache reaches Samba through the environment.
 * Loading: libsmbclient (IWA_SMBCLIENT_SONAME) is dlopen()ed by the first iwa_smb_open(), not
 * linked: its ~118 libraries cost ~50 ms at every start, and --sysvol-path runs never load it.
 * A library that cannot be loaded is IWA_EINVAL, naming it and the loader's reason. */
#ifndef IWA_SMB_H
#define IWA_SMB_H

#include "iwa.h"
#include <stdint.h>

/* UNC path split into its parts (backslashes or slashes accepted). */
struct iwa_unc {
	char *server, *share, *path; /* path: components joined by '/', no leading '/' */
};
/* Pure. IWA_EPARSE unless "\\server\share[\path...]"; ".." components are refused. */
int iwa_unc_parse(const char *unc, struct iwa_unc *out, struct iwa_err *err);
void iwa_unc_free(struct iwa_unc *u);

/* Pure: smb://host/share/path/rel with every byte outside [A-Za-z0-9-._~/{}] percent-encoded.
 * rel uses '/' ("Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf"). Caller frees. */
int iwa_sysvol_smb_url(const char *dc_host, const char *gpc_file_sys_path, const char *rel,
		       char **url_out, struct iwa_err *err);

/* Finds the GPO folder under a local SYSVOL copy (see above). IWA_ENOTFOUND names the paths
 * tried. Caller frees *dir_out. */
int iwa_sysvol_local_dir(const char *sysvol_dir, const char *gpc_file_sys_path, char **dir_out,
			 struct iwa_err *err);
/* Resolves rel under dir (case-insensitive per component) and reads it, at most max bytes.
 * IWA_ENOTFOUND when the file does not exist; IWA_EIO with the reason otherwise. */
int iwa_local_read(const char *dir, const char *rel, size_t max, uint8_t **data_out,
		   size_t *len_out, struct iwa_err *err);

struct iwa_smb;
/* A libsmbclient context for this run (timeout_ms for connections and each response); loads
 * the library on first use (IWA_EINVAL "cannot load libsmbclient.so.0 (why): ...").
 * Without libsmbclient (configure --without-smbclient): IWA_EINVAL "built without ...". */
int iwa_smb_open(long timeout_ms, struct iwa_smb **out, struct iwa_err *err);
/* Reads smb://... (at most max bytes; more is IWA_ENOMEM "larger than ..."). IWA_ENOTFOUND
 * when the file does not exist; IWA_EAUTH for access denied / Kerberos refused; IWA_ETIMEOUT;
 * IWA_EIO otherwise; the message names the URL and the reason in words. */
int iwa_smb_read(struct iwa_smb *s, const char *url, long timeout_ms, size_t max,
		 uint8_t **data_out, size_t *len_out, struct iwa_err *err);
void iwa_smb_free(struct iwa_smb *s);
bool iwa_smb_available(void);

#endif
