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

/// A sample of `dir` at a fixed time, with its source named relatively.
fn sample(dir: &std::path::Path, wanted: Wanted) -> Sample {
    let mut sample = Reader::new(Filter::new(), wanted)
        .sample(&Input::Files(tables(dir)), None)
        .expect("a real capture parses");
    sample.time = UNIX_EPOCH + Duration::from_secs(1_795_500_000);
    sample.source = Origin::Named(
        dir.strip_prefix(root())
            .expect("inside the repo")
            .display()
            .to_string(),
    );
    sample
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
                for (format, format_name) in FORMATS {
                    let text = render(format, &sample(&dir, wanted));
                    insta::assert_snapshot!(format!("{name}__{view}__{format_name}"), text);
                }
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
            for (format, format_name) in
                [(Format::Json, "json"), (Format::Prometheus, "prometheus")]
            {
                let text = render(format, &sample);
                documents.push_str(&format!("=== {format_name} {expected_total}\n{text}"));
            }
        }
    }
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
    assert!(report.contains("documents read: "), "{report}");
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
    let mut sample = Reader::new(Filter::new(), Wanted::default())
        .with_conntrack(CtFilter::new())
        .sample(&input, None)
        .expect("a conntrack fixture parses");
    sample.time = UNIX_EPOCH + Duration::from_secs(1_795_500_000);
    sample.source = Origin::Named(name.to_owned());
    sample
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
            for (format, format_name) in FORMATS {
                let text = render(format, &sample);
                insta::assert_snapshot!(format!("{name}__{format_name}"), text);
            }
        }
    });
}

#[test]
fn conntrack_json_and_prometheus_parse_with_real_parsers() {
    let mut documents = String::new();
    for (_, sample) in conntrack_samples() {
        let reading = sample.conntrack.as_deref().expect("a conntrack reading");
        let total = reading.counts.total();
        let expected = format!("{} {}", total.entries(), total.tcp_total());
        for (format, format_name) in [
            (Format::Json, "ctjson"),
            (Format::Prometheus, "ctprometheus"),
        ] {
            let text = render(format, &sample);
            documents.push_str(&format!("=== {format_name} {expected}\n{text}"));
        }
    }
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
    assert!(report.contains("documents read: 12"), "{report}");
}
