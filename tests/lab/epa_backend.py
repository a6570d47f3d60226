#!/usr/bin/python3
# tests/lab/epa_backend.py — a Kerberos "Negotiate" HTTPS backend that checks channel bindings
# (RFC 5929 tls-server-end-point) like IIS windowsAuthentication/extendedProtection
# tokenChecking="Allow" or "Require". Apache's mod_auth_gssapi cannot (it passes no bindings).
#
# Every request without a token gets 401 + "WWW-Authenticate: Negotiate" (like IIS). A request
# with "Authorization: Negotiate <token>" is accepted with MIT krb5 (the keytab in KRB5_KTNAME,
# cam-svc's key like the Apache backends), passing the bindings this server expects: the hash
# of ITS OWN certificate. MIT krb5 1.20 then:
#   - bindings sent and different   -> GSS_S_BAD_BINDINGS                  -> 401 (Allow, Require)
#   - bindings sent and equal       -> complete, ret_flags has 0x800         -> 200
#   - no bindings sent              -> complete, WITHOUT 0x800 (CHANNEL_BOUND) -> 200 (Allow),
#                                                                              401 (Require)
# A 200 carries the final token (AP-REP) and the body NAME. Every answer carries X-Backend: NAME.
# One line per request is appended to LOG: "<path> <result>" (result: none|ok-bound|
# ok-unbound|refused-unbound|bad-bindings|error:<text>).
#
# Usage: epa_backend.py allow|require NAME ADDR PORT CERT KEY LOG
#        (serves until SIGTERM; KRB5_KTNAME and KRB5_CONFIG from the environment)
import base64
import hashlib
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import gssapi
import gssapi.raw as graw
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

CHANNEL_BOUND = 0x800  # GSS_C_CHANNEL_BOUND_FLAG (MIT krb5 1.19+)


def end_point_hash(pem_path):
    """RFC 5929 section 4.1: the certificate's signature hash, SHA-256 for MD5/SHA-1."""
    with open(pem_path, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    der = cert.public_bytes(Encoding.DER)
    alg = cert.signature_hash_algorithm
    name = alg.name if alg is not None else "sha256"
    if name in ("md5", "sha1"):
        name = "sha256"
    return hashlib.new(name, der).digest()


def main():
    level, name, addr, port, cert, key, logpath = sys.argv[1:8]
    if level not in ("allow", "require"):
        sys.exit("level must be allow or require")
    app_data = b"tls-server-end-point:" + end_point_hash(cert)
    bindings = graw.ChannelBindings(application_data=app_data)
    creds = gssapi.Credentials(usage="accept")
    log = open(logpath, "a", buffering=1)

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def answer(self, code, body, token=None):
            data = body.encode()
            self.send_response(code)
            self.send_header("X-Backend", name)
            if token is not None:
                self.send_header("WWW-Authenticate", "Negotiate " + token)
            elif code == 401:
                self.send_header("WWW-Authenticate", "Negotiate")
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/health":
                log.write("%s health\n" % self.path)
                return self.answer(200, "ok %s\n" % name)
            auth = self.headers.get("Authorization", "")
            if not auth.lower().startswith("negotiate "):
                log.write("%s none\n" % self.path)
                return self.answer(401, "401 Unauthorized (Negotiate)\n")
            try:
                tok = base64.b64decode(auth.split(None, 1)[1].strip())
                res = graw.accept_sec_context(tok, creds, None, bindings)
            except (graw.GSSError, ValueError) as e:
                # routine error 4 = GSS_S_BAD_BINDINGS (RFC 2744 section 3.9.1)
                what = "bad-bindings" if (getattr(e, "maj_code", 0) >> 16) & 0xFF == 4 else None
                text = str(e).replace("\n", " ")
                log.write("%s %s\n" % (self.path, what or "error:" + text))
                return self.answer(401, "401 Unauthorized (%s)\n" % (what or "token refused"))
            if res.more_steps:
                log.write("%s error:more-steps\n" % self.path)
                return self.answer(401, "401 Unauthorized (incomplete)\n")
            bound = bool(res.flags & CHANNEL_BOUND)
            if level == "require" and not bound:
                log.write("%s refused-unbound\n" % self.path)
                return self.answer(401, "401 Unauthorized (channel binding required)\n")
            log.write("%s %s\n" % (self.path, "ok-bound" if bound else "ok-unbound"))
            out = base64.b64encode(res.token).decode() if res.token else None
            return self.answer(200, "%s\n" % name, out)

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv = ThreadingHTTPServer((addr, int(port)), H)
    srv.daemon_threads = True
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
