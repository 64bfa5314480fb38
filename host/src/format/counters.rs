//! The kernel's TCP counters (`--counters`) in each format, with the
//! per-second rates since the previous sample of a watch (none on the first
//! sample, nor for the gauges MaxConn and CurrEstab).
//!
//! Table: `COUNTER VALUE [PER_SECOND]` rows. JSON: `"counters": {"Tcp":
//! {...}, "TcpExt": {...}}` and, from the second sample, `"counter_rates"` in
//! the same shape. Prometheus: node_exporter's netstat collector's own names
//! and type (`node_netstat_Tcp_ActiveOpens`, untyped), values only
//! (Prometheus computes rates itself). Env: `TCPCOUNT_TCP_ACTIVEOPENS=...`,
//! `..._PER_SECOND=...`.

use std::fmt::{self, Write};

use tcpcount_core::{Counter, Section};

use super::table::aligned;
use crate::reading::CountersReading;

const SECTIONS: [Section; 2] = [Section::Tcp, Section::TcpExt];

pub(super) fn table(out: &mut impl Write, counters: &CountersReading) -> fmt::Result {
    writeln!(out)?;
    let rates = counters.has_rates();
    let mut header = vec!["COUNTER".to_owned(), "VALUE".to_owned()];
    if rates {
        header.push("PER_SECOND".to_owned());
    }
    let mut rows = vec![header];
    for (counter, value) in counters.now.iter() {
        let mut row = vec![counter.to_string(), value.to_string()];
        if rates {
            row.push(
                counters
                    .rate(counter)
                    .map_or("-".to_owned(), |r| r.to_string()),
            );
        }
        rows.push(row);
    }
    aligned(out, &rows, 1)
}

pub(super) fn json(out: &mut impl Write, counters: &CountersReading) -> fmt::Result {
    write!(out, ",\"counters\":")?;
    object(out, counters, |c| {
        counters.now.get(c).map(|v| v.to_string())
    })?;
    if counters.has_rates() {
        write!(out, ",\"counter_rates\":")?;
        object(out, counters, |c| counters.rate(c).map(|r| r.to_string()))?;
    }
    Ok(())
}

/// `{"Tcp":{"Name":value,...},"TcpExt":{...}}` over the counters read.
fn object(
    out: &mut impl Write,
    counters: &CountersReading,
    value: impl Fn(Counter) -> Option<String>,
) -> fmt::Result {
    write!(out, "{{")?;
    for (i, section) in SECTIONS.into_iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        write!(out, "{sep}\"{section}\":{{")?;
        let mut first = true;
        for (counter, _) in counters.now.iter().filter(|(c, _)| c.section() == section) {
            if let Some(v) = value(counter) {
                let sep = if first { "" } else { "," };
                write!(out, "{sep}\"{}\":{v}", counter.name())?;
                first = false;
            }
        }
        write!(out, "}}")?;
    }
    write!(out, "}}")
}

pub(super) fn prometheus(out: &mut impl Write, counters: &CountersReading) -> fmt::Result {
    for (counter, value) in counters.now.iter() {
        let name = format!("node_netstat_{counter}");
        writeln!(
            out,
            "# HELP {name} Statistic {}{}.",
            counter.section(),
            counter.name()
        )?;
        writeln!(out, "# TYPE {name} untyped")?;
        writeln!(out, "{name} {value}")?;
    }
    Ok(())
}

pub(super) fn env(out: &mut impl Write, counters: &CountersReading) -> fmt::Result {
    for (counter, value) in counters.now.iter() {
        let name = format!("TCPCOUNT_{}", counter.to_string().to_ascii_uppercase());
        writeln!(out, "{name}={value}")?;
        if let Some(r) = counters.rate(counter) {
            writeln!(out, "{name}_PER_SECOND={r}")?;
        }
    }
    Ok(())
}
