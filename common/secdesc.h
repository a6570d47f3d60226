/* secdesc.h — self-relative security descriptors (MS-DTYP 2.4.6) as read from
 * nTSecurityDescriptor, and the two checks Group Policy security filtering needs: does a set
 * of SIDs (a computer and its groups) get Read and the Apply Group Policy extended right
 * (edacfd8f-ffb3-11d1-b41d-00a0c968f939) on a groupPolicyContainer. Pure, no I/O. */
#ifndef IWA_SECDESC_H
#define IWA_SECDESC_H

#include "iwa.h"
#include "sid.h"
#include <stdint.h>

/* ACE types we evaluate (others are kept with their type and skipped by the checks). */
enum {
	IWA_ACE_ALLOWED = 0x00,
	IWA_ACE_DENIED = 0x01,
	IWA_ACE_ALLOWED_OBJECT = 0x05,
	IWA_ACE_DENIED_OBJECT = 0x06,
};
#define IWA_ACE_FLAG_INHERIT_ONLY 0x08
#define IWA_ACE_OBJECT_TYPE_PRESENT 0x1
#define IWA_ACE_INHERITED_OBJECT_TYPE_PRESENT 0x2

/* Directory access mask bits (MS-ADTS 5.1.3.2) and generic rights. */
#define IWA_RIGHT_DS_READ_PROPERTY 0x00000010u
#define IWA_RIGHT_DS_CONTROL_ACCESS 0x00000100u
#define IWA_RIGHT_GENERIC_ALL 0x10000000u
#define IWA_RIGHT_GENERIC_READ 0x80000000u

struct iwa_ace {
	uint8_t type, flags;
	uint32_t mask;
	bool has_object_type;
	uint8_t object_type[16]; /* GUID in wire order (first three fields little endian) */
	struct iwa_sid sid;
};

struct iwa_secdesc {
	uint16_t control;
	bool dacl_present; /* false: NULL DACL = everyone has every right */
	size_t nace;
	struct iwa_ace *aces;
};

/* Parses a self-relative SD (only the DACL is decoded; owner/group/SACL offsets are checked
 * for bounds). Result owned by the caller: iwa_secdesc_free. IWA_EPARSE names the fault. */
int iwa_secdesc_parse(const uint8_t *buf, size_t len, struct iwa_secdesc **out,
		      struct iwa_err *err);
void iwa_secdesc_free(struct iwa_secdesc *sd);

/* The GUID "edacfd8f-ffb3-11d1-b41d-00a0c968f939" <-> 16 wire bytes. */
int iwa_guid_parse(const char *s, uint8_t out[16]);
void iwa_guid_format(const uint8_t g[16], char buf[37]);
extern const uint8_t iwa_guid_apply_group_policy[16];

/* Result of the security filtering check. Index fields point into the sids array given
 * (-1 = none): who granted the right, or which deny ACE (by its SID) took it away. */
struct iwa_gpo_access {
	bool read, apply;
	int read_by, apply_by;
	bool read_denied, apply_denied;
	int read_denied_by, apply_denied_by;
};

/* Evaluates the DACL in order, as the Windows access check does: for each wanted right the
 * first ACE (not inherit-only) whose SID is in sids and which covers the right decides:
 * a deny ACE refuses it, an allow ACE grants it.
 *  - Read: READ_PROPERTY or GENERIC_READ/GENERIC_ALL in an ACE without object type;
 *  - Apply: CONTROL_ACCESS (or GENERIC_ALL) in an ACE without object type or with the
 *    Apply Group Policy GUID as object type. */
void iwa_secdesc_gpo_access(const struct iwa_secdesc *sd, const struct iwa_sid *sids, size_t nsids,
			    struct iwa_gpo_access *out);

#endif
