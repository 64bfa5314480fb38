//! The conntrack source (`--conntrack`): the table from files (`-` is
//! standard input), from procfs, `ROOT/net/nf_conntrack` falling back to
//! the legacy `ROOT/net/ip_conntrack` (`ROOT/PID/net/...` with `--pid`), or
//! from the ctnetlink dump (`--source netlink`; `auto` tries it first and
//! reads procfs where the kernel has no ctnetlink), counted through the
//! reader's one buffer; beside it the kernel's figures, from procfs whatever
//! the table's source:
//! `ROOT/sys/net/netfilter/nf_conntrack_count` and `nf_conntrack_max`, and
//! `ROOT/net/stat/nf_conntrack`, each absent if it cannot be read.
//!
//! `/proc/sys` shows the reader's own namespace, so with `--pid` the count
//! is the stat file's `entries` column of that namespace instead (the limit
//! is global). A table that may not be read (mode 0440 root) and a missing
//! table (conntrack not loaded) have their own messages.

use std::convert::Infallible;
use std::io;
use std::path::{Path, PathBuf};

use tcpcount_core::conntrack::{CtCounts, CtFilter, CtParser, Entry};

use super::ctnetlink::{self, CtnlError};
use super::read::ReadError;
use super::text::open;
use super::{Input, Reader};
use crate::ctstat::CtStatParser;
use crate::failure::Failure;
use crate::reading::TopReading;
use crate::sample::{Conntrack, Origin, Sample};
use crate::signals;

impl Reader {
    /// Refills `sample` with a reading of the conntrack table `input`
    /// names, counted through `filter`; with `--top`, its top-N table
    /// counts the same entries by their original tuple.
    pub(super) fn conntrack(
        &mut self,
        input: &Input,
        filter: &CtFilter,
        sample: &mut Sample,
    ) -> Result<(), Failure> {
        // Out of the sample while counting, so that `Sample::clear` (after
        // a dump) does not empty it; emptied before each pass instead.
        let mut top = sample.top.take();
        let result = self.conntrack_counted(input, filter, sample, &mut top);
        sample.top = top;
        result
    }

    fn conntrack_counted(
        &mut self,
        input: &Input,
        filter: &CtFilter,
        sample: &mut Sample,
        top: &mut Option<Box<TopReading>>,
    ) -> Result<(), Failure> {
        clear_top(top);
        let (root, pid) = match input {
            Input::Files(paths) => {
                sample.clear(Origin::Files(paths.clone()));
                let mut reading = Conntrack::default();
                for path in paths {
                    let parser = match self.count_ct(path, filter, top) {
                        // The live table named as a file: the same advice.
                        Err(Failure::Io(_, e))
                            if e.kind() == io::ErrorKind::PermissionDenied
                                && path.starts_with("/proc") =>
                        {
                            return Err(Failure::CtNeedsRoot(path.to_owned()));
                        }
                        other => other?,
                    };
                    reading.counts += *parser.counts();
                    reading.legacy |= parser.is_legacy() == Some(true);
                }
                sample.conntrack = Some(Box::new(reading));
                return Ok(());
            }
            Input::Proc { root, pid } => (root.clone(), *pid),
            Input::Auto { root } => (root.clone(), None),
            Input::Netlink => (PathBuf::from("/proc"), None),
        };
        let net = match pid {
            Some(pid) => root.join(pid.to_string()).join("net"),
            None => root.join("net"),
        };
        let mut reading = Conntrack::default();
        // The table: ctnetlink, or (auto where the kernel has no ctnetlink)
        // procfs. The figures beside it always come from procfs, if mounted.
        let dumped = match input {
            Input::Netlink => Some(self.ctnetlink(filter, top)?),
            Input::Auto { .. } if self.ctnetlink_works != Some(false) => {
                match self.ctnetlink(filter, top) {
                    Err(Failure::Ctnetlink(e)) if e.is_unavailable() => {
                        self.ctnetlink_works = Some(false);
                        None
                    }
                    other => Some(other?),
                }
            }
            _ => None,
        };
        let mounted = root.join("self").exists();
        if let Some(counts) = dumped {
            sample.clear(Origin::Netlink);
            reading.counts = counts;
            if !mounted {
                sample.conntrack = Some(Box::new(reading));
                return Ok(());
            }
        } else {
            if !mounted {
                return Err(Failure::ProcNotMounted(root.clone()));
            }
            if let Some(pid) = pid
                && (pid == 0 || !root.join(pid.to_string()).is_dir())
            {
                return Err(Failure::NoSuchProcess(pid));
            }
            sample.clear(Origin::Proc(net.clone()));
            clear_top(top);
            let parser = self.proc_table(&net, filter, top)?;
            reading.counts = *parser.counts();
            reading.legacy = parser.is_legacy() == Some(true);
        }
        reading.stat = self.ct_stat(&net.join("stat/nf_conntrack"))?;
        let sysctl = root.join("sys/net/netfilter");
        reading.limit = self.number(&sysctl.join("nf_conntrack_max"))?;
        reading.entries = match pid {
            None => self.number(&sysctl.join("nf_conntrack_count"))?,
            Some(_) => None,
        }
        .or_else(|| reading.stat.as_ref().and_then(|s| s.entries));
        sample.conntrack = Some(Box::new(reading));
        Ok(())
    }

    /// Counts `NET/nf_conntrack`, or the legacy `NET/ip_conntrack`.
    fn proc_table(
        &mut self,
        net: &Path,
        filter: &CtFilter,
        top: &mut Option<Box<TopReading>>,
    ) -> Result<CtParser, Failure> {
        for name in ["nf_conntrack", "ip_conntrack"] {
            let path = net.join(name);
            match self.count_ct(&path, filter, top) {
                Ok(parser) => return Ok(parser),
                Err(Failure::Io(_, e)) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(Failure::Io(_, e)) if e.kind() == io::ErrorKind::PermissionDenied => {
                    return Err(Failure::CtNeedsRoot(path));
                }
                Err(other) => return Err(other),
            }
        }
        Err(Failure::CtMissing(net.to_owned()))
    }

    /// Counts this namespace's table through the ctnetlink dump; a dump
    /// interrupted by SIGINT or SIGTERM ends the sample.
    fn ctnetlink(
        &mut self,
        filter: &CtFilter,
        top: &mut Option<Box<TopReading>>,
    ) -> Result<CtCounts, Failure> {
        match ctnetlink::count(&mut self.buffer, filter, |entry| add_top(top, entry)) {
            Ok(counts) => {
                self.ctnetlink_works = Some(true);
                Ok(counts)
            }
            Err(CtnlError::Io(e))
                if e.kind() == io::ErrorKind::Interrupted && signals::stop_requested() =>
            {
                Err(Failure::Interrupted)
            }
            Err(e) => Err(Failure::Ctnetlink(e)),
        }
    }

    /// Counts the table at `path` (`-`: standard input).
    fn count_ct(
        &mut self,
        path: &Path,
        filter: &CtFilter,
        top: &mut Option<Box<TopReading>>,
    ) -> Result<CtParser, Failure> {
        let mut parser = CtParser::with_filter(filter.clone());
        let mut visit = |entry: &Entry| add_top(top, entry);
        let result = if path.as_os_str() == "-" {
            self.read_all(io::stdin().lock(), |chunk| {
                parser.feed_visit(chunk, &mut visit)
            })
        } else {
            match open(path) {
                Ok(file) => self.read_all(file, |chunk| parser.feed_visit(chunk, &mut visit)),
                Err(e) => Err(ReadError::Io(e)),
            }
        };
        result
            .and_then(|()| parser.end(&mut visit).map_err(ReadError::Parse))
            .map(|()| parser)
            .map_err(|e| e.at(path, Failure::CtParse))
    }

    /// The stat file summed over the CPUs; None if it is not there or may
    /// not be read.
    fn ct_stat(&mut self, path: &Path) -> Result<Option<crate::ctstat::CtStat>, Failure> {
        let file = match open(path) {
            Ok(file) => file,
            Err(e) if absent(&e) => return Ok(None),
            Err(e) => return Err(Failure::Io(path.to_owned(), e)),
        };
        let mut parser = CtStatParser::new();
        self.read_all(file, |chunk| parser.feed(chunk))
            .map_err(|e| e.at(path, Failure::CtStat))?;
        parser
            .finish()
            .map(Some)
            .map_err(|e| Failure::CtStat(path.to_owned(), e))
    }

    /// A sysctl number; None if the file is not there or may not be read.
    fn number(&mut self, path: &Path) -> Result<Option<u64>, Failure> {
        let file = match open(path) {
            Ok(file) => file,
            Err(e) if absent(&e) => return Ok(None),
            Err(e) => return Err(Failure::Io(path.to_owned(), e)),
        };
        let mut text = Vec::new();
        self.read_all(file, |chunk| {
            if text.len() < 64 {
                text.extend_from_slice(chunk);
            }
            Ok::<(), Infallible>(())
        })
        .map_err(|e| e.at(path, |_, never| match never {}))?;
        std::str::from_utf8(&text)
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .map(Some)
            .ok_or_else(|| Failure::NotANumber(path.to_owned()))
    }
}

/// Empties the top-N table, if any, for a new counting pass.
fn clear_top(top: &mut Option<Box<TopReading>>) {
    if let Some(top) = top {
        top.table.clear();
    }
}

/// Counts a conntrack entry the filter let through in the top-N table.
fn add_top(top: &mut Option<Box<TopReading>>, entry: &Entry) {
    if let Some(top) = top {
        top.table.add_entry(&top.spec, entry);
    }
}

/// A figure that is simply not there: no file, or not ours to read.
fn absent(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::PermissionDenied
    )
}
