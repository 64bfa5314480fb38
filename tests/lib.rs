//! Helpers shared by the integration tests: where the fixtures live, the `ss`
//! counts recorded beside each capture, a naive reference count to check the
//! parser against, and the insta settings that keep snapshots in
//! `snapshots/`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use tcpcount_core::{Counts, Error, Parser, TcpState};

/// Per-state counts keyed by the kernel's state name (`"UNKNOWN"` for codes
/// outside tcp_states.h); states with no sockets are left out.
pub type ByName = BTreeMap<String, u32>;

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the repository")
        .to_owned()
}

/// Every capture directory: `fixtures/*/` holding a `tcp` file.
pub fn captures() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(root().join("fixtures"))
        .expect("fixtures/ exists")
        .map(|entry| entry.expect("readable fixtures/").path())
        .filter(|dir| dir.join("tcp").is_file())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no captures under fixtures/");
    dirs
}

/// The captured tables of a capture directory that exist (`tcp`, `tcp6`).
pub fn tables(dir: &Path) -> Vec<PathBuf> {
    ["tcp", "tcp6"]
        .iter()
        .map(|name| dir.join(name))
        .filter(|path| path.is_file())
        .collect()
}

/// Feeds `bytes` in one piece.
pub fn feed_whole(bytes: &[u8]) -> Result<Counts, Error> {
    let mut parser = Parser::new();
    parser.feed(bytes)?;
    parser.finish()
}

/// Feeds `bytes` in chunks of `size`.
pub fn feed_chunks(bytes: &[u8], size: usize) -> Result<Counts, Error> {
    let mut parser = Parser::new();
    for chunk in bytes.chunks(size) {
        parser.feed(chunk)?;
    }
    parser.finish()
}

/// The parser's counts by name.
pub fn by_name(counts: &Counts) -> ByName {
    let mut map: ByName = counts
        .iter()
        .filter(|&(_, n)| n > 0)
        .map(|(state, n)| (state.name().to_owned(), n))
        .collect();
    if counts.unknown() > 0 {
        map.insert("UNKNOWN".to_owned(), counts.unknown());
    }
    map
}

/// The reference count, from the shared naive oracle (`tcpcount-oracle`:
/// split lines, skip the header, take the 4th whitespace-separated field as
/// hex). Nothing shared with the core but the state names.
pub fn naive_count(text: &str) -> ByName {
    let reading = tcpcount_oracle::read(text.as_bytes()).expect("a table the oracle can read");
    let mut map = ByName::new();
    for (code, &n) in (0..=u8::MAX).zip(&reading.by_code).filter(|(_, n)| **n > 0) {
        let name = TcpState::from_code(code).map_or("UNKNOWN", TcpState::name);
        *map.entry(name.to_owned()).or_default() += n;
    }
    map
}

/// The kernel's name for one of `ss`'s state names.
pub fn kernel_name(ss_name: &str) -> &'static str {
    match ss_name {
        "ESTAB" => "ESTABLISHED",
        "SYN-SENT" => "SYN_SENT",
        "SYN-RECV" => "SYN_RECV",
        "FIN-WAIT-1" => "FIN_WAIT1",
        "FIN-WAIT-2" => "FIN_WAIT2",
        "TIME-WAIT" => "TIME_WAIT",
        "UNCONN" => "CLOSE",
        "CLOSE-WAIT" => "CLOSE_WAIT",
        "LAST-ACK" => "LAST_ACK",
        "LISTEN" => "LISTEN",
        "CLOSING" => "CLOSING",
        other => panic!("unknown ss state {other:?}"),
    }
}

/// The `ss -tan -4` / `-6` counts recorded in `DIR/ss.txt`, lines of
/// `FAMILY SS_STATE COUNT`, as (IPv4, IPv6) keyed by kernel name.
pub fn ss_counts(dir: &Path) -> (ByName, ByName) {
    let text = fs::read_to_string(dir.join("ss.txt")).expect("ss.txt beside the capture");
    let (mut v4, mut v6) = (ByName::new(), ByName::new());
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [family, state, count] = words[..] else {
            panic!("bad ss.txt line {line:?}");
        };
        let map = match family {
            "ipv4" => &mut v4,
            "ipv6" => &mut v6,
            other => panic!("bad family {other:?}"),
        };
        let count: u32 = count.parse().expect("a count");
        *map.entry(kernel_name(state).to_owned()).or_default() += count;
    }
    (v4, v6)
}

/// Runs `check` with insta writing to `snapshots/` without module prefixes.
pub fn with_snapshots(check: impl FnOnce()) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(check);
}
