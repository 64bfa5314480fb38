//! The table format, for people: aligned columns of the state counts, or of
//! the per-port or listener view; a `TIME` line before each sample when
//! repeating, and a `#` line saying what did not fit a full table.

use std::fmt::{self, Write};

use tcpcount_core::{Listeners, PortCounts, Side, TcpState};

use super::{columns, family_name, sorted_listeners, sorted_ports};
use crate::sample::Sample;
use crate::time::rfc3339;

pub(super) fn write(out: &mut impl Write, sample: &Sample, timed: bool) -> fmt::Result {
    if timed {
        writeln!(out, "TIME {}", rfc3339(sample.time))?;
    }
    if let Some(ports) = &sample.ports {
        port_table(out, ports)?;
    } else if let Some(listeners) = &sample.listeners {
        listener_table(out, listeners)?;
    } else {
        state_table(out, sample)?;
    }
    if let Some(top) = &sample.top {
        super::top::table(out, top)?;
    }
    if let Some(counters) = &sample.counters {
        super::counters::table(out, counters)?;
    }
    if timed {
        writeln!(out)?;
    }
    Ok(())
}

fn state_table(out: &mut impl Write, sample: &Sample) -> fmt::Result {
    let cols = columns(sample).map(|(_, c)| c);
    let mut rows = vec![["STATE", "IPV4", "IPV6", "TOTAL"].map(String::from)];
    let row = |name: &str, values: [u32; 3]| {
        let [a, b, c] = values.map(|v| v.to_string());
        [name.to_owned(), a, b, c]
    };
    for state in TcpState::ALL {
        rows.push(row(state.name(), cols.map(|c| c.get(state))));
    }
    if cols[2].unknown() > 0 {
        rows.push(row("UNKNOWN", cols.map(|c| c.unknown())));
    }
    rows.push(row("TOTAL", cols.map(|c| c.total())));
    aligned(out, &rows, 1)
}

fn listener_table(out: &mut impl Write, listeners: &Listeners) -> fmt::Result {
    let with_limit = listeners.iter().any(|(_, _, l)| l.backlog_limit.is_some());
    let mut header = vec!["FAMILY", "PORT", "SOCKETS", "ACCEPT_QUEUE"];
    if with_limit {
        header.push("BACKLOG_LIMIT");
    }
    header.push("ESTABLISHED");
    let mut rows = vec![header.into_iter().map(String::from).collect::<Vec<_>>()];
    for (family, port, l) in sorted_listeners(listeners) {
        let mut row = vec![
            family_name(family).to_owned(),
            port.to_string(),
            l.sockets.to_string(),
            l.accept_queue.to_string(),
        ];
        if with_limit {
            row.push(l.backlog_limit.map_or("-".to_owned(), |n| n.to_string()));
        }
        row.push(l.established.to_string());
        rows.push(row);
    }
    let note = (listeners.left_out() > 0).then(|| {
        format!(
            "{} listening sockets left out (more than {} ports)",
            listeners.left_out(),
            tcpcount_core::LISTENER_CAPACITY
        )
    });
    aligned(out, &rows, 1)?;
    left_out(out, note)
}

fn port_table(out: &mut impl Write, ports: &PortCounts) -> fmt::Result {
    let heading = match ports.side() {
        Side::Local => "LPORT",
        Side::Remote => "RPORT",
    };
    let sorted = sorted_ports(ports);
    let with_unknown = sorted.iter().any(|(_, c)| c.unknown() > 0);
    let mut header = vec![heading.to_owned()];
    header.extend(TcpState::ALL.iter().map(|s| s.name().to_owned()));
    if with_unknown {
        header.push("UNKNOWN".to_owned());
    }
    header.push("TOTAL".to_owned());
    let mut rows = vec![header];
    for (port, counts) in sorted {
        let mut row = vec![port.to_string()];
        row.extend(counts.iter().map(|(_, n)| n.to_string()));
        if with_unknown {
            row.push(counts.unknown().to_string());
        }
        row.push(counts.total().to_string());
        rows.push(row);
    }
    let note = (ports.ports_left_out() > 0).then(|| {
        format!(
            "{} ports ({} sockets) left out: more than {} ports",
            ports.ports_left_out(),
            ports.rows_left_out(),
            tcpcount_core::PORT_CAPACITY
        )
    });
    aligned(out, &rows, 1)?;
    left_out(out, note)
}

/// The `#` line under a full table saying what did not fit, if anything.
fn left_out(out: &mut impl Write, note: Option<String>) -> fmt::Result {
    match note {
        Some(note) => writeln!(out, "# {note}"),
        None => Ok(()),
    }
}

/// Writes rows with the first `left` columns left-aligned and the rest
/// right-aligned with two spaces before the widest cell, as in
/// `STATE        IPV4` over `ESTABLISHED    23`.
pub(crate) fn aligned<R: AsRef<[String]>>(
    out: &mut impl Write,
    rows: &[R],
    left: usize,
) -> fmt::Result {
    let columns = rows.first().map_or(0, |r| r.as_ref().len());
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            rows.iter()
                .map(|r| r.as_ref().get(i).map_or(0, String::len))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = String::new();
        for (i, (cell, width)) in row.as_ref().iter().zip(&widths).enumerate() {
            if i < left {
                line.push_str(&format!("{cell:<width$}"));
            } else {
                line.push_str(&format!("  {cell:>width$}"));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}
