/* secdesc.c — self-relative security descriptor parsing and the GPO filtering check. */
#include "secdesc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* edacfd8f-ffb3-11d1-b41d-00a0c968f939 in wire order. */
const uint8_t iwa_guid_apply_group_policy[16] = {0x8f, 0xfd, 0xac, 0xed, 0xb3, 0xff, 0xd1, 0x11,
						 0xb4, 0x1d, 0x00, 0xa0, 0xc9, 0x68, 0xf9, 0x39};

#define SE_DACL_PRESENT 0x0004u
#define SD_HEADER 20u
#define ACL_HEADER 8u

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Parses one ACE body at p (size bytes, header included) into ace. */
static int parse_ace(const uint8_t *p, size_t size, struct iwa_ace *ace, unsigned idx,
		     struct iwa_err *err)
{
	size_t off = 8;
	uint32_t oflags = 0;

	memset(ace, 0, sizeof(*ace));
	ace->type = p[0];
	ace->flags = p[1];
	if (ace->type != IWA_ACE_ALLOWED && ace->type != IWA_ACE_DENIED &&
	    ace->type != IWA_ACE_ALLOWED_OBJECT && ace->type != IWA_ACE_DENIED_OBJECT)
		return 0; /* other types (audit, callback, ...) are kept but not decoded */
	if (size < 8)
		return iwa_err_set(err, IWA_EPARSE, "ACE %u: %zu bytes, too short", idx, size);
	ace->mask = rd32(p + 4);
	if (ace->type == IWA_ACE_ALLOWED_OBJECT || ace->type == IWA_ACE_DENIED_OBJECT) {
		if (size < 12)
			return iwa_err_set(err, IWA_EPARSE, "object ACE %u too short", idx);
		oflags = rd32(p + 8);
		off = 12;
		if (oflags & IWA_ACE_OBJECT_TYPE_PRESENT) {
			if (size < off + 16)
				return iwa_err_set(err, IWA_EPARSE,
						   "object ACE %u: object type cut", idx);
			memcpy(ace->object_type, p + off, 16);
			ace->has_object_type = true;
			off += 16;
		}
		if (oflags & IWA_ACE_INHERITED_OBJECT_TYPE_PRESENT) {
			if (size < off + 16)
				return iwa_err_set(err, IWA_EPARSE,
						   "object ACE %u: inherited type cut", idx);
			off += 16;
		}
	}
	if (iwa_sid_from_bin(p + off, size - off, &ace->sid, NULL, err) != 0) {
		iwa_err_prefix(err, "ACE %u", idx);
		return IWA_EPARSE;
	}
	return 0;
}

/* Parses the SD header and walks the DACL. */
int iwa_secdesc_parse(const uint8_t *buf, size_t len, struct iwa_secdesc **out, struct iwa_err *err)
{
	struct iwa_secdesc *sd = NULL;
	uint32_t offs[4], dacl;
	size_t acl_size, count, pos;
	int rc;

	if (buf == NULL || len < SD_HEADER)
		return iwa_err_set(err, IWA_EPARSE, "security descriptor shorter than 20 bytes");
	if (buf[0] != 1)
		return iwa_err_set(err, IWA_EPARSE, "security descriptor revision %u (want 1)",
				   buf[0]);
	for (int i = 0; i < 4; i++) {
		offs[i] = rd32(buf + 4 + 4 * i);
		if (offs[i] != 0 && (offs[i] < SD_HEADER || offs[i] >= len))
			return iwa_err_set(err, IWA_EPARSE,
					   "security descriptor offset %u out of bounds",
					   (unsigned)offs[i]);
	}
	sd = calloc(1, sizeof(*sd));
	if (sd == NULL)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	sd->control = rd16(buf + 2);
	dacl = offs[3];
	sd->dacl_present = (sd->control & SE_DACL_PRESENT) && dacl != 0;
	if (sd->dacl_present) {
		if (len - dacl < ACL_HEADER) {
			rc = iwa_err_set(err, IWA_EPARSE, "DACL header truncated");
			goto fail;
		}
		acl_size = rd16(buf + dacl + 2);
		count = rd16(buf + dacl + 4);
		if (acl_size < ACL_HEADER || acl_size > len - dacl) {
			rc = iwa_err_set(err, IWA_EPARSE, "DACL size %zu exceeds the descriptor",
					 acl_size);
			goto fail;
		}
		/* Each ACE takes at least 8 bytes: bounds the allocation by the input size. */
		if (count > (acl_size - ACL_HEADER) / 8) {
			rc = iwa_err_set(err, IWA_EPARSE, "DACL claims %zu ACEs in %zu bytes",
					 count, acl_size);
			goto fail;
		}
		sd->aces = calloc(count ? count : 1, sizeof(*sd->aces));
		if (sd->aces == NULL) {
			rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
			goto fail;
		}
		pos = ACL_HEADER;
		for (size_t i = 0; i < count; i++) {
			size_t asz;
			if (acl_size - pos < 4) {
				rc = iwa_err_set(err, IWA_EPARSE, "ACE %zu header truncated", i);
				goto fail;
			}
			asz = rd16(buf + dacl + pos + 2);
			if (asz < 4 || asz > acl_size - pos) {
				rc = iwa_err_set(err, IWA_EPARSE, "ACE %zu size %zu out of bounds",
						 i, asz);
				goto fail;
			}
			rc = parse_ace(buf + dacl + pos, asz, &sd->aces[i], (unsigned)i, err);
			if (rc != 0)
				goto fail;
			pos += asz;
			sd->nace++;
		}
	}
	*out = sd;
	return 0;
fail:
	iwa_secdesc_free(sd);
	return rc;
}

void iwa_secdesc_free(struct iwa_secdesc *sd)
{
	if (sd == NULL)
		return;
	free(sd->aces);
	free(sd);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (braces optional) into wire order. */
int iwa_guid_parse(const char *s, uint8_t out[16])
{
	uint8_t raw[16];
	size_t n = 0, i = 0;
	bool brace = false;

	if (s == NULL)
		return IWA_EINVAL;
	if (s[0] == '{') {
		brace = true;
		i = 1;
	}
	for (int part = 0; part < 5; part++) {
		static const int len[5] = {8, 4, 4, 4, 12};
		for (int k = 0; k < len[part]; k += 2) {
			int hi = hexval(s[i]), lo = hi < 0 ? -1 : hexval(s[i + 1]);
			if (hi < 0 || lo < 0)
				return IWA_EINVAL;
			raw[n++] = (uint8_t)(hi << 4 | lo);
			i += 2;
		}
		if (part < 4 && s[i++] != '-')
			return IWA_EINVAL;
	}
	if (brace && s[i++] != '}')
		return IWA_EINVAL;
	if (s[i] != '\0')
		return IWA_EINVAL;
	out[0] = raw[3], out[1] = raw[2], out[2] = raw[1], out[3] = raw[0];
	out[4] = raw[5], out[5] = raw[4], out[6] = raw[7], out[7] = raw[6];
	memcpy(out + 8, raw + 8, 8);
	return 0;
}

void iwa_guid_format(const uint8_t g[16], char buf[37])
{
	snprintf(buf, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12],
		 g[13], g[14], g[15]);
}

static int sid_index(const struct iwa_sid *sids, size_t n, const struct iwa_sid *s)
{
	for (size_t i = 0; i < n; i++)
		if (iwa_sid_equal(&sids[i], s))
			return (int)i;
	return -1;
}

/* Does this ACE cover Read (want_apply false) or Apply Group Policy (true)? */
static bool ace_covers(const struct iwa_ace *a, bool want_apply)
{
	bool object = a->type == IWA_ACE_ALLOWED_OBJECT || a->type == IWA_ACE_DENIED_OBJECT;

	if (!want_apply) {
		if (object && a->has_object_type)
			return false; /* property-specific read is not Read of the object */
		return (a->mask & (IWA_RIGHT_DS_READ_PROPERTY | IWA_RIGHT_GENERIC_READ |
				   IWA_RIGHT_GENERIC_ALL)) != 0;
	}
	if (!(a->mask & (IWA_RIGHT_DS_CONTROL_ACCESS | IWA_RIGHT_GENERIC_ALL)))
		return false;
	if (object && a->has_object_type)
		return memcmp(a->object_type, iwa_guid_apply_group_policy, 16) == 0;
	return true;
}

/* Ordered DACL evaluation: the first matching ACE decides each right. */
void iwa_secdesc_gpo_access(const struct iwa_secdesc *sd, const struct iwa_sid *sids, size_t nsids,
			    struct iwa_gpo_access *out)
{
	bool decided[2] = {false, false};

	memset(out, 0, sizeof(*out));
	out->read_by = out->apply_by = out->read_denied_by = out->apply_denied_by = -1;
	if (sd == NULL)
		return;
	if (!sd->dacl_present) {
		out->read = out->apply = true;
		return;
	}
	for (size_t i = 0; i < sd->nace && !(decided[0] && decided[1]); i++) {
		const struct iwa_ace *a = &sd->aces[i];
		bool deny = a->type == IWA_ACE_DENIED || a->type == IWA_ACE_DENIED_OBJECT;
		int who;

		if (a->type != IWA_ACE_ALLOWED && a->type != IWA_ACE_DENIED &&
		    a->type != IWA_ACE_ALLOWED_OBJECT && a->type != IWA_ACE_DENIED_OBJECT)
			continue;
		if (a->flags & IWA_ACE_FLAG_INHERIT_ONLY)
			continue;
		who = sid_index(sids, nsids, &a->sid);
		if (who < 0)
			continue;
		for (int r = 0; r < 2; r++) {
			if (decided[r] || !ace_covers(a, r == 1))
				continue;
			decided[r] = true;
			if (r == 0) {
				out->read = !deny;
				out->read_denied = deny;
				*(deny ? &out->read_denied_by : &out->read_by) = who;
			} else {
				out->apply = !deny;
				out->apply_denied = deny;
				*(deny ? &out->apply_denied_by : &out->apply_by) = who;
			}
		}
	}
}
