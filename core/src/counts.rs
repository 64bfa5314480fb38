//! Per-state socket counts: a fixed array indexed by the kernel's state code,
//! plus one `unknown` bucket for codes a newer kernel might add. Every count
//! saturates at `u32::MAX` instead of wrapping, and two `Counts` merge with
//! `+=` (as for the IPv4 and IPv6 tables of one machine).

use core::ops::AddAssign;

use crate::state::TcpState;

/// How many sockets are in each state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Counts {
    /// Indexed by `code - 1`, in the order of [`TcpState::ALL`].
    by_state: [u32; TcpState::COUNT],
    unknown: u32,
}

impl Counts {
    /// All zero.
    pub const fn new() -> Counts {
        Counts {
            by_state: [0; TcpState::COUNT],
            unknown: 0,
        }
    }

    /// Counts one socket whose state has this kernel code; a code outside
    /// 0x01..=0x0B goes to [`Counts::unknown`].
    pub fn add_code(&mut self, code: u8) {
        let slot = match self.by_state.get_mut(usize::from(code).wrapping_sub(1)) {
            Some(slot) => slot,
            None => &mut self.unknown,
        };
        *slot = slot.saturating_add(1);
    }

    /// The number of sockets in `state`.
    pub fn get(&self, state: TcpState) -> u32 {
        self.by_state
            .get(usize::from(state.code()) - 1)
            .copied()
            .unwrap_or(0)
    }

    /// The number of sockets whose state code this crate does not know.
    pub fn unknown(&self) -> u32 {
        self.unknown
    }

    /// All sockets, unknown states included (saturating).
    pub fn total(&self) -> u32 {
        self.by_state
            .iter()
            .fold(self.unknown, |sum, n| sum.saturating_add(*n))
    }

    /// Every known state with its count, zeros included, in the kernel's order.
    pub fn iter(&self) -> impl Iterator<Item = (TcpState, u32)> + '_ {
        TcpState::ALL
            .iter()
            .zip(self.by_state.iter())
            .map(|(s, n)| (*s, *n))
    }
}

impl AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        for (mine, theirs) in self.by_state.iter_mut().zip(other.by_state) {
            *mine = mine.saturating_add(theirs);
        }
        self.unknown = self.unknown.saturating_add(other.unknown);
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn each_code_lands_in_its_state() {
        for state in TcpState::ALL {
            let mut counts = Counts::new();
            counts.add_code(state.code());
            assert_eq!(counts.get(state), 1);
            assert_eq!(counts.total(), 1);
            assert_eq!(counts.unknown(), 0);
        }
    }

    #[test]
    fn unknown_codes_are_counted_not_dropped() {
        let mut counts = Counts::new();
        for code in [0x00, 0x0C, 0x0D, 0xFF] {
            counts.add_code(code);
        }
        assert_eq!(counts.unknown(), 4);
        assert_eq!(counts.total(), 4);
        assert!(counts.iter().all(|(_, n)| n == 0));
    }

    #[test]
    fn counts_saturate_instead_of_wrapping() {
        let mut big = Counts::new();
        big.by_state = [u32::MAX; TcpState::COUNT];
        big.unknown = u32::MAX;
        big.add_code(0x01);
        big.add_code(0x00);
        assert_eq!(big.get(TcpState::Established), u32::MAX);
        assert_eq!(big.unknown(), u32::MAX);
        assert_eq!(big.total(), u32::MAX);
        let mut sum = big;
        sum += big;
        assert_eq!(sum, big);
    }

    #[test]
    fn merge_adds_state_by_state() {
        let mut v4 = Counts::new();
        v4.add_code(0x01);
        v4.add_code(0x0A);
        let mut v6 = Counts::new();
        v6.add_code(0x01);
        v6.add_code(0x42);
        v4 += v6;
        assert_eq!(v4.get(TcpState::Established), 2);
        assert_eq!(v4.get(TcpState::Listen), 1);
        assert_eq!(v4.unknown(), 1);
        assert_eq!(v4.total(), 4);
    }

    #[test]
    fn iter_lists_every_state_in_kernel_order() {
        let names: [&str; TcpState::COUNT] = [
            "ESTABLISHED",
            "SYN_SENT",
            "SYN_RECV",
            "FIN_WAIT1",
            "FIN_WAIT2",
            "TIME_WAIT",
            "CLOSE",
            "CLOSE_WAIT",
            "LAST_ACK",
            "LISTEN",
            "CLOSING",
        ];
        let counts = Counts::new();
        assert_eq!(counts.iter().count(), TcpState::COUNT);
        for ((state, n), name) in counts.iter().zip(names) {
            assert_eq!(state.name(), name);
            assert_eq!(n, 0);
        }
    }
}
