#!/usr/bin/python3
# tests/lab/epa_client.py — a raw Negotiate client that sends chosen channel bindings, for
# tests/lab/selftest.sh (curl 7.88 sends none): one TLS connection to ADDR:443 with SNI and
# Host = FQDN, one GET / with a Kerberos token for HTTP/FQDN whose bindings are
#   ok     tls-server-end-point: SHA-256 of the certificate this connection presented
#   none   no bindings
#   wrong  tls-server-end-point: 32 zero bytes
# Prints the status code and the X-Backend header ("200 epa-require"). The ccache is KRB5CCNAME.
# Usage: epa_client.py ADDR FQDN REALM CAFILE ok|none|wrong
import base64
import hashlib
import socket
import ssl
import sys

import gssapi
import gssapi.raw as graw

addr, fqdn, realm, cafile, mode = sys.argv[1:6]
tls = ssl.create_default_context(cafile=cafile)
s = tls.wrap_socket(socket.create_connection((addr, 443), timeout=10), server_hostname=fqdn)
cb = None
if mode == "ok":  # the lab's certificates are ecdsa-with-SHA256: SHA-256 is their hash
    cb = graw.ChannelBindings(application_data=b"tls-server-end-point:" +
                              hashlib.sha256(s.getpeercert(True)).digest())
elif mode == "wrong":
    cb = graw.ChannelBindings(application_data=b"tls-server-end-point:" + b"\0" * 32)
name = gssapi.Name("HTTP/%s@%s" % (fqdn, realm), gssapi.NameType.kerberos_principal)
ctx = gssapi.SecurityContext(name=name, usage="initiate", mech=gssapi.MechType.kerberos,
                             channel_bindings=cb)
tok = base64.b64encode(ctx.step()).decode()
s.sendall(("GET / HTTP/1.1\r\nHost: %s\r\nAuthorization: Negotiate %s\r\n"
           "Connection: close\r\n\r\n" % (fqdn, tok)).encode())
data = b""
while b"\r\n\r\n" not in data:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
head = data.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
backend = [h.split(":", 1)[1].strip() for h in head[1:] if h.lower().startswith("x-backend:")]
print(head[0].split()[1], backend[0] if backend else "-")
