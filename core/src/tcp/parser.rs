//! The streaming parser: bytes go in as chunks of any size, counts come out.
//! It only finds line boundaries, checks the header on line 1, and hands every
//! later line to [`Row::parse`]. A line split between two chunks is carried in
//! a fixed [`heapless::Vec`] of [`LINE_CAPACITY`] bytes; every line, carried or
//! not, longer than that is an error, so that the result never depends on how
//! the input was cut. After the first error every call returns that error.

use super::layout::{Family, HEADER, HEADER_REMOTE, HEADER_REMOTE_V6, LINE_CAPACITY, PAD};
use super::row::Row;
use crate::counts::Counts;
use crate::error::{Error, ErrorKind};
use crate::filter::Filter;
use crate::lines::Lines;

/// A push parser for one table (`/proc/net/tcp` or `/proc/net/tcp6`).
///
/// `Parser::new()` is `const`, so a parser can live in a `static`; it holds
/// the counts, the line number and a [`LINE_CAPACITY`]-byte carry buffer, and
/// never allocates.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Parser {
    lines: Lines<LINE_CAPACITY>,
    table: Table,
}

/// Everything but the line framing, so a carried line can be read while the
/// rest is updated.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct Table {
    family: Option<Family>,
    filter: Filter,
    /// Whether `filter` restricts anything (known when it is given: not
    /// asked again on every row).
    filtered: bool,
    counts: Counts,
    error: Option<Error>,
}

impl Parser {
    /// A parser that has seen nothing yet and counts every row.
    pub const fn new() -> Parser {
        Parser::with_filter(Filter::new())
    }

    /// A parser that counts only the rows `filter` lets through. Every row is
    /// still checked: a bad row is an error even if the filter would skip it.
    pub const fn with_filter(filter: Filter) -> Parser {
        Parser {
            lines: Lines::new(),
            table: Table {
                family: None,
                filtered: !filter.is_empty(),
                filter,
                counts: Counts::new(),
                error: None,
            },
        }
    }

    /// Parses the next `chunk` of the table. A chunk may end anywhere,
    /// including inside a line or a field.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), Error> {
        self.feed_visit(chunk, &mut |_| {})
    }

    /// Like [`Parser::feed`], and also shows `visit` every row that passes
    /// the filter (for per-port or listener tables).
    pub fn feed_visit(
        &mut self,
        chunk: &[u8],
        visit: &mut impl FnMut(&Row<'_>),
    ) -> Result<(), Error> {
        if let Some(error) = self.table.error {
            return Err(error);
        }
        let table = &mut self.table;
        self.lines
            .feed(chunk, &mut |number, line| table.line(number, line, visit))
    }

    /// Ends the table: a last line without a newline is parsed here. Returns
    /// the counts, or the first error.
    pub fn finish(mut self) -> Result<Counts, Error> {
        self.end(&mut |_| {})?;
        Ok(self.table.counts)
    }

    /// Ends the input without consuming the parser: parses a last line that
    /// has no newline (showing its row to `visit`), after which
    /// [`Parser::family`] and [`Parser::counts`] are final. Feeding after it
    /// goes on as if that last line had ended with a newline.
    pub fn end(&mut self, visit: &mut impl FnMut(&Row<'_>)) -> Result<(), Error> {
        if let Some(error) = self.table.error {
            return Err(error);
        }
        let table = &mut self.table;
        self.lines
            .end(&mut |number, line| table.line(number, line, visit))
    }

    /// The family of the rows seen so far, or `None` before the first row
    /// (final once [`Parser::end`] has run).
    pub fn family(&self) -> Option<Family> {
        self.table.family
    }

    /// The counts of the complete lines seen so far.
    pub fn counts(&self) -> &Counts {
        &self.table.counts
    }
}

impl Default for Parser {
    fn default() -> Parser {
        Parser::new()
    }
}

impl Table {
    /// Handles complete line `number` (`None`: longer than the carry).
    fn line(
        &mut self,
        number: u32,
        line: Option<&[u8]>,
        visit: &mut impl FnMut(&Row<'_>),
    ) -> Result<(), Error> {
        let fail = |table: &mut Table, kind| table.fail(number, kind);
        let Some(line) = line.filter(|line| line.len() <= LINE_CAPACITY) else {
            return Err(fail(self, ErrorKind::LineTooLong));
        };
        if number == 1 {
            return if is_header(line) {
                Ok(())
            } else {
                Err(fail(self, ErrorKind::BadHeader))
            };
        }
        if line.is_empty() {
            return Err(fail(self, ErrorKind::EmptyLine));
        }
        let row = Row::parse(line).map_err(|kind| fail(self, kind))?;
        match self.family {
            None => self.family = Some(row.family()),
            Some(family) if family != row.family() => {
                return Err(fail(self, ErrorKind::MixedFamilies));
            }
            Some(_) => {}
        }
        if !self.filtered || self.filter.matches(&row) {
            self.counts.add_code(row.state_code());
            visit(&row);
        }
        Ok(())
    }

    fn fail(&mut self, line: u32, kind: ErrorKind) -> Error {
        let error = Error { line, kind };
        self.error = Some(error);
        error
    }
}

/// Whether `line` is the header of `/proc/net/tcp` or `/proc/net/tcp6`:
/// exactly the layout's [`HEADER`] words, however padded.
fn is_header(line: &[u8]) -> bool {
    let mut words = line.split(|&b| b == PAD).filter(|w| !w.is_empty());
    HEADER.iter().all(|&expected| match words.next() {
        Some(HEADER_REMOTE_V6) => expected == HEADER_REMOTE,
        Some(word) => word == expected,
        None => false,
    }) && words.next().is_none()
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::{Field, TcpState};

    const HEADER: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    const HEADER6: &str = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

    fn row4(sl: u32, state: &str) -> String {
        format!(
            "{sl:4}: 0100007F:1F90 0100007F:C350 {state} 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 20 4 30 10 -1\n"
        )
    }

    fn row6(sl: u32, state: &str) -> String {
        format!(
            "{sl:4}: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:C350 {state} 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 20 4 30 10 -1\n"
        )
    }

    fn parse(input: &str) -> Result<Counts, Error> {
        let mut parser = Parser::new();
        parser.feed(input.as_bytes())?;
        parser.finish()
    }

    fn err(line: u32, kind: ErrorKind) -> Result<Counts, Error> {
        Err(Error { line, kind })
    }

    #[test]
    fn test_empty_and_header_only() {
        assert_eq!(parse(""), Ok(Counts::new()));
        assert_eq!(parse(HEADER), Ok(Counts::new()));
        assert_eq!(parse(HEADER.trim_end()), Ok(Counts::new()));
        assert_eq!(parse(HEADER6), Ok(Counts::new()));
    }

    #[test]
    fn test_counts_rows_of_both_families() {
        let table = [HEADER, &row4(0, "0A"), &row4(1, "01"), &row4(2, "01")].concat();
        let counts = parse(&table).unwrap();
        assert_eq!(counts.get(TcpState::Listen), 1);
        assert_eq!(counts.get(TcpState::Established), 2);

        let table6 = [HEADER6, &row6(0, "06"), &row6(1, "0B")].concat();
        let mut parser = Parser::new();
        parser.feed(table6.as_bytes()).unwrap();
        assert_eq!(parser.family(), Some(Family::Ipv6));
        let counts = parser.finish().unwrap();
        assert_eq!(counts.get(TcpState::TimeWait), 1);
        assert_eq!(counts.get(TcpState::Closing), 1);
    }

    #[test]
    fn test_last_line_without_newline() {
        let table = [HEADER, &row4(0, "01"), row4(1, "08").trim_end()].concat();
        let counts = parse(&table).unwrap();
        assert_eq!(counts.get(TcpState::CloseWait), 1);
        assert_eq!(counts.total(), 2);
    }

    #[test]
    fn test_unknown_state_is_counted() {
        let table = [HEADER, &row4(0, "0C"), &row4(1, "00"), &row4(2, "FF")].concat();
        let counts = parse(&table).unwrap();
        assert_eq!(counts.unknown(), 3);
        assert_eq!(counts.total(), 3);
    }

    #[test]
    fn test_errors_name_the_line() {
        let long = format!("{}\n", "x".repeat(LINE_CAPACITY + 1));
        let exactly_capacity = format!("{:<1$}\n", row4(0, "01").trim_end(), LINE_CAPACITY);
        let cases: &[(String, Result<Counts, Error>)] = &[
            ("garbage\n".into(), err(1, ErrorKind::BadHeader)),
            ("\n".into(), err(1, ErrorKind::BadHeader)),
            (
                HEADER.replace("inode", "inode ref pointer drops"),
                err(1, ErrorKind::BadHeader),
            ),
            (HEADER.replace(" st ", " "), err(1, ErrorKind::BadHeader)),
            (row4(0, "01"), err(1, ErrorKind::BadHeader)),
            ([HEADER, "\n"].concat(), err(2, ErrorKind::EmptyLine)),
            (
                [HEADER, " \n"].concat(),
                err(2, ErrorKind::Truncated(Field::Slot)),
            ),
            (
                [HEADER, &row4(0, "01"), &row4(1, "0G")].concat(),
                err(3, ErrorKind::BadField(Field::State)),
            ),
            (
                [HEADER, &row4(0, "01"), &row6(1, "01")].concat(),
                err(3, ErrorKind::MixedFamilies),
            ),
            ([HEADER, &long].concat(), err(2, ErrorKind::LineTooLong)),
            (
                [HEADER, &row4(0, "01")[..35]].concat(),
                err(2, ErrorKind::Truncated(Field::State)),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(&parse(input), expected, "{input:?}");
        }
        let at_capacity = [HEADER, &exactly_capacity].concat();
        assert_eq!(parse(&at_capacity).map(|c| c.total()), Ok(1));
    }

    #[test]
    fn test_error_is_sticky() {
        let mut parser = Parser::new();
        let first = parser.feed(b"bad header\n").unwrap_err();
        assert_eq!(parser.feed(HEADER.as_bytes()), Err(first));
        assert_eq!(parser.finish(), Err(first));
    }

    #[test]
    fn test_every_split_point_and_chunk_size_agree() {
        let table = [
            HEADER,
            &row4(0, "0A"),
            &row4(1, "01"),
            &row4(9999, "06"),
            &row4(10000, "0C"),
            row4(10001, "01").trim_end(),
        ]
        .concat();
        let bad = [HEADER, &row4(0, "01"), &row4(1, "1"), &"y".repeat(600)].concat();
        for input in [table.as_bytes(), bad.as_bytes()] {
            let whole = {
                let mut p = Parser::new();
                p.feed(input).and_then(|()| p.finish())
            };
            for split in 0..=input.len() {
                let (a, b) = input.split_at(split);
                let mut p = Parser::new();
                let got = p.feed(a).and_then(|()| p.feed(b)).and_then(|()| p.finish());
                assert_eq!(got, whole, "split at {split}");
            }
            for size in 1..=8 {
                let mut p = Parser::new();
                let got = input
                    .chunks(size)
                    .try_for_each(|c| p.feed(c))
                    .and_then(|()| p.finish());
                assert_eq!(got, whole, "chunks of {size}");
            }
        }
    }

    #[test]
    fn test_long_line_is_an_error_however_it_arrives() {
        let input = [HEADER, &"7".repeat(LINE_CAPACITY + 1), "\n"].concat();
        for size in [1, 7, 64, LINE_CAPACITY, input.len()] {
            let mut p = Parser::new();
            let got = input
                .as_bytes()
                .chunks(size)
                .try_for_each(|c| p.feed(c))
                .and_then(|()| p.finish());
            assert_eq!(got, err(2, ErrorKind::LineTooLong), "chunks of {size}");
        }
    }

    #[test]
    fn test_parser_fits_in_a_static() {
        static PARSER: Parser = Parser::new();
        assert_eq!(PARSER.counts().total(), 0);
    }
}
