//! Where tables come from: this machine's `/proc/net/tcp{,6}` (or another
//! process's, or another procfs mount's) or files named on the command line,
//! read through one fixed buffer into the core parser. A missing
//! `/proc/net/tcp6` is normal (a kernel without IPv6); a missing `/proc` gets
//! a hint to mount it. Every failure names its path and, for a parse error,
//! the line.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use tcpcount_core::{Counts, Family, Filter, Listeners, Parser, PortCounts, Row, Side, TcpSocket};

use crate::Method;
use crate::netlink;

/// Size of the one read buffer. Measured (bench/churn, docs/bench.md): one
/// `read()` of /proc/net/tcp returns at most a page whatever the size asked
/// for, so a larger buffer neither saves reads nor changes how many rows are
/// seen twice under churn; a netlink dump datagram is at most 32 KiB (the
/// kernel's cap), so this size reads each in one `recv()`.
pub const BUFFER_SIZE: usize = 32 * 1024;

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

/// One reading of the tables, with what the options asked for besides the
/// counts.
#[derive(Clone, Debug)]
pub struct Sample {
    /// When the reading started.
    pub time: SystemTime,
    /// Where the tables came from (a directory, or the files).
    pub source: String,
    /// The per-state counts.
    pub tables: Tables,
    /// Per-port counts, with `--per-port`.
    pub ports: Option<Box<PortCounts>>,
    /// Listening ports, with `--listeners`.
    pub listeners: Option<Box<Listeners>>,
}

/// Where to read tables from.
#[derive(Clone, Debug)]
pub enum Source {
    /// `PROC/net/tcp{,6}` or, with a pid, `PROC/PID/net/tcp{,6}`; or the
    /// netlink dump of this network namespace.
    Live {
        /// Where procfs is mounted.
        proc_root: PathBuf,
        /// Whose network namespace (procfs only).
        pid: Option<u32>,
        /// procfs, netlink or either.
        method: Method,
    },
    /// Captured tables (`-` is standard input).
    Files(Vec<PathBuf>),
}

impl Source {
    fn describe(&self) -> String {
        match self {
            Source::Live {
                method: Method::Netlink,
                ..
            } => "netlink".to_owned(),
            Source::Live { proc_root, pid, .. } => net_dir(proc_root, *pid).display().to_string(),
            Source::Files(files) => files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

fn net_dir(proc_root: &Path, pid: Option<u32>) -> PathBuf {
    match pid {
        Some(pid) => proc_root.join(pid.to_string()).join("net"),
        None => proc_root.join("net"),
    }
}

/// Why tcpcount could not give a count.
#[derive(Debug)]
pub enum Failure {
    /// No procfs is mounted at this directory.
    ProcNotMounted(PathBuf),
    /// `--pid` names no process.
    NoSuchProcess(u32),
    /// A file could not be opened or read.
    Io(PathBuf, io::Error),
    /// A file is not a well-formed table.
    Parse(PathBuf, tcpcount_core::Error),
    /// Writing the result to standard output failed.
    Stdout(io::Error),
    /// Writing the result to `--output` failed (the previous file is intact).
    Output(PathBuf, io::Error),
    /// The netlink dump failed.
    Netlink(io::Error),
    /// Options that cannot go together.
    Usage(&'static str),
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
            Failure::ProcNotMounted(root) if root == Path::new("/proc") => {
                f.write_str("/proc is not mounted; mount it with: mount -t proc proc /proc")
            }
            Failure::ProcNotMounted(root) => {
                write!(f, "{}: no procfs mounted there", root.display())
            }
            Failure::NoSuchProcess(pid) => write!(f, "--pid {pid}: no such process"),
            Failure::Io(path, error) | Failure::Output(path, error) => {
                write!(f, "{}: {}", path.display(), error)
            }
            Failure::Parse(path, error) => write!(f, "{}: {}", path.display(), error),
            Failure::Stdout(error) => write!(f, "stdout: {error}"),
            Failure::Netlink(error) => write!(f, "netlink sock_diag dump: {error}"),
            Failure::Usage(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for Failure {}

/// What to collect besides the per-state counts.
#[derive(Clone, Copy, Debug, Default)]
pub struct Wanted {
    /// Per-port counts grouped by this side.
    pub per_port: Option<Side>,
    /// The listener view.
    pub listeners: bool,
}

/// Reads tables through one buffer, allocated once and reused, as are the
/// per-port and listener tables.
pub struct Reader {
    buffer: Box<[u8]>,
    filter: Filter,
    wanted: Wanted,
    /// With `--source auto`: whether netlink worked (None: not tried yet).
    netlink_works: Option<bool>,
}

impl Default for Reader {
    fn default() -> Reader {
        Reader::new(Filter::new(), Wanted::default())
    }
}

impl Reader {
    /// A reader with a [`BUFFER_SIZE`] buffer that counts what `filter` lets
    /// through.
    pub fn new(filter: Filter, wanted: Wanted) -> Reader {
        Reader {
            buffer: vec![0; BUFFER_SIZE].into_boxed_slice(),
            filter,
            wanted,
            netlink_works: None,
        }
    }

    /// Takes one sample from `source`. `reuse` may hold the previous sample,
    /// whose tables are cleared and refilled instead of allocated again.
    pub fn sample(&mut self, source: &Source, reuse: Option<Sample>) -> Result<Sample, Failure> {
        let mut sample = reuse.unwrap_or_else(|| Sample {
            time: SystemTime::now(),
            source: source.describe(),
            tables: Tables::default(),
            ports: self
                .wanted
                .per_port
                .map(|side| Box::new(PortCounts::new(side))),
            listeners: self.wanted.listeners.then(|| Box::new(Listeners::new())),
        });
        sample.time = SystemTime::now();
        clear(&mut sample);
        match source {
            Source::Live {
                method: Method::Proc,
                proc_root,
                pid,
            } => self.live(proc_root, *pid, &mut sample)?,
            Source::Live {
                method: Method::Netlink,
                pid: Some(_),
                ..
            } => {
                return Err(Failure::Usage(
                    "--pid reads /proc/PID/net: use --source proc or auto",
                ));
            }
            Source::Live {
                method: Method::Netlink,
                ..
            } => self.netlink(&mut sample).map_err(Failure::Netlink)?,
            Source::Live {
                method: Method::Auto,
                proc_root,
                pid,
            } => {
                if pid.is_none() && self.netlink_works != Some(false) {
                    let worked = self.netlink(&mut sample).is_ok();
                    self.netlink_works = Some(worked);
                    if worked {
                        return Ok(sample);
                    }
                    clear(&mut sample);
                }
                self.live(proc_root, *pid, &mut sample)?;
            }
            Source::Files(files) => self.files(files, &mut sample)?,
        }
        Ok(sample)
    }

    /// Counts this namespace's sockets from the netlink dump, one family at
    /// a time; a kernel without IPv6 has no IPv6 sockets.
    fn netlink(&mut self, sample: &mut Sample) -> io::Result<()> {
        let mask = netlink::state_mask(self.filter.states.map(|s| s.mask()));
        for family in [Family::Ipv4, Family::Ipv6] {
            if self.filter.family.is_some_and(|f| f != family) {
                continue;
            }
            let mut counts = Counts::new();
            let (filter, ports, listeners) =
                (&self.filter, &mut sample.ports, &mut sample.listeners);
            let result = netlink::dump(family, mask, &mut self.buffer, |socket| {
                if filter.matches(socket) {
                    counts.add_code(socket.state_code());
                    visit(ports, listeners, socket);
                }
            });
            match result {
                Err(e) if family == Family::Ipv6 && is_no_ipv6(&e) => {}
                other => other?,
            }
            match family {
                Family::Ipv4 => sample.tables.ipv4 = counts,
                Family::Ipv6 => sample.tables.ipv6 = counts,
            }
        }
        Ok(())
    }

    fn live(
        &mut self,
        proc_root: &Path,
        pid: Option<u32>,
        sample: &mut Sample,
    ) -> Result<(), Failure> {
        let dir = net_dir(proc_root, pid);
        if self.filter.family != Some(Family::Ipv6) {
            match self.count_path(&dir.join("tcp"), sample) {
                Ok((_, counts)) => sample.tables.ipv4 = counts,
                Err(failure) if is_not_found(&failure) => {
                    return Err(why_missing(proc_root, pid).unwrap_or(failure));
                }
                Err(failure) => return Err(failure),
            }
        }
        if self.filter.family != Some(Family::Ipv4) {
            match self.count_path(&dir.join("tcp6"), sample) {
                Ok((_, counts)) => sample.tables.ipv6 = counts,
                // No tcp6 in a mounted procfs: a kernel without IPv6.
                Err(failure) if is_not_found(&failure) => {
                    if let Some(reason) = why_missing(proc_root, pid) {
                        return Err(reason);
                    }
                }
                Err(failure) => return Err(failure),
            }
        }
        Ok(())
    }

    fn files(&mut self, paths: &[PathBuf], sample: &mut Sample) -> Result<(), Failure> {
        for path in paths {
            let (family, counts) = self.count_path(path, sample)?;
            match family {
                Some(Family::Ipv4) => sample.tables.ipv4 += counts,
                Some(Family::Ipv6) => sample.tables.ipv6 += counts,
                None => {}
            }
        }
        Ok(())
    }

    fn count_path(
        &mut self,
        path: &Path,
        sample: &mut Sample,
    ) -> Result<(Option<Family>, Counts), Failure> {
        let result = if path.as_os_str() == "-" {
            self.count(io::stdin().lock(), sample)
        } else {
            File::open(path)
                .map_err(ReadError::Io)
                .and_then(|file| self.count(file, sample))
        };
        result.map_err(|e| match e {
            ReadError::Io(e) => Failure::Io(path.to_owned(), e),
            ReadError::Parse(e) => Failure::Parse(path.to_owned(), e),
        })
    }

    /// Feeds everything `input` yields to a new parser, showing the rows that
    /// pass the filter to the sample's per-port and listener tables.
    fn count(
        &mut self,
        mut input: impl Read,
        sample: &mut Sample,
    ) -> Result<(Option<Family>, Counts), ReadError> {
        let mut parser = Parser::with_filter(self.filter.clone());
        let (ports, listeners) = (&mut sample.ports, &mut sample.listeners);
        let mut visit = |row: &Row<'_>| visit(ports, listeners, row);
        loop {
            let n = match input.read(&mut self.buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(ReadError::Io(e)),
            };
            let chunk = self.buffer.get(..n).unwrap_or_default();
            parser
                .feed_visit(chunk, &mut visit)
                .map_err(ReadError::Parse)?;
        }
        parser.end(&mut visit).map_err(ReadError::Parse)?;
        Ok((parser.family(), *parser.counts()))
    }
}

/// Shows a counted socket to the per-port and listener tables, if wanted.
fn visit(
    ports: &mut Option<Box<PortCounts>>,
    listeners: &mut Option<Box<Listeners>>,
    socket: &impl TcpSocket,
) {
    if let Some(ports) = ports {
        ports.add(socket);
    }
    if let Some(listeners) = listeners {
        listeners.add(socket);
    }
}

/// Empties a sample's counts and tables, keeping their memory.
fn clear(sample: &mut Sample) {
    sample.tables = Tables::default();
    if let Some(ports) = &mut sample.ports {
        **ports = PortCounts::new(ports.side());
    }
    if let Some(listeners) = &mut sample.listeners {
        **listeners = Listeners::new();
    }
}

/// The errors an IPv6 dump gives on a kernel without IPv6.
fn is_no_ipv6(error: &io::Error) -> bool {
    // ENOENT (no handler), EAFNOSUPPORT, EINVAL.
    matches!(error.raw_os_error(), Some(2 | 97 | 22))
}

fn is_not_found(failure: &Failure) -> bool {
    matches!(failure, Failure::Io(_, e) if e.kind() == io::ErrorKind::NotFound)
}

/// Why a table is missing, when the reason is not the table itself: no
/// procfs at `proc_root`, or no such process.
fn why_missing(proc_root: &Path, pid: Option<u32>) -> Option<Failure> {
    if !proc_root.join("self").exists() {
        return Some(Failure::ProcNotMounted(proc_root.to_owned()));
    }
    let pid = pid?;
    (!proc_root.join(pid.to_string()).exists()).then_some(Failure::NoSuchProcess(pid))
}

/// Why one input could not be counted.
#[derive(Debug)]
enum ReadError {
    Io(io::Error),
    Parse(tcpcount_core::Error),
}
