//! Where tables come from: [`Reader`] reads the [`Input`] the command line
//! names (/proc, the netlink dump, or files) into a [`Sample`], recording
//! which source it really read.
//!
//! One fixed buffer serves every read; each source is one file: `proc`,
//! `sockdiag` (netlink), `files`, with `text` shared by proc and files.

mod conntrack;
mod counters;
pub mod ctnetlink;
mod files;
mod netlink;
mod nl;
mod proc;
mod read;
mod sockdiag;
mod text;

use std::path::PathBuf;

use tcpcount_core::conntrack::CtFilter;
use tcpcount_core::{Filter, KeySpec};

use crate::failure::Failure;
use crate::reading::TopReading;
use crate::sample::{Origin, Sample, Wanted};

/// Size of the one read buffer. Measured (bench/churn, docs/bench.md): one
/// `read()` of /proc/net/tcp returns at most a page whatever the size asked
/// for, so a larger buffer neither saves reads nor changes how many rows are
/// seen twice under churn; a netlink dump datagram is at most 32 KiB (the
/// kernel's cap), so this size reads each in one `recv()`.
pub const BUFFER_SIZE: usize = 32 * 1024;

/// What to read.
#[derive(Clone, Debug)]
pub enum Input {
    /// `ROOT/net/tcp{,6}`, or with a pid `ROOT/PID/net/tcp{,6}`.
    Proc {
        /// Where procfs is mounted.
        root: PathBuf,
        /// Whose network namespace.
        pid: Option<u32>,
    },
    /// The netlink dump of this network namespace.
    Netlink,
    /// Netlink, or `ROOT/net/tcp{,6}` where the kernel has no inet_diag.
    Auto {
        /// Where procfs is mounted.
        root: PathBuf,
    },
    /// Captured tables (`-` is standard input), read again for every
    /// sample.
    Files(Vec<PathBuf>),
}

/// Reads tables through one buffer, allocated once and reused, as are the
/// sample's per-port and listener tables.
pub struct Reader {
    buffer: Box<[u8]>,
    filter: Filter,
    wanted: Wanted,
    /// With `--source auto`: whether netlink worked (None: not tried yet).
    netlink_works: Option<bool>,
    /// With `--top`: what to count the sockets by.
    top: Option<KeySpec>,
    /// With `--counters`: the directory holding `snmp` and `netstat`.
    counters: Option<PathBuf>,
    /// With `--conntrack`: count the conntrack table through this filter.
    conntrack: Option<CtFilter>,
    /// With `--conntrack --source auto`: whether ctnetlink worked.
    ctnetlink_works: Option<bool>,
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
            top: None,
            counters: None,
            conntrack: None,
            ctnetlink_works: None,
        }
    }

    /// This reader also counts the sockets that pass the filter by `spec`'s
    /// key (`--top`).
    pub fn with_top(mut self, spec: KeySpec) -> Reader {
        self.top = Some(spec);
        self
    }

    /// This reader also reads the kernel's TCP counters from `dir/snmp` and
    /// `dir/netstat` (`--counters`).
    pub fn with_counters(mut self, dir: PathBuf) -> Reader {
        self.counters = Some(dir);
        self
    }

    /// This reader counts the conntrack table instead of sockets.
    pub fn with_conntrack(mut self, filter: CtFilter) -> Reader {
        self.conntrack = Some(filter);
        self
    }

    /// Takes one sample of `input`. `reuse` may hold the previous sample,
    /// whose tables are cleared and refilled instead of allocated again.
    pub fn sample(&mut self, input: &Input, reuse: Option<Sample>) -> Result<Sample, Failure> {
        let mut sample = reuse.unwrap_or_else(|| Sample::new(self.wanted, Origin::Netlink));
        if let Some(spec) = self.top
            && sample.top.is_none()
        {
            sample.top = Some(TopReading::boxed(spec));
        }
        let mut sample = self.sample_tables(input, sample)?;
        if let Some(dir) = self.counters.take() {
            let result = self.counters(&dir, &mut sample);
            self.counters = Some(dir);
            result?;
        }
        Ok(sample)
    }

    /// Refills `sample`'s socket counts and tables from `input`.
    fn sample_tables(&mut self, input: &Input, mut sample: Sample) -> Result<Sample, Failure> {
        if let Some(filter) = self.conntrack.take() {
            let result = self.conntrack(input, &filter, &mut sample);
            self.conntrack = Some(filter);
            return result.map(|()| sample);
        }
        match input {
            Input::Proc { root, pid } => self.proc(root, *pid, &mut sample)?,
            Input::Netlink => self.netlink(&mut sample)?,
            Input::Auto { root } => {
                if self.netlink_works != Some(false) {
                    let worked = self.netlink(&mut sample).is_ok();
                    self.netlink_works = Some(worked);
                    if worked {
                        return Ok(sample);
                    }
                }
                self.proc(root, None, &mut sample)?;
            }
            Input::Files(files) => self.files(files, &mut sample)?,
        }
        Ok(sample)
    }
}
