//! `--source netlink`: the kernel's NETLINK_SOCK_DIAG (inet_diag) dump of TCP
//! sockets, the interface `ss` uses. The request asks only for the states the
//! filter wants; each reply is a fixed 72-byte binary record, decoded into a
//! [`Socket`] for the core's filter and tables, with no per-socket text for
//! the kernel to format or for us to parse. No dependency: the four libc
//! calls it needs are declared here, and this file holds all of their
//! `unsafe`.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use tcpcount_core::{Family, Socket, TcpState};

const AF_NETLINK: i32 = 16;
const SOCK_DGRAM: i32 = 2;
const NETLINK_SOCK_DIAG: i32 = 4;
const SOCK_DIAG_BY_FAMILY: u16 = 20;
const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_DUMP: u16 = 0x300;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;
const IPPROTO_TCP: u8 = 6;
/// `struct nlmsghdr`.
const HEADER_LEN: usize = 16;
/// `struct inet_diag_msg`.
const MESSAGE_LEN: usize = 72;
/// Every state, 1 through 12 (NEW_SYN_RECV), as inet_diag numbers them.
const ALL_STATES: u32 = 0x1FFE;

unsafe extern "C" {
    fn socket(domain: i32, kind: i32, protocol: i32) -> i32;
    fn send(fd: i32, buf: *const u8, len: usize, flags: i32) -> isize;
    fn recv(fd: i32, buf: *mut u8, len: usize, flags: i32) -> isize;
}

/// The states to ask the kernel for, from the filter's state set (`None`:
/// all). An orphaned FIN_WAIT2 socket is a timewait socket to the kernel's
/// dump filter, so asking for FIN_WAIT2 also asks for TIME_WAIT; the core
/// filter then keeps only what was asked for.
pub fn state_mask(states: Option<u32>) -> u32 {
    match states {
        None => ALL_STATES,
        Some(mask) if mask & (1 << TcpState::FinWait2.code()) != 0 => {
            mask | (1 << TcpState::TimeWait.code())
        }
        Some(mask) => mask,
    }
}

/// Dumps the TCP sockets of `family` in the states of `mask`, reading the
/// replies through `buffer` and showing each socket to `visit`.
pub fn dump(
    family: Family,
    mask: u32,
    buffer: &mut [u8],
    mut visit: impl FnMut(&Socket),
) -> io::Result<()> {
    // SAFETY: plain syscall with constant arguments; the result is checked.
    let fd = unsafe { socket(AF_NETLINK, SOCK_DGRAM, NETLINK_SOCK_DIAG) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a socket we just opened and own; OwnedFd closes it.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };

    let request = request(family, mask);
    // SAFETY: the pointer and length describe `request`, alive for the call.
    let sent = unsafe { send(fd.as_raw_fd(), request.as_ptr(), request.len(), 0) };
    if sent < 0 {
        return Err(io::Error::last_os_error());
    }
    loop {
        // SAFETY: the pointer and length describe `buffer`, which the kernel
        // writes at most `len` bytes into.
        let got = unsafe { recv(fd.as_raw_fd(), buffer.as_mut_ptr(), buffer.len(), 0) };
        if got < 0 {
            let error = io::Error::last_os_error();
            if error.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(error);
        }
        let received = buffer.get(..got.unsigned_abs()).unwrap_or_default();
        if received.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "netlink dump ended without NLMSG_DONE",
            ));
        }
        if read_messages(received, &mut visit)? {
            return Ok(());
        }
    }
}

/// `nlmsghdr` + `inet_diag_req_v2`, in native byte order.
fn request(family: Family, mask: u32) -> [u8; HEADER_LEN + 56] {
    let mut request = [0u8; HEADER_LEN + 56];
    let len = request.len() as u32;
    request[0..4].copy_from_slice(&len.to_ne_bytes());
    request[4..6].copy_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
    request[6..8].copy_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
    request[8..12].copy_from_slice(&1u32.to_ne_bytes());
    request[16] = match family {
        Family::Ipv4 => AF_INET,
        Family::Ipv6 => AF_INET6,
    };
    request[17] = IPPROTO_TCP;
    request[20..24].copy_from_slice(&mask.to_ne_bytes());
    request
}

/// Reads the messages in one datagram; true once the dump is done.
fn read_messages(mut bytes: &[u8], visit: &mut impl FnMut(&Socket)) -> io::Result<bool> {
    while bytes.len() >= HEADER_LEN {
        let len = u32_at(bytes, 0) as usize;
        let kind = u16::from_ne_bytes([byte(bytes, 4), byte(bytes, 5)]);
        if len < HEADER_LEN || len > bytes.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "malformed netlink message",
            ));
        }
        let body = bytes.get(HEADER_LEN..len).unwrap_or_default();
        match kind {
            NLMSG_DONE => return Ok(true),
            NLMSG_ERROR => {
                let errno = i32::from_ne_bytes([
                    byte(body, 0),
                    byte(body, 1),
                    byte(body, 2),
                    byte(body, 3),
                ]);
                return Err(io::Error::from_raw_os_error(-errno));
            }
            SOCK_DIAG_BY_FAMILY if body.len() >= MESSAGE_LEN => visit(&decode(body)),
            _ => {}
        }
        bytes = bytes.get(len.next_multiple_of(4)..).unwrap_or_default();
    }
    Ok(false)
}

/// `struct inet_diag_msg`: family, state, timer, retrans, then the socket id
/// (ports and addresses in network order), expires, rqueue, wqueue, uid,
/// inode.
fn decode(msg: &[u8]) -> Socket {
    let family = if byte(msg, 0) == AF_INET6 {
        Family::Ipv6
    } else {
        Family::Ipv4
    };
    let address = |at: usize| -> IpAddr {
        let mut raw = [0u8; 16];
        if let Some(src) = msg.get(at..at + 16) {
            raw.copy_from_slice(src);
        }
        match family {
            Family::Ipv4 => IpAddr::V4(Ipv4Addr::new(raw[0], raw[1], raw[2], raw[3])),
            Family::Ipv6 => IpAddr::V6(Ipv6Addr::from(raw)),
        }
    };
    let state = byte(msg, 1);
    Socket {
        family,
        state,
        local_port: u16::from_be_bytes([byte(msg, 4), byte(msg, 5)]),
        remote_port: u16::from_be_bytes([byte(msg, 6), byte(msg, 7)]),
        local_ip: address(8),
        remote_ip: address(24),
        rx_queue: u32_at(msg, 56),
        // For a listener, wqueue is its backlog limit (sk_max_ack_backlog).
        backlog_limit: (state == TcpState::Listen.code()).then(|| u32_at(msg, 60)),
    }
}

fn byte(bytes: &[u8], at: usize) -> u8 {
    bytes.get(at).copied().unwrap_or(0)
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([
        byte(bytes, at),
        byte(bytes, at + 1),
        byte(bytes, at + 2),
        byte(bytes, at + 3),
    ])
}
