//! The `tcpcount` command as a library: the command line ([`Cli`]), reading
//! tables through one fixed buffer into the core parser ([`source`]), one
//! sample's rendering in each output format ([`format`]), the monitoring
//! plugin mode ([`check`]), and the repeat loop with atomic file output
//! ([`watch`]). `main.rs` only maps the outcome to an exit code, so all of
//! this can be tested without spawning a process.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use tcpcount_core::{Cidr, Family, Filter, PortList, Side, StateSet};

pub mod check;
pub mod format;
mod netlink;
mod signals;
pub mod source;
pub mod time;
pub mod watch;

pub use source::{Failure, Sample, Tables};
pub use watch::run;

/// Exit codes that scripts can rely on (check mode has its own,
/// [`check::Status`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Counted and printed (a reader that went away counts as success).
    Ok = 0,
    /// A table could not be read or parsed, or the output not written.
    Failure = 1,
    /// Bad command line (clap's own exit code).
    Usage = 2,
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// One JSON object per sample, on one line (JSON Lines with --interval).
    Json,
    /// Prometheus text exposition format (for node_exporter's textfile
    /// collector).
    Prometheus,
    /// NAME=VALUE lines that a shell can `eval`.
    Env,
}

/// Where live counts come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Method {
    /// /proc/net/tcp and /proc/net/tcp6.
    Proc,
    /// The kernel's inet_diag netlink dump, as `ss` uses (faster, no text).
    Netlink,
    /// Netlink, or /proc where the kernel has no inet_diag.
    Auto,
}

/// Which end of a connection `--per-port` groups by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PortSide {
    /// The local port.
    Local,
    /// The remote port.
    Remote,
}

impl From<PortSide> for Side {
    fn from(side: PortSide) -> Side {
        match side {
            PortSide::Local => Side::Local,
            PortSide::Remote => Side::Remote,
        }
    }
}

/// Count TCP sockets per state from /proc/net/tcp and /proc/net/tcp6.
///
/// With no FILE, reads this machine's tables; a missing /proc/net/tcp6 (no
/// IPv6) counts as zero IPv6 sockets. Exit status: 0 counted, 1 a table could
/// not be read or parsed, 2 bad usage; with --warn/--crit the monitoring
/// plugin codes 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
#[derive(Debug, Parser)]
#[command(name = "tcpcount", version)]
pub struct Cli {
    /// Captured tables to count instead of this machine's; each file's family
    /// comes from its rows. `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Only IPv4 sockets.
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,

    /// Only IPv6 sockets (IPv4-mapped ones included).
    #[arg(short = '6')]
    pub ipv6: bool,

    /// Only these states, comma-separated; kernel or ss names
    /// (time_wait, time-wait, estab, listening, ...).
    #[arg(short, long, value_name = "LIST", value_parser = StateSet::parse)]
    pub state: Option<StateSet>,

    /// Only these local ports and ranges (80,443,8000-8080).
    #[arg(long, value_name = "LIST", value_parser = PortList::parse)]
    pub lport: Option<PortList>,

    /// Only these remote ports and ranges.
    #[arg(long, value_name = "LIST", value_parser = PortList::parse)]
    pub rport: Option<PortList>,

    /// Only local addresses in this prefix (10.0.0.0/8, ::1); an IPv4 prefix
    /// also matches IPv4-mapped IPv6 addresses.
    #[arg(long, value_name = "CIDR", value_parser = Cidr::parse)]
    pub laddr: Option<Cidr>,

    /// Only remote addresses in this prefix.
    #[arg(long, value_name = "CIDR", value_parser = Cidr::parse)]
    pub raddr: Option<Cidr>,

    /// One row per local or remote port with its per-state counts.
    #[arg(long, value_enum, value_name = "SIDE", conflicts_with = "listeners")]
    pub per_port: Option<PortSide>,

    /// One row per listening port: accept queue now and established
    /// connections.
    #[arg(long)]
    pub listeners: bool,

    /// Repeat every SECONDS (decimals allowed); each sample carries its time.
    #[arg(short, long, value_name = "SECONDS", value_parser = parse_interval)]
    pub interval: Option<f64>,

    /// Stop after N samples (default with --interval: until SIGINT/SIGTERM).
    #[arg(short = 'n', long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,

    /// Write each sample to FILE atomically (temporary file, then rename)
    /// instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Check mode: WARNING when a count exceeds its figure
    /// (time_wait=5000,total=20000).
    #[arg(long, value_name = "SPEC", value_parser = check::Thresholds::parse,
          conflicts_with_all = ["interval", "count", "output", "per_port", "listeners"])]
    pub warn: Option<check::Thresholds>,

    /// Check mode: CRITICAL when a count exceeds its figure.
    #[arg(long, value_name = "SPEC", value_parser = check::Thresholds::parse,
          conflicts_with_all = ["interval", "count", "output", "per_port", "listeners"])]
    pub crit: Option<check::Thresholds>,

    /// Read /proc/PID/net/tcp{,6}: the network namespace of that process.
    #[arg(long, value_name = "PID", conflicts_with = "files")]
    pub pid: Option<u32>,

    /// Where live counts come from: proc (/proc/net/tcp{,6}), netlink (the
    /// kernel's inet_diag dump, as ss uses; listeners also get their backlog
    /// limit), or auto (netlink, falling back to proc).
    #[arg(long, value_enum, default_value_t = Method::Proc, conflicts_with = "files")]
    pub source: Method,

    /// Where procfs is mounted.
    #[arg(
        long,
        value_name = "DIR",
        default_value = "/proc",
        conflicts_with = "files"
    )]
    pub proc: PathBuf,
}

impl Cli {
    /// The core filter the options ask for.
    pub fn filter(&self) -> Filter {
        Filter {
            family: match (self.ipv4, self.ipv6) {
                (true, false) => Some(Family::Ipv4),
                (false, true) => Some(Family::Ipv6),
                _ => None,
            },
            states: self.state,
            local_ports: self.lport.clone(),
            remote_ports: self.rport.clone(),
            local_net: self.laddr,
            remote_net: self.raddr,
        }
    }

    /// Whether --warn or --crit asks for monitoring-plugin output.
    pub fn check_mode(&self) -> bool {
        self.warn.is_some() || self.crit.is_some()
    }
}

fn parse_interval(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && (0.01..=86_400.0).contains(&seconds) => Ok(seconds),
        _ => Err("expected seconds between 0.01 and 86400".to_owned()),
    }
}
