//! The command line: clap types with their help text, and every rule about
//! which options go together, so a bad combination is a usage error before
//! anything is read.
//!
//! Usage errors exit 2, or in check mode 3 with an UNKNOWN line; check mode
//! is recognised here, once, even on a command line that fails to parse.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser, ValueEnum};
use tcpcount_core::conntrack::{CtFilter, CtStateSet, Protocol};
use tcpcount_core::{Cidr, Family, Filter, KeySpec, KeySpecError, PortList, Side, StateSet};

mod interval;

pub use crate::format::Format;
use crate::format::check::{Thresholds, ct_state_names};
use crate::source::Input;

/// Where live counts come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Source {
    /// /proc/net/tcp and /proc/net/tcp6.
    Proc,
    /// The kernel's inet_diag netlink dump, as `ss` uses (faster, no text);
    /// with --conntrack the ctnetlink dump, as `conntrack -L` uses.
    Netlink,
    /// Netlink, or /proc where the kernel has no inet_diag.
    Auto,
}

/// The protocols `--proto` selects (with `--conntrack`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CtProtocol {
    /// tcp (6).
    Tcp,
    /// udp (17).
    Udp,
    /// icmp (1).
    Icmp,
    /// icmpv6 (58).
    Icmpv6,
    /// Anything else (sctp, gre, udplite, dccp, ...).
    Other,
}

impl From<CtProtocol> for Protocol {
    fn from(protocol: CtProtocol) -> Protocol {
        match protocol {
            CtProtocol::Tcp => Protocol::Tcp,
            CtProtocol::Udp => Protocol::Udp,
            CtProtocol::Icmp => Protocol::Icmp,
            CtProtocol::Icmpv6 => Protocol::Icmpv6,
            CtProtocol::Other => Protocol::Other,
        }
    }
}

/// `--state`'s list, read both ways: as socket states and as conntrack
/// states; which one applies depends on `--conntrack` (checked in
/// [`Cli::parse_args`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateArg {
    /// As socket states.
    pub tcp: Result<StateSet, String>,
    /// As conntrack states.
    pub ct: Result<CtStateSet, String>,
}

impl StateArg {
    /// Accepts a list that is valid in either reading.
    pub fn parse(list: &str) -> Result<StateArg, String> {
        let arg = StateArg {
            tcp: StateSet::parse(list).map_err(|e| e.to_string()),
            ct: CtStateSet::parse(list).map_err(|_| ct_states_error(list)),
        };
        match (&arg.tcp, &arg.ct) {
            (Err(tcp), Err(_)) => Err(format!("{tcp}; with --conntrack: {}", ct_state_names())),
            _ => Ok(arg),
        }
    }
}

fn ct_states_error(list: &str) -> String {
    format!(
        "--state {list}: not a conntrack state; {}",
        ct_state_names()
    )
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
/// With --conntrack, counts the netfilter connection-tracking table instead
/// (per conntrack state, protocol and flag, with its fill level).
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

    /// Only IPv4 sockets (with --conntrack: entries).
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,

    /// Only IPv6 sockets, IPv4-mapped ones included (with --conntrack:
    /// entries).
    #[arg(short = '6')]
    pub ipv6: bool,

    /// Only these states, comma-separated; kernel or ss names
    /// (time_wait, time-wait, estab, listening, ...). A state given twice
    /// counts once. With --conntrack, conntrack state names (established,
    /// syn_sent, time_wait, offload, hw_offload, ...): only TCP entries in
    /// those states are counted.
    #[arg(short, long, value_name = "LIST", value_parser = StateArg::parse)]
    pub state: Option<StateArg>,

    /// Only these local ports and ranges (80,443,8000-8080).
    #[arg(long, value_name = "LIST", value_parser = PortList::parse, conflicts_with = "conntrack")]
    pub lport: Option<PortList>,

    /// Only these remote ports and ranges.
    #[arg(long, value_name = "LIST", value_parser = PortList::parse, conflicts_with = "conntrack")]
    pub rport: Option<PortList>,

    /// Only local addresses in this prefix (10.0.0.0/8, ::1); an IPv4 prefix
    /// also matches IPv4-mapped IPv6 addresses.
    #[arg(long, value_name = "CIDR", value_parser = Cidr::parse, conflicts_with = "conntrack")]
    pub laddr: Option<Cidr>,

    /// Only remote addresses in this prefix.
    #[arg(long, value_name = "CIDR", value_parser = Cidr::parse, conflicts_with = "conntrack")]
    pub raddr: Option<Cidr>,

    /// Count the netfilter connection-tracking table instead of sockets:
    /// /proc/net/nf_conntrack (or the legacy /proc/net/ip_conntrack), with
    /// nf_conntrack_count, nf_conntrack_max and /proc/net/stat/nf_conntrack;
    /// or the FILEs, captured tables in that format. Reading the live table
    /// needs root (the file is mode 0440 root).
    #[arg(long)]
    pub conntrack: bool,

    // These four mirror --lport/--rport/--laddr/--raddr in shape only (other
    // fields, `requires` not `conflicts_with`): one clap declaration each.
    /// With --conntrack: only entries whose original source port (sport=) is
    /// in this list (80,443,8000-8080).
    #[arg(long, value_name = "LIST", value_parser = PortList::parse, requires = "conntrack")]
    pub sport: Option<PortList>,

    /// With --conntrack: only entries whose original destination port
    /// (dport=) is in this list.
    #[arg(long, value_name = "LIST", value_parser = PortList::parse, requires = "conntrack")]
    pub dport: Option<PortList>,

    /// With --conntrack: only entries whose original source address (src=)
    /// is in this prefix.
    #[arg(long, value_name = "CIDR", value_parser = Cidr::parse, requires = "conntrack")]
    pub src: Option<Cidr>,

    /// With --conntrack: only entries whose original destination address
    /// (dst=) is in this prefix.
    #[arg(long, value_name = "CIDR", value_parser = Cidr::parse, requires = "conntrack")]
    pub dst: Option<Cidr>,

    /// With --conntrack: only entries of this protocol.
    #[arg(long, value_enum, value_name = "PROTOCOL", requires = "conntrack")]
    pub proto: Option<CtProtocol>,

    /// One row per local or remote port with its per-state counts (not with
    /// --listeners).
    #[arg(long, value_enum, value_name = "SIDE", conflicts_with_all = ["listeners", "conntrack"])]
    pub per_port: Option<PortSide>,

    /// One row per listening port: accept queue now and established
    /// connections (not with --per-port).
    #[arg(long, conflicts_with = "conntrack")]
    pub listeners: bool,

    /// Who holds the connections: the N keys with the most counted sockets
    /// (those the filters and -4/-6 let through). KEY is raddr, laddr, rport
    /// or lport; with --conntrack src, dst, sport or dport (the original
    /// tuple: for a router, which LAN host holds the table); /PREFIX groups
    /// addresses: /0 to /32 groups IPv4 by that
    /// prefix and IPv6 by /64, /33 to /128 groups IPv6 by that prefix and
    /// keeps IPv4 whole, /V4,V6 (raddr/24,48) sets both; IPv4-mapped IPv6
    /// addresses count as IPv4; N defaults to 10. Fixed memory (1024 keys):
    /// exact while the distinct keys fit, otherwise each count is shown with
    /// its maximum overestimate. Not with --per-port or --listeners.
    #[arg(long, value_name = "KEY[/PREFIX][:N]", value_parser = parse_top,
          conflicts_with_all = ["per_port", "listeners"])]
    pub top: Option<KeySpec>,

    /// Also show the kernel's TCP counters (Tcp in /proc/net/snmp, TcpExt in
    /// /proc/net/netstat, of --pid's or --proc's namespace), with per-second
    /// rates since the previous sample when repeating. With --listeners,
    /// TcpExt ListenOverflows says whether an accept queue really
    /// overflowed. Not with FILEs or check mode.
    #[arg(long, conflicts_with_all = ["files", "warn", "crit"])]
    pub counters: bool,

    /// Repeat every SECONDS (decimals allowed); each sample carries its time.
    #[arg(short, long, value_name = "SECONDS", value_parser = interval::parse)]
    pub interval: Option<Duration>,

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
    /// (time_wait=5000,total=20000; keys are states, total and unknown; with
    /// --conntrack conntrack states, total and fill, the percentage of
    /// nf_conntrack_max: fill=80; with --top, top: one key holding more than
    /// the figure, judged on its guaranteed lower bound count - error).
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
    /// limit; with --conntrack the ctnetlink dump, as conntrack -L uses), or
    /// auto (netlink, falling back to proc where the kernel lacks it; with
    /// --pid or --proc always proc).
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
        if let Some(spec) = self.top
            && spec.field.is_conntrack() != self.conntrack
        {
            return usage(&if self.conntrack {
                format!(
                    "--top {} with --conntrack: raddr, laddr, rport and lport are socket keys; for conntrack entries use src, dst, sport or dport (the original tuple)",
                    spec.field
                )
            } else {
                format!(
                    "--top {}: src, dst, sport and dport are conntrack keys (they need --conntrack); for sockets use raddr, laddr, rport or lport",
                    spec.field
                )
            });
        }
        if self.top.is_none()
            && [&self.warn, &self.crit]
                .into_iter()
                .flatten()
                .any(Thresholds::has_top)
        {
            return usage("top=FIGURE thresholds need --top KEY (e.g. --top raddr)");
        }
        if self.conntrack {
            if let Some(Err(message)) = self.state.as_ref().map(|s| &s.ct) {
                return usage(message);
            }
            for thresholds in [&self.warn, &self.crit].into_iter().flatten() {
                if let Some(message) = thresholds.conntrack_error() {
                    return usage(message);
                }
            }
        } else {
            if let Some(Err(message)) = self.state.as_ref().map(|s| &s.tcp) {
                return usage(message);
            }
            for thresholds in [&self.warn, &self.crit].into_iter().flatten() {
                if let Some(message) = thresholds.socket_error() {
                    return usage(message);
                }
            }
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
            states: self.state.as_ref().and_then(|s| s.tcp.clone().ok()),
            local_ports: self.lport.clone(),
            remote_ports: self.rport.clone(),
            local_net: self.laddr,
            remote_net: self.raddr,
        }
    }

    /// The conntrack filter the options ask for, with `--conntrack`.
    pub fn ct_filter(&self) -> Option<CtFilter> {
        self.conntrack.then(|| CtFilter {
            family: match (self.ipv4, self.ipv6) {
                (true, false) => Some(Family::Ipv4),
                (false, true) => Some(Family::Ipv6),
                _ => None,
            },
            states: self.state.as_ref().and_then(|s| s.ct.clone().ok()),
            protocol: self.proto.map(Into::into),
            src_ports: self.sport.clone(),
            dst_ports: self.dport.clone(),
            src_net: self.src,
            dst_net: self.dst,
        })
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

    /// The directory `--counters` reads `snmp` and `netstat` from:
    /// `ROOT/net` or `ROOT/PID/net` (with netlink, this namespace's).
    pub fn counters_dir(&self) -> Option<PathBuf> {
        let root = self.proc.clone().unwrap_or_else(|| PathBuf::from("/proc"));
        self.counters.then(|| match self.pid {
            Some(pid) => root.join(pid.to_string()).join("net"),
            None => root.join("net"),
        })
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

fn parse_top(text: &str) -> Result<KeySpec, String> {
    text.parse().map_err(|e: KeySpecError| e.to_string())
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
            ("--top raddr --warn top=5", true, true),
            ("--warn top=5", false, true),
            ("--top src", false, false),
            ("--top raddr/24:3 -s estab -4", true, false),
            ("--top raddr --per-port local", false, false),
            ("--top lport --listeners", false, false),
            ("--top lport/8", false, false),
            ("--counters --warn total=1", false, true),
            ("--counters a", false, false),
            ("--counters --listeners -i 1", true, false),
            ("--conntrack --top src/24:5", true, false),
            ("--conntrack --top raddr", false, false),
            ("--conntrack --top dport --warn top=100", true, true),
            ("--conntrack --warn top=100", false, true),
            ("--conntrack --warn fill=80", true, true),
            ("--conntrack --crit syn_sent2=1,hw_offload=0", true, true),
            ("--warn fill=80", false, true),
            ("--conntrack --warn listen=1", false, true),
            (
                "--conntrack -s offload,time-wait --dport 443 --src 10.0.0.0/8",
                true,
                false,
            ),
            ("--conntrack -s listen", false, false),
            ("-s offload", false, false),
            ("--conntrack --lport 80", false, false),
            ("--sport 80", false, false),
            ("--conntrack --per-port local", false, false),
            ("--conntrack --source netlink", true, false),
            ("--conntrack --source netlink --pid 1", false, false),
            ("--conntrack --source auto --pid 1", true, false),
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
    fn conntrack_filter_follows_the_options() {
        let cases = [
            ("", None),
            (
                "--conntrack",
                Some(
                    "CtFilter { family: None, states: None, protocol: None, src_ports: None, dst_ports: None, src_net: None, dst_net: None }",
                ),
            ),
            (
                "--conntrack -6 --proto udp",
                Some(
                    "CtFilter { family: Some(Ipv6), states: None, protocol: Some(Udp), src_ports: None, dst_ports: None, src_net: None, dst_net: None }",
                ),
            ),
        ];
        for (line, expected) in cases {
            let cli = parse(line).unwrap_or_else(|r| panic!("{line:?}: {}", r.error));
            assert_eq!(
                cli.ct_filter().map(|f| format!("{f:?}")).as_deref(),
                expected,
                "{line:?}"
            );
        }
        let cli = parse("--conntrack -s time-wait,offload --dport 443")
            .unwrap_or_else(|r| panic!("{}", r.error));
        let filter = cli.ct_filter().unwrap();
        let states = filter.states.unwrap();
        use tcpcount_core::conntrack::CtState;
        assert!(states.contains(CtState::TimeWait) && states.contains(CtState::Offload));
        assert!(!states.contains(CtState::Established));
        assert!(filter.dst_ports.unwrap().contains(443));
        assert_eq!(
            cli.filter().states,
            None,
            "conntrack names are not socket states"
        );
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
