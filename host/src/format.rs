//! One sample rendered in each output format. Every format lists every state,
//! zeros included (a missing series breaks alerts); `UNKNOWN` appears in the
//! table, JSON and env output only when non-zero, and always in Prometheus
//! output. With `--per-port` or `--listeners` the table format shows that
//! view instead of the state table; the other formats add it to the counts.

use std::io::{self, Write};

use tcpcount_core::{Counts, Family, Listeners, PortCounts, Side, TcpState};

use crate::time::{rfc3339, unix_seconds};
use crate::{Format, Sample};

/// Writes `sample` in `format`. `timed` adds the sample time to the table
/// format (the other formats always carry it).
pub fn write(out: &mut impl Write, format: Format, sample: &Sample, timed: bool) -> io::Result<()> {
    match format {
        Format::Table => table(out, sample, timed),
        Format::Json => json(out, sample),
        Format::Prometheus => prometheus(out, sample),
        Format::Env => env(out, sample),
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

// ---- table ----

fn table(out: &mut impl Write, sample: &Sample, timed: bool) -> io::Result<()> {
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
    if timed {
        writeln!(out)?;
    }
    Ok(())
}

fn state_table(out: &mut impl Write, sample: &Sample) -> io::Result<()> {
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

fn listener_table(out: &mut impl Write, listeners: &Listeners) -> io::Result<()> {
    let with_limit = listeners.iter().any(|(_, _, l)| l.backlog_limit.is_some());
    let mut header = vec!["FAMILY", "PORT", "SOCKETS", "ACCEPT_QUEUE"];
    if with_limit {
        header.push("BACKLOG_LIMIT");
    }
    header.push("ESTABLISHED");
    let mut rows = vec![header.into_iter().map(String::from).collect::<Vec<_>>()];
    let mut sorted: Vec<_> = listeners.iter().collect();
    sorted.sort_unstable_by_key(|&(family, port, _)| (port, family_name(family)));
    for (family, port, l) in sorted {
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
    aligned(out, &rows, 1)?;
    if listeners.left_out() > 0 {
        writeln!(
            out,
            "# {} listening sockets left out (more than {} ports)",
            listeners.left_out(),
            tcpcount_core::LISTENER_CAPACITY
        )?;
    }
    Ok(())
}

fn port_table(out: &mut impl Write, ports: &PortCounts) -> io::Result<()> {
    let heading = match ports.side() {
        Side::Local => "LPORT",
        Side::Remote => "RPORT",
    };
    let mut header = vec![heading.to_owned()];
    header.extend(TcpState::ALL.iter().map(|s| s.name().to_owned()));
    header.push("TOTAL".to_owned());
    let mut rows = vec![header];
    for (port, counts) in sorted_ports(ports) {
        let mut row = vec![port.to_string()];
        row.extend(counts.iter().map(|(_, n)| n.to_string()));
        row.push(counts.total().to_string());
        rows.push(row);
    }
    aligned(out, &rows, 1)?;
    if ports.ports_left_out() > 0 {
        writeln!(
            out,
            "# {} ports ({} sockets) left out: more than {} ports",
            ports.ports_left_out(),
            ports.rows_left_out(),
            tcpcount_core::PORT_CAPACITY
        )?;
    }
    Ok(())
}

/// Writes rows with the first `left` columns left-aligned and the rest
/// right-aligned with two spaces before the widest cell, as in
/// `STATE        IPV4` over `ESTABLISHED    23`.
fn aligned<R: AsRef<[String]>>(out: &mut impl Write, rows: &[R], left: usize) -> io::Result<()> {
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

// ---- json ----

fn json(out: &mut impl Write, sample: &Sample) -> io::Result<()> {
    write!(
        out,
        "{{\"time\":\"{}\",\"unix_time\":{},\"source\":{}",
        rfc3339(sample.time),
        unix_seconds(sample.time),
        json_string(&sample.source)
    )?;
    for (name, counts) in columns(sample) {
        write!(out, ",\"{name}\":")?;
        json_counts(out, &counts)?;
    }
    if let Some(ports) = &sample.ports {
        write!(
            out,
            ",\"ports\":{{\"side\":\"{}\",\"ports_left_out\":{},\"sockets_left_out\":{},\"rows\":[",
            side_name(ports.side()),
            ports.ports_left_out(),
            ports.rows_left_out()
        )?;
        for (i, (port, counts)) in sorted_ports(ports).into_iter().enumerate() {
            let comma = if i > 0 { "," } else { "" };
            write!(out, "{comma}{{\"port\":{port},\"counts\":")?;
            json_counts(out, counts)?;
            write!(out, "}}")?;
        }
        write!(out, "]}}")?;
    }
    if let Some(listeners) = &sample.listeners {
        write!(
            out,
            ",\"listeners\":{{\"left_out\":{},\"rows\":[",
            listeners.left_out()
        )?;
        for (i, (family, port, l)) in listeners.iter().enumerate() {
            let comma = if i > 0 { "," } else { "" };
            write!(
                out,
                "{comma}{{\"family\":\"{}\",\"port\":{port},\"sockets\":{},\"accept_queue\":{},\"established\":{}",
                family_name(family),
                l.sockets,
                l.accept_queue,
                l.established
            )?;
            if let Some(limit) = l.backlog_limit {
                write!(out, ",\"backlog_limit\":{limit}")?;
            }
            write!(out, "}}")?;
        }
        write!(out, "]}}")?;
    }
    writeln!(out, "}}")
}

fn json_counts(out: &mut impl Write, counts: &Counts) -> io::Result<()> {
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
fn json_string(text: &str) -> String {
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

// ---- prometheus ----

fn prometheus(out: &mut impl Write, sample: &Sample) -> io::Result<()> {
    let total = sample.tables.total();
    metric_header(
        out,
        "node_tcp_connection_states",
        "Number of connection states.",
    )?;
    for (state, n) in total.iter() {
        writeln!(
            out,
            "node_tcp_connection_states{{state=\"{}\"}} {n}",
            state.name().to_ascii_lowercase()
        )?;
    }
    metric_header(
        out,
        "tcpcount_sockets",
        "TCP sockets by address family and state.",
    )?;
    for (family, counts) in columns(sample).into_iter().take(2) {
        for (state, n) in counts.iter() {
            writeln!(
                out,
                "tcpcount_sockets{{family=\"{family}\",state=\"{}\"}} {n}",
                state.name().to_ascii_lowercase()
            )?;
        }
        writeln!(
            out,
            "tcpcount_sockets{{family=\"{family}\",state=\"unknown\"}} {}",
            counts.unknown()
        )?;
    }
    if let Some(ports) = &sample.ports {
        let side = side_name(ports.side());
        metric_header(
            out,
            "tcpcount_port_sockets",
            "TCP sockets by port and state.",
        )?;
        for (port, counts) in sorted_ports(ports) {
            for (state, n) in counts.iter() {
                writeln!(
                    out,
                    "tcpcount_port_sockets{{side=\"{side}\",port=\"{port}\",state=\"{}\"}} {n}",
                    state.name().to_ascii_lowercase()
                )?;
            }
        }
        metric_header(
            out,
            "tcpcount_ports_left_out",
            "Ports not counted per port because the table was full.",
        )?;
        writeln!(
            out,
            "tcpcount_ports_left_out{{side=\"{side}\"}} {}",
            ports.ports_left_out()
        )?;
    }
    if let Some(listeners) = &sample.listeners {
        let metrics = [
            (
                "tcpcount_listener_sockets",
                "Listening sockets on the port.",
            ),
            (
                "tcpcount_listener_accept_queue",
                "Connections waiting to be accepted on the port.",
            ),
            (
                "tcpcount_listener_established",
                "ESTABLISHED sockets whose local port is the listening port.",
            ),
        ];
        for (i, (name, help)) in metrics.into_iter().enumerate() {
            metric_header(out, name, help)?;
            for (family, port, l) in listeners.iter() {
                let value = [l.sockets, l.accept_queue, l.established]
                    .get(i)
                    .copied()
                    .unwrap_or(0);
                writeln!(
                    out,
                    "{name}{{family=\"{}\",port=\"{port}\"}} {value}",
                    family_name(family)
                )?;
            }
        }
        if listeners.iter().any(|(_, _, l)| l.backlog_limit.is_some()) {
            let name = "tcpcount_listener_backlog_limit";
            let help = "Backlog limit of the listening sockets on the port (netlink source only).";
            metric_header(out, name, help)?;
            for (family, port, l) in listeners.iter() {
                if let Some(limit) = l.backlog_limit {
                    let family = family_name(family);
                    writeln!(out, "{name}{{family=\"{family}\",port=\"{port}\"}} {limit}")?;
                }
            }
        }
        metric_header(
            out,
            "tcpcount_listeners_left_out",
            "Listening sockets not shown because the table was full.",
        )?;
        writeln!(out, "tcpcount_listeners_left_out {}", listeners.left_out())?;
    }
    metric_header(
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

fn metric_header(out: &mut impl Write, name: &str, help: &str) -> io::Result<()> {
    writeln!(out, "# HELP {name} {help}")?;
    writeln!(out, "# TYPE {name} gauge")
}

// ---- env ----

fn env(out: &mut impl Write, sample: &Sample) -> io::Result<()> {
    writeln!(out, "TCPCOUNT_TIME={}", unix_seconds(sample.time))?;
    for (family, counts) in columns(sample) {
        let prefix = match family {
            "total" => "TCPCOUNT_".to_owned(),
            other => format!("TCPCOUNT_{}_", other.to_ascii_uppercase()),
        };
        env_counts(out, &prefix, &counts)?;
    }
    if let Some(ports) = &sample.ports {
        let side = match ports.side() {
            Side::Local => "LPORT",
            Side::Remote => "RPORT",
        };
        for (port, counts) in sorted_ports(ports) {
            env_counts(out, &format!("TCPCOUNT_{side}_{port}_"), counts)?;
        }
        writeln!(out, "TCPCOUNT_PORTS_LEFT_OUT={}", ports.ports_left_out())?;
    }
    if let Some(listeners) = &sample.listeners {
        for (family, port, l) in listeners.iter() {
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
    Ok(())
}

fn env_counts(out: &mut impl Write, prefix: &str, counts: &Counts) -> io::Result<()> {
    for (state, n) in counts.iter() {
        writeln!(out, "{prefix}{}={n}", state.name())?;
    }
    if counts.unknown() > 0 {
        writeln!(out, "{prefix}UNKNOWN={}", counts.unknown())?;
    }
    writeln!(out, "{prefix}TOTAL={}", counts.total())
}
