//! What can be wrong with a conntrack table, and on which line. A
//! [`CtError`] is a small `Copy` value: the 1-based line number (the table
//! has no header, so the first entry is line 1) and a [`CtErrorKind`] naming
//! the [`CtField`] at fault, with what the kernel prints there. It has the
//! same shape as the socket parser's [`crate::Error`].

use core::fmt;

use super::layout::CT_LINE_CAPACITY;

/// An error in a conntrack table, with the line it was found on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CtError {
    /// 1-based line number.
    pub line: u32,
    /// What is wrong with that line.
    pub kind: CtErrorKind,
}

/// What is wrong with a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CtErrorKind {
    /// A line is longer than [`CT_LINE_CAPACITY`] bytes.
    LineTooLong,
    /// An empty line.
    EmptyLine,
    /// The line ends before this field.
    Truncated(CtField),
    /// This field is not what the kernel prints there.
    BadField(CtField),
    /// `/proc/net/nf_conntrack` lines and legacy `/proc/net/ip_conntrack`
    /// lines (without the family) in one table.
    MixedFormats,
}

/// A field of an entry, named as the kernel prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CtField {
    /// The layer-3 name (`ipv4`, `ipv6`).
    Family,
    /// The layer-3 number (2, 10).
    FamilyNumber,
    /// The layer-4 name (`tcp`, `udp`, ...).
    Protocol,
    /// The layer-4 number.
    ProtocolNumber,
    /// The seconds until the entry expires.
    Timeout,
    /// The TCP state word.
    State,
    /// `src=` of a tuple.
    Source,
    /// `dst=` of a tuple.
    Destination,
    /// `sport=` of a tuple.
    SourcePort,
    /// `dport=` of a tuple.
    DestinationPort,
    /// `type= code= id=` of an ICMP tuple.
    Icmp,
    /// `srckey= dstkey=` of a GRE tuple.
    GreKey,
    /// `zone-orig=`, `zone-reply=` or `zone=`.
    Zone,
    /// `packets= bytes=` (accounting).
    Counters,
    /// A `[FLAG]` or anything else between the tuples and `mark=`.
    Flag,
    /// `mark=`, `secctx=`, `secmark=` or `delta-time=`.
    Extra,
    /// `use=`, the last field.
    Use,
}

impl CtField {
    /// How the kernel labels the field.
    pub const fn name(self) -> &'static str {
        match self {
            CtField::Family => "family",
            CtField::FamilyNumber => "family number",
            CtField::Protocol => "protocol",
            CtField::ProtocolNumber => "protocol number",
            CtField::Timeout => "timeout",
            CtField::State => "state",
            CtField::Source => "src",
            CtField::Destination => "dst",
            CtField::SourcePort => "sport",
            CtField::DestinationPort => "dport",
            CtField::Icmp => "icmp type/code/id",
            CtField::GreKey => "gre key",
            CtField::Zone => "zone",
            CtField::Counters => "packets/bytes",
            CtField::Flag => "flag",
            CtField::Extra => "mark/secctx/delta-time",
            CtField::Use => "use",
        }
    }

    /// What the kernel prints there.
    pub const fn expected(self) -> &'static str {
        match self {
            CtField::Family => "'ipv4' or 'ipv6'",
            CtField::FamilyNumber => "2 for ipv4, 10 for ipv6",
            CtField::Protocol => "a protocol name such as 'tcp' padded to 8 columns",
            CtField::ProtocolNumber => "the protocol's number (tcp 6, udp 17, icmp 1, ...)",
            CtField::Timeout => "seconds, or nothing for an [OFFLOAD] flow",
            CtField::State => "a TCP state word such as ESTABLISHED, or [OFFLOAD]",
            CtField::Source | CtField::Destination => {
                "a dotted IPv4 address or 8 groups of 4 hex digits"
            }
            CtField::SourcePort | CtField::DestinationPort => "a port from 0 to 65535",
            CtField::Icmp => "type=N code=N id=N",
            CtField::GreKey => "srckey=0xN dstkey=0xN",
            CtField::Zone => "a zone number up to 65535",
            CtField::Counters => "packets=N bytes=N",
            CtField::Flag => {
                "[UNREPLIED] before the reply tuple, [ASSURED], [OFFLOAD] or [HW_OFFLOAD] after it"
            }
            CtField::Extra => "mark=N, secctx=TEXT, zone=N, delta-time=N in that order",
            CtField::Use => "use=N at the end of the line",
        }
    }
}

impl fmt::Display for CtField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for CtErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CtErrorKind::LineTooLong => write!(f, "line longer than {CT_LINE_CAPACITY} bytes"),
            CtErrorKind::EmptyLine => f.write_str("empty line"),
            CtErrorKind::Truncated(field) => {
                write!(
                    f,
                    "entry is cut short at {field} (expected {})",
                    field.expected()
                )
            }
            CtErrorKind::BadField(field) => {
                write!(f, "bad {field} (expected {})", field.expected())
            }
            CtErrorKind::MixedFormats => {
                f.write_str("nf_conntrack and legacy ip_conntrack lines in one table")
            }
        }
    }
}

impl fmt::Display for CtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.kind)
    }
}

impl core::error::Error for CtError {}
