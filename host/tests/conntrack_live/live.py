#!/usr/bin/env python3
"""tcpcount --conntrack on live conntrack tables, against conntrack-tools.

Usage (as root): host/tests/conntrack_live/live.py PATH/TO/tcpcount

Builds private network namespaces with scripts/capture-conntrack's recipes
(loopback and veth pairs between its own namespaces only, conntrack turned
on by an nftables `ct state` rule): one holding TCP entries in every state
it can (both families) with UDP and ICMP flows, and a NAT router between a
client and a server. In each, tcpcount reads the live table (JSON; procfs, and
ctnetlink with `--source netlink` and `auto`) before and after `conntrack -L
-o extended` (ctnetlink: the independent oracle);
a check is retried (at most 4 times) only if the two reads disagree with
each other. Then: filters, nf_conntrack_count against `conntrack -C` and
nf_conntrack_max against sysctl, --pid, the Prometheus names, watch mode,
--output, check mode as a table of cases, and the permission error as
`nobody`. Prints `PASS name` per check; exits 1 on the first failure."""

import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
import harness  # noqa: E402 (found through the line above)

TIMEOUT = 30
ATTEMPTS = 4


def ensure_tools():
    """conntrack-tools and nftables, installed by the project's own script."""
    if not (shutil.which("conntrack") and shutil.which("nft")):
        subprocess.run([os.path.join(REPO, "scripts", "apt-install"), "conntrack", "nftables"],
                       check=True, timeout=600)


ensure_tools()
cap = harness.load_script("capture-conntrack")
BIN = sys.argv[1]


def fail(what):
    print("FAIL " + what)
    sys.exit(1)


def tcpcount(*args, prefix=(), check=True):
    out = subprocess.run([*prefix, BIN, *args], capture_output=True, text=True, timeout=TIMEOUT)
    if check and out.returncode != 0:
        fail("tcpcount %s: exit %d: %s" % (" ".join(args), out.returncode, out.stderr))
    return out


def json_counts(doc):
    """tcpcount's JSON as scripts/capture-conntrack's counts() keys."""
    c = collections.Counter()
    for family in ("ipv4", "ipv6"):
        for state, n in doc[family].items():
            if state != "TOTAL" and n:
                c[(family, "state", state)] = n
        for proto, n in doc["protocols"][family].items():
            if proto != "all" and n:
                c[(family, "protocol", proto)] = n
        for flag, n in doc["flags"][family].items():
            if n:
                c[(family, "flag", flag.upper())] = n
    return c


def oracle(prefix=(), args=()):
    text = subprocess.run([*prefix, "conntrack", "-L", "-o", "extended", *args],
                          capture_output=True, text=True, timeout=TIMEOUT, check=True).stdout
    return cap.counts(text)


def agree(name, read, expected_of, prefix=()):
    """read() twice around the oracle; retried while the two reads differ."""
    for attempt in range(1, ATTEMPTS + 1):
        first = read()
        want = expected_of(oracle(prefix))
        second = read()
        if first == second:
            if first != want:
                fail("%s: tcpcount %s != conntrack %s" % (name, sorted(first.items()), sorted(want.items())))
            print("PASS %s" % name)
            return first
        time.sleep(0.2 * attempt)
    fail("%s: the table kept changing" % name)


def only(counter, pred):
    return collections.Counter({k: v for k, v in counter.items() if pred(k)})


def live_checks(label):
    """Every check that runs inside the current namespace."""
    read = lambda *a: json_counts(json.loads(tcpcount("--conntrack", "-f", "json", *a).stdout))
    everything = agree("%s: counts equal conntrack -L" % label, read, lambda o: o)
    if not any(k[1] == "state" for k in everything) or not any(k[0] == "ipv6" for k in everything):
        fail("%s: expected TCP entries in both families: %s" % (label, sorted(everything.items())))
    for source in ("netlink", "auto"):
        def read_source(source=source):
            doc = json.loads(tcpcount("--conntrack", "--source", source, "-f", "json").stdout)
            if doc["source"] != "netlink":
                fail("%s: --source %s read %s" % (label, source, doc["source"]))
            return json_counts(doc)
        agree("%s: --source %s (ctnetlink) equals conntrack -L" % (label, source), read_source, lambda o: o)
    agree("%s: --source netlink -6 --state syn_sent,close" % label,
          lambda: only(json_counts(json.loads(tcpcount(
              "--conntrack", "--source", "netlink", "-6", "--state", "syn_sent,close", "-f", "json").stdout)),
              lambda k: k[1] == "state"),
          lambda o: only(o, lambda k: k[0] == "ipv6" and k[1] == "state" and k[2] in ("SYN_SENT", "CLOSE")))
    agree("%s: -4 --state established,time_wait" % label,
          lambda: only(read("-4", "--state", "established,time_wait"), lambda k: k[1] == "state"),
          lambda o: only(o, lambda k: k[0] == "ipv4" and k[1] == "state" and k[2] in ("ESTABLISHED", "TIME_WAIT")))
    agree("%s: -6 --proto udp" % label,
          lambda: only(read("-6", "--proto", "udp"), lambda k: k[1] == "protocol"),
          lambda o: only(o, lambda k: k[0] == "ipv6" and k[1] == "protocol" and k[2] == "udp"))
    # nf_conntrack_count against conntrack -C, nf_conntrack_max against sysctl.
    for attempt in range(1, ATTEMPTS + 1):
        a = json.loads(tcpcount("--conntrack", "-f", "json").stdout)
        c = int(subprocess.run(["conntrack", "-C"], capture_output=True, text=True,
                               timeout=TIMEOUT, check=True).stdout)
        b = json.loads(tcpcount("--conntrack", "-f", "json").stdout)
        if a["entries"] == b["entries"]:
            break
    limit = int(subprocess.run(["sysctl", "-n", "net.netfilter.nf_conntrack_max"], capture_output=True,
                               text=True, timeout=TIMEOUT, check=True).stdout)
    if a["entries"] != c or a["limit"] != limit or a["protocols"]["total"]["all"] != c:
        fail("%s: entries %s limit %s, conntrack -C %d, sysctl %d" % (label, a["entries"], a["limit"], c, limit))
    if abs(a["fill_percent"] - 100.0 * c / limit) > 0.01 or a["stat"] is None or a["stat"]["cpus"] < 1:
        fail("%s: fill %s stat %s" % (label, a["fill_percent"], a["stat"]))
    print("PASS %s: nf_conntrack_count equals conntrack -C, nf_conntrack_max equals sysctl" % label)
    prom = tcpcount("--conntrack", "-f", "prometheus").stdout
    lines = dict(l.rsplit(" ", 1) for l in prom.splitlines() if not l.startswith("#"))
    if int(lines["node_nf_conntrack_entries"]) != c or int(lines["node_nf_conntrack_entries_limit"]) != limit:
        fail("%s: prometheus %s" % (label, prom))
    print("PASS %s: node_exporter names" % label)
    return everything, c, limit


def check_mode_cases(counts, entries, limit):
    est = sum(v for k, v in counts.items() if k[1] == "state" and k[2] == "ESTABLISHED")
    fill = 100.0 * entries / limit
    # (arguments, exit code, phrase of the status line)
    cases = [
        (["--warn", "total=%d" % (entries + 1000)], 0, "TCPCOUNT OK - "),
        (["--warn", "established=%d" % (est - 1)], 1, "TCPCOUNT WARNING - established=%d > %d" % (est, est - 1)),
        (["--crit", "established=%d" % (est - 1), "--warn", "total=0"], 2, "TCPCOUNT CRITICAL - "),
        (["--warn", "fill=0"], 1 if fill > 0 else 0, "fill="),
        (["--crit", "fill=100"], 0, "TCPCOUNT OK - "),
        (["--warn", "listen=1"], 3, "TCPCOUNT UNKNOWN - "),
        (["--warn", "fill=80", "--proc", "/nonexistent"], 3, "TCPCOUNT UNKNOWN - "),
    ]
    for args, code, phrase in cases:
        out = tcpcount("--conntrack", *args, check=False)
        if out.returncode != code or phrase not in out.stdout or len(out.stdout.splitlines()) != 1:
            fail("check mode %s: exit %d: %r %r" % (args, out.returncode, out.stdout, out.stderr))
    print("PASS check mode: %d cases" % len(cases))


def watch_and_output():
    out = tcpcount("--conntrack", "-f", "json", "-i", "0.1", "-n", "3").stdout.splitlines()
    if len(out) != 3 or not all(json.loads(l)["limit"] for l in out):
        fail("watch: %r" % out)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "conntrack.prom")
        tcpcount("--conntrack", "-f", "prometheus", "-o", path)
        text = open(path).read()
        if "node_nf_conntrack_entries " not in text or os.listdir(d) != ["conntrack.prom"]:
            fail("--output: %r %r" % (os.listdir(d), text[:200]))
    print("PASS watch mode and --output")


def as_nobody():
    drop = ["setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups"]
    out = tcpcount("--conntrack", prefix=drop, check=False)
    if out.returncode != 1 or "mode 0440" not in out.stderr or "run tcpcount as root" not in out.stderr:
        fail("as nobody: exit %d: %r" % (out.returncode, out.stderr))
    out = tcpcount("--conntrack", "--source", "netlink", prefix=drop, check=False)
    if out.returncode != 1 or "needs root" not in out.stderr:
        fail("as nobody, ctnetlink: exit %d: %r" % (out.returncode, out.stderr))
    out = tcpcount("--conntrack", "/proc/net/nf_conntrack", prefix=drop, check=False)
    if out.returncode != 1 or "run tcpcount as root" not in out.stderr:
        fail("as nobody, the table as a file: exit %d: %r" % (out.returncode, out.stderr))
    out = tcpcount("--conntrack", "--warn", "total=1", prefix=drop, check=False)
    if out.returncode != 3 or not out.stdout.startswith("TCPCOUNT UNKNOWN - ") or "root" not in out.stdout:
        fail("as nobody, check mode: exit %d: %r" % (out.returncode, out.stdout))
    print("PASS permission denied as nobody: says it needs root, exit 1 (check mode 3)")


def pid_check(ns, everything):
    """--pid: a process in namespace `ns`, read from outside it."""
    sleeper = subprocess.Popen(["ip", "netns", "exec", ns, "sleep", "60"])
    try:
        for _ in range(50):
            link = "/proc/%d/ns/net" % sleeper.pid
            if os.path.exists(link) and os.readlink(link) != os.readlink("/proc/self/ns/net"):
                break
            time.sleep(0.05)
        inside = ("ip", "netns", "exec", ns)
        read = lambda: json_counts(json.loads(
            tcpcount("--conntrack", "--pid", str(sleeper.pid), "-f", "json").stdout))
        agree("--pid of a process in the namespace", read, lambda o: o, prefix=inside)
        doc = json.loads(tcpcount("--conntrack", "--pid", str(sleeper.pid), "-f", "json").stdout)
        c = int(subprocess.run([*inside, "conntrack", "-C"], capture_output=True, text=True,
                               timeout=TIMEOUT, check=True).stdout)
        if doc["entries"] != c:
            fail("--pid: entries %s, conntrack -C %d" % (doc["entries"], c))
        print("PASS --pid: entries from its stat file equal conntrack -C")
    finally:
        sleeper.kill()
        sleeper.wait()


def main():
    keep = []
    with cap.Namespaces("a") as names:
        try:
            where = cap.capture_states(names, keep)
            cap.settle()
            cap.enter(where)
            counts, entries, limit = live_checks("states")
            check_mode_cases(counts, entries, limit)
            watch_and_output()
            as_nobody()
            cap.enter(None)
            pid_check(where, counts)
        finally:
            cap.enter(None)
            for s in keep:
                s.close()
    keep = []
    with cap.Namespaces("cli", "rtr", "srv") as names:
        try:
            where = cap.capture_nat(names, keep)
            cap.settle()
            cap.enter(where)
            live_checks("nat-router")
        finally:
            cap.enter(None)
            for s in keep:
                s.close()
    print("ALL PASSED")


main()
