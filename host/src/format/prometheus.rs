//! The Prometheus text exposition format, for node_exporter's textfile
//! collector: every series on every sample, HELP and TYPE before each metric.
//!
//! Unknown states and left-out counts are there at zero. Each sample is a
//! complete exposition, so with `--interval` to standard output HELP and TYPE
//! repeat per sample; the sample time is whole Unix seconds.

use std::fmt::{self, Write};

use tcpcount_core::{Counts, Listeners, PortCounts};

use super::{columns, family_name, side_name, sorted_listeners, sorted_ports};
use crate::sample::Sample;
use crate::time::unix_seconds;

pub(super) fn write(out: &mut impl Write, sample: &Sample) -> fmt::Result {
    let total = sample.tables.total();
    header(
        out,
        "node_tcp_connection_states",
        "Number of connection states.",
    )?;
    for (state, n) in total.iter() {
        let state = state.name().to_ascii_lowercase();
        writeln!(out, "node_tcp_connection_states{{state=\"{state}\"}} {n}")?;
    }
    header(
        out,
        "tcpcount_sockets",
        "TCP sockets by address family and state.",
    )?;
    for (family, counts) in columns(sample).into_iter().take(2) {
        series(
            out,
            "tcpcount_sockets",
            &format!("family=\"{family}\""),
            &counts,
        )?;
    }
    if let Some(ports) = &sample.ports {
        port_metrics(out, ports)?;
    }
    if let Some(listeners) = &sample.listeners {
        listener_metrics(out, listeners)?;
    }
    if let Some(top) = &sample.top {
        super::top::prometheus(out, top)?;
    }
    if let Some(counters) = &sample.counters {
        super::counters::prometheus(out, counters)?;
    }
    source_and_time(out, sample)
}

/// The metrics every sample ends with: where it was read from, and when.
pub(crate) fn source_and_time(out: &mut impl Write, sample: &Sample) -> fmt::Result {
    header(
        out,
        "tcpcount_source_info",
        "Where the tables were really read from: netlink, a /proc directory, or files.",
    )?;
    writeln!(
        out,
        "tcpcount_source_info{{source=\"{}\"}} 1",
        label_value(&sample.source.to_string())
    )?;
    header(
        out,
        "tcpcount_sample_time_seconds",
        "When the tables were read, in Unix seconds.",
    )?;
    writeln!(
        out,
        "tcpcount_sample_time_seconds {}",
        unix_seconds(sample.time)
    )
}

/// One line per state and one for unknown states, with `labels` first.
fn series(out: &mut impl Write, name: &str, labels: &str, counts: &Counts) -> fmt::Result {
    for (state, n) in counts.iter() {
        let state = state.name().to_ascii_lowercase();
        writeln!(out, "{name}{{{labels},state=\"{state}\"}} {n}")?;
    }
    writeln!(
        out,
        "{name}{{{labels},state=\"unknown\"}} {}",
        counts.unknown()
    )
}

fn port_metrics(out: &mut impl Write, ports: &PortCounts) -> fmt::Result {
    let side = side_name(ports.side());
    header(
        out,
        "tcpcount_port_sockets",
        "TCP sockets by port and state.",
    )?;
    for (port, counts) in sorted_ports(ports) {
        let labels = format!("side=\"{side}\",port=\"{port}\"");
        series(out, "tcpcount_port_sockets", &labels, counts)?;
    }
    let left_out = [
        (
            "tcpcount_ports_left_out",
            "Ports not counted per port because the table was full.",
            ports.ports_left_out(),
        ),
        (
            "tcpcount_port_sockets_left_out",
            "Sockets on ports not counted per port because the table was full.",
            ports.rows_left_out(),
        ),
    ];
    for (name, help, value) in left_out {
        header(out, name, help)?;
        writeln!(out, "{name}{{side=\"{side}\"}} {value}")?;
    }
    Ok(())
}

fn listener_metrics(out: &mut impl Write, listeners: &Listeners) -> fmt::Result {
    let sorted = sorted_listeners(listeners);
    let with_limit = sorted.iter().any(|(_, _, l)| l.backlog_limit.is_some());
    let metrics = [
        (
            "tcpcount_listener_sockets",
            "Listening sockets on the port.",
            true,
        ),
        (
            "tcpcount_listener_accept_queue",
            "Connections waiting to be accepted on the port.",
            true,
        ),
        (
            "tcpcount_listener_established",
            "ESTABLISHED sockets whose local port is the listening port.",
            true,
        ),
        (
            "tcpcount_listener_backlog_limit",
            "Backlog limit of the listening sockets on the port, summed as the queue is (netlink source only).",
            with_limit,
        ),
    ];
    for (i, (name, help, shown)) in metrics.into_iter().enumerate() {
        if !shown {
            continue;
        }
        header(out, name, help)?;
        for &(family, port, l) in &sorted {
            let value = [Some(l.sockets), Some(l.accept_queue), Some(l.established)]
                .get(i)
                .copied()
                .unwrap_or(l.backlog_limit);
            if let Some(value) = value {
                let family = family_name(family);
                writeln!(out, "{name}{{family=\"{family}\",port=\"{port}\"}} {value}")?;
            }
        }
    }
    header(
        out,
        "tcpcount_listeners_left_out",
        "Listening sockets not shown because the table was full.",
    )?;
    writeln!(out, "tcpcount_listeners_left_out {}", listeners.left_out())
}

pub(crate) fn header(out: &mut impl Write, name: &str, help: &str) -> fmt::Result {
    writeln!(out, "# HELP {name} {help}")?;
    writeln!(out, "# TYPE {name} gauge")
}

/// A label value with `\`, `"` and newlines escaped, as the exposition
/// format asks.
pub(crate) fn label_value(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
