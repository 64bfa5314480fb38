#!/usr/bin/env python3
"""Turns bench/run's hyperfine JSON, row counts and peak RSS figures into the
markdown results file. Usage: report.py WORKDIR QUICK TCPCOUNT_BIN ORIGIN"""

import csv
import json
import os
import platform
import subprocess
import sys


def sh(cmd):
    try:
        out = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=10)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (subprocess.SubprocessError, IndexError):
        return "?"


def machine(tcpcount, origin):
    model = sh("lscpu | sed -n 's/^Model name: *//p'")
    hyper = sh("lscpu | sed -n 's/^Hypervisor vendor: *//p'")
    mem = sh("free -g | awk '/^Mem:/ {print $2}'")
    return [
        "- CPU: %s, %d cores (%s VM, hypervisor %s)" % (model, os.cpu_count(), platform.machine(), hyper or "none"),
        "- memory: %s GiB; kernel %s; %s" % (mem, platform.release(), sh(". /etc/os-release; echo $PRETTY_NAME")),
        "- tcpcount: %s, %s" % (tcpcount, origin),
        "- tools: %s; %s; %s; %s; %s; %s; Python %s" % (
            sh("hyperfine --version"), sh("mawk -W version 2>&1"), sh("gawk --version"),
            sh("busybox | head -1"), sh("ss -V"), sh("/usr/bin/time --version 2>&1"), platform.python_version()),
    ]


def md_table(columns, rows):
    """A markdown table: a `tool` column, then one right-aligned column per
    entry of columns; rows are (tool name, cells)."""
    lines = ["| tool | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    for name, cells in rows:
        lines.append("| %s | %s |" % (name.replace("|", "\\|"), " | ".join(cells)))
    return lines


def load(work, kind, n):
    with open(os.path.join(work, "%s-%s.json" % (kind, n))) as f:
        return json.load(f)["results"]


def main(work, quick, tcpcount, origin):
    with open(os.path.join(work, "rows.tsv")) as f:
        rows = [r for r in csv.reader(f, delimiter="\t")]
    sizes = [r[0] for r in rows]
    table = {}  # tool -> n -> (median s, ratio, floor name)
    order = []
    for n in sizes:
        for kind in ("direct", "shell"):
            results = load(work, kind, n)
            floor = results[0]["median"]
            floor_cpu = results[0]["user"] + results[0]["system"]
            for r in results:
                name = r["command"] + ("" if kind == "direct" else " [sh]")
                if name not in table:
                    table[name] = {}
                    order.append(name)
                cpu = r["user"] + r["system"]
                table[name][n] = (r["median"], r["median"] / floor, r["stddev"] or 0.0, cpu,
                                  cpu / floor_cpu if floor_cpu else float("nan"))

    out = []
    out.append("# tcpcount benchmark%s" % (" (quick)" if quick == "yes" else ""))
    out.append("")
    out.append("Written by `bench/run%s`; see docs/bench.md for the method." % (" --quick" if quick == "yes" else ""))
    out.append("")
    out.extend(machine(tcpcount, origin))
    with open(os.path.join(work, "load.txt")) as f:
        loadavg = [line.split()[1:4] for line in f]
    out.append("- load average (1, 5, 15 min) at start %s, at end %s: the VM is shared, so"
               % tuple(" ".join(l) for l in loadavg))
    out.append("  other processes compete for its 2 cores and wall times wait for a core;")
    out.append("  the CPU-time table below is the steadier comparison")
    out.append("")
    out.append("## Wall time: median ms (ratio to the floor)")
    out.append("")
    out.append("Each cell is hyperfine's median over the runs (after 3 warm-up runs) and, in")
    out.append("parentheses, its ratio to the floor (`cat` of both tables) timed in the same")
    out.append("hyperfine call: rows without [sh] ran with `-N` (no shell), rows with [sh] ran")
    out.append("through `sh -c` with hyperfine's shell start-up correction, against `floor (cat, sh)`.")
    out.append("")
    columns = ["N=%s" % n for n in sizes]
    out.extend(md_table(columns, [
        (name, ["%.2f (%.2fx)" % (table[name][n][0] * 1e3, table[name][n][1]) for n in sizes]) for name in order]))
    out.append("")
    out.append("## CPU time: mean user+system ms per run (ratio to the floor)")
    out.append("")
    out.append("The same runs; hyperfine's mean user and system time of the command and its")
    out.append("children (for a pipeline, all of its processes). Waiting for a core does not count.")
    out.append("")
    out.extend(md_table(columns, [
        (name, ["%.2f (%.2fx)" % (table[name][n][3] * 1e3, table[name][n][4]) for n in sizes]) for name in order]))
    out.append("")
    out.append("Standard deviation of the wall time, ms:")
    out.append("")
    out.extend(md_table(columns, [(name, ["%.2f" % (table[name][n][2] * 1e3) for n in sizes]) for name in order]))
    out.append("")
    out.append("## Rows held")
    out.append("")
    out.append("Rows of /proc/net/tcp + /proc/net/tcp6 (headers not counted) before and after the")
    out.append("timed runs, and the totals tcpcount, count.c and `ss -tanH | wc -l` gave just before.")
    out.append("")
    out.append("| N | rows before | rows after | tcpcount TOTAL | count.c | ss |")
    out.append("|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        out.append("| " + " | ".join(r) + " |")
    out.append("")
    out.append("## Peak RSS, KiB (ru_maxrss through bench/lib/maxrss.c, largest of 3 runs)")
    out.append("")
    out.append("For a pipeline run through `sh -c`, the figure is the largest process in it (wait4 counts waited-for descendants).")
    out.append("")
    rss = {}
    rss_order = []
    rss_sizes = []
    with open(os.path.join(work, "rss.tsv")) as f:
        for name, n, kib in csv.reader(f, delimiter="\t"):
            if name not in rss:
                rss[name] = {}
                rss_order.append(name)
            if n not in rss_sizes:
                rss_sizes.append(n)
            rss[name][n] = kib
    out.extend(md_table(["N=%s" % n for n in rss_sizes],
                        [(name, [rss[name].get(n, "") for n in rss_sizes]) for name in rss_order]))
    out.append("")
    size = os.path.getsize(tcpcount) if os.path.exists(tcpcount) else 0
    out.append("tcpcount binary: %d bytes." % size)
    print("\n".join(out))


if __name__ == "__main__":
    main(*sys.argv[1:5])
