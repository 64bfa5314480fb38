//! The heavy-hitters table under arbitrary input. Part one reads the input as
//! a stream of keys (two bytes each: a tag and a value, so keys repeat) into
//! tables of capacity 1, 3 and 16 and checks Space-Saving's guarantees
//! against an exact count. Part two feeds the input as a socket table,
//! whole and in chunks chosen by its first byte, counting rows into a table
//! keyed by a spec chosen by the second byte: both must agree, and the
//! table's total must equal the parser's. Part three parses the input as a
//! `KEY[/PREFIX][:N]` spelling. Nothing may panic.
#![no_main]

use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use tcpcount_core::{KeySpec, Parser, Row, Top, TopEntry, TopKey};

const BLANK: TopEntry = TopEntry {
    key: TopKey::Port(0),
    count: 0,
    error: 0,
};

fn check<const C: usize>(keys: &[TopKey]) {
    let mut top = Top::<C>::new();
    let mut truth: HashMap<TopKey, u32> = HashMap::new();
    for &key in keys {
        top.add(key);
        *truth.entry(key).or_default() += 1;
    }
    let total = keys.len() as u32;
    assert_eq!(top.total(), total);
    assert_eq!(top.iter().map(|e| e.count).sum::<u32>(), total);
    assert_eq!(top.len(), truth.len().min(C));
    for e in top.iter() {
        let t = truth.get(&e.key).copied().unwrap_or(0);
        assert!(e.count - e.error <= t && t <= e.count, "{e:?} true {t}");
    }
    for (key, &n) in &truth {
        let listed = top.iter().any(|e| e.key == *key);
        if n as usize * C > total as usize {
            assert!(listed, "heavy {key} missing");
        }
        if top.exact() {
            assert!(
                top.iter()
                    .any(|e| e.key == *key && e.count == n && e.error == 0)
            );
        }
    }
    if truth.len() <= C {
        assert!(top.exact());
    }
    let mut out = [BLANK; 20];
    let sorted = top.top_into(&mut out);
    assert!(sorted.windows(2).all(|w| w[0].count >= w[1].count));
}

fn key(tag: u8, value: u8) -> TopKey {
    match tag % 4 {
        0 => TopKey::Port(u16::from(value)),
        1 => TopKey::V4 {
            addr: Ipv4Addr::from_bits(u32::from(value) << (tag % 32)),
            prefix: 32,
        },
        2 => TopKey::V6 {
            addr: Ipv6Addr::from_bits(u128::from(value) << (tag % 128)),
            prefix: 128,
        },
        _ => TopKey::address(
            Ipv6Addr::from_bits(0xffff_0000_0000 | u128::from(value)).into(),
            tag % 40,
            tag,
        ),
    }
}

fn through_parser(table: &[u8], spec: &KeySpec, size: usize) -> Option<(Vec<TopEntry>, u32, u32)> {
    let mut top = Top::<8>::new();
    let mut parser = Parser::new();
    let mut visit = |row: &Row<'_>| top.add_socket(spec, row);
    for chunk in table.chunks(size.max(1)) {
        parser.feed_visit(chunk, &mut visit).ok()?;
    }
    parser.end(&mut visit).ok()?;
    let rows = parser.counts().total();
    let mut out = [BLANK; 8];
    Some((top.top_into(&mut out).to_vec(), top.total(), rows))
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let keys: Vec<TopKey> = data.chunks_exact(2).map(|p| key(p[0], p[1])).collect();
    check::<1>(&keys);
    check::<3>(&keys);
    check::<16>(&keys);

    if let [size, pick, table @ ..] = data {
        let specs = [
            "raddr",
            "laddr/24",
            "rport",
            "lport",
            "raddr/16,48",
            "laddr/0",
        ];
        let spec: KeySpec = specs[usize::from(*pick) % specs.len()].parse().unwrap();
        let whole = through_parser(table, &spec, table.len());
        let chunked = through_parser(table, &spec, usize::from(*size));
        assert_eq!(whole, chunked, "chunking changed the table");
        if let Some((_, total, rows)) = whole {
            assert_eq!(total, rows);
        }
    }

    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(spec) = text.parse::<KeySpec>() {
            assert!(spec.n > 0 && spec.v4_prefix <= 32 && spec.v6_prefix <= 128);
        }
    }
});
