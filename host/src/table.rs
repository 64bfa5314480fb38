//! The table `tcpcount` prints: every state in the kernel's order, zeros
//! included, then `UNKNOWN` (only when non-zero) and `TOTAL`, with IPv4, IPv6
//! and total columns right-aligned to the widest number.

use std::io::{self, Write};

use tcpcount_core::Counts;

use crate::Tables;

const HEADER: [&str; 4] = ["STATE", "IPV4", "IPV6", "TOTAL"];

/// Writes the table for `tables`.
pub fn write(out: &mut impl Write, tables: &Tables) -> io::Result<()> {
    let total = tables.total();
    let columns = [&tables.ipv4, &tables.ipv6, &total];
    let mut rows: Vec<(&str, [u32; 3])> = tcpcount_core::TcpState::ALL
        .iter()
        .map(|&state| (state.name(), columns.map(|c| c.get(state))))
        .collect();
    if total.unknown() > 0 {
        rows.push(("UNKNOWN", columns.map(Counts::unknown)));
    }
    rows.push(("TOTAL", columns.map(Counts::total)));

    let mut widths = [11, 0, 0, 0];
    for (i, width) in widths.iter_mut().enumerate().skip(1) {
        let widest = rows
            .iter()
            .map(|(_, n)| digits(n[i - 1]))
            .max()
            .unwrap_or(1);
        // One space of padding beyond the widest, as in `STATE        IPV4`.
        *width = widest.max(HEADER[i].len()) + 1;
    }
    let [w0, w1, w2, w3] = widths;
    let [h0, h1, h2, h3] = HEADER;
    writeln!(out, "{h0:<w0$} {h1:>w1$} {h2:>w2$} {h3:>w3$}")?;
    for (name, [v4, v6, all]) in rows {
        writeln!(out, "{name:<w0$} {v4:>w1$} {v6:>w2$} {all:>w3$}")?;
    }
    Ok(())
}

fn digits(n: u32) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}
