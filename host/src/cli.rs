//! The command line: clap types with their help text, and every rule about
//! which options go together, so a bad combination is a usage error before
//! anything is read.
//!
//! Usage errors exit 2, or in check mode 3 with an UNKNOWN line; check mode
//! is recognised here, once, even on a command line that fails to parse.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser, ValueEnum};
use tcpcount_core::{Cidr, Family, Filter, PortList, Side, StateSet};

use crate::format::check::Thresholds;
use crate::source::Input;

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
pub enum Source {
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
/// not be read or parsed or the output not written, 2 bad usage; with
/// --warn/--crit the monitoring plugin codes 0 OK, 1 WARNING, 2 CRITICAL,
/// 3 UNKNOWN (every failure, bad usage included, is UNKNOWN there).
#[derive(Debug, Parser)]
#[command(name = "tcpcount", version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("TCPCOUNT_TARGET"), ")"))]
pub struct Cli {
    /// Captured tables to count instead of this machine's; each file's family
    /// comes from its rows. `-` reads standard input (once: not with
    /// --interval or --count). With --interval every sample reads the files
    /// again.
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
    /// (time_wait, time-wait, estab, listening, ...). A state given twice
    /// counts once.
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

    /// One row per local or remote port with its per-state counts (not with
    /// --listeners).
    #[arg(long, value_enum, value_name = "SIDE", conflicts_with = "listeners")]
    pub per_port: Option<PortSide>,

    /// One row per listening port: accept queue now and established
    /// connections (not with --per-port).
    #[arg(long)]
    pub listeners: bool,

    /// Repeat every SECONDS (decimals allowed); each sample carries its time.
    #[arg(short, long, value_name = "SECONDS", value_parser = parse_interval)]
    pub interval: Option<f64>,

    /// Stop after N samples (default with --interval: until SIGINT/SIGTERM);
    /// without --interval the samples are one second apart.
    #[arg(short = 'n', long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,

    /// Write each sample to FILE atomically (a new temporary file in FILE's
    /// directory, then rename) instead of standard output. FILE must be a
    /// regular file or not exist: a directory, device, FIFO, socket or
    /// symbolic link is refused and left alone.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Check mode: WARNING when a count exceeds its figure
    /// (time_wait=5000,total=20000; keys are states, total and unknown).
    #[arg(long, value_name = "SPEC", value_parser = Thresholds::parse,
          conflicts_with_all = CHECK_CONFLICTS)]
    pub warn: Option<Thresholds>,

    /// Check mode: CRITICAL when a count exceeds its figure.
    #[arg(long, value_name = "SPEC", value_parser = Thresholds::parse,
          conflicts_with_all = CHECK_CONFLICTS)]
    pub crit: Option<Thresholds>,

    /// Read /proc/PID/net/tcp{,6}: the network namespace of that process
    /// (reads procfs: not with --source netlink).
    #[arg(long, value_name = "PID", conflicts_with = "files")]
    pub pid: Option<u32>,

    /// Where live counts come from: proc (/proc/net/tcp{,6}), netlink (the
    /// kernel's inet_diag dump, as ss uses; listeners also get their backlog
    /// limit), or auto (netlink, falling back to proc; with --pid or --proc
    /// always proc).
    #[arg(long, value_enum, default_value_t = Source::Proc, conflicts_with = "files")]
    pub source: Source,

    /// Where procfs is mounted [default: /proc] (reads procfs: not with
    /// --source netlink).
    #[arg(long, value_name = "DIR", conflicts_with = "files")]
    pub proc: Option<PathBuf>,
}

/// What check mode cannot be combined with: it prints one plugin line.
const CHECK_CONFLICTS: [&str; 6] = [
    "interval",
    "count",
    "output",
    "per_port",
    "listeners",
    "format",
];

/// A command line that was not accepted.
#[derive(Debug)]
pub struct Rejected {
    /// clap's error (help and version requests are errors too).
    pub error: clap::Error,
    /// Whether the command line asked for check mode (--warn or --crit).
    pub check_mode: bool,
}

impl Cli {
    /// Parses `args` (the program name first) and applies the rules that
    /// relate option values to each other.
    pub fn parse_args<I, T>(args: I) -> Result<Cli, Rejected>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
        let rejected = |error: clap::Error| Rejected {
            check_mode: asks_for_check_mode(&args),
            error,
        };
        let cli = Cli::try_parse_from(&args).map_err(rejected)?;
        cli.check().map_err(rejected)?;
        Ok(cli)
    }

    /// The rules clap's attributes cannot say: they depend on values.
    fn check(&self) -> Result<(), clap::Error> {
        let usage = |message: &str| Err(Cli::command().error(ErrorKind::ArgumentConflict, message));
        if self.source == Source::Netlink && (self.pid.is_some() || self.proc.is_some()) {
            return usage(
                "--pid and --proc read procfs; --source netlink reads this namespace's netlink dump: use --source proc (or auto)",
            );
        }
        let repeating = self.interval.is_some() || self.count.is_some();
        if repeating && self.files.iter().any(|f| f.as_os_str() == "-") {
            return usage(
                "standard input (-) can be read only once: not with --interval or --count",
            );
        }
        Ok(())
    }

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

    /// What to read: the files, or the live source (`--pid` and `--proc`
    /// make `auto` read procfs).
    pub fn input(&self) -> Input {
        let root = self.proc.clone().unwrap_or_else(|| PathBuf::from("/proc"));
        if !self.files.is_empty() {
            return Input::Files(self.files.clone());
        }
        match self.source {
            Source::Netlink => Input::Netlink,
            Source::Auto if self.pid.is_none() && self.proc.is_none() => Input::Auto { root },
            Source::Proc | Source::Auto => Input::Proc {
                root,
                pid: self.pid,
            },
        }
    }

    /// Whether --warn or --crit asks for monitoring-plugin output.
    pub fn check_mode(&self) -> bool {
        self.warn.is_some() || self.crit.is_some()
    }
}

/// Whether `args` name `--warn` or `--crit` (before a `--` that ends the
/// options), looked at directly because a command line that fails to parse
/// has no parsed value to ask: clap stops at its first error.
fn asks_for_check_mode(args: &[OsString]) -> bool {
    args.iter()
        .skip(1)
        .map(|arg| arg.as_encoded_bytes())
        .take_while(|&arg| arg != b"--")
        .any(|arg| {
            [&b"--warn"[..], b"--crit"].iter().any(|option| {
                arg.strip_prefix(*option)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(b"="))
            })
        })
}

fn parse_interval(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && (0.01..=86_400.0).contains(&seconds) => Ok(seconds),
        _ => Err("expected seconds between 0.01 and 86400".to_owned()),
    }
}

#[cfg(test)]
mod test {
    use super::*;

    /// Parses `line` (split on spaces) after the program name.
    fn parse(line: &str) -> Result<Cli, Rejected> {
        Cli::parse_args(std::iter::once("tcpcount").chain(line.split_whitespace()))
    }

    #[test]
    fn check_mode_is_known_even_when_parsing_fails() {
        // (command line, accepted, check mode)
        let cases = [
            ("--warn total=1", true, true),
            ("--crit estab=5 -4", true, true),
            ("", true, false),
            ("--warn bogus=1", false, true),
            ("--crit total=x --warn total=1", false, true),
            ("--warn total=1 --no-such-flag", false, true),
            ("--no-such-flag --crit total=1", false, true),
            ("--warn total=1 -f json", false, true),
            ("--warn total=1 --source netlink --pid 1", false, true),
            ("--warn", false, true),
            ("--no-such-flag", false, false),
            ("--lport 9-1", false, false),
            ("--warning total=1", false, false),
            ("--crit=total=1 --nope", false, true),
            ("-- --warn", true, false),
            ("--source netlink --proc /proc", false, false),
        ];
        for (line, accepted, check_mode) in cases {
            match parse(line) {
                Ok(cli) => {
                    assert!(accepted, "{line:?} was accepted");
                    assert_eq!(cli.check_mode(), check_mode, "{line:?}");
                }
                Err(rejected) => {
                    assert!(!accepted, "{line:?}: {}", rejected.error);
                    assert_eq!(rejected.check_mode, check_mode, "{line:?}");
                }
            }
        }
    }

    #[test]
    fn input_follows_the_source_rules() {
        let cases = [
            ("", "Proc { root: \"/proc\", pid: None }"),
            ("--source netlink", "Netlink"),
            ("--source auto", "Auto { root: \"/proc\" }"),
            (
                "--source auto --pid 7",
                "Proc { root: \"/proc\", pid: Some(7) }",
            ),
            (
                "--source auto --proc /mnt/p",
                "Proc { root: \"/mnt/p\", pid: None }",
            ),
            ("a b", "Files([\"a\", \"b\"])"),
        ];
        for (line, expected) in cases {
            let cli = parse(line).unwrap_or_else(|r| panic!("{line:?}: {}", r.error));
            assert_eq!(format!("{:?}", cli.input()), expected, "{line:?}");
        }
    }
}
