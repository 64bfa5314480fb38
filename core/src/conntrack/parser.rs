//! The streaming conntrack parser: bytes go in as chunks of any size, counts
//! come out. There is no header. A whole line at the start of what is left
//! of a chunk is first offered to [`Entry::parse_at`], which parses it in
//! place and finds its end on the way; a line it does not take (and a line
//! completed from the carry) is cut at its newline and handed to
//! [`Entry::parse`], which decides, so both give the same entry or error.
//! A line split between two chunks is carried in a fixed [`heapless::Vec`]
//! of [`CT_LINE_CAPACITY`] bytes; every line longer than that, carried or
//! not, is an error, so the result never depends on how the input was cut
//! (the framing of `crate::lines`, which the socket parser uses, with the
//! in-place parse in front). After the first error every call returns that
//! error.

use super::counts::CtCounts;
use super::error::{CtError, CtErrorKind};
use super::filter::CtFilter;
use super::layout::CT_LINE_CAPACITY;
use super::row::{Entry, skip};
use heapless::Vec;

/// A push parser for `/proc/net/nf_conntrack` or `/proc/net/ip_conntrack`.
///
/// `CtParser::new()` is `const`; it holds the counts, the line number, the
/// filter and a [`CT_LINE_CAPACITY`]-byte carry buffer, and never allocates.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CtParser {
    /// The unfinished last line of the chunks so far.
    carry: Vec<u8, CT_LINE_CAPACITY>,
    /// The number of the last line begun (0 before the first byte).
    number: u32,
    table: Table,
}

/// Everything but the line framing.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct Table {
    /// Whether the lines seen are legacy ones (`None` before the first).
    legacy: Option<bool>,
    filter: CtFilter,
    count_all: bool,
    counts: CtCounts,
    error: Option<CtError>,
}

impl CtParser {
    /// A parser that has seen nothing yet and counts every entry.
    pub const fn new() -> CtParser {
        CtParser::with_filter(CtFilter::new())
    }

    /// A parser that counts only the entries `filter` lets through. Every
    /// line is still checked.
    pub const fn with_filter(filter: CtFilter) -> CtParser {
        CtParser {
            carry: Vec::new(),
            number: 0,
            table: Table {
                legacy: None,
                count_all: filter.is_empty(),
                filter,
                counts: CtCounts::new(),
                error: None,
            },
        }
    }

    /// Parses the next `chunk`, which may end anywhere.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), CtError> {
        self.feed_visit(chunk, &mut |_| {})
    }

    /// Like [`CtParser::feed`], and also shows `visit` every entry that
    /// passes the filter (for top-N tables).
    pub fn feed_visit(
        &mut self,
        chunk: &[u8],
        visit: &mut impl FnMut(&Entry),
    ) -> Result<(), CtError> {
        if let Some(error) = self.table.error {
            return Err(error);
        }
        let mut rest = chunk;
        if !self.carry.is_empty() {
            let Some(end) = memchr::memchr(b'\n', rest) else {
                return match self.carry.extend_from_slice(rest) {
                    Ok(()) => Ok(()),
                    Err(_) => Err(self.table.fail(self.number, CtErrorKind::LineTooLong)),
                };
            };
            let (line, after) = rest.split_at(end);
            rest = skip(after, 1);
            let fits = self.carry.extend_from_slice(line).is_ok();
            let result = self
                .table
                .line(self.number, fits.then_some(self.carry.as_slice()), visit);
            self.carry.clear();
            result?;
        }
        let mut entry = Entry::EMPTY;
        loop {
            if let Some(n) = Entry::parse_at(rest, &mut entry) {
                self.number = self.number.saturating_add(1);
                self.table.entry(self.number, &entry, visit)?;
                rest = skip(rest, n + 1);
                continue;
            }
            let Some(end) = memchr::memchr(b'\n', rest) else {
                break;
            };
            let (line, after) = rest.split_at(end);
            rest = skip(after, 1);
            self.number = self.number.saturating_add(1);
            self.table.line(self.number, Some(line), visit)?;
        }
        if rest.is_empty() {
            return Ok(());
        }
        self.number = self.number.saturating_add(1);
        match self.carry.extend_from_slice(rest) {
            Ok(()) => Ok(()),
            Err(_) => Err(self.table.fail(self.number, CtErrorKind::LineTooLong)),
        }
    }

    /// Ends the table (a last line without a newline is parsed here) and
    /// returns the counts or the first error.
    pub fn finish(mut self) -> Result<CtCounts, CtError> {
        self.end(&mut |_| {})?;
        Ok(self.table.counts)
    }

    /// Ends the input without consuming the parser: parses a last line that
    /// has no newline, showing its entry to `visit`.
    pub fn end(&mut self, visit: &mut impl FnMut(&Entry)) -> Result<(), CtError> {
        if let Some(error) = self.table.error {
            return Err(error);
        }
        if self.carry.is_empty() {
            return Ok(());
        }
        let result = self
            .table
            .line(self.number, Some(self.carry.as_slice()), visit);
        self.carry.clear();
        result
    }

    /// The counts of the complete lines seen so far.
    pub fn counts(&self) -> &CtCounts {
        &self.table.counts
    }

    /// Whether the table is a legacy `ip_conntrack` one (`None` before the
    /// first line).
    pub fn is_legacy(&self) -> Option<bool> {
        self.table.legacy
    }
}

impl Default for CtParser {
    fn default() -> CtParser {
        CtParser::new()
    }
}

impl Table {
    /// Handles complete line `number` (`None`: longer than the carry).
    #[cfg_attr(not(tcpcount_small), inline(always))]
    fn line(
        &mut self,
        number: u32,
        line: Option<&[u8]>,
        visit: &mut impl FnMut(&Entry),
    ) -> Result<(), CtError> {
        let fail = |table: &mut Table, kind| table.fail(number, kind);
        let Some(line) = line.filter(|line| line.len() <= CT_LINE_CAPACITY) else {
            return Err(fail(self, CtErrorKind::LineTooLong));
        };
        if line.is_empty() {
            return Err(fail(self, CtErrorKind::EmptyLine));
        }
        // Borrowed where it was parsed: moving the entry out of the result
        // copied its hundred bytes once a line.
        let parsed = Entry::parse(line);
        match &parsed {
            Ok(entry) => self.entry(number, entry, visit),
            Err(kind) => Err(fail(self, *kind)),
        }
    }

    /// Counts the `entry` of line `number`, if the filter lets it through,
    /// unless its format differs from the lines' before.
    #[cfg_attr(not(tcpcount_small), inline(always))]
    fn entry(
        &mut self,
        number: u32,
        entry: &Entry,
        visit: &mut impl FnMut(&Entry),
    ) -> Result<(), CtError> {
        match self.legacy {
            None => self.legacy = Some(entry.is_legacy()),
            Some(legacy) if legacy != entry.is_legacy() => {
                return Err(self.fail(number, CtErrorKind::MixedFormats));
            }
            Some(_) => {}
        }
        if self.count_all || self.filter.matches(entry) {
            self.counts.add(entry);
            visit(entry);
        }
        Ok(())
    }

    fn fail(&mut self, line: u32, kind: CtErrorKind) -> CtError {
        let error = CtError { line, kind };
        self.error = Some(error);
        error
    }
}
