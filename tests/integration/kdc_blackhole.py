#!/usr/bin/python3
"""tests/integration/kdc_blackhole.py — a KDC over TCP that hangs on purpose, for the tests
of the named, bounded KDC stages. Runs inside the lab's namespace:

    kdc_blackhole.py ADDR PORT KDC_ADDR MODE

MODE silent: accepts connections and never answers anything.
MODE tgs:    passes each AS-REQ (RFC 4120 [APPLICATION 10], first byte 0x6a) on to the real
             KDC at KDC_ADDR:88 over TCP and relays its reply; holds every TGS-REQ
             ([APPLICATION 12], 0x6c) without an answer. So the TGT is had and the service
             ticket hangs.
MODE hold=WORD: passes every request but those holding the bytes WORD (the service name of
             a TGS-REQ is in clear: hold=cifs holds only the cifs/<host> ticket).
Nothing is printed; stop it by its PID. A client must use TCP (udp_preference_limit = 1 and
no UDP listener here: its UDP datagrams are refused)."""
import socket
import sys
import threading

addr, port, kdc, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
held = []


def recv_exact(c, n):
    b = b""
    while len(b) < n:
        d = c.recv(n - len(b))
        if not d:
            return None
        b += d
    return b


def serve(c):
    held.append(c)
    if mode == "silent":
        return
    while True:
        hdr = recv_exact(c, 4)
        if hdr is None:
            return
        msg = recv_exact(c, int.from_bytes(hdr, "big"))
        if msg is None:
            return
        if mode == "tgs" and msg[:1] != b"\x6a":
            continue  # a TGS-REQ (or anything else): never answered
        if mode.startswith("hold=") and mode[5:].encode() in msg:
            continue
        up = socket.create_connection((kdc, 88), timeout=10)
        up.sendall(hdr + msg)
        rhdr = recv_exact(up, 4)
        reply = recv_exact(up, int.from_bytes(rhdr, "big")) if rhdr else None
        up.close()
        if reply is None:
            return
        c.sendall(rhdr + reply)


s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
s.listen(16)
while True:
    conn, _ = s.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
