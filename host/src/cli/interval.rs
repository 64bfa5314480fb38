//! `--interval SECONDS` read straight into a `Duration`, without floating
//! point: it accepts exactly the strings that `str::parse::<f64>` accepted
//! with a value (rounded to the nearest `f64`, as that parse does) from 0.01
//! to 86400, decimals and exponents included (`0.5`, `.5`, `5.`, `+2`,
//! `1e2`, `25E-1`), and refuses the rest (`inf`, `nan`, signs of negative
//! values, empty exponents, spaces). It exists for size: the float parser it
//! replaces (core's dec2flt with its power-of-five tables, plus soft-float
//! arithmetic on CPUs without an FPU) was linked only for this option
//! (docs/targets.md, docs/routers.md). The duration is truncated to whole
//! nanoseconds (rounded half up), where `Duration::from_secs_f64` of the
//! rounded `f64` could differ by a nanosecond.

use std::cmp::Ordering;
use std::time::Duration;

/// The accepted range as exact decimal bounds, each `(significant digits,
/// exponent)` for the value 0.DIGITS × 10^EXPONENT. A decimal rounds to an
/// `f64` of at least 0.01 exactly when it is above the midpoint between 0.01
/// and the `f64` below it (0.01's significand is odd, so the midpoint itself
/// rounds down), and to at most 86400 when it is not above the midpoint
/// between 86400 and the next `f64` (86400's significand is even, so the
/// midpoint rounds to it).
const LOWER_EXCLUSIVE: (&[u8], i64) = (
    b"9999999999999999340805079128813304123468697071075439453125",
    -2,
);
const UPPER_INCLUSIVE: (&[u8], i64) = (b"864000000000000072759576141834259033203125", 5);

/// Largest exponent magnitude kept; beyond it every value is 0 or huge.
const EXPONENT_LIMIT: i64 = 1_000_000;

pub const RANGE_ERROR: &str = "expected seconds between 0.01 and 86400";

/// `text` as a duration, or the error clap shows.
pub fn parse(text: &str) -> Result<Duration, String> {
    decimal(text.as_bytes())
        .filter(|(digits, exponent)| {
            compare(digits, *exponent, LOWER_EXCLUSIVE) == Ordering::Greater
                && compare(digits, *exponent, UPPER_INCLUSIVE) != Ordering::Greater
        })
        .map(|(digits, exponent)| Duration::from_nanos(nanoseconds(&digits, exponent)))
        .ok_or_else(|| RANGE_ERROR.to_owned())
}

/// A non-negative decimal in `f64`'s syntax (`+`? DIGITS [. DIGITS] [e [+-]
/// DIGITS], at least one mantissa digit) as its digits without leading
/// zeros and the exponent of 0.DIGITS × 10^EXPONENT. `None` for anything
/// else, including every `-` (negative values and -0 were out of range).
fn decimal(text: &[u8]) -> Option<(Vec<u8>, i64)> {
    let text = text.strip_prefix(b"+").unwrap_or(text);
    let (mantissa, exponent) = match text.iter().position(|&b| b == b'e' || b == b'E') {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let (whole, fraction) = match mantissa.iter().position(|&b| b == b'.') {
        Some(at) => (&mantissa[..at], &mantissa[at + 1..]),
        None => (mantissa, &b""[..]),
    };
    let all_digits = |part: &[u8]| part.iter().all(u8::is_ascii_digit);
    if whole.is_empty() && fraction.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let mut power = match exponent {
        Some(exponent) => signed_exponent(exponent)?,
        None => 0,
    };
    power += i64::try_from(whole.len()).unwrap_or(EXPONENT_LIMIT);
    let mut digits = Vec::with_capacity(whole.len() + fraction.len());
    for &digit in whole.iter().chain(fraction) {
        if digits.is_empty() && digit == b'0' {
            power -= 1;
        } else {
            digits.push(digit);
        }
    }
    Some((digits, power))
}

/// `[+-]DIGITS`, clamped to ±`EXPONENT_LIMIT`.
fn signed_exponent(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = digits.iter().fold(0, |value: i64, &digit| {
        (value * 10 + i64::from(digit - b'0')).min(EXPONENT_LIMIT)
    });
    Some(if negative { -value } else { value })
}

/// 0.DIGITS × 10^EXPONENT against a bound in the same form (which has no
/// leading zero); no digits at all is zero, below every bound.
fn compare(digits: &[u8], exponent: i64, (bound, bound_exponent): (&[u8], i64)) -> Ordering {
    if digits.is_empty() {
        return Ordering::Less;
    }
    exponent.cmp(&bound_exponent).then_with(|| {
        let width = digits.len().max(bound.len());
        padded(digits, width).cmp(padded(bound, width))
    })
}

/// `digits` followed by zeros, `width` in all.
fn padded(digits: &[u8], width: usize) -> impl Iterator<Item = u8> + '_ {
    digits
        .iter()
        .copied()
        .chain(std::iter::repeat(b'0'))
        .take(width)
}

/// 0.DIGITS × 10^EXPONENT seconds in nanoseconds, rounded half up, for a
/// value in the accepted range (at most 86400 and a fraction: no overflow).
fn nanoseconds(digits: &[u8], exponent: i64) -> u64 {
    let mut nanos = 0u64;
    // The first digit is worth 10^(exponent - 1) seconds, 10^(exponent + 8) ns.
    let mut place = exponent + 8;
    for &digit in digits {
        let digit = u64::from(digit - b'0');
        if place < 0 {
            if place == -1 && digit >= 5 {
                nanos += 1;
            }
            break;
        }
        nanos = nanos.saturating_add(digit * 10u64.pow(u32::try_from(place).unwrap_or(19)));
        place -= 1;
    }
    nanos
}

#[cfg(test)]
mod test {
    use super::*;

    /// The rule this module replaces: Rust's float parse and the range.
    fn with_f64(text: &str) -> Option<Duration> {
        text.parse::<f64>()
            .ok()
            .filter(|seconds| seconds.is_finite() && (0.01..=86_400.0).contains(seconds))
            .map(Duration::from_secs_f64)
    }

    /// Equal to the f64 rule: accepted or not, and within 1 ns.
    fn check(text: &str) {
        let ours = parse(text).ok();
        let theirs = with_f64(text);
        match (ours, theirs) {
            (None, None) => {}
            (Some(a), Some(b)) => {
                let gap = a.abs_diff(b);
                assert!(gap <= Duration::from_nanos(1), "{text:?}: {a:?} vs {b:?}");
            }
            _ => panic!("{text:?}: ours {ours:?}, f64 {theirs:?}"),
        }
    }

    #[test]
    fn accepts_what_the_f64_parse_accepted() {
        let cases = [
            // (text, duration in ns, or None for refused)
            ("1", Some(1_000_000_000)),
            ("0.5", Some(500_000_000)),
            (".5", Some(500_000_000)),
            ("5.", Some(5_000_000_000)),
            ("+2", Some(2_000_000_000)),
            ("1e2", Some(100_000_000_000)),
            ("25E-1", Some(2_500_000_000)),
            ("0.01", Some(10_000_000)),
            ("1e-2", Some(10_000_000)),
            ("86400", Some(86_400_000_000_000)),
            ("8.64e4", Some(86_400_000_000_000)),
            ("000000.0100", Some(10_000_000)),
            ("0.25e+1", Some(2_500_000_000)),
            ("1.000000000999", Some(1_000_000_001)),
            ("1.0000000004", Some(1_000_000_000)),
            // rounds to 86400 as an f64, so it was accepted
            (
                "86400.0000000000072759576141834259033203125",
                Some(86_400_000_000_000),
            ),
            ("86400.0000000000072759576141834259033203126", None),
            // rounds to 0.01 as an f64
            (
                "0.0099999999999999993408050791288133041234686970710754394531251",
                Some(10_000_000),
            ),
            (
                "0.009999999999999999340805079128813304123468697071075439453125",
                None,
            ),
            ("0.0099", None),
            ("86401", None),
            ("1e5", None),
            ("0", None),
            ("-0", None),
            ("-1", None),
            ("", None),
            (".", None),
            ("e2", None),
            ("1e", None),
            ("1e+", None),
            ("1.2.3", None),
            ("1_0", None),
            (" 1", None),
            ("1 ", None),
            ("inf", None),
            ("infinity", None),
            ("NaN", None),
            ("++1", None),
            ("+-1", None),
            ("0x10", None),
            ("1e99999999999999999999999", None),
            ("1e-99999999999999999999999", None),
            ("0e99999999999999999999999", None),
            ("0.000001e99999999999999999999999", None),
            ("١", None),
        ];
        for (text, nanos) in cases {
            assert_eq!(
                parse(text).ok(),
                nanos.map(Duration::from_nanos),
                "{text:?}"
            );
            check(text);
        }
    }

    #[test]
    fn agrees_with_the_f64_parse_on_generated_strings() {
        let pieces = [
            "", "0", "1", "9", "00", "01", ".", "e", "E", "+", "-", "5", "86400", "0001",
        ];
        let mut count = 0;
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    for d in pieces {
                        check(&format!("{a}{b}{c}{d}"));
                        count += 1;
                    }
                }
            }
        }
        assert_eq!(count, pieces.len().pow(4));
        // Values on a grid across the range and past both ends.
        for step in 0..20_000u32 {
            let seconds = f64::from(step) * 4.33 + 0.001;
            for text in [
                format!("{seconds}"),
                format!("{seconds:e}"),
                format!("{seconds:.3}"),
            ] {
                check(&text);
            }
        }
    }
}
