//! `--listeners` on a real SO_REUSEPORT group (issue 12 item 8), in a private
//! network namespace: four sockets on one port, backlog 16 each, ten
//! connections waiting. Through /proc and through netlink the group is one
//! row whose accept queue and backlog limit are both summed over its
//! sockets, equal to the sums of `ss -ltn`'s per-socket Recv-Q and Send-Q
//! (`tests/reuseport/group.py` does the work). Needs root, as CI has; without
//! it the test fails unless TCPCOUNT_SKIP_ROOT_TESTS is set.

mod common;

/// The number after `"key":` in the object after `"section":`.
fn field(json: &str, section: &str, key: &str) -> Option<u64> {
    let object = json.split(&format!("\"{section}\": {{")).nth(1)?;
    let object = object.split('}').next()?;
    let value = object.split(&format!("\"{key}\": ")).nth(1)?;
    value.split([',', '}']).next()?.trim().parse().ok()
}

#[test]
fn a_reuseport_group_sums_queue_and_limit_through_both_sources() {
    let Some(report) = common::root_script(
        "a_reuseport_group_sums_queue_and_limit_through_both_sources",
        60,
        &["unshare", "--net"],
        "tests/reuseport/group.py",
    ) else {
        return;
    };
    let ss = |key| field(&report, "ss", key);
    assert_eq!(ss("sockets"), Some(4), "{report}");
    assert_eq!(ss("accept_queue"), Some(10), "{report}");
    assert_eq!(ss("backlog_limit"), Some(64), "{report}");
    for source in ["proc", "netlink"] {
        for key in ["sockets", "accept_queue"] {
            assert_eq!(
                field(&report, source, key),
                ss(key),
                "{source} {key}: {report}"
            );
        }
        assert_eq!(field(&report, source, "established"), Some(10), "{report}");
    }
    assert_eq!(
        field(&report, "netlink", "backlog_limit"),
        ss("backlog_limit"),
        "{report}"
    );
    assert_eq!(
        field(&report, "proc", "backlog_limit"),
        None,
        "/proc has no limit"
    );
}
