//! Reading one text table (`/proc/net/tcp{,6}` format) through the reader's
//! buffer into a new core parser, for the proc and files sources; a read
//! interrupted by SIGINT or SIGTERM ends the sample.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use tcpcount_core::{Counts, Error, Family, Parser, Row};

use super::Reader;
use super::read::ReadError;
use crate::failure::Failure;
use crate::sample::Sample;

impl Reader {
    /// Reads the table at `path` (`-`: standard input), which may be of
    /// either family.
    pub(super) fn count_path(
        &mut self,
        path: &Path,
        sample: &mut Sample,
    ) -> Result<(Option<Family>, Counts), Failure> {
        let result = if path.as_os_str() == "-" {
            self.count(io::stdin().lock(), sample)
        } else {
            open(path)
                .map_err(ReadError::Io)
                .and_then(|file| self.count(file, sample))
        };
        result.map_err(|e| e.at(path, Failure::Parse))
    }

    /// Feeds everything `input` yields to a new parser, showing the rows that
    /// pass the filter to the sample's per-port and listener tables.
    fn count(
        &mut self,
        input: impl Read,
        sample: &mut Sample,
    ) -> Result<(Option<Family>, Counts), ReadError<Error>> {
        let mut parser = Parser::with_filter(self.filter.clone());
        let shows = sample.shows_rows();
        let mut visit = |row: &Row<'_>| {
            if shows {
                sample.visit(row);
            }
        };
        self.read_all(input, |chunk| parser.feed_visit(chunk, &mut visit))?;
        parser.end(&mut visit).map_err(ReadError::Parse)?;
        Ok((parser.family(), *parser.counts()))
    }
}

/// An opened table. A FIFO is opened without waiting for a writer (std
/// retries an interrupted `open`, so no signal could end that wait); each read
/// then first waits in `poll`, which a signal does interrupt, until there are
/// bytes, or a writer has come and gone (end of input).
pub(super) struct Input {
    file: File,
    fifo: bool,
}

impl Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use std::os::fd::AsRawFd;
        if self.fifo {
            let mut poll = libc::pollfd {
                fd: self.file.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: `poll` points to one valid pollfd for the call.
            if unsafe { libc::poll(&mut poll, 1, -1) } < 0 {
                return Err(io::Error::last_os_error());
            }
        }
        self.file.read(buf)
    }
}

/// Opens `path` for reading without blocking in `open` (a FIFO with no
/// writer would), then, for anything but a regular file (a FIFO, a device),
/// makes reads block again, as [`Input`] expects. Regular and procfs files
/// ignore `O_NONBLOCK`, so they cost one `fstat` more than a plain open.
pub(super) fn open(path: &Path) -> io::Result<Input> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let kind = file.metadata()?.file_type();
    if !kind.is_file() {
        let fd = file.as_raw_fd();
        // SAFETY: `fd` is open for as long as `file` lives; F_GETFL and
        // F_SETFL only read and set its status flags.
        let cleared = unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFL);
            flags >= 0 && libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) == 0
        };
        if !cleared {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(Input {
        file,
        fifo: kind.is_fifo(),
    })
}
