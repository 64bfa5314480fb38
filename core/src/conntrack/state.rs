//! What a conntrack entry is counted as. [`CtState`] lists the TCP conntrack
//! states in the kernel's order (`enum tcp_conntrack`, printed by
//! `tcp_print_conntrack` from `tcp_conntrack_names`), then three buckets the
//! kernel does not number: `OFFLOAD` and `HW_OFFLOAD` for flows handed to a
//! flowtable (printed with neither timeout nor state) and `UNKNOWN` for a
//! state word this crate does not know. [`Protocol`] is the layer-4 bucket of
//! an entry of any protocol.

use core::fmt;

/// The bucket a TCP conntrack entry is counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u8)]
pub enum CtState {
    /// `NONE` (`TCP_CONNTRACK_NONE`, 0)
    None = 0,
    /// `SYN_SENT` (1)
    SynSent = 1,
    /// `SYN_RECV` (2)
    SynRecv = 2,
    /// `ESTABLISHED` (3)
    Established = 3,
    /// `FIN_WAIT` (4)
    FinWait = 4,
    /// `CLOSE_WAIT` (5)
    CloseWait = 5,
    /// `LAST_ACK` (6)
    LastAck = 6,
    /// `TIME_WAIT` (7)
    TimeWait = 7,
    /// `CLOSE` (8)
    Close = 8,
    /// `SYN_SENT2` (9): a simultaneous open.
    SynSent2 = 9,
    /// `[OFFLOAD]`: a flow in a software flowtable (no timeout, no state).
    Offload = 10,
    /// `[HW_OFFLOAD]`: a flow offloaded to hardware.
    HwOffload = 11,
    /// A state word this crate does not know (an older kernel's `LISTEN`,
    /// or a newer kernel's addition).
    Unknown = 12,
}

impl CtState {
    /// How many buckets there are.
    pub const COUNT: usize = 13;

    /// Every bucket, in the order above (the kernel's states first).
    pub const ALL: [CtState; CtState::COUNT] = [
        CtState::None,
        CtState::SynSent,
        CtState::SynRecv,
        CtState::Established,
        CtState::FinWait,
        CtState::CloseWait,
        CtState::LastAck,
        CtState::TimeWait,
        CtState::Close,
        CtState::SynSent2,
        CtState::Offload,
        CtState::HwOffload,
        CtState::Unknown,
    ];

    /// The bucket for a state word exactly as the kernel prints it; any other
    /// word is [`CtState::Unknown`].
    #[inline]
    pub fn from_word(word: &[u8]) -> CtState {
        // By length first: at most four comparisons.
        let candidates: &[CtState] = match word.len() {
            11 => &[CtState::Established],
            9 => &[CtState::TimeWait, CtState::SynSent2],
            8 => &[
                CtState::SynSent,
                CtState::SynRecv,
                CtState::FinWait,
                CtState::LastAck,
            ],
            10 => &[CtState::CloseWait],
            5 => &[CtState::Close],
            4 => &[CtState::None],
            _ => &[],
        };
        candidates
            .iter()
            .copied()
            .find(|state| super::row::same(state.name().as_bytes(), word))
            .unwrap_or(CtState::Unknown)
    }

    /// The bucket named `name`, case-insensitively, with `-` and `_` alike
    /// (`time-wait`, `HW_OFFLOAD`, `unknown`).
    pub fn from_name(name: &str) -> Option<CtState> {
        CtState::ALL.into_iter().find(|state| {
            let want = state.name();
            name.len() == want.len()
                && name.bytes().zip(want.bytes()).all(|(a, b)| {
                    let a = if a == b'-' {
                        b'_'
                    } else {
                        a.to_ascii_uppercase()
                    };
                    a == b
                })
        })
    }

    /// The position of this bucket in [`CtState::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The kernel's word (`"TIME_WAIT"`), or `"OFFLOAD"`, `"HW_OFFLOAD"`,
    /// `"UNKNOWN"`.
    pub const fn name(self) -> &'static str {
        match self {
            CtState::None => "NONE",
            CtState::SynSent => "SYN_SENT",
            CtState::SynRecv => "SYN_RECV",
            CtState::Established => "ESTABLISHED",
            CtState::FinWait => "FIN_WAIT",
            CtState::CloseWait => "CLOSE_WAIT",
            CtState::LastAck => "LAST_ACK",
            CtState::TimeWait => "TIME_WAIT",
            CtState::Close => "CLOSE",
            CtState::SynSent2 => "SYN_SENT2",
            CtState::Offload => "OFFLOAD",
            CtState::HwOffload => "HW_OFFLOAD",
            CtState::Unknown => "UNKNOWN",
        }
    }
}

impl fmt::Display for CtState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// The layer-4 protocol bucket of an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u8)]
pub enum Protocol {
    /// tcp (6)
    Tcp = 0,
    /// udp (17)
    Udp = 1,
    /// icmp (1)
    Icmp = 2,
    /// icmpv6 (58)
    Icmpv6 = 3,
    /// Anything else: sctp, gre, udplite, dccp, or a protocol the kernel
    /// prints as `unknown`.
    Other = 4,
}

impl Protocol {
    /// How many buckets there are.
    pub const COUNT: usize = 5;

    /// Every bucket.
    pub const ALL: [Protocol; Protocol::COUNT] = [
        Protocol::Tcp,
        Protocol::Udp,
        Protocol::Icmp,
        Protocol::Icmpv6,
        Protocol::Other,
    ];

    /// The bucket of an IP protocol number.
    pub const fn from_number(number: u8) -> Protocol {
        match number {
            6 => Protocol::Tcp,
            17 => Protocol::Udp,
            1 => Protocol::Icmp,
            58 => Protocol::Icmpv6,
            _ => Protocol::Other,
        }
    }

    /// The position of this bucket in [`Protocol::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The kernel's name (`"tcp"`), or `"other"`.
    pub const fn name(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
            Protocol::Icmpv6 => "icmpv6",
            Protocol::Other => "other",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_words_and_names_round_trip() {
        for state in CtState::ALL {
            assert_eq!(CtState::ALL[state.index()], state);
            assert_eq!(CtState::from_name(state.name()), Some(state));
            let expected = match state {
                CtState::Offload | CtState::HwOffload => CtState::Unknown,
                s => s,
            };
            assert_eq!(CtState::from_word(state.name().as_bytes()), expected);
        }
    }

    #[test]
    fn test_unknown_words_and_names() {
        for word in [
            &b"LISTEN"[..],
            b"",
            b"established",
            b"TIME_WAIT ",
            b"SYN_SENT3",
        ] {
            assert_eq!(CtState::from_word(word), CtState::Unknown, "{word:?}");
        }
        assert_eq!(CtState::from_name("time-wait"), Some(CtState::TimeWait));
        assert_eq!(CtState::from_name("hw-offload"), Some(CtState::HwOffload));
        assert_eq!(CtState::from_name("syn_sent2"), Some(CtState::SynSent2));
        for name in ["", "estab", "time wait", "TIME_WAIT2"] {
            assert_eq!(CtState::from_name(name), None, "{name:?}");
        }
    }

    #[test]
    fn test_protocol_numbers() {
        let cases = [
            (6, Protocol::Tcp),
            (17, Protocol::Udp),
            (1, Protocol::Icmp),
            (58, Protocol::Icmpv6),
            (47, Protocol::Other),
            (132, Protocol::Other),
            (0, Protocol::Other),
        ];
        for (number, protocol) in cases {
            assert_eq!(Protocol::from_number(number), protocol);
            assert_eq!(Protocol::ALL[protocol.index()], protocol);
        }
    }
}
