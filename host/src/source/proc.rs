//! The live /proc source: `ROOT/net/tcp` and `tcp6`, or `ROOT/PID/net/...`
//! for another network namespace. A missing `tcp6` is normal (a kernel
//! without IPv6); a missing procfs or process gets its own message.

use std::io;
use std::path::Path;

use tcpcount_core::Family;

use super::Reader;
use crate::failure::Failure;
use crate::sample::{Origin, Sample};

impl Reader {
    /// Refills `sample` from `ROOT/net` or `ROOT/PID/net`.
    pub(super) fn proc(
        &mut self,
        root: &Path,
        pid: Option<u32>,
        sample: &mut Sample,
    ) -> Result<(), Failure> {
        let dir = match pid {
            Some(pid) => root.join(pid.to_string()).join("net"),
            None => root.join("net"),
        };
        if let Some(pid) = pid
            && (pid == 0 || !root.join(pid.to_string()).is_dir())
            && root.join("self").exists()
        {
            return Err(Failure::NoSuchProcess(pid));
        }
        sample.clear(Origin::Proc(dir.clone()));
        for (family, table) in [(Family::Ipv4, "tcp"), (Family::Ipv6, "tcp6")] {
            if self.filter.family.is_some_and(|f| f != family) {
                continue;
            }
            match self.count_path(&dir.join(table), sample) {
                Ok((_, counts)) => *sample.tables.family_mut(family) = counts,
                Err(failure) if is_not_found(&failure) => {
                    if let Some(reason) = why_missing(root, pid) {
                        return Err(reason);
                    }
                    // No tcp6 in a mounted procfs: a kernel without IPv6. IPv4
                    // is always there where procfs is.
                    if family == Family::Ipv4 {
                        return Err(failure);
                    }
                }
                Err(failure) => return Err(failure),
            }
        }
        Ok(())
    }
}

fn is_not_found(failure: &Failure) -> bool {
    matches!(failure, Failure::Io(_, e) if e.kind() == io::ErrorKind::NotFound)
}

/// Why a table is missing, when the reason is not the table itself: no
/// procfs at `root`, or no such process.
fn why_missing(root: &Path, pid: Option<u32>) -> Option<Failure> {
    if !root.join("self").exists() {
        return Some(Failure::ProcNotMounted(root.to_owned()));
    }
    let pid = pid?;
    (!root.join(pid.to_string()).exists()).then_some(Failure::NoSuchProcess(pid))
}
