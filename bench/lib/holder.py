#!/usr/bin/env python3
"""Holds loopback TCP sockets in a private network namespace for bench/run.

Run inside `unshare --net` (bench/run does that). It listens for one-line
commands on an abstract unix socket (abstract names are per namespace, so
nothing is left on disk) and answers one line:

  grow N    add sockets until the tables hold about N rows: 1% LISTEN,
            60% ESTABLISHED (each loopback connection is two rows), the rest
            TIME_WAIT; half IPv4, half IPv6. Only grows.
  topup     make sure no TIME_WAIT row expires in the next HORIZON seconds:
            wait until every TIME_WAIT row that would is gone, then re-create
            as many as expired. Used as hyperfine's --prepare, so the number of
            rows stays at N during every timed run and nothing churns while a
            tool reads.
  status    the counts held.
  quit      close everything and exit.

TIME_WAIT rows have no file descriptor; the kernel drops them 60 s after the
close (TCP_TIMEWAIT_LEN, plus timer-wheel slack), hence topup. The holder
exits on its own when its parent dies or after MAX_LIFETIME seconds.
"""

import collections
import os
import resource
import select
import socket
import struct
import sys
import time

CONTROL = "\0tcpcount-bench-holder"
TW_LIFETIME = 60.0  # TCP_TIMEWAIT_LEN
TW_GONE = 63.0  # by then the kernel has dropped it (measured: 60-61 s)
HORIZON = 5.0  # no TIME_WAIT row expires within this long after a topup
MAX_WAIT = 30.0  # bound on one topup's wait
MAX_LIFETIME = 3600.0
CLIENT_PORT_BASE = 20000  # client ports 20000..59999; listeners get ephemeral ports
CLIENT_PORTS = 40000
CLIENTS_PER_WORKER = 1 << 24  # disjoint client 4-tuples per process
FD_BUDGET = min(resource.getrlimit(resource.RLIMIT_NOFILE)[1], 1 << 20) - 64
V6_PREFIX = "fd00:7c::"  # made local with `ip -6 route add local fd00:7c::/64 dev lo`


class Family:
    def __init__(self, af, first_client):
        self.af = af
        self.listeners = []
        self.established = []  # (client, server) pairs
        self.time_wait = collections.deque()  # creation times, oldest first
        self.next_client = first_client  # index of the next unused client 4-tuple

    def server_addr(self):
        return "127.0.0.1" if self.af == socket.AF_INET else "::1"

    def client_addr(self):
        idx = self.next_client
        self.next_client += 1
        host, port = divmod(idx, CLIENT_PORTS)
        host += 1
        if self.af == socket.AF_INET:
            addr = "127.%d.%d.%d" % (1 + (host >> 16), (host >> 8) & 255, host & 255)
        else:
            addr = "%s%x:%x" % (V6_PREFIX, host >> 16, host & 0xFFFF)
        return addr, CLIENT_PORT_BASE + port

    def add_listener(self):
        s = socket.socket(self.af, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((self.server_addr(), 0))
        port = s.getsockname()[1]
        s.listen(4096)
        self.listeners.append((s, port))

    def connect(self):
        """One connection: (client, accepted server socket)."""
        listener, port = self.listeners[self.next_client % len(self.listeners)]
        c = socket.socket(self.af, socket.SOCK_STREAM)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind(self.client_addr())
        c.connect((self.server_addr(), port))
        s, _ = listener.accept()
        return c, s

    def add_established(self):
        self.established.append(self.connect())

    def add_time_wait(self):
        if not self.listeners:
            self.add_listener()
        c, s = self.connect()
        c.close()  # the client closes first: it goes FIN_WAIT2, then TIME_WAIT
        s.close()  # the server's FIN moves the client to TIME_WAIT
        self.time_wait.append(time.monotonic())

    def close_all(self):
        linger = struct.pack("ii", 1, 0)  # RST on close: no TIME_WAIT left behind
        for c, s in self.established:
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            c.close()
            s.close()
        for s, _ in self.listeners:
            s.close()
        self.established.clear()
        self.listeners.clear()


class Worker:
    """A child process holding LISTEN and ESTABLISHED sockets of one family,
    at most FD_BUDGET descriptors (the open-file limit is per process, and
    this sandbox may not raise its hard limit)."""

    def __init__(self, af, number):
        self.af = af
        self.listeners = 0
        self.established = 0
        down_r, down_w = os.pipe()
        up_r, up_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(down_w)
            os.close(up_r)
            code = 0
            try:
                worker_main(af, number, os.fdopen(down_r), os.fdopen(up_w, "w"))
            except BaseException:
                code = 1
            os._exit(code)
        os.close(down_r)
        os.close(up_w)
        self.pid = pid
        self.to = os.fdopen(down_w, "w")
        self.back = os.fdopen(up_r)

    def free(self):
        return FD_BUDGET - self.listeners - 2 * self.established

    def call(self, cmd):
        self.to.write(cmd + "\n")
        self.to.flush()
        reply = self.back.readline().strip()
        if reply != "ok":
            raise OSError("worker %d: %s: %s" % (self.pid, cmd, reply or "died"))

    def add(self, listeners, established):
        self.call("add %d %d" % (listeners, established))
        self.listeners += listeners
        self.established += established

    def close(self):
        try:
            self.call("quit")
        except (OSError, ValueError):
            pass
        os.waitpid(self.pid, 0)


def worker_main(af, number, commands, replies):
    fam = Family(af, (number + 1) * CLIENTS_PER_WORKER)
    for line in commands:
        words = line.split()
        if words[:1] == ["add"]:
            try:
                for _ in range(int(words[1])):
                    fam.add_listener()
                for _ in range(int(words[2])):
                    fam.add_established()
                replies.write("ok\n")
            except OSError as e:
                replies.write("error %s\n" % e)
        else:
            fam.close_all()
            replies.write("ok\n")
            replies.flush()
            return
        replies.flush()


class Holder:
    def __init__(self):
        # TIME_WAIT rows need no descriptor: this process makes them through
        # one listener per family; client indices 0.. are its own.
        self.families = [Family(socket.AF_INET, 0), Family(socket.AF_INET6, 0)]
        self.workers = {socket.AF_INET: [], socket.AF_INET6: []}
        self.count = 0

    def grow(self, n):
        listen = max(2, n // 100) if n else 0
        conns = (n * 60 // 100) // 2
        tw = max(0, n - listen - 2 * conns)
        for i, fam in enumerate(self.families):
            share = lambda total: total // 2 + (total % 2 if i == 0 else 0)
            workers = self.workers[fam.af]
            need_l = share(listen) - sum(w.listeners for w in workers)
            need_e = share(conns) - sum(w.established for w in workers)
            while need_l > 0 or need_e > 0:
                if not workers or workers[-1].free() < 3:
                    workers.append(Worker(fam.af, self.count))
                    self.count += 1
                w = workers[-1]
                # every worker needs a listener of its own to accept on
                l = max(min(need_l, w.free() // 4), 0 if w.listeners else 1)
                e = max(0, min(need_e, (w.free() - l) // 2))
                w.add(l, e)
                need_l -= l
                need_e -= e
            while len(fam.time_wait) < share(tw):
                fam.add_time_wait()
        return self.status()

    def topup(self):
        deadline = time.monotonic() + MAX_WAIT
        waited = 0.0
        while True:
            now = time.monotonic()
            due = False
            for fam in self.families:
                for t in fam.time_wait:  # oldest first
                    if now - t < TW_GONE:
                        due = now - t >= TW_LIFETIME - HORIZON
                        break
                if due:
                    break
            if not due or now >= deadline:
                break
            time.sleep(0.1)
            waited += 0.1
        now = time.monotonic()
        replaced = 0
        for fam in self.families:
            gone = 0
            while fam.time_wait and now - fam.time_wait[0] >= TW_GONE:
                fam.time_wait.popleft()
                gone += 1
            for _ in range(gone):
                fam.add_time_wait()
            replaced += gone
        return "ok replaced=%d waited=%.1f" % (replaced, waited)

    def status(self):
        parts = []
        for name, fam in zip(("v4", "v6"), self.families):
            workers = self.workers[fam.af]
            parts.append(
                "%s: listen=%d established_rows=%d time_wait=%d workers=%d"
                % (name, sum(w.listeners for w in workers),
                   2 * sum(w.established for w in workers), len(fam.time_wait), len(workers))
            )
        return "ok " + "; ".join(parts)

    def close(self):
        for workers in self.workers.values():
            for w in workers:
                w.close()
        for fam in self.families:
            fam.close_all()


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    parent = os.getppid()
    started = time.monotonic()
    holder = Holder()
    control = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    control.bind(CONTROL)
    control.listen(16)
    print("ready", flush=True)
    try:
        while time.monotonic() - started < MAX_LIFETIME and os.getppid() == parent:
            readable, _, _ = select.select([control], [], [], 1.0)
            if not readable:
                continue
            conn, _ = control.accept()
            with conn:
                line = conn.makefile().readline().split()
                try:
                    if line[:1] == ["grow"] and len(line) == 2:
                        reply = holder.grow(int(line[1]))
                    elif line == ["topup"]:
                        reply = holder.topup()
                    elif line == ["status"]:
                        reply = holder.status()
                    elif line == ["quit"]:
                        conn.sendall(b"ok\n")
                        break
                    else:
                        reply = "error unknown command %r" % line
                except OSError as e:
                    reply = "error %s" % e
                conn.sendall((reply + "\n").encode())
    finally:
        holder.close()


def ctl(args):
    """`holder.py ctl CMD...`: send one command, print the answer, exit 1 on error."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(600)
    s.connect(CONTROL)
    s.sendall((" ".join(args) + "\n").encode())
    reply = s.makefile().readline().strip()
    print(reply)
    return 0 if reply.startswith("ok") else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["ctl"]:
        sys.exit(ctl(sys.argv[2:]))
    main()
