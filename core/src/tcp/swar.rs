//! Word-at-a-time checks (SWAR: SIMD within a register) for the fast path:
//! eight bytes per `u64`, plain integer operations, no `unsafe`, no
//! target-specific code. [`Template`] says, for each byte of a fixed-width
//! layout, "a hex digit" or "exactly this byte", and checks a whole row's
//! fixed part with a few operations per word. Each helper is tested against a
//! one-line naive oracle below.

use super::layout::{FIXED_COLUMNS, Fixed};

const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte: the masks below mark bytes with it.
pub const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `x` that is zero.
#[cfg_attr(not(tcpcount_small), inline(always))]
pub fn zero_bytes(x: u64) -> u64 {
    !(((x & !HIGH) + !HIGH) | x | !HIGH)
}

/// The high bit of each byte of `x` that is an ASCII decimal digit.
#[cfg_attr(not(tcpcount_small), inline(always))]
pub fn decimal_bytes(x: u64) -> u64 {
    let ascii = !x & HIGH;
    let low = x & !HIGH;
    let at_least = |v: u64, n: u64| (v + ONES * (0x80 - n)) & HIGH;
    at_least(low, 0x30) & !at_least(low, 0x3A) & ascii
}

/// The high bit of each byte of `x` that is an ASCII uppercase letter, an
/// ASCII decimal digit or `_` (the bytes of a conntrack TCP state word).
#[cfg_attr(not(tcpcount_small), inline(always))]
pub fn word_bytes(x: u64) -> u64 {
    let ascii = !x & HIGH;
    let low = x & !HIGH;
    let at_least = |v: u64, n: u64| (v + ONES * (0x80 - n)) & HIGH;
    let upper = at_least(low, 0x41) & !at_least(low, 0x5B);
    (upper & ascii) | decimal_bytes(x) | zero_bytes(x ^ (ONES * u64::from(b'_')))
}

/// How many bytes at the start of `bytes` are in a class, given the class as
/// a word mask (high bit per byte in it) and as a byte test for the last
/// partial word: whole words first, then byte by byte. Not inlined: one
/// copy per class keeps the opt-level 3 core within the size budget.
#[inline(never)]
fn leading(bytes: &[u8], mask: impl Fn(u64) -> u64, one: impl Fn(&u8) -> bool) -> usize {
    let (words, rest) = bytes.as_chunks::<8>();
    let mut n = 0;
    for word in words {
        let outside = !mask(u64::from_le_bytes(*word)) & HIGH;
        if outside != 0 {
            // Little-endian load: the first byte is the lowest.
            return n + (outside.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    n + rest.iter().take_while(|b| one(b)).count()
}

/// How many spaces `bytes` starts with.
#[cfg_attr(not(tcpcount_small), inline(always))]
pub fn leading_spaces(bytes: &[u8]) -> usize {
    leading(
        bytes,
        |x| zero_bytes(x ^ (ONES * u64::from(b' '))),
        |&b| b == b' ',
    )
}

/// How many ASCII decimal digits `bytes` starts with.
#[cfg_attr(not(tcpcount_small), inline(always))]
pub fn leading_digits(bytes: &[u8]) -> usize {
    leading(bytes, decimal_bytes, u8::is_ascii_digit)
}

/// The value of up to eight hex digits already known to be hex digits
/// (either case), loaded big-endian into `x` so that the first digit is the
/// most significant; zero bytes above the digits count as leading zeros
/// (`u64::from(u32::from_be_bytes(four_digits))` decodes four). Eight digits
/// take a handful of shifts and masks instead of a loop: a letter has bit 6
/// set and its nibble is its low four bits plus 9, then adjacent nibbles are
/// gathered pairwise. Bytes that are not hex digits give a meaningless value
/// (never a panic): callers pass only checked bytes.
#[cfg_attr(not(tcpcount_small), inline(always))]
pub fn hex_word(x: u64) -> u32 {
    let nibbles = (x & (ONES * 0x0F)) + 9 * ((x >> 6) & ONES);
    let bytes = (nibbles | (nibbles >> 4)) & 0x00FF_00FF_00FF_00FF;
    let pairs = (bytes | (bytes >> 8)) & 0x0000_FFFF_0000_FFFF;
    (pairs | (pairs >> 16)) as u32
}

/// The high bit of each byte of `x` that is a space.
#[cfg_attr(not(tcpcount_small), inline(always))]
pub fn space_bytes(x: u64) -> u64 {
    zero_bytes(x ^ (ONES * u64::from(b' ')))
}

/// Whether the bytes of `x` that `field` marks (high bit per byte, a run of
/// whole bytes) are spaces, then at least one ASCII decimal digit up to the
/// field's last byte: a right-aligned `%Nd` column with no sign. Two
/// comparisons of masks instead of a scan: every space must lie below the
/// lowest digit.
#[cfg_attr(not(tcpcount_small), inline(always))]
pub fn right_aligned_decimal(x: u64, field: u64) -> bool {
    let digits = decimal_bytes(x) & field;
    let spaces = space_bytes(x) & field;
    // Every space below the lowest digit (and a digit at all: with none,
    // `lowest_digit` is 0 and nothing is below it).
    let lowest_digit = digits & digits.wrapping_neg();
    digits | spaces == field && spaces < lowest_digit
}

/// The value of eight bytes loaded little-endian (the first byte the most
/// significant digit), each an ASCII decimal digit or a space (counted as a
/// leading zero): three multiply-and-gather steps instead of a loop (the
/// simdjson reduction). Other bytes give a meaningless value, never a
/// panic: callers pass only checked bytes.
#[cfg_attr(not(tcpcount_small), inline(always))]
pub fn decimal_word(x: u64) -> u32 {
    // '0'..='9' and ' ' keep their value (0 for a space) in the low nibble.
    let digits = x & (ONES * 0x0F);
    // Adjacent digits into pairs (10 * first + second) in every other byte.
    let pairs = digits.wrapping_mul(10).wrapping_add(digits >> 8);
    const MASK: u64 = 0x0000_00FF_0000_00FF;
    const MUL1: u64 = 100 + (1_000_000 << 32);
    const MUL2: u64 = 1 + (10_000 << 32);
    ((pairs & MASK)
        .wrapping_mul(MUL1)
        .wrapping_add(((pairs >> 16) & MASK).wrapping_mul(MUL2))
        >> 32) as u32
}

/// How many 8-byte words cover `len` bytes.
pub const fn words(len: usize) -> usize {
    len.div_ceil(8)
}

/// A fixed-width layout as 8-byte words, each byte given as byte ranges it
/// must fall in: a hex digit is `'0'..='9'` or, lowercased (`| 0x20`),
/// `'a'..='f'`; a separator is the one-byte range of itself. A range check
/// of a byte below 0x80 is two additions whose carries land in its high bit
/// (`+ (0x80 - lo)` sets it iff the byte is `>= lo`, `+ (0x7F - hi)` iff it
/// is `> hi`), so per-byte bounds held as word constants check eight bytes
/// of any mix of columns in about a dozen operations. Bytes past the
/// layout's end (in the last word) are not checked.
#[derive(Debug)]
pub struct Template<const WORDS: usize> {
    /// `0x80 - lo` of each byte's digit or separator range (0: empty).
    at_least: [u64; WORDS],
    /// `0x7F - hi` of each byte's digit or separator range.
    at_most: [u64; WORDS],
    /// `0x80 - b'a'` where a byte may be a letter `a-f` once lowercased.
    letter: [u64; WORDS],
    /// The high bit of each byte checked.
    checked: [u64; WORDS],
}

/// `0x7F - b'f'`: the letters' upper bound, the same in every byte.
const LETTER_AT_MOST: u64 = ONES * (0x7F - b'f' as u64);

impl<const WORDS: usize> Template<WORDS> {
    /// The template of `fixed` with each column at its shortest width. Only
    /// evaluated at compile time, where an index out of bounds (a `WORDS`
    /// too small for the layout) is a build error, not a panic.
    #[allow(clippy::indexing_slicing)]
    pub const fn new(fixed: &Fixed) -> Template<WORDS> {
        let mut t = Template {
            at_least: [0; WORDS],
            at_most: [0; WORDS],
            letter: [0; WORDS],
            checked: [0; WORDS],
        };
        let mut at = 0;
        let mut c = 0;
        while c < FIXED_COLUMNS {
            let column = fixed.columns[c];
            let mut d = 0;
            while d < column.digits + 1 {
                let (lo, hi) = if d < column.digits {
                    t.letter[at / 8] |= (0x80 - b'a' as u64) << ((at % 8) * 8);
                    (b'0', b'9')
                } else {
                    (column.then, column.then)
                };
                let shift = (at % 8) * 8;
                t.at_least[at / 8] |= (0x80 - lo as u64) << shift;
                t.at_most[at / 8] |= (0x7F - hi as u64) << shift;
                t.checked[at / 8] |= 0x80 << shift;
                at += 1;
                d += 1;
            }
            c += 1;
        }
        t
    }

    /// The high bit of each byte of `x` in its ranges.
    #[cfg_attr(not(tcpcount_small), inline(always))]
    fn in_ranges(x: u64, at_least: u64, at_most: u64, letter: u64) -> u64 {
        let low = x & !HIGH;
        let digit_or_separator = (low + at_least) & !(low + at_most);
        let lower = low | (ONES * 0x20);
        let letter = (lower + letter) & !(lower + LETTER_AT_MOST);
        (digit_or_separator | letter) & !x & HIGH
    }

    /// Whether `bytes` starts with the template (and is long enough to read
    /// whole words).
    #[cfg_attr(not(tcpcount_small), inline(always))]
    pub fn matches(&self, bytes: &[u8]) -> bool {
        let Some(words) = bytes.as_chunks::<8>().0.get(..WORDS) else {
            return false;
        };
        // Words two at a time into two lanes of accumulated wrong bits:
        // independent chains that the compiler turns into 128-bit operations
        // where it has them (SSE2 on x86_64), then the odd last word.
        let mut wrong = [0u64; 2];
        let (pairs, last) = words.as_chunks::<2>();
        let (at_least_pairs, at_least_last) = self.at_least.as_chunks::<2>();
        let (at_most_pairs, at_most_last) = self.at_most.as_chunks::<2>();
        let (letter_pairs, letter_last) = self.letter.as_chunks::<2>();
        let (checked_pairs, checked_last) = self.checked.as_chunks::<2>();
        for ((((pair, at_least), at_most), letter), checked) in pairs
            .iter()
            .zip(at_least_pairs)
            .zip(at_most_pairs)
            .zip(letter_pairs)
            .zip(checked_pairs)
        {
            let [a, b] = *pair;
            let x = [u64::from_le_bytes(a), u64::from_le_bytes(b)];
            for lane in 0..2 {
                if let (Some(w), Some(&x), Some(&lo), Some(&hi), Some(&l), Some(&c)) = (
                    wrong.get_mut(lane),
                    x.get(lane),
                    at_least.get(lane),
                    at_most.get(lane),
                    letter.get(lane),
                    checked.get(lane),
                ) {
                    *w |= Self::in_ranges(x, lo, hi, l) ^ c;
                }
            }
        }
        for ((((word, at_least), at_most), letter), checked) in last
            .iter()
            .zip(at_least_last)
            .zip(at_most_last)
            .zip(letter_last)
            .zip(checked_last)
        {
            let ok = Self::in_ranges(u64::from_le_bytes(*word), *at_least, *at_most, *letter);
            if let Some(w) = wrong.first_mut() {
                *w |= ok ^ checked;
            }
        }
        wrong == [0, 0]
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::tcp::layout::{V4, V6};

    /// xorshift64: enough to spread test words over all byte values.
    fn words_for_test() -> impl Iterator<Item = u64> {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let interesting = [
            b'0', b'9', b'a', b'f', b'A', b'F', b'/', b':', b'@', b'G', b'`', b'g', 0, 0x80, 0xB0,
            0xFF,
        ];
        (0..20_000).map(move |i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if i % 2 == 0 {
                // Bytes from the interesting set, where the masks' edges are.
                u64::from_le_bytes(core::array::from_fn(|k| {
                    interesting[((x >> (k * 4)) & 15) as usize]
                }))
            } else {
                x
            }
        })
    }

    /// Each byte-class mask against its one-line naive oracle, on every
    /// test word and on every byte value repeated across a word.
    #[test]
    fn test_byte_masks_against_naive() {
        type Case = (&'static str, fn(u64) -> u64, fn(u8) -> bool);
        let cases: [Case; 4] = [
            ("space_bytes", space_bytes, |b| b == b' '),
            ("word_bytes", word_bytes, |b| {
                b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'
            }),
            ("decimal_bytes", decimal_bytes, |b| b.is_ascii_digit()),
            ("zero_bytes", zero_bytes, |b| b == 0),
        ];
        for (name, mask, naive_byte) in cases {
            let naive = |x: u64| {
                (x.to_le_bytes().into_iter().enumerate()).fold(0u64, |m, (i, b)| {
                    m | (u64::from(naive_byte(b)) << (i * 8 + 7))
                })
            };
            let every_byte = (0..=255u8).map(|b| u64::from(b) * ONES);
            for x in words_for_test().chain(every_byte) {
                assert_eq!(mask(x), naive(x), "{name}({x:#018x})");
            }
        }
    }

    #[test]
    fn test_leading_runs_against_naive() {
        let cases: &[&[u8]] = &[
            b"",
            b" ",
            b"0",
            b"     0        0 12345 1",
            b"        ",
            b"         ",
            b"1234567890123456789 x",
            b"12345678",
            b"123456789",
            b"  \t 9",
            b"99999: 0100",
            b"0123456789abcdef",
            b"\x00 \x80\xB0",
        ];
        for &case in cases {
            for start in 0..case.len().max(1) {
                let bytes = case.get(start..).unwrap_or_default();
                let spaces = bytes.iter().take_while(|&&b| b == b' ').count();
                let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
                assert_eq!(leading_spaces(bytes), spaces, "{bytes:?}");
                assert_eq!(leading_digits(bytes), digits, "{bytes:?}");
            }
        }
        for x in words_for_test() {
            let bytes = [x.to_le_bytes(), (x >> 3).to_le_bytes()].concat();
            let spaces = bytes.iter().take_while(|&&b| b == b' ').count();
            let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            assert_eq!(leading_spaces(&bytes), spaces, "{bytes:?}");
            assert_eq!(leading_digits(&bytes), digits, "{bytes:?}");
        }
    }

    /// `hex_word` against `u32::from_str_radix` on eight and on four
    /// digits: every digit value in both cases at every position, and
    /// random digit strings.
    #[test]
    fn test_hex_word_against_naive() {
        let alphabet = b"0123456789abcdefABCDEF";
        let mut cases: Vec<[u8; 8]> = Vec::new();
        for at in 0..8 {
            for &d in alphabet {
                let mut digits = *b"0f9A5c3E";
                digits[at] = d;
                cases.push(digits);
            }
        }
        cases.extend(
            words_for_test()
                .map(|x| core::array::from_fn(|k| alphabet[((x >> (k * 5)) % 22) as usize])),
        );
        cases.extend([*b"00000000", *b"FFFFFFFF", *b"ffffffff", *b"0100007F"]);
        for digits in cases {
            let text = core::str::from_utf8(&digits).unwrap();
            let naive = u32::from_str_radix(text, 16).unwrap();
            assert_eq!(hex_word(u64::from_be_bytes(digits)), naive, "{text}");
            let four: [u8; 4] = digits[4..].try_into().unwrap();
            let naive = u32::from_str_radix(&text[4..], 16).unwrap();
            let x = u64::from(u32::from_be_bytes(four));
            assert_eq!(hex_word(x), naive, "{}", &text[4..]);
        }
    }

    /// The naive oracle of a template: each column's digits are hex, then
    /// its separator.
    fn naive_matches(fixed: &Fixed, bytes: &[u8]) -> bool {
        let mut at = 0;
        fixed.columns.iter().all(|c| {
            let ok = bytes
                .get(at..at + c.digits)
                .is_some_and(|d| d.iter().all(u8::is_ascii_hexdigit))
                && bytes.get(at + c.digits) == Some(&c.then);
            at += c.digits + 1;
            ok
        })
    }

    #[test]
    fn test_template_against_naive() {
        const T4: Template<{ words(V4.len) }> = Template::new(&V4);
        const T6: Template<{ words(V6.len) }> = Template::new(&V6);
        let v4: &[u8] =
            b"0100007F:1F90 0A00020F:C350 01 00000010:00000020 02:000016A8 00000000     0";
        let v6: &[u8] = b"00000000000000000000000001000000:1F90 0000000000000000FFFF00000100007F:D2A4 0A 00000000:00000002 00:00000000 00000000  1000";
        let replacements = [0u8, b' ', b':', b'0', b'f', b'F', b'g', b'G', 0x80, 0xFF];
        for (fixed, row, matches) in [
            (
                &V4,
                v4,
                &(|b: &[u8]| T4.matches(b)) as &dyn Fn(&[u8]) -> bool,
            ),
            (&V6, v6, &|b: &[u8]| T6.matches(b)),
        ] {
            assert!(matches(row) && naive_matches(fixed, row));
            for at in 0..row.len() {
                for byte in replacements {
                    let mut mutated = row.to_vec();
                    mutated[at] = byte;
                    // Whole words are read, so a row must reach the last word.
                    let expected = naive_matches(fixed, &mutated);
                    assert_eq!(matches(&mutated), expected, "byte {at} = {byte:#x}");
                }
                let cut = &row[..at];
                let whole_words = cut.len() >= words(fixed.len) * 8;
                assert_eq!(
                    matches(cut),
                    whole_words && naive_matches(fixed, cut),
                    "cut at {at}"
                );
            }
        }
    }

    /// `right_aligned_decimal` against its naive oracle (the marked bytes
    /// are spaces, then at least one digit to the field's end) on every test
    /// word and every field of one to eight bytes starting at byte 0, and
    /// `decimal_word` against `str::parse` on the words it is given (digits
    /// and spaces, right-aligned).
    #[test]
    fn test_right_aligned_decimal_against_naive() {
        let naive = |x: u64, len: usize| {
            let bytes = &x.to_le_bytes()[..len];
            let spaces = bytes.iter().take_while(|&&b| b == b' ').count();
            spaces < len && bytes[spaces..].iter().all(u8::is_ascii_digit)
        };
        let fields = (1..=8).map(|len| (len, HIGH >> (8 * (8 - len))));
        let mut words: Vec<u64> = words_for_test().collect();
        for text in [
            "       0",
            "    1000",
            "   65534",
            "12345678",
            "  4294967",
            "        ",
            "0       ",
            " 1 2    ",
            "  -1    ",
            "00000000",
            "99999999",
            "     \x009",
        ] {
            let mut word = [b' '; 8];
            for (w, b) in word.iter_mut().zip(text.bytes()) {
                *w = b;
            }
            words.push(u64::from_le_bytes(word));
        }
        for x in words {
            for (len, field) in fields.clone() {
                let expected = naive(x, len);
                assert_eq!(
                    right_aligned_decimal(x, field),
                    expected,
                    "{x:#018x} in {len}"
                );
                if expected && len == 8 {
                    let text = core::str::from_utf8(&x.to_le_bytes())
                        .unwrap()
                        .trim_start()
                        .to_owned();
                    assert_eq!(decimal_word(x), text.parse::<u32>().unwrap(), "{text:?}");
                }
            }
        }
        for n in [
            0u32, 1, 9, 10, 99, 100, 1000, 65534, 99_999, 1_234_567, 99_999_999,
        ] {
            let text = format!("{n:>8}");
            let x = u64::from_le_bytes(text.as_bytes().try_into().unwrap());
            assert!(right_aligned_decimal(x, HIGH), "{text:?}");
            assert_eq!(decimal_word(x), n, "{text:?}");
        }
    }

    #[test]
    fn test_zero_byte_mask() {
        for b in 0..=255u8 {
            let word = u64::from_le_bytes([b, b'0', 0, b'f', b'F', b'g', 0xFF, b'/']);
            assert_eq!(zero_bytes(word) & 0x80 != 0, b == 0, "{b:#x}");
            assert_eq!(zero_bytes(word) >> 8, 0x0000_0000_0000_8000, "{b:#x}");
        }
    }
}
