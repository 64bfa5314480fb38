//! `--top` end to end through the built binary: usage errors, check mode
//! (`--warn top=` / `--crit top=` judged on the guaranteed lower bound
//! `count - error`, the status line naming the key), an approximate table
//! (more distinct keys than the 1024 slots), the table reset for each sample
//! of a watch, and live sockets against `ss -tan` (tests/e2e/top.py, as
//! root, in a private network namespace).

use std::fmt::Write as _;
use std::process::{Command, Output};

mod common;

use common::{BIN, TempDir, fixture, text};

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("tcpcount runs")
}

/// A /proc/net/tcp table: `heavy` ESTABLISHED rows from 198.51.100.7, then
/// one row from each of `distinct` other addresses (10.x.y.z), so the heavy
/// key comes last, after every slot was taken.
fn wide_table(heavy: u32, distinct: u32) -> String {
    let mut table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n".to_owned();
    let row = |table: &mut String, sl: u32, addr: u32| {
        // The kernel prints the address's bytes in memory order (little
        // endian here, as the fixtures are read).
        let hex = u32::from_be_bytes(addr.to_le_bytes());
        writeln!(
            table,
            "{sl:4}: 0100007F:1F90 {hex:08X}:C350 01 00000000:00000000 00:00000000 00000000     0        0 {} 1 0000000000000000 20 4 30 10 -1",
            1000 + sl
        )
        .unwrap();
    };
    let mut sl = 0;
    for i in 0..distinct {
        row(&mut table, sl, 0x0a00_0000 | i);
        sl += 1;
    }
    for _ in 0..heavy {
        row(&mut table, sl, 0xc633_6407);
        sl += 1;
    }
    table
}

#[test]
fn check_mode_judges_the_surest_key() {
    let tcp = fixture("all-states/tcp").to_string_lossy().into_owned();
    // all-states/tcp: 34 sockets, 127.0.0.1 holds 26, 0.0.0.0 (listeners) 8.
    // ARGS | EXIT | START OF THE ONE LINE ON STDOUT
    let cases = "
        --top raddr --warn top=26 | 0 | TCPCOUNT OK - 34 sockets, 11 established, 2 time_wait, top raddr 127.0.0.1=26 |
        --top raddr --warn top=25 | 1 | TCPCOUNT WARNING - top raddr 127.0.0.1=26 > 25 (34 sockets) |
        --top raddr --warn top=1 --crit top=25 | 2 | TCPCOUNT CRITICAL - top raddr 127.0.0.1=26 > 25 (34 sockets) |
        --top raddr/8 --crit top=25 | 2 | TCPCOUNT CRITICAL - top raddr/8,64 127.0.0.0/8=26 > 25
        -s listen --top raddr --warn top=7 | 1 | TCPCOUNT WARNING - top raddr 0.0.0.0=8 > 7 (8 sockets)
        --top lport:1 --warn time_wait=1,top=2 | 1 | TCPCOUNT WARNING - time_wait=2 > 1, top lport 21000=3 > 2 (34 sockets)
        --top rport --crit top=100 | 0 | TCPCOUNT OK - 34 sockets, 11 established, 2 time_wait, top rport 0=8 |
        --warn top=5 | 3 | TCPCOUNT UNKNOWN - top=FIGURE thresholds need --top KEY
        --top src --warn top=5 | 3 | TCPCOUNT UNKNOWN - --top src: src, dst, sport and dport are conntrack keys
        --top raddr --warn top=x | 3 | TCPCOUNT UNKNOWN - invalid value 'top=x'
        --top raddr:0 --warn top=1 | 3 | TCPCOUNT UNKNOWN - invalid value 'raddr:0' for '--top <KEY[/PREFIX][:N]>': bad count
    ";
    let mut checked = 0;
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        let [args, code, start] = [0, 1, 2].map(|i| line.split(" | ").nth(i).expect("3 columns"));
        let mut args: Vec<&str> = args.split_whitespace().collect();
        args.push(&tcp);
        let out = run(&args);
        let stdout = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(code.trim().parse().unwrap()),
            "{args:?}: {stdout}{}",
            text(&out.stderr)
        );
        assert!(
            stdout.starts_with(start.trim_end_matches(" |").trim()),
            "{args:?}: {stdout}"
        );
        assert_eq!(stdout.lines().count(), 1, "{args:?}: {stdout}");
        if code.trim() != "3" {
            let perf = stdout.split(" | ").nth(1).expect("perfdata");
            assert!(
                perf.split_whitespace().any(|p| p.starts_with("top=")),
                "{stdout}"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 11);
}

#[test]
fn usage_errors() {
    let tcp = fixture("all-states/tcp").to_string_lossy().into_owned();
    // ARGS | PART OF STDERR (exit 2 each)
    let cases = [
        ("--top src", "conntrack keys (they need --conntrack)"),
        ("--top dport:3", "conntrack keys"),
        ("--top raddr --per-port local", "cannot be used with"),
        ("--top raddr --listeners", "cannot be used with"),
        ("--top lport/8", "a port key takes no /PREFIX"),
        ("--top raddr/129", "bad prefix"),
        ("--top raddr:70000", "bad count"),
        ("--top bogus", "unknown key"),
        ("--counters", "cannot be used with"),
    ];
    for (args, message) in cases {
        let mut all: Vec<&str> = args.split_whitespace().collect();
        all.push(&tcp);
        let out = run(&all);
        assert_eq!(out.status.code(), Some(2), "{args}");
        assert!(
            text(&out.stderr).contains(message),
            "{args}: {}",
            text(&out.stderr)
        );
    }
    let help = text(&run(&["--help"]).stdout);
    common::assert_all_in(
        &help,
        &[
            "--top <KEY[/PREFIX][:N]>",
            "/0 to /32 groups IPv4",
            "--counters",
        ],
    );
}

#[test]
fn beyond_capacity_the_heavy_key_is_listed_with_its_error() {
    let dir = TempDir::new("top-wide", "tables", 0o700);
    let table = dir.write("tcp", wide_table(600, 3000).as_bytes());
    let table = table.to_string_lossy().into_owned();

    let out = run(&["--top", "raddr:3", &table]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let top: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("RANK"))
        .collect();
    assert_eq!(top.len(), 5, "{stdout}");
    let first: Vec<&str> = top[1].split_whitespace().collect();
    assert_eq!(first[..2], ["1", "198.51.100.7"], "{stdout}");
    let (count, error): (u32, u32) = (
        first[2].parse().unwrap(),
        first[3].trim_start_matches('±').parse().unwrap(),
    );
    // Space-Saving: count - error <= 600 <= count, error at most total / C.
    assert!(count - error <= 600 && 600 <= count, "{stdout}");
    assert!(error <= 3600 / 1024, "{stdout}");
    assert!(
        top[4].starts_with("# approximate: 3600 sockets, more than 1024 keys"),
        "{stdout}"
    );

    let json = text(&run(&["--top", "raddr:3", "-f", "json", &table]).stdout);
    assert!(
        json.contains("\"top_exact\":false,\"top_total\":3600,\"top\":[{\"key\":\"198.51.100.7\""),
        "{json}"
    );

    let out = run(&["--top", "raddr", "--warn", "top=590", &table]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("top raddr 198.51.100.7="),
        "{}",
        text(&out.stdout)
    );
    // The lower bound, not the count, is judged: 600 - error never trips 600.
    let out = run(&["--top", "raddr", "--crit", "top=600", &table]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn each_sample_of_a_watch_counts_afresh() {
    let tcp = fixture("all-states/tcp").to_string_lossy().into_owned();
    let out = run(&[
        "--top", "raddr:2", "-f", "json", "-n", "3", "-i", "0.01", &tcp,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let tops: Vec<&str> = stdout
        .lines()
        .map(|l| l.split_once(",\"top_spec\"").expect("a top").1)
        .collect();
    assert_eq!(tops.len(), 3);
    assert!(tops.iter().all(|t| *t == tops[0]), "{stdout}");
    assert!(
        tops[0]
            .contains("\"top_total\":34,\"top\":[{\"key\":\"127.0.0.1\",\"count\":26,\"error\":0}"),
        "{stdout}"
    );
}

#[test]
fn live_top_raddr_equals_ss() {
    common::root_script_passes(
        "live_top_raddr_equals_ss",
        180,
        "../tests/e2e/top.py",
        &[
            "PASS proc: --top raddr",
            "PASS proc: -s estab --top raddr/24",
            "PASS proc: -4 --top raddr",
            "PASS proc: --lport filter --top rport",
            "PASS netlink: --top raddr",
            "PASS netlink: -6 --top raddr",
            "PASS netlink: -s estab --top raddr/24",
        ],
    );
}

#[test]
fn output_file_carries_the_top_series() {
    let dir = TempDir::new("top-output", "out", 0o700);
    let file = dir.join("tcp.prom");
    let file = file.to_string_lossy().into_owned();
    let tcp = fixture("all-states/tcp").to_string_lossy().into_owned();
    let out = run(&["--top", "raddr:1", "-f", "prometheus", "-o", &file, &tcp]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let written = std::fs::read_to_string(&file).unwrap();
    let series: Vec<&str> = written
        .lines()
        .filter(|l| l.starts_with("tcpcount_top_connections{"))
        .collect();
    assert_eq!(
        series,
        ["tcpcount_top_connections{key=\"raddr\",value=\"127.0.0.1\",rank=\"1\"} 26"]
    );
}

/// The top table of a conntrack capture, as `(key, count)` sorted, through
/// `visit`-style feeding of each entry.
fn ct_top(
    spec: &str,
    feed: impl FnOnce(&mut dyn FnMut(&tcpcount_core::conntrack::Entry)),
) -> Vec<(String, u32)> {
    let spec: tcpcount_core::KeySpec = spec.parse().unwrap();
    let mut top = Box::new(tcpcount_core::Top::<1024>::new());
    feed(&mut |entry| top.add_entry(&spec, entry));
    assert!(top.exact());
    let mut got: Vec<(String, u32)> = top.iter().map(|e| (e.key.to_string(), e.count)).collect();
    got.sort();
    got
}

#[test]
fn conntrack_top_is_the_same_from_ctnetlink_and_procfs() {
    // fixtures/ctnetlink/*: a real ctnetlink dump and the procfs table
    // captured with it; every key must count the same from either.
    use tcpcount::source::ctnetlink;
    use tcpcount_core::conntrack::{CtFilter, CtParser};
    for capture in ["nat-router", "states", "acct-zones-marks"] {
        let dir = fixture(&format!("../fixtures/ctnetlink/{capture}"));
        let reply = std::fs::read(dir.join("reply.bin")).unwrap();
        let table = std::fs::read(dir.join("nf_conntrack")).unwrap();
        for spec in ["src", "dst/24", "sport", "dport:5"] {
            let dumped = ct_top(spec, |visit| {
                ctnetlink::count_replies(&reply, &CtFilter::new(), visit).unwrap();
            });
            let read = ct_top(spec, |visit| {
                let mut visit = |e: &tcpcount_core::conntrack::Entry| visit(e);
                let mut parser = CtParser::new();
                for chunk in table.chunks(97) {
                    parser.feed_visit(chunk, &mut visit).unwrap();
                }
                parser.end(&mut visit).unwrap();
            });
            assert!(!read.is_empty(), "{capture} {spec}");
            assert_eq!(dumped, read, "{capture} {spec}");
        }
    }
}

#[test]
fn conntrack_top_usage_and_check_mode() {
    let table = fixture("conntrack/states/nf_conntrack")
        .to_string_lossy()
        .into_owned();
    // conntrack/states: 24 entries, 12 from 127.0.0.1 to 127.0.0.1 and 12
    // from ::1 (dst 127.0.0.1 holds 12).
    // ARGS | EXIT | START OF STDOUT (check mode) or part of stderr (exit 2)
    let cases = [
        (
            "--top dst --warn top=11",
            1,
            "TCPCOUNT WARNING - top dst 127.0.0.1=12 > 11 (24 conntrack entries",
        ),
        (
            "--top dst --crit top=12",
            0,
            "TCPCOUNT OK - 24 conntrack entries",
        ),
        (
            "--top dst/8 --crit top=11",
            2,
            "TCPCOUNT CRITICAL - top dst/8,64 127.0.0.0/8=12 > 11",
        ),
        (
            "--warn top=1",
            3,
            "TCPCOUNT UNKNOWN - top=FIGURE thresholds need --top KEY",
        ),
        (
            "--top raddr --warn top=1",
            3,
            "TCPCOUNT UNKNOWN - --top raddr with --conntrack: raddr, laddr, rport and lport are socket keys",
        ),
        (
            "--top lport",
            2,
            "--top lport with --conntrack: raddr, laddr, rport and lport are socket keys",
        ),
    ];
    for (args, code, expected) in cases {
        let mut all = vec!["--conntrack"];
        all.extend(args.split_whitespace());
        all.push(&table);
        let out = run(&all);
        common::assert_code(&out, code, &args);
        if !expected.starts_with("TCPCOUNT") {
            assert!(
                text(&out.stderr).contains(expected),
                "{args}: {}",
                text(&out.stderr)
            );
        } else {
            assert!(
                text(&out.stdout).starts_with(expected),
                "{args}: {}",
                text(&out.stdout)
            );
        }
    }
}
