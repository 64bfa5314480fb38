//! What can be wrong with a table, and on which line. An [`Error`] is a small
//! `Copy` value: the 1-based line number (the header is line 1) and an
//! [`ErrorKind`]; a row's errors name the [`Field`] at fault with the kernel
//! header's own name for it, so a message points at the exact column. This
//! module sits at the bottom: it knows the layout's names, not the parser.

use core::fmt;

use crate::tcp::layout::{Field, LINE_CAPACITY};

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
