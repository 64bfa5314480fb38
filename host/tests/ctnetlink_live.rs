//! `ctnetlink::count` on a live table against its two oracles: in a private
//! network namespace holding real flows in every TCP conntrack state of
//! both families (built by `fixtures/ctnetlink/capture --hold states`), the
//! dump's counts and entries must equal the procfs parser's on
//! `/proc/net/nf_conntrack` read just before and just after, and the counts
//! of `conntrack -L` (conntrack-tools), with and without a filter. Needs
//! root, as CI has; without it the test fails rather than passing silently,
//! unless TCPCOUNT_SKIP_ROOT_TESTS is set. If ctnetlink is missing it runs
//! `modprobe nf_conntrack_netlink` once and fails, saying so, if that does
//! not help.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::os::fd::AsRawFd;
use std::path::Path;
use std::process::{Command, Stdio};

use tcpcount::source::ctnetlink::{self, BUFFER_SIZE};
use tcpcount_core::Family;
use tcpcount_core::conntrack::{CtCounts, CtFilter, CtParser, CtStateSet, Entry};

const TEST: &str = "live_dump_equals_proc_and_conntrack";

#[test]
fn live_dump_equals_proc_and_conntrack() {
    if !common::runs_as_root(TEST) {
        return;
    }
    install_tools();
    let mut holder = Command::new("timeout")
        .args(["200", "python3"])
        .arg(common::fixture("ctnetlink/capture"))
        .args(["--hold", "states"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the flow holder starts");
    let mut line = String::new();
    BufReader::new(holder.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let namespace = line.strip_prefix("READY ").map(|ns| ns.trim().to_owned());
    // setns() moves only the calling thread: do it on a thread of our own.
    let outcome = namespace
        .clone()
        .map(|ns| std::thread::spawn(move || compare_in(&ns)).join());
    drop(holder.stdin.take());
    let status = holder.wait().unwrap();
    let namespace = namespace.unwrap_or_else(|| panic!("holder said {line:?} ({status})"));
    match outcome {
        Some(Ok(report)) => eprintln!("{TEST} in {namespace}: {report}"),
        Some(Err(panic)) => std::panic::resume_unwind(panic),
        None => unreachable!(),
    }
    assert!(status.success(), "flow holder: {status}");
}

/// conntrack-tools and nftables, installed the project's way if missing.
fn install_tools() {
    let have = |tool: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !have("conntrack") || !have("nft") {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/apt-install");
        let status = Command::new(script)
            .args(["conntrack", "nftables"])
            .status()
            .unwrap();
        assert!(status.success(), "scripts/apt-install conntrack nftables");
    }
}

/// Runs on a thread moved into `namespace`; returns what was compared.
fn compare_in(namespace: &str) -> String {
    let file = File::open(Path::new("/var/run/netns").join(namespace)).unwrap();
    // SAFETY: a valid namespace fd; only this thread changes namespace.
    let moved = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
    assert_eq!(moved, 0, "setns: {}", std::io::Error::last_os_error());
    let mut buffer = vec![0u8; BUFFER_SIZE];
    let mut modprobed = false;
    let filters = [
        CtFilter::new(),
        CtFilter {
            family: Some(Family::Ipv6),
            states: Some(CtStateSet::parse("established,syn-sent,time-wait").unwrap()),
            ..CtFilter::new()
        },
    ];
    let mut last = String::new();
    for attempt in 1..=4 {
        // /proc/net is the main thread's namespace; thread-self is ours.
        let first = fs::read("/proc/thread-self/net/nf_conntrack").unwrap();
        let mut entries = Vec::new();
        let dumped = match ctnetlink::count(&mut buffer, &CtFilter::new(), |e| entries.push(*e)) {
            Ok(counts) => counts,
            Err(e) if e.is_unavailable() && !modprobed => {
                let status = Command::new("modprobe")
                    .arg("nf_conntrack_netlink")
                    .status();
                eprintln!("{TEST}: {e}; modprobe nf_conntrack_netlink: {status:?}");
                modprobed = true;
                continue;
            }
            Err(e) => panic!("ctnetlink dump failed (after modprobe: {modprobed}): {e}"),
        };
        let filtered: Vec<CtCounts> = filters
            .iter()
            .map(|f| ctnetlink::count(&mut buffer, f, |e| assert!(f.matches(e))).unwrap())
            .collect();
        let conntrack = Command::new("conntrack")
            .args(["-L", "-o", "extended"])
            .output()
            .unwrap();
        assert!(conntrack.status.success(), "conntrack -L");
        let second = fs::read("/proc/thread-self/net/nf_conntrack").unwrap();

        let proc_first = proc_counts(&first, CtFilter::new());
        let oracle = tcpcount_oracle::conntrack(&String::from_utf8_lossy(&conntrack.stdout))
            .expect("conntrack -L lines");
        let agree = dumped == proc_first
            && dumped == proc_counts(&second, CtFilter::new())
            && common::ct_listed(&dumped) == oracle
            && same_entries(&entries, &first)
            && filters
                .iter()
                .zip(&filtered)
                .all(|(f, got)| *got == proc_counts(&first, f.clone()));
        last = format!(
            "attempt {attempt}: dump {:?}\nconntrack {oracle:?}\nproc {:?}",
            common::ct_listed(&dumped),
            common::ct_listed(&proc_first)
        );
        if agree {
            assert!(dumped.total().entries() >= 20, "too few flows: {last}");
            assert!(dumped.family(Family::Ipv6).tcp_total() >= 9, "{last}");
            return format!(
                "{} entries agree (dump, proc twice, conntrack -L, 2 filters), attempt {attempt}",
                dumped.total().entries()
            );
        }
        eprintln!("{TEST}: disagree, retrying: {last}");
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    panic!("the dump never agreed with /proc and conntrack -L: {last}");
}

fn proc_counts(table: &[u8], filter: CtFilter) -> CtCounts {
    let mut parser = CtParser::with_filter(filter);
    parser.feed(table).unwrap();
    parser.finish().unwrap()
}

/// The dumped entries, timeouts aside, are the lines of the file.
fn same_entries(entries: &[Entry], table: &[u8]) -> bool {
    let key = |e: &Entry| {
        format!(
            "{:?} {} {:?} {:?} {} {} {:?} {:?} {:?} {:?}",
            e.family(),
            e.protocol_number(),
            e.state(),
            (e.unreplied(), e.assured(), e.offload(), e.hw_offload()),
            e.mark().unwrap_or(0),
            e.zone().unwrap_or(0),
            e.original(),
            e.reply(),
            e.timeout().is_some(),
            e.is_legacy()
        )
    };
    let mut got: Vec<String> = entries.iter().map(key).collect();
    let mut want: Vec<String> = table
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| key(&Entry::parse(l).unwrap()))
        .collect();
    got.sort();
    want.sort();
    got == want
}
