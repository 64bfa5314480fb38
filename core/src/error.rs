//! What can be wrong with a table, and on which line. An [`Error`] is a small
//! `Copy` value: the 1-based line number (the header is line 1) and an
//! [`ErrorKind`]; a row's errors name the [`Field`] at fault with the kernel
//! header's own name for it, so a message points at the exact column.

use core::fmt;

use crate::parser::LINE_CAPACITY;

/// An error in a table, with the line it was found on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Error {
    /// 1-based line number; the header is line 1.
    pub line: u32,
    /// What is wrong with that line.
    pub kind: ErrorKind,
}

/// What is wrong with a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ErrorKind {
    /// The first line is not the header of `/proc/net/tcp` or `/proc/net/tcp6`.
    BadHeader,
    /// A line is longer than [`LINE_CAPACITY`] bytes.
    LineTooLong,
    /// An empty line after the header.
    EmptyLine,
    /// The row ends before this field is complete.
    Truncated(Field),
    /// This field is not what the kernel prints there.
    BadField(Field),
    /// An IPv4 row in an IPv6 table, or the other way round.
    MixedFamilies,
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

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::BadHeader => f.write_str(
                "not a /proc/net/tcp or /proc/net/tcp6 table (the first line should be its header, 'sl local_address ... inode')",
            ),
            ErrorKind::LineTooLong => write!(f, "line longer than {LINE_CAPACITY} bytes"),
            ErrorKind::EmptyLine => f.write_str("empty line"),
            ErrorKind::Truncated(field) => {
                write!(f, "row is cut short at {field} (expected {})", field.expected())
            }
            ErrorKind::BadField(field) => {
                write!(f, "bad {field} (expected {})", field.expected())
            }
            ErrorKind::MixedFamilies => f.write_str("IPv4 and IPv6 rows in one table"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.kind)
    }
}

impl core::error::Error for Error {}
