//! The JSON format: one object per sample on one line (JSON Lines when
//! repeating), with the time, the source really read, the counts of each
//! family, and the per-port or listener view with what did not fit.

use std::fmt::{self, Write};

use tcpcount_core::Counts;

use super::{columns, family_name, side_name, sorted_listeners, sorted_ports};
use crate::sample::Sample;
use crate::time::{rfc3339, unix_seconds};

pub(super) fn write(out: &mut impl Write, sample: &Sample) -> fmt::Result {
    opening(out, sample)?;
    for (name, counts) in columns(sample) {
        write!(out, ",\"{name}\":")?;
        counts_object(out, &counts)?;
    }
    if let Some(ports) = &sample.ports {
        write!(
            out,
            ",\"ports\":{{\"side\":\"{}\",\"ports_left_out\":{},\"sockets_left_out\":{},\"rows\":",
            side_name(ports.side()),
            ports.ports_left_out(),
            ports.rows_left_out()
        )?;
        array(out, sorted_ports(ports), |out, (port, counts)| {
            write!(out, "{{\"port\":{port},\"counts\":")?;
            counts_object(out, counts)?;
            write!(out, "}}")
        })?;
        write!(out, "}}")?;
    }
    if let Some(listeners) = &sample.listeners {
        write!(
            out,
            ",\"listeners\":{{\"left_out\":{},\"rows\":",
            listeners.left_out()
        )?;
        array(
            out,
            sorted_listeners(listeners),
            |out, (family, port, l)| {
                write!(
                    out,
                    "{{\"family\":\"{}\",\"port\":{port},\"sockets\":{},\"accept_queue\":{},\"established\":{}",
                    family_name(family),
                    l.sockets,
                    l.accept_queue,
                    l.established
                )?;
                if let Some(limit) = l.backlog_limit {
                    write!(out, ",\"backlog_limit\":{limit}")?;
                }
                write!(out, "}}")
            },
        )?;
        write!(out, "}}")?;
    }
    if let Some(top) = &sample.top {
        super::top::json(out, top)?;
    }
    if let Some(counters) = &sample.counters {
        super::counters::json(out, counters)?;
    }
    writeln!(out, "}}")
}

/// The object's opening: `{"time":...,"unix_time":...,"source":...`, shared
/// by the conntrack object.
pub(crate) fn opening(out: &mut impl Write, sample: &Sample) -> fmt::Result {
    write!(
        out,
        "{{\"time\":\"{}\",\"unix_time\":{},\"source\":{}",
        rfc3339(sample.time),
        unix_seconds(sample.time),
        string(&sample.source.to_string())
    )
}

/// `[a,b,...]`, each item written by `each`: the one place commas go.
fn array<W: Write, T>(
    out: &mut W,
    items: impl IntoIterator<Item = T>,
    mut each: impl FnMut(&mut W, T) -> fmt::Result,
) -> fmt::Result {
    write!(out, "[")?;
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            write!(out, ",")?;
        }
        each(out, item)?;
    }
    write!(out, "]")
}

fn counts_object(out: &mut impl Write, counts: &Counts) -> fmt::Result {
    write!(out, "{{")?;
    for (state, n) in counts.iter() {
        write!(out, "\"{}\":{n},", state.name())?;
    }
    if counts.unknown() > 0 {
        write!(out, "\"UNKNOWN\":{},", counts.unknown())?;
    }
    write!(out, "\"TOTAL\":{}}}", counts.total())
}

/// A JSON string literal.
pub(crate) fn string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if u32::from(c) < 0x20 => quoted.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}
