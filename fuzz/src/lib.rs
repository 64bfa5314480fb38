//! The checks behind the fuzz targets in `fuzz_targets/`, kept here so each
//! target is one line. Every check panics (which libFuzzer reports as a crash)
//! when the core breaks its contract: a panic of its own, a result that
//! depends on how the input was cut, or an accepted input whose counts or
//! fields disagree with a naive reading of the same bytes (the shared oracle,
//! `tcpcount-oracle` in `../oracle`).

use tcpcount_core::{Counts, Error, Family, Filter, Parser, Row, StateSet, TcpState};

/// Feeds `data` whole and in chunks chosen by its first bytes; both results
/// must be equal, an error must stick, and an accepted table must count what a
/// naive oracle counts.
///
/// Layout of `data`: byte 0 gives the number `n` (1..=8) of size bytes that
/// follow; each size byte `b` is a chunk length of `(b & 0x7F) + 1`, times 8
/// when the high bit is set (so up to 1024, across [`tcpcount_core::LINE_CAPACITY`]);
/// the sizes repeat until the table, which is the rest, is used up.
pub fn chunked(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(first % 8) + 1;
    let Some((sizes, table)) = rest.split_at_checked(n) else {
        return;
    };
    let whole = feed_whole(table);
    let chunked = feed_chunked(table, sizes);
    assert_eq!(whole, chunked, "chunked feed differs from whole feed");
    filtered(table, sizes, &whole);
    if let Ok((family, counts)) = whole {
        let reading = tcpcount_oracle::read(table).expect("the oracle reads an accepted table");
        let oracle_family = reading.address_digits.map(|digits| match digits {
            8 => Family::Ipv4,
            32 => Family::Ipv6,
            _ => panic!("accepted a row with a {digits}-digit local address"),
        });
        let expected = reading.by_code;
        assert_eq!(family, oracle_family, "family");
        assert_eq!(counts.total(), reading.rows, "total");
        for state in TcpState::ALL {
            assert_eq!(
                counts.get(state),
                expected[usize::from(state.code())],
                "{state}"
            );
        }
        let unknown: u32 = expected
            .iter()
            .enumerate()
            .filter(|(code, _)| TcpState::from_code(*code as u8).is_none())
            .map(|(_, n)| n)
            .sum();
        assert_eq!(counts.unknown(), unknown, "unknown");
    }
}

/// Counts `table` again through a family and state filter chosen by `pick`:
/// the same error (a filter never hides a bad row), or the unfiltered counts
/// of the chosen states and nothing else.
fn filtered(table: &[u8], pick: &[u8], whole: &Outcome) {
    let bits = pick
        .iter()
        .fold(0u32, |acc, &b| acc.rotate_left(8) ^ u32::from(b));
    let mut states = StateSet::new();
    for state in TcpState::ALL.iter().filter(|s| bits & (1 << s.code()) != 0) {
        states.insert(*state);
    }
    let family = [None, Some(Family::Ipv4), Some(Family::Ipv6)][(bits >> 16) as usize % 3];
    let filter = Filter {
        family,
        states: Some(states),
        ..Filter::new()
    };
    let mut parser = Parser::with_filter(filter);
    let got = parser
        .feed(table)
        .and_then(|()| parser.end(&mut |_| {}))
        .map(|()| *parser.counts());
    match (whole, got) {
        (Err(expected), got) => assert_eq!(got, Err(*expected), "filter changed the error"),
        (Ok(_), Err(error)) => panic!("filter made an error: {error}"),
        (Ok((table_family, all)), Ok(some)) => {
            let family_passes = family.is_none() || *table_family == family;
            for state in TcpState::ALL {
                let expected = if family_passes && states.contains_code(state.code()) {
                    all.get(state)
                } else {
                    0
                };
                assert_eq!(some.get(state), expected, "filtered {state}");
            }
            assert_eq!(some.unknown(), 0, "a state filter passes no unknown code");
        }
    }
}

type Outcome = Result<(Option<Family>, Counts), Error>;

fn feed_whole(table: &[u8]) -> Outcome {
    let mut parser = Parser::new();
    parser.feed(table)?;
    parser.end(&mut |_| {})?;
    Ok((parser.family(), *parser.counts()))
}

fn feed_chunked(table: &[u8], sizes: &[u8]) -> Outcome {
    let mut parser = Parser::new();
    let mut visited = 0u32;
    let mut visit = |_: &Row<'_>| visited += 1;
    let mut rest = table;
    for &b in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let len = (usize::from(b & 0x7F) + 1) * if b & 0x80 != 0 { 8 } else { 1 };
        let (chunk, after) = rest.split_at(len.min(rest.len()));
        rest = after;
        if let Err(error) = parser.feed_visit(chunk, &mut visit) {
            // After an error, every call returns that error.
            assert_eq!(parser.feed(rest), Err(error), "error did not stick");
            assert_eq!(parser.feed(b""), Err(error), "error did not stick");
            assert_eq!(parser.clone().finish(), Err(error), "error did not stick");
            return Err(error);
        }
    }
    parser.end(&mut visit)?;
    assert_eq!(visited, parser.counts().total(), "rows shown to visit");
    // The same once more through `finish`.
    assert_eq!(parser.clone().finish(), Ok(*parser.counts()));
    Ok((parser.family(), *parser.counts()))
}

/// Parses `data` as one row; if it is accepted, every accessor must agree
/// with a naive split of the same bytes.
pub fn row(data: &[u8]) {
    let Ok(row) = Row::parse(data) else {
        return;
    };
    let fields = tcpcount_oracle::row(data).expect("the oracle reads an accepted row");
    assert!(fields.words >= 10, "accepted a row of {} fields", fields.words);
    assert_eq!(row.state_code(), fields.state);
    assert_eq!(row.state(), TcpState::from_code(row.state_code()));
    assert_eq!(row.local_port(), fields.local_port);
    assert_eq!(row.remote_port(), fields.remote_port);
    assert_eq!(row.tx_queue(), fields.tx_queue);
    assert_eq!(row.rx_queue(), fields.rx_queue);
    assert_eq!(row.uid(), fields.uid);
    let family = match fields.local_address.len() {
        8 => Family::Ipv4,
        32 => Family::Ipv6,
        len => panic!("accepted a {len}-digit address"),
    };
    assert_eq!(row.family(), family);
    assert_eq!(Some(row.local_ip()), tcpcount_oracle::ip(fields.local_address));
    assert_eq!(Some(row.remote_ip()), tcpcount_oracle::ip(fields.remote_address));
}

#[cfg(test)]
mod test {
    /// Replays the fixtures and whatever corpus a run of scripts/fuzz left
    /// (`cargo +nightly test` here): a quick check without libFuzzer.
    #[test]
    fn replay_fixtures_and_corpus() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        let mut dirs = vec![root.join("../fixtures"), root.join("corpus")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        let mut inputs = 0;
        for path in files {
            let bytes = std::fs::read(&path).unwrap();
            super::row(&bytes);
            let prefixes: [&[u8]; 3] = [
                b"\x00\x00",
                b"\x02\x07\x00\xC7",
                b"\x07\x01\x02\x03\x04\x05\x06\x07\x80",
            ];
            for prefix in prefixes {
                super::chunked(&[prefix, &bytes].concat());
            }
            inputs += 1;
        }
        eprintln!("replayed {inputs} inputs");
    }
}
