#!/usr/bin/python3
# tests/lab/labdir.py — directory side of the lab (called by tests/lab/lab, not by hand).
# Works on the DC's sam.ldb directly (local ldb access with system privileges, the same
# path samba-tool -H sam.ldb uses; safe while samba runs) and on the SYSVOL folder.
#
#   labdir.py SMBCONF setup CAMSVC_PW MONITOR_PW          -> prints KEY=VALUE lines
#   labdir.py SMBCONF gpo-init GUID                       -> GptTmpl.inf, versions, CSE, link
#   labdir.py SMBCONF scenario NAME on|off
#   labdir.py SMBCONF info                                -> prints KEY=VALUE lines
import os
import secrets
import sys

import ldb
from samba.auth import system_session
from samba.param import LoadParm
from samba.samdb import SamDB
from samba import dsdb
from samba.dcerpc import drsblobs, security
from samba.ndr import ndr_pack, ndr_unpack

SECURITY_CSE = "[{827D319E-6EAC-11D2-A4EA-00C04F79F83A}{803E14A0-B4FB-11D0-A0D0-00A0C90F574B}]"
# What a GPO with only registry (Administrative Templates) settings carries: no Security CSE.
REGISTRY_CSE = "[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]"
GPO_NAME = "IIS-BatchLogon-GPO"

smbconf = sys.argv[1]
lp = LoadParm()
lp.load(smbconf)


def connect():
    return SamDB(url=os.path.join(lp.get("private dir"), "sam.ldb"),
                 session_info=system_session(), lp=lp)


samdb = connect()
BASE = str(samdb.domain_dn())
DNSDOMAIN = samdb.domain_dns_name()
REALM = lp.get("realm").upper()
FQDN = os.environ.get("LAB_FQDN", "sso." + DNSDOMAIN)
SPN = "HTTP/" + FQDN
SYSVOL_DOMAIN = os.path.join(lp.get("path", "sysvol"), DNSDOMAIN)

OU_SVC = "OU=ServiceAccounts," + BASE
OU_WEB = "OU=WebServers," + BASE
CAMSVC_DN = "CN=cam-svc," + OU_SVC
SERVER_DN = {1: "CN=SERVER1," + OU_WEB, 2: "CN=SERVER2," + OU_WEB}
MONITOR_DN = "CN=monitor,CN=Users," + BASE


def modify(dn, attr, op, values):
    m = ldb.Message()
    m.dn = ldb.Dn(samdb, dn)
    flag = {"add": ldb.FLAG_MOD_ADD, "delete": ldb.FLAG_MOD_DELETE,
            "replace": ldb.FLAG_MOD_REPLACE}[op]
    m[attr] = ldb.MessageElement(values, flag, attr)
    samdb.modify(m)


def get1(dn, attr):
    res = samdb.search(base=dn, scope=ldb.SCOPE_BASE, attrs=[attr])
    if attr not in res[0]:
        return None
    return str(res[0][attr][0])


def getall(dn, attr):
    res = samdb.search(base=dn, scope=ldb.SCOPE_BASE, attrs=[attr])
    return [str(v) for v in res[0][attr]] if attr in res[0] else []


def sid_of(dn):
    res = samdb.search(base=dn, scope=ldb.SCOPE_BASE, attrs=["objectSid"])
    return str(ndr_unpack(security.dom_sid, res[0]["objectSid"][0]))


# ---------------------------------------------------------------- SPN helpers


def spn_add(dn, spn):
    """Add an SPN value. If the DC refuses it as a duplicate (Samba 4.17's samldb enforces
    uniqueness on every originating write and, unlike AD, ignores dSHeuristics), write the
    value directly into the domain partition below the module stack, the way a replicated
    update or a restore brings duplicates into a real AD. The value is indexed and visible
    to LDAP, the GC and the KDC at once."""
    if spn in getall(dn, "servicePrincipalName"):
        return
    try:
        modify(dn, "servicePrincipalName", "add", spn)
        return
    except ldb.LdbError as e:
        if e.args[0] != ldb.ERR_CONSTRAINT_VIOLATION:
            raise
    raw_spn(dn, spn, ldb.FLAG_MOD_ADD)


def raw_spn(dn, spn, flag):
    part = os.path.join(lp.get("private dir"), "sam.ldb.d", BASE.upper() + ".ldb")
    raw = ldb.Ldb(part, options=["modules:"])
    m = ldb.Message()
    m.dn = ldb.Dn(raw, dn)
    m["servicePrincipalName"] = ldb.MessageElement(spn, flag, "servicePrincipalName")
    raw.modify(m)


def spn_del(dn, spn):
    if spn not in getall(dn, "servicePrincipalName"):
        return
    try:
        modify(dn, "servicePrincipalName", "delete", spn)
    except ldb.LdbError as e:
        # samldb re-checks the remaining values and fails while a duplicate exists
        if e.args[0] != ldb.ERR_CONSTRAINT_VIOLATION:
            raise
        raw_spn(dn, spn, ldb.FLAG_MOD_DELETE)


# ---------------------------------------------------------------- GPO helpers
def gpo_guid():
    res = samdb.search(base="CN=Policies,CN=System," + BASE, scope=ldb.SCOPE_ONELEVEL,
                       expression="(&(objectClass=groupPolicyContainer)(displayName=%s))" % GPO_NAME,
                       attrs=["cn"])
    return str(res[0]["cn"][0])


def gpo_dn(guid):
    return "CN=%s,CN=Policies,CN=System,%s" % (guid, BASE)


def gpo_dir(guid):
    return os.path.join(SYSVOL_DOMAIN, "Policies", guid)


def link_str(guid, opt):
    return "[LDAP://%s;%d]" % (gpo_dn(guid), opt)


def parse_gplink(s):
    out = []
    if not s:
        return out
    for part in s.strip("[]").split("]["):
        if not part:
            continue
        path, _, opt = part.rpartition(";")
        out.append([path, int(opt)])
    return out


def set_link(container, guid, opt):
    """opt None = remove the GPO's link from container, else add/update with that option."""
    links = parse_gplink(get1(container, "gPLink"))
    target = "LDAP://" + gpo_dn(guid)
    new = [l for l in links if l[0].lower() != target.lower()]
    if opt is not None:
        found = [l for l in links if l[0].lower() == target.lower()]
        if found:
            new = [[l[0], opt] if l[0].lower() == target.lower() else l for l in links]
        else:
            new = links + [[target, opt]]
    value = "".join("[%s;%d]" % (p, o) for p, o in new)
    modify(container, "gPLink", "replace", [value] if value else [])


def read_gpt_version(guid):
    with open(os.path.join(gpo_dir(guid), "GPT.INI"), "rb") as f:
        for line in f.read().decode("utf-8", "replace").splitlines():
            if line.lower().startswith("version="):
                return int(line.split("=", 1)[1])
    return 0


def atomic_write(path, data, mode=0o644):
    """Replace PATH's content in one step: a reader (smbd serving a plugin or the selftest)
    sees the old file or the new one, never the empty file an in-place truncate leaves for a
    moment. The new file gets the old one's owner, mode and extended attributes (the NT ACL
    smbd checks, the POSIX ACL), so SMB access stays as samba-tool set it up."""
    d, base = os.path.split(path)
    tmp = os.path.join(d, ".%s.lab-%d" % (base, os.getpid()))
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if os.path.exists(path):
            st = os.stat(path)
            os.chown(tmp, st.st_uid, st.st_gid)
            os.chmod(tmp, st.st_mode & 0o7777)
            for name in os.listxattr(path):
                os.setxattr(tmp, name, os.getxattr(path, name))
        else:
            os.chmod(tmp, mode)
        os.rename(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_gpt_version(guid, version):
    atomic_write(os.path.join(gpo_dir(guid), "GPT.INI"),
                 ("[General]\r\nVersion=%d\r\n" % version).encode())


def bump_versions(guid):
    """Bump the computer half in AD versionNumber and GPT.INI Version together."""
    v = int(get1(gpo_dn(guid), "versionNumber") or 0)
    v = (v & 0xFFFF0000) | (((v & 0xFFFF) + 1) & 0xFFFF)
    modify(gpo_dn(guid), "versionNumber", "replace", str(v))
    write_gpt_version(guid, v)


def write_gpttmpl(guid, sids):
    d = os.path.join(gpo_dir(guid), "Machine", "Microsoft", "Windows NT", "SecEdit")
    os.makedirs(d, exist_ok=True)
    text = ("[Unicode]\r\nUnicode=yes\r\n[Version]\r\nsignature=\"$CHICAGO$\"\r\nRevision=1\r\n"
            "[Privilege Rights]\r\nSeBatchLogonRight = %s\r\n" % ",".join("*" + s for s in sids))
    atomic_write(os.path.join(d, "GptTmpl.inf"), b"\xff\xfe" + text.encode("utf-16-le"))


def healthy_rights():
    return [sid_of(CAMSVC_DN), "S-1-5-32-568"]


# ---------------------------------------------------------------- commands
def cmd_setup(camsvc_pw, monitor_pw):
    samdb.create_ou(OU_SVC)
    samdb.create_ou(OU_WEB)
    samdb.newuser("cam-svc", camsvc_pw, userou="OU=ServiceAccounts",
                  description="IIS application pool account (lab)")
    # AES for the service tickets (the admin ticked "This account supports Kerberos AES").
    modify(CAMSVC_DN, "msDS-SupportedEncryptionTypes", "replace", "24")
    modify(CAMSVC_DN, "servicePrincipalName", "add", SPN)
    samdb.newuser("monitor", monitor_pw, description="low-privilege monitoring account (lab)")
    for n in (1, 2):
        cn = "SERVER%d" % n
        host = "server%d.%s" % (n, DNSDOMAIN)
        samdb.newcomputer(cn, computerou="OU=WebServers", prepare_oldjoin=True,
                          service_principal_name_list=["HOST/" + cn, "HOST/" + host,
                                                       "RestrictedKrbHost/" + cn,
                                                       "RestrictedKrbHost/" + host])
        modify(SERVER_DN[n], "dNSHostName", "replace", host)
        modify(SERVER_DN[n], "msDS-SupportedEncryptionTypes", "replace", "28")
        samdb.setpassword("(sAMAccountName=%s$)" % cn, secrets.token_urlsafe(24), False)
    cmd_info()


def cmd_gpo_init(guid):
    g = gpo_dn(guid)
    write_gpttmpl(guid, healthy_rights())
    modify(g, "gPCMachineExtensionNames", "replace", SECURITY_CSE)
    modify(g, "flags", "replace", "0")
    bump_versions(guid)
    set_link(OU_WEB, guid, 0)


def cmd_info():
    print("LAB_BASE_DN=" + BASE)
    print("LAB_CAMSVC_DN=" + CAMSVC_DN)
    print("LAB_CAMSVC_SID=" + sid_of(CAMSVC_DN))
    print("LAB_MONITOR_DN=" + MONITOR_DN)
    print("LAB_SERVER1_DN=" + SERVER_DN[1])
    print("LAB_SERVER2_DN=" + SERVER_DN[2])
    try:
        guid = gpo_guid()
        print("LAB_GPO_GUID=" + guid)
    except IndexError:
        pass
    print("LAB_GPO_NAME=" + GPO_NAME)
    print("LAB_SYSVOL=" + SYSVOL_DOMAIN)


# ---------------------------------------------------------------- RC4 retirement

# Where owner-no-aes keeps cam-svc's original supplementalCredentials (restored by off).
SAVED_CREDS = os.path.join(lp.get("private dir"), "cam-svc.supplementalCredentials")


def creds_write(blob):
    # password_hash refuses a direct write of supplementalCredentials; the bypass control is
    # what Samba's own tests use. The kvno (msDS-KeyVersionNumber) stays as it is.
    m = ldb.Message()
    m.dn = ldb.Dn(samdb, CAMSVC_DN)
    m["supplementalCredentials"] = ldb.MessageElement(blob, ldb.FLAG_MOD_REPLACE,
                                                      "supplementalCredentials")
    samdb.modify(m, controls=["local_oid:%s:0" % dsdb.DSDB_CONTROL_BYPASS_PASSWORD_HASH_OID])


def owner_no_aes(on):
    """cam-svc without AES keys, as if its password was last set before the domain made them:
    the Primary:Kerberos-Newer-Keys package (AES keys) is removed from supplementalCredentials
    (and from the Packages list); the RC4 key (the NT hash) stays."""
    res = samdb.search(base=CAMSVC_DN, scope=ldb.SCOPE_BASE, attrs=["supplementalCredentials"])
    blob = bytes(res[0]["supplementalCredentials"][0])
    if not on:
        with open(SAVED_CREDS, "rb") as f:
            creds_write(f.read())
        os.unlink(SAVED_CREDS)
        return
    sc = ndr_unpack(drsblobs.supplementalCredentialsBlob, blob)
    keep = [p for p in sc.sub.packages if p.name != "Primary:Kerberos-Newer-Keys"]
    for p in keep:
        if p.name == "Packages":
            names = bytes.fromhex(p.data).decode("utf-16-le").split("\0")
            names = [n for n in names if n != "Kerberos-Newer-Keys"]
            p.data = "\0".join(names).encode("utf-16-le").hex().upper()
    atomic_write(SAVED_CREDS, blob, 0o600)
    sc.sub.packages = keep
    sc.sub.num_packages = len(keep)
    creds_write(ndr_pack(sc))


def scenario(name, on):
    s1, s2 = SERVER_DN[1], SERVER_DN[2]
    if name == "owner-rc4-only":
        # Someone once "fixed" Kerberos by ticking RC4 only: msDS-SupportedEncryptionTypes=4.
        modify(CAMSVC_DN, "msDS-SupportedEncryptionTypes", "replace", "4" if on else "24")
    elif name == "owner-no-aes":
        owner_no_aes(on)
    elif name == "dup-spn-computer":
        spn_add(s1, SPN) if on else spn_del(s1, SPN)
    elif name == "dup-spn-case":
        first, _, rest = FQDN.partition(".")
        alt = "http/%s.%s" % (first.upper(), rest)
        spn_add(s2, alt) if on else spn_del(s2, alt)
    elif name == "spn-missing":
        spn_del(CAMSVC_DN, SPN) if on else spn_add(CAMSVC_DN, SPN)
    elif name == "spn-on-computer":
        if on:
            spn_del(CAMSVC_DN, SPN)
            spn_add(s1, SPN)
        else:
            spn_del(s1, SPN)
            spn_add(CAMSVC_DN, SPN)
    elif name == "host-alias":
        host = "HOST/" + FQDN
        spn_add(s2, host) if on else spn_del(s2, host)
    elif name in ("cname-spn-typed", "cname-spn-canonical", "cname-canonical-elsewhere"):
        # the alias's SPNs: ALIAS CNAME CANON in the DC's DNS (lab up adds the records)
        alias = "HTTP/" + os.environ["LAB_ALIAS_FQDN"]
        canon = "HTTP/" + os.environ["LAB_CANON_FQDN"]
        dn, spn = {"cname-spn-typed": (CAMSVC_DN, alias),
                   "cname-spn-canonical": (CAMSVC_DN, canon),
                   "cname-canonical-elsewhere": (s2, canon)}[name]
        spn_add(dn, spn) if on else spn_del(dn, spn)
    elif name.startswith("gpo-"):
        # One transaction: a link move (gpo-wrong-ou, gpo-blocked) is never seen half done
        # (the GPO linked nowhere) by a check running meanwhile, and a failed toggle leaves
        # the directory as it was.
        samdb.transaction_start()
        try:
            gpo_scenario(name, on)
            samdb.transaction_commit()
        except BaseException:
            samdb.transaction_cancel()
            raise
    else:
        raise SystemExit("unknown scenario " + name)


def gpo_scenario(name, on):
    """The GPO scenarios (inside the caller's transaction)."""
    guid = gpo_guid()
    g = gpo_dn(guid)
    if name == "gpo-wrong-ou":
        if on:
            set_link(OU_WEB, guid, None)
            set_link(OU_SVC, guid, 0)
        else:
            set_link(OU_SVC, guid, None)
            set_link(OU_WEB, guid, 0)
    elif name == "gpo-missing-right":
        write_gpttmpl(guid, ["S-1-5-32-568"] if on else healthy_rights())
        bump_versions(guid)
    elif name == "gpo-computer-disabled":
        modify(g, "flags", "replace", "2" if on else "0")
    elif name == "gpo-link-disabled":
        set_link(OU_WEB, guid, 1 if on else 0)
    elif name == "gpo-blocked":
        if on:
            set_link(OU_WEB, guid, None)
            set_link(BASE, guid, 0)
            modify(OU_WEB, "gPOptions", "replace", "1")
        else:
            set_link(BASE, guid, None)
            set_link(OU_WEB, guid, 0)
            modify(OU_WEB, "gPOptions", "replace", [])
    elif name == "gpo-version-skew":
        if on:  # the directory moved on, SYSVOL did not follow (replication lag / restore)
            v = read_gpt_version(guid)
            modify(g, "versionNumber", "replace", str(v + 1))
        else:
            write_gpt_version(guid, int(get1(g, "versionNumber")))
    elif name == "gpo-no-cse":
        modify(g, "gPCMachineExtensionNames", "replace", REGISTRY_CSE if on else SECURITY_CSE)
    else:
        raise SystemExit("unknown scenario " + name)


def main():
    cmd = sys.argv[2]
    if cmd == "setup":
        cmd_setup(sys.argv[3], sys.argv[4])
    elif cmd == "gpo-init":
        cmd_gpo_init(sys.argv[3])
    elif cmd == "info":
        cmd_info()
    elif cmd == "scenario":
        scenario(sys.argv[3], sys.argv[4] == "on")
    else:
        raise SystemExit("labdir.py: unknown command " + cmd)


main()
