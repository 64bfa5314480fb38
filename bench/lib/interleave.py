#!/usr/bin/env python3
"""Times a few commands against each other, interleaved, for bench/floor.

    interleave.py ROUNDS PREPARE -- NAME=COMMAND ...

Each round runs PREPARE (a shell command, not timed), then every command once
in a random order, each with stdout and stderr to /dev/null. Per run it records
the wall time (fork to reap) and the CPU time the child used (user + system,
from wait4's rusage: the kernel's exact per-task runtime, split by ticks into
user and system). The first command is the reference: for every other one it
prints the median of each, the median of the per-round ratios, and a 95%
bootstrap interval of that median, so a ratio of 1.03 can be told from 1.00
on a noisy machine. Bounded: ROUNDS <= 2000, and each run is killed after
TIMEOUT seconds.
"""

import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import time

TIMEOUT = 20.0
BOOTSTRAP = 2000


def run(argv):
    devnull = os.open(os.devnull, os.O_WRONLY)
    t0 = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[
        (os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
    deadline = time.monotonic() + TIMEOUT
    while True:
        got, status, usage = os.wait4(pid, os.WNOHANG)
        if got:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.wait4(pid, 0)
            sys.exit(f"interleave: {argv[0]} ran over {TIMEOUT} s")
        time.sleep(0.0002)
    wall = (time.perf_counter_ns() - t0) / 1e6
    os.close(devnull)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"interleave: {shlex.join(argv)} exited {os.waitstatus_to_exitcode(status)}")
    return wall, (usage.ru_utime + usage.ru_stime) * 1e3


def median_interval(ratios, rng):
    medians = sorted(statistics.median(rng.choices(ratios, k=len(ratios)))
                     for _ in range(BOOTSTRAP))
    return medians[int(0.025 * BOOTSTRAP)], medians[int(0.975 * BOOTSTRAP) - 1]


def main():
    rounds, prepare = int(sys.argv[1]), sys.argv[2]
    assert sys.argv[3] == "--" and 1 <= rounds <= 2000
    tools = []
    for spec in sys.argv[4:]:
        name, command = spec.split("=", 1)
        argv = shlex.split(command)
        argv[0] = shutil.which(argv[0]) or sys.exit(f"interleave: {argv[0]} not found")
        tools.append((name, argv))
    rng = random.Random(1)
    wall = {name: [] for name, _ in tools}
    cpu = {name: [] for name, _ in tools}
    for _ in range(rounds):
        subprocess.run(prepare, shell=True, check=True, stdout=subprocess.DEVNULL)
        order = tools[:]
        rng.shuffle(order)
        for name, argv in order:
            w, c = run(argv)
            wall[name].append(w)
            cpu[name].append(c)
    ref = tools[0][0]
    print(f"rounds: {rounds}; reference: {ref}; load: {open('/proc/loadavg').read().split()[:3]}")
    print("| tool | wall ms (median) | CPU ms (median) | wall / ref (median of rounds, 95% CI) | CPU / ref (median of rounds, 95% CI) |")
    print("|---|---:|---:|---:|---:|")
    for name, _ in tools:
        cells = [name, f"{statistics.median(wall[name]):.2f}", f"{statistics.median(cpu[name]):.2f}"]
        for series in (wall, cpu):
            ratios = [a / b for a, b in zip(series[name], series[ref])]
            lo, hi = median_interval(ratios, rng)
            cells.append(f"{statistics.median(ratios):.3f}x ({lo:.3f}-{hi:.3f})")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
