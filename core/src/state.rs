//! The TCP states as the kernel numbers them (`include/net/tcp_states.h`).
//! `/proc/net/tcp` prints the state as the two hex digits of that number, so
//! [`TcpState`] is `#[repr(u8)]` with the kernel's codes and its names without
//! the `TCP_` prefix. Codes outside 0x01..=0x0B are not an error: the parser
//! counts them as unknown, since a newer kernel may add states.

use core::fmt;

/// A TCP state, with the kernel's code as its discriminant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u8)]
pub enum TcpState {
    /// `TCP_ESTABLISHED` (0x01)
    Established = 0x01,
    /// `TCP_SYN_SENT` (0x02)
    SynSent = 0x02,
    /// `TCP_SYN_RECV` (0x03)
    SynRecv = 0x03,
    /// `TCP_FIN_WAIT1` (0x04)
    FinWait1 = 0x04,
    /// `TCP_FIN_WAIT2` (0x05)
    FinWait2 = 0x05,
    /// `TCP_TIME_WAIT` (0x06)
    TimeWait = 0x06,
    /// `TCP_CLOSE` (0x07)
    Close = 0x07,
    /// `TCP_CLOSE_WAIT` (0x08)
    CloseWait = 0x08,
    /// `TCP_LAST_ACK` (0x09)
    LastAck = 0x09,
    /// `TCP_LISTEN` (0x0A)
    Listen = 0x0A,
    /// `TCP_CLOSING` (0x0B)
    Closing = 0x0B,
}

impl TcpState {
    /// How many states there are: the codes run from 0x01 to this, with no
    /// gap.
    pub const COUNT: usize = TcpState::Closing as usize;

    /// Every state, in the kernel's order.
    pub const ALL: [TcpState; TcpState::COUNT] = [
        TcpState::Established,
        TcpState::SynSent,
        TcpState::SynRecv,
        TcpState::FinWait1,
        TcpState::FinWait2,
        TcpState::TimeWait,
        TcpState::Close,
        TcpState::CloseWait,
        TcpState::LastAck,
        TcpState::Listen,
        TcpState::Closing,
    ];

    /// The state with this kernel code, or `None` for a code this crate does
    /// not know.
    pub const fn from_code(code: u8) -> Option<TcpState> {
        match code {
            0x01 => Some(TcpState::Established),
            0x02 => Some(TcpState::SynSent),
            0x03 => Some(TcpState::SynRecv),
            0x04 => Some(TcpState::FinWait1),
            0x05 => Some(TcpState::FinWait2),
            0x06 => Some(TcpState::TimeWait),
            0x07 => Some(TcpState::Close),
            0x08 => Some(TcpState::CloseWait),
            0x09 => Some(TcpState::LastAck),
            0x0A => Some(TcpState::Listen),
            0x0B => Some(TcpState::Closing),
            _ => None,
        }
    }

    /// The state named `name`, case-insensitively, with `-` and `_` alike:
    /// the kernel's names (`TIME_WAIT`, `FIN_WAIT1`) and the names `ss` and
    /// netstat use (`time-wait`, `estab`, `fin-wait-1`, `syn-recv`,
    /// `listening`, `unconn` for `CLOSE`).
    pub fn from_name(name: &str) -> Option<TcpState> {
        const ALIASES: [(&str, TcpState); 6] = [
            ("estab", TcpState::Established),
            ("fin_wait_1", TcpState::FinWait1),
            ("fin_wait_2", TcpState::FinWait2),
            ("listening", TcpState::Listen),
            ("unconn", TcpState::Close),
            ("closed", TcpState::Close),
        ];
        let same = |candidate: &str| {
            name.len() == candidate.len()
                && name.bytes().zip(candidate.bytes()).all(|(a, b)| {
                    let a = if a == b'-' {
                        b'_'
                    } else {
                        a.to_ascii_lowercase()
                    };
                    a == b.to_ascii_lowercase()
                })
        };
        TcpState::ALL
            .into_iter()
            .find(|state| same(state.name()))
            .or_else(|| {
                ALIASES
                    .iter()
                    .find(|(alias, _)| same(alias))
                    .map(|&(_, s)| s)
            })
    }

    /// The kernel's code for this state.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The kernel's name for this state, without the `TCP_` prefix
    /// (`"ESTABLISHED"`, `"TIME_WAIT"`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            TcpState::Established => "ESTABLISHED",
            TcpState::SynSent => "SYN_SENT",
            TcpState::SynRecv => "SYN_RECV",
            TcpState::FinWait1 => "FIN_WAIT1",
            TcpState::FinWait2 => "FIN_WAIT2",
            TcpState::TimeWait => "TIME_WAIT",
            TcpState::Close => "CLOSE",
            TcpState::CloseWait => "CLOSE_WAIT",
            TcpState::LastAck => "LAST_ACK",
            TcpState::Listen => "LISTEN",
            TcpState::Closing => "CLOSING",
        }
    }
}

impl fmt::Display for TcpState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn codes_round_trip_in_kernel_order() {
        for (i, state) in TcpState::ALL.iter().enumerate() {
            assert_eq!(usize::from(state.code()), i + 1);
            assert_eq!(TcpState::from_code(state.code()), Some(*state));
        }
    }

    #[test]
    fn codes_outside_the_table_are_unknown() {
        for code in [0x00, 0x0C, 0x0D, 0x10, 0xFF] {
            assert_eq!(TcpState::from_code(code), None);
        }
    }

    #[test]
    fn names_parse_in_kernel_and_ss_spellings() {
        let cases = [
            ("ESTABLISHED", TcpState::Established),
            ("established", TcpState::Established),
            ("estab", TcpState::Established),
            ("time_wait", TcpState::TimeWait),
            ("time-wait", TcpState::TimeWait),
            ("Time-Wait", TcpState::TimeWait),
            ("fin-wait-1", TcpState::FinWait1),
            ("fin_wait2", TcpState::FinWait2),
            ("syn-recv", TcpState::SynRecv),
            ("listening", TcpState::Listen),
            ("unconn", TcpState::Close),
            ("close-wait", TcpState::CloseWait),
        ];
        for (name, state) in cases {
            assert_eq!(TcpState::from_name(name), Some(state), "{name}");
        }
        for name in ["", "est", "time wait", "timewait", "established "] {
            assert_eq!(TcpState::from_name(name), None, "{name:?}");
        }
    }

    #[test]
    fn names_are_the_kernels() {
        assert_eq!(TcpState::Established.name(), "ESTABLISHED");
        assert_eq!(TcpState::FinWait1.name(), "FIN_WAIT1");
        assert_eq!(TcpState::CloseWait.name(), "CLOSE_WAIT");
        assert_eq!(TcpState::Closing.name(), "CLOSING");
    }
}
