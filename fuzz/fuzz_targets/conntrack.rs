//! The conntrack parser: any bytes, cut into chunks chosen by the input's
//! first bytes, must give the same result as one whole feed, never panic, and
//! an error must stick; an accepted table counts one entry per line.
#![no_main]

use tcpcount_core::conntrack::{CtCounts, CtError, CtParser};

fn feed<'a>(chunks: impl Iterator<Item = &'a [u8]>) -> Result<CtCounts, CtError> {
    let mut parser = CtParser::new();
    for chunk in chunks {
        if let Err(error) = parser.feed(chunk) {
            assert_eq!(parser.feed(b"\n"), Err(error), "error does not stick");
            return Err(error);
        }
    }
    parser.finish()
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(first % 8) + 1;
    let Some((sizes, table)) = rest.split_at_checked(n) else {
        return;
    };
    let whole = feed(std::iter::once(table));
    let mut at = 0;
    let mut cuts = sizes.iter().cycle();
    let chunks = std::iter::from_fn(|| {
        let size = cuts.next().map_or(1, |&b| usize::from(b & 0x7F) + 1) * if at % 3 == 0 { 8 } else { 1 };
        let chunk = table.get(at..(at + size).min(table.len()))?;
        at += size;
        (!chunk.is_empty()).then_some(chunk)
    });
    assert_eq!(feed(chunks), whole, "chunked feed differs from whole feed");
    if let Ok(counts) = whole {
        let lines = table.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count();
        assert_eq!(counts.total().entries() as usize, lines, "one entry per line");
    }
});
