#!/usr/bin/env python3
"""Holds N idle keep-alive connections to a server on loopback and measures what they cost it.

Usage: idle_conns.py PORT N[,N2,...] OUT PID... [--hold SECONDS] [--source K]

Opens connections (spread over source addresses 127.0.0.K, K+1, ... (K = 2 unless given) so that
the ephemeral ports of one address do not run out, nor collide with the TIME_WAIT ports a run
just before left on its addresses), sends one `GET /healthz` on each and reads every answer, up to
N, waits a second, writes to OUT a line "<connections> <bytes of RSS per connection> <RSS growth
in kB>", then goes on to N2 with the first N still open, and so on: each line counts every
connection open since the start, so memory the server freed earlier does not hide the cost. The
RSS is the sum over PID... (a server's processes). With --hold it then keeps the connections
open that many seconds at most (or until SIGTERM), so that another load can run next to them.
"""
import signal
import socket
import sys
import time

PER_SOURCE = 20000


def rss_kb(pids):
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/status") as f:
            total += next(int(l.split()[1]) for l in f if l.startswith("VmRSS"))
    return total


def read_answer(s):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            raise RuntimeError("connection closed before the answer")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = s.recv(4096)
        if not chunk:
            raise RuntimeError("connection closed in the body")
        body += chunk


def main():
    args = sys.argv[1:]
    hold, source = 0.0, 2
    if "--hold" in args:
        i = args.index("--hold")
        hold = float(args[i + 1])
        del args[i : i + 2]
    if "--source" in args:
        i = args.index("--source")
        source = int(args[i + 1])
        del args[i : i + 2]
    port, counts, out, pids = int(args[0]), [int(x) for x in args[1].split(",")], args[2], args[3:]
    before = rss_kb(pids)
    socks = []
    unread = 0
    with open(out, "w") as f:
        for n in counts:
            while len(socks) < n:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.bind((f"127.0.0.{source + len(socks) // PER_SOURCE}", 0))
                s.connect(("127.0.0.1", port))
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: idle\r\n\r\n")
                socks.append(s)
                unread += 1
                if unread == 1000 or len(socks) == n:  # read as we go: accept queues are finite
                    for t in socks[-unread:]:
                        read_answer(t)
                    unread = 0
            time.sleep(1)
            grown = rss_kb(pids) - before
            f.write(f"{n} {grown * 1024 / max(1, n):.0f} {grown}\n")
            f.flush()
    if hold > 0:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        time.sleep(hold)


if __name__ == "__main__":
    main()
