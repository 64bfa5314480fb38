#!/usr/bin/env python3
"""Duplicated and skipped rows of /proc/net/tcp under churn, per read() size.

Run by bench/churn inside a private network namespace where
bench/lib/holder.py already holds the base rows. Usage:

  churn.py SECONDS CHURNERS POOL SIZE...

1. Quiet: one pass per buffer size with nothing changing; every pass must see
   the same 4-tuples, no duplicate, none missing (a check of the reader).
   The ESTABLISHED rows seen now are the *stable set*: the holder keeps them
   open for the whole run, so a pass that lacks one skipped it.
2. Churn: CHURNERS processes each keep POOL loopback IPv4 connections open
   and, as fast as they can until the deadline, close a random one with an
   RST (SO_LINGER 0, so no TIME_WAIT row) and open a new one on a fresh
   4-tuple: rows appear and vanish all over the hash table.
3. Meanwhile one reader makes passes over /proc/net/tcp, rotating through the
   buffer sizes so every size sees the same conditions. A pass reads with
   os.read(fd, SIZE) until EOF, keeping the chunks, and parses them only
   afterwards, so the time between two read() calls is what C would take.
   Per pass: read() calls, rows, duplicated (local, remote) pairs, stable rows
   missing, and `ss -tan -4 -H` right after it.
Prints a markdown table on stdout.
"""

import os
import random
import socket
import struct
import subprocess
import sys
import time

TCP = "/proc/net/tcp"


def one_pass(size):
    fd = os.open(TCP, os.O_RDONLY)
    chunks = []
    t0 = time.perf_counter()
    try:
        while True:
            b = os.read(fd, size)
            if not b:
                break
            chunks.append(b)
    finally:
        os.close(fd)
    elapsed = time.perf_counter() - t0
    keys = []
    states = []
    for line in b"".join(chunks).split(b"\n")[1:]:
        parts = line.split(None, 4)
        if len(parts) >= 4:
            keys.append((parts[1], parts[2]))
            states.append(parts[3])
    return len(chunks), keys, states, elapsed


def ss_rows():
    out = subprocess.run(["ss", "-tan", "-4", "-H"], capture_output=True, check=True).stdout
    return out.count(b"\n")


def churner(number, deadline, pool_size, report_fd):
    rst = struct.pack("ii", 1, 0)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(4096)
    target = listener.getsockname()
    counter = [0]

    def connect():
        counter[0] += 1
        i = counter[0]
        host, port = divmod(i, 40000)
        c = socket.socket()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind(("127.%d.%d.%d" % (200 + number, (host >> 8) & 255, host & 255), 20000 + port))
        c.connect(target)
        s, _ = listener.accept()
        return c, s

    pool = [connect() for _ in range(pool_size)]
    ops = 0
    while time.monotonic() < deadline:
        for _ in range(100):
            k = random.randrange(pool_size)
            c, s = pool[k]
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, rst)
            c.close()
            s.close()
            pool[k] = connect()
            ops += 1
    os.write(report_fd, b"%d\n" % ops)


def stats(values):
    return sum(values) / len(values) if values else 0.0


def main(seconds, churners, pool, sizes):
    # 1. quiet passes
    quiet = {}
    reference = None
    stable = None
    for size in sizes:
        reads, keys, states, _ = one_pass(size)
        dups = len(keys) - len(set(keys))
        if reference is None:
            reference = set(keys)
            stable = {k for k, st in zip(keys, states) if st == b"01"}
        quiet[size] = (reads, len(keys), dups, len(reference ^ set(keys)))
    ss_quiet = ss_rows()

    # 2. churners
    start = time.monotonic()
    deadline = start + 2 + seconds  # 2 s to open their pools first
    r, w = os.pipe()
    pids = []
    for number in range(churners):
        pid = os.fork()
        if pid == 0:
            os.close(r)
            code = 0
            try:
                churner(number, deadline, pool, w)
            except BaseException as e:
                sys.stderr.write("churner %d: %s\n" % (number, e))
                code = 1
            os._exit(code)
        pids.append(pid)
    os.close(w)
    time.sleep(2)

    # 3. passes, rotating through the sizes
    per = {size: [] for size in sizes}
    churn_start = time.monotonic()
    i = 0
    while time.monotonic() < deadline - 0.2:
        size = sizes[i % len(sizes)]
        i += 1
        reads, keys, states, elapsed = one_pass(size)
        seen = set(keys)
        ss_after = ss_rows()
        per[size].append((reads, len(keys), len(keys) - len(seen), len(stable - seen), ss_after, elapsed))
    churn_time = time.monotonic() - churn_start

    ops = 0
    with os.fdopen(r) as f:
        for line in f:
            ops += int(line)
    failed = 0
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        failed += status != 0
    if failed:
        sys.exit("%d churner(s) failed" % failed)

    out = []
    out.append("Quiet (nothing changing): %d rows in /proc/net/tcp, `ss -tan -4` %d; %d of them"
               % (len(reference), ss_quiet, len(stable)))
    out.append("ESTABLISHED rows form the stable set.")
    out.append("")
    out.append("| read() size | reads/pass | rows | duplicates | differs from first pass |")
    out.append("|---:|---:|---:|---:|---:|")
    for size in sizes:
        reads, rows, dups, diff = quiet[size]
        out.append("| %s | %d | %d | %d | %d |" % (human(size), reads, rows, dups, diff))
    out.append("")
    out.append("Churn: %d processes replaced %d connections in %.1f s (%.0f per second), each"
               % (churners, ops, seconds, ops / seconds))
    out.append("holding a pool of %d; passes rotated through the sizes for %.1f s." % (pool, churn_time))
    out.append("")
    out.append("| read() size | passes | reads/pass | ms/pass | rows/pass | duplicates/pass (max) | stable rows skipped/pass (max) | passes with any | rows - ss after |")
    out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        p = per[size]
        if not p:
            continue
        dups = [x[2] for x in p]
        skipped = [x[3] for x in p]
        bad = sum(1 for x in p if x[2] or x[3])
        out.append("| %s | %d | %.1f | %.1f | %.0f | %.2f (%d) | %.2f (%d) | %d of %d | %+.0f |" % (
            human(size), len(p), stats([x[0] for x in p]), stats([x[5] * 1e3 for x in p]),
            stats([x[1] for x in p]), stats(dups), max(dups), stats(skipped), max(skipped),
            bad, len(p), stats([x[1] - x[4] for x in p])))
    print("\n".join(out))


def human(size):
    if size % (1 << 20) == 0:
        return "%d MiB" % (size >> 20)
    if size % 1024 == 0:
        return "%d KiB" % (size >> 10)
    return str(size)


if __name__ == "__main__":
    if len(sys.argv) < 5:
        sys.exit("usage: churn.py SECONDS CHURNERS POOL SIZE...")
    main(float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), [int(s) for s in sys.argv[4:]])
