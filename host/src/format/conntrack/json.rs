//! The conntrack JSON object: `ipv4`, `ipv6`, `total` map every bucket's
//! name to its TCP entries with `TOTAL` their sum, as for sockets; beside
//! them `protocols` and `flags` per family, `entries` and `limit`
//! (nf_conntrack_count and _max, `null` when absent), `fill_percent`,
//! `stat` (summed counters, `null` when absent) and `legacy`.

use std::fmt::{self, Write};

use tcpcount_core::conntrack::FamilyCounts;

use super::{columns, flags};
use crate::format::json::{opening, string};
use crate::sample::{Conntrack, Sample};

pub(super) fn write(out: &mut impl Write, sample: &Sample, conntrack: &Conntrack) -> fmt::Result {
    opening(out, sample)?;
    let cols = columns(conntrack);
    for (name, counts) in &cols {
        write!(out, ",\"{name}\":")?;
        states(out, counts)?;
    }
    write!(out, ",\"protocols\":{{")?;
    for (i, (name, counts)) in cols.iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        write!(out, "{sep}\"{name}\":{{")?;
        for (protocol, n) in counts.protocols() {
            write!(out, "\"{}\":{n},", protocol.name())?;
        }
        write!(out, "\"all\":{}}}", counts.entries())?;
    }
    write!(out, "}},\"flags\":{{")?;
    for (i, (name, counts)) in cols.iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        let [(a, x), (b, y)] = flags(counts);
        write!(out, "{sep}\"{name}\":{{\"{a}\":{x},\"{b}\":{y}}}")?;
    }
    write!(
        out,
        "}},\"entries\":{},\"limit\":{},\"fill_percent\":{}",
        or_null(conntrack.entries),
        or_null(conntrack.limit),
        conntrack.fill().map_or("null".to_owned(), |f| f.percent(2))
    )?;
    write!(out, ",\"stat\":")?;
    match &conntrack.stat {
        Some(stat) => {
            write!(out, "{{\"cpus\":{}", stat.cpus)?;
            for (name, n) in &stat.counters {
                write!(out, ",{}:{n}", string(name))?;
            }
            write!(out, "}}")?;
        }
        None => write!(out, "null")?,
    }
    write!(out, ",\"legacy\":{}", conntrack.legacy)?;
    if let Some(top) = &sample.top {
        crate::format::top::json(out, top)?;
    }
    writeln!(out, "}}")
}

fn states(out: &mut impl Write, counts: &FamilyCounts) -> fmt::Result {
    write!(out, "{{")?;
    for (state, n) in counts.iter() {
        write!(out, "\"{}\":{n},", state.name())?;
    }
    write!(out, "\"TOTAL\":{}}}", counts.tcp_total())
}

fn or_null(value: Option<u64>) -> String {
    value.map_or("null".to_owned(), |v| v.to_string())
}
