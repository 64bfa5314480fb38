//! Where tables come from: this machine's `/proc/net/tcp{,6}` or files named
//! on the command line, read through one fixed buffer into the core parser.
//! A missing `/proc/net/tcp6` is normal (a kernel without IPv6); a missing
//! `/proc` gets a hint to mount it. Every failure names its path and, for a
//! parse error, the line.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use tcpcount_core::{Counts, Family, Parser};

/// The directory of this machine's tables.
pub const PROC_NET: &str = "/proc/net";

/// Size of the one read buffer. A larger read lets the kernel format more of
/// the table in one go, which on a busy machine means fewer rows moved or
/// counted twice between reads.
pub const BUFFER_SIZE: usize = 128 * 1024;

/// The counts of the IPv4 and the IPv6 tables.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tables {
    /// Rows of `/proc/net/tcp` (or of files whose rows are IPv4).
    pub ipv4: Counts,
    /// Rows of `/proc/net/tcp6` (or of files whose rows are IPv6).
    pub ipv6: Counts,
}

impl Tables {
    /// Both families together.
    pub fn total(&self) -> Counts {
        let mut total = self.ipv4;
        total += self.ipv6;
        total
    }
}

/// Why tcpcount could not give a count.
#[derive(Debug)]
pub enum Failure {
    /// `/proc` is not mounted here.
    ProcNotMounted,
    /// A file could not be opened or read.
    Io(PathBuf, io::Error),
    /// A file is not a well-formed table.
    Parse(PathBuf, tcpcount_core::Error),
    /// Writing the result failed.
    Stdout(io::Error),
}

impl Failure {
    /// Wraps an error writing to standard output.
    pub fn stdout(error: io::Error) -> Failure {
        Failure::Stdout(error)
    }

    /// A reader of our output went away (`tcpcount | head -1`): not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Failure::Stdout(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::ProcNotMounted => {
                f.write_str("/proc is not mounted; mount it with: mount -t proc proc /proc")
            }
            Failure::Io(path, error) => write!(f, "{}: {}", path.display(), error),
            Failure::Parse(path, error) => write!(f, "{}: {}", path.display(), error),
            Failure::Stdout(error) => write!(f, "stdout: {error}"),
        }
    }
}

impl std::error::Error for Failure {}

/// Reads tables through one buffer, allocated once.
pub struct Reader {
    buffer: Box<[u8]>,
}

impl Default for Reader {
    fn default() -> Reader {
        Reader::new()
    }
}

impl Reader {
    /// A reader with a [`BUFFER_SIZE`] buffer.
    pub fn new() -> Reader {
        Reader {
            buffer: vec![0; BUFFER_SIZE].into_boxed_slice(),
        }
    }

    /// Counts `DIR/tcp` and `DIR/tcp6`; a missing `tcp6` counts as empty.
    pub fn live(&mut self, dir: impl AsRef<Path>) -> Result<Tables, Failure> {
        let dir = dir.as_ref();
        let tcp = dir.join("tcp");
        let ipv4 = match self.count_path(&tcp) {
            Err(Failure::Io(_, e)) if e.kind() == io::ErrorKind::NotFound && !proc_mounted(dir) => {
                return Err(Failure::ProcNotMounted);
            }
            other => other?.1,
        };
        let tcp6 = dir.join("tcp6");
        let ipv6 = match self.count_path(&tcp6) {
            Err(Failure::Io(_, e)) if e.kind() == io::ErrorKind::NotFound => Counts::new(),
            other => other?.1,
        };
        Ok(Tables { ipv4, ipv6 })
    }

    /// Counts captured tables; each one's family comes from its rows, and a
    /// table with no rows adds nothing. `-` is standard input.
    pub fn files(&mut self, paths: &[PathBuf]) -> Result<Tables, Failure> {
        let mut tables = Tables::default();
        for path in paths {
            let (family, counts) = self.count_path(path)?;
            match family {
                Some(Family::Ipv4) => tables.ipv4 += counts,
                Some(Family::Ipv6) => tables.ipv6 += counts,
                None => {}
            }
        }
        Ok(tables)
    }

    fn count_path(&mut self, path: &Path) -> Result<(Option<Family>, Counts), Failure> {
        let result = if path.as_os_str() == "-" {
            self.count(io::stdin().lock())
        } else {
            File::open(path)
                .map_err(ReadError::Io)
                .and_then(|file| self.count(file))
        };
        result.map_err(|e| match e {
            ReadError::Io(e) => Failure::Io(path.to_owned(), e),
            ReadError::Parse(e) => Failure::Parse(path.to_owned(), e),
        })
    }

    /// Feeds everything `input` yields to a new parser.
    pub fn count(&mut self, mut input: impl Read) -> Result<(Option<Family>, Counts), ReadError> {
        let mut parser = Parser::new();
        loop {
            let n = match input.read(&mut self.buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(ReadError::Io(e)),
            };
            let chunk = self.buffer.get(..n).unwrap_or_default();
            parser.feed(chunk).map_err(ReadError::Parse)?;
        }
        parser.end(&mut |_| {}).map_err(ReadError::Parse)?;
        Ok((parser.family(), *parser.counts()))
    }
}

/// Why one input could not be counted.
#[derive(Debug)]
pub enum ReadError {
    /// `read()` failed.
    Io(io::Error),
    /// The bytes are not a well-formed table.
    Parse(tcpcount_core::Error),
}

/// `/proc/self` exists wherever procfs is mounted on `/proc`.
fn proc_mounted(dir: &Path) -> bool {
    let proc_root = dir.parent().unwrap_or(dir);
    proc_root.join("self").exists()
}
