//! Which rows to count. A [`Filter`] restricts the family, the states, the
//! local and remote ports (lists of ranges) and the local and remote address
//! (one CIDR prefix each); `None` means no restriction. It is checked on a
//! parsed [`Row`](crate::Row) before the row is counted, cheapest test first. The `parse`
//! functions take the command line's spellings (`time-wait,estab`,
//! `80,443,8000-8080`, `10.0.0.0/8`), so a no_std user gets the same syntax.
//! An IPv4 prefix also matches IPv4-mapped addresses (`::ffff:a.b.c.d`) in
//! `/proc/net/tcp6`, where a dual-stack server's IPv4 clients appear.

use core::fmt;
use core::net::IpAddr;

use heapless::Vec;

use crate::{Family, TcpSocket, TcpState};

/// The most ranges one port list holds.
pub const PORT_RANGES: usize = 32;

/// What to count; the default counts every row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Filter {
    /// Only rows of this family.
    pub family: Option<Family>,
    /// Only rows in these states (unknown codes never match).
    pub states: Option<StateSet>,
    /// Only rows whose local port is in this list.
    pub local_ports: Option<PortList>,
    /// Only rows whose remote port is in this list.
    pub remote_ports: Option<PortList>,
    /// Only rows whose local address is in this prefix.
    pub local_net: Option<Cidr>,
    /// Only rows whose remote address is in this prefix.
    pub remote_net: Option<Cidr>,
}

impl Filter {
    /// A filter that lets every row through.
    pub const fn new() -> Filter {
        Filter {
            family: None,
            states: None,
            local_ports: None,
            remote_ports: None,
            local_net: None,
            remote_net: None,
        }
    }

    /// Whether the filter restricts nothing.
    pub const fn is_empty(&self) -> bool {
        self.family.is_none()
            && self.states.is_none()
            && self.local_ports.is_none()
            && self.remote_ports.is_none()
            && self.local_net.is_none()
            && self.remote_net.is_none()
    }

    /// Whether `row` passes every restriction.
    pub fn matches(&self, row: &impl TcpSocket) -> bool {
        self.family.is_none_or(|f| f == row.family())
            && self
                .states
                .is_none_or(|s| s.contains_code(row.state_code()))
            && self
                .local_ports
                .as_ref()
                .is_none_or(|p| p.contains(row.local_port()))
            && self
                .remote_ports
                .as_ref()
                .is_none_or(|p| p.contains(row.remote_port()))
            && self.local_net.is_none_or(|n| n.contains(row.local_ip()))
            && self.remote_net.is_none_or(|n| n.contains(row.remote_ip()))
    }
}

/// Why a filter's text could not be understood. Each message says what is
/// wrong in the user's terms and how to write it instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum FilterError {
    /// Not a state name.
    UnknownState,
    /// `unknown` given as a state: it names sockets in states this crate does
    /// not know, which can be counted (and thresholded) but not selected.
    UnknownIsNotAState,
    /// Not a port number (0..=65535) or range `LOW-HIGH`.
    BadPort,
    /// A range `LOW-HIGH` with `LOW > HIGH`.
    ReversedRange {
        /// The first number written.
        low: u16,
        /// The second number written.
        high: u16,
    },
    /// More than [`PORT_RANGES`] ports or ranges.
    TooManyPorts,
    /// Not an address or `ADDRESS/PREFIX` with a prefix within the family.
    BadCidr,
    /// An IPv4-mapped IPv6 prefix (`::ffff:a.b.c.d/BITS`) shorter than /96:
    /// it would reach outside the mapped addresses, so it is almost surely a
    /// mistake for the IPv4 prefix `a.b.c.d/BITS`.
    MappedPrefixTooShort {
        /// The IPv4 address after `::ffff:`.
        ipv4: [u8; 4],
        /// The prefix length written.
        bits: u8,
    },
}

/// Spellings besides the kernel's names that [`TcpState::from_name`] takes,
/// shown in the error message (a test checks each one parses).
const OTHER_SPELLINGS: &str = "estab, listening, unconn, fin-wait-1";

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilterError::UnknownState => {
                f.write_str("not a TCP state; use one of ")?;
                for (i, state) in TcpState::ALL.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}")?;
                    for c in state.name().chars() {
                        let c = if c == '_' { '-' } else { c.to_ascii_lowercase() };
                        write!(f, "{c}")?;
                    }
                }
                write!(
                    f,
                    " (any case, - or _; also {OTHER_SPELLINGS})"
                )
            }
            FilterError::UnknownIsNotAState => f.write_str(
                "unknown is not a state: it counts sockets in states newer than tcpcount, which can be shown and given a --warn/--crit figure but not selected",
            ),
            FilterError::BadPort => f.write_str(
                "not a port (use numbers 0-65535 and ranges LOW-HIGH: 80,443,8000-8080)",
            ),
            FilterError::ReversedRange { low, high } => {
                write!(f, "port range {low}-{high} is reversed: write {high}-{low}")
            }
            FilterError::TooManyPorts => write!(f, "more than {PORT_RANGES} ports or ranges"),
            FilterError::BadCidr => {
                f.write_str("bad address prefix (use ADDRESS or ADDRESS/BITS: 10.0.0.0/8, ::1)")
            }
            FilterError::MappedPrefixTooShort { ipv4, bits } => {
                let [a, b, c, d] = ipv4;
                write!(
                    f,
                    "::ffff:{a}.{b}.{c}.{d}/{bits} is an IPv6 prefix reaching beyond the IPv4-mapped addresses (::ffff:0:0/96); for IPv4 addresses write {a}.{b}.{c}.{d}/{bits}, which also matches their IPv4-mapped form"
                )
            }
        }
    }
}

impl core::error::Error for FilterError {}

/// A set of known states.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StateSet {
    /// Bit `code` is set for each state in the set.
    bits: u16,
}

impl StateSet {
    /// The empty set.
    pub const fn new() -> StateSet {
        StateSet { bits: 0 }
    }

    /// Adds `state`.
    pub fn insert(&mut self, state: TcpState) {
        self.bits |= 1 << state.code();
    }

    /// Bit `code` set for each state in the set: the layout of inet_diag's
    /// `idiag_states`.
    pub fn mask(&self) -> u32 {
        u32::from(self.bits)
    }

    /// Whether the state with this code is in the set.
    pub fn contains_code(&self, code: u8) -> bool {
        TcpState::from_code(code).is_some_and(|s| self.bits & (1 << s.code()) != 0)
    }

    /// Parses a comma-separated list of state names (see
    /// [`TcpState::from_name`]).
    pub fn parse(list: &str) -> Result<StateSet, FilterError> {
        let mut set = StateSet::new();
        for name in list.split(',') {
            let name = name.trim();
            let state = match TcpState::from_name(name) {
                Some(state) => state,
                None if name.eq_ignore_ascii_case("unknown") => {
                    return Err(FilterError::UnknownIsNotAState);
                }
                None => return Err(FilterError::UnknownState),
            };
            // A state given twice is the same set: merged by design.
            set.insert(state);
        }
        Ok(set)
    }
}

/// A list of ports and inclusive port ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PortList {
    ranges: Vec<(u16, u16), PORT_RANGES>,
}

impl PortList {
    /// Whether `port` is in one of the ranges.
    pub fn contains(&self, port: u16) -> bool {
        self.ranges
            .iter()
            .any(|&(low, high)| low <= port && port <= high)
    }

    /// Parses `80,443,8000-8080`. A port or range given twice, or
    /// overlapping another, matches the same ports: accepted as written.
    pub fn parse(list: &str) -> Result<PortList, FilterError> {
        let mut ports = PortList::default();
        for item in list.split(',') {
            let item = item.trim();
            let range = match item.split_once('-') {
                Some((low, high)) => (parse_port(low)?, parse_port(high)?),
                None => (parse_port(item)?, parse_port(item)?),
            };
            if range.0 > range.1 {
                return Err(FilterError::ReversedRange {
                    low: range.0,
                    high: range.1,
                });
            }
            ports
                .ranges
                .push(range)
                .map_err(|_| FilterError::TooManyPorts)?;
        }
        Ok(ports)
    }
}

fn parse_port(text: &str) -> Result<u16, FilterError> {
    text.trim().parse().map_err(|_| FilterError::BadPort)
}

/// An address prefix such as `10.0.0.0/8` or `fe80::/10`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Cidr {
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    address: IpAddr,
    bits: u8,
}

impl Cidr {
    /// Parses `ADDRESS` (a single host) or `ADDRESS/BITS`.
    pub fn parse(text: &str) -> Result<Cidr, FilterError> {
        let (address, bits) = match text.trim().split_once('/') {
            Some((address, bits)) => (address, Some(bits)),
            None => (text.trim(), None),
        };
        let address: IpAddr = address.parse().map_err(|_| FilterError::BadCidr)?;
        let max = if address.is_ipv4() { 32 } else { 128 };
        let bits = match bits {
            Some(bits) => bits.parse().map_err(|_| FilterError::BadCidr)?,
            None => max,
        };
        if bits > max {
            return Err(FilterError::BadCidr);
        }
        if let IpAddr::V6(v6) = address
            && let Some(ipv4) = v6.to_ipv4_mapped()
            && bits < 96
        {
            return Err(FilterError::MappedPrefixTooShort {
                ipv4: ipv4.octets(),
                bits,
            });
        }
        Ok(Cidr { address, bits })
    }

    /// Whether `address` is inside the prefix. An IPv4 prefix also holds the
    /// IPv4-mapped IPv6 form of its addresses.
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.address, address) {
            (IpAddr::V4(net), IpAddr::V4(a)) => prefix_eq(
                u128::from(net.to_bits()) << 96,
                u128::from(a.to_bits()) << 96,
                self.bits,
            ),
            (IpAddr::V4(net), IpAddr::V6(a)) => a.to_ipv4_mapped().is_some_and(|a| {
                prefix_eq(
                    u128::from(net.to_bits()) << 96,
                    u128::from(a.to_bits()) << 96,
                    self.bits,
                )
            }),
            (IpAddr::V6(net), IpAddr::V6(a)) => prefix_eq(net.to_bits(), a.to_bits(), self.bits),
            (IpAddr::V6(_), IpAddr::V4(_)) => false,
        }
    }
}

/// Whether the first `bits` bits of `a` and `b` are equal.
fn prefix_eq(a: u128, b: u128, bits: u8) -> bool {
    let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
    a & mask == b & mask
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::Row;

    #[test]
    fn test_state_lists_take_kernel_and_ss_names() {
        let set = StateSet::parse("time_wait,ESTAB, listening").unwrap();
        for (code, expected) in [
            (0x06, true),
            (0x01, true),
            (0x0A, true),
            (0x08, false),
            (0x0C, false),
        ] {
            assert_eq!(set.contains_code(code), expected, "code {code:#x}");
        }
        assert_eq!(StateSet::parse("bogus"), Err(FilterError::UnknownState));
        assert_eq!(
            StateSet::parse("estab,UNKNOWN"),
            Err(FilterError::UnknownIsNotAState)
        );
        assert_eq!(StateSet::parse("estab,estab"), StateSet::parse("estab"));
        assert_eq!(StateSet::parse(""), Err(FilterError::UnknownState));
    }

    #[test]
    fn test_port_lists() {
        let ports = PortList::parse("80,443, 8000-8080").unwrap();
        for (port, expected) in [
            (80, true),
            (443, true),
            (8000, true),
            (8080, true),
            (8081, false),
            (0, false),
        ] {
            assert_eq!(ports.contains(port), expected, "port {port}");
        }
        for bad in ["", "x", "70000", "1-", "-1", "1,,2"] {
            assert_eq!(PortList::parse(bad), Err(FilterError::BadPort), "{bad:?}");
        }
        assert_eq!(
            PortList::parse("100-50"),
            Err(FilterError::ReversedRange { low: 100, high: 50 })
        );
        let many = "1,".repeat(PORT_RANGES) + "2";
        assert_eq!(PortList::parse(&many), Err(FilterError::TooManyPorts));
    }

    #[test]
    fn test_cidrs() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let cases = [
            ("10.0.0.0/8", "10.1.2.3", true),
            ("10.0.0.0/8", "11.0.0.1", false),
            ("10.0.0.0/8", "::ffff:10.9.9.9", true),
            ("10.0.0.0/8", "::ffff:11.9.9.9", false),
            ("127.0.0.1", "127.0.0.1", true),
            ("127.0.0.1", "127.0.0.2", false),
            ("0.0.0.0/0", "192.0.2.1", true),
            ("0.0.0.0/0", "::1", false),
            ("::1", "::1", true),
            ("fe80::/10", "fe80::1", true),
            ("fe80::/10", "fec0::1", false),
            ("::/0", "2001:db8::1", true),
            ("::/0", "10.0.0.1", false),
            ("::ffff:10.0.0.0/104", "::ffff:10.1.1.1", true),
            ("::ffff:10.0.0.0/104", "10.1.1.1", false),
            ("::ffff:0.0.0.0/96", "::1", false),
        ];
        for (cidr, address, expected) in cases {
            assert_eq!(
                Cidr::parse(cidr).unwrap().contains(ip(address)),
                expected,
                "{cidr} {address}"
            );
        }
        for bad in [
            "",
            "10.0.0.0/33",
            "::/129",
            "10.0.0/8",
            "host",
            "10.0.0.0/x",
        ] {
            assert_eq!(Cidr::parse(bad), Err(FilterError::BadCidr), "{bad:?}");
        }
        assert_eq!(
            Cidr::parse("::ffff:10.0.0.0/8"),
            Err(FilterError::MappedPrefixTooShort {
                ipv4: [10, 0, 0, 0],
                bits: 8
            })
        );
    }

    #[test]
    fn test_state_error_lists_every_name_that_parses() {
        let message = std::format!("{}", FilterError::UnknownState);
        for state in TcpState::ALL {
            let name = state.name().replace('_', "-").to_ascii_lowercase();
            assert!(message.contains(&name), "{name} missing: {message}");
        }
        for spelling in OTHER_SPELLINGS.split(", ") {
            assert!(TcpState::from_name(spelling).is_some(), "{spelling}");
        }
    }

    #[test]
    fn test_filter_on_rows() {
        let line = b"   0: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000";
        let row = Row::parse(line).unwrap();
        let mut filter = Filter::new();
        assert!(filter.matches(&row));
        filter.states = Some(StateSet::parse("listen").unwrap());
        assert!(!filter.matches(&row));
        filter.states = Some(StateSet::parse("estab").unwrap());
        filter.local_ports = Some(PortList::parse("8080").unwrap());
        assert!(filter.matches(&row));
        filter.remote_ports = Some(PortList::parse("1-1024").unwrap());
        assert!(!filter.matches(&row));
        filter.remote_ports = None;
        filter.family = Some(Family::Ipv6);
        assert!(!filter.matches(&row));
        filter.family = Some(Family::Ipv4);
        if cfg!(target_endian = "little") {
            filter.local_net = Some(Cidr::parse("127.0.0.0/8").unwrap());
            assert!(filter.matches(&row));
            filter.remote_net = Some(Cidr::parse("10.0.0.0/8").unwrap());
            assert!(!filter.matches(&row));
        }
    }
}
