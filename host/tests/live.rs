//! tcpcount on live tables against `ss`, with real sockets in private network
//! namespaces: counts, every filter, --per-port, --listeners and --pid
//! (`tests/e2e/live.py` does the work). Needs root, as CI has; without it the
//! test fails rather than passing silently, unless TCPCOUNT_SKIP_ROOT_TESTS
//! is set.

mod common;

#[test]
fn live_counts_filters_listeners_and_pid_equal_ss() {
    common::root_script_passes(
        "live_counts_filters_listeners_and_pid_equal_ss",
        240,
        "../tests/e2e/live.py",
        &[
            "PASS proc: counts equal ss -tan",
            "PASS proc: filter --laddr 127.0.0.0/8",
            "PASS proc: --per-port local",
            "PASS proc: --listeners",
            "PASS netlink: counts equal ss -tan",
            "PASS netlink: filter -s estab,time-wait",
            "PASS netlink: --listeners",
            "PASS --pid of a process in another namespace",
        ],
    );
}
