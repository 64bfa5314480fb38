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
