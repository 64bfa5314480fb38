#!/usr/bin/env python3
"""Makes CONNS loopback connections from DISTINCT client addresses for
bench/top/live, inside the private network namespace that script made, and
leaves each in TIME_WAIT on the server's side: one row each, whose remote
address is the client's. (This machine allows 20,000 open files, too few to
hold 200k rows as open sockets; a TIME_WAIT row needs no file.)

    live-holder.py CONNS DISTINCT READY_FILE

One listener on 127.0.0.1; connections come from 127.1.x.y (the k-th
address of 127.1.0.0/16 and above): the first DISTINCT one from each address,
the rest skewed towards the first addresses (k = DISTINCT * (j / rest)^4), so
the rows have DISTINCT remote addresses with a few heavy hitters. Each
address uses its own client ports in turn (20000 and up), so no 4-tuple
comes back while its TIME_WAIT row lives. The server closes first, so its
side is the TIME_WAIT row; the client's side is gone at once. When all are
made it writes READY_FILE (count, distinct, seconds taken) and sleeps until
killed. The kernel drops a TIME_WAIT row 60 s after the close: the first
rows made go first, so the bench must run within 60 s of the start.
Bounded: CONNS connections, DEADLINE seconds to make them.
"""

import os
import socket
import sys
import time

DEADLINE = 50.0
MAX_LIFETIME = 120.0


def address(i):
    n = 1 << 16 | i  # 127.1.0.0 and up; i < 2**23 keeps it inside 127/8
    return "127.%d.%d.%d" % (n >> 16 & 255, n >> 8 & 255, n & 255)


def source(i, conns, distinct):
    if i < distinct:
        return i
    j, rest = i - distinct, conns - distinct
    return min(distinct - 1, int(distinct * (j / rest) ** 4))


def main():
    conns, distinct, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    if not 0 < distinct <= conns < 1 << 23:
        sys.exit("live-holder.py: need 0 < DISTINCT <= CONNS < 2^23")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(4096)
    port = listener.getsockname()[1]
    used = {}
    start = time.monotonic()
    for i in range(conns):
        if time.monotonic() - start > DEADLINE:
            sys.exit("live-holder.py: %d connections after %.0f s" % (i, DEADLINE))
        k = source(i, conns, distinct)
        n = used.get(k, 0)
        used[k] = n + 1
        if n >= 40000:
            sys.exit("live-holder.py: more than 40000 connections from one address")
        client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        client.bind((address(k), 20000 + n))
        client.connect(("127.0.0.1", port))
        server, _ = listener.accept()
        server.close()
        client.close()
    with open(ready, "w") as f:
        f.write("%d %d %.1f\n" % (conns, distinct, time.monotonic() - start))
    time.sleep(MAX_LIFETIME)


if __name__ == "__main__":
    main()
