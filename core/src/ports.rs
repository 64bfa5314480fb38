//! Per-port counts: for each local (or remote) port, how many sockets are in
//! each state. Ports live in a fixed-capacity map (`N`, a power of two, 1024
//! by default); a port that arrives when the map is full is not stored, but a
//! 65,536-bit set (8 KiB) remembers it, so [`PortCounts::ports_left_out`] says
//! exactly how many ports, and [`PortCounts::rows_left_out`] how many rows,
//! are missing. Nothing is dropped silently.

use heapless::index_map::FnvIndexMap;

use crate::counts::Counts;
use crate::socket::TcpSocket;

/// Which end of a connection to group by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Side {
    /// The local port (a server's listening port for its connections).
    Local,
    /// The remote port.
    Remote,
}

/// 64-bit words in the set of ports left out: one bit per possible port.
const PORT_WORDS: usize = (u16::MAX as usize + 1) / u64::BITS as usize;

/// The default capacity of [`PortCounts`].
pub const PORT_CAPACITY: usize = 1024;

/// Counts per port, for up to `N` distinct ports.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PortCounts<const N: usize = PORT_CAPACITY> {
    side: Side,
    ports: FnvIndexMap<u16, Counts, N>,
    /// One bit per port that did not fit.
    left_out: [u64; PORT_WORDS],
    rows_left_out: u32,
}

impl<const N: usize> PortCounts<N> {
    /// An empty table grouping by `side`.
    pub const fn new(side: Side) -> PortCounts<N> {
        PortCounts {
            side,
            ports: FnvIndexMap::new(),
            left_out: [0; PORT_WORDS],
            rows_left_out: 0,
        }
    }

    /// Which end this table groups by.
    pub fn side(&self) -> Side {
        self.side
    }

    /// Counts `row` under its port.
    pub fn add(&mut self, row: &impl TcpSocket) {
        let port = match self.side {
            Side::Local => row.local_port(),
            Side::Remote => row.remote_port(),
        };
        if let Some(counts) = self.ports.get_mut(&port) {
            counts.add_code(row.state_code());
            return;
        }
        let mut counts = Counts::new();
        counts.add_code(row.state_code());
        if self.ports.insert(port, counts).is_err() {
            self.rows_left_out = self.rows_left_out.saturating_add(1);
            let bits = u64::BITS as u16;
            let (word, bit) = (usize::from(port / bits), port % bits);
            if let Some(word) = self.left_out.get_mut(word) {
                *word |= 1 << bit;
            }
        }
    }

    /// The ports counted, in the order first seen, with their counts.
    pub fn iter(&self) -> impl Iterator<Item = (u16, &Counts)> + '_ {
        self.ports.iter().map(|(port, counts)| (*port, counts))
    }

    /// How many distinct ports did not fit.
    pub fn ports_left_out(&self) -> u32 {
        self.left_out.iter().map(|word| word.count_ones()).sum()
    }

    /// How many rows belong to ports that did not fit.
    pub fn rows_left_out(&self) -> u32 {
        self.rows_left_out
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::Row;
    use crate::TcpState;

    fn row_line(local: u16, remote: u16, state: u8) -> std::string::String {
        format!(
            "   0: 0100007F:{local:04X} 0100007F:{remote:04X} {state:02X} 00000000:00000000 00:00000000 00000000     0        0 1"
        )
    }

    #[test]
    fn test_counts_by_local_and_remote_port() {
        let lines = [
            row_line(80, 5000, 1),
            row_line(80, 5001, 1),
            row_line(443, 5000, 6),
        ];
        let mut local = PortCounts::<8>::new(Side::Local);
        let mut remote = PortCounts::<8>::new(Side::Remote);
        for line in &lines {
            let row = Row::parse(line.as_bytes()).unwrap();
            local.add(&row);
            remote.add(&row);
        }
        let local: std::vec::Vec<_> = local
            .iter()
            .map(|(p, c)| (p, c.get(TcpState::Established), c.total()))
            .collect();
        assert_eq!(local, [(80, 2, 2), (443, 0, 1)]);
        let remote: std::vec::Vec<_> = remote.iter().map(|(p, c)| (p, c.total())).collect();
        assert_eq!(remote, [(5000, 2), (5001, 1)]);
    }

    #[test]
    fn test_ports_past_capacity_are_reported() {
        let mut ports = PortCounts::<4>::new(Side::Local);
        for port in [1, 2, 3, 4, 5, 6, 5, 1] {
            let line = row_line(port, 9, 1);
            ports.add(&Row::parse(line.as_bytes()).unwrap());
        }
        assert_eq!(ports.iter().count(), 4);
        assert_eq!(ports.ports_left_out(), 2);
        assert_eq!(ports.rows_left_out(), 3);
        let kept: u32 = ports.iter().map(|(_, c)| c.total()).sum();
        assert_eq!(kept + ports.rows_left_out(), 8);
    }
}
