//! The env format: `NAME=VALUE` lines a shell can `eval`, with the sample
//! time in Unix seconds, the source really read (single-quoted), the counts
//! of each family, and the per-port or listener view with what did not fit.

use std::fmt::{self, Write};

use tcpcount_core::{Counts, Side};

use super::{columns, family_name, sorted_listeners, sorted_ports};
use crate::sample::Sample;
use crate::time::unix_seconds;

pub(super) fn write(out: &mut impl Write, sample: &Sample) -> fmt::Result {
    time_and_source(out, sample)?;
    for (family, counts) in columns(sample) {
        counts_lines(out, &family_prefix("TCPCOUNT_", family), &counts)?;
    }
    if let Some(ports) = &sample.ports {
        let side = match ports.side() {
            Side::Local => "LPORT",
            Side::Remote => "RPORT",
        };
        for (port, counts) in sorted_ports(ports) {
            counts_lines(out, &format!("TCPCOUNT_{side}_{port}_"), counts)?;
        }
        writeln!(out, "TCPCOUNT_PORTS_LEFT_OUT={}", ports.ports_left_out())?;
        writeln!(
            out,
            "TCPCOUNT_PORT_SOCKETS_LEFT_OUT={}",
            ports.rows_left_out()
        )?;
    }
    if let Some(listeners) = &sample.listeners {
        for (family, port, l) in sorted_listeners(listeners) {
            let prefix = format!(
                "TCPCOUNT_LISTEN_{}_{port}",
                family_name(family).to_ascii_uppercase()
            );
            writeln!(out, "{prefix}_SOCKETS={}", l.sockets)?;
            writeln!(out, "{prefix}_ACCEPT_QUEUE={}", l.accept_queue)?;
            writeln!(out, "{prefix}_ESTABLISHED={}", l.established)?;
            if let Some(limit) = l.backlog_limit {
                writeln!(out, "{prefix}_BACKLOG_LIMIT={limit}")?;
            }
        }
        writeln!(out, "TCPCOUNT_LISTENERS_LEFT_OUT={}", listeners.left_out())?;
    }
    if let Some(top) = &sample.top {
        super::top::env(out, top)?;
    }
    if let Some(counters) = &sample.counters {
        super::counters::env(out, counters)?;
    }
    Ok(())
}

/// The lines every sample starts with: its time and the source really read
/// (single-quoted).
pub(crate) fn time_and_source(out: &mut impl Write, sample: &Sample) -> fmt::Result {
    writeln!(out, "TCPCOUNT_TIME={}", unix_seconds(sample.time))?;
    let source = sample.source.to_string().replace('\'', "'\\''");
    writeln!(out, "TCPCOUNT_SOURCE='{source}'")
}

/// `base` for the total column, else `base` and the family in capitals.
pub(crate) fn family_prefix(base: &str, family: &str) -> String {
    match family {
        "total" => base.to_owned(),
        other => format!("{base}{}_", other.to_ascii_uppercase()),
    }
}

fn counts_lines(out: &mut impl Write, prefix: &str, counts: &Counts) -> fmt::Result {
    for (state, n) in counts.iter() {
        writeln!(out, "{prefix}{}={n}", state.name())?;
    }
    if counts.unknown() > 0 {
        writeln!(out, "{prefix}UNKNOWN={}", counts.unknown())?;
    }
    writeln!(out, "{prefix}TOTAL={}", counts.total())
}
