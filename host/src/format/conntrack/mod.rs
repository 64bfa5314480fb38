//! The conntrack section of a [`Sample`] (`--conntrack`) in each output
//! format, one file per format, beside the socket formats: the same
//! `ipv4`/`ipv6`/`total` columns with the conntrack buckets as rows, then
//! the protocols, the `[UNREPLIED]`/`[ASSURED]` flags, the kernel's entry
//! count and limit (absent when not readable, never 0), and the stat
//! counters summed over the CPUs. Check mode for the table is [`check`].

pub mod check;
mod env;
mod json;
mod prometheus;
mod table;

use std::fmt::{self, Write};

use tcpcount_core::conntrack::FamilyCounts;

use crate::format::Format;
use crate::sample::{Conntrack, Sample};

/// Writes the conntrack reading of `sample` in `format`.
pub fn write(
    out: &mut impl Write,
    format: Format,
    sample: &Sample,
    conntrack: &Conntrack,
    timed: bool,
) -> fmt::Result {
    match format {
        Format::Table => table::write(out, sample, conntrack, timed),
        Format::Json => json::write(out, sample, conntrack),
        Format::Prometheus => prometheus::write(out, sample, conntrack),
        Format::Env => env::write(out, sample, conntrack),
    }
}

/// The three columns: IPv4, IPv6, both.
fn columns(conntrack: &Conntrack) -> [(&'static str, FamilyCounts); 3] {
    let c = &conntrack.counts;
    [
        ("ipv4", *c.family(tcpcount_core::Family::Ipv4)),
        ("ipv6", *c.family(tcpcount_core::Family::Ipv6)),
        ("total", c.total()),
    ]
}

/// The flags counted per family, with their names.
fn flags(counts: &FamilyCounts) -> [(&'static str, u32); 2] {
    [
        ("unreplied", counts.unreplied()),
        ("assured", counts.assured()),
    ]
}
