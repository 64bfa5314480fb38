//! Every output format for every capture, as snapshots at a fixed sample
//! time, and read back by real parsers: Python's `json` module and the
//! Prometheus client library's exposition-format parser
//! (`tests/read_formats.py`, run with `python3`; `.ci/run` installs
//! `prometheus-client`).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, UNIX_EPOCH};

use tcpcount::sample::{Origin, Wanted};
use tcpcount::source::{Input, Reader};
use tcpcount::{Format, Sample, format};
use tcpcount_core::conntrack::CtFilter;
use tcpcount_core::{Filter, Side};
use tcpcount_tests::{captures, root, tables, with_snapshots};

const FORMATS: [(Format, &str); 4] = [
    (Format::Table, "table"),
    (Format::Json, "json"),
    (Format::Prometheus, "prometheus"),
    (Format::Env, "env"),
];

const VIEWS: [(&str, Wanted); 3] = [
    (
        "counts",
        Wanted {
            per_port: None,
            listeners: false,
        },
    ),
    (
        "per-port",
        Wanted {
            per_port: Some(Side::Local),
            listeners: false,
        },
    ),
    (
        "listeners",
        Wanted {
            per_port: None,
            listeners: true,
        },
    ),
];

/// `sample` at the fixed time every snapshot shows, with `source` named.
fn stamped(mut sample: Sample, source: String) -> Sample {
    sample.time = UNIX_EPOCH + Duration::from_secs(1_795_500_000);
    sample.source = Origin::Named(source);
    sample
}

/// A sample of `dir` at a fixed time, with its source named relatively.
fn sample(dir: &std::path::Path, wanted: Wanted) -> Sample {
    let sample = Reader::new(Filter::new(), wanted)
        .sample(&Input::Files(tables(dir)), None)
        .expect("a real capture parses");
    stamped(
        sample,
        dir.strip_prefix(root())
            .expect("inside the repo")
            .display()
            .to_string(),
    )
}

fn render(format: Format, sample: &Sample) -> String {
    let mut out = Vec::new();
    format::write(&mut out, format, sample, false).expect("write to memory");
    String::from_utf8(out).expect("UTF-8 output")
}

#[test]
fn every_format_of_every_capture() {
    with_snapshots(|| {
        for dir in captures() {
            let name = dir
                .file_name()
                .expect("dir name")
                .to_string_lossy()
                .into_owned();
            for (view, wanted) in VIEWS {
                snapshot_every_format(&format!("{name}__{view}"), &sample(&dir, wanted));
            }
        }
    });
}

#[test]
fn json_and_prometheus_outputs_parse_with_real_parsers() {
    let mut documents = String::new();
    for dir in captures() {
        for (_, wanted) in VIEWS {
            let sample = sample(&dir, wanted);
            let expected_total = sample.tables.total().total();
            push_documents(&mut documents, &sample, SOCKET_DOCUMENTS, expected_total);
        }
    }
    let report = read_formats(&documents);
    assert!(report.contains("documents read: "), "{report}");
}

/// Snapshots `sample` in every format, as `PREFIX__FORMAT`.
fn snapshot_every_format(prefix: &str, sample: &Sample) {
    for (format, format_name) in FORMATS {
        let text = render(format, sample);
        insta::assert_snapshot!(format!("{prefix}__{format_name}"), text);
    }
}

/// How `tests/read_formats.py` names a sample's JSON and Prometheus
/// documents: socket tables, and the conntrack table.
const SOCKET_DOCUMENTS: [&str; 2] = ["json", "prometheus"];
const CONNTRACK_DOCUMENTS: [&str; 2] = ["ctjson", "ctprometheus"];

/// Appends `sample` in JSON then Prometheus to `documents`, each under a
/// `=== NAME EXPECTED` line naming how `tests/read_formats.py` reads it.
fn push_documents(
    documents: &mut String,
    sample: &Sample,
    names: [&str; 2],
    expected: impl std::fmt::Display,
) {
    for (format, name) in [Format::Json, Format::Prometheus].into_iter().zip(names) {
        let text = render(format, sample);
        documents.push_str(&format!("=== {name} {expected}\n{text}"));
    }
}

/// Runs `tests/read_formats.py` (json and prometheus_client) over
/// `documents` and returns its report; it must succeed.
fn read_formats(documents: &str) -> String {
    let mut child = Command::new("python3")
        .arg(root().join("tests/read_formats.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(documents.as_bytes())
        .expect("write documents");
    let out = child.wait_with_output().expect("python3 finishes");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    report.into_owned()
}

/// The conntrack fixture directories, each with its table file.
fn conntrack_tables() -> Vec<(String, std::path::PathBuf)> {
    let dir = root().join("fixtures/conntrack");
    let mut tables: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/conntrack/ exists")
        .map(|entry| entry.expect("readable").path())
        .filter_map(|d| {
            let name = d.file_name()?.to_string_lossy().into_owned();
            ["nf_conntrack", "ip_conntrack"]
                .iter()
                .map(|t| d.join(t))
                .find(|t| t.is_file())
                .map(|t| (name, t))
        })
        .collect();
    tables.sort();
    assert!(tables.len() >= 5, "conntrack fixtures: {tables:?}");
    tables
}

/// A procfs tree holding `table` as `net/nf_conntrack`, with the kernel's
/// count, limit and a two-CPU stat file, as `--proc` reads it.
fn conntrack_proc_root(table: &std::path::Path) -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!("tcpcount-formats-ct-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for dir in ["self", "net/stat", "sys/net/netfilter"] {
        std::fs::create_dir_all(root.join(dir)).expect("mkdir");
    }
    std::fs::copy(table, root.join("net/nf_conntrack")).expect("copy");
    std::fs::write(root.join("sys/net/netfilter/nf_conntrack_count"), "24\n").expect("count");
    std::fs::write(root.join("sys/net/netfilter/nf_conntrack_max"), "32\n").expect("max");
    std::fs::write(
        root.join("net/stat/nf_conntrack"),
        "entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart\n\
         00000018  00000000 00000003 00000000 00000004 00000000 00000000 00000000 00000000 00000002 00000001 00000000 00000000  00000000 00000000 00000000 00000000\n\
         00000018  00000001 00000000 00000000 00000001 00000000 00000000 00000000 00000000 00000003 0000000a 00000001 00000000  00000000 00000000 00000000 00000002\n",
    )
    .expect("stat");
    root
}

/// A conntrack sample of `input` at a fixed time, its source named `name`.
fn conntrack_sample(input: Input, name: &str) -> Sample {
    let sample = Reader::new(Filter::new(), Wanted::default())
        .with_conntrack(CtFilter::new())
        .sample(&input, None)
        .expect("a conntrack fixture parses");
    stamped(sample, name.to_owned())
}

/// Every conntrack sample the snapshots show: each fixture as a file, and
/// the `states` capture read as a live procfs with count, limit and stat.
fn conntrack_samples() -> Vec<(String, Sample)> {
    let mut samples: Vec<(String, Sample)> = conntrack_tables()
        .into_iter()
        .map(|(name, table)| {
            let shown = table
                .strip_prefix(root())
                .expect("inside the repo")
                .display()
                .to_string();
            let sample = conntrack_sample(Input::Files(vec![table]), &shown);
            (format!("conntrack-{name}"), sample)
        })
        .collect();
    let states = root().join("fixtures/conntrack/states/nf_conntrack");
    let proc_root = conntrack_proc_root(&states);
    let live = conntrack_sample(
        Input::Proc {
            root: proc_root.clone(),
            pid: None,
        },
        "PROC/net",
    );
    let _ = std::fs::remove_dir_all(proc_root);
    samples.push(("conntrack-proc".to_owned(), live));
    samples
}

#[test]
fn every_format_of_every_conntrack_fixture() {
    with_snapshots(|| {
        for (name, sample) in conntrack_samples() {
            snapshot_every_format(&name, &sample);
        }
    });
}

#[test]
fn conntrack_json_and_prometheus_parse_with_real_parsers() {
    let mut documents = String::new();
    let samples = conntrack_samples();
    // Every fixture (at least 6) and the live procfs, in both formats.
    let pushed = samples.len() * CONNTRACK_DOCUMENTS.len();
    assert!(pushed >= 14, "{pushed} documents");
    for (_, sample) in samples {
        let reading = sample.conntrack.as_deref().expect("a conntrack reading");
        let total = reading.counts.total();
        let expected = format!("{} {}", total.entries(), total.tcp_total());
        push_documents(&mut documents, &sample, CONNTRACK_DOCUMENTS, expected);
    }
    let report = read_formats(&documents);
    assert!(
        report
            .lines()
            .any(|l| l == format!("documents read: {pushed}")),
        "{report}"
    );
}

/// `--top` and `--counters` cases: (snapshot name, capture, filter options,
/// `--top` spec).
const TOP_CASES: [(&str, &str, &str, &str); 6] = [
    ("top-raddr", "all-states", "", "raddr"),
    ("top-raddr", "wide-sl", "", "raddr:5"),
    ("top-raddr-24", "wide-sl", "", "raddr/24"),
    ("top-lport", "all-states", "", "lport:3"),
    ("top-estab-raddr", "all-states", "-s estab", "raddr:4"),
    ("top-ipv6-rport", "all-states", "-6 -s estab", "rport:3"),
];

/// A sample of the capture `name` read through the options `args` (filters
/// and `--top`), at the fixed time.
fn top_sample(name: &str, args: &str) -> Sample {
    let dir = root().join("fixtures").join(name);
    let mut line = vec!["tcpcount".to_owned()];
    line.extend(args.split_whitespace().map(str::to_owned));
    line.extend(tables(&dir).iter().map(|p| p.display().to_string()));
    let cli = tcpcount::Cli::parse_args(line).unwrap_or_else(|r| panic!("{args}: {}", r.error));
    let spec = cli.top.expect("a --top spec");
    let sample = Reader::new(cli.filter(), Wanted::default())
        .with_top(spec)
        .sample(&cli.input(), None)
        .expect("a real capture parses");
    stamped(sample, format!("fixtures/{name}"))
}

#[test]
fn every_format_with_top() {
    with_snapshots(|| {
        for (case, capture, filters, spec) in TOP_CASES {
            let sample = top_sample(capture, &format!("{filters} --top {spec}"));
            snapshot_every_format(&format!("{capture}__{case}"), &sample);
        }
    });
}

/// A private procfs look-alike: `net/tcp`, `net/tcp6` of all-states and
/// `net/snmp`, `net/netstat` of `fixtures/counters/COUNTERS`, and `self`.
struct FakeProc(std::path::PathBuf);

impl FakeProc {
    fn new(counters: &str) -> FakeProc {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let unique = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "tcpcount-formats-{}-{unique}-{counters}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("net")).expect("temp dir");
        std::fs::create_dir_all(dir.join("self")).expect("temp dir");
        let copy = |from: std::path::PathBuf, to: &str| {
            std::fs::copy(&from, dir.join("net").join(to)).expect("copy a fixture");
        };
        copy(root().join("fixtures/all-states/tcp"), "tcp");
        copy(root().join("fixtures/all-states/tcp6"), "tcp6");
        copy(
            root().join("fixtures/counters").join(counters).join("snmp"),
            "snmp",
        );
        copy(
            root()
                .join("fixtures/counters")
                .join(counters)
                .join("netstat"),
            "netstat",
        );
        FakeProc(dir)
    }
}

impl Drop for FakeProc {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A sample of a fake proc tree with `--counters` (and `wanted`), at the
/// fixed time; with `before`, a second sample 10 s after one whose counters
/// were half of these (so every running total has a known rate).
fn counters_sample(counters: &str, wanted: Wanted, before: bool) -> Sample {
    let proc = FakeProc::new(counters);
    let mut reader = Reader::new(Filter::new(), wanted).with_counters(proc.0.join("net"));
    let input = Input::Proc {
        root: proc.0.clone(),
        pid: None,
    };
    let mut sample = reader.sample(&input, None).expect("the fake proc reads");
    if before {
        let reading = sample.counters.as_mut().expect("counters read");
        let mut half = tcpcount_core::Counters::new();
        let mut text = String::new();
        for section in [tcpcount_core::Section::Tcp, tcpcount_core::Section::TcpExt] {
            let mine: Vec<_> = reading
                .now
                .iter()
                .filter(|(c, _)| c.section() == section)
                .collect();
            let names: Vec<&str> = mine.iter().map(|(c, _)| c.name()).collect();
            let values: Vec<String> = mine.iter().map(|(_, v)| (v / 2).to_string()).collect();
            text.push_str(&format!(
                "{section}: {}\n{section}: {}\n",
                names.join(" "),
                values.join(" ")
            ));
        }
        let mut parser = tcpcount_core::CounterParser::new();
        parser.feed(text.as_bytes()).expect("halves parse");
        half.merge(&parser.finish().expect("halves parse"));
        reading.previous = Some((half, Duration::from_secs(10)));
    }
    stamped(
        sample,
        format!("fake proc with fixtures/counters/{counters}"),
    )
}

#[test]
fn every_format_with_counters() {
    with_snapshots(|| {
        for counters in ["host", "netns"] {
            for (view, wanted, before) in [
                ("counters", Wanted::default(), false),
                ("counters-rates", Wanted::default(), true),
                (
                    "counters-listeners",
                    Wanted {
                        per_port: None,
                        listeners: true,
                    },
                    false,
                ),
            ] {
                let sample = counters_sample(counters, wanted, before);
                snapshot_every_format(&format!("{counters}__{view}"), &sample);
            }
        }
    });
}

#[test]
fn top_and_counters_outputs_parse_with_real_parsers() {
    let mut documents = String::new();
    let mut samples: Vec<Sample> = TOP_CASES
        .iter()
        .map(|(_, capture, filters, spec)| top_sample(capture, &format!("{filters} --top {spec}")))
        .collect();
    for before in [false, true] {
        samples.push(counters_sample("netns", Wanted::default(), before));
    }
    for sample in &samples {
        let expected_total = sample.tables.total().total();
        push_documents(
            &mut documents,
            sample,
            ["json", "prometheus"],
            expected_total,
        );
    }
    let report = read_formats(&documents);
    assert!(report.contains("top documents: 12"), "{report}");
    assert!(report.contains("counters documents: 4"), "{report}");
}

/// `--conntrack --top` cases: (snapshot name, fixture, `--top` spec).
const CT_TOP_CASES: [(&str, &str, &str); 3] = [
    ("conntrack-top-src-24", "nat-router", "src/24:3"),
    ("conntrack-top-dport", "states", "dport:3"),
    ("conntrack-top-dst", "acct-zones-marks", "dst"),
];

#[test]
fn every_format_with_conntrack_top() {
    with_snapshots(|| {
        for (case, fixture, spec) in CT_TOP_CASES {
            let table = root()
                .join("fixtures/conntrack")
                .join(fixture)
                .join("nf_conntrack");
            let sample = Reader::new(Filter::new(), Wanted::default())
                .with_conntrack(CtFilter::new())
                .with_top(spec.parse().expect("a conntrack key"))
                .sample(&Input::Files(vec![table]), None)
                .expect("a conntrack fixture parses");
            let sample = stamped(sample, format!("fixtures/conntrack/{fixture}/nf_conntrack"));
            snapshot_every_format(&format!("{fixture}__{case}"), &sample);
        }
    });
}
