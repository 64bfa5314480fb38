//! `--counters` end to end through the built binary: a fake procfs tree
//! (`--proc`, `--pid`) built from fixtures/counters, a missing or malformed
//! counters file named in the error (exit 1), and this machine's live
//! counters: every collected counter present in each sample, the running
//! totals never going down between samples, and rates from the second
//! sample on, equal to the change over the interval.

use std::process::{Command, Output};

mod common;

use common::{BIN, TempDir, fixture, text};

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("tcpcount runs")
}

/// `DIR/net/{tcp,tcp6,snmp,netstat}` and `DIR/self`, and the same under
/// `DIR/42/net`.
fn fake_proc(test: &str) -> TempDir {
    let dir = TempDir::new(test, "proc", 0o700);
    for net in ["net", "42/net"] {
        for (from, to) in [
            ("all-states/tcp", "tcp"),
            ("all-states/tcp6", "tcp6"),
            ("counters/netns/snmp", "snmp"),
            ("counters/netns/netstat", "netstat"),
        ] {
            dir.write(
                &format!("{net}/{to}"),
                &std::fs::read(fixture(from)).unwrap(),
            );
        }
    }
    std::fs::create_dir_all(dir.join("self")).unwrap();
    dir
}

#[test]
fn fake_proc_counters_and_errors_name_the_file() {
    let proc = fake_proc("counters-fake");
    let root = proc.0.to_string_lossy().into_owned();
    for args in [vec!["--proc", &root], vec!["--proc", &root, "--pid", "42"]] {
        let mut all = args.clone();
        all.extend(["--counters", "-f", "env"]);
        let out = run(&all);
        common::assert_code(&out, 0, &args);
        let env = text(&out.stdout);
        for line in [
            "TCPCOUNT_TOTAL=102",
            "TCPCOUNT_TCP_ACTIVEOPENS=13",
            "TCPCOUNT_TCPEXT_LISTENOVERFLOWS=8",
            "TCPCOUNT_TCP_MAXCONN=-1",
        ] {
            assert!(
                env.lines().any(|l| l == line),
                "{args:?}: no {line} in\n{env}"
            );
        }
        assert!(!env.contains("PER_SECOND"), "no rate on a first sample");
    }

    let listeners = text(&run(&["--proc", &root, "--counters", "--listeners"]).stdout);
    assert!(listeners.starts_with("FAMILY"), "{listeners}");
    assert!(
        listeners
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["TcpExt_ListenOverflows", "8"]),
        "{listeners}"
    );

    std::fs::write(
        proc.join("42/net/netstat"),
        "TcpExt: ListenDrops TW\nTcpExt: 1 x\n",
    )
    .unwrap();
    let out = run(&["--proc", &root, "--pid", "42", "--counters"]);
    common::assert_exit(
        &out,
        1,
        &format!(
            "tcpcount: {root}/42/net/netstat: line 2: a value is not a decimal integer (signed, 64-bit)\n"
        ),
    );
    std::fs::remove_file(proc.join("net/snmp")).unwrap();
    let out = run(&["--proc", &root, "--counters"]);
    common::assert_exit(
        &out,
        1,
        &format!("tcpcount: {root}/net/snmp: No such file or directory (os error 2)\n"),
    );
    // Without --counters the files are not read.
    assert_eq!(run(&["--proc", &root]).status.code(), Some(0));
}

/// `"Name":value` pairs of the JSON object after `"key":{` (flat).
fn pairs(line: &str, key: &str) -> Vec<(String, f64)> {
    let start = line.find(&format!("\"{key}\":{{")).expect(key) + key.len() + 4;
    let body = &line[start..];
    let body = &body[..body.find('}').unwrap()];
    body.split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once(':').unwrap();
            (k.trim_matches('"').to_owned(), v.parse().unwrap())
        })
        .collect()
}

#[test]
fn live_counters_are_present_monotonic_and_rated() {
    let out = run(&["--counters", "-f", "json", "-n", "3", "-i", "0.3"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    let mut previous: Option<Vec<(String, f64)>> = None;
    for (i, line) in lines.iter().enumerate() {
        let tcp = pairs(line, "Tcp");
        let ext = pairs(line, "TcpExt");
        for name in [
            "ActiveOpens",
            "PassiveOpens",
            "CurrEstab",
            "InSegs",
            "OutRsts",
        ] {
            assert!(tcp.iter().any(|(k, _)| k == name), "no Tcp {name}: {line}");
        }
        for name in ["ListenOverflows", "ListenDrops", "TCPTimeouts"] {
            assert!(
                ext.iter().any(|(k, _)| k == name),
                "no TcpExt {name}: {line}"
            );
        }
        let now: Vec<(String, f64)> = tcp.into_iter().chain(ext).collect();
        assert_eq!(line.contains("\"counter_rates\""), i > 0, "{line}");
        if let Some(before) = &previous {
            let rates: Vec<(String, f64)> =
                pairs(line, "counter_rates\":{\"Tcp").into_iter().collect();
            for ((name, v), (_, b)) in now.iter().zip(before) {
                if name != "CurrEstab" && name != "MaxConn" {
                    assert!(v >= b, "{name} went down: {b} -> {v}");
                }
            }
            // Tcp rates: the change over roughly 0.3 s (0.1 to 3 s allowed).
            for (name, rate) in rates {
                let (_, v) = now.iter().find(|(k, _)| *k == name).unwrap();
                let (_, b) = before.iter().find(|(k, _)| *k == name).unwrap();
                let delta = v - b;
                assert!(rate >= 0.0, "{name}");
                assert!(
                    rate <= delta / 0.1 + 0.01 && rate + 0.01 >= delta / 3.0,
                    "{name}: rate {rate} for a change of {delta}"
                );
            }
        }
        previous = Some(now);
    }
}
