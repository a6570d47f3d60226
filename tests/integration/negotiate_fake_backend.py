#!/usr/bin/python3
# tests/integration/negotiate_fake_backend.py — a deliberately misbehaving HTTP backend for
# tests/integration/check_negotiate_backend.sh (cases the real lab backends cannot show):
#   /nomutual   401 Negotiate, then 200 WITHOUT a final Negotiate token (no mutual auth)
#   /badmutual  401 Negotiate, then 200 with a final token that is not a valid AP-REP
#   /anon       200 without asking for authentication
#   /basic      401 offering only Basic
#   /noauth     401 without any WWW-Authenticate header
#   /redirect   401 Negotiate, then 302 (counts as success by default) without a final token
# Usage: negotiate_fake_backend.py ADDR PORT   (serves until killed)
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, headers=()):
        body = b"fake\n"
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("X-Backend", "fake")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        negotiated = auth.startswith("Negotiate ") and len(auth) > 20
        path = self.path.split("?")[0]
        if path == "/anon":
            return self.reply(200)
        if path == "/basic":
            return self.reply(401, [("WWW-Authenticate", 'Basic realm="fake"')])
        if path == "/noauth":
            return self.reply(401)
        if not negotiated:
            return self.reply(401, [("WWW-Authenticate", "Negotiate")])
        if path == "/nomutual":
            return self.reply(200)
        if path == "/badmutual":
            return self.reply(200, [("WWW-Authenticate", "Negotiate oQcwBaADCgEA")])
        if path == "/redirect":
            return self.reply(302, [("Location", "/elsewhere")])
        return self.reply(404)


HTTPServer((sys.argv[1], int(sys.argv[2])), Handler).serve_forever()
