//! The conntrack table for people: the buckets per family like the socket
//! table (TOTAL is the TCP entries), the protocols and flags the same way,
//! then the kernel's entry count against its limit and the stat counters.

use std::fmt::{self, Write};

use tcpcount_core::conntrack::{CtState, Protocol};

use super::{columns, flags};
use crate::format::table::aligned;
use crate::sample::{Conntrack, Sample};
use crate::time::rfc3339;

pub(super) fn write(
    out: &mut impl Write,
    sample: &Sample,
    conntrack: &Conntrack,
    timed: bool,
) -> fmt::Result {
    if timed {
        writeln!(out, "TIME {}", rfc3339(sample.time))?;
    }
    let cols = columns(conntrack).map(|(_, c)| c);
    let row = |name: &str, values: [u32; 3]| {
        let [a, b, c] = values.map(|v| v.to_string());
        [name.to_owned(), a, b, c]
    };
    let mut rows = vec![["STATE", "IPV4", "IPV6", "TOTAL"].map(String::from)];
    for state in CtState::ALL {
        if state == CtState::Unknown && cols[2].get(state) == 0 {
            continue;
        }
        rows.push(row(state.name(), cols.map(|c| c.get(state))));
    }
    rows.push(row("TOTAL", cols.map(|c| c.tcp_total())));
    aligned(out, &rows, 1)?;
    writeln!(out)?;
    let mut rows = vec![["PROTOCOL", "IPV4", "IPV6", "TOTAL"].map(String::from)];
    for protocol in Protocol::ALL {
        rows.push(row(protocol.name(), cols.map(|c| c.protocol(protocol))));
    }
    rows.push(row("ALL", cols.map(|c| c.entries())));
    for (i, (name, _)) in flags(&cols[2]).into_iter().enumerate() {
        let values = cols.map(|c| flags(&c).get(i).map_or(0, |&(_, n)| n));
        rows.push(row(&name.to_ascii_uppercase(), values));
    }
    aligned(out, &rows, 1)?;
    writeln!(out)?;
    match (conntrack.entries, conntrack.limit) {
        (Some(entries), Some(limit)) => {
            let fill = conntrack.fill().map_or("-".to_owned(), |f| f.percent(1));
            writeln!(out, "entries {entries} of {limit} ({fill}%)")?;
        }
        (Some(entries), None) => writeln!(out, "entries {entries} of (limit absent)")?,
        (None, Some(limit)) => writeln!(out, "entries absent, limit {limit}")?,
        (None, None) => writeln!(out, "entries absent, limit absent")?,
    }
    match &conntrack.stat {
        Some(stat) => {
            let list: Vec<String> = stat
                .counters
                .iter()
                .map(|(name, n)| format!("{name} {n}"))
                .collect();
            writeln!(out, "stat ({} cpus): {}", stat.cpus, list.join(", "))?;
        }
        None => writeln!(out, "stat absent")?,
    }
    if conntrack.legacy {
        writeln!(out, "# legacy ip_conntrack table (IPv4 only)")?;
    }
    if let Some(top) = &sample.top {
        crate::format::top::table(out, top)?;
    }
    if timed {
        writeln!(out)?;
    }
    Ok(())
}
