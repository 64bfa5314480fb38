//! The conntrack table in the Prometheus text format, under node_exporter's
//! own names where it has them, so a router can drop its conntrack
//! collector: `node_nf_conntrack_entries`, `node_nf_conntrack_entries_limit`
//! and `node_nf_conntrack_stat_*` (gauges, as node_exporter types them; a
//! figure that could not be read is left out, not given as 0); then
//! `tcpcount_conntrack_entries{family,protocol,state}` (the state only for
//! tcp), the flags, and every stat column under `tcpcount_conntrack_stat`.

use std::fmt::{self, Write};

use tcpcount_core::conntrack::Protocol;

use super::{columns, flags};
use crate::format::prometheus::{header, source_and_time};
use crate::sample::{Conntrack, Sample};

/// node_exporter's stat metrics: the column and its help text.
const NODE_STAT: [(&str, &str); 8] = [
    ("found", "Number of searched entries which were successful."),
    (
        "invalid",
        "Number of packets seen which can not be tracked.",
    ),
    (
        "ignore",
        "Number of packets seen which are already connected to a conntrack entry.",
    ),
    ("insert", "Number of entries inserted into the list."),
    (
        "insert_failed",
        "Number of entries for which list insertion was attempted but failed.",
    ),
    (
        "drop",
        "Number of packets dropped due to conntrack failure.",
    ),
    (
        "early_drop",
        "Number of dropped conntrack entries to make room for new ones, if maximum table size was reached.",
    ),
    (
        "search_restart",
        "Number of conntrack table lookups which had to be restarted due to hashtable resizes.",
    ),
];

pub(super) fn write(out: &mut impl Write, sample: &Sample, conntrack: &Conntrack) -> fmt::Result {
    if let Some(entries) = conntrack.entries {
        header(
            out,
            "node_nf_conntrack_entries",
            "Number of currently allocated flow entries for connection tracking.",
        )?;
        writeln!(out, "node_nf_conntrack_entries {entries}")?;
    }
    if let Some(limit) = conntrack.limit {
        header(
            out,
            "node_nf_conntrack_entries_limit",
            "Maximum size of connection tracking table.",
        )?;
        writeln!(out, "node_nf_conntrack_entries_limit {limit}")?;
    }
    if let Some(stat) = &conntrack.stat {
        for (column, help) in NODE_STAT {
            if let Some(value) = stat.get(column) {
                let name = format!("node_nf_conntrack_stat_{column}");
                header(out, &name, help)?;
                writeln!(out, "{name} {value}")?;
            }
        }
    }
    let cols = columns(conntrack);
    header(
        out,
        "tcpcount_conntrack_entries",
        "Conntrack entries counted by address family, protocol and (tcp only) state.",
    )?;
    for (family, counts) in cols.iter().take(2) {
        for (state, n) in counts.iter() {
            let state = state.name().to_ascii_lowercase();
            writeln!(
                out,
                "tcpcount_conntrack_entries{{family=\"{family}\",protocol=\"tcp\",state=\"{state}\"}} {n}"
            )?;
        }
        for protocol in Protocol::ALL.into_iter().skip(1) {
            writeln!(
                out,
                "tcpcount_conntrack_entries{{family=\"{family}\",protocol=\"{}\"}} {}",
                protocol.name(),
                counts.protocol(protocol)
            )?;
        }
    }
    header(
        out,
        "tcpcount_conntrack_flagged_entries",
        "Conntrack entries counted with the [UNREPLIED] or [ASSURED] flag, by address family.",
    )?;
    for (family, counts) in cols.iter().take(2) {
        for (flag, n) in flags(counts) {
            writeln!(
                out,
                "tcpcount_conntrack_flagged_entries{{family=\"{family}\",flag=\"{flag}\"}} {n}"
            )?;
        }
    }
    if let Some(stat) = &conntrack.stat {
        header(
            out,
            "tcpcount_conntrack_stat",
            "Every column of /proc/net/stat/nf_conntrack but entries, summed over the CPUs.",
        )?;
        for (name, n) in &stat.counters {
            writeln!(out, "tcpcount_conntrack_stat{{counter=\"{name}\"}} {n}")?;
        }
    }
    source_and_time(out, sample)?;
    match &sample.top {
        Some(top) => crate::format::top::prometheus(out, top),
        None => Ok(()),
    }
}
