//! Reading one input to its end through the reader's one buffer into a push
//! parser, the loop every text source shares (tables, conntrack, its stat
//! file and sysctls, counters); a read interrupted by SIGINT or SIGTERM ends
//! it, any other interrupted read is retried.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::Reader;
use crate::failure::Failure;
use crate::signals;

/// Why one input could not be read into its parser (`E`: the parser's
/// error).
#[derive(Debug)]
pub(super) enum ReadError<E> {
    Io(io::Error),
    Parse(E),
    /// SIGINT or SIGTERM arrived while a read was blocked.
    Interrupted,
}

impl<E> ReadError<E> {
    /// The failure of reading `path`, with `parse` naming a parser error.
    pub(super) fn at(self, path: &Path, parse: impl FnOnce(PathBuf, E) -> Failure) -> Failure {
        match self {
            ReadError::Io(e) => Failure::Io(path.to_owned(), e),
            ReadError::Parse(e) => parse(path.to_owned(), e),
            ReadError::Interrupted => Failure::Interrupted,
        }
    }
}

impl Reader {
    /// Reads `input` to its end through the one buffer, handing each chunk
    /// to `each` (a parser's `feed`).
    pub(super) fn read_all<E>(
        &mut self,
        mut input: impl Read,
        mut each: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), ReadError<E>> {
        loop {
            let n = match input.read(&mut self.buffer) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    if signals::stop_requested() {
                        return Err(ReadError::Interrupted);
                    }
                    continue;
                }
                Err(e) => return Err(ReadError::Io(e)),
            };
            each(self.buffer.get(..n).unwrap_or_default()).map_err(ReadError::Parse)?;
        }
    }
}
