//! Hand-written writers for the fixed shapes the output formats print:
//! unsigned decimals, zero-padded fields (`05`, `2026`) and cells padded to
//! a column's width, left or right. Each writes bytes straight to a
//! [`Write`], with no `core::fmt::Arguments` built at the call site. They
//! print exactly what `{n}`, `{n:0w$}`, `{s:<w$}` and `{s:>w$}` print, which
//! the tests check against `format!`. Measured (docs/targets.md, issue 15):
//! using them in `format/*` instead of `write!` saves only 96 bytes of the
//! static binary, because `core::fmt` stays linked for std and clap; not
//! used by the formats yet.

use std::io::{self, Write};

/// The most digits a `u64` has (18446744073709551615).
pub const MAX_DIGITS: usize = 20;

/// The decimal digits of `n`, in `buf`, without leading zeros (`0` for 0).
pub fn digits(n: u64, buf: &mut [u8; MAX_DIGITS]) -> &[u8] {
    let mut n = n;
    let mut start = MAX_DIGITS;
    for slot in buf.iter_mut().rev() {
        // `n % 10` is below 10, so the cast keeps it.
        *slot = b'0' + (n % 10) as u8;
        start -= 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.get(start..).unwrap_or_default()
}

/// How many digits `n` has in decimal.
pub fn digits_len(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |log| log as usize + 1)
}

/// `n` in decimal, as `{n}` prints it.
pub fn decimal(out: &mut (impl Write + ?Sized), n: u64) -> io::Result<()> {
    out.write_all(digits(n, &mut [0; MAX_DIGITS]))
}

/// `n` in decimal with zeros before it to at least `width` digits, as
/// `{n:0width$}` prints it (more digits than `width` are all kept).
pub fn zero_padded(out: &mut (impl Write + ?Sized), n: u64, width: usize) -> io::Result<()> {
    let mut buf = [0; MAX_DIGITS];
    let digits = digits(n, &mut buf);
    repeat(out, b'0', width.saturating_sub(digits.len()))?;
    out.write_all(digits)
}

/// Where a cell's text goes in its column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Text first, then spaces (`{s:<width$}`).
    Left,
    /// Spaces first, then text (`{s:>width$}`).
    Right,
}

/// `text` padded with spaces to `width` characters. Cells are ASCII (state
/// names, numbers, family names), so bytes are characters; a longer text is
/// written whole, as `format!` does.
pub fn padded(
    out: &mut (impl Write + ?Sized),
    text: &[u8],
    width: usize,
    align: Align,
) -> io::Result<()> {
    let spaces = width.saturating_sub(text.len());
    if align == Align::Right {
        repeat(out, b' ', spaces)?;
    }
    out.write_all(text)?;
    if align == Align::Left {
        repeat(out, b' ', spaces)?;
    }
    Ok(())
}

/// `byte` written `count` times, a chunk at a time.
fn repeat(out: &mut (impl Write + ?Sized), byte: u8, count: usize) -> io::Result<()> {
    const CHUNK: usize = 32;
    let chunk = [byte; CHUNK];
    let mut left = count;
    while left > 0 {
        let n = left.min(CHUNK);
        out.write_all(chunk.get(..n).unwrap_or_default())?;
        left -= n;
    }
    Ok(())
}

#[cfg(test)]
mod test {
    use super::*;

    /// Runs `write` into a new buffer and returns the text.
    fn text(write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        write(&mut out).expect("a Vec takes every byte");
        String::from_utf8(out).expect("ASCII")
    }

    const NUMBERS: [u64; 14] = [
        0,
        1,
        9,
        10,
        99,
        100,
        65_535,
        999_999,
        1_000_000,
        u32::MAX as u64,
        u32::MAX as u64 + 1,
        9_999_999_999_999_999_999,
        10_000_000_000_000_000_000,
        u64::MAX,
    ];

    #[test]
    fn decimal_is_what_display_prints() {
        for n in NUMBERS {
            assert_eq!(text(|out| decimal(out, n)), n.to_string(), "{n}");
            assert_eq!(digits_len(n), n.to_string().len(), "{n}");
        }
    }

    #[test]
    fn zero_padded_is_what_format_prints() {
        for n in NUMBERS {
            for width in [0, 1, 2, 4, 19, 20, 21, 40] {
                assert_eq!(
                    text(|out| zero_padded(out, n, width)),
                    format!("{n:0width$}"),
                    "{n} to {width}"
                );
            }
        }
    }

    #[test]
    fn padded_is_what_format_prints() {
        let cells = ["", "7", "IPV4", "ESTABLISHED", "CLOSE_WAIT"];
        for cell in cells {
            for width in [0, 1, 4, 11, 12, 33, 70] {
                let bytes = cell.as_bytes();
                assert_eq!(
                    text(|out| padded(out, bytes, width, Align::Left)),
                    format!("{cell:<width$}"),
                    "{cell:?} left in {width}"
                );
                assert_eq!(
                    text(|out| padded(out, bytes, width, Align::Right)),
                    format!("{cell:>width$}"),
                    "{cell:?} right in {width}"
                );
            }
        }
    }

    #[test]
    fn a_failing_writer_fails_the_write() {
        let mut full = [0u8; 3];
        let mut out = &mut full[..];
        assert!(decimal(&mut out, 12_345).is_err());
        let mut full = [0u8; 3];
        let mut out = &mut full[..];
        assert!(padded(&mut out, b"ab", 8, Align::Right).is_err());
    }
}
