//! The `--top` table in each format: the N keys with the most counted
//! sockets, ranked by count (then error, then key), each count with its
//! maximum overestimate, and whether the whole table is exact.
//!
//! Table: `RANK KEY COUNT ERROR` rows and a `#` line saying exact or
//! approximate and the total. JSON: `top_spec`, `top_exact`, `top_total` and
//! `top` (`[{"key","count","error"}]`). Prometheus: at most N series of
//! `tcpcount_top_connections{key,value,rank}` (bounded cardinality), their
//! `..._error`, and `tcpcount_top_exact`. Env: `TCPCOUNT_TOP_<RANK>_KEY`
//! (single-quoted), `_COUNT`, `_ERROR`.

use std::fmt::{self, Write};

use tcpcount_core::TOP_CAPACITY;

use super::json::string;
use super::prometheus::{header, label_value};
use crate::reading::TopReading;

pub(super) fn table(out: &mut impl Write, top: &TopReading) -> fmt::Result {
    writeln!(out)?;
    let mut rows = vec![[
        "RANK".to_owned(),
        top.heading().to_ascii_uppercase(),
        "COUNT".to_owned(),
        "ERROR".to_owned(),
    ]];
    for (rank, e) in top.ranked().iter().enumerate() {
        rows.push([
            (rank + 1).to_string(),
            e.key.to_string(),
            e.count.to_string(),
            format!("±{}", e.error),
        ]);
    }
    // Rank and numbers right-aligned, the key left-aligned.
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let widths = [width(0), width(1), width(2), width(3)];
    for [rank, key, count, error] in &rows {
        let line = format!(
            "{rank:>w0$}  {key:<w1$}  {count:>w2$}  {error:>w3$}",
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    let t = &top.table;
    let counted = if top.spec.field.is_conntrack() {
        "entries"
    } else {
        "sockets"
    };
    if t.exact() {
        writeln!(out, "# exact: {} {counted}, {} keys", t.total(), t.len())
    } else {
        writeln!(
            out,
            "# approximate: {} {counted}, more than {TOP_CAPACITY} keys; a count may exceed the truth by its ERROR, a key not listed holds at most {}",
            t.total(),
            t.min_count()
        )
    }
}

pub(super) fn json(out: &mut impl Write, top: &TopReading) -> fmt::Result {
    let spec = &top.spec;
    write!(
        out,
        ",\"top_spec\":{{\"key\":\"{}\",\"ipv4_prefix\":{},\"ipv6_prefix\":{},\"n\":{}}},\"top_exact\":{},\"top_total\":{},\"top\":[",
        spec.field,
        spec.v4_prefix,
        spec.v6_prefix,
        spec.n,
        top.table.exact(),
        top.table.total()
    )?;
    for (i, e) in top.ranked().iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        write!(
            out,
            "{sep}{{\"key\":{},\"count\":{},\"error\":{}}}",
            string(&e.key.to_string()),
            e.count,
            e.error
        )?;
    }
    write!(out, "]")
}

pub(super) fn prometheus(out: &mut impl Write, top: &TopReading) -> fmt::Result {
    let key = label_value(&top.heading());
    let ranked = top.ranked();
    let metrics = [
        (
            "tcpcount_top_connections",
            "Counted sockets (with --conntrack, entries) of the N keys with the most (--top); an upper bound, exact when tcpcount_top_exact is 1.",
        ),
        (
            "tcpcount_top_connections_error",
            "The most tcpcount_top_connections may exceed the true count of the key.",
        ),
    ];
    for (i, (name, help)) in metrics.into_iter().enumerate() {
        header(out, name, help)?;
        for (rank, e) in ranked.iter().enumerate() {
            let value = if i == 0 { e.count } else { e.error };
            writeln!(
                out,
                "{name}{{key=\"{key}\",value=\"{}\",rank=\"{}\"}} {value}",
                label_value(&e.key.to_string()),
                rank + 1
            )?;
        }
    }
    header(
        out,
        "tcpcount_top_exact",
        "1 if every --top count is exact (the distinct keys fit the table), 0 if approximate.",
    )?;
    writeln!(
        out,
        "tcpcount_top_exact{{key=\"{key}\"}} {}",
        u8::from(top.table.exact())
    )
}

pub(super) fn env(out: &mut impl Write, top: &TopReading) -> fmt::Result {
    writeln!(out, "TCPCOUNT_TOP_SPEC='{}'", top.spec)?;
    writeln!(out, "TCPCOUNT_TOP_EXACT={}", u8::from(top.table.exact()))?;
    writeln!(out, "TCPCOUNT_TOP_TOTAL={}", top.table.total())?;
    let ranked = top.ranked();
    writeln!(out, "TCPCOUNT_TOP_ENTRIES={}", ranked.len())?;
    for (rank, e) in ranked.iter().enumerate() {
        let rank = rank + 1;
        // Keys are addresses, prefixes and ports: no quote can occur, but
        // quote as for any value a shell evaluates.
        let key = e.key.to_string().replace('\'', "'\\''");
        writeln!(out, "TCPCOUNT_TOP_{rank}_KEY='{key}'")?;
        writeln!(out, "TCPCOUNT_TOP_{rank}_COUNT={}", e.count)?;
        writeln!(out, "TCPCOUNT_TOP_{rank}_ERROR={}", e.error)?;
    }
    Ok(())
}
