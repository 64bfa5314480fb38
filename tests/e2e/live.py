#!/usr/bin/env python3
"""tcpcount on live tables, against ss, with real sockets.

Usage (as root): tests/e2e/live.py PATH/TO/tcpcount

Re-executes itself in a private network namespace (`unshare --net`, loopback
only), opens real sockets in every reachable state in IPv4, IPv6 and
IPv4-mapped form (the recipes of scripts/capture-fixtures), fills an accept
queue, and starts a process in a second namespace. Then each check runs
tcpcount and `ss -tan` (netlink: an independent oracle) and compares: the
per-state counts, every filter, --per-port, --listeners and --pid. The
expected values come from ss's rows, filtered here in Python. A check is
retried (at most 5 times) only if ss itself changed while it ran. Prints
`PASS name` per check; exits 1 on the first mismatch."""

import collections
import ipaddress
import json
import socket
import subprocess
import sys
import time

import harness

TIMEOUT = 30


cap = harness.load_script("capture-fixtures")
Row = collections.namedtuple("Row", "family state recvq sendq laddr lport raddr rport")


def endpoint(text):
    host, port = text.rsplit(":", 1)
    host = host.strip("[]").split("%")[0]
    return ipaddress.ip_address("::" if host == "*" else host), 0 if port == "*" else int(port)


def ss_rows(prefix=()):
    rows = []
    for family, flag in (("ipv4", "-4"), ("ipv6", "-6")):
        out = subprocess.run([*prefix, "ss", "-tanH", flag], check=True, capture_output=True,
                             text=True, timeout=TIMEOUT).stdout
        for line in out.splitlines():
            state, recvq, sendq, local, peer = line.split()[:5]
            laddr, lport = endpoint(local)
            raddr, rport = endpoint(peer)
            name = cap.KERNEL_NAMES[cap.SS_CODES[state]]
            rows.append(Row(family, name, int(recvq), int(sendq), laddr, lport, raddr, rport))
    return rows


def tcpcount(binary, *args):
    done = subprocess.run([binary, *args], capture_output=True, text=True, timeout=TIMEOUT)
    if done.returncode != 0:
        raise AssertionError(f"tcpcount {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return done.stdout


def counts_of(rows):
    out = {"ipv4": collections.Counter(), "ipv6": collections.Counter()}
    for r in rows:
        out[r.family][r.state] += 1
    return {f: dict(c) for f, c in out.items()}


def json_counts(doc):
    return {f: {k: v for k, v in doc[f].items() if k != "TOTAL" and v} for f in ("ipv4", "ipv6")}


def v4_view(address):
    """The IPv4 address behind an IPv4 or IPv4-mapped address, else None."""
    if address is None:
        return None
    if address.version == 4:
        return address
    return address.ipv4_mapped


def in_net(address, net):
    net = ipaddress.ip_network(net)
    if address is None:
        return False
    if net.version == 4:
        v4 = v4_view(address)
        return v4 is not None and v4 in net
    return address.version == 6 and address in net


FILTERS = [
    (["-4"], lambda r: r.family == "ipv4"),
    (["-6"], lambda r: r.family == "ipv6"),
    (["-s", "estab,time-wait"], lambda r: r.state in ("ESTABLISHED", "TIME_WAIT")),
    (["-s", "LISTENING,syn_sent,fin-wait-1"], lambda r: r.state in ("LISTEN", "SYN_SENT", "FIN_WAIT1")),
    (["-s", "fin-wait-2,close-wait,syn-recv"], lambda r: r.state in ("FIN_WAIT2", "CLOSE_WAIT", "SYN_RECV")),
    (["--lport", "21000-21005,22000"], lambda r: 21000 <= r.lport <= 21005 or r.lport == 22000),
    (["--rport", "21001,23000-23009"], lambda r: r.rport == 21001 or 23000 <= r.rport <= 23009),
    (["--laddr", "127.0.0.0/8"], lambda r: in_net(r.laddr, "127.0.0.0/8")),
    (["--laddr", "::1"], lambda r: r.laddr == ipaddress.ip_address("::1")),
    (["--raddr", "127.0.0.1", "-6"], lambda r: r.family == "ipv6" and in_net(r.raddr, "127.0.0.1/32")),
    (["--laddr", "::/0", "-s", "listen"], lambda r: r.laddr is not None and r.laddr.version == 6 and r.state == "LISTEN"),
]


def stable(check, name):
    """Runs check(ss_rows) until ss reads the same before and after it."""
    last = None
    for _ in range(5):
        before = ss_rows()
        try:
            check(before)
            after = ss_rows()
            if sorted(map(str, before)) == sorted(map(str, after)):
                print(f"PASS {name}", flush=True)
                return
        except AssertionError as e:
            last = e
            after = ss_rows()
            if sorted(map(str, before)) == sorted(map(str, after)):
                raise
        time.sleep(0.2)
    raise AssertionError(f"{name}: sockets kept changing; last error: {last}")


def expect_equal(got, want, what):
    if got != want:
        raise AssertionError(f"{what}\n  tcpcount: {got}\n  ss:       {want}")


def checks(binary, source):
    """Every check, reading the tables through `--source source`."""
    netlink = source == "netlink"

    def tcpcount_json(*args):
        return json.loads(tcpcount(binary, "--source", source, "-f", "json", *args))

    def counts(rows):
        doc = tcpcount_json()
        expect_equal(json_counts(doc), counts_of(rows), "per-state counts")
        table = tcpcount(binary, "--source", source)
        total_line = table.splitlines()[-1].split()
        expect_equal(int(total_line[-1]), len(rows), "table TOTAL")

    stable(counts, f"{source}: counts equal ss -tan")

    for args, keep in FILTERS:
        def filtered(rows, args=args, keep=keep):
            doc = tcpcount_json(*args)
            expect_equal(json_counts(doc), counts_of([r for r in rows if keep(r)]), f"filter {args}")
        stable(filtered, f"{source}: filter {' '.join(args)}")

    def per_port(rows):
        doc = tcpcount_json("--per-port", "local")
        got = {r["port"]: {k: v for k, v in r["counts"].items() if k != "TOTAL" and v} for r in doc["ports"]["rows"]}
        want = collections.defaultdict(collections.Counter)
        for r in rows:
            want[r.lport][r.state] += 1
        expect_equal(got, {p: dict(c) for p, c in want.items()}, "--per-port local")
        expect_equal(doc["ports"]["ports_left_out"], 0, "ports left out")

    stable(per_port, f"{source}: --per-port local")

    def listeners(rows):
        doc = tcpcount_json("--listeners")
        got = {(r["family"], r["port"]): (r["sockets"], r["accept_queue"], r["established"], r.get("backlog_limit"))
               for r in doc["listeners"]["rows"]}
        want = {}
        for r in rows:
            if r.state == "LISTEN":
                s, q, e, limit = want.get((r.family, r.lport), (0, 0, 0, None))
                # ss shows a listener's backlog limit as its Send-Q (netlink only).
                limit = max(limit or 0, r.sendq) if netlink else None
                want[(r.family, r.lport)] = (s + 1, q + r.recvq, e, limit)
        for r in rows:
            if r.state == "ESTABLISHED" and (r.family, r.lport) in want:
                s, q, e, limit = want[(r.family, r.lport)]
                want[(r.family, r.lport)] = (s, q, e + 1, limit)
        expect_equal(got, want, "--listeners (sockets, accept queue, established, backlog limit)")
        if not any(q > 0 for _, q, _, _ in got.values()):
            raise AssertionError("no accept queue was filled: the check would prove nothing")

    stable(listeners, f"{source}: --listeners")


def other_namespace_process():
    """A process in a second network namespace holding 3 listeners and one
    connection; returns (Popen, pid)."""
    code = (
        "import os,socket,sys,time\n"
        "os.system('ip link set lo up')\n"
        "ls=[]\n"
        "for p in (7001,7002,7003):\n"
        "  s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
        "  s.bind(('127.0.0.1',p)); s.listen(8); ls.append(s)\n"
        "c=socket.create_connection(('127.0.0.1',7001)); a=ls[0].accept()\n"
        "print('ready',flush=True)\n"
        "time.sleep(60)\n"
    )
    child = subprocess.Popen(["unshare", "--net", "--", sys.executable, "-c", code],
                             stdout=subprocess.PIPE, text=True)
    line = child.stdout.readline()
    if line.strip() != "ready":
        raise AssertionError(f"second namespace did not start: {line!r}")
    return child, child.pid


def pid_check(binary):
    child, pid = other_namespace_process()
    try:
        def check(_rows):
            theirs = ss_rows(prefix=("nsenter", "-t", str(pid), "-n"))
            doc = json.loads(tcpcount(binary, "-f", "json", "--pid", str(pid)))
            expect_equal(json_counts(doc), counts_of(theirs), f"--pid {pid}")
            expect_equal(json_counts(doc), {"ipv4": {"LISTEN": 3, "ESTABLISHED": 2}, "ipv6": {}},
                         "--pid sees the second namespace, not ours")
        stable(check, "--pid of a process in another namespace")
    finally:
        child.kill()
        child.wait()


def in_namespace(binary):
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True, timeout=TIMEOUT)
    cap.write_sysctl("net.ipv4.ip_local_port_range", "32768 60999")
    cap.write_sysctl("net.ipv4.tcp_syn_retries", 10)
    cap.write_sysctl("net.ipv4.tcp_synack_retries", 10)
    cap.write_sysctl("net.ipv4.tcp_max_tw_buckets", 262144)
    holder = cap.capture_all_states()
    # An accept queue that fills: 3 connections a listener never accepts.
    queue = holder.listener(cap.V4, 24000, backlog=8)
    for _ in range(3):
        client = socket.create_connection(("127.0.0.1", 24000), timeout=TIMEOUT)
        holder.keep(client)
    cap.settle()
    try:
        for source in ("proc", "netlink"):
            checks(binary, source)
        pid_check(binary)
    finally:
        queue.close()
        holder.close_all()
        cap.kill_workers()


if __name__ == "__main__":
    sys.exit(harness.main(__file__, __doc__, in_namespace, 240))
