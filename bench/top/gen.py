#!/usr/bin/env python3
"""Writes a /proc/net/tcp table of ROWS rows with DISTINCT remote addresses,
made from the real rows of a capture (default fixtures/wide-sl/tcp, this
machine's kernel): each generated row is a real row with its row number
renumbered and its remote address replaced. The first DISTINCT rows take one
new address each; the rest draw from them with Zipf-like weights (rank r
about 1/r), so a few hosts hold many connections and most hold one; the rows
are then shuffled (fixed seed). Usage: gen.py OUT [ROWS] [DISTINCT] [TEMPLATE]"""
import random
import sys

out = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
distinct = int(sys.argv[3]) if len(sys.argv) > 3 else 50_000
template = sys.argv[4] if len(sys.argv) > 4 else "fixtures/wide-sl/tcp"

with open(template) as f:
    header, *real = f.read().splitlines()
real = [r for r in real if r.split()[3] != "0A"] or real  # connections, not listeners
rng = random.Random(16)

def addr_hex(i):
    # 198.18.0.0/15 (benchmarking) then 10/8; printed as the kernel does on a
    # little-endian machine: the __be32 read as a host u32, %08X.
    a = (198 << 24 | 18 << 16) + i if i < 1 << 17 else (10 << 24) + i
    b = a.to_bytes(4, "big")
    return "%02X%02X%02X%02X" % (b[3], b[2], b[1], b[0])

picks = list(range(distinct))
weights = [1 / (r + 1) for r in range(distinct)]
picks += rng.choices(range(distinct), weights=weights, k=rows - distinct)
rng.shuffle(picks)
with open(out, "w") as f:
    f.write(header + "\n")
    for sl, pick in enumerate(picks):
        fields = real[sl % len(real)].split(" ")
        # fields: ['', '', '', 'N:', local, remote, ...] with padding blanks
        i = next(k for k, x in enumerate(fields) if x.endswith(":") and x[:-1].isdigit())
        remote = fields[i + 2]
        fields[i + 2] = addr_hex(pick) + remote[8:]
        line = " ".join(fields[i + 1:])
        f.write("%4d: %s\n" % (sl, line))
