//! `--source netlink`: the kernel's NETLINK_SOCK_DIAG (inet_diag) dump of TCP
//! sockets, the interface `ss` uses. The request asks only for the states the
//! filter wants; each reply is a fixed 72-byte binary record, decoded into a
//! [`Socket`] for the core's filter and tables, with no per-socket text for
//! the kernel to format or for us to parse. Encoding ([`request`]) and
//! decoding ([`read_messages`], [`decode`]) are pure functions over bytes, so
//! they are tested without a socket (and under qemu-user, which refuses
//! sock_diag sockets) against golden bytes in `fixtures/netlink/`; [`dump`]
//! talks to the kernel through the shared transport in `nl.rs`, which holds
//! all the `unsafe`. Every constant, call and errno that `libc` knows comes from
//! `libc`, so it is right on every architecture (MIPS numbers SOCK_DGRAM and
//! EAFNOSUPPORT differently). Netlink headers and the counters of
//! `inet_diag_msg` are in the host's byte order; ports and addresses are in
//! network order.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use tcpcount_core::{Family, Socket, TcpState};

use super::nl::{self, byte, header, put, u32_at};

/// `SOCK_DIAG_BY_FAMILY` from linux/sock_diag.h (not in `libc`).
pub const SOCK_DIAG_BY_FAMILY: u16 = 20;
/// Every state, 1 through 12 (NEW_SYN_RECV), as inet_diag numbers them.
const ALL_STATES: u32 = 0x1FFE;

/// Byte offsets of `struct inet_diag_req_v2` (after the header).
pub mod req {
    use std::ops::Range;
    /// sdiag_family (u8).
    pub const FAMILY: usize = 0;
    /// sdiag_protocol (u8).
    pub const PROTOCOL: usize = 1;
    /// idiag_states (u32, host order).
    pub const STATES: Range<usize> = 4..8;
    /// Size of the struct (the socket id, all zero, fills the rest).
    pub const SIZE: usize = 56;
}

/// Byte offsets of `struct inet_diag_msg` (after the header); the fields
/// not read here (timer, retrans, interface, cookie, expires, uid, inode) are
/// left out.
pub mod msg {
    use std::ops::Range;
    /// idiag_family (u8).
    pub const FAMILY: usize = 0;
    /// idiag_state (u8).
    pub const STATE: usize = 1;
    /// id.idiag_sport (network order).
    pub const SPORT: Range<usize> = 4..6;
    /// id.idiag_dport (network order).
    pub const DPORT: Range<usize> = 6..8;
    /// id.idiag_src (network order; IPv4 in the first 4 bytes).
    pub const SRC: Range<usize> = 8..24;
    /// id.idiag_dst.
    pub const DST: Range<usize> = 24..40;
    /// idiag_rqueue: receive queue, or a listener's accept queue.
    pub const RQUEUE: Range<usize> = 56..60;
    /// idiag_wqueue: send queue, or a listener's backlog limit.
    pub const WQUEUE: Range<usize> = 60..64;
    /// Size of the struct.
    pub const SIZE: usize = 72;
}

/// Length of the request [`request`] builds.
pub const REQUEST_LEN: usize = header::SIZE + req::SIZE;

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

/// Whether a failed IPv6 dump means the kernel has no IPv6 (no handler:
/// ENOENT; EAFNOSUPPORT; EINVAL), with the numbers of this architecture.
pub fn is_no_ipv6(error: &io::Error) -> bool {
    matches!(
        error.raw_os_error(),
        Some(libc::ENOENT | libc::EAFNOSUPPORT | libc::EINVAL)
    )
}

/// Dumps the TCP sockets of `family` in the states of `mask`, reading the
/// replies through `buffer` and showing each socket to `visit` (waits and
/// EINTR as [`nl::dump`]).
pub fn dump(
    family: Family,
    mask: u32,
    buffer: &mut [u8],
    mut visit: impl FnMut(&Socket),
) -> io::Result<()> {
    nl::dump(
        libc::NETLINK_SOCK_DIAG,
        &request(family, mask),
        buffer,
        |received| read_messages(received, &mut visit),
    )
}

/// `nlmsghdr` + `inet_diag_req_v2` asking for a dump of the TCP sockets of
/// `family` in the states of `mask`, in host byte order.
pub fn request(family: Family, mask: u32) -> [u8; REQUEST_LEN] {
    let mut request = [0u8; REQUEST_LEN];
    nl::put_dump_header(&mut request, SOCK_DIAG_BY_FAMILY);
    let body = &mut request[header::SIZE..];
    body[req::FAMILY] = match family {
        Family::Ipv4 => libc::AF_INET as u8,
        Family::Ipv6 => libc::AF_INET6 as u8,
    };
    body[req::PROTOCOL] = libc::IPPROTO_TCP as u8;
    put(body, req::STATES, &mask.to_ne_bytes());
    request
}

/// Reads the messages in one datagram of the dump (host byte order),
/// showing each socket to `visit`; true once the dump is done (NLMSG_DONE).
/// A message that does not fit, or an NLMSG_ERROR, is an error.
pub fn read_messages(mut bytes: &[u8], visit: &mut impl FnMut(&Socket)) -> io::Result<bool> {
    while bytes.len() >= header::SIZE {
        let len = u32_at(bytes, header::LEN.start) as usize;
        let kind = u16::from_ne_bytes([
            byte(bytes, header::KIND.start),
            byte(bytes, header::KIND.start + 1),
        ]);
        if len < header::SIZE || len > bytes.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "malformed netlink message",
            ));
        }
        let body = bytes.get(header::SIZE..len).unwrap_or_default();
        match i32::from(kind) {
            libc::NLMSG_DONE => return Ok(true),
            libc::NLMSG_ERROR => {
                // struct nlmsgerr: int error (negative errno), then the request.
                let errno = u32_at(body, 0) as i32;
                return Err(io::Error::from_raw_os_error(errno.wrapping_neg()));
            }
            _ if kind == SOCK_DIAG_BY_FAMILY && body.len() >= msg::SIZE => visit(&decode(body)),
            _ => {}
        }
        bytes = bytes.get(len.next_multiple_of(4)..).unwrap_or_default();
    }
    Ok(false)
}

/// `struct inet_diag_msg`: family, state, timer, retrans, then the socket id
/// (ports and addresses in network order), expires, rqueue, wqueue, uid,
/// inode (host order). Bytes missing from a short `msg` read as zero.
pub fn decode(msg: &[u8]) -> Socket {
    let family = if i32::from(byte(msg, msg::FAMILY)) == libc::AF_INET6 {
        Family::Ipv6
    } else {
        Family::Ipv4
    };
    let address = |at: std::ops::Range<usize>| -> IpAddr {
        let mut raw = [0u8; 16];
        if let Some(src) = msg.get(at) {
            raw.copy_from_slice(src);
        }
        match family {
            Family::Ipv4 => IpAddr::V4(Ipv4Addr::new(raw[0], raw[1], raw[2], raw[3])),
            Family::Ipv6 => IpAddr::V6(Ipv6Addr::from(raw)),
        }
    };
    let port = |at: std::ops::Range<usize>| {
        u16::from_be_bytes([byte(msg, at.start), byte(msg, at.start + 1)])
    };
    let state = byte(msg, msg::STATE);
    Socket {
        family,
        state,
        local_port: port(msg::SPORT),
        remote_port: port(msg::DPORT),
        local_ip: address(msg::SRC),
        remote_ip: address(msg::DST),
        rx_queue: u32_at(msg, msg::RQUEUE.start),
        // For a listener, wqueue is its backlog limit (sk_max_ack_backlog).
        backlog_limit: (state == TcpState::Listen.code()).then(|| u32_at(msg, msg::WQUEUE.start)),
    }
}

#[cfg(test)]
mod test {
    //! Golden bytes from `fixtures/netlink/capture` (x86_64, so little-endian
    //! headers): each is first put into this machine's byte order field by
    //! field, so on a big-endian target (qemu-mips) the decoder reads
    //! big-endian bytes, as a big-endian kernel would write them.

    use super::*;

    const REQUEST_V4: &[u8] = include_bytes!("../../../fixtures/netlink/request-ipv4.bin");
    const REQUEST_V6: &[u8] = include_bytes!("../../../fixtures/netlink/request-ipv6.bin");
    const REPLY_V4: &[u8] = include_bytes!("../../../fixtures/netlink/reply-ipv4.bin");
    const REPLY_V6: &[u8] = include_bytes!("../../../fixtures/netlink/reply-ipv6.bin");
    const SS_V4: &str = include_str!("../../../fixtures/netlink/ss-ipv4.txt");
    const SS_V6: &str = include_str!("../../../fixtures/netlink/ss-ipv6.txt");

    #[derive(Clone, Copy)]
    enum Order {
        Host,
        Foreign,
    }

    fn u32_in(order: Order, value: u32) -> [u8; 4] {
        match order {
            Order::Host => value.to_ne_bytes(),
            Order::Foreign => value.swap_bytes().to_ne_bytes(),
        }
    }

    /// The little-endian capture with every host-order field (header; the
    /// request's states; the reply's interface, cookie, expires, rqueue,
    /// wqueue, uid, inode; NLMSG_DONE's and NLMSG_ERROR's int) rewritten in
    /// `order`. The offsets are written out here, not taken from the module.
    fn reorder(little: &[u8], order: Order) -> Vec<u8> {
        let mut out = little.to_vec();
        let mut at = 0;
        while at + 16 <= little.len() {
            let le32 = |i: usize| u32::from_le_bytes(little[i..i + 4].try_into().unwrap());
            let len = le32(at) as usize;
            let kind = u16::from_le_bytes([little[at + 4], little[at + 5]]);
            let flags = u16::from_le_bytes([little[at + 6], little[at + 7]]);
            let (k, f) = match order {
                Order::Host => (kind, flags),
                Order::Foreign => (kind.swap_bytes(), flags.swap_bytes()),
            };
            out[at..at + 4].copy_from_slice(&u32_in(order, len as u32));
            out[at + 4..at + 6].copy_from_slice(&k.to_ne_bytes());
            out[at + 6..at + 8].copy_from_slice(&f.to_ne_bytes());
            for field in [at + 8, at + 12] {
                out[field..field + 4].copy_from_slice(&u32_in(order, le32(field)));
            }
            let body = at + 16;
            let fields: &[usize] = match (kind, len - 16) {
                (20, 56) => &[4],                             // inet_diag_req_v2
                (20, _) => &[40, 44, 48, 52, 56, 60, 64, 68], // inet_diag_msg
                (2 | 3, _) => &[0],                           // int
                _ => panic!("unexpected message type {kind} in a capture"),
            };
            for &field in fields {
                let i = body + field;
                out[i..i + 4].copy_from_slice(&u32_in(order, le32(i)));
            }
            at += len.next_multiple_of(4);
        }
        assert_eq!(
            at,
            little.len(),
            "capture does not end on a message boundary"
        );
        out
    }

    fn describe(s: &Socket) -> String {
        let limit = s.backlog_limit.map_or("-".to_owned(), |l| l.to_string());
        format!(
            "{} {}:{} {}:{} rq={} limit={limit}",
            s.state, s.local_ip, s.local_port, s.remote_ip, s.remote_port, s.rx_queue
        )
    }

    /// `ss -tanH` lines in the shape of [`describe`]: the oracle.
    fn from_ss(text: &str, v6: bool) -> Vec<String> {
        let code = |name: &str| match name {
            "ESTAB" => 1,
            "SYN-SENT" => 2,
            "SYN-RECV" => 3,
            "FIN-WAIT-1" => 4,
            "FIN-WAIT-2" => 5,
            "TIME-WAIT" => 6,
            "UNCONN" => 7,
            "CLOSE-WAIT" => 8,
            "LAST-ACK" => 9,
            "LISTEN" => 10,
            "CLOSING" => 11,
            other => panic!("ss state {other}"),
        };
        let endpoint = |text: &str| {
            let (ip, port) = text.rsplit_once(':').unwrap();
            let ip = ip.trim_start_matches('[').trim_end_matches(']');
            let ip = match ip {
                "*" if v6 => "::",
                "*" => "0.0.0.0",
                ip => ip,
            };
            let port = if port == "*" { "0" } else { port };
            format!("{ip}:{port}")
        };
        let mut out: Vec<String> = text
            .lines()
            .map(|line| {
                let f: Vec<&str> = line.split_whitespace().collect();
                let state = code(f[0]);
                let limit = if state == 10 { f[2] } else { "-" };
                format!(
                    "{state} {} {} rq={} limit={limit}",
                    endpoint(f[3]),
                    endpoint(f[4]),
                    f[1]
                )
            })
            .collect();
        out.sort();
        out
    }

    fn decode_all(bytes: &[u8]) -> io::Result<(bool, Vec<String>)> {
        let mut seen = Vec::new();
        let done = read_messages(bytes, &mut |s: &Socket| seen.push(describe(s)))?;
        seen.sort();
        Ok((done, seen))
    }

    #[test]
    fn request_equals_the_captured_request() {
        for (family, golden) in [(Family::Ipv4, REQUEST_V4), (Family::Ipv6, REQUEST_V6)] {
            assert_eq!(
                request(family, ALL_STATES).as_slice(),
                reorder(golden, Order::Host),
                "{family:?}"
            );
        }
    }

    #[test]
    fn request_fields() {
        let bytes = request(Family::Ipv6, 1 << 10);
        let cases: [(&str, &[u8], &[u8]); 6] = [
            ("len", &bytes[0..4], &72u32.to_ne_bytes()),
            ("type", &bytes[4..6], &20u16.to_ne_bytes()),
            ("flags", &bytes[6..8], &0x301u16.to_ne_bytes()),
            ("family", &bytes[16..17], &[libc::AF_INET6 as u8]),
            ("protocol", &bytes[17..18], &[6]),
            ("states", &bytes[20..24], &(1u32 << 10).to_ne_bytes()),
        ];
        for (name, got, want) in cases {
            assert_eq!(got, want, "{name}");
        }
        assert!(bytes[24..].iter().all(|&b| b == 0), "socket id not zero");
    }

    #[test]
    fn captured_replies_decode_as_ss_shows_them() {
        for (reply, ss, v6) in [(REPLY_V4, SS_V4, false), (REPLY_V6, SS_V6, true)] {
            let want = from_ss(ss, v6);
            assert!(want.len() >= 15, "capture too small: {want:?}");
            let (done, got) = decode_all(&reorder(reply, Order::Host)).unwrap();
            assert!(done, "no NLMSG_DONE");
            assert_eq!(got, want, "v6={v6}");
        }
    }

    #[test]
    fn replies_in_the_other_byte_order_are_refused() {
        // What a decoder reading the wrong byte order would see: the length
        // field is out of range, so it fails loudly instead of miscounting.
        for reply in [REPLY_V4, REPLY_V6] {
            let error = decode_all(&reorder(reply, Order::Foreign)).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        }
    }

    #[test]
    fn every_split_at_a_message_boundary_gives_the_same_sockets() {
        let bytes = reorder(REPLY_V4, Order::Host);
        let (_, whole) = decode_all(&bytes).unwrap();
        let mut at = 0;
        let mut parts = Vec::new();
        while at < bytes.len() {
            let len = u32_at(&bytes, at) as usize;
            parts.push(&bytes[at..at + len.next_multiple_of(4)]);
            at += len.next_multiple_of(4);
        }
        let mut seen = Vec::new();
        let mut done = false;
        for part in parts {
            assert!(!done, "data after NLMSG_DONE");
            done = read_messages(part, &mut |s: &Socket| seen.push(describe(s))).unwrap();
        }
        seen.sort();
        assert!(done);
        assert_eq!(seen, whole);
    }

    fn message(kind: u16, body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&(16 + body.len() as u32).to_ne_bytes());
        out.extend_from_slice(&kind.to_ne_bytes());
        out.extend_from_slice(&[0; 10]);
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn malformed_and_special_messages() {
        let error = |errno: i32| message(2, &(-errno).to_ne_bytes());
        let mut too_long = message(3, &[0; 4]);
        too_long[0..4].copy_from_slice(&100u32.to_ne_bytes());
        let mut too_short = message(3, &[0; 4]);
        too_short[0..4].copy_from_slice(&15u32.to_ne_bytes());
        let mut unknown_then_done = message(99, &[1, 2, 3, 4]);
        unknown_then_done.extend(message(3, &[0; 4]));
        // Ok(done), or Err(the errno, if any).
        type Outcome = Result<bool, Option<i32>>;
        let cases: [(&str, Vec<u8>, Outcome); 8] = [
            ("empty datagram", vec![], Ok(false)),
            ("less than a header", vec![0; 15], Ok(false)),
            ("done", message(3, &[0; 4]), Ok(true)),
            ("unknown type skipped", unknown_then_done, Ok(true)),
            (
                "short inet_diag_msg skipped",
                message(20, &[0; 71]),
                Ok(false),
            ),
            ("length past the end", too_long, Err(None)),
            ("length below a header", too_short, Err(None)),
            (
                "error",
                error(libc::EAFNOSUPPORT),
                Err(Some(libc::EAFNOSUPPORT)),
            ),
        ];
        for (name, bytes, want) in cases {
            let got = read_messages(&bytes, &mut |_: &Socket| {}).map_err(|e| e.raw_os_error());
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn no_ipv6_errors_use_this_architectures_numbers() {
        let cases = [
            (libc::ENOENT, true),
            (libc::EAFNOSUPPORT, true),
            (libc::EINVAL, true),
            (libc::EPERM, false),
            (libc::EACCES, false),
        ];
        for (errno, want) in cases {
            assert_eq!(
                is_no_ipv6(&io::Error::from_raw_os_error(errno)),
                want,
                "{errno}"
            );
        }
    }

    #[test]
    fn socket_constants_come_from_this_architecture() {
        // The bug of issue 12: SOCK_DGRAM is 1 on MIPS, 2 elsewhere.
        let want_dgram = if cfg!(any(target_arch = "mips", target_arch = "mips64")) {
            1
        } else {
            2
        };
        assert_eq!(libc::SOCK_DGRAM, want_dgram);
        let want_eafnosupport = if cfg!(any(target_arch = "mips", target_arch = "mips64")) {
            124
        } else {
            97
        };
        assert_eq!(libc::EAFNOSUPPORT, want_eafnosupport);
    }

    #[test]
    fn state_mask_adds_time_wait_to_fin_wait2() {
        let cases = [
            (None, ALL_STATES),
            (Some(1 << 1), 1 << 1),
            (Some(1 << 5), (1 << 5) | (1 << 6)),
        ];
        for (states, want) in cases {
            assert_eq!(state_mask(states), want, "{states:?}");
        }
    }
}
