//! Everything that can stop tcpcount from giving a count or writing it, with
//! the user's words for it: each message names the path (and, for a parse
//! error, the line) it is about.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Why tcpcount could not give a count or write it.
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
    /// `--output` names something that is not a regular file; it was left
    /// alone. The text says what it is.
    NotAFile(PathBuf, &'static str),
    /// A file is not a well-formed conntrack table.
    CtParse(PathBuf, tcpcount_core::conntrack::CtError),
    /// The conntrack table may not be read (it is mode 0440 root).
    CtNeedsRoot(PathBuf),
    /// Neither `nf_conntrack` nor the legacy `ip_conntrack` is in this
    /// directory: conntrack is not loaded.
    CtMissing(PathBuf),
    /// `/proc/net/stat/nf_conntrack` is not what the kernel prints.
    CtStat(PathBuf, crate::ctstat::CtStatError),
    /// A sysctl file (`nf_conntrack_count`, `_max`) holds no number.
    NotANumber(PathBuf),
    /// The netlink dump failed.
    Netlink(io::Error),
    /// A counters file (`snmp`, `netstat`) is malformed.
    Counters(PathBuf, tcpcount_core::CountersError),
    /// The ctnetlink conntrack dump failed.
    Ctnetlink(crate::source::ctnetlink::CtnlError),
    /// SIGINT or SIGTERM arrived while a read was blocked, before the sample
    /// was complete.
    Interrupted,
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
            Failure::NotAFile(path, what) => write!(f, "{}: {what}", path.display()),
            Failure::Parse(path, error) => write!(f, "{}: {}", path.display(), error),
            Failure::CtParse(path, error) => write!(f, "{}: {}", path.display(), error),
            Failure::CtNeedsRoot(path) => write!(
                f,
                "{}: permission denied: the conntrack table is mode 0440, readable by root only; run tcpcount as root (sudo tcpcount --conntrack)",
                path.display()
            ),
            Failure::CtMissing(dir) => write!(
                f,
                "{}: no conntrack table (neither nf_conntrack nor the legacy ip_conntrack): connection tracking is not loaded (modprobe nf_conntrack) or the kernel was built without CONFIG_NF_CONNTRACK_PROCFS",
                dir.join("nf_conntrack").display()
            ),
            Failure::CtStat(path, error) => write!(f, "{}: {}", path.display(), error),
            Failure::NotANumber(path) => {
                write!(f, "{}: expected a whole number", path.display())
            }
            Failure::Stdout(error) => write!(f, "stdout: {error}"),
            Failure::Netlink(error) => write!(f, "netlink sock_diag dump: {error}"),
            Failure::Counters(path, error) => write!(f, "{}: {}", path.display(), error),
            Failure::Ctnetlink(error) => write!(f, "{error}"),
            Failure::Interrupted => {
                f.write_str("stopped by a signal before the sample was complete")
            }
        }
    }
}

impl std::error::Error for Failure {}
