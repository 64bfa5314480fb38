//! One [`Sample`] rendered in an output format, one file per format, each
//! showing the same facts.
//!
//! Every state is listed, zeros included (a missing series breaks alerts);
//! `UNKNOWN` where non-zero (always in Prometheus, whose series must not come
//! and go); the per-port or listener view with what did not fit its table;
//! listeners sorted by port, then family. The table format shows the
//! per-port or listener view instead of the state table; the others add it
//! to the counts. Check mode ([`check`]) is the plugin status line. A sample
//! with a conntrack reading is written by [`conntrack`] instead, a section of
//! its own beside the socket formats.

pub mod check;
pub mod conntrack;
mod counters;
mod env;
pub(crate) mod json;
pub(crate) mod prometheus;
pub(crate) mod table;
mod top;

use std::fmt;
use std::io::{self, Write};

use tcpcount_core::{Counts, Family, Listener, Listeners, PortCounts, Side};

use crate::sample::Sample;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// One JSON object per sample, on one line (JSON Lines with --interval).
    Json,
    /// Prometheus text exposition format (for node_exporter's textfile
    /// collector).
    Prometheus,
    /// NAME=VALUE lines that a shell can `eval`.
    Env,
}

/// Writes `sample` in `format`. `timed` adds the sample time to the table
/// format (the other formats always carry it).
pub fn write(out: &mut impl Write, format: Format, sample: &Sample, timed: bool) -> io::Result<()> {
    let mut text = String::new();
    render(&mut text, format, sample, timed).map_err(|_| io::Error::other("formatter error"))?;
    out.write_all(text.as_bytes())
}

/// Appends `sample` in `format` to `out` (see [`write`]). The formats
/// write to a `String` with `core::fmt`, whose errors are only a
/// `Display` implementation's: cheaper to check after each line than an
/// `io::Result` (on 32-bit MIPS about 40 bytes of code per `?`).
pub fn render(out: &mut String, format: Format, sample: &Sample, timed: bool) -> fmt::Result {
    if let Some(reading) = &sample.conntrack {
        return conntrack::write(out, format, sample, reading, timed);
    }
    match format {
        Format::Table => table::write(out, sample, timed),
        Format::Json => json::write(out, sample),
        Format::Prometheus => prometheus::write(out, sample),
        Format::Env => env::write(out, sample),
    }
}

/// The three columns of counts: IPv4, IPv6, both.
fn columns(sample: &Sample) -> [(&'static str, Counts); 3] {
    let t = &sample.tables;
    [("ipv4", t.ipv4), ("ipv6", t.ipv6), ("total", t.total())]
}

fn family_name(family: Family) -> &'static str {
    match family {
        Family::Ipv4 => "ipv4",
        Family::Ipv6 => "ipv6",
    }
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::Local => "local",
        Side::Remote => "remote",
    }
}

/// The ports of a per-port table, sorted.
fn sorted_ports(ports: &PortCounts) -> Vec<(u16, &Counts)> {
    let mut rows: Vec<_> = ports.iter().collect();
    rows.sort_unstable_by_key(|&(port, _)| port);
    rows
}

/// The listening ports sorted by port, then family: the order of every
/// format.
fn sorted_listeners(listeners: &Listeners) -> Vec<(Family, u16, &Listener)> {
    let mut rows: Vec<_> = listeners.iter().collect();
    rows.sort_unstable_by_key(|&(family, port, _)| (port, family_name(family)));
    rows
}
