//! `tcpcount --conntrack` on live conntrack tables against conntrack-tools,
//! with real TCP/UDP/ICMP flows in private network namespaces
//! (`conntrack_live/live.py` does the work): per-family state, protocol and
//! flag counts equal `conntrack -L` (procfs and ctnetlink), filters, nf_conntrack_count and _max
//! equal `conntrack -C` and sysctl, --pid, the node_exporter names, watch
//! mode, --output, check mode, and the permission error as `nobody`. Needs
//! root, as CI has; without it the test fails rather than passing silently,
//! unless TCPCOUNT_SKIP_ROOT_TESTS is set.

mod common;

#[test]
fn live_conntrack_counts_equal_conntrack_tools() {
    common::root_script_passes(
        "live_conntrack_counts_equal_conntrack_tools",
        300,
        "tests/conntrack_live/live.py",
        &[
            "PASS states: counts equal conntrack -L",
            "PASS states: --source netlink (ctnetlink) equals conntrack -L",
            "PASS states: --source auto (ctnetlink) equals conntrack -L",
            "PASS states: --source netlink -6 --state syn_sent,close",
            "PASS states: -4 --state established,time_wait",
            "PASS states: -6 --proto udp",
            "PASS states: nf_conntrack_count equals conntrack -C, nf_conntrack_max equals sysctl",
            "PASS states: node_exporter names",
            "PASS check mode: 7 cases",
            "PASS watch mode and --output",
            "PASS permission denied as nobody",
            "PASS --pid of a process in the namespace",
            "PASS --pid: entries from its stat file equal conntrack -C",
            "PASS nat-router: counts equal conntrack -L",
            "PASS nat-router: --source netlink (ctnetlink) equals conntrack -L",
            "ALL PASSED",
        ],
    );
}
