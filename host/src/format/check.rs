//! Check mode for Nagios, Icinga, Zabbix and other monitoring-plugin hosts:
//! one `TCPCOUNT STATUS - summary | perfdata` line judged against `--warn`
//! and `--crit`.
//!
//! A threshold is `KEY=FIGURE,...` with KEY a state name (as for `--state`),
//! `total` or `unknown`; a count greater than its figure trips it. Exit codes
//! are the plugin's 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, as the
//! monitoring-plugins development guidelines ask; a failure of any kind, bad
//! usage included, is one `TCPCOUNT UNKNOWN - reason` line.

use std::fmt;
use std::io::{self, Write};

use tcpcount_core::conntrack::CtState;
use tcpcount_core::{Counts, FilterError, TcpState};

use crate::reading::TopReading;
use crate::sample::Sample;

/// A plugin's result, least to most severe but UNKNOWN (the exit code is
/// [`crate::Exit::code`]'s).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Every count within its thresholds.
    Ok,
    /// A count above its `--warn` figure.
    Warning,
    /// A count above its `--crit` figure.
    Critical,
    /// The tables could not be read, the output not written, or the command
    /// line is wrong.
    Unknown,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Ok => "OK",
            Status::Warning => "WARNING",
            Status::Critical => "CRITICAL",
            Status::Unknown => "UNKNOWN",
        })
    }
}

/// What a threshold applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// One state's count.
    State(TcpState),
    /// Sockets whose state code is unknown.
    Unknown,
    /// All sockets.
    Total,
    /// With `--top`: the sockets of the key sure to hold the most.
    Top,
}

impl Key {
    fn label(self) -> String {
        match self {
            Key::State(state) => state.name().to_ascii_lowercase(),
            Key::Unknown => "unknown".to_owned(),
            Key::Total => "total".to_owned(),
            Key::Top => "top".to_owned(),
        }
    }

    fn count(self, counts: &Counts) -> u32 {
        match self {
            Key::State(state) => counts.get(state),
            Key::Unknown => counts.unknown(),
            Key::Total => counts.total(),
            // Judged in `report_top`, from the top-N table.
            Key::Top => 0,
        }
    }
}

/// `time_wait=5000,total=20000`, read both ways: for sockets and, with
/// `--conntrack`, for the conntrack table (whose keys are conntrack states,
/// `total` and `fill`); which applies is checked in [`crate::Cli::parse_args`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Thresholds {
    sockets: Vec<(Key, u32)>,
    conntrack: Vec<(CtKey, u32)>,
    socket_error: Option<String>,
    conntrack_error: Option<String>,
}

impl Thresholds {
    /// Parses `KEY=FIGURE,...`; a key must be valid for sockets or for the
    /// conntrack table.
    pub fn parse(spec: &str) -> Result<Thresholds, String> {
        let mut list = Thresholds::default();
        for item in spec.split(',') {
            let (key, figure) = item
                .split_once('=')
                .ok_or_else(|| format!("{item:?}: expected KEY=FIGURE"))?;
            let name = key.trim().to_ascii_lowercase();
            let socket_key = match name.as_str() {
                "total" => Ok(Key::Total),
                "unknown" => Ok(Key::Unknown),
                "top" => Ok(Key::Top),
                name => TcpState::from_name(name).map(Key::State).ok_or_else(|| {
                    format!(
                        "{key:?}: not a key: use total, unknown, top (with --top), or a state: {}",
                        FilterError::UnknownState
                    )
                }),
            };
            let ct_key = CtKey::parse(&name).ok_or_else(|| {
                format!(
                    "{key:?}: not a key with --conntrack: use total, fill (percent of nf_conntrack_max), or a state: {}",
                    ct_state_names()
                )
            });
            if let (Err(socket), Err(_)) = (&socket_key, &ct_key) {
                return Err(socket.clone());
            }
            let figure: u32 = figure
                .trim()
                .parse()
                .map_err(|_| format!("{figure:?}: expected a whole number"))?;
            match socket_key {
                Ok(k) => list.sockets.push((k, figure)),
                Err(e) => {
                    list.socket_error.get_or_insert(e);
                }
            }
            match ct_key {
                Ok(k) => list.conntrack.push((k, figure)),
                Err(e) => {
                    list.conntrack_error.get_or_insert(e);
                }
            }
        }
        Ok(list)
    }

    /// Why these thresholds do not apply to sockets, if they do not.
    pub fn socket_error(&self) -> Option<&str> {
        self.socket_error.as_deref()
    }

    /// Why these thresholds do not apply to the conntrack table, if they do
    /// not.
    pub fn conntrack_error(&self) -> Option<&str> {
        self.conntrack_error.as_deref()
    }

    /// Whether a `top=` figure is given.
    pub fn has_top(&self) -> bool {
        self.get(Key::Top).is_some()
    }

    fn get(&self, key: Key) -> Option<u32> {
        self.sockets
            .iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map(|&(_, f)| f)
    }

    /// The figure for a conntrack key, the last one given.
    pub fn get_ct(&self, key: CtKey) -> Option<u32> {
        self.conntrack
            .iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map(|&(_, f)| f)
    }
}

/// What a conntrack threshold applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CtKey {
    /// TCP entries in one conntrack bucket.
    State(CtState),
    /// All counted entries, any protocol.
    Total,
    /// nf_conntrack_count as a percentage of nf_conntrack_max.
    Fill,
    /// With `--top`: the entries of the key sure to hold the most.
    Top,
}

impl CtKey {
    fn parse(name: &str) -> Option<CtKey> {
        match name {
            "total" => Some(CtKey::Total),
            "fill" => Some(CtKey::Fill),
            "top" => Some(CtKey::Top),
            name => CtState::from_name(name).map(CtKey::State),
        }
    }

    /// The key as perfdata and the status line name it.
    pub fn label(self) -> String {
        match self {
            CtKey::State(state) => state.name().to_ascii_lowercase(),
            CtKey::Total => "total".to_owned(),
            CtKey::Fill => "fill".to_owned(),
            CtKey::Top => "top".to_owned(),
        }
    }
}

/// Writes the status line for `sample` (its conntrack table if it has
/// one, else its sockets) and returns the status.
pub fn report(
    out: &mut impl Write,
    sample: &Sample,
    warn: Option<&Thresholds>,
    crit: Option<&Thresholds>,
) -> io::Result<Status> {
    let judge = Judge::new(sample.top.as_deref(), warn, crit);
    match &sample.conntrack {
        Some(conntrack) => judge.conntrack(out, conntrack),
        None => judge.sockets(out, &sample.tables.total()),
    }
}

/// No figures: an absent `--warn` or `--crit`.
static NO_FIGURES: Thresholds = Thresholds {
    sockets: Vec::new(),
    conntrack: Vec::new(),
    socket_error: None,
    conntrack_error: None,
};

/// What a status line is judged against: the `--warn` and `--crit`
/// figures and, with `--top`, the key sure to hold the most (judged on its
/// guaranteed lower bound, `count - error`, so an approximate table never
/// raises a false alarm).
pub(crate) struct Judge<'a> {
    pub top: Option<&'a TopReading>,
    pub warn: &'a Thresholds,
    pub crit: &'a Thresholds,
}

impl<'a> Judge<'a> {
    pub(crate) fn new(
        top: Option<&'a TopReading>,
        warn: Option<&'a Thresholds>,
        crit: Option<&'a Thresholds>,
    ) -> Judge<'a> {
        Judge {
            top,
            warn: warn.unwrap_or(&NO_FIGURES),
            crit: crit.unwrap_or(&NO_FIGURES),
        }
    }

    /// Writes the status line for the socket `counts`; returns the status.
    pub(crate) fn sockets(&self, out: &mut impl Write, counts: &Counts) -> io::Result<Status> {
        let Judge { top, warn, crit } = *self;
        let mut keys: Vec<Key> = TcpState::ALL.iter().map(|&s| Key::State(s)).collect();
        keys.push(Key::Unknown);
        keys.push(Key::Total);

        let gauges: Vec<Gauge> = keys
            .iter()
            .map(|&key| {
                let count = key.count(counts);
                Gauge::new(
                    key.label(),
                    count.to_string(),
                    warn.get(key),
                    crit.get(key),
                    |f| count > f,
                )
            })
            .collect();
        let judged = top.map(|t| TopCheck::judge(t, warn.get(Key::Top), crit.get(Key::Top)));
        let ok = format!(
            "{} sockets, {} established, {} time_wait",
            counts.total(),
            counts.get(TcpState::Established),
            counts.get(TcpState::TimeWait)
        );
        write_status(
            out,
            &gauges,
            judged,
            &ok,
            &format!("{} sockets", counts.total()),
        )
    }
}

/// One key of a status line: its name, its value as shown, its figures,
/// and the most severe status whose figure it exceeds.
pub(crate) struct Gauge {
    label: String,
    shown: String,
    warn: Option<u32>,
    crit: Option<u32>,
    /// The figure exceeded, CRITICAL's before WARNING's, and its status.
    tripped: Option<(Status, u32)>,
    /// The perfdata's maximum (`;100` for a percentage), or empty.
    max: &'static str,
}

impl Gauge {
    /// A key whose value exceeds a figure when `exceeds(figure)`.
    pub(crate) fn new(
        label: String,
        shown: String,
        warn: Option<u32>,
        crit: Option<u32>,
        exceeds: impl Fn(u32) -> bool,
    ) -> Gauge {
        let tripped = match (crit.filter(|&f| exceeds(f)), warn.filter(|&f| exceeds(f))) {
            (Some(figure), _) => Some((Status::Critical, figure)),
            (None, Some(figure)) => Some((Status::Warning, figure)),
            (None, None) => None,
        };
        Gauge {
            label,
            shown,
            warn,
            crit,
            tripped,
            max: "",
        }
    }

    /// The same, with a perfdata maximum such as `;100`.
    pub(crate) fn with_max(self, max: &'static str) -> Gauge {
        Gauge { max, ..self }
    }
}

/// Writes `TCPCOUNT STATUS - summary | perfdata` for `gauges` and the
/// `--top` judgement, and returns the status. The summary is `ok` (plus the
/// top key) when nothing trips, else the tripped keys and `(context)`.
pub(crate) fn write_status(
    out: &mut impl Write,
    gauges: &[Gauge],
    top: Option<TopCheck>,
    ok: &str,
    context: &str,
) -> io::Result<Status> {
    let mut status = Status::Ok;
    let mut tripped = Vec::new();
    let mut perfdata = Vec::new();
    for gauge in gauges {
        if let Some((severity, figure)) = gauge.tripped {
            status = status.max(severity);
            tripped.push(format!("{}={} > {figure}", gauge.label, gauge.shown));
        }
        let figure = |f: Option<u32>| f.map(|f| f.to_string()).unwrap_or_default();
        perfdata.push(format!(
            "{}={};{};{};0{}",
            gauge.label,
            gauge.shown,
            figure(gauge.warn),
            figure(gauge.crit),
            gauge.max
        ));
    }
    let mut summary = ok.to_owned();
    if let Some(top) = top {
        status = status.max(top.status);
        tripped.extend(top.tripped);
        perfdata.push(top.perfdata);
        summary.push_str(&top.summary);
    }
    if !tripped.is_empty() {
        summary = format!("{} ({context})", tripped.join(", "));
    }
    writeln!(
        out,
        "TCPCOUNT {status} - {summary} | {}",
        perfdata.join(" ")
    )?;
    Ok(status)
}

/// The `--top` part of a status line: the key sure to hold the most,
/// judged on its guaranteed lower bound `count - error` (an approximate
/// table never raises a false alarm).
pub(crate) struct TopCheck {
    /// OK, WARNING or CRITICAL.
    pub status: Status,
    /// `top raddr 203.0.113.7=120 > 100`, if a figure was exceeded.
    pub tripped: Option<String>,
    /// `top=120;100;;0`.
    pub perfdata: String,
    /// `, top raddr 203.0.113.7=120` for an OK line (empty if nothing was
    /// counted).
    pub summary: String,
}

impl TopCheck {
    /// Judges `top` against the `top=` figures.
    pub(crate) fn judge(top: &TopReading, warn: Option<u32>, crit: Option<u32>) -> TopCheck {
        let heading = top.heading();
        let surest = top.surest();
        let (key, lower) = surest.map_or((String::new(), 0), |(k, n)| (k.to_string(), n));
        let exceeded = crit
            .filter(|&f| lower > f)
            .map(|f| (Status::Critical, f))
            .or_else(|| warn.filter(|&f| lower > f).map(|f| (Status::Warning, f)));
        let shown = |f: Option<u32>| f.map(|f| f.to_string()).unwrap_or_default();
        TopCheck {
            status: exceeded.map_or(Status::Ok, |(s, _)| s),
            tripped: exceeded.map(|(_, f)| format!("top {heading} {key}={lower} > {f}")),
            perfdata: format!("top={lower};{};{};0", shown(warn), shown(crit)),
            summary: if surest.is_some() {
                format!(", top {heading} {key}={lower}")
            } else {
                String::new()
            },
        }
    }
}

/// Writes the UNKNOWN line for a failure.
pub fn report_unknown(out: &mut impl Write, why: &dyn fmt::Display) -> io::Result<Status> {
    writeln!(out, "TCPCOUNT UNKNOWN - {why}")?;
    Ok(Status::Unknown)
}

/// Every conntrack bucket's name as `--state` takes it.
pub fn ct_state_names() -> String {
    let names: Vec<String> = tcpcount_core::conntrack::CtState::ALL
        .iter()
        .map(|s| s.name().to_ascii_lowercase())
        .collect();
    format!("conntrack states are {}", names.join(", "))
}

#[cfg(test)]
mod test {
    use super::*;

    fn counts(established: u32, time_wait: u32) -> Counts {
        let mut counts = Counts::new();
        (0..established).for_each(|_| counts.add_code(0x01));
        (0..time_wait).for_each(|_| counts.add_code(0x06));
        counts
    }

    fn status(counts: &Counts, warn: &str, crit: &str) -> (Status, String) {
        let (warn, crit) = (
            Thresholds::parse(warn).unwrap(),
            Thresholds::parse(crit).unwrap(),
        );
        let mut out = Vec::new();
        let status = Judge::new(None, Some(&warn), Some(&crit))
            .sockets(&mut out, counts)
            .unwrap();
        (status, String::from_utf8(out).unwrap())
    }

    #[test]
    fn thresholds_trip_above_their_figure() {
        let c = counts(10, 6);
        assert_eq!(status(&c, "time_wait=6", "total=16").0, Status::Ok);
        assert_eq!(status(&c, "time-wait=5", "total=16").0, Status::Warning);
        assert_eq!(status(&c, "time_wait=5", "total=15").0, Status::Critical);
        assert_eq!(status(&c, "estab=100", "ESTABLISHED=9").0, Status::Critical);
    }

    #[test]
    fn status_line_has_perfdata_for_every_state() {
        let (status, line) = status(
            &counts(23, 6),
            "time_wait=5000",
            "time_wait=20000,total=20000",
        );
        assert_eq!(status, Status::Ok);
        assert!(
            line.starts_with(
                "TCPCOUNT OK - 29 sockets, 23 established, 6 time_wait | established=23;;;0 "
            ),
            "{line}"
        );
        assert!(line.contains(" time_wait=6;5000;20000;0 "), "{line}");
        assert!(
            line.trim_end()
                .ends_with(" unknown=0;;;0 total=29;;20000;0"),
            "{line}"
        );
        assert_eq!(line.matches('=').count(), 13);
    }

    #[test]
    fn bad_specs_are_refused() {
        for spec in [
            "",
            "time_wait",
            "bogus=1",
            "total=-1",
            "total=x",
            "total=1,",
        ] {
            assert!(Thresholds::parse(spec).is_err(), "{spec:?}");
        }
    }
}
