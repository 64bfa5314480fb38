//! The conntrack env format: `TCPCOUNT_CT_...` lines a shell can `eval`:
//! per bucket, protocol and flag for each family (`TCPCOUNT_CT_IPV4_`,
//! `TCPCOUNT_CT_IPV6_`) and both (`TCPCOUNT_CT_`), then the entry count,
//! limit and fill (empty when absent) and the stat counters
//! (`TCPCOUNT_CT_STAT_DROP`, ...).

use std::fmt::{self, Write};

use super::{columns, flags};
use crate::format::env::{family_prefix, time_and_source};
use crate::sample::{Conntrack, Sample};

pub(super) fn write(out: &mut impl Write, sample: &Sample, conntrack: &Conntrack) -> fmt::Result {
    time_and_source(out, sample)?;
    for (family, counts) in columns(conntrack) {
        let prefix = family_prefix("TCPCOUNT_CT_", family);
        for (state, n) in counts.iter() {
            writeln!(out, "{prefix}{}={n}", state.name())?;
        }
        writeln!(out, "{prefix}TOTAL={}", counts.tcp_total())?;
        for (protocol, n) in counts.protocols() {
            let name = protocol.name().to_ascii_uppercase();
            writeln!(out, "{prefix}PROTO_{name}={n}")?;
        }
        writeln!(out, "{prefix}PROTO_ALL={}", counts.entries())?;
        for (flag, n) in flags(&counts) {
            writeln!(out, "{prefix}{}={n}", flag.to_ascii_uppercase())?;
        }
    }
    let shown = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
    writeln!(out, "TCPCOUNT_CT_ENTRIES={}", shown(conntrack.entries))?;
    writeln!(out, "TCPCOUNT_CT_LIMIT={}", shown(conntrack.limit))?;
    let fill = conntrack.fill().map(|f| f.percent(1)).unwrap_or_default();
    writeln!(out, "TCPCOUNT_CT_FILL_PERCENT={fill}")?;
    if let Some(stat) = &conntrack.stat {
        writeln!(out, "TCPCOUNT_CT_STAT_CPUS={}", stat.cpus)?;
        for (name, n) in &stat.counters {
            writeln!(out, "TCPCOUNT_CT_STAT_{}={n}", name.to_ascii_uppercase())?;
        }
    }
    writeln!(out, "TCPCOUNT_CT_LEGACY={}", u8::from(conntrack.legacy))?;
    match &sample.top {
        Some(top) => crate::format::top::env(out, top),
        None => Ok(()),
    }
}
