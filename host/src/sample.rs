//! What one reading holds: the per-state counts of each family, the optional
//! per-port and listener tables, when it was taken and which source was
//! really read.
//!
//! Formats take a [`Sample`] and nothing else, so a new reading (conntrack
//! counts, a top-N table) is a new field here plus the formats that show it.

use std::fmt;
use std::path::PathBuf;
use std::time::SystemTime;

use tcpcount_core::conntrack::CtCounts;
use tcpcount_core::{Counts, Family, Listeners, PortCounts, Side};

use crate::ctstat::CtStat;
use crate::reading::{CountersReading, TopReading};

/// The counts of the IPv4 and the IPv6 tables.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tables {
    /// Rows of `/proc/net/tcp` (or of files whose rows are IPv4).
    pub ipv4: Counts,
    /// Rows of `/proc/net/tcp6` (or of files whose rows are IPv6).
    pub ipv6: Counts,
}

impl Tables {
    /// The counts of one family.
    pub fn family_mut(&mut self, family: Family) -> &mut Counts {
        match family {
            Family::Ipv4 => &mut self.ipv4,
            Family::Ipv6 => &mut self.ipv6,
        }
    }

    /// Both families together.
    pub fn total(&self) -> Counts {
        let mut total = self.ipv4;
        total += self.ipv6;
        total
    }
}

/// Which source a sample was really read from (with `--source auto`, the
/// one that worked).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The netlink sock_diag dump of this network namespace.
    Netlink,
    /// `tcp` and `tcp6` in this directory (`/proc/net`, `/proc/PID/net`).
    Proc(PathBuf),
    /// Captured tables named on the command line (`-`: standard input).
    Files(Vec<PathBuf>),
    /// A name given by the caller (tests show a path relative to the repo).
    Named(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Netlink => f.write_str("netlink"),
            Origin::Proc(dir) => write!(f, "{}", dir.display()),
            Origin::Files(files) => {
                for (i, file) in files.iter().enumerate() {
                    let sep = if i == 0 { "" } else { " " };
                    write!(f, "{sep}{}", file.display())?;
                }
                Ok(())
            }
            Origin::Named(name) => f.write_str(name),
        }
    }
}

/// One reading of the tables, with what the options asked for besides the
/// counts.
#[derive(Clone, Debug)]
pub struct Sample {
    /// When the reading started.
    pub time: SystemTime,
    /// Where the tables really came from.
    pub source: Origin,
    /// The per-state counts.
    pub tables: Tables,
    /// Per-port counts, with `--per-port`.
    pub ports: Option<Box<PortCounts>>,
    /// Listening ports, with `--listeners`.
    pub listeners: Option<Box<Listeners>>,
    /// The top-N table of the counted sockets, with `--top`.
    pub top: Option<Box<TopReading>>,
    /// The kernel's TCP counters, with `--counters`.
    pub counters: Option<Box<CountersReading>>,
    /// The conntrack table's counts, with `--conntrack` (then `tables` is
    /// empty and the formats show this instead).
    pub conntrack: Option<Box<Conntrack>>,
}

/// One reading of the conntrack table and the kernel's figures about it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Conntrack {
    /// The counted entries, per family.
    pub counts: CtCounts,
    /// Whether the table was a legacy `ip_conntrack` one.
    pub legacy: bool,
    /// `nf_conntrack_count`: every entry of the namespace, whatever the
    /// filter (None: not readable, e.g. files, or `--pid`'s namespace
    /// without a stat file).
    pub entries: Option<u64>,
    /// `nf_conntrack_max`, the table's limit (None: not readable).
    pub limit: Option<u64>,
    /// `/proc/net/stat/nf_conntrack` summed over the CPUs (None: absent).
    pub stat: Option<CtStat>,
}

impl Conntrack {
    /// `entries` against `limit`, when both are known and the limit is not
    /// 0.
    pub fn fill(&self) -> Option<Fill> {
        match (self.entries, self.limit) {
            (Some(entries), Some(limit)) if limit > 0 => Some(Fill { entries, limit }),
            _ => None,
        }
    }
}

/// How full the table is: nf_conntrack_count of nf_conntrack_max. Integer
/// arithmetic only (no float formatting code in the binary); percentages
/// are rounded down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fill {
    /// nf_conntrack_count.
    pub entries: u64,
    /// nf_conntrack_max, not 0.
    pub limit: u64,
}

impl Fill {
    /// The percentage in hundredths (7550 is 75.50%).
    pub fn hundredths(self) -> u64 {
        let ratio = u128::from(self.entries) * 10_000 / u128::from(self.limit.max(1));
        u64::try_from(ratio).unwrap_or(u64::MAX)
    }

    /// The percentage with `decimals` (1 or 2) decimals: `75.5`, `75.50`.
    pub fn percent(self, decimals: usize) -> String {
        let h = self.hundredths();
        match decimals {
            1 => format!("{}.{}", h / 100, h % 100 / 10),
            _ => format!("{}.{:02}", h / 100, h % 100),
        }
    }

    /// Whether the table is more than `figure` percent full (exactly:
    /// `entries * 100 > figure * limit`).
    pub fn exceeds(self, figure: u32) -> bool {
        u128::from(self.entries) * 100 > u128::from(figure) * u128::from(self.limit)
    }
}

/// What to collect besides the per-state counts.
#[derive(Clone, Copy, Debug, Default)]
pub struct Wanted {
    /// Per-port counts grouped by this side.
    pub per_port: Option<Side>,
    /// The listener view.
    pub listeners: bool,
}

impl Sample {
    /// An empty sample with the tables `wanted` asks for.
    pub fn new(wanted: Wanted, source: Origin) -> Sample {
        Sample {
            time: SystemTime::now(),
            source,
            tables: Tables::default(),
            ports: wanted.per_port.map(new_ports),
            listeners: wanted.listeners.then(new_listeners),
            top: None,
            counters: None,
            conntrack: None,
        }
    }

    /// Empties the counts and tables, keeping their memory, for a new
    /// reading from `source`.
    pub fn clear(&mut self, source: Origin) {
        self.time = SystemTime::now();
        self.source = source;
        self.tables = Tables::default();
        if let Some(ports) = &mut self.ports {
            reset_ports(ports);
        }
        if let Some(listeners) = &mut self.listeners {
            reset_listeners(listeners);
        }
        if let Some(top) = &mut self.top {
            top.table.clear();
        }
        if let Some(conntrack) = &mut self.conntrack {
            **conntrack = Conntrack::default();
        }
    }

    /// Whether [`Sample::visit`] has a table to show sockets to. A source
    /// asks once per read, so that plain counting makes no call per row
    /// (about 30 instructions a row: docs/bench.md, `bench/floor`).
    pub fn shows_rows(&self) -> bool {
        self.ports.is_some() || self.listeners.is_some() || self.top.is_some()
    }

    /// Shows a counted socket to the per-port, listener and top-N tables,
    /// if wanted.
    pub fn visit(&mut self, socket: &impl tcpcount_core::TcpSocket) {
        if let Some(ports) = &mut self.ports {
            ports.add(socket);
        }
        if let Some(listeners) = &mut self.listeners {
            listeners.add(socket);
        }
        if let Some(top) = &mut self.top {
            top.table.add_socket(&top.spec, socket);
        }
    }
}

// The per-port and listener tables are built on the stack before they are
// moved into place (tens of KiB). These helpers are not inlined, so only a
// sample that has such a table touches that stack frame: inlined into the
// sample loop, every sample stack-probed it, wanted or not (peak RSS at 200k
// rows 676 -> 548 KiB, stack 132 -> 40 KiB, measured: docs/targets.md).

/// A new per-port table on the heap, allocated once per run.
#[inline(never)]
fn new_ports(side: Side) -> Box<PortCounts> {
    Box::new(PortCounts::new(side))
}

/// A new listener table on the heap, allocated once per run.
#[inline(never)]
fn new_listeners() -> Box<Listeners> {
    Box::new(Listeners::new())
}

/// Empties a per-port table in place (its box is reused).
#[inline(never)]
fn reset_ports(ports: &mut PortCounts) {
    *ports = PortCounts::new(ports.side());
}

/// Empties a listener table in place (its box is reused).
#[inline(never)]
fn reset_listeners(listeners: &mut Listeners) {
    *listeners = Listeners::new();
}
