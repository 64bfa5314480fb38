# shellcheck shell=bash
# Sourced inside a fresh network namespace (unshare --net) by bench/ scripts:
# loopback up, and the per-namespace settings bench/lib/holder.py needs.
ip link set lo up
ip -6 route add local fd00:7c::/64 dev lo             # all of fd00:7c::/64 is local
sysctl -qw net.ipv6.ip_nonlocal_bind=1                 # ... and bindable
sysctl -qw net.ipv4.tcp_max_tw_buckets=1000000         # keep every TIME_WAIT row
sysctl -qw net.ipv4.ip_local_port_range="60001 65535"  # clients bind 20000..59999 themselves
# Debian's interpreter, not a version-manager shim that adds its own start-up
py=$(command -v /usr/bin/python3 || command -v python3)

holder_pid=
# start_holder LOGFILE: starts bench/lib/holder.py and waits until it listens
start_holder() {
    "$py" bench/lib/holder.py >"$1" 2>&1 &
    holder_pid=$!
    local _
    for _ in $(seq 100); do
        grep -q ready "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    cat "$1" >&2
    return 1
}
stop_holder() {
    if [ -n "$holder_pid" ]; then
        "$py" bench/lib/holder.py ctl quit >/dev/null 2>&1 || true
        kill "$holder_pid" 2>/dev/null || true
        wait "$holder_pid" 2>/dev/null || true
        holder_pid=
    fi
}
ctl() { "$py" bench/lib/holder.py ctl "$@"; }
