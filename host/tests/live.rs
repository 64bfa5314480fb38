//! tcpcount on live tables against `ss`, with real sockets in private network
//! namespaces: counts, every filter, --per-port, --listeners and --pid
//! (`tests/e2e/live.py` does the work). Needs root, as CI has; without it the
//! test fails rather than passing silently, unless TCPCOUNT_SKIP_ROOT_TESTS
//! is set.

use std::path::Path;
use std::process::Command;

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

#[test]
fn live_counts_filters_listeners_and_pid_equal_ss() {
    if !is_root() && std::env::var_os("TCPCOUNT_SKIP_ROOT_TESTS").is_some() {
        eprintln!("skipped: needs root for network namespaces");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/e2e/live.py");
    let out = Command::new("timeout")
        .args(["240", "python3"])
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_tcpcount"))
        .output()
        .expect("python3 runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for check in [
        "PASS proc: counts equal ss -tan",
        "PASS proc: filter --laddr 127.0.0.0/8",
        "PASS proc: --per-port local",
        "PASS proc: --listeners",
        "PASS netlink: counts equal ss -tan",
        "PASS netlink: filter -s estab,time-wait",
        "PASS netlink: --listeners",
        "PASS --pid of a process in another namespace",
    ] {
        assert!(report.contains(check), "missing {check:?} in\n{report}");
    }
}
