#!/usr/bin/env python3
"""Reads tcpcount's JSON and Prometheus outputs back with real parsers.

stdin holds documents, each after a line `=== FORMAT EXPECTED_TOTAL` (for the conntrack formats ctjson and
ctprometheus, `=== FORMAT ENTRIES TCP_ENTRIES`). JSON is
read with the json module; Prometheus text with prometheus_client's
exposition-format parser. Checks that every state is present (unknown too, per
port, in Prometheus), that the totals add up (with the sockets left out of a
full port table), that listeners are sorted by port then family, and that the
source read is named; exits 1 with the reason on the first failure.

With --top: the entries are sorted by count (then error), at most N, each
with 0 <= error <= count, their counts sum to at most the total counted (all
of it when every key is shown and the table is exact), errors are 0 when
exact; in Prometheus the ranks run 1..k with falling counts, one error series
per entry. With --counters: Tcp and TcpExt objects of integers (rates
non-negative numbers) and node_exporter's node_netstat_* names."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

STATES = ["ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
          "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING"]


STATS = {"top": 0, "counters": 0}


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
    if "top" in doc:
        STATS["top"] += 1
        top, spec = doc["top"], doc["top_spec"]
        assert spec["key"] in ("raddr", "laddr", "rport", "lport"), spec
        assert 1 <= len(top) <= spec["n"] or (not top and doc["top_total"] == 0)
        assert doc["top_total"] == total, "every counted socket is in the top table"
        assert all(0 <= e["error"] <= e["count"] for e in top)
        ranks = [(-e["count"], e["error"]) for e in top]
        assert ranks == sorted(ranks), "top sorted by count, then error"
        assert sum(e["count"] for e in top) <= doc["top_total"]
        if doc["top_exact"]:
            assert all(e["error"] == 0 for e in top)
            if len(top) < spec["n"]:
                assert sum(e["count"] for e in top) == doc["top_total"]
        assert len({e["key"] for e in top}) == len(top), "keys are distinct"
    if "counters" in doc:
        STATS["counters"] += 1
        counters = doc["counters"]
        assert sorted(counters) == ["Tcp", "TcpExt"]
        assert all(isinstance(v, int) for s in counters.values() for v in s.values())
        assert "ActiveOpens" in counters["Tcp"] and "ListenOverflows" in counters["TcpExt"]
        for section, rates in doc.get("counter_rates", {}).items():
            assert all(isinstance(v, (int, float)) and v >= 0 for v in rates.values())
            assert set(rates) <= set(counters[section])


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
    if "tcpcount_top_connections" in families:
        STATS["top"] += 1
        top = families["tcpcount_top_connections"].samples
        errors = families["tcpcount_top_connections_error"].samples
        assert [int(s.labels["rank"]) for s in top] == list(range(1, len(top) + 1))
        assert [s.value for s in top] == sorted((s.value for s in top), reverse=True)
        assert len({s.labels["value"] for s in top}) == len(top)
        assert len(top) <= 1024 and len(errors) == len(top)
        assert all(0 <= e.value <= s.value for s, e in zip(top, errors))
        assert sum(s.value for s in top) <= total
        exact = families["tcpcount_top_exact"].samples
        assert len(exact) == 1 and exact[0].value in (0, 1)
    netstat = [n for n in families if n.startswith("node_netstat_")]
    if netstat:
        STATS["counters"] += 1
        for name in ("node_netstat_Tcp_ActiveOpens", "node_netstat_Tcp_CurrEstab",
                     "node_netstat_TcpExt_ListenOverflows", "node_netstat_TcpExt_ListenDrops"):
            assert name in families, name
            assert len(families[name].samples) == 1
    source = families["tcpcount_source_info"].samples
    assert len(source) == 1 and source[0].value == 1 and source[0].labels["source"]
    assert "tcpcount_sample_time_seconds" in families


CT_STATES = ["NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT",
             "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2", "OFFLOAD", "HW_OFFLOAD", "UNKNOWN"]
CT_PROTOCOLS = ["tcp", "udp", "icmp", "icmpv6", "other"]
NODE_STAT = ["found", "invalid", "ignore", "insert", "insert_failed", "drop", "early_drop",
             "search_restart"]


def check_ct_json(text, expected):
    """`--conntrack -f json`: expected is (all entries counted, TCP entries)."""
    entries, tcp = expected
    lines = text.splitlines()
    assert len(lines) == 1, "one JSON object per line"
    doc = json.loads(lines[0])
    for family in ("ipv4", "ipv6", "total"):
        counts = doc[family]
        assert list(counts) == CT_STATES + ["TOTAL"], f"{family}: {list(counts)}"
        assert counts["TOTAL"] == sum(counts[s] for s in CT_STATES)
        protocols = doc["protocols"][family]
        assert list(protocols) == CT_PROTOCOLS + ["all"]
        assert protocols["all"] == sum(protocols[p] for p in CT_PROTOCOLS)
        assert protocols["tcp"] == counts["TOTAL"], "every TCP entry has a bucket"
        flags = doc["flags"][family]
        assert set(flags) == {"unreplied", "assured"}
        assert all(0 <= n <= protocols["all"] for n in flags.values())
    for family in ("ipv4", "ipv6"):
        for s in CT_STATES:
            assert doc["total"][s] == doc["ipv4"][s] + doc["ipv6"][s]
    assert doc["total"]["TOTAL"] == tcp and doc["protocols"]["total"]["all"] == entries
    # Absent figures are null, never 0 in disguise; present ones agree.
    if doc["entries"] is None or doc["limit"] is None:
        assert doc["fill_percent"] is None
    else:
        assert abs(doc["fill_percent"] - 100 * doc["entries"] / doc["limit"]) < 0.01
    if doc["stat"] is not None:
        assert doc["stat"]["cpus"] >= 1 and "entries" not in doc["stat"]
    assert isinstance(doc["legacy"], bool)
    assert doc["source"] and doc["time"].endswith("Z")


def check_ct_prometheus(text, expected):
    entries, tcp = expected
    families = {f.name: f for f in text_string_to_metric_families(text)}
    for f in families.values():
        assert f.type == "gauge", f.name
    ours = families["tcpcount_conntrack_entries"].samples
    assert sorted({s.labels["family"] for s in ours}) == ["ipv4", "ipv6"]
    for family in ("ipv4", "ipv6"):
        states = {s.labels["state"] for s in ours
                  if s.labels["family"] == family and s.labels["protocol"] == "tcp"}
        assert states == {s.lower() for s in CT_STATES}, states
        protocols = {s.labels["protocol"] for s in ours if s.labels["family"] == family}
        assert protocols == set(CT_PROTOCOLS), protocols
    assert sum(s.value for s in ours) == entries
    assert sum(s.value for s in ours if s.labels["protocol"] == "tcp") == tcp
    assert len(families["tcpcount_conntrack_flagged_entries"].samples) == 4
    has_stat = "tcpcount_conntrack_stat" in families
    for name in NODE_STAT:
        assert (f"node_nf_conntrack_stat_{name}" in families) == has_stat, name
    if has_stat:
        stat = {s.labels["counter"]: s.value for s in families["tcpcount_conntrack_stat"].samples}
        for name in NODE_STAT:
            assert families[f"node_nf_conntrack_stat_{name}"].samples[0].value == stat[name]
    source = families["tcpcount_source_info"].samples
    assert len(source) == 1 and source[0].value == 1 and source[0].labels["source"]


CHECKS = {"json": check_json, "prometheus": check_prometheus,
          "ctjson": check_ct_json, "ctprometheus": check_ct_prometheus}


def main():
    documents, current = [], None
    for line in sys.stdin.read().splitlines(keepends=True):
        if line.startswith("=== "):
            fmt, *totals = line.split()[1:]
            totals = [int(t) for t in totals]
            current = [fmt, totals[0] if len(totals) == 1 else tuple(totals), ""]
            documents.append(current)
        else:
            current[2] += line
    for fmt, total, text in documents:
        try:
            CHECKS[fmt](text, total)
        except Exception as e:  # report which document failed
            print(f"{fmt} document failed: {e!r}\n{text}")
            sys.exit(1)
    print(f"documents read: {len(documents)}")
    print(f"top documents: {STATS['top']}")
    print(f"counters documents: {STATS['counters']}")


main()
