#!/usr/bin/python3
# tests/integration/negotiate_fake_backend.py — a deliberately misbehaving HTTP backend for
# tests/integration/check_negotiate_backend.sh and hostile_servers.sh (cases the real lab
# backends cannot show). "401 Negotiate" = 401 with WWW-Authenticate: Negotiate; paths marked
# (token) answer the request that carries the client's Kerberos token.
#   /nomutual       401 Negotiate, then 200 WITHOUT a final Negotiate token (no mutual auth)
#   /badmutual      401 Negotiate, then 200 with a final token that is not a valid AP-REP
#   /anon           200 without asking for authentication
#   /basic          401 offering only Basic
#   /noauth         401 without any WWW-Authenticate header
#   /redirect       401 Negotiate, then 302 (counts as success by default) without a final token
#   hostile cases:
#   /bigheader      401 Negotiate with one 1 MiB header line
#   /manyheaders    401 Negotiate with 16384 header lines of 64 bytes (1 MiB in all)
#   /endless        401 Negotiate with a chunked body that never ends, sent as fast as possible
#   /trickle        401 Negotiate with a chunked body of one 8-byte chunk every 0.2 s
#   /trickle-token  (token) 200 with a chunked body of one 8-byte chunk every 0.2 s
#   /bigtoken       (token) 200 with a final Negotiate token of 80,000 base64 characters
#   /notbase64      (token) 200 with a final token made of token68 characters, not base64
#   /notspnego      (token) 200 with a final token that is base64 of "foobar"
#   /badwwwauth     (token) 200 with a WWW-Authenticate value that does not parse
#   /loop           302 to itself (a redirect loop), before any authentication
#   /hang           reads the request and never answers
#   /hang-token     401 Negotiate, then (token) never answers
#   /hang-headers   sends the status line and one header of the 401, then nothing
# Every endless or hanging answer stops when the client goes away, and after 60 s at most.
#
# Usage: negotiate_fake_backend.py ADDR PORT [LOG]   (serves until killed; LOG: one line
#            "GET /path" appended per request)
#        negotiate_fake_backend.py --syn-drop ADDR PORT
#            listens with a full accept queue and never accepts: the kernel drops every new
#            SYN, so a client's TCP connect hangs (the "connect" step of a timeout).
import select
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LIMIT_S = 60  # the longest any answer lasts
LOG = None


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

    def raw(self, data):
        self.wfile.write(data)
        self.wfile.flush()

    def wait_gone(self):
        """Holds the connection open without answering until the client closes it."""
        end = time.monotonic() + LIMIT_S
        sock = self.connection
        while time.monotonic() < end:
            r, _, _ = select.select([sock], [], [], 0.5)
            if r:
                try:
                    if not sock.recv(4096):
                        return
                except OSError:
                    return
        self.close_connection = True

    def chunked(self, code, extra, chunk, pause):
        """A chunked body that never ends (until the client goes away or LIMIT_S)."""
        head = "HTTP/1.1 %d Fake\r\n%sX-Backend: fake\r\nTransfer-Encoding: chunked\r\n\r\n" % (
            code, "".join("%s: %s\r\n" % kv for kv in extra))
        end = time.monotonic() + LIMIT_S
        try:
            self.raw(head.encode())
            piece = b"%x\r\n%s\r\n" % (len(chunk), chunk)
            while time.monotonic() < end:
                self.raw(piece)
                if pause:
                    time.sleep(pause)
        except OSError:
            pass
        self.close_connection = True

    def do_GET(self):
        if LOG:
            with open(LOG, "a") as f:
                f.write("GET %s\n" % self.path)
        auth = self.headers.get("Authorization", "")
        negotiated = auth.startswith("Negotiate ") and len(auth) > 20
        path = self.path.split("?")[0]
        neg = [("WWW-Authenticate", "Negotiate")]
        if path == "/anon":
            return self.reply(200)
        if path == "/basic":
            return self.reply(401, [("WWW-Authenticate", 'Basic realm="fake"')])
        if path == "/noauth":
            return self.reply(401)
        if path == "/loop":
            host = self.headers.get("Host", "localhost")
            return self.reply(302, [("Location", "http://%s/loop" % host)])
        if path == "/hang":
            return self.wait_gone()
        if path == "/hang-headers":
            self.raw(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\n")
            return self.wait_gone()
        if path == "/bigheader":
            return self.reply(401, neg + [("X-Junk", "a" * (1 << 20))])
        if path == "/manyheaders":
            return self.reply(401, neg + [("X-Junk-%05d" % i, "b" * 50) for i in range(16384)])
        if path == "/endless":
            return self.chunked(401, neg, b"c" * 16384, 0)
        if path == "/trickle":
            return self.chunked(401, neg, b"d" * 8, 0.2)
        if not negotiated:
            return self.reply(401, neg)
        if path == "/nomutual":
            return self.reply(200)
        if path == "/badmutual":
            return self.reply(200, [("WWW-Authenticate", "Negotiate oQcwBaADCgEA")])
        if path == "/redirect":
            return self.reply(302, [("Location", "/elsewhere")])
        if path == "/trickle-token":
            return self.chunked(200, [], b"e" * 8, 0.2)
        if path == "/bigtoken":
            return self.reply(200, [("WWW-Authenticate", "Negotiate " + "QUJD" * 20000)])
        if path == "/notbase64":
            return self.reply(200, [("WWW-Authenticate", "Negotiate abc-def_ghi.jkl~")])
        if path == "/notspnego":
            return self.reply(200, [("WWW-Authenticate", "Negotiate Zm9vYmFy")])
        if path == "/badwwwauth":
            return self.reply(200, [("WWW-Authenticate", 'Negotiate "unterminated')])
        if path == "/hang-token":
            return self.wait_gone()
        return self.reply(404)


def syn_drop(addr, port):
    """A listener whose accept queue is full: new connections get no SYN-ACK."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(0)
    fillers = []
    for _ in range(2):  # backlog 0 queues one connection; the next SYN is dropped
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.setblocking(False)
        try:
            c.connect((addr, port))
        except BlockingIOError:
            pass
        fillers.append(c)
    time.sleep(0.2)
    print("ready", flush=True)
    while True:
        time.sleep(3600)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


if __name__ == "__main__":
    if sys.argv[1] == "--syn-drop":
        syn_drop(sys.argv[2], int(sys.argv[3]))
    else:
        LOG = sys.argv[3] if len(sys.argv) > 3 else None
        Server((sys.argv[1], int(sys.argv[2])), Handler).serve_forever()
