//! Which conntrack entries to count: the family (`-4`/`-6`), the TCP
//! buckets (`--state` with conntrack names), the protocols, and the original
//! tuple's ports and addresses, reusing the socket filter's [`PortList`] and
//! [`Cidr`] (and their command-line spellings). `None` restricts nothing. An
//! entry without ports never matches a port list; a state set matches only
//! TCP entries.

use crate::Family;
use crate::filter::{Cidr, FilterError, PortList};

use super::row::Entry;
use super::state::{CtState, Protocol};

/// A set of [`CtState`] buckets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CtStateSet(u16);

impl CtStateSet {
    /// The empty set.
    pub const fn new() -> CtStateSet {
        CtStateSet(0)
    }

    /// Adds `state`.
    pub fn insert(&mut self, state: CtState) {
        self.0 |= 1 << state.index();
    }

    /// Whether `state` is in the set.
    pub fn contains(&self, state: CtState) -> bool {
        self.0 & (1 << state.index()) != 0
    }

    /// A comma-separated list of names (`established,time-wait,offload`).
    pub fn parse(list: &str) -> Result<CtStateSet, FilterError> {
        let mut set = CtStateSet::new();
        for name in list.split(',') {
            set.insert(CtState::from_name(name.trim()).ok_or(FilterError::UnknownState)?);
        }
        Ok(set)
    }
}

/// What to count; the default counts every entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CtFilter {
    /// Only entries of this family.
    pub family: Option<Family>,
    /// Only TCP entries in these buckets.
    pub states: Option<CtStateSet>,
    /// Only entries of this protocol.
    pub protocol: Option<Protocol>,
    /// Only entries whose original `sport=` is in this list.
    pub src_ports: Option<PortList>,
    /// Only entries whose original `dport=` is in this list.
    pub dst_ports: Option<PortList>,
    /// Only entries whose original `src=` is in this prefix.
    pub src_net: Option<Cidr>,
    /// Only entries whose original `dst=` is in this prefix.
    pub dst_net: Option<Cidr>,
}

impl CtFilter {
    /// A filter that lets every entry through.
    pub const fn new() -> CtFilter {
        CtFilter {
            family: None,
            states: None,
            protocol: None,
            src_ports: None,
            dst_ports: None,
            src_net: None,
            dst_net: None,
        }
    }

    /// Whether the filter restricts nothing.
    pub const fn is_empty(&self) -> bool {
        self.family.is_none()
            && self.states.is_none()
            && self.protocol.is_none()
            && self.src_ports.is_none()
            && self.dst_ports.is_none()
            && self.src_net.is_none()
            && self.dst_net.is_none()
    }

    /// Whether `entry` passes every restriction.
    pub fn matches(&self, entry: &Entry) -> bool {
        let tuple = entry.original();
        let in_list = |list: &Option<PortList>, port: Option<u16>| {
            list.as_ref()
                .is_none_or(|l| port.is_some_and(|p| l.contains(p)))
        };
        self.family.is_none_or(|f| f == entry.family())
            && self
                .states
                .is_none_or(|s| entry.state().is_some_and(|st| s.contains(st)))
            && self.protocol.is_none_or(|p| p == entry.protocol())
            && in_list(&self.src_ports, tuple.sport())
            && in_list(&self.dst_ports, tuple.dport())
            && self.src_net.is_none_or(|n| n.contains(tuple.src))
            && self.dst_net.is_none_or(|n| n.contains(tuple.dst))
    }
}
