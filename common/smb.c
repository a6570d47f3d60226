/* smb.c — SYSVOL access: UNC parsing and URLs (pure), local folder reads, libsmbclient reads. */
#include "config.h"
#include "smb.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef HAVE_SMBCLIENT
#include "budget.h"
#include "gss.h"
#include "kdc.h"
#include <arpa/inet.h>
#include <dlfcn.h>
#include <libsmbclient.h>
#endif

/* Splits "\\server\share\a\b" into parts. */
int iwa_unc_parse(const char *unc, struct iwa_unc *out, struct iwa_err *err)
{
	struct iwa_unc u = {NULL, NULL, NULL};
	struct iwa_buf path;
	const char *p = unc;
	int idx = 0, rc = 0;

	iwa_buf_init(&path, 4096);
	if (unc == NULL || !((p[0] == '\\' || p[0] == '/') && (p[1] == '\\' || p[1] == '/')))
		goto bad;
	p += 2;
	while (*p) {
		size_t n = strcspn(p, "\\/");
		if (n == 0) {
			p++;
			continue;
		}
		if ((n == 2 && strncmp(p, "..", 2) == 0) || (n == 1 && *p == '.'))
			goto bad;
		if (idx == 0)
			u.server = strndup(p, n);
		else if (idx == 1)
			u.share = strndup(p, n);
		else if ((path.len && iwa_buf_add(&path, "/", 1) != 0) ||
			 iwa_buf_add(&path, p, n) != 0) {
			rc = iwa_err_set(err, IWA_ENOMEM, "UNC path too long");
			goto fail;
		}
		if ((idx == 0 && !u.server) || (idx == 1 && !u.share)) {
			rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
			goto fail;
		}
		idx++;
		p += n;
	}
	if (idx < 2)
		goto bad;
	u.path = iwa_buf_take(&path);
	if (u.path == NULL) {
		rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
		goto fail;
	}
	*out = u;
	return 0;
bad:
	rc = iwa_err_set(err, IWA_EPARSE,
			 "gPCFileSysPath \"%.200s\" is not a \\\\server\\share\\path",
			 unc ? unc : "(none)");
fail:
	iwa_buf_free(&path);
	iwa_unc_free(&u);
	return rc;
}

void iwa_unc_free(struct iwa_unc *u)
{
	if (u == NULL)
		return;
	free(u->server);
	free(u->share);
	free(u->path);
	u->server = u->share = u->path = NULL;
}

/* Appends s percent-encoded (keeps unreserved characters, '/', braces). */
static int add_encoded(struct iwa_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int rc;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    strchr("-._~/{}", c) != NULL)
			rc = iwa_buf_add(b, s, 1);
		else
			rc = iwa_buf_addf(b, "%%%02X", c);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int iwa_sysvol_smb_url(const char *dc_host, const char *gpc_file_sys_path, const char *rel,
		       char **url_out, struct iwa_err *err)
{
	struct iwa_unc u;
	struct iwa_buf b;
	int rc;

	if (dc_host == NULL || *dc_host == '\0' || strpbrk(dc_host, "/\\@?#") != NULL)
		return iwa_err_set(err, IWA_EINVAL, "no usable DC host name for SMB");
	rc = iwa_unc_parse(gpc_file_sys_path, &u, err);
	if (rc != 0)
		return rc;
	iwa_buf_init(&b, 8192);
	rc = iwa_buf_adds(&b, "smb://");
	if (rc == 0)
		rc = add_encoded(&b, dc_host);
	if (rc == 0)
		rc = iwa_buf_adds(&b, "/");
	if (rc == 0)
		rc = add_encoded(&b, u.share);
	if (rc == 0 && u.path[0]) {
		rc = iwa_buf_adds(&b, "/");
		if (rc == 0)
			rc = add_encoded(&b, u.path);
	}
	if (rc == 0 && rel && *rel) {
		rc = iwa_buf_adds(&b, "/");
		if (rc == 0)
			rc = add_encoded(&b, rel);
	}
	iwa_unc_free(&u);
	if (rc != 0) {
		iwa_buf_free(&b);
		return iwa_err_set(err, IWA_ENOMEM, "SMB URL too long");
	}
	*url_out = iwa_buf_take(&b);
	return *url_out ? 0 : iwa_err_set(err, IWA_ENOMEM, "out of memory");
}

/* Joins dir and each '/'-separated component of rel, matching a component without regard to
 * case when the exact name is absent. Returns a new path, or NULL with errno set. */
static char *resolve_ci(const char *dir, const char *rel)
{
	struct iwa_buf b;
	const char *p = rel;

	iwa_buf_init(&b, 8192);
	if (iwa_buf_adds(&b, dir) != 0)
		goto nomem;
	while (*p) {
		size_t n = strcspn(p, "/");
		struct stat st;
		size_t base = b.len;
		if (n == 0) {
			p++;
			continue;
		}
		if (iwa_buf_add(&b, "/", 1) != 0 || iwa_buf_add(&b, p, n) != 0)
			goto nomem;
		if (stat(b.data, &st) != 0) {
			DIR *d;
			struct dirent *de;
			bool found = false;
			int e = errno;
			b.data[base] = '\0';
			d = opendir(b.len ? b.data : "/");
			if (d == NULL) {
				iwa_buf_free(&b);
				errno = errno == ENOTDIR ? ENOENT : errno;
				return NULL;
			}
			while ((de = readdir(d)) != NULL) {
				if (strlen(de->d_name) == n && strncasecmp(de->d_name, p, n) == 0) {
					b.data[base] = '/';
					memcpy(b.data + base + 1, de->d_name, n);
					found = true;
					break;
				}
			}
			closedir(d);
			if (!found) {
				iwa_buf_free(&b);
				errno = e;
				return NULL;
			}
			b.data[base] = '/';
		}
		p += n;
	}
	return iwa_buf_take(&b);
nomem:
	iwa_buf_free(&b);
	errno = ENOMEM;
	return NULL;
}

int iwa_sysvol_local_dir(const char *sysvol_dir, const char *gpc_file_sys_path, char **dir_out,
			 struct iwa_err *err)
{
	struct iwa_unc u;
	const char *pol;
	int rc;

	rc = iwa_unc_parse(gpc_file_sys_path, &u, err);
	if (rc != 0)
		return rc;
	/* u.path = "camtest.test/Policies/{GUID}": try it whole, then from "Policies/" on. */
	pol = u.path;
	for (const char *q = u.path; q && *q; q = strchr(q, '/') ? strchr(q, '/') + 1 : NULL)
		if (strncasecmp(q, "Policies/", 9) == 0) {
			pol = q;
			break;
		}
	for (int i = 0; i < 2; i++) {
		struct stat st;
		char *d = resolve_ci(sysvol_dir, i == 0 ? u.path : pol);
		if (d != NULL && stat(d, &st) == 0 && S_ISDIR(st.st_mode)) {
			*dir_out = d;
			iwa_unc_free(&u);
			return 0;
		}
		free(d);
	}
	rc = iwa_err_set(err, IWA_ENOTFOUND,
			 "GPO folder not found under --sysvol-path %s (tried %s/%s and %s/%s)",
			 sysvol_dir, sysvol_dir, u.path, sysvol_dir, pol);
	iwa_unc_free(&u);
	return rc;
}

/* A source read_all() pulls bytes from: returns the count, 0 at the end, < 0 with errno. */
typedef ssize_t (*read_chunk_fn)(void *src, void *buf, size_t len);

/* Reads src to its end into a new buffer of at most max bytes (local files and SMB files
 * alike). Returns 0, IWA_ENOMEM (*too_big_out tells a file larger than max from out of
 * memory) or IWA_EIO (the read failed; errno kept). */
static int read_all(read_chunk_fn rd, void *src, size_t max, uint8_t **data_out, size_t *len_out,
		    bool *too_big_out)
{
	size_t cap = 4096, len = 0;
	uint8_t *buf = malloc(cap);
	int rc = 0, e;

	*too_big_out = false;
	if (buf == NULL)
		return IWA_ENOMEM;
	for (;;) {
		ssize_t n;
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				rc = IWA_ENOMEM;
				goto cleanup;
			}
			buf = nb;
			cap *= 2;
		}
		n = rd(src, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = IWA_EIO;
			goto cleanup;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			*too_big_out = true;
			rc = IWA_ENOMEM;
			goto cleanup;
		}
	}
	*data_out = buf;
	*len_out = len;
	buf = NULL;
cleanup:
	e = errno;
	free(buf);
	errno = e;
	return rc;
}

static ssize_t read_chunk_fd(void *src, void *buf, size_t len)
{
	return read(*(int *)src, buf, len);
}

int iwa_local_read(const char *dir, const char *rel, size_t max, uint8_t **data_out,
		   size_t *len_out, struct iwa_err *err)
{
	char *path = resolve_ci(dir, rel);
	bool too_big;
	int fd, rc;

	if (path == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			return iwa_err_set(err, IWA_ENOTFOUND, "%s/%s does not exist", dir, rel);
		return iwa_err_set(err, IWA_EIO, "%s/%s: %s", dir, rel, strerror(errno));
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = iwa_err_set(err, errno == ENOENT ? IWA_ENOTFOUND : IWA_EIO, "%s: %s", path,
				 strerror(errno));
		free(path);
		return rc;
	}
	rc = read_all(read_chunk_fd, &fd, max, data_out, len_out, &too_big);
	if (rc == IWA_ENOMEM && too_big)
		iwa_err_set(err, rc, "%s is larger than %zu bytes", path, max);
	else if (rc == IWA_ENOMEM)
		iwa_err_set(err, rc, "out of memory");
	else if (rc != 0)
		iwa_err_set(err, rc, "%s: %s", path, strerror(errno));
	close(fd);
	free(path);
	return rc;
}

#ifdef HAVE_SMBCLIENT

/* libsmbclient is opened on the first SMB read, not at start-up: linking it pulls in ~118
 * shared libraries (Samba's), ~50 ms of CPU on every run, --sysvol-path runs and -V included.
 * The table below is every smbc_* function this file calls; the types come from the header. */
#define SMB_FUNCS(X)                                                                               \
	X(smbc_new_context)                                                                        \
	X(smbc_free_context)                                                                       \
	X(smbc_init_context)                                                                       \
	X(smbc_setDebug)                                                                           \
	X(smbc_setLogCallback)                                                                     \
	X(smbc_setOptionUseKerberos)                                                               \
	X(smbc_setOptionFallbackAfterKerberos)                                                     \
	X(smbc_setOptionUseCCache)                                                                 \
	X(smbc_setOptionNoAutoAnonymousLogin)                                                      \
	X(smbc_setFunctionAuthDataWithContext)                                                     \
	X(smbc_setTimeout)                                                                         \
	X(smbc_setOptionProtocols)                                                                 \
	X(smbc_getFunctionOpen)                                                                    \
	X(smbc_getFunctionClose)                                                                   \
	X(smbc_getFunctionRead)

static struct {
	bool loaded;
#define SMB_FIELD(name) __typeof__(name) *name;
	SMB_FUNCS(SMB_FIELD)
#undef SMB_FIELD
} smb_lib;

/* dlopen()s libsmbclient once per process (never closed: Samba's libraries keep global state);
 * IWA_EINVAL names the library and dlerror()'s reason (a broken install is ours to fix). */
static int smb_lib_load(struct iwa_err *err)
{
	void *h;
	const char *e;

	if (smb_lib.loaded)
		return 0;
	h = dlopen(IWA_SMBCLIENT_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return iwa_err_set(err, IWA_EINVAL,
				   "cannot load %s (%s): install libsmbclient, or read SYSVOL "
				   "from a local copy with --sysvol-path",
				   IWA_SMBCLIENT_SONAME, (e = dlerror()) != NULL ? e : "?");
#define SMB_SYM(name)                                                                              \
	*(void **)&smb_lib.name = dlsym(h, #name);                                                 \
	if (smb_lib.name == NULL)                                                                  \
		return iwa_err_set(err, IWA_EINVAL,                                                \
				   "cannot load %s: it has no %s (libsmbclient 4.x is needed)",    \
				   IWA_SMBCLIENT_SONAME, #name);
	SMB_FUNCS(SMB_SYM)
#undef SMB_SYM
	smb_lib.loaded = true;
	return 0;
}

/* From here on every smbc_* call goes through the table. */
#define smbc_new_context smb_lib.smbc_new_context
#define smbc_free_context smb_lib.smbc_free_context
#define smbc_init_context smb_lib.smbc_init_context
#define smbc_setDebug smb_lib.smbc_setDebug
#define smbc_setLogCallback smb_lib.smbc_setLogCallback
#define smbc_setOptionUseKerberos smb_lib.smbc_setOptionUseKerberos
#define smbc_setOptionFallbackAfterKerberos smb_lib.smbc_setOptionFallbackAfterKerberos
#define smbc_setOptionUseCCache smb_lib.smbc_setOptionUseCCache
#define smbc_setOptionNoAutoAnonymousLogin smb_lib.smbc_setOptionNoAutoAnonymousLogin
#define smbc_setFunctionAuthDataWithContext smb_lib.smbc_setFunctionAuthDataWithContext
#define smbc_setTimeout smb_lib.smbc_setTimeout
#define smbc_setOptionProtocols smb_lib.smbc_setOptionProtocols
#define smbc_getFunctionOpen smb_lib.smbc_getFunctionOpen
#define smbc_getFunctionClose smb_lib.smbc_getFunctionClose
#define smbc_getFunctionRead smb_lib.smbc_getFunctionRead

struct iwa_smb {
	SMBCCTX *ctx;
	char last_log[256];
	char connected[256];  /* the server an open already succeeded on ("" none) */
	char ticket_for[256]; /* the server whose cifs/ ticket was fetched ahead ("" none) */
};

/* libsmbclient's log: kept (last line) for error messages, never printed. */
static void smb_log(void *priv, int level, const char *msg)
{
	struct iwa_smb *s = priv;
	size_t n;

	(void)level;
	if (s == NULL || msg == NULL)
		return;
	while (*msg == ' ' || *msg == '\t')
		msg++;
	if (*msg == '\0' || *msg == '\n')
		return;
	snprintf(s->last_log, sizeof(s->last_log), "%s", msg);
	n = strlen(s->last_log);
	while (n > 0 && (s->last_log[n - 1] == '\n' || s->last_log[n - 1] == ' '))
		s->last_log[--n] = '\0';
}

/* No password: Kerberos from the credential cache only. */
static void smb_auth(SMBCCTX *c, const char *srv, const char *shr, char *wg, int wglen, char *un,
		     int unlen, char *pw, int pwlen)
{
	(void)c, (void)srv, (void)shr, (void)wg, (void)wglen, (void)un, (void)unlen;
	if (pwlen > 0)
		pw[0] = '\0';
}

bool iwa_smb_available(void)
{
	return true;
}

int iwa_smb_open(long timeout_ms, struct iwa_smb **out, struct iwa_err *err)
{
	struct iwa_smb *s;
	int rc = smb_lib_load(err);

	if (rc != 0)
		return rc;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	s->ctx = smbc_new_context();
	if (s->ctx == NULL) {
		free(s);
		return iwa_err_set(err, IWA_ENOMEM, "libsmbclient: cannot create a context");
	}
	smbc_setDebug(s->ctx, 0);
	smbc_setLogCallback(s->ctx, s, smb_log);
	smbc_setOptionUseKerberos(s->ctx, 1);
	smbc_setOptionFallbackAfterKerberos(s->ctx, 0);
	smbc_setOptionUseCCache(s->ctx, 1);
	smbc_setOptionNoAutoAnonymousLogin(s->ctx, 1);
	smbc_setFunctionAuthDataWithContext(s->ctx, smb_auth);
	smbc_setTimeout(s->ctx, (int)(timeout_ms > 0 && timeout_ms < 3600000 ? timeout_ms : 1));
	if (!smbc_setOptionProtocols(s->ctx, "SMB2_02", "SMB3")) {
		smbc_free_context(s->ctx, 1);
		free(s);
		return iwa_err_set(err, IWA_EIO, "libsmbclient refuses protocols SMB2_02..SMB3");
	}
	if (smbc_init_context(s->ctx) == NULL) {
		int e = errno;
		smbc_free_context(s->ctx, 1);
		free(s);
		return iwa_err_set(err, IWA_EIO, "libsmbclient: cannot initialise (%s)",
				   strerror(e));
	}
	/* The log callback is global in libsmbclient: it must not outlive s. */
	*out = s;
	return 0;
}

/* errno from libsmbclient in words and as our error code. */
static int smb_errno(int e, const char **words)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		*words = "no such file";
		return IWA_ENOTFOUND;
	case EACCES:
	case EPERM:
		*words = "access denied (Kerberos authentication refused or no read permission)";
		return IWA_EAUTH;
	case ETIMEDOUT:
		*words = "timed out";
		return IWA_ETIMEOUT;
	case ECONNREFUSED:
		*words = "connection refused (no SMB server on port 445)";
		return IWA_EIO;
	case EHOSTUNREACH:
	case ENETUNREACH:
		*words = "host unreachable";
		return IWA_EIO;
	case ENODEV:
	case ENXIO:
		*words = "no such share";
		return IWA_EIO;
	case ECONNRESET:
	case ECONNABORTED:
	case EPIPE:
		*words = "connection reset by the server";
		return IWA_EIO;
	case EINVAL:
		*words = "refused (no usable Kerberos ticket for cifs/<server>: the server must "
			 "be named by its DNS name, and SMB2/3 with Kerberos must be offered)";
		return IWA_EAUTH;
	default:
		*words = strerror(e);
		return IWA_EIO;
	}
}

/* What read_all() needs to read one open SMB file. */
struct smb_src {
	SMBCCTX *ctx;
	SMBCFILE *f;
	smbc_read_fn fn;
};

static ssize_t read_chunk_smb(void *src, void *buf, size_t len)
{
	struct smb_src *s = src;
	return s->fn(s->ctx, s->f, buf, len);
}

/* The server part of an smb:// URL, percent-decoded, into buf ("" when none). */
static void url_server(const char *url, char *buf, size_t len)
{
	const char *p = strncmp(url, "smb://", 6) == 0 ? url + 6 : url;
	size_t n = 0;

	for (; *p != '\0' && *p != '/' && n + 1 < len; p++) {
		unsigned v;
		if (*p == '%' && sscanf(p + 1, "%2x", &v) == 1) {
			buf[n++] = (char)v;
			p += 2;
		} else {
			buf[n++] = *p;
		}
	}
	buf[n] = '\0';
}

/* The UNC of an smb:// URL for messages: \\server\share\path, percent-decoded. */
static void url_unc(const char *url, char *buf, size_t len)
{
	const char *p = strncmp(url, "smb://", 6) == 0 ? url + 6 : url;
	size_t n = 0;

	if (len < 3) {
		if (len > 0)
			buf[0] = '\0';
		return;
	}
	buf[n++] = '\\';
	buf[n++] = '\\';
	for (; *p != '\0' && n + 1 < len; p++) {
		unsigned v;
		if (*p == '%' && sscanf(p + 1, "%2x", &v) == 1) {
			buf[n++] = (char)v;
			p += 2;
		} else {
			buf[n++] = *p == '/' ? '\\' : *p;
		}
	}
	buf[n] = '\0';
}

/* "the SMB server <srv> did not answer within N s while <doing> <unc>": IWA_ETIMEOUT. */
static int smb_timeout(const char *url, const char *doing, double t0, struct iwa_err *err)
{
	char srv[256], unc[1024], secs[32];

	url_server(url, srv, sizeof srv);
	url_unc(url, unc, sizeof unc);
	iwa_kdc_seconds_text(iwa_now() - t0, secs, sizeof secs);
	return iwa_err_set(err, IWA_ETIMEOUT,
			   "the SMB server %s did not answer within %s s while %s %s", srv, secs,
			   doing, unc);
}

/* Fetches cifs/<server> into the credential cache ahead of libsmbclient, with our bounded
 * TGS exchange, named as Samba names it and without ok-as-delegate (gss.h): Samba's Heimdal
 * then finds it cached and asks the KDC nothing (neither the ticket nor a forwarded TGT).
 * Only a KDC that does not answer (or cannot be reached) stops the read here; a KDC that
 * refuses is left to libsmbclient, which reports it in its words as before. */
static int smb_ticket_ahead(struct iwa_smb *s, const char *url, double deadline,
			    struct iwa_err *err)
{
	char srv[256];
	unsigned char a[16];
	struct iwa_gss_ticket tk;
	struct iwa_err terr;
	int rc;

	url_server(url, srv, sizeof srv);
	if (srv[0] == '\0' || strcmp(srv, s->ticket_for) == 0 || inet_pton(AF_INET, srv, a) == 1 ||
	    inet_pton(AF_INET6, srv, a) == 1)
		return 0; /* no name: no Kerberos for it anyway */
	memset(&terr, 0, sizeof terr);
	rc = iwa_gss_host_ticket(NULL, "cifs", srv,
				 IWA_GSS_HOST_SAMBA_NAME | IWA_GSS_HOST_NO_DELEGATION, deadline,
				 &tk, &terr);
	snprintf(s->ticket_for, sizeof s->ticket_for, "%s", srv);
	if (rc == IWA_ETIMEOUT || rc == IWA_ENOMEM ||
	    (rc < 0 && tk.fail == IWA_GSS_TKT_KDC_UNREACHABLE)) {
		*err = terr;
		return rc;
	}
	return 0;
}

int iwa_smb_read(struct iwa_smb *s, const char *url, long timeout_ms, size_t max,
		 uint8_t **data_out, size_t *len_out, struct iwa_err *err)
{
	smbc_open_fn fopen_fn = smbc_getFunctionOpen(s->ctx);
	smbc_close_fn fclose_fn = smbc_getFunctionClose(s->ctx);
	struct smb_src src = {s->ctx, NULL, smbc_getFunctionRead(s->ctx)};
	char srv[256];
	const char *words;
	bool too_big;
	double t0, deadline;
	int rc = 0;

	if (timeout_ms <= 0)
		return iwa_err_set(err, IWA_ETIMEOUT, "time budget used up before reading %s", url);
	deadline = iwa_now() + (double)timeout_ms / 1000.0;
	rc = smb_ticket_ahead(s, url, deadline, err);
	if (rc < 0)
		return rc;
	timeout_ms = iwa_deadline_remaining_ms(deadline); /* what the ticket step left */
	if (timeout_ms <= 0)
		return iwa_err_set(err, IWA_ETIMEOUT, "time budget used up before reading %s", url);
	smbc_setTimeout(s->ctx, (int)(timeout_ms < 3600000 ? timeout_ms : 3600000));
	s->last_log[0] = '\0';
	url_server(url, srv, sizeof srv);
	t0 = iwa_now();
	errno = 0;
	src.f = fopen_fn(s->ctx, url, O_RDONLY, 0);
	if (src.f == NULL) {
		int e = errno ? errno : EIO;
		rc = smb_errno(e, &words);
		if (rc == IWA_ETIMEOUT)
			return smb_timeout(
				url, strcmp(srv, s->connected) == 0 ? "opening" : "connecting to",
				t0, err);
		if (rc == IWA_ENOTFOUND)
			return iwa_err_set(err, rc, "%s: %s", url, words);
		return iwa_err_set(err, rc, "%s: %s%s%s%s", url, words, s->last_log[0] ? " [" : "",
				   s->last_log, s->last_log[0] ? "]" : "");
	}
	snprintf(s->connected, sizeof s->connected, "%s", srv);
	t0 = iwa_now();
	rc = read_all(read_chunk_smb, &src, max, data_out, len_out, &too_big);
	if (rc == IWA_ENOMEM && too_big)
		iwa_err_set(err, rc, "%s is larger than %zu bytes", url, max);
	else if (rc == IWA_ENOMEM)
		iwa_err_set(err, rc, "out of memory");
	else if (rc != 0) {
		rc = smb_errno(errno, &words);
		if (rc == IWA_ETIMEOUT)
			smb_timeout(url, "reading", t0, err);
		else
			iwa_err_set(err, rc, "reading %s: %s", url, words);
	}
	fclose_fn(s->ctx, src.f);
	return rc;
}

void iwa_smb_free(struct iwa_smb *s)
{
	if (s == NULL)
		return;
	smbc_setLogCallback(s->ctx, NULL, NULL);
	smbc_free_context(s->ctx, 1);
	free(s);
}

#else /* !HAVE_SMBCLIENT */

struct iwa_smb {
	int unused;
};

bool iwa_smb_available(void)
{
	return false;
}

int iwa_smb_open(long timeout_ms, struct iwa_smb **out, struct iwa_err *err)
{
	(void)timeout_ms, (void)out;
	return iwa_err_set(err, IWA_EINVAL,
			   "built without libsmbclient (configure "
			   "--without-smbclient): read SYSVOL with --sysvol-path");
}

int iwa_smb_read(struct iwa_smb *s, const char *url, long timeout_ms, size_t max,
		 uint8_t **data_out, size_t *len_out, struct iwa_err *err)
{
	(void)s, (void)url, (void)timeout_ms, (void)max, (void)data_out, (void)len_out;
	return iwa_err_set(err, IWA_EINVAL, "built without libsmbclient");
}

void iwa_smb_free(struct iwa_smb *s)
{
	free(s);
}

#endif
