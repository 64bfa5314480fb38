//! The line format of `/proc/net/nf_conntrack`, named once. The kernel's
//! `ct_seq_show` (net/netfilter/nf_conntrack_standalone.c) prints
//! `"%-8s %u %-8s %u "` (family name and number, protocol name and number),
//! then `"%ld "` seconds to expiry unless the flow is offloaded, the
//! protocol's `print_conntrack` (TCP: the state word, none when offloaded),
//! the original tuple, optional `zone-orig=`, `packets= bytes=` (accounting
//! on), `[UNREPLIED]`, the reply tuple, optional `zone-reply=`, `packets=
//! bytes=`, at most one of `[HW_OFFLOAD]` `[OFFLOAD]` `[ASSURED]`, `mark=`,
//! optional `secctx=`, `zone=`, `delta-time=`, and `use=`. A tuple is `src=
//! dst=` (IPv4 dotted, IPv6 as 8 groups of 4 hex digits) and the protocol's
//! part: `sport= dport=`, `type= code= id=` or `srckey=0x dstkey=0x`. The
//! legacy `/proc/net/ip_conntrack` (IPv4 only) omits the first two fields and
//! may print `secmark=`.

use crate::Family;

/// The longest line accepted, in bytes, without its newline. Kernel lines run
/// 146-332 bytes (IPv6 with accounting, zones and timestamps); a `secctx=`
/// label adds its length, and 1024 leaves room for long SELinux contexts. A
/// longer line is an error ([`CtErrorKind::LineTooLong`](super::CtErrorKind::LineTooLong)), never skipped.
pub const CT_LINE_CAPACITY: usize = 1024;

/// The fixed prefixes the fast path recognises: the common protocols with the
/// kernel's exact padding, with the family and protocol number they mean.
/// In this order (tcp, udp, icmp; IPv4 before IPv6): `row::fast_prefix`
/// picks one by index.
pub const FAST_PREFIXES: [(&[u8], Family, u8); 6] = [
    (b"ipv4     2 tcp      6 ", Family::Ipv4, 6),
    (b"ipv6     10 tcp      6 ", Family::Ipv6, 6),
    (b"ipv4     2 udp      17 ", Family::Ipv4, 17),
    (b"ipv6     10 udp      17 ", Family::Ipv6, 17),
    (b"ipv4     2 icmp     1 ", Family::Ipv4, 1),
    (b"ipv6     10 icmpv6   58 ", Family::Ipv6, 58),
];

/// The family names and numbers of the first two fields.
pub const FAMILIES: [(&[u8], u32, Family); 2] =
    [(b"ipv4", 2, Family::Ipv4), (b"ipv6", 10, Family::Ipv6)];

/// What follows a tuple's addresses, decided by the protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum L4Tuple {
    /// `sport=%hu dport=%hu `
    Ports,
    /// `type=%u code=%u id=%u `
    Icmp,
    /// `srckey=0x%x dstkey=0x%x `
    Gre,
    /// Nothing (the generic protocol tracker).
    None,
}

/// The protocol names `l4proto_name` prints, with their number (`None`:
/// `unknown`, any number) and tuple layout.
pub const PROTOCOLS: [(&[u8], Option<u8>, L4Tuple); 9] = [
    (b"tcp", Some(6), L4Tuple::Ports),
    (b"udp", Some(17), L4Tuple::Ports),
    (b"icmp", Some(1), L4Tuple::Icmp),
    (b"icmpv6", Some(58), L4Tuple::Icmp),
    (b"gre", Some(47), L4Tuple::Gre),
    (b"sctp", Some(132), L4Tuple::Ports),
    (b"udplite", Some(136), L4Tuple::Ports),
    (b"dccp", Some(33), L4Tuple::Ports),
    (b"unknown", None, L4Tuple::None),
];

/// The tuple layout of a protocol number (for the fast prefixes).
pub const fn l4_tuple(number: u8) -> L4Tuple {
    match number {
        6 | 17 | 132 | 136 | 33 => L4Tuple::Ports,
        1 | 58 => L4Tuple::Icmp,
        47 => L4Tuple::Gre,
        _ => L4Tuple::None,
    }
}

/// Keys and flags, in the order they appear on a line.
pub mod key {
    pub const SRC: &[u8] = b"src=";
    pub const DST: &[u8] = b"dst=";
    pub const SPORT: &[u8] = b"sport=";
    pub const DPORT: &[u8] = b"dport=";
    pub const TYPE: &[u8] = b"type=";
    pub const CODE: &[u8] = b"code=";
    pub const ID: &[u8] = b"id=";
    pub const SRCKEY: &[u8] = b"srckey=0x";
    pub const DSTKEY: &[u8] = b"dstkey=0x";
    pub const ZONE_ORIG: &[u8] = b"zone-orig=";
    pub const PACKETS: &[u8] = b"packets=";
    pub const BYTES: &[u8] = b"bytes=";
    pub const UNREPLIED: &[u8] = b"[UNREPLIED]";
    pub const ZONE_REPLY: &[u8] = b"zone-reply=";
    pub const HW_OFFLOAD: &[u8] = b"[HW_OFFLOAD]";
    pub const OFFLOAD: &[u8] = b"[OFFLOAD]";
    pub const ASSURED: &[u8] = b"[ASSURED]";
    pub const MARK: &[u8] = b"mark=";
    pub const SECCTX: &[u8] = b"secctx=";
    pub const SECMARK: &[u8] = b"secmark=";
    pub const ZONE: &[u8] = b"zone=";
    pub const DELTA_TIME: &[u8] = b"delta-time=";
    pub const USE: &[u8] = b"use=";
    /// The end of most lines of a table without marks, zones or
    /// timestamps: `mark=0 zone=0 use=` and then the reference count.
    pub const COMMON_TAIL: &[u8] = b"mark=0 zone=0 use=";
}
