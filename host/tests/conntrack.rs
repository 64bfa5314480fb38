//! `tcpcount --conntrack` end to end without root: captured tables as files
//! and on standard input, a procfs tree (`--proc`) with the table, the
//! legacy fallback, a missing table and absent figures, bad tables and stat
//! files naming their line, every usage rule, and check mode on files.
//! The live tables are tested in `conntrack_live.rs`.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use common::{BIN, TempDir, fixture, text};

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("tcpcount runs")
}

fn path(p: &std::path::Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn json(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// A procfs tree with `self/`, and `files` (path, contents) under it.
fn proc_tree(test: &str, files: &[(&str, &[u8])]) -> TempDir {
    let dir = TempDir::new(test, "proc", 0o755);
    std::fs::create_dir_all(dir.join("self")).expect("self");
    for (name, bytes) in files {
        dir.write(name, bytes);
    }
    dir
}

/// Files of a procfs tree: (path under it, contents).
type Tree<'a> = &'a [(&'a str, &'a [u8])];

const STAT: &[u8] = b"entries  found drop early_drop insert_failed\n00000007  00000001 00000002 00000000 00000001\n00000007  00000001 00000003 00000000 00000000\n";

#[test]
fn files_and_standard_input_count_the_same() {
    let table = fixture("conntrack/states/nf_conntrack");
    let from_file = json(&run(&["--conntrack", "-f", "json", path(&table)]));
    let mut child = Command::new(BIN)
        .args(["--conntrack", "-f", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("runs");
    let bytes = std::fs::read(&table).expect("fixture");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&bytes)
        .expect("write");
    let from_stdin = json(&child.wait_with_output().expect("ends"));
    let strip = |s: &str| s.split_once(",\"ipv4\"").map(|(_, rest)| rest.to_owned());
    assert_eq!(strip(&from_file), strip(&from_stdin));
    assert!(
        from_file.contains("\"ESTABLISHED\":2,\"FIN_WAIT\":2"),
        "{from_file}"
    );
    assert!(
        from_file.contains("\"entries\":null,\"limit\":null,\"fill_percent\":null,\"stat\":null"),
        "{from_file}"
    );
    // Two files add up.
    let twice = json(&run(&[
        "--conntrack",
        "-f",
        "json",
        path(&table),
        path(&table),
    ]));
    assert!(
        twice.contains("\"ESTABLISHED\":4,\"FIN_WAIT\":4"),
        "{twice}"
    );
}

#[test]
fn a_procfs_tree_gives_count_limit_stat_and_falls_back_to_ip_conntrack() {
    let table = std::fs::read(fixture("conntrack/states/nf_conntrack")).expect("fixture");
    let legacy = std::fs::read(fixture("conntrack/legacy/ip_conntrack")).expect("fixture");
    // (files in the tree, expected phrases of the table format)
    let cases: [(Tree, &[&str]); 4] = [
        (
            &[
                ("net/nf_conntrack", &table),
                ("net/stat/nf_conntrack", STAT),
                ("sys/net/netfilter/nf_conntrack_count", b"24\n"),
                ("sys/net/netfilter/nf_conntrack_max", b"100\n"),
            ],
            &[
                "entries 24 of 100 (24.0%)",
                "stat (2 cpus): found 2, drop 5, early_drop 0, insert_failed 1",
                "ALL          12    12     24",
            ],
        ),
        (
            &[
                ("net/nf_conntrack", &table),
                ("net/stat/nf_conntrack", STAT),
            ],
            &["entries 7 of (limit absent)"],
        ),
        (
            &[("net/nf_conntrack", &table)],
            &["entries absent, limit absent", "stat absent"],
        ),
        (
            &[
                ("net/ip_conntrack", &legacy),
                ("sys/net/netfilter/nf_conntrack_max", b"65536\n"),
            ],
            &[
                "# legacy ip_conntrack table (IPv4 only)",
                "entries absent, limit 65536",
            ],
        ),
    ];
    for (i, (files, phrases)) in cases.iter().enumerate() {
        let tree = proc_tree(&format!("tree{i}"), files);
        let out = run(&["--conntrack", "--proc", path(&tree.0)]);
        let shown = text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{i}: {}", text(&out.stderr));
        for phrase in *phrases {
            assert!(shown.contains(phrase), "{i}: {phrase:?} in\n{shown}");
        }
    }
}

#[test]
fn failures_name_the_file_and_line() {
    let tree = proc_tree("missing", &[("net/tcp", b"")]);
    let table = proc_tree(
        "badstat",
        &[
            ("net/nf_conntrack", b""),
            (
                "net/stat/nf_conntrack",
                b"entries drop\n0000000g 00000000\n",
            ),
        ],
    );
    let bad = fixture("conntrack/bad/port-overflow");
    let proc_net_tcp = fixture("conntrack/bad/proc-net-tcp");
    // (arguments, phrase of stderr); each exits 1.
    let cases: [(Vec<&str>, String); 5] = [
        (
            vec!["--conntrack", "--proc", path(&tree.0)],
            "net/nf_conntrack: no conntrack table (neither nf_conntrack nor the legacy ip_conntrack): connection tracking is not loaded (modprobe nf_conntrack)".to_owned(),
        ),
        (
            vec!["--conntrack", "--proc", path(&table.0)],
            "net/stat/nf_conntrack: line 2: bad counter".to_owned(),
        ),
        (
            vec!["--conntrack", path(&bad)],
            format!("tcpcount: {}: line 2: bad dport", bad.display()),
        ),
        (
            vec!["--conntrack", path(&proc_net_tcp)],
            format!("tcpcount: {}: line 1: bad family", proc_net_tcp.display()),
        ),
        (
            vec!["--conntrack", "/nonexistent/nf_conntrack"],
            "tcpcount: /nonexistent/nf_conntrack: No such file or directory".to_owned(),
        ),
    ];
    for (args, phrase) in cases {
        let out = run(&args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&phrase),
            "{args:?}: {phrase:?} not in {stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn usage_rules_for_conntrack() {
    let table = fixture("conntrack/states/nf_conntrack");
    let table = path(&table);
    // (arguments, phrase of stderr); each exits 2.
    let cases: [(&[&str], &str); 11] = [
        (
            &["--conntrack", "--lport", "80", table],
            "cannot be used with",
        ),
        (
            &["--conntrack", "--raddr", "10.0.0.0/8", table],
            "cannot be used with",
        ),
        (
            &["--conntrack", "--per-port", "local", table],
            "cannot be used with",
        ),
        (
            &["--conntrack", "--listeners", table],
            "cannot be used with",
        ),
        (
            &["--sport", "80", table],
            "required arguments were not provided",
        ),
        (&["--dst", "10.0.0.0/8", table], "--conntrack"),
        (&["--proto", "udp", table], "--conntrack"),
        (
            &["--conntrack", "-s", "listen", table],
            "not a conntrack state; conntrack states are none, syn_sent",
        ),
        (&["-s", "offload", table], "not a TCP state"),
        (
            &["--conntrack", "-s", "bogus", table],
            "with --conntrack: conntrack states are",
        ),
        (
            &["--conntrack", "--source", "netlink", "--pid", "1"],
            "use --source proc",
        ),
    ];
    for (args, phrase) in cases {
        let out = run(args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(phrase),
            "{args:?}: {phrase:?} not in {stderr}"
        );
    }
}

#[test]
fn filters_select_by_original_tuple() {
    let table = fixture("conntrack/nat-router/nf_conntrack");
    let table = path(&table);
    let count = |args: &[&str]| -> String {
        let mut all = vec!["--conntrack", "-f", "env"];
        all.extend_from_slice(args);
        all.push(table);
        let out = json(&run(&all));
        out.lines()
            .find(|l| l.starts_with("TCPCOUNT_CT_PROTO_ALL="))
            .expect("PROTO_ALL")
            .to_owned()
    };
    let all = count(&[]);
    let v4 = count(&["-4"]);
    let v6 = count(&["-6"]);
    let n = |s: &str| {
        s.rsplit('=')
            .next()
            .and_then(|n| n.parse::<u32>().ok())
            .expect("a number")
    };
    assert_eq!(n(&v4) + n(&v6), n(&all));
    assert!(n(&v4) > 0 && n(&v6) > 0);
    // The client's side of the NAT: every original source is in 10.0.1.0/24
    // or fd00:1::/64.
    assert_eq!(n(&count(&["--src", "10.0.1.0/24"])), n(&v4));
    assert_eq!(n(&count(&["--src", "fd00:1::/64"])), n(&v6));
    assert_eq!(n(&count(&["--dst", "192.0.2.0/24"])), 0);
    assert_eq!(n(&count(&["--dport", "8001,8101", "--proto", "tcp"])), 2);
    assert_eq!(n(&count(&["--state", "established", "--dport", "8001"])), 1);
}

#[test]
fn check_mode_on_files() {
    let table = fixture("conntrack/states/nf_conntrack");
    let table = path(&table);
    // (arguments, exit code, phrase of the one line)
    let cases: [(&[&str], i32, &str); 5] = [
        (
            &["--warn", "total=100"],
            0,
            "TCPCOUNT OK - 24 conntrack entries, 2 established, 2 time_wait, table fill absent | none=0;;;0",
        ),
        (
            &["--warn", "syn_sent2=1"],
            1,
            "TCPCOUNT WARNING - syn_sent2=2 > 1",
        ),
        (
            &["--crit", "total=23"],
            2,
            "TCPCOUNT CRITICAL - total=24 > 23",
        ),
        (
            &["--warn", "fill=80"],
            3,
            "TCPCOUNT UNKNOWN - fill: nf_conntrack_count and nf_conntrack_max are not both readable",
        ),
        (&["--warn", "listen=1"], 3, "TCPCOUNT UNKNOWN - "),
    ];
    for (args, code, phrase) in cases {
        let mut all = vec!["--conntrack"];
        all.extend_from_slice(args);
        all.push(table);
        let out = run(&all);
        let line = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}: {line}{}",
            text(&out.stderr)
        );
        assert!(line.starts_with(phrase), "{args:?}: {line}");
        assert_eq!(line.lines().count(), 1, "{line}");
    }
    // fill is not a socket key.
    let out = run(&[
        "--warn",
        "fill=80",
        &fixture("all-states/tcp").display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stdout).contains("not a key: use total, unknown"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_watch_ends_cleanly_on_sigterm() {
    let table = fixture("conntrack/states/nf_conntrack");
    let child = Command::new(BIN)
        .args(["--conntrack", "-f", "json", "-i", "0.05", path(&table)])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    std::thread::sleep(std::time::Duration::from_millis(400));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let out = child.wait_with_output().expect("ends");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    let lines: Vec<&str> = shown.lines().collect();
    assert!(lines.len() >= 2, "{shown}");
    for line in lines {
        assert!(
            line.starts_with("{\"time\":") && line.ends_with("\"legacy\":false}"),
            "{line}"
        );
        assert!(line.contains("\"TIME_WAIT\":2"), "{line}");
    }
}

#[test]
fn the_env_format_evaluates_in_a_shell() {
    let table = fixture("conntrack/handwritten/nf_conntrack");
    let script = format!(
        "eval \"$('{BIN}' --conntrack -f env '{}')\" && echo \"$TCPCOUNT_CT_OFFLOAD $TCPCOUNT_CT_HW_OFFLOAD $TCPCOUNT_CT_IPV4_UNKNOWN $TCPCOUNT_CT_TOTAL $TCPCOUNT_CT_PROTO_ALL [$TCPCOUNT_CT_ENTRIES] [$TCPCOUNT_CT_LIMIT] [$TCPCOUNT_CT_FILL_PERCENT]\"",
        path(&table)
    );
    let out = Command::new("sh")
        .args(["-c", &script])
        .output()
        .expect("sh runs");
    assert_eq!(
        text(&out.stdout),
        "2 2 1 8 13 [] [] []\n",
        "{}",
        text(&out.stderr)
    );
}
