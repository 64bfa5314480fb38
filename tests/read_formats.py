#!/usr/bin/env python3
"""Reads tcpcount's JSON and Prometheus outputs back with real parsers.

stdin holds documents, each after a line `=== FORMAT EXPECTED_TOTAL`. JSON is
read with the json module; Prometheus text with prometheus_client's
exposition-format parser. Checks that every state is present (unknown too, per
port, in Prometheus), that the totals add up (with the sockets left out of a
full port table), that listeners are sorted by port then family, and that the
source read is named; exits 1 with the reason on the first failure."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

STATES = ["ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
          "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING"]


def check_json(text, total):
    lines = text.splitlines()
    assert len(lines) == 1, "one JSON object per line"
    doc = json.loads(lines[0])
    for family in ("ipv4", "ipv6", "total"):
        counts = doc[family]
        assert all(isinstance(counts[s], int) for s in STATES), f"{family}: a state is missing"
        assert counts["TOTAL"] == sum(counts[s] for s in STATES) + counts.get("UNKNOWN", 0)
    assert doc["total"]["TOTAL"] == total, (doc["total"]["TOTAL"], total)
    assert doc["total"]["TOTAL"] == doc["ipv4"]["TOTAL"] + doc["ipv6"]["TOTAL"]
    if "ports" in doc:
        assert sum(r["counts"]["TOTAL"] for r in doc["ports"]["rows"]) + doc["ports"]["sockets_left_out"] == total
    if "listeners" in doc:
        rows = doc["listeners"]["rows"]
        assert all(r["sockets"] >= 1 for r in rows)
        keys = [(r["port"], r["family"]) for r in rows]
        assert keys == sorted(keys), "listeners sorted by port, then family"
    assert doc["source"], "the source read is named"
    assert isinstance(doc["unix_time"], int) and doc["time"].endswith("Z")


def check_prometheus(text, total):
    families = {f.name: f for f in text_string_to_metric_families(text)}
    node = families["node_tcp_connection_states"]
    assert node.type == "gauge"
    node_states = {s.labels["state"]: s.value for s in node.samples}
    assert sorted(node_states) == sorted(s.lower() for s in STATES), node_states
    ours = families["tcpcount_sockets"]
    by_family = {}
    for s in ours.samples:
        by_family.setdefault(s.labels["family"], {})[s.labels["state"]] = s.value
    assert sorted(by_family) == ["ipv4", "ipv6"]
    for states in by_family.values():
        assert set(states) == {s.lower() for s in STATES} | {"unknown"}
    assert sum(sum(v.values()) for v in by_family.values()) == total
    assert sum(node_states.values()) + sum(v["unknown"] for v in by_family.values()) == total
    if "tcpcount_port_sockets" in families:
        ports = families["tcpcount_port_sockets"].samples
        left_out = families["tcpcount_port_sockets_left_out"].samples[0].value
        assert sum(s.value for s in ports) + left_out == total
        for port in {s.labels["port"] for s in ports}:
            states = {s.labels["state"] for s in ports if s.labels["port"] == port}
            assert states == {s.lower() for s in STATES} | {"unknown"}, (port, states)
    if "tcpcount_listener_sockets" in families:
        keys = [(int(s.labels["port"]), s.labels["family"])
                for s in families["tcpcount_listener_sockets"].samples]
        assert keys == sorted(keys), "listeners sorted by port, then family"
    source = families["tcpcount_source_info"].samples
    assert len(source) == 1 and source[0].value == 1 and source[0].labels["source"]
    assert "tcpcount_sample_time_seconds" in families


def main():
    documents, current = [], None
    for line in sys.stdin.read().splitlines(keepends=True):
        if line.startswith("=== "):
            _, fmt, total = line.split()
            current = [fmt, int(total), ""]
            documents.append(current)
        else:
            current[2] += line
    for fmt, total, text in documents:
        try:
            (check_json if fmt == "json" else check_prometheus)(text, total)
        except Exception as e:  # report which document failed
            print(f"{fmt} document failed: {e!r}\n{text}")
            sys.exit(1)
    print(f"documents read: {len(documents)}")


main()
