//! The parser against real kernel captures: their counts must equal the `ss`
//! counts taken at the same moment and a naive reference count, whatever the
//! chunking; the printed table of each capture and the error of each bad
//! table are snapshots.

use std::fs;

use tcpcount::source::{Input, Reader};
use tcpcount::{Format, format};
use tcpcount_tests::{
    by_name, captures, feed_chunks, feed_whole, naive_count, root, ss_counts, tables,
    with_snapshots,
};

#[test]
fn counts_equal_the_ss_counts_taken_with_the_capture() {
    for dir in captures() {
        let (ss_v4, ss_v6) = ss_counts(&dir);
        let read = |name: &str| match fs::read(dir.join(name)) {
            Ok(bytes) => by_name(&feed_whole(&bytes).expect("a real capture parses")),
            Err(_) => Default::default(),
        };
        assert_eq!(
            read("tcp"),
            ss_v4,
            "{}: IPv4 against ss -tan -4",
            dir.display()
        );
        assert_eq!(
            read("tcp6"),
            ss_v6,
            "{}: IPv6 against ss -tan -6",
            dir.display()
        );
    }
}

#[test]
fn counts_equal_a_naive_reference_count() {
    for dir in captures() {
        for path in tables(&dir) {
            let text = fs::read_to_string(&path).expect("a capture is text");
            let counts = feed_whole(text.as_bytes()).expect("a real capture parses");
            assert_eq!(by_name(&counts), naive_count(&text), "{}", path.display());
        }
    }
}

#[test]
fn every_chunk_size_gives_the_whole_feed_result() {
    for dir in captures() {
        for path in tables(&dir) {
            let bytes = fs::read(&path).expect("readable capture");
            let whole = feed_whole(&bytes);
            for size in (1..=8).chain([4096]) {
                assert_eq!(
                    feed_chunks(&bytes, size),
                    whole,
                    "{} in chunks of {size}",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn every_split_point_of_a_small_capture_gives_the_same_result() {
    let path = root().join("fixtures/all-states/tcp");
    let bytes = fs::read(&path).expect("fixtures/all-states/tcp");
    let whole = feed_whole(&bytes);
    assert!(whole.is_ok());
    for split in 0..=bytes.len() {
        let (a, b) = bytes.split_at(split);
        let mut parser = tcpcount_core::Parser::new();
        let got = parser
            .feed(a)
            .and_then(|()| parser.feed(b))
            .and_then(|()| parser.finish());
        assert_eq!(got, whole, "split at byte {split}");
    }
}

#[test]
fn table_of_each_capture() {
    with_snapshots(|| {
        insta::glob!("../fixtures", "*/tcp", |tcp| {
            let dir = tcp.parent().expect("capture dir");
            let sample = Reader::default()
                .sample(&Input::Files(tables(dir)), None)
                .expect("a real capture parses");
            let mut out = Vec::new();
            format::write(&mut out, Format::Table, &sample, false).expect("write to memory");
            insta::assert_snapshot!(String::from_utf8(out).expect("ASCII table"));
        });
    });
}

#[test]
fn error_of_each_bad_table() {
    with_snapshots(|| {
        insta::glob!("../fixtures", "bad/*", |path| {
            let bytes = fs::read(path).expect("readable bad fixture");
            let whole = feed_whole(&bytes);
            for size in [1, 3, 4096] {
                assert_eq!(feed_chunks(&bytes, size), whole, "{}", path.display());
            }
            let error = whole.expect_err("a bad table must not parse");
            insta::assert_snapshot!(error.to_string());
        });
    });
}

#[test]
fn host_reports_a_bad_table_with_its_path_and_line() {
    let path = root().join("fixtures/bad/bad-hex-state");
    let failure = Reader::default()
        .sample(&Input::Files(vec![path.clone()]), None)
        .unwrap_err();
    assert_eq!(
        failure.to_string(),
        format!("{}: line 4: bad st (expected 2 hex digits)", path.display())
    );
}
