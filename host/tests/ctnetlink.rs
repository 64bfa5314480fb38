//! The ctnetlink decoder against golden bytes (`fixtures/ctnetlink/`, made
//! by its `capture` script in private namespaces on a 6.18 kernel): the
//! request byte for byte; the captured dumps decoded to the same counts as
//! `conntrack -L` (the oracle) and as the procfs parser on the
//! `/proc/net/nf_conntrack` read at the same moment, entry for entry and
//! under filters; the captures rewritten in the other byte order (what a
//! big-endian router's kernel writes, decoded on a big-endian target;
//! refused on this one); hand-built records for offloaded flows and for
//! every malformation, and a bounded random-corruption loop: errors, never
//! panics or wrong counts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use tcpcount::source::ctnetlink::{
    self, CtnlError, RECORD_TYPE, REQUEST_LEN, count_replies, decode, read_messages, request,
};
use tcpcount_core::conntrack::{
    CtCounts, CtFilter, CtParser, CtState, CtStateSet, Entry, EntryParts, Protocol,
};
use tcpcount_core::{Cidr, Family, PortList};

const REQUEST: &[u8] = include_bytes!("../../fixtures/ctnetlink/request.bin");

struct Capture {
    name: &'static str,
    reply: &'static [u8],
    proc: &'static str,
    oracle: &'static str,
}

macro_rules! capture {
    ($name:literal) => {
        Capture {
            name: $name,
            reply: include_bytes!(concat!("../../fixtures/ctnetlink/", $name, "/reply.bin")),
            proc: include_str!(concat!("../../fixtures/ctnetlink/", $name, "/nf_conntrack")),
            oracle: include_str!(concat!("../../fixtures/ctnetlink/", $name, "/oracle.txt")),
        }
    };
}

fn captures() -> [Capture; 3] {
    [
        capture!("states"),
        capture!("acct-zones-marks"),
        capture!("nat-router"),
    ]
}

#[derive(Clone, Copy, PartialEq)]
enum Order {
    Host,
    Foreign,
}

/// NLA_F_NESTED, written out (not taken from the module under test).
const NESTED: u16 = 1 << 15;

fn u16_in(order: Order, value: u16) -> [u8; 2] {
    match order {
        Order::Host => value.to_ne_bytes(),
        Order::Foreign => value.swap_bytes().to_ne_bytes(),
    }
}

fn u32_in(order: Order, value: u32) -> [u8; 4] {
    match order {
        Order::Host => value.to_ne_bytes(),
        Order::Foreign => value.swap_bytes().to_ne_bytes(),
    }
}

/// Rewrites the attribute headers of `little[range]` (little-endian, as
/// captured) in host order, recursing into nested ones. `parent` is the
/// path of attribute types above; the nests the decoder reads must carry
/// NLA_F_NESTED
/// (else this rewrite, like a reader relying on the flag, would miss them).
fn reorder_attrs(little: &[u8], out: &mut [u8], mut at: usize, end: usize, parent: &[u16]) {
    while at < end {
        assert!(at + 4 <= end, "attribute header past its container");
        let len = u16::from_le_bytes([little[at], little[at + 1]]) as usize;
        let kind = u16::from_le_bytes([little[at + 2], little[at + 3]]);
        assert!(len >= 4 && at + len <= end, "attribute length out of range");
        out[at..at + 2].copy_from_slice(&u16_in(Order::Host, len as u16));
        out[at + 2..at + 4].copy_from_slice(&u16_in(Order::Host, kind));
        let bare = kind & !(NESTED | (1 << 14));
        // Top level: tuples (1, 2), protoinfo (4); in those, the tuple's ip
        // and proto (1, 2) and protoinfo's tcp (1).
        let must_nest = match parent {
            [] => matches!(bare, 1 | 2 | 4),
            [1 | 2] => matches!(bare, 1 | 2),
            [4] => bare == 1,
            _ => false,
        };
        assert!(
            !must_nest || kind & NESTED != 0,
            "attribute {bare} under {parent:?} without NLA_F_NESTED"
        );
        if kind & NESTED != 0 {
            let path = [parent, &[bare]].concat();
            reorder_attrs(little, out, at + 4, at + len, &path);
        }
        at += len.next_multiple_of(4);
    }
}

/// The little-endian capture with every host-order field (nlmsghdr, nlattr
/// len and type, NLMSG_DONE's and NLMSG_ERROR's int) written in `order`;
/// payloads (network order) untouched. Host order on a big-endian target is
/// what its kernel writes. Offsets written out here, not taken from the
/// module.
fn reorder(little: &[u8], order: Order) -> Vec<u8> {
    let mut out = little.to_vec();
    // First every attribute header in host order, then the message headers
    // in `order`, so a foreign-order capture is foreign everywhere.
    let mut at = 0;
    while at < little.len() {
        let le32 = |i: usize| u32::from_le_bytes(little[i..i + 4].try_into().unwrap());
        let len = le32(at) as usize;
        let kind = u16::from_le_bytes([little[at + 4], little[at + 5]]);
        let flags = u16::from_le_bytes([little[at + 6], little[at + 7]]);
        out[at..at + 4].copy_from_slice(&u32_in(order, len as u32));
        out[at + 4..at + 6].copy_from_slice(&u16_in(order, kind));
        out[at + 6..at + 8].copy_from_slice(&u16_in(order, flags));
        for field in [at + 8, at + 12] {
            out[field..field + 4].copy_from_slice(&u32_in(order, le32(field)));
        }
        match kind {
            0x100 | 0x101 => {
                // nfgenmsg, then attributes.
                reorder_attrs(little, &mut out, at + 20, at + len, &[]);
                if order == Order::Foreign {
                    swap_attr_headers(&mut out, at + 20, at + len);
                }
            }
            2 | 3 => {
                let i = at + 16;
                out[i..i + 4].copy_from_slice(&u32_in(order, le32(i)));
            }
            _ => panic!("unexpected message type {kind:#x} in a capture"),
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

/// Byte-swaps every attribute header (already in host order) in place.
fn swap_attr_headers(out: &mut [u8], mut at: usize, end: usize) {
    while at < end {
        let len = u16::from_ne_bytes([out[at], out[at + 1]]) as usize;
        let kind = u16::from_ne_bytes([out[at + 2], out[at + 3]]);
        if kind & NESTED != 0 {
            swap_attr_headers(out, at + 4, at + len);
        }
        out[at..at + 2].copy_from_slice(&(len as u16).swap_bytes().to_ne_bytes());
        out[at + 2..at + 4].copy_from_slice(&kind.swap_bytes().to_ne_bytes());
        at += len.next_multiple_of(4);
    }
}

fn proc_counts(text: &str, filter: CtFilter) -> CtCounts {
    let mut parser = CtParser::with_filter(filter);
    parser.feed(text.as_bytes()).unwrap();
    parser.finish().unwrap()
}

/// An entry without its timeout (the file and the dump were read a moment
/// apart), as text for sorting.
fn timeless(entry: &Entry) -> String {
    let parts = EntryParts {
        timeout: None,
        ..entry.parts()
    };
    format!("{:?}", Entry::from_parts(parts))
}

fn decoded(reply: &[u8]) -> (bool, Vec<Entry>) {
    let mut entries = Vec::new();
    let done = read_messages(reply, &mut |e: &Entry| entries.push(*e)).unwrap();
    (done, entries)
}

#[test]
fn request_equals_the_captured_request() {
    assert_eq!(request().as_slice(), reorder(REQUEST, Order::Host));
    assert_eq!(REQUEST_LEN, 20);
}

#[test]
fn request_fields() {
    let bytes = request();
    let cases: [(&str, &[u8], &[u8]); 6] = [
        ("len", &bytes[0..4], &20u32.to_ne_bytes()),
        // NFNL_SUBSYS_CTNETLINK (1) << 8 | IPCTNL_MSG_CT_GET (1)
        ("type", &bytes[4..6], &0x0101u16.to_ne_bytes()),
        ("flags", &bytes[6..8], &0x301u16.to_ne_bytes()),
        ("seq", &bytes[8..12], &1u32.to_ne_bytes()),
        ("pid", &bytes[12..16], &[0; 4]),
        // AF_UNSPEC: both families; NFNETLINK_V0; res_id 0.
        ("nfgenmsg", &bytes[16..20], &[0, 0, 0, 0]),
    ];
    for (name, got, want) in cases {
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn captured_dumps_count_as_conntrack_and_the_proc_file() {
    for capture in captures() {
        let reply = reorder(capture.reply, Order::Host);
        let counts = count_replies(&reply, &CtFilter::new(), |_| {}).unwrap();
        let want = tcpcount_oracle::listing(capture.oracle).expect("an oracle listing");
        assert!(want.len() >= 8, "{}: capture too small", capture.name);
        assert_eq!(
            common::ct_listed(&counts),
            want,
            "{}: against conntrack -L",
            capture.name
        );
        assert_eq!(
            counts,
            proc_counts(capture.proc, CtFilter::new()),
            "{}: against the procfs parser",
            capture.name
        );
    }
}

#[test]
fn every_captured_entry_is_the_one_the_proc_file_shows() {
    for capture in captures() {
        let (done, entries) = decoded(&reorder(capture.reply, Order::Host));
        assert!(done, "{}: no NLMSG_DONE", capture.name);
        let mut got: Vec<String> = entries.iter().map(timeless).collect();
        let mut want: Vec<String> = capture
            .proc
            .lines()
            .map(|l| timeless(&Entry::parse(l.as_bytes()).unwrap()))
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{}", capture.name);
    }
}

#[test]
fn captured_dumps_hold_what_the_tests_claim() {
    // Both families, every holdable TCP state, zones, marks and NAT: the
    // comparisons above are only as strong as this.
    let states = decoded(&reorder(captures()[0].reply, Order::Host)).1;
    for family in [Family::Ipv4, Family::Ipv6] {
        for state in &CtState::ALL[1..10] {
            assert!(
                states
                    .iter()
                    .any(|e| e.family() == family && e.state() == Some(*state)),
                "{family:?} {state}"
            );
        }
    }
    let zoned = decoded(&reorder(captures()[1].reply, Order::Host)).1;
    assert!(zoned.iter().any(|e| e.zone() == Some(7)));
    assert!(zoned.iter().any(|e| e.zone().is_none()), "zone-orig entry");
    assert!(zoned.iter().any(|e| e.mark() == Some(42)));
    let nat = decoded(&reorder(captures()[2].reply, Order::Host)).1;
    assert!(
        nat.iter()
            .any(|e| e.original().dst != e.reply().src || e.original().src != e.reply().dst)
    );
}

#[test]
fn filters_count_as_the_procfs_parser_does() {
    let states = |list| Some(CtStateSet::parse(list).unwrap());
    let filters = [
        CtFilter {
            family: Some(Family::Ipv6),
            ..CtFilter::new()
        },
        CtFilter {
            states: states("established,time-wait,syn-sent2"),
            ..CtFilter::new()
        },
        CtFilter {
            protocol: Some(Protocol::Udp),
            ..CtFilter::new()
        },
        CtFilter {
            dst_ports: Some(PortList::parse("7001-7005,8001").unwrap()),
            ..CtFilter::new()
        },
        CtFilter {
            src_net: Some(Cidr::parse("10.0.1.0/24").unwrap()),
            ..CtFilter::new()
        },
        CtFilter {
            dst_net: Some(Cidr::parse("::1/128").unwrap()),
            states: states("fin-wait,last-ack"),
            ..CtFilter::new()
        },
    ];
    for capture in captures() {
        let reply = reorder(capture.reply, Order::Host);
        for filter in &filters {
            let mut seen = 0;
            let got = count_replies(&reply, filter, |e| {
                assert!(filter.matches(e));
                seen += 1;
            })
            .unwrap();
            let want = proc_counts(capture.proc, filter.clone());
            assert_eq!(got, want, "{} {filter:?}", capture.name);
            assert_eq!(seen, got.total().entries(), "{}", capture.name);
        }
    }
}

#[test]
fn captures_in_the_other_byte_order_are_refused() {
    // What this decoder sees of a big-endian kernel's bytes on a
    // little-endian machine (and the reverse): a length out of range, so it
    // fails loudly instead of miscounting.
    for capture in captures() {
        let foreign = reorder(capture.reply, Order::Foreign);
        assert_ne!(foreign, reorder(capture.reply, Order::Host));
        let error = count_replies(&foreign, &CtFilter::new(), |_| {}).unwrap_err();
        assert!(
            matches!(error, CtnlError::Malformed { offset: 0, .. }),
            "{}: {error}",
            capture.name
        );
    }
}

/// Where each message of a (host-order) reply starts, and the end.
fn boundaries(reply: &[u8]) -> Vec<usize> {
    let mut at = 0;
    let mut out = vec![0];
    while at < reply.len() {
        let len = u32::from_ne_bytes(reply[at..at + 4].try_into().unwrap()) as usize;
        at += len.next_multiple_of(4);
        out.push(at);
    }
    out
}

#[test]
fn every_split_at_a_message_boundary_gives_the_same_entries() {
    let reply = reorder(captures()[0].reply, Order::Host);
    let (_, whole) = decoded(&reply);
    let cuts = boundaries(&reply);
    let mut seen = Vec::new();
    let mut done = false;
    for pair in cuts.windows(2) {
        assert!(!done, "data after NLMSG_DONE");
        done = read_messages(&reply[pair[0]..pair[1]], &mut |e: &Entry| seen.push(*e)).unwrap();
    }
    assert!(done);
    assert_eq!(seen, whole);
}

#[test]
fn a_reply_cut_anywhere_else_is_an_error() {
    for capture in captures() {
        let reply = reorder(capture.reply, Order::Host);
        let cuts = boundaries(&reply);
        for end in 0..reply.len() {
            let got = read_messages(&reply[..end], &mut |_: &Entry| {});
            if cuts.contains(&end) {
                assert!(matches!(got, Ok(false)), "{} cut at {end}", capture.name);
            } else {
                assert!(
                    matches!(got, Err(CtnlError::Malformed { .. })),
                    "{} cut at {end}: {got:?}",
                    capture.name
                );
            }
        }
    }
}

#[test]
fn random_corruption_gives_errors_or_plausible_counts_never_panics() {
    let mut rng = tcpcount_oracle::Rng::from_state(0x7463_7063_6f75_6e74);
    let mut outcomes = [0u32; 2];
    for capture in captures() {
        let reply = reorder(capture.reply, Order::Host);
        let entries = decoded(&reply).1.len() as u32;
        for _ in 0..3000 {
            let mut bytes = reply.clone();
            for _ in 0..1 + rng.index(4) {
                let at = rng.index(bytes.len());
                bytes[at] = match rng.index(3) {
                    0 => rng.next() as u8,
                    1 => bytes[at] ^ (1 << rng.index(8)),
                    _ => 0,
                };
            }
            if rng.index(8) == 0 {
                bytes.truncate(rng.index(bytes.len()));
            }
            match count_replies(&bytes, &CtFilter::new(), |_| {}) {
                Ok(counts) => {
                    // A flipped payload byte may change what an entry is,
                    // never how many there are beyond the records sent.
                    assert!(counts.total().entries() <= entries);
                    outcomes[0] += 1;
                }
                Err(_) => outcomes[1] += 1,
            }
        }
    }
    assert!(outcomes[0] > 0 && outcomes[1] > 0, "{outcomes:?}");
}

// Hand-built messages.

fn attr(kind: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(4 + payload.len() as u16).to_ne_bytes());
    out.extend_from_slice(&kind.to_ne_bytes());
    out.extend_from_slice(payload);
    while out.len() % 4 != 0 {
        out.push(0);
    }
    out
}

fn nest(kind: u16, attrs: &[Vec<u8>]) -> Vec<u8> {
    attr(kind | NESTED, &attrs.concat())
}

fn message(kind: u16, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(16 + body.len() as u32).to_ne_bytes());
    out.extend_from_slice(&kind.to_ne_bytes());
    out.extend_from_slice(&2u16.to_ne_bytes()); // NLM_F_MULTI
    out.extend_from_slice(&1u32.to_ne_bytes());
    out.extend_from_slice(&0u32.to_ne_bytes());
    out.extend_from_slice(body);
    out
}

fn done() -> Vec<u8> {
    message(3, &0i32.to_ne_bytes())
}

/// A v4 tuple: CTA_TUPLE_IP { V4_SRC, V4_DST }, CTA_TUPLE_PROTO { NUM,
/// SRC_PORT, DST_PORT }.
fn tuple4(src: [u8; 4], dst: [u8; 4], protocol: u8, ports: (u16, u16)) -> Vec<Vec<u8>> {
    vec![
        nest(1, &[attr(1, &src), attr(2, &dst)]),
        nest(
            2,
            &[
                attr(1, &[protocol]),
                attr(2, &ports.0.to_be_bytes()),
                attr(3, &ports.1.to_be_bytes()),
            ],
        ),
    ]
}

/// The parts of a record, each replaceable by a case.
#[derive(Clone)]
struct Record {
    family: u8,
    original: Vec<u8>,
    reply: Vec<u8>,
    status: Vec<u8>,
    timeout: Vec<u8>,
    protoinfo: Vec<u8>,
    extra: Vec<u8>,
}

const SEEN_REPLY: u32 = 1 << 1;
const ASSURED: u32 = 1 << 2;
const OFFLOAD: u32 = 1 << 14;
const HW_OFFLOAD: u32 = 1 << 15;

impl Record {
    /// An ESTABLISHED, ASSURED IPv4 TCP entry.
    fn tcp() -> Record {
        Record {
            family: libc::AF_INET as u8,
            original: nest(1, &tuple4([10, 0, 0, 2], [10, 0, 1, 2], 6, (40000, 443))),
            reply: nest(2, &tuple4([10, 0, 1, 2], [10, 0, 0, 2], 6, (443, 40000))),
            status: attr(3, &(SEEN_REPLY | ASSURED | 8).to_be_bytes()),
            timeout: attr(7, &431_999u32.to_be_bytes()),
            protoinfo: nest(4, &[nest(1, &[attr(1, &[3]), attr(2, &[7])])]),
            extra: [attr(8, &0u32.to_be_bytes()), attr(12, &[1, 2, 3, 4])].concat(),
        }
    }

    fn status(mut self, bits: u32) -> Record {
        self.status = attr(3, &bits.to_be_bytes());
        self
    }

    fn bytes(&self) -> Vec<u8> {
        let body = [
            vec![self.family, 0, 0, 0],
            self.original.clone(),
            self.reply.clone(),
            self.status.clone(),
            self.timeout.clone(),
            self.protoinfo.clone(),
            self.extra.clone(),
        ]
        .concat();
        message(RECORD_TYPE, &body)
    }
}

fn one(record: &Record) -> Result<Entry, &'static str> {
    let bytes = record.bytes();
    decode(&bytes[16..])
}

#[test]
fn hand_built_records_decode_as_proc_would_show_them() {
    let plain = one(&Record::tcp()).unwrap();
    let proc_line = "ipv4     2 tcp      6 431999 ESTABLISHED src=10.0.0.2 dst=10.0.1.2 sport=40000 dport=443 src=10.0.1.2 dst=10.0.0.2 sport=443 dport=40000 [ASSURED] mark=0 zone=0 use=2";
    assert_eq!(plain, Entry::parse(proc_line.as_bytes()).unwrap());

    // (name, record, state, offload, hw_offload, assured, unreplied, timeout)
    type Case = (
        &'static str,
        Record,
        Option<CtState>,
        bool,
        bool,
        bool,
        bool,
        Option<u32>,
    );
    let offloaded = |bits| Record {
        timeout: vec![],
        protoinfo: vec![],
        ..Record::tcp().status(bits)
    };
    let mut udp = Record {
        original: nest(1, &tuple4([10, 0, 0, 2], [10, 0, 1, 2], 17, (5353, 53))),
        reply: nest(2, &tuple4([10, 0, 1, 2], [10, 0, 0, 2], 17, (53, 5353))),
        protoinfo: vec![],
        ..Record::tcp().status(8)
    };
    let cases: [Case; 7] = [
        (
            "plain",
            Record::tcp(),
            Some(CtState::Established),
            false,
            false,
            true,
            false,
            Some(431_999),
        ),
        (
            "offload",
            offloaded(SEEN_REPLY | ASSURED | OFFLOAD),
            Some(CtState::Offload),
            true,
            false,
            false,
            false,
            None,
        ),
        (
            "hw offload",
            offloaded(SEEN_REPLY | ASSURED | OFFLOAD | HW_OFFLOAD),
            Some(CtState::HwOffload),
            true,
            true,
            false,
            false,
            None,
        ),
        (
            "hw bit alone",
            offloaded(SEEN_REPLY | HW_OFFLOAD),
            Some(CtState::HwOffload),
            true,
            true,
            false,
            false,
            None,
        ),
        // An old kernel (before 4.16) still sent both for offloaded flows.
        (
            "offload, old kernel",
            Record::tcp().status(SEEN_REPLY | OFFLOAD),
            Some(CtState::Offload),
            true,
            false,
            false,
            false,
            None,
        ),
        (
            "unreplied udp",
            udp.clone(),
            None,
            false,
            false,
            false,
            true,
            Some(431_999),
        ),
        (
            "unknown tcp state",
            Record {
                protoinfo: nest(4, &[nest(1, &[attr(1, &[10])])]),
                ..Record::tcp()
            },
            Some(CtState::Unknown),
            false,
            false,
            true,
            false,
            Some(431_999),
        ),
    ];
    for (name, record, state, offload, hw, assured, unreplied, timeout) in cases {
        let e = one(&record).unwrap_or_else(|w| panic!("{name}: {w}"));
        assert_eq!(
            (
                e.state(),
                e.offload(),
                e.hw_offload(),
                e.assured(),
                e.unreplied(),
                e.timeout()
            ),
            (state, offload, hw, assured, unreplied, timeout),
            "{name}"
        );
    }
    udp.status = attr(3, &(SEEN_REPLY | OFFLOAD).to_be_bytes());
    udp.timeout = vec![];
    let e = one(&udp).unwrap();
    assert_eq!(
        (e.state(), e.protocol(), e.offload()),
        (None, Protocol::Udp, true)
    );

    // Every TCP code the kernel has maps to its bucket.
    for (code, state) in CtState::ALL[..10].iter().enumerate() {
        let record = Record {
            protoinfo: nest(4, &[nest(1, &[attr(1, &[code as u8])])]),
            ..Record::tcp()
        };
        assert_eq!(one(&record).unwrap().state(), Some(*state));
    }

    // IPv6, zones, a record split over attributes in any order.
    let v6 = |a: u8| {
        let mut ip = [0u8; 16];
        ip[0] = 0xfd;
        ip[15] = a;
        ip
    };
    let tuple6 = |s, d, p: (u16, u16)| {
        vec![
            nest(1, &[attr(3, &v6(s)), attr(4, &v6(d))]),
            nest(
                2,
                &[
                    attr(1, &[6]),
                    attr(2, &p.0.to_be_bytes()),
                    attr(3, &p.1.to_be_bytes()),
                ],
            ),
        ]
    };
    let mut zone_orig = tuple6(1, 2, (1, 2));
    zone_orig.push(attr(3, &9u16.to_be_bytes()));
    let record = Record {
        family: libc::AF_INET6 as u8,
        original: nest(1, &zone_orig),
        reply: nest(2, &tuple6(2, 1, (2, 1))),
        extra: attr(8, &42u32.to_be_bytes()),
        ..Record::tcp()
    };
    let e = one(&record).unwrap();
    assert_eq!(e.family(), Family::Ipv6);
    assert_eq!((e.zone(), e.mark()), (None, Some(42)));
    assert_eq!(
        e.original().src,
        "fd00::1".parse::<std::net::IpAddr>().unwrap()
    );
    assert_eq!(e.original().ports, Some((1, 2)));
    let e = one(&Record {
        extra: attr(18, &7u16.to_be_bytes()),
        ..record
    })
    .unwrap();
    assert_eq!((e.zone(), e.mark()), (Some(7), None));
}

#[test]
fn malformed_records_are_errors() {
    let v6_in_v4 = nest(
        1,
        &[
            nest(1, &[attr(3, &[0; 16]), attr(4, &[0; 16])]),
            nest(2, &[attr(1, &[6]), attr(2, &[0, 1]), attr(3, &[0, 2])]),
        ],
    );
    let no_ports = nest(
        1,
        &[
            nest(1, &[attr(1, &[1; 4]), attr(2, &[2; 4])]),
            nest(2, &[attr(1, &[6])]),
        ],
    );
    let short_address = nest(1, &[nest(1, &[attr(1, &[1; 5]), attr(2, &[2; 4])])]);
    let wide_port = nest(
        1,
        &[
            nest(1, &[attr(1, &[1; 4]), attr(2, &[2; 4])]),
            nest(2, &[attr(1, &[6]), attr(2, &[0, 0, 1]), attr(3, &[0, 2])]),
        ],
    );
    let udp_reply = nest(2, &tuple4([1; 4], [2; 4], 17, (1, 2)));
    let mut past_end = Record::tcp().original.clone();
    past_end[0..2].copy_from_slice(&200u16.to_ne_bytes());
    let mut below_header = Record::tcp().original.clone();
    below_header[0..2].copy_from_slice(&3u16.to_ne_bytes());
    let base = Record::tcp;
    let cases: [(&str, Record, &str); 14] = [
        (
            "family",
            Record {
                family: 7,
                ..base()
            },
            "nfgen_family is neither AF_INET nor AF_INET6",
        ),
        (
            "no original",
            Record {
                original: vec![],
                ..base()
            },
            "no CTA_TUPLE_ORIG",
        ),
        (
            "no reply",
            Record {
                reply: vec![],
                ..base()
            },
            "no CTA_TUPLE_REPLY",
        ),
        (
            "no status",
            Record {
                status: vec![],
                ..base()
            },
            "no CTA_STATUS",
        ),
        (
            "short status",
            Record {
                status: attr(3, &[0; 3]),
                ..base()
            },
            "CTA_STATUS is not 4 bytes",
        ),
        (
            "no timeout",
            Record {
                timeout: vec![],
                ..base()
            },
            "no CTA_TIMEOUT",
        ),
        (
            "no tcp state",
            Record {
                protoinfo: vec![],
                ..base()
            },
            "TCP entry without CTA_PROTOINFO_TCP_STATE",
        ),
        (
            "v6 address in v4",
            Record {
                original: v6_in_v4,
                ..base()
            },
            "address of the other family",
        ),
        (
            "no ports",
            Record {
                original: no_ports,
                ..base()
            },
            "tuple without CTA_PROTO_SRC_PORT",
        ),
        (
            "5-byte address",
            Record {
                original: short_address,
                ..base()
            },
            "IPv4 address is not 4 bytes",
        ),
        (
            "3-byte port",
            Record {
                original: wide_port,
                ..base()
            },
            "port is not 2 bytes",
        ),
        (
            "protocols differ",
            Record {
                reply: udp_reply,
                ..base()
            },
            "the tuples' protocol numbers differ",
        ),
        (
            "attribute past its end",
            Record {
                original: past_end,
                ..base()
            },
            "attribute length out of range",
        ),
        (
            "attribute below its header",
            Record {
                original: below_header,
                ..base()
            },
            "attribute length out of range",
        ),
    ];
    for (name, record, want) in cases {
        assert_eq!(one(&record), Err(want), "{name}");
        // In a datagram, the same error with the message's offset.
        let bytes = [done_free_prefix(), record.bytes(), done()].concat();
        match read_messages(&bytes, &mut |_: &Entry| {}) {
            Err(CtnlError::Malformed { offset, what }) => {
                assert_eq!((offset, what), (done_free_prefix().len(), want), "{name}");
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    assert_eq!(decode(&[2, 0, 0]), Err("record shorter than nfgenmsg"));
    assert_eq!(decode(&[]), Err("record shorter than nfgenmsg"));
}

/// A good record, so errors in the next message show a non-zero offset.
fn done_free_prefix() -> Vec<u8> {
    Record::tcp().bytes()
}

#[test]
fn special_and_malformed_messages() {
    let error = |errno: i32| message(2, &[(-errno).to_ne_bytes().as_slice(), &[0; 16]].concat());
    let mut too_long = done();
    too_long[0..4].copy_from_slice(&100u32.to_ne_bytes());
    let mut too_short = done();
    too_short[0..4].copy_from_slice(&15u32.to_ne_bytes());
    type Outcome = Result<(bool, usize), &'static str>;
    let classify = |e: CtnlError| -> &'static str {
        match e {
            CtnlError::Unavailable(_) => "unavailable",
            CtnlError::NeedsRoot(_) => "root",
            CtnlError::Io(e) if e.raw_os_error() == Some(libc::EINTR) => "eintr",
            CtnlError::Io(_) => "io",
            CtnlError::Malformed { .. } => "malformed",
        }
    };
    let record = Record::tcp().bytes();
    let cases: [(&str, Vec<u8>, Outcome); 16] = [
        ("empty datagram", vec![], Ok((false, 0))),
        ("less than a header", vec![0; 15], Err("malformed")),
        ("done", done(), Ok((true, 0))),
        (
            "records then done",
            [record.clone(), record.clone(), done()].concat(),
            Ok((true, 2)),
        ),
        (
            "records, no done yet",
            [record.clone(), record.clone()].concat(),
            Ok((false, 2)),
        ),
        (
            "noop skipped",
            [message(1, &[]), done()].concat(),
            Ok((true, 0)),
        ),
        (
            "ack skipped",
            [error(0), record.clone()].concat(),
            Ok((false, 1)),
        ),
        (
            "done with EINTR",
            message(3, &(-libc::EINTR).to_ne_bytes()),
            Err("eintr"),
        ),
        ("EPERM", error(libc::EPERM), Err("root")),
        (
            "EINVAL: no ctnetlink",
            error(libc::EINVAL),
            Err("unavailable"),
        ),
        ("EOPNOTSUPP", error(libc::EOPNOTSUPP), Err("unavailable")),
        ("ENOBUFS", error(libc::ENOBUFS), Err("io")),
        ("overrun", message(4, &[]), Err("malformed")),
        (
            "unknown type",
            [message(0x102, &[0; 4]), done()].concat(),
            Err("malformed"),
        ),
        ("length past the end", too_long, Err("malformed")),
        ("length below a header", too_short, Err("malformed")),
    ];
    for (name, bytes, want) in cases {
        let mut n = 0;
        let got = read_messages(&bytes, &mut |_: &Entry| n += 1)
            .map(|done| (done, n))
            .map_err(classify);
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn errors_say_what_to_do() {
    let cases = [
        (
            libc::EINVAL,
            "ctnetlink not available (modprobe nf_conntrack_netlink)",
        ),
        (
            libc::EPROTONOSUPPORT,
            "ctnetlink not available (modprobe nf_conntrack_netlink)",
        ),
        (libc::EPERM, "needs root (CAP_NET_ADMIN)"),
        (libc::EACCES, "needs root (CAP_NET_ADMIN)"),
        (libc::ENOBUFS, "ctnetlink dump: "),
    ];
    for (errno, want) in cases {
        let error = CtnlError::from_io(std::io::Error::from_raw_os_error(errno));
        assert!(error.to_string().contains(want), "{errno}: {error}");
        assert_eq!(
            error.is_unavailable(),
            want.contains("not available"),
            "{errno}"
        );
    }
    let malformed = CtnlError::Malformed {
        offset: 40,
        what: "no CTA_STATUS",
    };
    assert_eq!(
        malformed.to_string(),
        "ctnetlink dump: malformed reply (message at byte 40): no CTA_STATUS"
    );
    assert_eq!(ctnetlink::BUFFER_SIZE, 32 * 1024);
}
