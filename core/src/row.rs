//! One row of `/proc/net/tcp` or `/proc/net/tcp6`, parsed in place. The kernel
//! prints a row as `%4d: ADDR:PORT ADDR:PORT ST TX:RX TR:WHEN RETRNSMT UID
//! TIMEOUT INODE ...`, where everything from the colon after the row number to
//! the retransmit count is fixed-width hex, and an address is 8 hex digits for
//! IPv4 or 32 for IPv6, which is how a row tells its family. [`Row::parse`]
//! checks every field up to the inode and ignores what follows, since that tail
//! (reference count, a kernel pointer as wide as the machine's, timers, a `-1`
//! on some rows) differs between kernels and socket kinds. Addresses stay as
//! borrowed hex and are decoded only when asked for.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::TcpState;
use crate::error::{ErrorKind, Field};

/// The address family of a row, told by the width of its addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Family {
    /// 8 hex digits per address: a row of `/proc/net/tcp`.
    Ipv4,
    /// 32 hex digits per address: a row of `/proc/net/tcp6`.
    Ipv6,
}

impl Family {
    /// How many hex digits an address of this family has.
    const fn address_digits(self) -> usize {
        match self {
            Family::Ipv4 => 8,
            Family::Ipv6 => 32,
        }
    }

    /// Bytes from the local address to the end of `rx_queue`.
    const fn fixed_len(self) -> usize {
        2 * self.address_digits() + 32
    }
}

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
        fast_parse(line).map_or_else(|| slow_parse(line), Ok)
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

    /// The hex digits of a fixed-width field at `offset` in the fixed part.
    fn field(&self, offset: usize, len: usize) -> u32 {
        self.fixed
            .get(offset..offset + len)
            .and_then(hex_value)
            .unwrap_or(0)
    }

    /// The local address. The kernel prints each 32-bit word of an address in
    /// the byte order of the machine that wrote the table, so this is right
    /// for a table read on the machine that runs this code.
    pub fn local_ip(&self) -> IpAddr {
        let w = self.family.address_digits();
        decode_address(self.family, self.fixed.get(..w).unwrap_or_default())
    }

    /// The local port.
    pub fn local_port(&self) -> u16 {
        self.field(self.family.address_digits() + 1, 4) as u16
    }

    /// The remote address (see [`Row::local_ip`] on byte order).
    pub fn remote_ip(&self) -> IpAddr {
        let w = self.family.address_digits();
        decode_address(
            self.family,
            self.fixed.get(w + 6..2 * w + 6).unwrap_or_default(),
        )
    }

    /// The remote port.
    pub fn remote_port(&self) -> u16 {
        self.field(2 * self.family.address_digits() + 7, 4) as u16
    }

    /// `tx_queue`: bytes in the send queue (for a listener, its backlog limit
    /// on some kernels; not meaningful for counting).
    pub fn tx_queue(&self) -> u32 {
        self.field(2 * self.family.address_digits() + 15, 8)
    }

    /// `rx_queue`: bytes in the receive queue, or for a `LISTEN` row the
    /// number of connections waiting to be accepted.
    pub fn rx_queue(&self) -> u32 {
        self.field(2 * self.family.address_digits() + 24, 8)
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
    let slot = cur.digits();
    if slot.is_empty() {
        return Err(cur.missing_or_bad(Field::Slot));
    }
    cur.separator(b':', Field::Slot, Field::Slot)?;
    cur.separator(b' ', Field::Slot, Field::LocalAddress)?;

    let family = cur.family()?;
    let fixed_start = cur.rest;
    cur.hex_digits(family.address_digits(), Field::LocalAddress)?;
    cur.separator(b':', Field::LocalAddress, Field::LocalPort)?;
    cur.hex(4, Field::LocalPort)?;
    cur.separator(b' ', Field::LocalPort, Field::RemoteAddress)?;
    cur.hex_digits(family.address_digits(), Field::RemoteAddress)?;
    cur.separator(b':', Field::RemoteAddress, Field::RemotePort)?;
    cur.hex(4, Field::RemotePort)?;
    cur.separator(b' ', Field::RemotePort, Field::State)?;
    let state = cur.hex(2, Field::State)?;
    cur.separator(b' ', Field::State, Field::TxQueue)?;
    cur.hex(8, Field::TxQueue)?;
    cur.separator(b':', Field::TxQueue, Field::RxQueue)?;
    cur.hex(8, Field::RxQueue)?;
    cur.separator(b' ', Field::RxQueue, Field::TimerActive)?;
    cur.hex(2, Field::TimerActive)?;
    cur.separator(b':', Field::TimerActive, Field::TimerExpires)?;
    cur.timer_expires()?;
    cur.separator(b' ', Field::TimerExpires, Field::Retransmits)?;
    cur.hex(8, Field::Retransmits)?;
    cur.separator(b' ', Field::Retransmits, Field::Uid)?;

    cur.skip_spaces();
    let uid = cur.decimal_u32(Field::Uid)?;
    cur.separator(b' ', Field::Uid, Field::Timeout)?;
    cur.skip_spaces();
    cur.signed_number(Field::Timeout)?;
    cur.separator(b' ', Field::Timeout, Field::Inode)?;
    cur.skip_spaces();
    if cur.digits().is_empty() {
        return Err(cur.missing_or_bad(Field::Inode));
    }
    if !matches!(cur.rest.first(), None | Some(b' ')) {
        return Err(ErrorKind::BadField(Field::Inode));
    }

    Ok(Row {
        family,
        // It fits: hex() read 2 digits.
        state: state as u8,
        fixed: fixed_start.get(..family.fixed_len()).unwrap_or_default(),
        uid,
    })
}

/// The fast path for the rows the kernel writes: the part from the local
/// address to `retrnsmt` (with an 8-digit `tm->when`) has a fixed layout, so
/// it is checked eight bytes at a time against a template of hex digits and
/// separators. `None` means "not sure": the field-by-field parser then
/// decides, so both paths accept exactly the same rows.
fn fast_parse(line: &[u8]) -> Option<Row<'_>> {
    // `sl`: spaces, digits, ": ".
    let digits_start = line.iter().position(|&b| b != b' ')?;
    let colon = digits_start
        + line
            .get(digits_start..)?
            .iter()
            .position(|&b| !b.is_ascii_digit())?;
    if colon == digits_start || line.get(colon..colon + 2)? != b": " {
        return None;
    }
    let start = colon + 2;
    let rest = line.get(start..)?;
    let (family, matched, len) = match rest.get(8) {
        Some(b':') => (Family::Ipv4, TEMPLATE_V4.matches(rest), TEMPLATE_V4.len),
        _ => (Family::Ipv6, TEMPLATE_V6.matches(rest), TEMPLATE_V6.len),
    };
    if !matched {
        return None;
    }
    let state =
        hex_value(rest.get(2 * family.address_digits() + 12..2 * family.address_digits() + 14)?)?;
    let mut cur = Cursor {
        rest: rest.get(len..)?,
    };
    cur.skip_spaces();
    let uid = cur.decimal_u32(Field::Uid).ok()?;
    cur.separator(b' ', Field::Uid, Field::Timeout).ok()?;
    cur.skip_spaces();
    cur.signed_number(Field::Timeout).ok()?;
    cur.separator(b' ', Field::Timeout, Field::Inode).ok()?;
    cur.skip_spaces();
    if cur.digits().is_empty() || !matches!(cur.rest.first(), None | Some(b' ')) {
        return None;
    }
    Some(Row {
        family,
        state: state as u8,
        fixed: rest.get(..family.fixed_len())?,
        uid,
    })
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The fixed part of a row as 8-byte words: in each word, which bytes must be
/// hex digits, which must equal a separator, and the separators.
struct Template<const WORDS: usize> {
    len: usize,
    hex: [u64; WORDS],
    separator: [u64; WORDS],
    separator_bytes: [u64; WORDS],
}

/// `H` is a hex digit, anything else must be that byte. Only evaluated at
/// compile time (for the two constants below), where an index out of bounds
/// is a build error, not a panic.
#[allow(clippy::indexing_slicing)]
const fn template<const WORDS: usize>(pattern: &[u8]) -> Template<WORDS> {
    let mut t = Template {
        len: pattern.len(),
        hex: [0; WORDS],
        separator: [0; WORDS],
        separator_bytes: [0; WORDS],
    };
    let mut i = 0;
    while i < pattern.len() {
        let shift = (i % 8) * 8;
        if pattern[i] == b'H' {
            t.hex[i / 8] |= 0x80 << shift;
        } else {
            t.separator[i / 8] |= 0x80 << shift;
            t.separator_bytes[i / 8] |= (pattern[i] as u64) << shift;
        }
        i += 1;
    }
    t
}

const TEMPLATE_V4: Template<9> =
    template(b"HHHHHHHH:HHHH HHHHHHHH:HHHH HH HHHHHHHH:HHHHHHHH HH:HHHHHHHH HHHHHHHH ");
const TEMPLATE_V6: Template<15> = template(
    b"HHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHH:HHHH HHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHH:HHHH HH HHHHHHHH:HHHHHHHH HH:HHHHHHHH HHHHHHHH ",
);

impl<const WORDS: usize> Template<WORDS> {
    /// Whether `bytes` starts with the template (and is long enough to read
    /// whole words).
    #[inline(always)]
    fn matches(&self, bytes: &[u8]) -> bool {
        let Some(words) = bytes.as_chunks::<8>().0.get(..WORDS) else {
            return false;
        };
        let mut wrong = 0;
        for (((word, hex), separator), separator_bytes) in words
            .iter()
            .zip(&self.hex)
            .zip(&self.separator)
            .zip(&self.separator_bytes)
        {
            let x = u64::from_le_bytes(*word);
            let ok = (hex_bytes(x) & hex) | (zero_bytes(x ^ separator_bytes) & separator);
            wrong |= ok ^ (hex | separator);
        }
        wrong == 0
    }
}

/// The high bit of each byte of `x` that is an ASCII hex digit.
#[inline(always)]
fn hex_bytes(x: u64) -> u64 {
    let ascii = !x & HIGH;
    let low = x & !HIGH;
    // For a byte below 0x80, adding 0x80 - n sets its high bit iff it is >= n,
    // without carrying into the next byte.
    let at_least = |v: u64, n: u64| (v + ONES * (0x80 - n)) & HIGH;
    let digit = at_least(low, 0x30) & !at_least(low, 0x3A);
    let lower = low | (ONES * 0x20);
    let letter = at_least(lower, 0x61) & !at_least(lower, 0x67);
    (digit | letter) & ascii
}

/// The high bit of each byte of `x` that is zero.
#[inline(always)]
fn zero_bytes(x: u64) -> u64 {
    !(((x & !HIGH) + !HIGH) | x | !HIGH)
}

/// Decodes validated hex words, each printed as a native-endian `u32`.
fn decode_address(family: Family, hex: &[u8]) -> IpAddr {
    let mut bytes = [0u8; 16];
    for (word, out) in hex.chunks_exact(8).zip(bytes.chunks_exact_mut(4)) {
        let value = hex_value(word).unwrap_or(0);
        out.copy_from_slice(&value.to_ne_bytes());
    }
    match family {
        Family::Ipv4 => {
            let [a, b, c, d, ..] = bytes;
            IpAddr::V4(Ipv4Addr::new(a, b, c, d))
        }
        Family::Ipv6 => IpAddr::V6(Ipv6Addr::from(bytes)),
    }
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
#[inline(always)]
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
    #[inline(always)]
    fn skip_spaces(&mut self) {
        let n = self.rest.iter().take_while(|&&b| b == b' ').count();
        self.rest = self.rest.get(n..).unwrap_or_default();
    }

    /// Takes the leading run of ASCII digits (possibly empty).
    #[inline(always)]
    fn digits(&mut self) -> &'a [u8] {
        let n = self.rest.iter().take_while(|b| b.is_ascii_digit()).count();
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
    #[inline(always)]
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
            match self.rest.get(family.address_digits()) {
                Some(b':') => return Ok(family),
                Some(_) => {}
                None => return Err(ErrorKind::Truncated(Field::LocalAddress)),
            }
        }
        Err(ErrorKind::BadField(Field::LocalAddress))
    }

    /// Takes exactly `n` hex digits.
    fn hex_digits(&mut self, n: usize, field: Field) -> Result<&'a [u8], ErrorKind> {
        let (digits, rest) = self
            .rest
            .split_at_checked(n)
            .ok_or(ErrorKind::Truncated(field))?;
        if !digits.iter().all(u8::is_ascii_hexdigit) {
            return Err(ErrorKind::BadField(field));
        }
        self.rest = rest;
        Ok(digits)
    }

    /// Takes exactly `n` (at most 8) hex digits and returns their value.
    fn hex(&mut self, n: usize, field: Field) -> Result<u32, ErrorKind> {
        let digits = self.hex_digits(n, field)?;
        hex_value(digits).ok_or(ErrorKind::BadField(field))
    }

    /// `tm->when` is `%08lX`: at least 8 digits, 16 where a long is 64 bits.
    fn timer_expires(&mut self) -> Result<(), ErrorKind> {
        let n = self
            .rest
            .iter()
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        if n == self.rest.len() {
            return Err(ErrorKind::Truncated(Field::TimerExpires));
        }
        if !(8..=16).contains(&n) {
            return Err(ErrorKind::BadField(Field::TimerExpires));
        }
        self.rest = self.rest.get(n..).unwrap_or_default();
        Ok(())
    }

    #[inline(always)]
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
    #[inline(always)]
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
            assert_eq!(fast_parse(line), Some(slow_parse(line).unwrap()));
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
                        assert_eq!(slow_parse(&mutated), Ok(fast), "byte {at} = {byte:#x}");
                    }
                }
                let cut = &line[..at];
                if let Some(fast) = fast_parse(cut) {
                    assert_eq!(slow_parse(cut), Ok(fast), "cut at {at}");
                }
            }
        }
    }

    #[test]
    fn test_hex_and_zero_byte_masks() {
        for b in 0..=255u8 {
            let word = u64::from_le_bytes([b, b'0', 0, b'f', b'F', b'g', 0xFF, b'/']);
            let hex = hex_bytes(word);
            assert_eq!(hex & 0x80 != 0, b.is_ascii_hexdigit(), "{b:#x}");
            assert_eq!(hex >> 8, 0x0000_0000_8080_0080, "{b:#x}");
            assert_eq!(zero_bytes(word) & 0x80 != 0, b == 0, "{b:#x}");
            assert_eq!(zero_bytes(word) >> 8, 0x0000_0000_0000_8000, "{b:#x}");
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
