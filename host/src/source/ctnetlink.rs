//! The conntrack table through ctnetlink (NETLINK_NETFILTER, the interface
//! `conntrack -L` uses): one `IPCTNL_MSG_CT_GET` dump request with family
//! `AF_UNSPEC` (the kernel then dumps IPv4 and IPv6 alike), replies read
//! through one caller-provided buffer, each record's nested attributes
//! decoded into the [`Entry`] `/proc/net/nf_conntrack` would show for it
//! ([`Entry::from_parts`]), so both sources count alike, offloaded flows
//! included. Encoding ([`request`]) and decoding ([`read_messages`],
//! [`decode`]) are pure functions over bytes, tested without a socket against
//! golden bytes in `fixtures/ctnetlink/`; [`dump`] talks to the kernel
//! through the shared transport in `nl.rs`, which holds all the `unsafe`. Every constant,
//! call and errno `libc` knows comes from `libc`; the ctnetlink numbers it
//! lacks are named once below with the uapi header they come from. Netlink
//! and attribute headers are in the host's byte order; every ctnetlink
//! payload read here is in network order (addresses, ports, status, timeout,
//! mark, zone) or a single byte (protocol, TCP state).

use std::fmt;
use std::io;
use std::mem::size_of;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use tcpcount_core::Family;
use tcpcount_core::conntrack::{CtCounts, CtFilter, CtState, Entry, EntryParts, Tuple};

pub use super::nl::RECV_TIMEOUT_MS;
use super::nl::{self, header, put, u16_at, u32_at};

/// The buffer size [`dump`] wants: the kernel caps a dump datagram at 32 KiB.
pub const BUFFER_SIZE: usize = 32 * 1024;

/// Numbers from include/uapi/linux/netfilter/nfnetlink_conntrack.h that
/// `libc` does not have (it has `NFNL_SUBSYS_CTNETLINK`, `NFNETLINK_V0`,
/// `NETLINK_NETFILTER`, `NLA_F_NESTED`, `NLA_TYPE_MASK`).
pub mod cta {
    /// `enum cntl_msg_types`: a record of the dump.
    pub const IPCTNL_MSG_CT_NEW: u16 = 0;
    /// `enum cntl_msg_types`: the dump request.
    pub const IPCTNL_MSG_CT_GET: u16 = 1;

    /// `enum ctattr_type`: the original tuple (nested).
    pub const CTA_TUPLE_ORIG: u16 = 1;
    /// The reply tuple (nested).
    pub const CTA_TUPLE_REPLY: u16 = 2;
    /// `enum ip_conntrack_status` bits (be32).
    pub const CTA_STATUS: u16 = 3;
    /// Protocol state (nested).
    pub const CTA_PROTOINFO: u16 = 4;
    /// Seconds to expiry (be32).
    pub const CTA_TIMEOUT: u16 = 7;
    /// The mark (be32).
    pub const CTA_MARK: u16 = 8;
    /// A zone of both directions (be16), absent for zone 0.
    pub const CTA_ZONE: u16 = 18;

    /// `enum ctattr_tuple`: addresses (nested).
    pub const CTA_TUPLE_IP: u16 = 1;
    /// Protocol number and ports (nested).
    pub const CTA_TUPLE_PROTO: u16 = 2;
    /// A zone of one direction only (be16).
    pub const CTA_TUPLE_ZONE: u16 = 3;

    /// `enum ctattr_ip` (network order, 4 or 16 bytes).
    pub const CTA_IP_V4_SRC: u16 = 1;
    /// IPv4 destination.
    pub const CTA_IP_V4_DST: u16 = 2;
    /// IPv6 source.
    pub const CTA_IP_V6_SRC: u16 = 3;
    /// IPv6 destination.
    pub const CTA_IP_V6_DST: u16 = 4;

    /// `enum ctattr_l4proto`: the IP protocol number (u8).
    pub const CTA_PROTO_NUM: u16 = 1;
    /// Source port (be16).
    pub const CTA_PROTO_SRC_PORT: u16 = 2;
    /// Destination port (be16).
    pub const CTA_PROTO_DST_PORT: u16 = 3;

    /// `enum ctattr_protoinfo`: TCP's state (nested).
    pub const CTA_PROTOINFO_TCP: u16 = 1;
    /// `enum ctattr_protoinfo_tcp`: `enum tcp_conntrack` (u8).
    pub const CTA_PROTOINFO_TCP_STATE: u16 = 1;
}

/// `enum ip_conntrack_status` bits from
/// include/uapi/linux/netfilter/nf_conntrack_common.h (not in `libc`).
pub mod status {
    /// Packets seen both ways (clear: `[UNREPLIED]`).
    pub const IPS_SEEN_REPLY: u32 = 1 << 1;
    /// `[ASSURED]`.
    pub const IPS_ASSURED: u32 = 1 << 2;
    /// In a software flowtable (`[OFFLOAD]`).
    pub const IPS_OFFLOAD: u32 = 1 << 14;
    /// Offloaded to hardware (`[HW_OFFLOAD]`).
    pub const IPS_HW_OFFLOAD: u32 = 1 << 15;
}

/// Byte offsets of `struct nfgenmsg` (after the header).
pub mod nfgen {
    /// nfgen_family (u8): AF_UNSPEC in the request, the entry's family in
    /// a record.
    pub const FAMILY: usize = 0;
    /// version (u8): NFNETLINK_V0.
    pub const VERSION: usize = 1;
    /// res_id (be16), zero; then the attributes.
    pub const SIZE: usize = 4;
}

/// Byte offsets of `struct nlattr` (host byte order); the payload follows,
/// and the next attribute starts at the next multiple of 4.
pub mod nla {
    use std::ops::Range;
    /// nla_len: header and payload, without padding.
    pub const LEN: Range<usize> = 0..2;
    /// nla_type, with the NLA_F_NESTED and NLA_F_NET_BYTEORDER flags.
    pub const KIND: Range<usize> = 2..4;
    /// Size of the header.
    pub const SIZE: usize = 4;
}

/// Length of the request [`request`] builds.
pub const REQUEST_LEN: usize = header::SIZE + nfgen::SIZE;

const _: () = assert!(size_of::<libc::nlattr>() == nla::SIZE);

/// `nlmsg_type` of the request: subsystem in the high byte, message low.
pub const REQUEST_TYPE: u16 = ((libc::NFNL_SUBSYS_CTNETLINK as u16) << 8) | cta::IPCTNL_MSG_CT_GET;
/// `nlmsg_type` of a record of the dump.
pub const RECORD_TYPE: u16 = ((libc::NFNL_SUBSYS_CTNETLINK as u16) << 8) | cta::IPCTNL_MSG_CT_NEW;

/// Why the table could not be read through ctnetlink.
#[derive(Debug)]
pub enum CtnlError {
    /// This kernel has no ctnetlink (nfnetlink or nf_conntrack_netlink not
    /// built or not loaded): `--source auto` reads procfs instead.
    Unavailable(io::Error),
    /// Refused: dumping the table needs CAP_NET_ADMIN (root).
    NeedsRoot(io::Error),
    /// Any other failure of the socket (EINTR included: the caller decides
    /// whether a signal means stop).
    Io(io::Error),
    /// The kernel's reply is not what ctnetlink sends.
    Malformed {
        /// Byte offset of the message at fault in the bytes given to
        /// [`read_messages`] (for [`dump`], its datagram).
        offset: usize,
        /// What is wrong.
        what: &'static str,
    },
}

impl CtnlError {
    /// Classifies a failed system call or an NLMSG_ERROR by its errno (this
    /// architecture's numbers, from libc). A subsystem the kernel does not
    /// have answers EINVAL (checked on 6.18); the module loader's failures
    /// give EOPNOTSUPP or ENOENT; no nfnetlink at all EPROTONOSUPPORT.
    pub fn from_io(error: io::Error) -> CtnlError {
        match error.raw_os_error() {
            Some(
                libc::EPROTONOSUPPORT
                | libc::EAFNOSUPPORT
                | libc::EOPNOTSUPP
                | libc::EINVAL
                | libc::ENOENT,
            ) => CtnlError::Unavailable(error),
            Some(libc::EPERM | libc::EACCES) => CtnlError::NeedsRoot(error),
            _ => CtnlError::Io(error),
        }
    }

    fn errno(errno: i32) -> CtnlError {
        CtnlError::from_io(io::Error::from_raw_os_error(errno))
    }

    /// Whether `--source auto` should fall back to procfs.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, CtnlError::Unavailable(_))
    }
}

impl fmt::Display for CtnlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CtnlError::Unavailable(e) => {
                write!(
                    f,
                    "ctnetlink not available (modprobe nf_conntrack_netlink): {e}"
                )
            }
            CtnlError::NeedsRoot(e) => write!(
                f,
                "ctnetlink dump: {e}: reading the conntrack table needs root (CAP_NET_ADMIN)"
            ),
            CtnlError::Io(e) => write!(f, "ctnetlink dump: {e}"),
            CtnlError::Malformed { offset, what } => write!(
                f,
                "ctnetlink dump: malformed reply (message at byte {offset}): {what}"
            ),
        }
    }
}

impl std::error::Error for CtnlError {}

impl From<io::Error> for CtnlError {
    fn from(error: io::Error) -> CtnlError {
        CtnlError::from_io(error)
    }
}

/// Dumps the conntrack table of this network namespace, both families,
/// reading the replies through `buffer` (use [`BUFFER_SIZE`]; a datagram
/// that does not fit is an error, never cut short) and showing each entry
/// to `visit`. Waits at most [`RECV_TIMEOUT_MS`] for each datagram.
pub fn dump(buffer: &mut [u8], mut visit: impl FnMut(&Entry)) -> Result<(), CtnlError> {
    nl::dump(libc::NETLINK_NETFILTER, &request(), buffer, |received| {
        read_messages(received, &mut visit)
    })
}

/// Dumps the table (see [`dump`]) and counts the entries `filter` lets
/// through, as the procfs parser counts them, showing each counted entry
/// to `visit` (for top-N tables).
pub fn count(
    buffer: &mut [u8],
    filter: &CtFilter,
    mut visit: impl FnMut(&Entry),
) -> Result<CtCounts, CtnlError> {
    let mut tally = Tally::new(filter);
    dump(buffer, |entry| tally.add(entry, &mut visit))?;
    Ok(tally.counts)
}

/// Like [`count`], over replies already received: datagrams of a dump
/// concatenated (a capture), which must end with NLMSG_DONE.
pub fn count_replies(
    replies: &[u8],
    filter: &CtFilter,
    mut visit: impl FnMut(&Entry),
) -> Result<CtCounts, CtnlError> {
    let mut tally = Tally::new(filter);
    let done = read_messages(replies, &mut |entry: &Entry| tally.add(entry, &mut visit))?;
    if !done {
        return Err(CtnlError::Io(nl::no_done()));
    }
    Ok(tally.counts)
}

/// Counts what a filter lets through, as `CtParser` does.
struct Tally<'a> {
    filter: &'a CtFilter,
    all: bool,
    counts: CtCounts,
}

impl<'a> Tally<'a> {
    fn new(filter: &'a CtFilter) -> Tally<'a> {
        Tally {
            filter,
            all: filter.is_empty(),
            counts: CtCounts::new(),
        }
    }

    fn add(&mut self, entry: &Entry, visit: &mut impl FnMut(&Entry)) {
        if self.all || self.filter.matches(entry) {
            self.counts.add(entry);
            visit(entry);
        }
    }
}

/// `nlmsghdr` + `nfgenmsg` asking for a dump of the whole table (family
/// AF_UNSPEC: both), in host byte order; no attributes, so no kernel-side
/// filter.
pub fn request() -> [u8; REQUEST_LEN] {
    let mut request = [0u8; REQUEST_LEN];
    nl::put_dump_header(&mut request, REQUEST_TYPE);
    if let Some(body) = request.get_mut(header::SIZE..) {
        put(
            body,
            nfgen::FAMILY..nfgen::FAMILY + 1,
            &[libc::AF_UNSPEC as u8],
        );
        put(
            body,
            nfgen::VERSION..nfgen::VERSION + 1,
            &[libc::NFNETLINK_V0 as u8],
        );
    }
    request
}

/// Reads the messages of one datagram of the dump (host byte order),
/// showing each entry to `visit`; true once the dump is done (NLMSG_DONE).
/// A message that does not fit, a record that does not decode, an
/// NLMSG_ERROR or a failed NLMSG_DONE is an error.
pub fn read_messages(bytes: &[u8], visit: &mut impl FnMut(&Entry)) -> Result<bool, CtnlError> {
    let mut at = 0;
    while at < bytes.len() {
        let malformed = |what| CtnlError::Malformed { offset: at, what };
        let rest = bytes.get(at..).unwrap_or_default();
        if rest.len() < header::SIZE {
            return Err(malformed("bytes after the last message"));
        }
        let len = u32_at(rest, header::LEN.start) as usize;
        if len < header::SIZE || len > rest.len() {
            return Err(malformed("message length out of range"));
        }
        let kind = u16_at(rest, header::KIND.start);
        let body = rest.get(header::SIZE..len).unwrap_or_default();
        match i32::from(kind) {
            libc::NLMSG_DONE => {
                // The dump's result: 0, or a negative errno if it failed.
                let result = i32_at(body, 0);
                if result < 0 {
                    return Err(CtnlError::errno(result.wrapping_neg()));
                }
                return Ok(true);
            }
            libc::NLMSG_ERROR => {
                // struct nlmsgerr: int error (negative errno), then the request.
                if body.len() < 4 {
                    return Err(malformed("NLMSG_ERROR without its error"));
                }
                let error = i32_at(body, 0);
                if error != 0 {
                    return Err(CtnlError::errno(error.wrapping_neg()));
                }
            }
            libc::NLMSG_NOOP => {}
            libc::NLMSG_OVERRUN => return Err(malformed("NLMSG_OVERRUN: data lost")),
            _ if kind == RECORD_TYPE => visit(&decode(body).map_err(malformed)?),
            _ => return Err(malformed("a message type ctnetlink does not dump")),
        }
        at = at.saturating_add(len.next_multiple_of(4));
    }
    Ok(false)
}

/// One record (the message after its `nlmsghdr`): `nfgenmsg` with the
/// entry's family, then the attributes, decoded into the entry
/// `/proc/net/nf_conntrack` would show. Attributes not needed are skipped;
/// a needed one missing, of the wrong size, or one that runs past its
/// container is an error.
pub fn decode(body: &[u8]) -> Result<Entry, &'static str> {
    let family = match body.get(nfgen::FAMILY).map(|&b| i32::from(b)) {
        Some(libc::AF_INET) => Family::Ipv4,
        Some(libc::AF_INET6) => Family::Ipv6,
        Some(_) => return Err("nfgen_family is neither AF_INET nor AF_INET6"),
        None => return Err("record shorter than nfgenmsg"),
    };
    let attributes = body
        .get(nfgen::SIZE..)
        .ok_or("record shorter than nfgenmsg")?;
    let mut original = None;
    let mut reply = None;
    let mut status = None;
    let mut timeout = None;
    let mut mark = None;
    let mut zone = None;
    let mut tcp_state = None;
    for attr in Attrs::new(attributes) {
        let (kind, payload) = attr?;
        match kind {
            cta::CTA_TUPLE_ORIG => original = Some(tuple(payload, family)?),
            cta::CTA_TUPLE_REPLY => reply = Some(tuple(payload, family)?),
            cta::CTA_STATUS => status = Some(be32(payload).ok_or("CTA_STATUS is not 4 bytes")?),
            cta::CTA_TIMEOUT => {
                timeout = Some(be32(payload).ok_or("CTA_TIMEOUT is not 4 bytes")?);
            }
            cta::CTA_MARK => mark = Some(be32(payload).ok_or("CTA_MARK is not 4 bytes")?),
            cta::CTA_ZONE => zone = Some(be16(payload).ok_or("CTA_ZONE is not 2 bytes")?),
            cta::CTA_PROTOINFO => {
                if let Some(state) = protoinfo_tcp_state(payload)? {
                    tcp_state = Some(state);
                }
            }
            _ => {}
        }
    }
    let original = original.ok_or("no CTA_TUPLE_ORIG")?;
    let reply = reply.ok_or("no CTA_TUPLE_REPLY")?;
    let status = status.ok_or("no CTA_STATUS")?;
    if original.protocol != reply.protocol {
        return Err("the tuples' protocol numbers differ");
    }
    let offload = status & status::IPS_OFFLOAD != 0;
    let hw_offload = status & status::IPS_HW_OFFLOAD != 0;
    let offloaded = offload || hw_offload;
    // The kernel reports neither timeout nor protocol state of an offloaded
    // flow (since 4.16), and /proc prints neither; it always reports both
    // for the others.
    if !offloaded && timeout.is_none() {
        return Err("no CTA_TIMEOUT");
    }
    let tcp_state = if original.protocol == libc::IPPROTO_TCP as u8 && !offloaded {
        let code = tcp_state.ok_or("TCP entry without CTA_PROTOINFO_TCP_STATE")?;
        Some(state_of_code(code))
    } else {
        None
    };
    // /proc prints `zone=N` (0 included) for a zone of both directions, and
    // `zone-orig=`/`zone-reply=` instead for a zone of one direction.
    let zone = match zone {
        Some(id) => Some(id),
        None if original.zone || reply.zone => None,
        None => Some(0),
    };
    Ok(Entry::from_parts(EntryParts {
        family,
        protocol_number: original.protocol,
        tcp_state,
        timeout: if offloaded { None } else { timeout },
        unreplied: status & status::IPS_SEEN_REPLY == 0,
        assured: status & status::IPS_ASSURED != 0,
        offload,
        hw_offload,
        mark,
        zone,
        original: original.tuple,
        reply: reply.tuple,
    }))
}

/// `enum tcp_conntrack` (0 NONE .. 9 SYN_SENT2); any other number is a state
/// this program does not know.
fn state_of_code(code: u8) -> CtState {
    CtState::ALL
        .get(usize::from(code))
        .copied()
        .filter(|s| s.index() <= CtState::SynSent2.index())
        .unwrap_or(CtState::Unknown)
}

/// A decoded `CTA_TUPLE_*`.
struct Decoded {
    tuple: Tuple,
    protocol: u8,
    /// Whether it carried a one-direction zone (CTA_TUPLE_ZONE).
    zone: bool,
}

/// The protocols whose tuple /proc prints with `sport= dport=` (tcp, udp,
/// sctp, udplite, dccp; the core's `layout::l4_tuple`).
fn has_ports(protocol: u8) -> bool {
    matches!(protocol, 6 | 17 | 132 | 136 | 33)
}

/// `CTA_TUPLE_IP { CTA_IP_V4_SRC/DST or CTA_IP_V6_SRC/DST }` and
/// `CTA_TUPLE_PROTO { CTA_PROTO_NUM, CTA_PROTO_SRC_PORT, CTA_PROTO_DST_PORT }`.
fn tuple(payload: &[u8], family: Family) -> Result<Decoded, &'static str> {
    let (mut src, mut dst, mut protocol, mut sport, mut dport) = (None, None, None, None, None);
    let mut zone = false;
    for attr in Attrs::new(payload) {
        let (kind, inner) = attr?;
        match kind {
            cta::CTA_TUPLE_IP => {
                for attr in Attrs::new(inner) {
                    let (kind, value) = attr?;
                    let address = match (family, kind) {
                        (Family::Ipv4, cta::CTA_IP_V4_SRC | cta::CTA_IP_V4_DST) => {
                            let octets: [u8; 4] = value
                                .try_into()
                                .map_err(|_| "IPv4 address is not 4 bytes")?;
                            IpAddr::V4(Ipv4Addr::from(octets))
                        }
                        (Family::Ipv6, cta::CTA_IP_V6_SRC | cta::CTA_IP_V6_DST) => {
                            let octets: [u8; 16] = value
                                .try_into()
                                .map_err(|_| "IPv6 address is not 16 bytes")?;
                            IpAddr::V6(Ipv6Addr::from(octets))
                        }
                        (_, cta::CTA_IP_V4_SRC..=cta::CTA_IP_V6_DST) => {
                            return Err("address of the other family");
                        }
                        _ => continue,
                    };
                    match kind {
                        cta::CTA_IP_V4_SRC | cta::CTA_IP_V6_SRC => src = Some(address),
                        _ => dst = Some(address),
                    }
                }
            }
            cta::CTA_TUPLE_PROTO => {
                for attr in Attrs::new(inner) {
                    let (kind, value) = attr?;
                    match kind {
                        cta::CTA_PROTO_NUM => {
                            protocol = Some(u8_of(value).ok_or("CTA_PROTO_NUM is not 1 byte")?);
                        }
                        cta::CTA_PROTO_SRC_PORT => {
                            sport = Some(be16(value).ok_or("port is not 2 bytes")?);
                        }
                        cta::CTA_PROTO_DST_PORT => {
                            dport = Some(be16(value).ok_or("port is not 2 bytes")?);
                        }
                        _ => {}
                    }
                }
            }
            cta::CTA_TUPLE_ZONE => zone = true,
            _ => {}
        }
    }
    let protocol = protocol.ok_or("tuple without CTA_PROTO_NUM")?;
    let ports = if has_ports(protocol) {
        Some((
            sport.ok_or("tuple without CTA_PROTO_SRC_PORT")?,
            dport.ok_or("tuple without CTA_PROTO_DST_PORT")?,
        ))
    } else {
        None
    };
    Ok(Decoded {
        tuple: Tuple {
            src: src.ok_or("tuple without a source address")?,
            dst: dst.ok_or("tuple without a destination address")?,
            ports,
        },
        protocol,
        zone,
    })
}

/// `CTA_PROTOINFO { CTA_PROTOINFO_TCP { CTA_PROTOINFO_TCP_STATE } }`, if
/// there.
fn protoinfo_tcp_state(payload: &[u8]) -> Result<Option<u8>, &'static str> {
    let mut state = None;
    for attr in Attrs::new(payload) {
        let (kind, inner) = attr?;
        if kind != cta::CTA_PROTOINFO_TCP {
            continue;
        }
        for attr in Attrs::new(inner) {
            let (kind, value) = attr?;
            if kind == cta::CTA_PROTOINFO_TCP_STATE {
                state = Some(u8_of(value).ok_or("CTA_PROTOINFO_TCP_STATE is not 1 byte")?);
            }
        }
    }
    Ok(state)
}

/// The attributes in a run of bytes: `(type without flags, payload)`; one
/// whose length is below its header or past the end is an error, after
/// which the iteration ends.
struct Attrs<'a> {
    rest: &'a [u8],
}

impl<'a> Attrs<'a> {
    fn new(bytes: &'a [u8]) -> Attrs<'a> {
        Attrs { rest: bytes }
    }
}

impl<'a> Iterator for Attrs<'a> {
    type Item = Result<(u16, &'a [u8]), &'static str>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let bytes = std::mem::take(&mut self.rest);
        if bytes.len() < nla::SIZE {
            return Some(Err("attribute header cut short"));
        }
        let len = usize::from(u16_at(bytes, nla::LEN.start));
        let kind = u16_at(bytes, nla::KIND.start) & libc::NLA_TYPE_MASK as u16;
        let Some(payload) = bytes.get(nla::SIZE..len).filter(|_| len >= nla::SIZE) else {
            return Some(Err("attribute length out of range"));
        };
        // The last attribute's padding may be left out.
        self.rest = bytes.get(len.next_multiple_of(4)..).unwrap_or_default();
        Some(Ok((kind, payload)))
    }
}

fn i32_at(bytes: &[u8], at: usize) -> i32 {
    u32_at(bytes, at) as i32
}

fn u8_of(payload: &[u8]) -> Option<u8> {
    match payload {
        [b] => Some(*b),
        _ => None,
    }
}

fn be16(payload: &[u8]) -> Option<u16> {
    payload.try_into().ok().map(u16::from_be_bytes)
}

fn be32(payload: &[u8]) -> Option<u32> {
    payload.try_into().ok().map(u32::from_be_bytes)
}
