//! The streaming parser: bytes go in as chunks of any size, counts come out.
//! It only finds line boundaries, checks the header on line 1, and hands every
//! later line to [`Row::parse`]. A line split between two chunks is carried in
//! a fixed [`heapless::Vec`] of [`LINE_CAPACITY`] bytes; every line, carried or
//! not, longer than that is an error, so that the result never depends on how
//! the input was cut. After the first error every call returns that error.

use heapless::Vec;

use crate::Counts;
use crate::error::{Error, ErrorKind};
use crate::row::{Family, Row};

/// The longest line accepted, in bytes, without its newline. Kernel rows are
/// at most about 180 bytes (IPv6, 64-bit pointers); IPv4 rows are padded to
/// 149.
pub const LINE_CAPACITY: usize = 512;

/// A push parser for one table (`/proc/net/tcp` or `/proc/net/tcp6`).
///
/// `Parser::new()` is `const`, so a parser can live in a `static`; it holds
/// the counts, the line number and a [`LINE_CAPACITY`]-byte carry buffer, and
/// never allocates.
#[derive(Clone, Debug)]
pub struct Parser {
    carry: Vec<u8, LINE_CAPACITY>,
    table: Table,
}

/// Everything but the carry buffer, so a carried line can be read while the
/// rest is updated.
#[derive(Clone, Debug)]
struct Table {
    /// The number of the line being read (0 before the first byte).
    line: u32,
    family: Option<Family>,
    counts: Counts,
    error: Option<Error>,
}

impl Parser {
    /// A parser that has seen nothing yet.
    pub const fn new() -> Parser {
        Parser {
            carry: Vec::new(),
            table: Table {
                line: 0,
                family: None,
                counts: Counts::new(),
                error: None,
            },
        }
    }

    /// Parses the next `chunk` of the table. A chunk may end anywhere,
    /// including inside a line or a field.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), Error> {
        if let Some(error) = self.table.error {
            return Err(error);
        }
        let mut rest = chunk;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            let (line, after) = rest.split_at(end);
            rest = after.get(1..).unwrap_or_default();
            if self.carry.is_empty() {
                self.table.line = self.table.line.saturating_add(1);
                self.table.line(line)?;
            } else {
                self.carry_extend(line)?;
                let result = self.table.line(&self.carry);
                self.carry.clear();
                result?;
            }
        }
        self.carry_extend(rest)
    }

    /// Ends the table: a last line without a newline is parsed here. Returns
    /// the counts, or the first error.
    pub fn finish(mut self) -> Result<Counts, Error> {
        if let Some(error) = self.table.error {
            return Err(error);
        }
        if !self.carry.is_empty() {
            self.table.line(&self.carry)?;
        }
        Ok(self.table.counts)
    }

    /// The family of the rows seen so far, or `None` before the first row.
    pub fn family(&self) -> Option<Family> {
        self.table.family
    }

    /// The counts of the complete lines seen so far.
    pub fn counts(&self) -> &Counts {
        &self.table.counts
    }

    fn carry_extend(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if bytes.is_empty() {
            return Ok(());
        }
        if self.carry.is_empty() {
            self.table.line = self.table.line.saturating_add(1);
        }
        if self.carry.extend_from_slice(bytes).is_err() {
            return Err(self.table.fail(ErrorKind::LineTooLong));
        }
        Ok(())
    }
}

impl Default for Parser {
    fn default() -> Parser {
        Parser::new()
    }
}

impl Table {
    /// Handles one complete line, already counted in `self.line`.
    fn line(&mut self, line: &[u8]) -> Result<(), Error> {
        if line.len() > LINE_CAPACITY {
            return Err(self.fail(ErrorKind::LineTooLong));
        }
        if self.line == 1 {
            return if is_header(line) {
                Ok(())
            } else {
                Err(self.fail(ErrorKind::BadHeader))
            };
        }
        let row = Row::parse(line).map_err(|kind| self.fail(kind))?;
        match self.family {
            None => self.family = Some(row.family()),
            Some(family) if family != row.family() => {
                return Err(self.fail(ErrorKind::MixedFamilies));
            }
            Some(_) => {}
        }
        self.counts.add_code(row.state_code());
        Ok(())
    }

    fn fail(&mut self, kind: ErrorKind) -> Error {
        let error = Error {
            line: self.line,
            kind,
        };
        self.error = Some(error);
        error
    }
}

/// The header of both tables starts `  sl  local_address`.
fn is_header(line: &[u8]) -> bool {
    let mut words = line.split(|&b| b == b' ').filter(|w| !w.is_empty());
    words.next() == Some(b"sl") && words.next() == Some(b"local_address")
}
