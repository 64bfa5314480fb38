//! Property tests against a naive oracle. Random valid tables of both
//! families, shaped like real kernels' (wide row numbers, 8- or 16-digit
//! timers and pointers, `-1` tails, padding, unknown state codes, an optional
//! last newline), are fed in random chunkings; the counts must equal what the
//! oracle reads: split on `'\n'`, skip the header, take each row's 4th
//! whitespace-separated field as hex. Then one byte of a row's fixed-width
//! part is corrupted: a hex digit replaced by another hex digit must still be
//! counted as the oracle says, anything else there must be an error on that
//! row's line, never a wrong count. The oracle is the one `tests/` and
//! `fuzz/` use too: the `tcpcount-oracle` crate (`oracle/lib.rs`).
//!
//! No dependencies: the seeded xorshift generator of `tcpcount-oracle`. A
//! failing case prints its seed; rerun it with `TCPCOUNT_ORACLE_SEED=<seed>`
//! (and `TCPCOUNT_ORACLE_CASES=1`). `TCPCOUNT_ORACLE_CASES` sets the number of
//! cases (default 600, 3 under miri).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use tcpcount_core::{Counts, Error, ErrorKind, Family, LINE_CAPACITY, Parser, TcpState};
use tcpcount_oracle::{Rng, pieces};

/// One generated table and what the generator knows about it.
struct Table {
    bytes: Vec<u8>,
    family: Family,
    /// `(line number, byte offsets in `bytes` of the fixed-width part)` per
    /// row: from the colon after `sl` to the space after `retrnsmt`.
    rows: Vec<(u32, std::ops::Range<usize>)>,
}

const V4_HEADER: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
const V6_HEADER: &str = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";

/// Hex of `value` with exactly `digits` digits, in upper or lower case.
fn hex(value: u64, digits: usize, lower: bool) -> String {
    let s = format!("{value:0digits$X}");
    let s = &s[s.len() - digits..];
    if lower {
        s.to_lowercase()
    } else {
        s.to_owned()
    }
}

fn generate(rng: &mut Rng) -> Table {
    let family = if rng.chance(50) {
        Family::Ipv4
    } else {
        Family::Ipv6
    };
    let max_rows = if cfg!(miri) { 12 } else { 300 };
    let n_rows = match rng.below(10) {
        0 => 0,
        1 => rng.range(1, 3),
        _ => rng.range(0, max_rows),
    };
    // Row numbers are `%4d`: start some tables near or past 9999.
    let first_slot = rng.pick(&[0u64, 0, 0, 9_990, 99_995, 4_294_967]);
    // A 64-bit kernel prints 16-digit pointers, a 32-bit one 8.
    let pointer_digits = rng.pick(&[8, 16]);
    // Kernels since 2.6.x pad IPv4 lines with spaces to 149 bytes (TMPSZ - 1).
    let pad_v4 = rng.chance(70);
    let lower = rng.chance(10);

    let mut bytes = Vec::new();
    let mut rows = Vec::new();
    let header = match family {
        Family::Ipv4 => V4_HEADER,
        Family::Ipv6 => V6_HEADER,
    };
    // An empty input is a valid (empty) table too.
    let empty = n_rows == 0 && rng.chance(20);
    if !empty {
        bytes.extend_from_slice(header.as_bytes());
        if family == Family::Ipv4 && pad_v4 {
            bytes.resize(149, b' ');
        }
    }
    for i in 0..n_rows {
        bytes.push(b'\n');
        let line_start = bytes.len();
        let slot = first_slot + i;
        bytes.extend_from_slice(format!("{slot:4}").as_bytes());
        let fixed_start = bytes.len();
        let mut line = String::from(": ");
        let words = match family {
            Family::Ipv4 => 1,
            Family::Ipv6 => 4,
        };
        for _ in 0..2 {
            for _ in 0..words {
                let word = match rng.below(4) {
                    0 => 0,
                    1 => 0x0100_007F,
                    _ => rng.next() & 0xFFFF_FFFF,
                };
                line += &hex(word, 8, lower);
            }
            line += ":";
            line += &hex(rng.below(0x1_0000), 4, lower);
            line += " ";
        }
        // Mostly known states, some unknown codes (0x00, 0x0C..=0xFF).
        let state = match rng.below(10) {
            0 => 0,
            1 => rng.range(0x0C, 0xFF),
            _ => rng.range(0x01, 0x0B),
        };
        line += &hex(state, 2, lower);
        line += " ";
        let queue = |rng: &mut Rng| match rng.below(3) {
            0 => 0,
            1 => rng.below(0x1_0000),
            _ => rng.next() & 0xFFFF_FFFF,
        };
        line += &hex(queue(rng), 8, lower);
        line += ":";
        line += &hex(queue(rng), 8, lower);
        line += " ";
        line += &hex(rng.below(5), 2, lower);
        line += ":";
        // tm->when is %08lX: 8 digits, or up to 16 for a negative or large
        // value on a 64-bit kernel.
        let when_digits = if rng.chance(70) {
            8
        } else {
            rng.range(9, 16) as usize
        };
        let when = if when_digits == 8 {
            rng.next() & 0xFFFF_FFFF
        } else {
            rng.next() | 1 << 63
        };
        line += &hex(when, when_digits, lower);
        line += " ";
        line += &hex(rng.below(0x100), 8, lower);
        line += " ";
        let fixed_len = line.len();
        let uid = match rng.below(4) {
            0 => 0,
            1 => rng.range(1, 65_535),
            2 => u64::from(u32::MAX),
            _ => rng.below(u64::from(u32::MAX) + 1),
        };
        line += &format!("{uid:5}");
        let timeout = if rng.chance(10) {
            -(rng.range(1, 100) as i64)
        } else {
            rng.below(100_000) as i64
        };
        line += &format!(" {timeout:8}");
        let inode = match rng.below(3) {
            0 => 0,
            1 => rng.below(100_000),
            _ => rng.next(),
        };
        line += &format!(" {inode}");
        // The tail differs by socket kind and kernel: time-wait and request
        // sockets end after the pointer, full sockets go on to ssthresh (-1
        // when unset). The core must not read it.
        let pointer = if rng.chance(50) { 0 } else { rng.next() };
        let tail = match rng.below(4) {
            0 => String::new(),
            1 => format!(" 3 {}", hex(pointer, pointer_digits, true)),
            2 => format!(" 1 {} 20 4 30 10 -1", hex(pointer, pointer_digits, true)),
            _ => format!(
                " {} {} {} {} {} {} {}",
                rng.range(1, 9),
                hex(pointer, pointer_digits, true),
                rng.range(20, 120_000),
                rng.below(50),
                rng.below(4),
                rng.range(1, 1_000),
                if rng.chance(50) {
                    -1
                } else {
                    rng.range(2, 1_000) as i64
                },
            ),
        };
        line += &tail;
        bytes.extend_from_slice(line.as_bytes());
        if family == Family::Ipv4 && pad_v4 && bytes.len() - line_start < 149 {
            bytes.resize(line_start + 149, b' ');
        }
        assert!(bytes.len() - line_start <= LINE_CAPACITY);
        // The header is line 1, so row i is line i + 2.
        rows.push((i as u32 + 2, fixed_start..fixed_start + fixed_len));
    }
    if !empty && rng.chance(85) {
        bytes.push(b'\n');
    }
    Table {
        bytes,
        family,
        rows,
    }
}

/// Counts per state code, read by the shared naive oracle (`oracle/`).
/// `None` if a row's 4th field is not hex (the oracle never fails on a table
/// the generator made).
fn oracle(table: &[u8]) -> Option<[u32; 256]> {
    tcpcount_oracle::read(table).map(|reading| reading.by_code)
}

fn assert_matches_oracle(counts: &Counts, by_code: &[u32; 256]) {
    for state in TcpState::ALL {
        assert_eq!(
            counts.get(state),
            by_code[usize::from(state.code())],
            "{state}"
        );
    }
    let unknown: u32 = (0..=255u8)
        .filter(|&c| TcpState::from_code(c).is_none())
        .map(|c| by_code[usize::from(c)])
        .sum();
    assert_eq!(counts.unknown(), unknown, "unknown");
    assert_eq!(counts.total(), by_code.iter().sum::<u32>(), "total");
}

type Outcome = Result<(Option<Family>, Counts), Error>;

fn feed(chunks: &[&[u8]]) -> Outcome {
    let mut parser = Parser::new();
    for chunk in chunks {
        parser.feed(chunk)?;
    }
    // `end` parses a last line with no newline, after which `family` is final.
    parser.end(&mut |_| {})?;
    parser.end(&mut |_| {})?;
    Ok((parser.family(), *parser.counts()))
}

/// Cuts `bytes` in one of several ways: byte by byte, small pieces, pieces
/// around the line capacity, or a few random cuts.
fn chunking<'a>(rng: &mut Rng, bytes: &'a [u8]) -> Vec<&'a [u8]> {
    let max = match rng.below(4) {
        0 => 1,
        1 => 8,
        2 => 2 * LINE_CAPACITY as u64,
        _ => bytes.len().max(1) as u64,
    };
    pieces(bytes, || rng.range(1, max) as usize).collect()
}

/// Prints the seed of the case that is running if it panics.
struct SeedOnPanic(u64);

impl Drop for SeedOnPanic {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "oracle: failing case seed: TCPCOUNT_ORACLE_SEED={} TCPCOUNT_ORACLE_CASES=1",
                self.0
            );
        }
    }
}

/// The seeds to run: from the environment, or fixed ones (so that CI is
/// reproducible) plus, for every case, a distinct derived seed.
fn seeds() -> impl Iterator<Item = u64> {
    let env = |name: &str| {
        std::env::var(name)
            .ok()
            .map(|v| v.trim().parse::<u64>().expect(name))
    };
    let cases = env("TCPCOUNT_ORACLE_CASES").unwrap_or(if cfg!(miri) { 3 } else { 600 });
    let base = env("TCPCOUNT_ORACLE_SEED").unwrap_or(0x7C9C_0C07);
    (0..cases).map(move |i| base.wrapping_add(i))
}

#[test]
fn counts_equal_the_oracle_for_any_chunking() {
    let mut rows = 0usize;
    for seed in seeds() {
        let _guard = SeedOnPanic(seed);
        let mut rng = Rng::new(seed);
        let table = generate(&mut rng);
        let by_code = oracle(&table.bytes).expect("oracle reads a generated table");
        let whole = feed(&[&table.bytes]);
        let (family, counts) = whole.unwrap_or_else(|e| {
            panic!(
                "valid table rejected: {e}\n{}",
                String::from_utf8_lossy(&table.bytes)
            )
        });
        assert_matches_oracle(&counts, &by_code);
        let expected_family = (!table.rows.is_empty()).then_some(table.family);
        assert_eq!(family, expected_family);
        for _ in 0..if cfg!(miri) { 1 } else { 3 } {
            assert_eq!(feed(&chunking(&mut rng, &table.bytes)), whole);
        }
        rows += table.rows.len();
    }
    eprintln!("oracle: {rows} generated rows counted as the oracle counts");
}

#[test]
fn one_corrupt_byte_is_an_error_or_still_counted_right() {
    let mut errors = 0usize;
    let mut still_valid = 0usize;
    let mut cases = 0usize;
    for seed in seeds() {
        cases += 1;
        let _guard = SeedOnPanic(seed);
        let mut rng = Rng::new(seed);
        let table = generate(&mut rng);
        let Some((line, fixed)) = table
            .rows
            .get(rng.below(table.rows.len().max(1) as u64) as usize)
            .cloned()
        else {
            continue;
        };
        for _ in 0..if cfg!(miri) { 1 } else { 4 } {
            let at = rng.range(fixed.start as u64, fixed.end as u64 - 1) as usize;
            let original = table.bytes[at];
            let mut bytes = table.bytes.clone();
            let replacement = loop {
                let b = match rng.below(4) {
                    0 => rng.pick(b"0123456789abcdefABCDEF"),
                    1 => rng.pick(b" :\n\r\t-+xG\0"),
                    _ => rng.below(256) as u8,
                };
                if b != original {
                    break b;
                }
            };
            bytes[at] = replacement;
            let whole = feed(&[&bytes]);
            assert_eq!(
                feed(&chunking(&mut rng, &bytes)),
                whole,
                "chunking changed the result"
            );
            let context = || {
                let start = bytes[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                let end = bytes[at..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |i| at + i);
                format!(
                    "byte {:?} -> {:?} at column {} of line {line}: {:?}",
                    original as char,
                    replacement as char,
                    at - start,
                    String::from_utf8_lossy(&table.bytes[start..end.max(at + 1)])
                )
            };
            if original.is_ascii_hexdigit() && replacement.is_ascii_hexdigit() {
                // Still a well-formed row; only a state digit changes a count.
                let (_, counts) = whole.unwrap_or_else(|e| panic!("rejected ({e}): {}", context()));
                assert_matches_oracle(&counts, &oracle(&bytes).unwrap());
                still_valid += 1;
            } else {
                // A separator or digit gone: the fixed widths no longer fit.
                let error = whole
                    .err()
                    .unwrap_or_else(|| panic!("accepted: {}", context()));
                assert_eq!(error.line, line, "error on the wrong line: {}", context());
                assert!(
                    matches!(error.kind, ErrorKind::BadField(_) | ErrorKind::Truncated(_)),
                    "{error}: {}",
                    context()
                );
                errors += 1;
            }
        }
    }
    eprintln!(
        "oracle: {errors} corruptions rejected, {still_valid} hex-for-hex ones counted right"
    );
    // About 2.7 rejected corruptions per case were measured (20,000 cases);
    // fewer than one per two cases means the generator lost its rows.
    assert!(
        cfg!(miri) || errors * 2 > cases,
        "too few corruptions tried: {errors} in {cases} cases"
    );
}

#[test]
fn the_generator_makes_what_it_says() {
    // Guards the oracle tests against a generator that lost its variety.
    let (mut v4, mut v6, mut wide_slot, mut unknown, mut long_timer, mut no_newline) =
        (0, 0, 0, 0, 0, 0);
    for seed in 0..if cfg!(miri) { 3 } else { 300 } {
        let table = generate(&mut Rng::new(seed));
        let text = String::from_utf8(table.bytes.clone()).unwrap();
        match table.family {
            Family::Ipv4 => v4 += 1,
            Family::Ipv6 => v6 += 1,
        }
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            wide_slot += usize::from(f[0].len() > 5);
            unknown +=
                usize::from(TcpState::from_code(u8::from_str_radix(f[3], 16).unwrap()).is_none());
            long_timer += usize::from(f[5].len() > 11);
        }
        no_newline += usize::from(!text.is_empty() && !text.ends_with('\n'));
    }
    if !cfg!(miri) {
        for (what, n) in [
            ("IPv4 tables", v4),
            ("IPv6 tables", v6),
            ("rows numbered past 9999", wide_slot),
            ("unknown states", unknown),
            ("long timers", long_timer),
            ("tables without a last newline", no_newline),
        ] {
            assert!(n > 10, "only {n} {what}");
        }
    }
}
