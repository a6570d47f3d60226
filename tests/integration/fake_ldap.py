#!/usr/bin/python3
# tests/integration/fake_ldap.py — a hostile LDAPv3 server over TLS (ldaps) for
# tests/integration/hostile_servers.sh: a minimal BER responder that accepts any simple bind
# and answers every search with what MODE asks for. Python's standard library only.
#
# Usage: fake_ldap.py CERT KEY ADDR PORT MODE [N]     (serves until killed)
#   values N    one entry (cn=cam-svc) whose servicePrincipalName holds N values, the
#               first one HTTP/sso.camtest.test
#   entries N   N entries, each holding HTTP/sso.camtest.test (and one SPN of its own)
#   spns N      entries of 1000 distinct SPNs each, N SPNs in all (for --all)
#   hugemsg     a search answer whose BER header announces a 1 GiB message, then nothing
# A SASL bind is refused (authMethodNotSupported); streaming stops when the client abandons,
# unbinds or goes away, and every connection ends after 60 s at most.
import socket
import ssl
import sys
import threading
import time

LIMIT_S = 60
BASE = "DC=camtest,DC=test"


def ber_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, content):
    return bytes([tag]) + ber_len(len(content)) + content


def integer(i, tag=0x02):
    b = i.to_bytes(max(1, (i.bit_length() + 8) // 8), "big", signed=True)
    return tlv(tag, b)


def ostr(s):
    return tlv(0x04, s.encode() if isinstance(s, str) else s)


def message(msgid, op):
    return tlv(0x30, integer(msgid) + op)


def result(tag, code=0, diag=""):
    return tlv(tag, integer(code, 0x0A) + ostr("") + ostr(diag))


def entry(msgid, dn, attrs):
    body = b"".join(tlv(0x30, ostr(t) + tlv(0x31, b"".join(ostr(v) for v in vals)))
                    for t, vals in attrs)
    return message(msgid, tlv(0x64, ostr(dn) + tlv(0x30, body)))


def account(msgid, name, spns):
    return entry(msgid, "CN=%s,CN=Users,%s" % (name, BASE), [
        ("objectClass", ["top", "person", "organizationalPerson", "user"]),
        ("sAMAccountName", [name]),
        ("userAccountControl", ["512"]),
        ("servicePrincipalName", spns),
    ])


class Conn:
    def __init__(self, sock, mode, n):
        self.sock, self.mode, self.n = sock, mode, n
        self.buf = b""
        self.end = time.monotonic() + LIMIT_S
        self.stop = False

    def read_exact(self, k):
        while len(self.buf) < k:
            d = self.sock.recv(65536)
            if not d:
                raise EOFError
            self.buf += d
        out, self.buf = self.buf[:k], self.buf[k:]
        return out

    def read_message(self):
        """One LDAPMessage: returns (msgid, op tag, op content)."""
        self.read_exact(1)
        first = self.read_exact(1)[0]
        if first & 0x80:
            length = int.from_bytes(self.read_exact(first & 0x7F), "big")
        else:
            length = first
        content = self.read_exact(length)
        # messageID INTEGER
        ilen = content[1]
        msgid = int.from_bytes(content[2:2 + ilen], "big")
        rest = content[2 + ilen:]
        return msgid, rest[0], rest

    def poll_client(self):
        """Non-blocking look at what the client sent while we stream: abandon/unbind/EOF."""
        self.sock.setblocking(False)
        try:
            d = self.sock.recv(65536)
            if not d:
                self.stop = True
            elif b"\x50" in d[:16] or b"\x42" in d[:16]:
                self.stop = True
        except (ssl.SSLWantReadError, BlockingIOError):
            pass
        except OSError:
            self.stop = True
        finally:
            self.sock.setblocking(True)

    def send(self, data):
        self.sock.sendall(data)

    def search(self, msgid):
        if self.mode == "values":
            spns = ["HTTP/sso.camtest.test"] + [
                "HTTP/host-%06d.camtest.test" % i for i in range(1, self.n)]
            self.send(account(msgid, "cam-svc", spns))
        elif self.mode == "entries":
            for i in range(self.n):
                self.send(account(msgid, "svc-%06d" % i,
                                  ["HTTP/sso.camtest.test", "HTTP/own-%06d.camtest.test" % i]))
                if i % 100 == 99:
                    self.poll_client()
                if self.stop or time.monotonic() > self.end:
                    return
        elif self.mode == "spns":
            sent, k = 0, 0
            while sent < self.n:
                m = min(1000, self.n - sent)
                self.send(account(msgid, "bulk-%06d" % k,
                                  ["HTTP/b%07d.camtest.test" % (sent + j) for j in range(m)]))
                sent += m
                k += 1
                if k % 20 == 0:
                    self.poll_client()
                if self.stop or time.monotonic() > self.end:
                    return
        elif self.mode == "hugemsg":
            # LDAPMessage SEQUENCE of 1 GiB (4-octet length), then the message id: nothing else
            self.send(b"\x30\x84\x40\x00\x00\x00" + integer(msgid))
            while not self.stop and time.monotonic() < self.end:
                time.sleep(0.2)
                self.poll_client()
            return
        self.send(message(msgid, result(0x65)))

    def serve(self):
        try:
            while time.monotonic() < self.end:
                msgid, tag, _ = self.read_message()
                if tag == 0x60:  # BindRequest: simple [0] or SASL [3]
                    sasl = b"\xa3" in _[:64] and b"GSSAPI" in _
                    self.send(message(msgid, result(0x61, 7 if sasl else 0,
                                                    "SASL not here" if sasl else "")))
                elif tag == 0x63:  # SearchRequest
                    self.search(msgid)
                elif tag == 0x42:  # UnbindRequest
                    return
                elif tag == 0x77:  # ExtendedRequest (StartTLS): not offered
                    self.send(message(msgid, tlv(0x78, integer(2, 0x0A) + ostr("") + ostr(""))))
                # AbandonRequest (0x50) and anything else: no answer
        except (EOFError, OSError, ssl.SSLError, IndexError):
            pass
        finally:
            try:
                self.sock.close()
            except OSError:
                pass


def main():
    cert, key, addr, port, mode = sys.argv[1:6]
    n = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, int(port)))
    srv.listen(16)
    while True:
        raw, _ = srv.accept()
        raw.settimeout(LIMIT_S)

        def run(raw=raw):
            try:
                s = ctx.wrap_socket(raw, server_side=True)
            except (OSError, ssl.SSLError):
                raw.close()
                return
            Conn(s, mode, n).serve()

        threading.Thread(target=run, daemon=True).start()


if __name__ == "__main__":
    main()
