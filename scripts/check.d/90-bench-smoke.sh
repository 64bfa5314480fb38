# shellcheck shell=bash
# Smoke test of the benchmark harness: `bench/run --quick` (N = 0 and 1000
# rows in a private network namespace, 5 runs per tool) must finish and write
# its table, and tcpcount, the C reader and ss must all count the rows held.
# Timing numbers from CI are not results (see docs/bench.md); they are printed.
# Then the static build's peak RSS at 200k rows (bench/rss --smoke).
# About 13-35 s (README's step table), bounded at 600 s.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
out=$(mktemp /tmp/bench-smoke.XXXXXX.md)
trap 'rm -f "$out"' EXIT
timeout --kill-after=10 600 bench/run --quick --out "$out" >/tmp/bench-smoke.log 2>&1 || {
    tail -40 /tmp/bench-smoke.log >&2
    exit 1
}
cat "$out"
# every tool has a median and a ratio for both N, in both time tables
# (a name ends with " |" so that "tcpcount" does not also match "tcpcount --source netlink")
for tool in 'floor (cat) |' 'tcpcount |' 'tcpcount --source netlink |' 'C reader (count.c) |' \
    'mawk |' 'gawk |' 'python (count.py) |' 'ss \|' 'busybox netstat \|'; do
    rows=$(T="| $tool" awk 'index($0, ENVIRON["T"]) == 1 {
        n = 0
        for (i = 1; i <= NF; i++) if ($i ~ /^\([0-9]+\.[0-9]+x\)$/) n++
        if (n == 2) ok++
    } END { print ok + 0 }' "$out")
    [ "$rows" = 2 ] || { echo "bench smoke: no timings for $tool" >&2; exit 1; }
done
# rows held at N=1000: tcpcount, count.c and ss agree with the tables
awk -F' *\\| *' '$2 == 1000 && NF >= 8 {
    if ($3 < 1000 || $3 != $4 || $3 != $5 || $3 != $6 || $3 != $7) { print "bench smoke: counts disagree: " $0 > "/dev/stderr"; exit 1 }
    found = 1
} END { exit !found }' "$out"
# Peak RSS of the static x86_64 release at 200k rows (issue 15): held to a
# budget and to flatness, the goal printed (bench/rss; docs/bench.md).
bench/rss --smoke "$(scripts/build-static x86_64-unknown-linux-musl | awk '{ print $2 }')"
echo "bench smoke: ok"
