//! The counters parser against two oracles on real captures
//! (`fixtures/counters/`, made by `fixtures/counters/capture`) and on this
//! machine's live files: a naive reader (lines in pairs, split on
//! whitespace, names zipped with values) and, for the idle namespace's
//! capture, iproute2's `nstat -asz` output taken at the same moment (nstat
//! leaves out `MaxConn` and `CurrEstab`, which the naive reader still
//! checks). Every input is fed whole and in random chunkings; real files are
//! then damaged (a value dropped, a prefix changed, a value made non-numeric,
//! the last line cut) and must fail on the line the naive reader names.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashMap;

use tcpcount_core::{Counter, CounterParser, Counters, CountersError, CountersErrorKind};
use tcpcount_oracle::{Rng, pieces};

fn parse_chunked(input: &[u8], rng: Option<&mut Rng>) -> Result<Counters, CountersError> {
    let mut parser = CounterParser::new();
    match rng {
        None => parser.feed(input)?,
        Some(rng) => {
            let sizes = || {
                let max = if rng.below(2) == 0 { 8 } else { 900 };
                1 + rng.index(max)
            };
            for chunk in pieces(input, sizes) {
                parser.feed(chunk)?;
            }
        }
    }
    parser.finish()
}

/// Whole and in 20 random chunkings: all the same.
fn parse(input: &[u8], what: &str) -> Result<Counters, CountersError> {
    let whole = parse_chunked(input, None);
    let mut rng = Rng::from_state(0x5EED_0000 ^ input.len() as u64);
    for _ in 0..20 {
        assert_eq!(
            parse_chunked(input, Some(&mut rng)),
            whole,
            "{what}: chunking"
        );
    }
    whole
}

/// The naive reading: `Section_Name` -> value.
fn naive(text: &str) -> HashMap<String, i64> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = HashMap::new();
    for pair in lines.chunks(2) {
        let names: Vec<&str> = pair[0].split_whitespace().collect();
        let values: Vec<&str> = pair[1].split_whitespace().collect();
        assert_eq!(names[0], values[0]);
        assert_eq!(names.len(), values.len());
        let section = names[0].trim_end_matches(':');
        for (name, value) in names[1..].iter().zip(&values[1..]) {
            out.insert(format!("{section}_{name}"), value.parse().unwrap());
        }
    }
    out
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../fixtures/counters/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Checks the counters of one file against the naive reading; returns how
/// many were present.
fn against_naive(text: &str, what: &str) -> Counters {
    let counters = parse(text.as_bytes(), what).unwrap();
    let oracle = naive(text);
    for counter in Counter::ALL {
        assert_eq!(
            counters.get(counter),
            oracle.get(&counter.to_string()).copied(),
            "{what}: {counter}"
        );
    }
    counters
}

#[test]
fn test_captures_against_the_naive_reader() {
    for dir in ["host", "netns"] {
        let snmp = against_naive(&fixture(&format!("{dir}/snmp")), dir);
        let netstat = against_naive(&fixture(&format!("{dir}/netstat")), dir);
        // Every counter this crate knows is in this kernel's files.
        let mut both = snmp;
        both.merge(&netstat);
        assert_eq!(both.iter().count(), Counter::ALL.len(), "{dir}");
        assert_eq!(both.get(Counter::MaxConn), Some(-1), "{dir}");
    }
}

#[test]
fn test_idle_namespace_against_nstat() {
    let mut counters = parse(fixture("netns/snmp").as_bytes(), "snmp").unwrap();
    counters.merge(&parse(fixture("netns/netstat").as_bytes(), "netstat").unwrap());
    let nstat: HashMap<String, i64> = fixture("netns/nstat.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[0].to_string(), f[1].parse().unwrap())
        })
        .collect();
    let mut compared = 0;
    for (counter, value) in counters.iter() {
        let name = format!("{}{}", counter.section(), counter.name());
        match nstat.get(&name) {
            Some(&expected) => {
                assert_eq!(value, expected, "{name}");
                compared += 1;
            }
            None => assert!(
                matches!(counter, Counter::MaxConn | Counter::CurrEstab),
                "nstat lacks {name}"
            ),
        }
    }
    assert_eq!(compared, Counter::ALL.len() - 2);
    // The capture's traffic: an accept queue that overflowed, refused connects.
    assert!(counters.get(Counter::ListenOverflows).unwrap() > 0);
    assert!(counters.get(Counter::AttemptFails).unwrap() > 0);
}

#[test]
fn test_live_files_against_the_naive_reader() {
    for path in ["/proc/net/snmp", "/proc/net/netstat"] {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        against_naive(&text, path);
    }
}

#[test]
fn test_damaged_captures_fail_on_the_right_line() {
    use CountersErrorKind::*;
    for (file, prefix) in [("host/snmp", "Tcp:"), ("netns/netstat", "TcpExt:")] {
        let text = fixture(file);
        let lines: Vec<&str> = text.lines().collect();
        let (tcp, _) = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.starts_with(prefix))
            .nth(1)
            .unwrap();
        assert_eq!(tcp % 2, 1, "{file}: a values line");
        let line = tcp as u32 + 1;
        let names = lines[tcp - 1].split_whitespace().count() as u32 - 1;
        let damage = |f: &dyn Fn(&str) -> String| {
            let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
            l[tcp] = f(&l[tcp]);
            l.join("\n") + "\n"
        };
        let cases = [
            (
                damage(&|l| l.rsplit_once(' ').unwrap().0.to_string()),
                ColumnCount {
                    names,
                    values: names - 1,
                },
            ),
            (
                damage(&|l| format!("{l} 7")),
                ColumnCount {
                    names,
                    values: names + 1,
                },
            ),
            (damage(&|l| l.replacen(':', "x:", 1)), PrefixMismatch),
            (damage(&|l| l.replacen(' ', " a", 2)), BadValue),
            (damage(&|l| format!("{l}\u{0}")), BadValue),
        ];
        for (input, kind) in cases {
            assert_eq!(
                parse(input.as_bytes(), file),
                Err(CountersError { line, kind }),
                "{file}: {kind:?}"
            );
        }
        // Cut after a header line: no values.
        let cut = lines[..tcp].join("\n");
        assert_eq!(
            parse(cut.as_bytes(), file),
            Err(CountersError {
                line: line - 1,
                kind: MissingValues
            }),
            "{file}: cut"
        );
    }
}
