//! The layout of `/proc/net/tcp` and `/proc/net/tcp6`, named once: the header
//! words, the columns of a row with their widths and separators, and the byte
//! span of each fixed-width column. The kernel prints a row as `%4d: ` (the
//! row number, `sl`, wider from row 10000 on), then a fixed-width part
//! (`ADDR:PORT ADDR:PORT ST TX:RX TR:WHEN RETRNSMT `) whose widths depend only
//! on the address family, then space-padded decimal `uid`, `timeout` and
//! `inode`, then a tail this crate does not read. Every offset the fast path,
//! the field-by-field path, the accessors and the error positions use comes
//! from here; nothing here knows how a row is parsed.

use core::fmt;
use core::ops::Range;

/// The longest line accepted, in bytes, without its newline. Kernel rows are
/// at most about 180 bytes (IPv6, 64-bit pointers); IPv4 rows are padded to
/// 149.
pub const LINE_CAPACITY: usize = 512;

/// The header's words, in order (tcp6 says `remote_address`, see
/// [`HEADER_REMOTE_V6`]). `/proc/net/udp` shares the first eleven but goes
/// on with `ref pointer drops`, so a header must be exactly these.
pub const HEADER: [&[u8]; 12] = [
    b"sl",
    b"local_address",
    HEADER_REMOTE,
    b"st",
    b"tx_queue",
    b"rx_queue",
    b"tr",
    b"tm->when",
    b"retrnsmt",
    b"uid",
    b"timeout",
    b"inode",
];

/// `/proc/net/tcp`'s header word for the remote address.
pub const HEADER_REMOTE: &[u8] = b"rem_address";

/// `/proc/net/tcp6`'s word for [`HEADER_REMOTE`].
pub const HEADER_REMOTE_V6: &[u8] = b"remote_address";

/// What ends `sl` (`%4d:`, then the space before the local address).
pub const SLOT_END: &[u8; 2] = b": ";

/// The widths the kernel pads `uid` (`%5u`) and `timeout` (`%8d`) to, the
/// decimal columns after the fixed-width part; `inode` (`%lu`) is not
/// padded. A wider value (a uid of 100000 or more) widens its column and
/// shifts the rest; only the fast path's guess of the usual shape uses these.
pub const UID_WIDTH: usize = 5;
/// See [`UID_WIDTH`].
pub const TIMEOUT_WIDTH: usize = 8;

/// What ends an address (before its port): where this byte stands tells a
/// row's family.
pub const ADDRESS_END: u8 = b':';

/// What pads and separates the decimal columns after the fixed-width part.
pub const PAD: u8 = b' ';

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
    pub const fn address_digits(self) -> usize {
        match self {
            Family::Ipv4 => 8,
            Family::Ipv6 => 32,
        }
    }

    /// The fixed-width part of this family's rows.
    pub const fn fixed(self) -> &'static Fixed {
        match self {
            Family::Ipv4 => &V4,
            Family::Ipv6 => &V6,
        }
    }
}

/// A column of a row, named as in the kernel's header line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Field {
    /// `sl`: the row number, `%4d:`.
    Slot,
    /// The address part of `local_address`.
    LocalAddress,
    /// The port part of `local_address`.
    LocalPort,
    /// The address part of `rem_address`.
    RemoteAddress,
    /// The port part of `rem_address`.
    RemotePort,
    /// `st`: the state code.
    State,
    /// `tx_queue`.
    TxQueue,
    /// `rx_queue`.
    RxQueue,
    /// `tr`: which timer is active.
    TimerActive,
    /// `tm->when`: when the timer expires.
    TimerExpires,
    /// `retrnsmt`.
    Retransmits,
    /// `uid`.
    Uid,
    /// `timeout`.
    Timeout,
    /// `inode`.
    Inode,
}

impl Field {
    /// The column's name in the kernel's header line.
    pub const fn name(self) -> &'static str {
        match self {
            Field::Slot => "sl",
            Field::LocalAddress => "local address",
            Field::LocalPort => "local port",
            Field::RemoteAddress => "remote address",
            Field::RemotePort => "remote port",
            Field::State => "st",
            Field::TxQueue => "tx_queue",
            Field::RxQueue => "rx_queue",
            Field::TimerActive => "tr",
            Field::TimerExpires => "tm->when",
            Field::Retransmits => "retrnsmt",
            Field::Uid => "uid",
            Field::Timeout => "timeout",
            Field::Inode => "inode",
        }
    }

    /// What the kernel prints in this column.
    pub const fn expected(self) -> &'static str {
        match self {
            Field::Slot => "a decimal row number and ':'",
            Field::LocalAddress | Field::RemoteAddress => "8 or 32 hex digits and ':'",
            Field::LocalPort | Field::RemotePort => "4 hex digits",
            Field::State | Field::TimerActive => "2 hex digits",
            Field::TxQueue | Field::RxQueue | Field::Retransmits => "8 hex digits",
            Field::TimerExpires => "8 to 16 hex digits",
            Field::Uid => "a decimal number",
            Field::Timeout | Field::Inode => "a number",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One fixed-width column: `digits` hex digits (up to `max_digits`), then
/// the byte `then`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// Which column.
    pub field: Field,
    /// How many hex digits the kernel prints at least.
    pub digits: usize,
    /// How many it may print (more than `digits` only for `tm->when`, `%08lX`,
    /// 16 where a long is 64 bits).
    pub max_digits: usize,
    /// The separator after it.
    pub then: u8,
}

const fn hex(field: Field, digits: usize, then: u8) -> Column {
    Column {
        field,
        digits,
        max_digits: digits,
        then,
    }
}

/// How many columns the fixed-width part has.
pub const FIXED_COLUMNS: usize = 10;

/// The fixed-width part of a row of one family: its columns in order, and
/// the byte span of each column the accessors decode, counted from the first
/// byte after [`SLOT_END`].
#[derive(Debug)]
pub struct Fixed {
    /// The columns from `local_address` to `retrnsmt`.
    pub columns: [Column; FIXED_COLUMNS],
    /// The local address's hex digits.
    pub local_address: Range<usize>,
    /// The local port's hex digits.
    pub local_port: Range<usize>,
    /// The remote address's hex digits.
    pub remote_address: Range<usize>,
    /// The remote port's hex digits.
    pub remote_port: Range<usize>,
    /// `st`.
    pub state: Range<usize>,
    /// `tx_queue`.
    pub tx_queue: Range<usize>,
    /// `rx_queue`.
    pub rx_queue: Range<usize>,
    /// Bytes from the local address to the end of `rx_queue`: the part a
    /// parsed row keeps (no later column moves with `tm->when`'s width).
    pub kept: usize,
    /// Bytes of the whole part with the shortest `tm->when`, separator after
    /// `retrnsmt` included: where `uid`'s padding starts on a kernel row.
    pub len: usize,
}

/// The digits of column `i`, counted from the start of the fixed part (only
/// evaluated at compile time, where an index out of bounds is a build error).
#[allow(clippy::indexing_slicing)]
const fn span(columns: &[Column; FIXED_COLUMNS], i: usize) -> Range<usize> {
    let mut start = 0;
    let mut j = 0;
    while j < i {
        start += columns[j].digits + 1;
        j += 1;
    }
    start..start + columns[i].digits
}

const fn fixed(address_digits: usize) -> Fixed {
    let columns = [
        hex(Field::LocalAddress, address_digits, ADDRESS_END),
        hex(Field::LocalPort, 4, b' '),
        hex(Field::RemoteAddress, address_digits, ADDRESS_END),
        hex(Field::RemotePort, 4, b' '),
        hex(Field::State, 2, b' '),
        hex(Field::TxQueue, 8, b':'),
        hex(Field::RxQueue, 8, b' '),
        hex(Field::TimerActive, 2, b':'),
        Column {
            field: Field::TimerExpires,
            digits: 8,
            max_digits: 16,
            then: b' ',
        },
        hex(Field::Retransmits, 8, b' '),
    ];
    let len = span(&columns, FIXED_COLUMNS - 1).end + 1;
    Fixed {
        local_address: span(&columns, 0),
        local_port: span(&columns, 1),
        remote_address: span(&columns, 2),
        remote_port: span(&columns, 3),
        state: span(&columns, 4),
        tx_queue: span(&columns, 5),
        rx_queue: span(&columns, 6),
        kept: span(&columns, 6).end,
        len,
        columns,
    }
}

/// The fixed-width part of an IPv4 row.
pub const V4: Fixed = fixed(Family::Ipv4.address_digits());
/// The fixed-width part of an IPv6 row.
pub const V6: Fixed = fixed(Family::Ipv6.address_digits());

#[cfg(test)]
mod test {
    use super::*;

    /// The spans, checked against a real row of each family: every column's
    /// span holds hex digits and is followed by its separator.
    #[test]
    fn test_spans_fit_kernel_rows() {
        type Case<'a> = (&'a Fixed, &'a [u8], [&'a [u8]; 7]);
        let cases: [Case<'_>; 2] = [
            (
                &V4,
                b"0100007F:1F90 0A00020F:C350 01 00000010:00000020 02:000016A8 00000000     0",
                [b"0100007F", b"1F90", b"0A00020F", b"C350", b"01", b"00000010", b"00000020"],
            ),
            (
                &V6,
                b"00000000000000000000000001000000:1F90 0000000000000000FFFF00000100007F:D2A4 0A 00000000:00000002 00:00000000 00000000  1000",
                [
                    b"00000000000000000000000001000000",
                    b"1F90",
                    b"0000000000000000FFFF00000100007F",
                    b"D2A4",
                    b"0A",
                    b"00000000",
                    b"00000002",
                ],
            ),
        ];
        for (fixed, row, expected) in cases {
            let spans = [
                &fixed.local_address,
                &fixed.local_port,
                &fixed.remote_address,
                &fixed.remote_port,
                &fixed.state,
                &fixed.tx_queue,
                &fixed.rx_queue,
            ];
            for (span, want) in spans.into_iter().zip(expected) {
                assert_eq!(&row[span.clone()], want);
            }
            assert_eq!(&row[fixed.kept - 8..fixed.kept], expected[6]);
            assert_eq!(row[fixed.len - 1], b' ');
            assert_eq!(row[fixed.len - 2], b'0', "last digit of retrnsmt");
        }
        assert_eq!((V4.len, V6.len), (70, 118));
    }
}
