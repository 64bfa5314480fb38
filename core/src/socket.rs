//! What filters and per-port or listener tables need to know of a socket,
//! whatever it was read from: a `/proc` row ([`Row`], whose addresses are
//! decoded only when asked for) or a record that arrived already decoded,
//! such as a netlink `inet_diag` reply ([`Socket`]).

use core::net::IpAddr;

use crate::tcp::{Family, Row};

/// One TCP socket as the filters and tables see it.
pub trait TcpSocket {
    /// IPv4 or IPv6 (IPv4-mapped addresses are IPv6 sockets).
    fn family(&self) -> Family;
    /// The kernel's state code, known or not.
    fn state_code(&self) -> u8;
    /// The local address.
    fn local_ip(&self) -> IpAddr;
    /// The local port.
    fn local_port(&self) -> u16;
    /// The remote address.
    fn remote_ip(&self) -> IpAddr;
    /// The remote port.
    fn remote_port(&self) -> u16;
    /// Bytes waiting to be read, or for a listener the connections waiting
    /// to be accepted.
    fn rx_queue(&self) -> u32;
    /// A listener's backlog limit, where the source gives it (netlink does,
    /// /proc does not).
    fn backlog_limit(&self) -> Option<u32> {
        None
    }
}

impl TcpSocket for Row<'_> {
    fn family(&self) -> Family {
        Row::family(self)
    }
    fn state_code(&self) -> u8 {
        Row::state_code(self)
    }
    fn local_ip(&self) -> IpAddr {
        Row::local_ip(self)
    }
    fn local_port(&self) -> u16 {
        Row::local_port(self)
    }
    fn remote_ip(&self) -> IpAddr {
        Row::remote_ip(self)
    }
    fn remote_port(&self) -> u16 {
        Row::remote_port(self)
    }
    fn rx_queue(&self) -> u32 {
        Row::rx_queue(self)
    }
}

/// A socket whose fields arrived already decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Socket {
    /// IPv4 or IPv6.
    pub family: Family,
    /// The kernel's state code.
    pub state: u8,
    /// Local address.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub local_ip: IpAddr,
    /// Local port.
    pub local_port: u16,
    /// Remote address.
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub remote_ip: IpAddr,
    /// Remote port.
    pub remote_port: u16,
    /// Receive queue, or a listener's accept queue.
    pub rx_queue: u32,
    /// A listener's backlog limit, if known.
    pub backlog_limit: Option<u32>,
}

impl TcpSocket for Socket {
    fn family(&self) -> Family {
        self.family
    }
    fn state_code(&self) -> u8 {
        self.state
    }
    fn local_ip(&self) -> IpAddr {
        self.local_ip
    }
    fn local_port(&self) -> u16 {
        self.local_port
    }
    fn remote_ip(&self) -> IpAddr {
        self.remote_ip
    }
    fn remote_port(&self) -> u16 {
        self.remote_port
    }
    fn rx_queue(&self) -> u32 {
        self.rx_queue
    }
    fn backlog_limit(&self) -> Option<u32> {
        self.backlog_limit
    }
}
