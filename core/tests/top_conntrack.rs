//! Conntrack keys (`src`, `dst`, `sport`, `dport`, with prefixes) of the
//! heavy-hitters table against an exact counter, on every real conntrack
//! fixture under `fixtures/conntrack/` fed through `CtParser::feed_visit` in
//! random chunks. The exact counter reads the original tuple itself: the
//! first `src=`, `dst=`, `sport=`, `dport=` words of each line (IPv6 is
//! printed uncompressed there, parsed by std), cut to the prefix with std's
//! integer masks. With capacity 1024 every fixture fits, so the table must be
//! exact and equal to the counter; with capacity 2 the Space-Saving bounds
//! must hold. `TCPCOUNT_TOP_SEED` reruns one seed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;

use tcpcount_core::conntrack::{CtParser, Entry};
use tcpcount_core::{KeySpec, Top, TopKey};
use tcpcount_oracle::{Rng, pieces, seeds};

/// Every real conntrack table (not the bad ones).
fn fixtures() -> Vec<(PathBuf, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/conntrack");
    let mut out = Vec::new();
    for sub in [
        "states",
        "nat-router",
        "acct-zones-marks",
        "handwritten",
        "legacy",
    ] {
        for name in ["nf_conntrack", "ip_conntrack"] {
            let path = dir.join(sub).join(name);
            if let Ok(text) = std::fs::read_to_string(&path) {
                out.push((path, text));
            }
        }
    }
    assert!(out.len() >= 4, "conntrack fixtures missing");
    out
}

/// The exact count per key, read naively from the text.
fn naive(text: &str, field: &str, v4: u32, v6: u32) -> HashMap<TopKey, u32> {
    let mut truth = HashMap::new();
    for line in text.lines() {
        let value = line
            .split_whitespace()
            .find_map(|w| w.strip_prefix(field).and_then(|r| r.strip_prefix('=')));
        let Some(value) = value else { continue };
        let key = if field.ends_with("port") {
            TopKey::Port(value.parse().unwrap())
        } else {
            match value.parse::<IpAddr>().unwrap() {
                IpAddr::V4(a) => {
                    let mask = if v4 == 0 { 0 } else { u32::MAX << (32 - v4) };
                    TopKey::V4 {
                        addr: (a.to_bits() & mask).into(),
                        prefix: v4 as u8,
                    }
                }
                IpAddr::V6(a) => {
                    let mask = if v6 == 0 { 0 } else { u128::MAX << (128 - v6) };
                    TopKey::V6 {
                        addr: (a.to_bits() & mask).into(),
                        prefix: v6 as u8,
                    }
                }
            }
        };
        *truth.entry(key).or_insert(0) += 1;
    }
    truth
}

/// Feeds `text` in random chunks, counting every entry under `spec`.
fn feed<const C: usize>(text: &str, spec: &KeySpec, rng: &mut Rng) -> Top<C> {
    let mut top = Top::<C>::new();
    let mut parser = CtParser::new();
    let mut visit = |e: &Entry| top.add_entry(spec, e);
    for chunk in pieces(text.as_bytes(), || 1 + rng.index(700)) {
        parser.feed_visit(chunk, &mut visit).unwrap();
    }
    parser.end(&mut visit).unwrap();
    top
}

#[test]
fn test_conntrack_keys_against_an_exact_counter() {
    // (spec, field, IPv4 prefix, IPv6 prefix)
    let cases = [
        ("src", "src", 32, 128),
        ("dst", "dst", 32, 128),
        ("sport", "sport", 0, 0),
        ("dport:3", "dport", 0, 0),
        ("src/24", "src", 24, 64),
        ("dst/16,48", "dst", 16, 48),
        ("src/0", "src", 0, 64),
    ];
    for seed in seeds("TCPCOUNT_TOP_SEED", 8) {
        let mut rng = Rng::from_state(seed);
        for (path, text) in fixtures() {
            for (spec, field, v4, v6) in cases {
                let what = format!("{} {spec} seed {seed}", path.display());
                let spec: KeySpec = spec.parse().unwrap();
                let truth = naive(&text, field, v4, v6);
                let top = feed::<1024>(&text, &spec, &mut rng);
                assert!(top.exact(), "{what}");
                let got: HashMap<TopKey, u32> = top.iter().map(|e| (e.key, e.count)).collect();
                assert_eq!(got, truth, "{what}");
                assert_eq!(top.total(), truth.values().sum::<u32>(), "{what}");

                let small = feed::<2>(&text, &spec, &mut rng);
                assert_eq!(small.total(), top.total(), "{what}: total at C=2");
                for e in small.iter() {
                    let t = truth.get(&e.key).copied().unwrap_or(0);
                    assert!(
                        e.count - e.error <= t && t <= e.count,
                        "{what}: {e:?} truly {t}"
                    );
                }
                for (key, &n) in &truth {
                    if u64::from(n) * 2 > u64::from(small.total()) {
                        assert!(small.iter().any(|e| e.key == *key), "{what}: heavy {key}");
                    }
                }
            }
        }
    }
}

#[test]
fn test_socket_keys_count_no_entry() {
    let (_, text) = &fixtures()[0];
    let spec: KeySpec = "raddr".parse().unwrap();
    let top = feed::<16>(text, &spec, &mut Rng::from_state(1));
    assert_eq!(top.total(), 0);
    assert!(top.is_empty());
}
