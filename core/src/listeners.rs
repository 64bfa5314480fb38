//! The "is my server's accept queue filling up" view: one entry per listening
//! port and family with how many sockets listen there, their accept queue now
//! (the `rx_queue` of a `LISTEN` row is the kernel's current backlog of
//! connections waiting for `accept()`), and how many `ESTABLISHED` rows have
//! that local port. The kernel lists a table's listeners before its other
//! sockets, so one pass suffices; an `ESTABLISHED` row met before its
//! listener (not kernel order) is not matched. A `SO_REUSEPORT` group (several
//! sockets listening on one port) is one entry whose queue and backlog limit
//! are both summed over its sockets, so the queue is always compared with the
//! limit of the same sockets. The backlog limit is not in /proc and is not
//! reported from it. Capacity is fixed (`N`, a power of two);
//! listeners past it are counted in [`Listeners::left_out`].

use heapless::index_map::FnvIndexMap;

use crate::{Family, TcpSocket, TcpState};

/// The default capacity of [`Listeners`].
pub const LISTENER_CAPACITY: usize = 256;

/// What is known of one listening port.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Listener {
    /// Listening sockets on this port (several with `SO_REUSEPORT` or
    /// different addresses).
    pub sockets: u32,
    /// Connections waiting to be accepted, summed over those sockets.
    pub accept_queue: u32,
    /// `ESTABLISHED` rows whose local port is this port.
    pub established: u32,
    /// The backlog limit summed over those sockets (as the queue is), where
    /// the source gives it: netlink does, /proc does not.
    pub backlog_limit: Option<u32>,
}

/// Listening ports by (family, port).
#[derive(Clone, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Listeners<const N: usize = LISTENER_CAPACITY> {
    ports: FnvIndexMap<(Family, u16), Listener, N>,
    left_out: u32,
}

impl<const N: usize> Default for Listeners<N> {
    fn default() -> Self {
        Listeners::new()
    }
}

impl<const N: usize> Listeners<N> {
    /// No listeners yet.
    pub const fn new() -> Listeners<N> {
        Listeners {
            ports: FnvIndexMap::new(),
            left_out: 0,
        }
    }

    /// Takes a `LISTEN` row as a listener, an `ESTABLISHED` row as one of a
    /// known listener's connections, and ignores other rows.
    pub fn add(&mut self, row: &impl TcpSocket) {
        let key = (row.family(), row.local_port());
        match TcpState::from_code(row.state_code()) {
            Some(TcpState::Listen) => {
                if let Some(listener) = self.ports.get_mut(&key) {
                    listener.sockets = listener.sockets.saturating_add(1);
                    listener.accept_queue = listener.accept_queue.saturating_add(row.rx_queue());
                    listener.backlog_limit = match (listener.backlog_limit, row.backlog_limit()) {
                        (Some(sum), Some(limit)) => Some(sum.saturating_add(limit)),
                        (sum, limit) => sum.or(limit),
                    };
                } else {
                    let listener = Listener {
                        sockets: 1,
                        accept_queue: row.rx_queue(),
                        established: 0,
                        backlog_limit: row.backlog_limit(),
                    };
                    if self.ports.insert(key, listener).is_err() {
                        self.left_out = self.left_out.saturating_add(1);
                    }
                }
            }
            Some(TcpState::Established) => {
                if let Some(listener) = self.ports.get_mut(&key) {
                    listener.established = listener.established.saturating_add(1);
                }
            }
            _ => {}
        }
    }

    /// The listening ports in the order seen.
    pub fn iter(&self) -> impl Iterator<Item = (Family, u16, &Listener)> + '_ {
        self.ports
            .iter()
            .map(|(&(family, port), l)| (family, port, l))
    }

    /// Listening sockets on ports that did not fit.
    pub fn left_out(&self) -> u32 {
        self.left_out
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::Row;

    fn line(local: u16, state: u8, rx: u32) -> std::string::String {
        format!(
            "   0: 0100007F:{local:04X} 0100007F:C000 {state:02X} 00000000:{rx:08X} 00:00000000 00000000     0        0 1"
        )
    }

    #[test]
    fn test_accept_queue_and_established_per_listener() {
        let rows = [
            line(80, 0x0A, 3),
            line(80, 0x0A, 2),
            line(22, 0x0A, 0),
            line(80, 0x01, 0),
            line(80, 0x01, 0),
            line(9999, 0x01, 0),
            line(22, 0x06, 0),
        ];
        let mut listeners = Listeners::<8>::new();
        for row in &rows {
            listeners.add(&Row::parse(row.as_bytes()).unwrap());
        }
        let seen: std::vec::Vec<_> = listeners.iter().map(|(f, p, l)| (f, p, *l)).collect();
        assert_eq!(
            seen,
            [
                (
                    Family::Ipv4,
                    80,
                    Listener {
                        sockets: 2,
                        accept_queue: 5,
                        established: 2,
                        backlog_limit: None,
                    }
                ),
                (
                    Family::Ipv4,
                    22,
                    Listener {
                        sockets: 1,
                        accept_queue: 0,
                        established: 0,
                        backlog_limit: None,
                    }
                ),
            ]
        );
    }

    #[test]
    fn test_reuseport_group_sums_queue_and_limit() {
        // Four SO_REUSEPORT sockets at 100 of 128 each: 400 of 512, not 400
        // of 128.
        let mut listeners = Listeners::<8>::new();
        for _ in 0..4 {
            listeners.add(&crate::Socket {
                family: Family::Ipv4,
                state: TcpState::Listen.code(),
                local_ip: core::net::IpAddr::from([127, 0, 0, 1]),
                local_port: 80,
                remote_ip: core::net::IpAddr::from([0, 0, 0, 0]),
                remote_port: 0,
                rx_queue: 100,
                backlog_limit: Some(128),
            });
        }
        let (_, _, group) = listeners.iter().next().unwrap();
        assert_eq!(group.sockets, 4);
        assert_eq!(group.accept_queue, 400);
        assert_eq!(group.backlog_limit, Some(512));
    }

    #[test]
    fn test_listeners_past_capacity_are_counted() {
        let mut listeners = Listeners::<2>::new();
        for port in [1, 2, 3, 4] {
            listeners.add(&Row::parse(line(port, 0x0A, 0).as_bytes()).unwrap());
        }
        assert_eq!(listeners.iter().count(), 2);
        assert_eq!(listeners.left_out(), 2);
    }
}
