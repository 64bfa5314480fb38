//! One row of `/proc/net/tcp` or `/proc/net/tcp6`, parsed in place, by the
//! columns [`layout`](super::layout) names. [`Row::parse`] checks every field
//! up to the inode and ignores what follows, since that tail (reference count,
//! a kernel pointer as wide as the machine's, timers, a `-1` on some rows)
//! differs between kernels and socket kinds. A fast path checks the
//! fixed-width part with one [`Template`] match, keyed on the `:` after `sl`
//! whatever its width; the field-by-field path decides every row the fast path
//! is unsure of and names the field at fault. The fast path checks the
//! decimal tail in the kernel's usual widths a word at a time, and otherwise
//! hands it to the parser of the tail both paths share. Addresses, ports and
//! queues stay as borrowed hex and are decoded only when asked for.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::ops::Range;

use super::layout::{
    ADDRESS_END, Column, Family, Field, PAD, SLOT_END, TIMEOUT_WIDTH, UID_WIDTH, V4, V6,
};
use super::swar::{
    HIGH, Template, decimal_bytes, decimal_word, hex_word, leading_digits, leading_spaces,
    right_aligned_decimal, space_bytes, words,
};
use crate::error::ErrorKind;
use crate::state::TcpState;

/// A view of one validated row, borrowing the line it was parsed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Row<'a> {
    family: Family,
    state: u8,
    /// The validated fixed-width part, from the local address to `rx_queue`;
    /// the other fields are decoded from it when asked for.
    fixed: &'a [u8],
    uid: u32,
}

impl<'a> Row<'a> {
    /// Parses one line (without its newline). Every field up to and including
    /// the inode must be present and well formed; what follows is not read.
    pub fn parse(line: &'a [u8]) -> Result<Row<'a>, ErrorKind> {
        fast_parse(line).unwrap_or_else(|| slow_parse(line))
    }

    /// IPv4 or IPv6, from the width of the addresses.
    pub fn family(&self) -> Family {
        self.family
    }

    /// The state's kernel code as printed (`st`), known or not.
    pub fn state_code(&self) -> u8 {
        self.state
    }

    /// The state, or `None` for a code this crate does not know.
    pub fn state(&self) -> Option<TcpState> {
        TcpState::from_code(self.state)
    }

    /// The value of the fixed-width hex field of `N` digits (4 or 8: ports,
    /// queues) that starts at `v4` or `v6` (by family) in the fixed part,
    /// checked when the row was parsed: decoded word-at-a-time, offsets
    /// constant once inlined.
    #[cfg_attr(not(tcpcount_small), inline(always))]
    fn value<const N: usize>(&self, v4: Range<usize>, v6: Range<usize>) -> u32 {
        let start = match self.family {
            Family::Ipv4 => v4.start,
            Family::Ipv6 => v6.start,
        };
        let Some(digits) = self.fixed.get(start..).and_then(<[u8]>::first_chunk::<N>) else {
            return 0;
        };
        let mut word = [0u8; 8];
        if let Some(low) = word.last_chunk_mut::<N>() {
            *low = *digits;
        }
        hex_word(u64::from_be_bytes(word))
    }

    /// The local address. The kernel prints each 32-bit word of an address in
    /// the byte order of the machine that wrote the table, so this is right
    /// for a table read on the machine that runs this code.
    #[inline]
    pub fn local_ip(&self) -> IpAddr {
        self.address(V4.local_address.start, V6.local_address.start)
    }

    /// The local port.
    pub fn local_port(&self) -> u16 {
        self.value::<4>(V4.local_port, V6.local_port) as u16
    }

    /// The remote address (see [`Row::local_ip`] on byte order).
    #[inline]
    pub fn remote_ip(&self) -> IpAddr {
        self.address(V4.remote_address.start, V6.remote_address.start)
    }

    /// The address whose digits start at `v4` or `v6` (by family) in the
    /// fixed part: one bounds check, then eight digits at a time with no
    /// re-validation (both paths checked every digit before a [`Row`]
    /// exists). Each 32-bit word is printed native-endian.
    #[cfg_attr(not(tcpcount_small), inline(always))]
    fn address(&self, v4: usize, v6: usize) -> IpAddr {
        let word = |digits: &[u8; 8]| hex_word(u64::from_be_bytes(*digits)).to_ne_bytes();
        match self.family {
            Family::Ipv4 => {
                let hex = self.fixed.get(v4..).and_then(<[u8]>::first_chunk::<8>);
                IpAddr::V4(Ipv4Addr::from(hex.map_or([0; 4], word)))
            }
            Family::Ipv6 => {
                let mut bytes = [0u8; 16];
                if let Some(hex) = self.fixed.get(v6..).and_then(<[u8]>::first_chunk::<32>) {
                    for (out, digits) in bytes
                        .as_chunks_mut::<4>()
                        .0
                        .iter_mut()
                        .zip(hex.as_chunks::<8>().0)
                    {
                        *out = word(digits);
                    }
                }
                IpAddr::V6(Ipv6Addr::from(bytes))
            }
        }
    }

    /// The remote port.
    pub fn remote_port(&self) -> u16 {
        self.value::<4>(V4.remote_port, V6.remote_port) as u16
    }

    /// `tx_queue`: bytes in the send queue (for a listener, its backlog limit
    /// on some kernels; not meaningful for counting).
    pub fn tx_queue(&self) -> u32 {
        self.value::<8>(V4.tx_queue, V6.tx_queue)
    }

    /// `rx_queue`: bytes in the receive queue, or for a `LISTEN` row the
    /// number of connections waiting to be accepted.
    pub fn rx_queue(&self) -> u32 {
        self.value::<8>(V4.rx_queue, V6.rx_queue)
    }

    /// The owner's uid.
    pub fn uid(&self) -> u32 {
        self.uid
    }
}

/// The field-by-field parser: slower, but it names the field at fault. It
/// decides every row the fast path is unsure of.
fn slow_parse(line: &[u8]) -> Result<Row<'_>, ErrorKind> {
    let mut cur = Cursor { rest: line };
    cur.skip_spaces();
    if cur.digits().is_empty() {
        return Err(cur.missing_or_bad(Field::Slot));
    }
    let [colon, space] = *SLOT_END;
    cur.separator(colon, Field::Slot, Field::Slot)?;
    cur.separator(space, Field::Slot, Field::LocalAddress)?;

    let family = cur.family()?;
    let fixed = family.fixed();
    let fixed_start = cur.rest;
    let mut columns = fixed.columns.iter().peekable();
    while let Some(column) = columns.next() {
        let next = columns.peek().map_or(Field::Uid, |c| c.field);
        cur.column(column)?;
        cur.separator(column.then, column.field, next)?;
    }
    let kept = fixed_start.get(..fixed.kept).unwrap_or_default();
    let state = kept
        .get(fixed.state.clone())
        .and_then(hex_value)
        .ok_or(ErrorKind::BadField(Field::State))?;
    let uid = cur.tail()?;
    Ok(Row {
        family,
        // It fits: two hex digits.
        state: state as u8,
        fixed: kept,
        uid,
    })
}

const TEMPLATE_V4: Template<{ words(V4.len) }> = Template::new(&V4);
const TEMPLATE_V6: Template<{ words(V6.len) }> = Template::new(&V6);

/// The fast path for the rows the kernel writes: `sl` of any width up to its
/// `:` (found in the first word), then the fixed-width part (with an 8-digit
/// `tm->when`) checked eight bytes at a time against the family's
/// [`Template`], then the decimal tail in its usual widths ([`fast_tail`]),
/// or else by the shared [`Cursor::tail`]. `None` means "not sure": the
/// field-by-field parser then decides, so both paths accept exactly the same
/// rows and report the same errors.
#[cfg_attr(not(tcpcount_small), inline(always))]
fn fast_parse(line: &[u8]) -> Option<Result<Row<'_>, ErrorKind>> {
    let rest = after_slot(line)?;
    // Only the template is per family; what follows is one copy, with the
    // family's offsets chosen, to keep the code small.
    let (family, matched, state, len, kept) = match rest.get(V4.local_address.end) {
        Some(&ADDRESS_END) => (
            Family::Ipv4,
            TEMPLATE_V4.matches(rest),
            V4.state.start,
            V4.len,
            V4.kept,
        ),
        _ => (
            Family::Ipv6,
            TEMPLATE_V6.matches(rest),
            V6.state.start,
            V6.len,
            V6.kept,
        ),
    };
    if !matched {
        return None;
    }
    // Two digits the template checked.
    let state = rest.get(state..)?.first_chunk::<2>()?;
    let state = hex_word(u64::from(u16::from_be_bytes(*state))) as u8;
    let tail = rest.get(len..)?;
    let uid = match fast_tail(tail) {
        Some(uid) => Ok(uid),
        None => Cursor { rest: tail }.tail(),
    };
    Some(uid.map(|uid| Row {
        family,
        state,
        fixed: rest.get(..kept).unwrap_or_default(),
        uid,
    }))
}

/// What follows `sl` and its [`SLOT_END`], if `sl` (padding, then at least
/// one digit) ends within the first eight bytes; `None` if not sure. One
/// word's byte masks instead of two scans: the first byte that is neither a
/// space nor a digit must be the `:`, and before it every space must come
/// before every digit.
#[cfg_attr(not(tcpcount_small), inline(always))]
fn after_slot(line: &[u8]) -> Option<&[u8]> {
    let x = u64::from_le_bytes(*line.first_chunk::<8>()?);
    let other = !(space_bytes(x) | decimal_bytes(x)) & HIGH;
    // The high bits of the bytes before the first other byte (all eight if
    // there is none: then `sl` ends at the ninth byte or later).
    let before = (other & other.wrapping_neg()).wrapping_sub(1) & HIGH;
    let colon = (other.trailing_zeros() / 8) as usize;
    if !right_aligned_decimal(x, before) {
        return None;
    }
    if line.get(colon..colon + SLOT_END.len())? != SLOT_END {
        return None;
    }
    line.get(colon + SLOT_END.len()..)
}

/// The decimal tail in the widths the kernel pads it to ([`UID_WIDTH`],
/// [`TIMEOUT_WIDTH`]; the usual case: a uid below 100000, a timeout that is
/// not negative, an inode of 1 to 15 digits followed by a space), checked
/// and the uid decoded a word at a time. `Some(uid)` only for a tail
/// [`Cursor::tail`] accepts with that uid; `None` means "not sure", and
/// [`Cursor::tail`] decides.
#[cfg_attr(not(tcpcount_small), inline(always))]
fn fast_tail(tail: &[u8]) -> Option<u32> {
    const UID_FIELD: u64 = HIGH >> (8 * (8 - UID_WIDTH));
    let uid = u64::from_le_bytes(*tail.first_chunk::<8>()?);
    let timeout = tail.get(UID_WIDTH + 1..)?.first_chunk::<8>()?;
    let timeout = u64::from_le_bytes(*timeout);
    let ok = right_aligned_decimal(uid, UID_FIELD)
        && right_aligned_decimal(timeout, HIGH)
        && tail.get(UID_WIDTH) == Some(&PAD);
    // A space, then the inode's digits and a space.
    let Some((&PAD, inode)) = tail.get(UID_WIDTH + 1 + TIMEOUT_WIDTH..)?.split_first() else {
        return None;
    };
    if !ok {
        return None;
    }
    let mut digits = 0;
    for word in inode.as_chunks::<8>().0.iter().take(2) {
        let x = u64::from_le_bytes(*word);
        let outside = !decimal_bytes(x) & HIGH;
        if outside != 0 {
            let at = outside.trailing_zeros() / 8;
            let ends = (x >> (at * 8)) as u8 == PAD;
            return (ends && (digits > 0 || at > 0))
                .then(|| decimal_word(uid << (8 * (8 - UID_WIDTH))));
        }
        digits += 8;
    }
    None
}

const fn hex_digit(byte: u8) -> Option<u32> {
    match byte {
        b'0'..=b'9' => Some((byte - b'0') as u32),
        b'A'..=b'F' => Some((byte - b'A' + 10) as u32),
        b'a'..=b'f' => Some((byte - b'a' + 10) as u32),
        _ => None,
    }
}

/// The value of at most 8 hex digits, or `None` if one is not a hex digit.
#[cfg_attr(not(tcpcount_small), inline(always))]
fn hex_value(digits: &[u8]) -> Option<u32> {
    digits
        .iter()
        .try_fold(0u32, |acc, &b| Some((acc << 4) | hex_digit(b)?))
}

/// The unread part of a line, consumed field by field.
struct Cursor<'a> {
    rest: &'a [u8],
}

impl<'a> Cursor<'a> {
    #[inline]
    fn skip_spaces(&mut self) {
        let n = leading_spaces(self.rest);
        self.rest = self.rest.get(n..).unwrap_or_default();
    }

    /// Takes the leading run of ASCII digits (possibly empty).
    #[inline]
    fn digits(&mut self) -> &'a [u8] {
        let n = leading_digits(self.rest);
        let (digits, rest) = self.rest.split_at_checked(n).unwrap_or_default();
        self.rest = rest;
        digits
    }

    /// The error for a field that is absent here: truncated if the line ended.
    fn missing_or_bad(&self, field: Field) -> ErrorKind {
        if self.rest.is_empty() {
            ErrorKind::Truncated(field)
        } else {
            ErrorKind::BadField(field)
        }
    }

    /// Consumes `byte`, which ends field `before` and starts field `after`.
    #[inline]
    fn separator(&mut self, byte: u8, before: Field, after: Field) -> Result<(), ErrorKind> {
        match self.rest.split_first() {
            Some((&b, rest)) if b == byte => {
                self.rest = rest;
                Ok(())
            }
            Some(_) => Err(ErrorKind::BadField(before)),
            None => Err(ErrorKind::Truncated(after)),
        }
    }

    /// Tells the family from where the colon after the local address is.
    fn family(&self) -> Result<Family, ErrorKind> {
        for family in [Family::Ipv4, Family::Ipv6] {
            match self.rest.get(family.fixed().local_address.end) {
                Some(&ADDRESS_END) => return Ok(family),
                Some(_) => {}
                None => return Err(ErrorKind::Truncated(Field::LocalAddress)),
            }
        }
        Err(ErrorKind::BadField(Field::LocalAddress))
    }

    /// Takes one fixed-width column's hex digits: exactly `digits` of them,
    /// or for a column of variable width (`tm->when`) the whole run, which
    /// must end before the line does and have `digits..=max_digits` digits.
    fn column(&mut self, column: &Column) -> Result<(), ErrorKind> {
        let field = column.field;
        let n = if column.max_digits == column.digits {
            column.digits
        } else {
            let n = self
                .rest
                .iter()
                .take_while(|b| b.is_ascii_hexdigit())
                .count();
            if n == self.rest.len() {
                return Err(ErrorKind::Truncated(field));
            }
            if !(column.digits..=column.max_digits).contains(&n) {
                return Err(ErrorKind::BadField(field));
            }
            n
        };
        let (digits, rest) = self
            .rest
            .split_at_checked(n)
            .ok_or(ErrorKind::Truncated(field))?;
        if !digits.iter().all(u8::is_ascii_hexdigit) {
            return Err(ErrorKind::BadField(field));
        }
        self.rest = rest;
        Ok(())
    }

    /// The decimal tail after the fixed-width part, shared by both paths:
    /// padding and `uid`, a space, padding and `timeout` (may be negative),
    /// a space, padding and `inode`, then the end or a space. Returns the uid.
    /// One copy for both paths: inlining it twice at opt-level 3 cost about
    /// 300 bytes of the static build for no measured gain.
    #[inline(never)]
    fn tail(&mut self) -> Result<u32, ErrorKind> {
        self.skip_spaces();
        let uid = self.decimal_u32(Field::Uid)?;
        self.separator(PAD, Field::Uid, Field::Timeout)?;
        self.skip_spaces();
        self.signed_number(Field::Timeout)?;
        self.separator(PAD, Field::Timeout, Field::Inode)?;
        self.skip_spaces();
        if self.digits().is_empty() {
            return Err(self.missing_or_bad(Field::Inode));
        }
        if !matches!(self.rest.first(), None | Some(&PAD)) {
            return Err(ErrorKind::BadField(Field::Inode));
        }
        Ok(uid)
    }

    #[inline]
    fn decimal_u32(&mut self, field: Field) -> Result<u32, ErrorKind> {
        let digits = self.digits();
        if digits.is_empty() {
            return Err(self.missing_or_bad(field));
        }
        digits
            .iter()
            .try_fold(0u32, |acc, &b| {
                acc.checked_mul(10)?.checked_add(u32::from(b - b'0'))
            })
            .ok_or(ErrorKind::BadField(field))
    }

    /// An optional `-` and at least one digit.
    #[inline]
    fn signed_number(&mut self, field: Field) -> Result<(), ErrorKind> {
        if let Some((b'-', rest)) = self.rest.split_first() {
            self.rest = rest;
        }
        if self.digits().is_empty() {
            return Err(self.missing_or_bad(field));
        }
        Ok(())
    }
}

#[cfg(test)]
mod test {
    use super::*;

    // Real rows from a 6.x x86_64 kernel.
    const V4_LISTEN: &[u8] = b"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0                     ";
    const V4_TIME_WAIT: &[u8] =
        b"   3: 0100007F:9C4E 0100007F:1F90 06 00000000:00000000 03:000016A8 00000000     0        0 0 3 0000000000000000";
    const V6_ESTABLISHED: &[u8] = b"   1: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:D2A4 01 00000010:00000020 00:00000000 00000000  1000        0 54321 1 0000000000000000 20 4 30 10 -1";
    const V6_MAPPED: &[u8] = b"   2: 0000000000000000FFFF00000100007F:0050 0000000000000000FFFF00000100007F:C000 01 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 20 4 30 10 -1";

    #[test]
    fn test_ipv4_listener() {
        let row = Row::parse(V4_LISTEN).unwrap();
        assert_eq!(row.family(), Family::Ipv4);
        assert_eq!(row.state(), Some(TcpState::Listen));
        assert_eq!(row.local_port(), 8080);
        assert_eq!(row.remote_port(), 0);
        assert_eq!(row.rx_queue(), 2);
        assert_eq!(row.tx_queue(), 0);
        assert_eq!(row.uid(), 0);
        if cfg!(target_endian = "little") {
            assert_eq!(row.local_ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));
            assert_eq!(row.remote_ip(), IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        }
    }

    #[test]
    fn test_time_wait_row_has_a_short_tail() {
        let row = Row::parse(V4_TIME_WAIT).unwrap();
        assert_eq!(row.state(), Some(TcpState::TimeWait));
        assert_eq!(row.local_port(), 0x9C4E);
        assert_eq!(row.remote_port(), 8080);
    }

    #[test]
    fn test_ipv6_row() {
        let row = Row::parse(V6_ESTABLISHED).unwrap();
        assert_eq!(row.family(), Family::Ipv6);
        assert_eq!(row.state(), Some(TcpState::Established));
        assert_eq!((row.tx_queue(), row.rx_queue(), row.uid()), (16, 32, 1000));
        if cfg!(target_endian = "little") {
            assert_eq!(row.local_ip(), IpAddr::V6(Ipv6Addr::LOCALHOST));
        }
    }

    #[test]
    fn test_ipv4_mapped_row() {
        let row = Row::parse(V6_MAPPED).unwrap();
        assert_eq!(row.family(), Family::Ipv6);
        if cfg!(target_endian = "little") {
            let mapped = Ipv4Addr::LOCALHOST.to_ipv6_mapped();
            assert_eq!(row.local_ip(), IpAddr::V6(mapped));
        }
    }

    #[test]
    fn test_wide_slot_and_wide_timer() {
        let row = Row::parse(b"12345: 0100007F:0016 0100007F:C350 01 00000000:00000000 02:FFFFFFFF00000000 00000000 65534 -1 99 1 ffff000012345678").unwrap();
        assert_eq!(row.state(), Some(TcpState::Established));
        assert_eq!(row.uid(), 65534);
    }

    #[test]
    fn test_lowercase_hex_and_unknown_state() {
        let row = Row::parse(b"   0: 0100007f:0016 00000000:0000 0c 00000000:00000000 00:00000000 00000000     0        0 1").unwrap();
        assert_eq!(row.state_code(), 0x0C);
        assert_eq!(row.state(), None);
    }

    #[test]
    fn test_fast_path_takes_kernel_rows() {
        for line in [V4_LISTEN, V4_TIME_WAIT, V6_ESTABLISHED, V6_MAPPED] {
            assert_eq!(fast_parse(line), Some(Ok(slow_parse(line).unwrap())));
        }
    }

    #[test]
    fn test_fast_path_never_accepts_what_the_slow_path_rejects() {
        let replacements = [
            0u8, b' ', b':', b'-', b'G', b'g', b'a', b'F', b'0', b'9', b'\n', 0x7F, 0x80, 0xC0,
            0xFF,
        ];
        for line in [V4_LISTEN, V4_TIME_WAIT, V6_ESTABLISHED, V6_MAPPED] {
            for at in 0..line.len() {
                for &byte in &replacements {
                    let mut mutated = line.to_vec();
                    mutated[at] = byte;
                    if let Some(fast) = fast_parse(&mutated) {
                        assert_eq!(slow_parse(&mutated), fast, "byte {at} = {byte:#x}");
                    }
                }
                let cut = &line[..at];
                if let Some(fast) = fast_parse(cut) {
                    assert_eq!(slow_parse(cut), fast, "cut at {at}");
                }
            }
        }
    }

    #[test]
    fn test_fast_path_takes_every_slot_width() {
        // The kernel prints `sl` as `%4d:`: from row 10000 on the row is
        // one byte wider, from 100000 on two.
        for line in [V4_LISTEN, V6_ESTABLISHED] {
            let tail = &line[4..];
            for slot in ["0", "9999", "10000", "99999", "100000", "1234567"] {
                let wide = [format!("{slot:>4}").as_bytes(), tail].concat();
                let fast = fast_parse(&wide).unwrap();
                assert_eq!(fast, slow_parse(&wide), "sl {slot}");
                assert_eq!(fast.unwrap(), Row::parse(line).unwrap(), "sl {slot}");
            }
        }
    }

    /// The accessors against a naive decoder (one digit at a time, as
    /// `u32::from_str_radix` reads them) on rows whose hex fields are
    /// spread over all digit values and both cases, through both paths.
    #[test]
    fn test_accessors_against_naive_decoding() {
        let naive = |hex: &str| u32::from_str_radix(hex, 16).unwrap();
        let naive_ip = |hex: &str| -> IpAddr {
            let mut bytes = Vec::new();
            for i in (0..hex.len()).step_by(8) {
                bytes.extend(naive(&hex[i..i + 8]).to_ne_bytes());
            }
            match bytes.len() {
                4 => IpAddr::V4(Ipv4Addr::from(<[u8; 4]>::try_from(bytes).unwrap())),
                _ => IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(bytes).unwrap())),
            }
        };
        let alphabet = b"0123456789abcdefABCDEF";
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut hex = |n: usize| -> String {
            (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    alphabet[(x % 22) as usize] as char
                })
                .collect()
        };
        for i in 0..400 {
            let width = if i % 2 == 0 { 8 } else { 32 };
            let (la, lp, ra, rp) = (hex(width), hex(4), hex(width), hex(4));
            let (tx, rx) = (hex(8), hex(8));
            let line = format!(
                "{i:4}: {la}:{lp} {ra}:{rp} 01 {tx}:{rx} 00:00000000 00000000  1000        0 1 1"
            );
            for row in [
                Row::parse(line.as_bytes()).unwrap(),
                slow_parse(line.as_bytes()).unwrap(),
            ] {
                assert_eq!(row.local_ip(), naive_ip(&la), "{line}");
                assert_eq!(row.remote_ip(), naive_ip(&ra), "{line}");
                assert_eq!(u32::from(row.local_port()), naive(&lp), "{line}");
                assert_eq!(u32::from(row.remote_port()), naive(&rp), "{line}");
                assert_eq!(row.tx_queue(), naive(&tx), "{line}");
                assert_eq!(row.rx_queue(), naive(&rx), "{line}");
            }
        }
    }

    /// The fast tail against [`Cursor::tail`]: whenever it answers, it gives
    /// the uid the shared tail parser gives, and it answers for the tails
    /// the kernel writes (so kernel rows take it). Cases are tails as
    /// printed, then every byte of each replaced by the bytes where the
    /// masks' edges are, and every cut.
    #[test]
    fn test_fast_tail_agrees_with_the_tail_parser() {
        let taken: &[&[u8]] = &[
            b"    0        0 51445 1 00000000536dd049 100 0 0 10 0",
            b" 1000        0 4242 1 0000000000000000 20 4 30 10 -1",
            b"65534        3 1 1 0000000000000000",
            b"99999 99999999 123456789012345 1",
            b"    0        0 0 3 0000000000000000",
            b"    0        0 12345678 1 0000000000000000",
            b"    0        0 123456789 1 0000000000000000",
        ];
        let declined: &[&[u8]] = &[
            b"100000        0 1 1",
            b"    0       -1 1 1",
            b"    0        0 12345",
            b"    0        0 1234567890123456 1",
            b"     0       0 1 1",
            b"    0         0 1 1",
            b"    0        0  1 1",
            b"    0        0 1",
        ];
        let oracle = |tail: &[u8]| Cursor { rest: tail }.tail();
        for &tail in taken {
            assert_eq!(fast_tail(tail).map(Ok), Some(oracle(tail)), "{tail:?}");
        }
        for &tail in declined {
            assert_eq!(fast_tail(tail), None, "{tail:?}");
        }
        let bytes = [
            0u8, b' ', b'-', b'0', b'5', b'9', b'/', b':', b'a', b'\t', 0x80, 0xB0,
        ];
        for &tail in taken.iter().chain(declined) {
            for at in 0..tail.len() {
                for byte in bytes {
                    let mut mutated = tail.to_vec();
                    mutated[at] = byte;
                    if let Some(uid) = fast_tail(&mutated) {
                        assert_eq!(Ok(uid), oracle(&mutated), "{mutated:?}");
                    }
                }
                if let Some(uid) = fast_tail(&tail[..at]) {
                    assert_eq!(Ok(uid), oracle(&tail[..at]), "cut at {at}");
                }
            }
        }
    }

    /// `after_slot` against the field-by-field reading of `sl`: where it
    /// answers, it is the rest after `sl`'s `: `, and it answers for every
    /// width up to 7 digits.
    #[test]
    fn test_after_slot_against_the_slow_path() {
        let naive = |line: &[u8]| -> Option<usize> {
            let mut cur = Cursor { rest: line };
            cur.skip_spaces();
            if cur.digits().is_empty() {
                return None;
            }
            let [colon, space] = *SLOT_END;
            cur.separator(colon, Field::Slot, Field::Slot).ok()?;
            cur.separator(space, Field::Slot, Field::LocalAddress)
                .ok()?;
            Some(line.len() - cur.rest.len())
        };
        let mut lines: Vec<Vec<u8>> = Vec::new();
        for slot in [
            "0", "9", "42", "9999", "10000", "123456", "1234567", "12345678",
        ] {
            for pad in 0..6 {
                lines.push(format!("{}{slot}: 0100007F:1F90", " ".repeat(pad)).into_bytes());
            }
        }
        let replacements = [
            0u8, b' ', b':', b'0', b'9', b'/', b';', b'a', b'\t', 0x80, 0xBA,
        ];
        for line in lines.clone() {
            for at in 0..10 {
                for byte in replacements {
                    let mut mutated = line.clone();
                    mutated[at] = byte;
                    lines.push(mutated);
                }
            }
        }
        for line in &lines {
            let expected = naive(line);
            match after_slot(line) {
                Some(rest) => assert_eq!(Some(line.len() - rest.len()), expected, "{line:?}"),
                None => assert!(expected.is_none_or(|n| n > 9), "{line:?}: {expected:?}"),
            }
        }
    }

    #[test]
    fn test_bad_rows() {
        use ErrorKind::{BadField as Bad, Truncated};
        use Field::*;
        let cases: &[(&[u8], ErrorKind)] = &[
            (b"", Truncated(Slot)),
            (b"    ", Truncated(Slot)),
            (b"  x0: 0100007F:0016", Bad(Slot)),
            (b"   0 0100007F:0016", Bad(Slot)),
            (b"   0:0100007F:0016", Bad(Slot)),
            (b"   0: 0100", Truncated(LocalAddress)),
            (b"   0: 0100007F0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1", Bad(LocalAddress)),
            (b"   0: 0100007G:0016 00000000:0000 0A", Bad(LocalAddress)),
            (b"   0: 0100007F:001", Truncated(LocalPort)),
            (b"   0: 0100007F:00160", Bad(LocalPort)),
            (b"   0: 0100007F:0016 ", Truncated(RemoteAddress)),
            (b"   0: 0100007F:0016 00000000000000000000000000000000:0000 0A", Bad(RemoteAddress)),
            (b"   0: 0100007F:0016 00000000:0000", Truncated(State)),
            (b"   0: 0100007F:0016 00000000:0000 0", Truncated(State)),
            (b"   0: 0100007F:0016 00000000:0000 0Z 00000000:00000000", Bad(State)),
            (b"   0: 0100007F:0016 00000000:0000 0A 0000000", Truncated(TxQueue)),
            (b"   0: 0100007F:0016 00000000:0000 0A 00000000 00000000", Bad(TxQueue)),
            (b"   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:0000000 00000000     0        0 1", Bad(TimerExpires)),
            (b"   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000", Truncated(TimerExpires)),
            (b"   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000", Truncated(Uid)),
            (b"   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     x        0 1", Bad(Uid)),
            (b"   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000 99999999999 0 1", Bad(Uid)),
            (b"   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0", Truncated(Timeout)),
            (b"   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0", Truncated(Inode)),
            (b"   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12\0", Bad(Inode)),
            (b"   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 -1", Bad(Inode)),
        ];
        for (line, expected) in cases {
            assert_eq!(
                Row::parse(line),
                Err(*expected),
                "{:?}",
                core::str::from_utf8(line)
            );
        }
    }
}
