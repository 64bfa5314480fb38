//! Check mode on the conntrack table: one `TCPCOUNT STATUS - summary |
//! perfdata` line judged against `--warn`/`--crit` keys that are conntrack
//! buckets (TCP entries in that state), `total` (every counted entry) and
//! `fill` (nf_conntrack_count as a percentage of nf_conntrack_max). A `fill`
//! threshold without a readable count and limit is UNKNOWN.

use std::io::{self, Write};

use tcpcount_core::conntrack::CtState;

use crate::format::check::{CtKey, Gauge, Judge, Status, TopCheck, write_status};
use crate::sample::Conntrack;

impl Judge<'_> {
    /// Writes the status line for the conntrack table; returns the status.
    pub(crate) fn conntrack(
        &self,
        out: &mut impl Write,
        conntrack: &Conntrack,
    ) -> io::Result<Status> {
        let Judge { top, warn, crit } = *self;
        let total = conntrack.counts.total();
        let fill = conntrack.fill();
        let wants_fill = warn.get_ct(CtKey::Fill).is_some() || crit.get_ct(CtKey::Fill).is_some();
        if wants_fill && fill.is_none() {
            writeln!(
                out,
                "TCPCOUNT UNKNOWN - fill: nf_conntrack_count and nf_conntrack_max are not both readable ({} entries counted)",
                total.entries()
            )?;
            return Ok(Status::Unknown);
        }
        let mut keys: Vec<CtKey> = CtState::ALL.iter().map(|&s| CtKey::State(s)).collect();
        keys.push(CtKey::Total);
        let count = |key: CtKey| -> u32 {
            match key {
                CtKey::State(state) => total.get(state),
                // Top is judged by `TopCheck`, from the top-N table.
                CtKey::Total | CtKey::Fill | CtKey::Top => total.entries(),
            }
        };
        let trips = |key: CtKey, figure: u32| match (key, fill) {
            (CtKey::Fill, Some(fill)) => fill.exceeds(figure),
            (CtKey::Fill, None) => false,
            _ => count(key) > figure,
        };
        let shown = |key: CtKey| match (key, fill) {
            (CtKey::Fill, Some(fill)) => format!("{}%", fill.percent(1)),
            _ => count(key).to_string(),
        };
        if fill.is_some() {
            keys.push(CtKey::Fill);
        }
        let gauges: Vec<Gauge> = keys
            .iter()
            .map(|&key| {
                let gauge = Gauge::new(
                    key.label(),
                    shown(key),
                    warn.get_ct(key),
                    crit.get_ct(key),
                    |f| trips(key, f),
                );
                match key {
                    CtKey::Fill => gauge.with_max(";100"),
                    _ => gauge,
                }
            })
            .collect();
        let judged =
            top.map(|t| TopCheck::judge(t, warn.get_ct(CtKey::Top), crit.get_ct(CtKey::Top)));
        let table = match (conntrack.entries, conntrack.limit, fill) {
            (Some(e), Some(l), Some(f)) => format!("table {e} of {l} ({}%)", f.percent(1)),
            _ => "table fill absent".to_owned(),
        };
        let ok = format!(
            "{} conntrack entries, {} established, {} time_wait, {table}",
            total.entries(),
            total.get(CtState::Established),
            total.get(CtState::TimeWait)
        );
        let context = format!("{} conntrack entries, {table}", total.entries());
        write_status(out, &gauges, judged, &ok, &context)
    }
}

#[cfg(test)]
mod test {
    use tcpcount_core::conntrack::CtParser;

    use super::*;
    use crate::format::check::Thresholds;

    const TABLE: &[u8] = b"ipv4     2 tcp      6 431999 ESTABLISHED src=10.0.0.2 dst=10.0.1.2 sport=40000 dport=443 src=10.0.1.2 dst=10.0.0.2 sport=443 dport=40000 [ASSURED] mark=0 zone=0 use=2
ipv4     2 tcp      6 100 TIME_WAIT src=10.0.0.2 dst=10.0.1.2 sport=40001 dport=443 src=10.0.1.2 dst=10.0.0.2 sport=443 dport=40001 [ASSURED] mark=0 zone=0 use=2
ipv4     2 tcp      6 100 TIME_WAIT src=10.0.0.2 dst=10.0.1.2 sport=40002 dport=443 src=10.0.1.2 dst=10.0.0.2 sport=443 dport=40002 [ASSURED] mark=0 zone=0 use=2
ipv4     2 udp      17 29 src=10.0.0.2 dst=10.0.1.2 sport=5353 dport=53 [UNREPLIED] src=10.0.1.2 dst=10.0.0.2 sport=53 dport=5353 mark=0 zone=0 use=2
";

    fn reading(entries: Option<u64>, limit: Option<u64>) -> Conntrack {
        let mut parser = CtParser::new();
        parser.feed(TABLE).unwrap();
        Conntrack {
            counts: parser.finish().unwrap(),
            entries,
            limit,
            ..Conntrack::default()
        }
    }

    #[test]
    fn thresholds_on_states_total_and_fill() {
        // (entries, limit, --warn, --crit, status, a phrase of the line)
        let cases = [
            (
                Some(4),
                Some(100),
                "",
                "",
                Status::Ok,
                "OK - 4 conntrack entries, 1 established, 2 time_wait, table 4 of 100 (4.0%)",
            ),
            (
                Some(4),
                Some(100),
                "time_wait=1",
                "",
                Status::Warning,
                "WARNING - time_wait=2 > 1 (4 conntrack entries",
            ),
            (
                Some(4),
                Some(100),
                "time-wait=2",
                "total=3",
                Status::Critical,
                "CRITICAL - total=4 > 3",
            ),
            (
                Some(4),
                Some(100),
                "fill=3",
                "fill=10",
                Status::Warning,
                "fill=4.0% > 3",
            ),
            (
                Some(90),
                Some(100),
                "fill=80",
                "fill=89",
                Status::Critical,
                "fill=90.0% > 89",
            ),
            (
                Some(80),
                Some(100),
                "fill=80",
                "",
                Status::Ok,
                "fill=80.0%;80;;0;100",
            ),
            (
                None,
                Some(100),
                "fill=80",
                "",
                Status::Unknown,
                "UNKNOWN - fill: nf_conntrack_count and nf_conntrack_max are not both readable",
            ),
            (
                Some(4),
                None,
                "",
                "fill=80",
                Status::Unknown,
                "UNKNOWN - fill",
            ),
            (
                Some(4),
                Some(0),
                "fill=80",
                "",
                Status::Unknown,
                "UNKNOWN - fill",
            ),
            (
                None,
                None,
                "established=0",
                "",
                Status::Warning,
                "established=1 > 0 (4 conntrack entries, table fill absent)",
            ),
            (
                None,
                None,
                "offload=0,hw_offload=0",
                "syn_sent2=0",
                Status::Ok,
                "offload=0;0;;0",
            ),
        ];
        for (entries, limit, warn, crit, expected, phrase) in cases {
            let parse = |s: &str| (!s.is_empty()).then(|| Thresholds::parse(s).unwrap());
            let (w, c) = (parse(warn), parse(crit));
            let mut out = Vec::new();
            let status = Judge::new(None, w.as_ref(), c.as_ref())
                .conntrack(&mut out, &reading(entries, limit))
                .unwrap();
            let line = String::from_utf8(out).unwrap();
            assert_eq!(status, expected, "{warn:?} {crit:?}: {line}");
            assert!(line.contains(phrase), "{warn:?} {crit:?}: {line}");
            assert_eq!(line.lines().count(), 1, "{line}");
        }
    }
}
