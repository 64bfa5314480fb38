#!/usr/bin/env python3
"""A one-file Python peer for bench/run: counts TCP sockets per state in
/proc/net/tcp and /proc/net/tcp6 (or the files named), the way a monitoring
script would. Prints `STATE COUNT` lines for the states seen."""

import sys

NAMES = {
    "01": "ESTABLISHED", "02": "SYN_SENT", "03": "SYN_RECV", "04": "FIN_WAIT1",
    "05": "FIN_WAIT2", "06": "TIME_WAIT", "07": "CLOSE", "08": "CLOSE_WAIT",
    "09": "LAST_ACK", "0A": "LISTEN", "0B": "CLOSING",
}


def main(paths):
    counts = {}
    for path in paths:
        try:
            f = open(path)
        except FileNotFoundError:
            continue
        with f:
            next(f, None)  # header
            for line in f:
                st = line.split(None, 4)[3]
                counts[st] = counts.get(st, 0) + 1
    for st, n in sorted(counts.items()):
        print(NAMES.get(st, "UNKNOWN(%s)" % st), n)


if __name__ == "__main__":
    main(sys.argv[1:] or ["/proc/net/tcp", "/proc/net/tcp6"])
