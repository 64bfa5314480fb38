//! `/proc/net/stat/nf_conntrack`: a header line of column names, then one
//! line of hexadecimal counters per CPU. [`CtStatParser`] takes the file in
//! chunks of any size and sums each column over the CPUs, except `entries`,
//! which every line repeats (the namespace's entry count): it is taken once.

use std::fmt;

/// The longest line accepted (a line is about 160 bytes).
const LINE_CAPACITY: usize = 1024;

/// The most columns accepted (kernels print 17).
const MAX_COLUMNS: usize = 64;

/// The summed counters of every CPU.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CtStat {
    /// The `entries` column (the same on every line), if there is one.
    pub entries: Option<u64>,
    /// How many CPU lines were summed.
    pub cpus: u32,
    /// Every other column, named as the header names it, in its order,
    /// summed over the CPUs (saturating).
    pub counters: Vec<(String, u64)>,
}

impl CtStat {
    /// The sum of the column `name`, if the kernel prints it.
    pub fn get(&self, name: &str) -> Option<u64> {
        self.counters
            .iter()
            .find(|(n, _)| n == name)
            .map(|&(_, v)| v)
    }
}

/// What is wrong with a stat file, and on which 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CtStatError {
    /// 1-based line number.
    pub line: u32,
    /// What is wrong.
    pub what: &'static str,
}

impl fmt::Display for CtStatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.what)
    }
}

fn error(line: u32, what: &'static str) -> CtStatError {
    CtStatError { line, what }
}

/// A push parser for the stat file.
#[derive(Debug, Default)]
pub struct CtStatParser {
    carry: Vec<u8>,
    line: u32,
    /// Column names; `entries` is index `entries_at`.
    names: Vec<String>,
    entries_at: Option<usize>,
    stat: CtStat,
}

impl CtStatParser {
    /// A parser that has seen nothing.
    pub fn new() -> CtStatParser {
        CtStatParser::default()
    }

    /// Parses the next chunk, which may end anywhere.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), CtStatError> {
        let mut rest = chunk;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            let (head, after) = rest.split_at(end);
            rest = after.get(1..).unwrap_or_default();
            self.extend(head)?;
            let line = std::mem::take(&mut self.carry);
            self.parse_line(&line)?;
        }
        self.extend(rest)
    }

    /// Ends the input (a last line without a newline is parsed here).
    pub fn finish(mut self) -> Result<CtStat, CtStatError> {
        if !self.carry.is_empty() {
            let line = std::mem::take(&mut self.carry);
            self.parse_line(&line)?;
        }
        if self.names.is_empty() {
            return Err(error(1, "empty: expected a header line of column names"));
        }
        Ok(self.stat)
    }

    fn extend(&mut self, bytes: &[u8]) -> Result<(), CtStatError> {
        if self.carry.len() + bytes.len() > LINE_CAPACITY {
            return Err(error(self.line + 1, "line longer than 1024 bytes"));
        }
        self.carry.extend_from_slice(bytes);
        Ok(())
    }

    fn parse_line(&mut self, line: &[u8]) -> Result<(), CtStatError> {
        self.line += 1;
        let n = self.line;
        let text = std::str::from_utf8(line).map_err(|_| error(n, "not text"))?;
        if self.names.is_empty() {
            for name in text.split_ascii_whitespace() {
                if !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                    return Err(error(
                        n,
                        "bad header: expected column names such as entries, insert_failed, drop",
                    ));
                }
                if self.names.len() == MAX_COLUMNS {
                    return Err(error(n, "more than 64 columns"));
                }
                if name == "entries" {
                    self.entries_at = Some(self.names.len());
                } else {
                    self.stat.counters.push((name.to_owned(), 0));
                }
                self.names.push(name.to_owned());
            }
            if self.names.is_empty() {
                return Err(error(n, "empty header: expected column names"));
            }
            return Ok(());
        }
        let mut counters = self.stat.counters.iter_mut();
        let mut columns = 0;
        for (i, field) in text.split_ascii_whitespace().enumerate() {
            let value = u64::from_str_radix(field, 16)
                .map_err(|_| error(n, "bad counter: expected hexadecimal digits"))?;
            columns += 1;
            if Some(i) == self.entries_at {
                self.stat.entries = Some(value);
            } else if let Some((_, sum)) = counters.next() {
                *sum = sum.saturating_add(value);
            }
        }
        if columns != self.names.len() {
            return Err(error(
                n,
                "the line has not as many counters as the header has names",
            ));
        }
        self.stat.cpus += 1;
        Ok(())
    }
}

#[cfg(test)]
mod test {
    use super::*;

    const TWO_CPUS: &str = "entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart
0000002a  00000001 00000000 00000000 0000000a 00000000 00000000 00000000 00000000 00000002 00000003 00000001 00000000  00000000 00000000 00000000 00000010
0000002a  00000000 00000000 00000000 00000005 00000000 00000000 00000000 00000000 00000001 000000ff 00000000 00000000  00000000 00000000 00000000 00000001
";

    fn parse(text: &str, chunk: usize) -> Result<CtStat, CtStatError> {
        let mut parser = CtStatParser::new();
        for piece in text.as_bytes().chunks(chunk) {
            parser.feed(piece)?;
        }
        parser.finish()
    }

    #[test]
    fn sums_every_column_but_entries_in_any_chunking() {
        for chunk in [1, 2, 7, 4096] {
            let stat = parse(TWO_CPUS, chunk).unwrap();
            assert_eq!(stat.entries, Some(42));
            assert_eq!(stat.cpus, 2);
            assert_eq!(stat.get("invalid"), Some(15));
            assert_eq!(stat.get("insert_failed"), Some(3));
            assert_eq!(stat.get("drop"), Some(258));
            assert_eq!(stat.get("early_drop"), Some(1));
            assert_eq!(stat.get("search_restart"), Some(17));
            assert_eq!(stat.get("entries"), None);
            assert_eq!(stat.counters.len(), 16);
        }
    }

    #[test]
    fn bad_files_name_the_line() {
        let cases = [
            ("", 1, "empty"),
            ("entries drop\n0000000g 00000000\n", 2, "bad counter"),
            ("entries drop\n00000001\n", 2, "not as many"),
            ("Entries drop\n", 1, "bad header"),
            (
                "entries drop\n00000001 00000000 00000000\n",
                2,
                "not as many",
            ),
        ];
        for (text, line, what) in cases {
            let error = parse(text, 3).unwrap_err();
            assert_eq!(error.line, line, "{text:?}");
            assert!(error.what.contains(what), "{text:?}: {error}");
        }
    }

    #[test]
    fn an_old_header_without_entries_has_none() {
        let stat = parse("searched found\n00000001 00000002\n", 5).unwrap();
        assert_eq!(stat.entries, None);
        assert_eq!(stat.get("found"), Some(2));
    }
}
