#!/usr/bin/env python3
"""tcpcount --top on live sockets, against ss, in a private network namespace.

Usage (as root): tests/e2e/top.py PATH/TO/tcpcount

Re-executes itself under `unshare --net` (loopback only, nothing leaves the
namespace), opens real connections from many 127.x.y.z source addresses
(a different number from each, so every rank differs), from ::1, and from
IPv4 clients to a dual-stack IPv6 listener (IPv4-mapped rows in tcp6, which
--top must count as IPv4). Then for each source (proc, netlink) and each case
it compares `tcpcount --top ... -f json` with the exact count per key made
here from `ss -tanH` rows (an independent reader: netlink through iproute2),
filtered and grouped in Python. A case is retried (at most 5 times) only if
ss changed while it ran. Prints `PASS name` per case; exits 1 on a mismatch."""

import collections
import ipaddress
import json
import socket
import subprocess
import sys
import time

import harness

TIMEOUT = 30
Row = collections.namedtuple("Row", "family state laddr lport raddr rport")


def endpoint(text, family):
    host, port = text.rsplit(":", 1)
    host = host.strip("[]").split("%")[0]
    if host == "*":
        host = "0.0.0.0" if family == "ipv4" else "::"
    return ipaddress.ip_address(host), 0 if port == "*" else int(port)


def ss_rows():
    rows = []
    for family, flag in (("ipv4", "-4"), ("ipv6", "-6")):
        out = subprocess.run(["ss", "-tanH", flag], check=True, capture_output=True,
                             text=True, timeout=TIMEOUT).stdout
        for line in out.splitlines():
            state, _, _, local, peer = line.split()[:5]
            laddr, lport = endpoint(local, family)
            raddr, rport = endpoint(peer, family)
            rows.append(Row(family, state, laddr, lport, raddr, rport))
    return rows


def unmapped(address):
    if address.version == 6 and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def raddr_key(prefix4=32, prefix6=128):
    def key(row):
        a = unmapped(row.raddr)
        bits = prefix4 if a.version == 4 else prefix6
        full = 32 if a.version == 4 else 128
        if bits == full:
            return str(a)
        return str(ipaddress.ip_network(f"{a}/{bits}", strict=False))
    return key


CASES = [
    ("--top raddr", [], lambda r: True, raddr_key()),
    ("-s estab --top raddr/24", ["-s", "estab"], lambda r: r.state == "ESTAB", raddr_key(24, 64)),
    ("-4 --top raddr", ["-4"], lambda r: r.family == "ipv4", raddr_key()),
    ("-6 --top raddr", ["-6"], lambda r: r.family == "ipv6", raddr_key()),
    ("--lport filter --top rport", ["--lport", "25000"], lambda r: r.lport == 25000,
     lambda r: str(r.rport)),
]
SPECS = {"--top raddr": "raddr", "-s estab --top raddr/24": "raddr/24",
         "-4 --top raddr": "raddr", "-6 --top raddr": "raddr",
         "--lport filter --top rport": "rport"}


def run_case(binary, source, name, args, keep, key):
    spec = SPECS[name] + ":1000"
    for _ in range(5):
        before = ss_rows()
        done = subprocess.run([binary, "--source", source, *args, "--top", spec, "-f", "json"],
                              capture_output=True, text=True, timeout=TIMEOUT)
        after = ss_rows()
        if sorted(map(str, before)) != sorted(map(str, after)):
            time.sleep(0.2)
            continue
        if done.returncode != 0:
            raise AssertionError(f"{name}: exit {done.returncode}: {done.stderr}")
        doc = json.loads(done.stdout)
        want = collections.Counter(key(r) for r in before if keep(r))
        got = {e["key"]: e["count"] for e in doc["top"]}
        if not doc["top_exact"] or any(e["error"] for e in doc["top"]):
            raise AssertionError(f"{name}: not exact: {doc['top']}")
        if got != dict(want):
            raise AssertionError(f"{source} {name}\n  tcpcount: {got}\n  ss:       {dict(want)}")
        counts = [(-e["count"], e["key"]) for e in doc["top"]]
        if [c for c, _ in counts] != sorted(c for c, _ in counts):
            raise AssertionError(f"{name}: not sorted by count: {doc['top']}")
        if doc["top_total"] != sum(want.values()):
            raise AssertionError(f"{name}: top_total {doc['top_total']} != {sum(want.values())}")
        print(f"PASS {source}: {name}", flush=True)
        return
    raise AssertionError(f"{name}: sockets kept changing")


def open_sockets():
    keep = []
    v4 = socket.socket(socket.AF_INET)
    v4.bind(("127.0.0.1", 25000))
    v4.listen(512)
    v6 = socket.socket(socket.AF_INET6)
    v6.bind(("::1", 25001))
    v6.listen(512)
    dual = socket.socket(socket.AF_INET6)
    dual.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    dual.bind(("::", 25002))
    dual.listen(512)
    keep += [v4, v6, dual]

    def connect(family, source, target, listener):
        c = socket.socket(family)
        c.bind((source, 0))
        c.settimeout(TIMEOUT)
        c.connect(target)
        a, _ = listener.accept()
        keep.extend([c, a])

    # 127.0.0.(10+i) opens i+1 connections; 127.1.k.5 three each (/24 groups).
    for i in range(8):
        for _ in range(i + 1):
            connect(socket.AF_INET, f"127.0.0.{10 + i}", ("127.0.0.1", 25000), v4)
    for k in range(1, 4):
        for _ in range(3):
            connect(socket.AF_INET, f"127.1.{k}.5", ("127.0.0.1", 25000), v4)
    for _ in range(4):
        connect(socket.AF_INET6, "::1", ("::1", 25001), v6)
    # IPv4 clients of a dual-stack listener: its side is ::ffff:127.0.0.x.
    for i in range(3):
        for _ in range(2 + i):
            connect(socket.AF_INET, f"127.0.2.{i + 1}", ("127.0.0.1", 25002), dual)
    return keep


def in_namespace(binary):
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True, timeout=TIMEOUT)
    keep = open_sockets()
    try:
        for source in ("proc", "netlink"):
            for name, args, rows, key in CASES:
                run_case(binary, source, name, args, rows, key)
    finally:
        for s in keep:
            s.close()


if __name__ == "__main__":
    sys.exit(harness.main(__file__, __doc__, in_namespace, 150))
