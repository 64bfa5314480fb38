//! Conntrack counts per family: TCP entries per [`CtState`] bucket, entries
//! per [`Protocol`], and how many entries are `[UNREPLIED]` and `[ASSURED]`
//! (any protocol). Fixed arrays, saturating at `u32::MAX`, merged with `+=`.

use core::ops::AddAssign;

use super::row::Entry;
use super::state::{CtState, Protocol};
use crate::Family;

/// The counts of one family.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FamilyCounts {
    states: [u32; CtState::COUNT],
    protocols: [u32; Protocol::COUNT],
    unreplied: u32,
    assured: u32,
}

/// Adds `by` (0 or 1) to a count, saturating.
#[cfg_attr(not(tcpcount_small), inline(always))]
fn bump(slot: Option<&mut u32>, by: u32) {
    if let Some(n) = slot {
        *n = n.saturating_add(by);
    }
}

impl FamilyCounts {
    /// All zero.
    pub const fn new() -> FamilyCounts {
        FamilyCounts {
            states: [0; CtState::COUNT],
            protocols: [0; Protocol::COUNT],
            unreplied: 0,
            assured: 0,
        }
    }

    /// Counts one entry. Without a branch on what the entry holds (in a
    /// table of mixed lines each such branch is a coin toss for the CPU's
    /// predictor): a state-less entry adds 0 to the first bucket, a flag
    /// adds 0 or 1.
    #[inline]
    pub fn add(&mut self, entry: &Entry) {
        let state = entry.state();
        bump(
            self.states.get_mut(state.map_or(0, CtState::index)),
            u32::from(state.is_some()),
        );
        bump(self.protocols.get_mut(entry.protocol().index()), 1);
        bump(Some(&mut self.unreplied), u32::from(entry.unreplied()));
        bump(Some(&mut self.assured), u32::from(entry.assured()));
    }

    /// TCP entries in `state`.
    pub fn get(&self, state: CtState) -> u32 {
        self.states.get(state.index()).copied().unwrap_or(0)
    }

    /// TCP entries in every bucket, zeros included, in [`CtState::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (CtState, u32)> + '_ {
        CtState::ALL
            .iter()
            .copied()
            .zip(self.states.iter().copied())
    }

    /// All TCP entries (the sum of the state buckets).
    pub fn tcp_total(&self) -> u32 {
        self.states
            .iter()
            .fold(0u32, |sum, n| sum.saturating_add(*n))
    }

    /// Entries of `protocol`.
    pub fn protocol(&self, protocol: Protocol) -> u32 {
        self.protocols.get(protocol.index()).copied().unwrap_or(0)
    }

    /// Entries of every protocol bucket, in [`Protocol::ALL`] order.
    pub fn protocols(&self) -> impl Iterator<Item = (Protocol, u32)> + '_ {
        Protocol::ALL
            .iter()
            .copied()
            .zip(self.protocols.iter().copied())
    }

    /// All entries, any protocol.
    pub fn entries(&self) -> u32 {
        self.protocols
            .iter()
            .fold(0u32, |sum, n| sum.saturating_add(*n))
    }

    /// Entries flagged `[UNREPLIED]`, any protocol.
    pub fn unreplied(&self) -> u32 {
        self.unreplied
    }

    /// Entries flagged `[ASSURED]`, any protocol.
    pub fn assured(&self) -> u32 {
        self.assured
    }
}

impl AddAssign for FamilyCounts {
    fn add_assign(&mut self, other: FamilyCounts) {
        for (mine, theirs) in self.states.iter_mut().zip(other.states) {
            *mine = mine.saturating_add(theirs);
        }
        for (mine, theirs) in self.protocols.iter_mut().zip(other.protocols) {
            *mine = mine.saturating_add(theirs);
        }
        self.unreplied = self.unreplied.saturating_add(other.unreplied);
        self.assured = self.assured.saturating_add(other.assured);
    }
}

/// The counts of a whole table, IPv4 and IPv6 apart.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CtCounts {
    ipv4: FamilyCounts,
    ipv6: FamilyCounts,
}

impl CtCounts {
    /// All zero.
    pub const fn new() -> CtCounts {
        CtCounts {
            ipv4: FamilyCounts::new(),
            ipv6: FamilyCounts::new(),
        }
    }

    /// Counts one entry in its family (a pointer chosen, not a branch).
    #[inline]
    pub fn add(&mut self, entry: &Entry) {
        let counts = match entry.family() {
            Family::Ipv4 => &mut self.ipv4,
            Family::Ipv6 => &mut self.ipv6,
        };
        counts.add(entry);
    }

    /// The counts of one family.
    pub fn family(&self, family: Family) -> &FamilyCounts {
        match family {
            Family::Ipv4 => &self.ipv4,
            Family::Ipv6 => &self.ipv6,
        }
    }

    /// Both families added.
    pub fn total(&self) -> FamilyCounts {
        let mut sum = self.ipv4;
        sum += self.ipv6;
        sum
    }
}

impl AddAssign for CtCounts {
    fn add_assign(&mut self, other: CtCounts) {
        self.ipv4 += other.ipv4;
        self.ipv6 += other.ipv6;
    }
}

#[cfg(test)]
mod test {
    use super::*;

    const V4: &[u8] = b"ipv4     2 tcp      6 431999 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 [ASSURED] mark=0 use=2";
    const V6_UDP: &[u8] = b"ipv6     10 udp      17 29 src=0000:0000:0000:0000:0000:0000:0000:0001 dst=0000:0000:0000:0000:0000:0000:0000:0001 sport=1 dport=2 [UNREPLIED] src=0000:0000:0000:0000:0000:0000:0000:0001 dst=0000:0000:0000:0000:0000:0000:0000:0001 sport=2 dport=1 mark=0 use=2";

    #[test]
    fn test_counts_by_family_state_protocol_and_flag() {
        let mut counts = CtCounts::new();
        counts.add(&Entry::parse(V4).unwrap());
        counts.add(&Entry::parse(V6_UDP).unwrap());
        let v4 = counts.family(Family::Ipv4);
        assert_eq!(v4.get(CtState::Established), 1);
        assert_eq!(
            (v4.tcp_total(), v4.entries(), v4.assured(), v4.unreplied()),
            (1, 1, 1, 0)
        );
        let v6 = counts.family(Family::Ipv6);
        assert_eq!(
            (v6.tcp_total(), v6.entries(), v6.assured(), v6.unreplied()),
            (0, 1, 0, 1)
        );
        assert_eq!(v6.protocol(Protocol::Udp), 1);
        let total = counts.total();
        assert_eq!((total.tcp_total(), total.entries()), (1, 2));
        assert_eq!(total.iter().count(), CtState::COUNT);
        assert_eq!(total.protocols().map(|(_, n)| n).sum::<u32>(), 2);
    }

    #[test]
    fn test_counts_saturate() {
        let entry = Entry::parse(V4).unwrap();
        let mut big = FamilyCounts::new();
        big.states = [u32::MAX; CtState::COUNT];
        big.protocols = [u32::MAX; Protocol::COUNT];
        big.assured = u32::MAX;
        big.add(&entry);
        assert_eq!(big.get(CtState::Established), u32::MAX);
        assert_eq!(big.tcp_total(), u32::MAX);
        assert_eq!(big.entries(), u32::MAX);
        let mut sum = big;
        sum += big;
        assert_eq!(sum, big);
    }
}
