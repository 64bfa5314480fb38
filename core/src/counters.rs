//! The kernel's TCP counters from `/proc/net/snmp` (section `Tcp`) and
//! `/proc/net/netstat` (section `TcpExt`), read by a push parser that takes
//! chunks of any size, as the socket parser does. Both files are pairs of
//! lines: a header `Prefix: Name1 Name2 ...` and a values line `Prefix: 1 2
//! ...` with the same prefix and as many columns. [`CounterParser`] keeps the
//! column of each [`Counter`] it knows while it reads a header, and takes the
//! values of those columns from the next line into a fixed array
//! ([`Counters`]); names it does not know, and other sections (`Ip:`,
//! `IpExt:`, `MPTcpExt:` ...), are checked for shape and skipped. Values are
//! signed 64-bit (`Tcp: MaxConn` is `-1`). Errors name the 1-based line: a
//! values line whose prefix differs from its header's, a different number
//! of columns, a value that is not a decimal integer, a line with no
//! `Prefix:`, a header with no values line. A section seen twice keeps its
//! last values. The names are the kernel's, which node_exporter prints as
//! `node_netstat_<Section>_<Name>`.

use core::fmt;

use heapless::Vec;

/// A section of the files: the prefix before the `:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Section {
    /// `Tcp:` in `/proc/net/snmp` (RFC 1213's tcp group).
    Tcp,
    /// `TcpExt:` in `/proc/net/netstat` (Linux's own).
    TcpExt,
}

impl Section {
    /// The prefix as the kernel prints it, without the colon.
    pub const fn name(self) -> &'static str {
        match self {
            Section::Tcp => "Tcp",
            Section::TcpExt => "TcpExt",
        }
    }

    fn from_prefix(prefix: &[u8]) -> Option<Section> {
        match prefix {
            b"Tcp:" => Some(Section::Tcp),
            b"TcpExt:" => Some(Section::TcpExt),
            _ => None,
        }
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

macro_rules! counters {
    ($($variant:ident = $section:ident $name:literal: $doc:literal,)*) => {
        /// A counter this crate collects.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        #[repr(u8)]
        pub enum Counter {
            $(#[doc = $doc] $variant,)*
        }

        impl Counter {
            /// Every counter, `Tcp` ones first, in the kernel's column order.
            pub const ALL: [Counter; COUNTERS] = [$(Counter::$variant,)*];

            /// The section the counter is in.
            pub const fn section(self) -> Section {
                match self {
                    $(Counter::$variant => Section::$section,)*
                }
            }

            /// The kernel's name of the counter (the header word).
            pub const fn name(self) -> &'static str {
                match self {
                    $(Counter::$variant => $name,)*
                }
            }
        }
    };
}

/// How many counters [`Counter::ALL`] lists.
pub const COUNTERS: usize = 33;

counters! {
    MaxConn = Tcp "MaxConn": "Limit of connections (`-1`: none).",
    ActiveOpens = Tcp "ActiveOpens": "Connections opened by connect() (to SYN_SENT).",
    PassiveOpens = Tcp "PassiveOpens": "Connections opened from a listener (to SYN_RECV).",
    AttemptFails = Tcp "AttemptFails": "Opening connections that failed (to CLOSED or LISTEN).",
    EstabResets = Tcp "EstabResets": "ESTABLISHED or CLOSE_WAIT connections reset.",
    CurrEstab = Tcp "CurrEstab": "Connections now ESTABLISHED or CLOSE_WAIT (a gauge).",
    InSegs = Tcp "InSegs": "Segments received.",
    OutSegs = Tcp "OutSegs": "Segments sent, retransmissions excluded.",
    RetransSegs = Tcp "RetransSegs": "Segments retransmitted.",
    InErrs = Tcp "InErrs": "Segments received in error.",
    OutRsts = Tcp "OutRsts": "Segments sent with RST.",
    InCsumErrors = Tcp "InCsumErrors": "Segments received with a bad checksum.",
    SyncookiesSent = TcpExt "SyncookiesSent": "SYN cookies sent (the SYN queue was full).",
    SyncookiesRecv = TcpExt "SyncookiesRecv": "Valid SYN cookies received.",
    SyncookiesFailed = TcpExt "SyncookiesFailed": "Invalid SYN cookies received.",
    PruneCalled = TcpExt "PruneCalled": "Receive queues pruned for lack of memory.",
    Tw = TcpExt "TW": "Sockets that finished TIME_WAIT.",
    ListenOverflows = TcpExt "ListenOverflows": "Connections dropped because an accept queue was full.",
    ListenDrops = TcpExt "ListenDrops": "SYNs dropped by listeners, overflows included.",
    TcpTimeouts = TcpExt "TCPTimeouts": "Retransmission timeouts.",
    TcpSynRetrans = TcpExt "TCPSynRetrans": "SYN and SYN-ACK retransmissions.",
    TcpRetransFail = TcpExt "TCPRetransFail": "Retransmissions that failed to be sent.",
    TcpAbortOnData = TcpExt "TCPAbortOnData": "Connections reset on unexpected data.",
    TcpAbortOnClose = TcpExt "TCPAbortOnClose": "Connections reset on close with unread data.",
    TcpAbortOnMemory = TcpExt "TCPAbortOnMemory": "Connections reset for lack of memory.",
    TcpAbortOnTimeout = TcpExt "TCPAbortOnTimeout": "Connections reset after too many retransmissions.",
    TcpAbortOnLinger = TcpExt "TCPAbortOnLinger": "Connections reset after the linger timeout.",
    TcpAbortFailed = TcpExt "TCPAbortFailed": "Resets that could not be sent.",
    TcpMemoryPressures = TcpExt "TCPMemoryPressures": "Times TCP entered memory pressure.",
    TcpBacklogDrop = TcpExt "TCPBacklogDrop": "Segments dropped because a socket's backlog was full.",
    TcpReqQFullDrop = TcpExt "TCPReqQFullDrop": "SYNs dropped because the SYN queue was full (no cookies).",
    TcpReqQFullDoCookies = TcpExt "TCPReqQFullDoCookies": "SYN cookies sent because the SYN queue was full.",
    TcpRcvQDrop = TcpExt "TCPRcvQDrop": "Segments dropped because a receive queue was full.",
}

impl fmt::Display for Counter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", self.section(), self.name())
    }
}

/// The counters read, each `None` until its column was seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Counters {
    values: [Option<i64>; COUNTERS],
}

impl Default for Counters {
    fn default() -> Counters {
        Counters::new()
    }
}

impl Counters {
    /// None read.
    pub const fn new() -> Counters {
        Counters {
            values: [None; COUNTERS],
        }
    }

    /// The value of `counter`, if its file had it.
    pub fn get(&self, counter: Counter) -> Option<i64> {
        self.values.get(counter as usize).copied().flatten()
    }

    /// Every counter read, in the order of [`Counter::ALL`].
    pub fn iter(&self) -> impl Iterator<Item = (Counter, i64)> + '_ {
        Counter::ALL
            .iter()
            .zip(self.values.iter())
            .filter_map(|(c, v)| v.map(|v| (*c, v)))
    }

    /// Takes every counter `other` has (as for the two files, read by two
    /// parsers).
    pub fn merge(&mut self, other: &Counters) {
        for (mine, theirs) in self.values.iter_mut().zip(other.values.iter()) {
            if theirs.is_some() {
                *mine = *theirs;
            }
        }
    }

    fn set(&mut self, counter: Counter, value: i64) {
        if let Some(slot) = self.values.get_mut(counter as usize) {
            *slot = Some(value);
        }
    }
}

/// An error in a counters file, with its line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CountersError {
    /// 1-based line number.
    pub line: u32,
    /// What is wrong.
    pub kind: CountersErrorKind,
}

/// What is wrong with a line of a counters file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CountersErrorKind {
    /// An empty line.
    EmptyLine,
    /// The first word is not a section name and a colon (at most
    /// [`PREFIX_CAPACITY`] bytes).
    NoPrefix,
    /// A values line whose prefix is not its header line's.
    PrefixMismatch,
    /// A values line with another number of columns than its header line.
    ColumnCount {
        /// Names in the header line.
        names: u32,
        /// Values in the values line.
        values: u32,
    },
    /// A value that is not a decimal integer that fits in 64 bits, signed.
    BadValue,
    /// The input ends after a header line.
    MissingValues,
}

impl fmt::Display for CountersErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CountersErrorKind::EmptyLine => f.write_str("empty line"),
            CountersErrorKind::NoPrefix => f.write_str(
                "not a counters line (it should start with a section name and ':', such as 'Tcp:')",
            ),
            CountersErrorKind::PrefixMismatch => {
                f.write_str("the values line's prefix is not its header line's")
            }
            CountersErrorKind::ColumnCount { names, values } => write!(
                f,
                "{values} values for {names} names in the header line above"
            ),
            CountersErrorKind::BadValue => {
                f.write_str("a value is not a decimal integer (signed, 64-bit)")
            }
            CountersErrorKind::MissingValues => f.write_str("a header line with no values line"),
        }
    }
}

impl fmt::Display for CountersError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.kind)
    }
}

impl core::error::Error for CountersError {}

/// The longest section prefix accepted, colon included.
pub const PREFIX_CAPACITY: usize = 32;

/// Names longer than this are not any [`Counter`]'s, so only this much of a
/// name is kept.
const NAME_CAPACITY: usize = 32;

/// A push parser for `/proc/net/snmp` or `/proc/net/netstat`.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CounterParser {
    /// The line being read (0 before the first byte).
    line: u32,
    /// The line being read is a values line.
    values_line: bool,
    /// Bytes seen on the current line (a last line without newline).
    line_open: bool,
    /// Words ended on the current line.
    words: u32,
    /// Inside a word.
    in_word: bool,
    /// The current word if a prefix or a name (truncated names are marked).
    word: Vec<u8, NAME_CAPACITY>,
    word_too_long: bool,
    /// The current word as a value.
    value: Value,
    /// The header's prefix, its section if collected, its number of names.
    prefix: Vec<u8, PREFIX_CAPACITY>,
    section: Option<Section>,
    names: u32,
    /// For each counter of `section`, its column (1 = first name), 0 if
    /// absent.
    columns: [u32; COUNTERS],
    counters: Counters,
    error: Option<CountersError>,
}

/// A decimal integer read digit by digit.
#[derive(Clone, Copy, Debug, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct Value {
    negative: bool,
    digits: u32,
    magnitude: u64,
    bad: bool,
}

impl Value {
    fn push(&mut self, byte: u8) {
        match byte {
            b'-' if self.digits == 0 && !self.negative => self.negative = true,
            b'0'..=b'9' => {
                self.digits = self.digits.saturating_add(1);
                match self
                    .magnitude
                    .checked_mul(10)
                    .and_then(|m| m.checked_add(u64::from(byte - b'0')))
                {
                    Some(m) => self.magnitude = m,
                    None => self.bad = true,
                }
            }
            _ => self.bad = true,
        }
    }

    fn get(&self) -> Option<i64> {
        if self.bad || self.digits == 0 {
            return None;
        }
        if self.negative {
            0i64.checked_sub_unsigned(self.magnitude)
        } else {
            i64::try_from(self.magnitude).ok()
        }
    }
}

impl Default for CounterParser {
    fn default() -> CounterParser {
        CounterParser::new()
    }
}

impl CounterParser {
    /// A parser that has seen nothing.
    pub const fn new() -> CounterParser {
        CounterParser {
            line: 0,
            values_line: false,
            line_open: false,
            words: 0,
            in_word: false,
            word: Vec::new(),
            word_too_long: false,
            value: Value {
                negative: false,
                digits: 0,
                magnitude: 0,
                bad: false,
            },
            prefix: Vec::new(),
            section: None,
            names: 0,
            columns: [0; COUNTERS],
            counters: Counters::new(),
            error: None,
        }
    }

    /// Parses the next chunk, which may end anywhere.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), CountersError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        for &byte in chunk {
            if !self.line_open {
                self.line_open = true;
                self.line = self.line.saturating_add(1);
            }
            let result = match byte {
                b'\n' => self.end_line(),
                b' ' => self.end_word(),
                _ => {
                    self.in_word = true;
                    if self.values_line && self.words > 0 {
                        self.value.push(byte);
                    } else if self.word.push(byte).is_err() {
                        self.word_too_long = true;
                    }
                    Ok(())
                }
            };
            if let Err(kind) = result {
                let error = CountersError {
                    line: self.line,
                    kind,
                };
                self.error = Some(error);
                return Err(error);
            }
        }
        Ok(())
    }

    /// Ends the input (a last line may lack its newline) and returns the
    /// counters, or the first error.
    pub fn finish(mut self) -> Result<Counters, CountersError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let mut result = if self.line_open {
            self.end_line()
        } else {
            Ok(())
        };
        if result.is_ok() && self.values_line {
            result = Err(CountersErrorKind::MissingValues);
        }
        match result {
            Ok(()) => Ok(self.counters),
            Err(kind) => Err(CountersError {
                line: self.line,
                kind,
            }),
        }
    }

    /// The counters of the complete pairs seen so far.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    fn end_word(&mut self) -> Result<(), CountersErrorKind> {
        if !self.in_word {
            return Ok(());
        }
        self.in_word = false;
        let column = self.words;
        self.words = self.words.saturating_add(1);
        let word = core::mem::take(&mut self.word);
        let too_long = core::mem::take(&mut self.word_too_long);
        let value = core::mem::take(&mut self.value);
        match (self.values_line, column) {
            (false, 0) => {
                if too_long || word.len() < 2 || word.last() != Some(&b':') {
                    return Err(CountersErrorKind::NoPrefix);
                }
                self.section = Section::from_prefix(&word);
                self.prefix.clear();
                // Fits: a word holds at most NAME_CAPACITY = PREFIX_CAPACITY.
                let _ = self.prefix.extend_from_slice(&word);
                self.columns = [0; COUNTERS];
            }
            (false, _) => {
                if let Some(section) = self.section
                    && !too_long
                    && let Some(counter) = Counter::ALL
                        .iter()
                        .find(|c| c.section() == section && c.name().as_bytes() == word.as_slice())
                    && let Some(slot) = self.columns.get_mut(*counter as usize)
                {
                    *slot = column;
                }
            }
            (true, 0) => {
                if too_long || word != self.prefix {
                    return Err(CountersErrorKind::PrefixMismatch);
                }
            }
            (true, _) => {
                let value = value.get().ok_or(CountersErrorKind::BadValue)?;
                if self.section.is_some() {
                    for (counter, &at) in Counter::ALL.iter().zip(self.columns.iter()) {
                        if at == column {
                            self.counters.set(*counter, value);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), CountersErrorKind> {
        self.end_word()?;
        self.line_open = false;
        let words = core::mem::take(&mut self.words);
        if words == 0 {
            return Err(CountersErrorKind::EmptyLine);
        }
        if self.values_line {
            let values = words - 1;
            if values != self.names {
                return Err(CountersErrorKind::ColumnCount {
                    names: self.names,
                    values,
                });
            }
            self.values_line = false;
        } else {
            self.names = words - 1;
            self.values_line = true;
        }
        Ok(())
    }
}

#[cfg(test)]
mod test {
    use super::*;

    const SNMP: &str = "Ip: Forwarding DefaultTTL\nIp: 2 64\nTcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\nTcp: 1 200 120000 -1 43 3 0 6 2 20111 12211 0 0 32 0\nUdp: InDatagrams\nUdp: 92\n";

    fn parse(input: &str) -> Result<Counters, CountersError> {
        let mut p = CounterParser::new();
        p.feed(input.as_bytes())?;
        p.finish()
    }

    #[test]
    fn test_reads_the_tcp_section() {
        let c = parse(SNMP).unwrap();
        assert_eq!(c.get(Counter::MaxConn), Some(-1));
        assert_eq!(c.get(Counter::ActiveOpens), Some(43));
        assert_eq!(c.get(Counter::InSegs), Some(20111));
        assert_eq!(c.get(Counter::OutRsts), Some(32));
        assert_eq!(c.get(Counter::ListenOverflows), None);
        assert_eq!(c.iter().count(), 12);
        assert_eq!(parse(SNMP.trim_end()), Ok(c));
        assert_eq!(
            Counter::ListenOverflows.to_string(),
            "TcpExt_ListenOverflows"
        );
    }

    #[test]
    fn test_errors() {
        let err = |line, kind| Err(CountersError { line, kind });
        use CountersErrorKind::*;
        let cases: &[(&str, Result<Counters, CountersError>)] = &[
            ("", Ok(Counters::new())),
            ("Tcp: A B\nTcp: 1 2\n\n", err(3, EmptyLine)),
            ("Tcp A B\nTcp A 1 2\n", err(1, NoPrefix)),
            (": A\n: 1\n", err(1, NoPrefix)),
            ("Tcp: A B\nUdp: 1 2\n", err(2, PrefixMismatch)),
            ("Tcp: A B\n1 2\n", err(2, PrefixMismatch)),
            (
                "Tcp: A B\nTcp: 1\n",
                err(
                    2,
                    ColumnCount {
                        names: 2,
                        values: 1,
                    },
                ),
            ),
            (
                "Tcp: A\nTcp: 1 2\n",
                err(
                    2,
                    ColumnCount {
                        names: 1,
                        values: 2,
                    },
                ),
            ),
            ("Tcp: A B\nTcp: 1 x\n", err(2, BadValue)),
            ("Tcp: A B\nTcp: 1 --1\n", err(2, BadValue)),
            ("Tcp: A B\nTcp: 1 -\n", err(2, BadValue)),
            ("Tcp: A B\nTcp: 1 1-\n", err(2, BadValue)),
            ("Tcp: A\nTcp: 9223372036854775808\n", err(2, BadValue)),
            ("Tcp: A\nTcp: 99999999999999999999\n", err(2, BadValue)),
            ("Tcp: A\nTcp: 1\r\n", err(2, BadValue)),
            ("Tcp: A B\n", err(1, MissingValues)),
            ("Tcp: A B", err(1, MissingValues)),
        ];
        for (input, expected) in cases {
            assert_eq!(&parse(input), expected, "{input:?}");
        }
        let edge =
            parse("Tcp: MaxConn InSegs\nTcp: -9223372036854775808 9223372036854775807\n").unwrap();
        assert_eq!(edge.get(Counter::MaxConn), Some(i64::MIN));
        assert_eq!(edge.get(Counter::InSegs), Some(i64::MAX));
    }

    #[test]
    fn test_every_split_point_agrees() {
        let bad = [SNMP, "TcpExt: ListenDrops TW\nTcpExt: 1 2 3\n"].concat();
        for input in [SNMP, bad.as_str()] {
            let whole = parse(input);
            for split in 0..=input.len() {
                let (a, b) = input.as_bytes().split_at(split);
                let mut p = CounterParser::new();
                let got = p.feed(a).and_then(|()| p.feed(b)).and_then(|()| p.finish());
                assert_eq!(got, whole, "split at {split}");
            }
        }
    }
}
