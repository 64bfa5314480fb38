//! The heavy-hitters table against an exact counter (a `HashMap`). Keys come
//! from the real captures under `fixtures/` (read through the parser with
//! random chunkings, and separately by a naive reader that splits on
//! whitespace and decodes the hex itself) and from generated streams:
//! Zipf-like, many distinct keys first and the heavy ones last, heavy keys
//! interleaved with a new key every other row (an eviction per row), far more
//! distinct keys than capacity. After every stream the Space-Saving
//! guarantees must hold: the counts sum to the total; every listed key has
//! `count - error <= true <= count`; every key whose true count exceeds
//! `total / C` is listed; the table is exact, with every count equal to the
//! truth, whenever the distinct keys fit; and `top_into` is sorted and agrees
//! with `iter`. `TCPCOUNT_TOP_SEED` reruns one seed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use tcpcount_core::{Filter, KeySpec, Parser, StateSet, Top, TopEntry, TopKey};
use tcpcount_oracle::{Rng, pieces};

fn seeds() -> Vec<u64> {
    tcpcount_oracle::seeds("TCPCOUNT_TOP_SEED", 6)
}

const BLANK: TopEntry = TopEntry {
    key: TopKey::Port(0),
    count: 0,
    error: 0,
};

/// Checks every guarantee of `top` against the exact counts `truth`.
fn check<const C: usize>(top: &Top<C>, truth: &HashMap<TopKey, u32>, what: &str) {
    let total: u32 = truth.values().sum();
    assert_eq!(top.total(), total, "{what}: total");
    let listed: HashMap<TopKey, TopEntry> = top.iter().map(|e| (e.key, *e)).collect();
    assert_eq!(listed.len(), top.len(), "{what}: duplicate keys");
    assert_eq!(top.len(), truth.len().min(C), "{what}: len");
    let sum: u64 = top.iter().map(|e| u64::from(e.count)).sum();
    assert_eq!(sum, u64::from(total), "{what}: counts sum to the total");
    for entry in top.iter() {
        let true_count = truth.get(&entry.key).copied().unwrap_or(0);
        assert!(
            entry.count - entry.error <= true_count && true_count <= entry.count,
            "{what}: {} listed {} ± {}, truly {true_count}",
            entry.key,
            entry.count,
            entry.error
        );
    }
    for (key, &n) in truth {
        if u64::from(n) * C as u64 > u64::from(total) {
            assert!(
                listed.contains_key(key),
                "{what}: heavy {key} ({n}) missing"
            );
        }
        if !listed.contains_key(key) {
            assert!(n <= top.min_count(), "{what}: {key} ({n}) above min");
        }
    }
    if truth.len() <= C {
        assert!(top.exact(), "{what}: fits but not exact");
    }
    if top.exact() {
        for (key, &n) in truth {
            let e = listed
                .get(key)
                .unwrap_or_else(|| panic!("{what}: {key} missing"));
            assert_eq!((e.count, e.error), (n, 0), "{what}: {key}");
        }
    }
    let mut out = vec![BLANK; C + 3];
    let sorted = top.top_into(&mut out).to_vec();
    assert_eq!(sorted.len(), top.len(), "{what}: top_into length");
    let mut expected: Vec<TopEntry> = top.iter().copied().collect();
    expected.sort_by(|a, b| (b.count, a.error, a.key).cmp(&(a.count, b.error, b.key)));
    assert_eq!(sorted, expected, "{what}: order");
    for n in [0, 1, 3] {
        let mut few = vec![BLANK; n];
        let got = top.top_into(&mut few);
        assert_eq!(got, &expected[..n.min(expected.len())], "{what}: top {n}");
    }
}

fn run<const C: usize>(keys: &[TopKey], what: &str) {
    let mut top = Top::<C>::new();
    let mut truth = HashMap::new();
    for &key in keys {
        top.add(key);
        *truth.entry(key).or_insert(0) += 1;
    }
    check(&top, &truth, what);
}

fn run_all(keys: &[TopKey], what: &str) {
    run::<1>(keys, &format!("{what} C=1"));
    run::<2>(keys, &format!("{what} C=2"));
    run::<7>(keys, &format!("{what} C=7"));
    run::<64>(keys, &format!("{what} C=64"));
    run::<1024>(keys, &format!("{what} C=1024"));
}

fn addr(i: u64) -> TopKey {
    if i % 5 == 4 {
        TopKey::V6 {
            addr: Ipv6Addr::from_bits(0x2001_0db8 << 96 | u128::from(i)),
            prefix: 128,
        }
    } else {
        TopKey::V4 {
            addr: Ipv4Addr::from_bits(0x0a00_0000 | i as u32),
            prefix: 32,
        }
    }
}

#[test]
fn test_generated_streams() {
    for seed in seeds() {
        let mut rng = Rng::from_state(seed);
        // Zipf-like: key i drawn with weight about 1/(i+1).
        let distinct = 3000;
        let zipf: Vec<TopKey> = (0..20_000)
            .map(|_| {
                let u = (rng.below(1 << 20) as f64 + 0.5) / f64::from(1 << 20);
                addr(((distinct as f64).powf(u) - 1.0) as u64)
            })
            .collect();
        run_all(&zipf, &format!("zipf seed {seed}"));

        // Many distinct keys first, then the heavy ones.
        let mut late: Vec<TopKey> = (0..5000).map(|i| addr(100 + i)).collect();
        for i in 0..600 {
            late.push(addr(i % 3));
        }
        run_all(&late, &format!("heavy last seed {seed}"));

        // A fresh key between every two heavy ones: an eviction per row.
        let interleaved: Vec<TopKey> = (0..8000)
            .map(|i| {
                if i % 2 == 0 {
                    addr(i % 6)
                } else {
                    addr(1000 + i)
                }
            })
            .collect();
        run_all(&interleaved, &format!("interleaved seed {seed}"));

        // Uniform over far more keys than capacity, then a shuffle of it.
        let mut uniform: Vec<TopKey> = (0..10_000).map(|_| addr(rng.below(5000))).collect();
        run_all(&uniform, &format!("uniform seed {seed}"));
        for i in (1..uniform.len()).rev() {
            uniform.swap(i, rng.below(i as u64 + 1) as usize);
        }
        uniform.extend((0..50).map(|i| TopKey::Port(i % 2)));
        run_all(&uniform, &format!("uniform+ports seed {seed}"));

        // Counts rising with the key, so the minimum keeps moving.
        let rising: Vec<TopKey> = (0..120u64)
            .flat_map(|i| std::iter::repeat_n(TopKey::Port(i as u16), i as usize % 17 + 1))
            .collect();
        run_all(&rising, &format!("rising seed {seed}"));

        // Few distinct keys: exact at every capacity that holds them.
        let few: Vec<TopKey> = (0..500).map(|_| addr(rng.below(7))).collect();
        run_all(&few, &format!("few seed {seed}"));
    }
}

/// The naive reader: the 2nd and 3rd whitespace-separated fields of each row
/// after the header, `ADDR:PORT` in hex, each 32-bit word of ADDR in the
/// machine's order (as the kernel prints it).
fn naive_rows(text: &str) -> Vec<([(IpAddr, u16); 2], u8)> {
    let decode = |field: &str| {
        let (a, p) = field.split_once(':').unwrap();
        let port = u16::from_str_radix(p, 16).unwrap();
        let words: Vec<u32> = (0..a.len() / 8)
            .map(|i| u32::from_str_radix(&a[i * 8..i * 8 + 8], 16).unwrap())
            .collect();
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
        let ip = if bytes.len() == 4 {
            IpAddr::V4(Ipv4Addr::from(<[u8; 4]>::try_from(bytes).unwrap()))
        } else {
            IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(bytes).unwrap()))
        };
        (ip, port)
    };
    text.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let state = u8::from_str_radix(f[3], 16).unwrap();
            ([decode(f[1]), decode(f[2])], state)
        })
        .collect()
}

/// The oracle's key: mapped addresses as IPv4, host bits cleared.
fn naive_key(spec: &KeySpec, row: &[(IpAddr, u16); 2]) -> TopKey {
    let (local, remote) = (row[0], row[1]);
    let ip = match spec.field.name() {
        "raddr" => remote.0,
        "laddr" => local.0,
        "rport" => return TopKey::Port(remote.1),
        _ => return TopKey::Port(local.1),
    };
    let octets = match ip {
        IpAddr::V6(a) => a.octets(),
        IpAddr::V4(a) => a.to_ipv6_mapped().octets(),
    };
    if octets[..12] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] {
        let mut b = [0u8; 4];
        b.copy_from_slice(&octets[12..]);
        for bit in usize::from(spec.v4_prefix)..32 {
            b[bit / 8] &= !(0x80 >> (bit % 8));
        }
        TopKey::V4 {
            addr: Ipv4Addr::from(b),
            prefix: spec.v4_prefix,
        }
    } else {
        let mut b = octets;
        for bit in usize::from(spec.v6_prefix)..128 {
            b[bit / 8] &= !(0x80 >> (bit % 8));
        }
        TopKey::V6 {
            addr: Ipv6Addr::from(b),
            prefix: spec.v6_prefix,
        }
    }
}

fn fixtures() -> Vec<(String, String)> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(root).unwrap() {
        let dir = dir.unwrap().path();
        if dir.file_name().unwrap() == "bad" || !dir.is_dir() {
            continue;
        }
        for table in ["tcp", "tcp6"] {
            let path = dir.join(table);
            if let Ok(text) = std::fs::read_to_string(&path) {
                out.push((path.display().to_string(), text));
            }
        }
    }
    assert!(out.len() >= 8, "fixtures not found under {root}");
    out
}

/// Tables of three capacities, fed by one parser pass.
struct Tops {
    c4: Top<4>,
    c64: Top<64>,
    c1024: Top<1024>,
}

impl Tops {
    /// The sorted listings, with total and exactness.
    fn listings(&self) -> Vec<(Vec<TopEntry>, u32, bool)> {
        fn one<const C: usize>(top: &Top<C>) -> (Vec<TopEntry>, u32, bool) {
            let mut out = vec![BLANK; C];
            (top.top_into(&mut out).to_vec(), top.total(), top.exact())
        }
        vec![one(&self.c4), one(&self.c64), one(&self.c1024)]
    }
}

/// Feeds `text` to a parser with `filter` in chunks drawn from `rng` (or
/// whole), counting each visited row into each table.
fn through_parser(text: &str, spec: &KeySpec, filter: &Filter, rng: Option<&mut Rng>) -> Tops {
    let mut tops = Tops {
        c4: Top::new(),
        c64: Top::new(),
        c1024: Top::new(),
    };
    let mut parser = Parser::with_filter(filter.clone());
    let mut visit = |row: &tcpcount_core::Row<'_>| {
        tops.c4.add_socket(spec, row);
        tops.c64.add_socket(spec, row);
        tops.c1024.add_socket(spec, row);
    };
    match rng {
        None => parser.feed_visit(text.as_bytes(), &mut visit).unwrap(),
        Some(rng) => {
            let sizes = || match rng.below(4) {
                0 => 1 + rng.index(8),
                1 => 1 + rng.index(200),
                2 => 1 + rng.index(4096),
                _ => usize::MAX, // the rest at once
            };
            for chunk in pieces(text.as_bytes(), sizes) {
                parser.feed_visit(chunk, &mut visit).unwrap();
            }
        }
    }
    parser.end(&mut visit).unwrap();
    tops
}

type NaiveRows = [([(IpAddr, u16); 2], u8)];

fn fixture_case((path, text, rows): (&str, &str, &NaiveRows), spec: &KeySpec, filter: &Filter) {
    let mut truth = HashMap::new();
    for (row, code) in rows {
        if filter.states.is_none_or(|s| s.contains_code(*code)) {
            *truth.entry(naive_key(spec, row)).or_insert(0u32) += 1;
        }
    }
    let what = format!("{path} --top {spec:?}");
    let whole = through_parser(text, spec, filter, None);
    check(&whole.c4, &truth, &format!("{what} C=4"));
    check(&whole.c64, &truth, &format!("{what} C=64"));
    check(&whole.c1024, &truth, &format!("{what} C=1024"));
    let want = whole.listings();
    for seed in seeds().into_iter().take(2) {
        let mut rng = Rng::from_state(seed);
        let chunked = through_parser(text, spec, filter, Some(&mut rng));
        assert_eq!(
            chunked.listings(),
            want,
            "{what}: chunking (seed {seed}) changed the table"
        );
    }
}

#[test]
fn test_real_captures_against_a_naive_reader() {
    let mut estab = Filter::new();
    estab.states = Some(StateSet::parse("estab,time-wait").unwrap());
    let cases = [
        ("raddr", Filter::new()),
        ("laddr", Filter::new()),
        ("rport", Filter::new()),
        ("lport", Filter::new()),
        ("raddr/24", Filter::new()),
        ("laddr/8", Filter::new()),
        ("raddr/24,48", Filter::new()),
        ("raddr/0", Filter::new()),
        ("raddr/120", estab.clone()),
        ("lport", estab),
    ];
    for (path, text) in fixtures() {
        let rows = naive_rows(&text);
        let fixture = (path.as_str(), text.as_str(), rows.as_slice());
        for (spec, filter) in &cases {
            let spec: KeySpec = spec.parse().unwrap();
            fixture_case(fixture, &spec, filter);
        }
    }
}

#[test]
fn test_wide_fixture_is_exact_at_1024_and_not_at_64() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/wide-sl/tcp"
    ))
    .unwrap();
    let spec: KeySpec = "raddr".parse().unwrap();
    let tops = through_parser(&text, &spec, &Filter::new(), None);
    assert!(
        tops.c1024.exact() && tops.c1024.len() > 64,
        "{} keys",
        tops.c1024.len()
    );
    assert!(!tops.c64.exact());
}
