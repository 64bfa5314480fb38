"""A real SO_REUSEPORT group, run inside a private network namespace
(`unshare --net`): four IPv4 sockets listening on one port with backlog 16
each, ten connections never accepted, then tcpcount --listeners through
/proc and through netlink, and `ss -ltn` as the oracle (Recv-Q: accept
queue, Send-Q: backlog limit, one line per socket). Prints one JSON object:
{"ss": {...}, "proc": {...}, "netlink": {...}}, each the listener row of the
port as tcpcount or ss sums it. Bounded: every socket has a timeout and the
whole run is under `timeout` in the caller."""

import json
import socket
import subprocess
import sys
import time

BIN = sys.argv[1]
PORT = 47000
SOCKETS = 4
BACKLOG = 16
CLIENTS = 10

subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
listeners = []
for _ in range(SOCKETS):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("127.0.0.1", PORT))
    s.listen(BACKLOG)
    listeners.append(s)
clients = []
for _ in range(CLIENTS):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.settimeout(5)
    c.connect(("127.0.0.1", PORT))
    clients.append(c)
time.sleep(0.2)

ss_rows = subprocess.run(
    ["ss", "-Hltn", "sport", "= :%d" % PORT],
    check=True, capture_output=True, text=True, timeout=10,
).stdout.split("\n")
ss = {"sockets": 0, "accept_queue": 0, "backlog_limit": 0}
for line in ss_rows:
    words = line.split()
    if len(words) >= 3:
        ss["sockets"] += 1
        ss["accept_queue"] += int(words[1])
        ss["backlog_limit"] += int(words[2])

result = {"ss": ss}
for source in ["proc", "netlink"]:
    out = subprocess.run(
        [BIN, "--listeners", "-4", "-f", "json", "--source", source],
        check=True, capture_output=True, text=True, timeout=10,
    ).stdout
    rows = [r for r in json.loads(out)["listeners"]["rows"] if r["port"] == PORT]
    result[source] = rows[0] if len(rows) == 1 else rows
print(json.dumps(result))
