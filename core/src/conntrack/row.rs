//! One line of `/proc/net/nf_conntrack` (or the legacy
//! `/proc/net/ip_conntrack`), checked against the grammar in
//! `layout` and decoded into an [`Entry`]: a small `Copy` view with
//! the family, protocol, the bucket a TCP entry is counted in, the flags, and
//! both tuples, so filters and top-N tables need not parse the line again.
//! The fast path recognises the fixed prefix of the common protocols; every
//! other line takes the general prefix parser, and both share the rest.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::error::{CtErrorKind, CtField};
use super::layout::{CT_LINE_CAPACITY, FAMILIES, FAST_PREFIXES, L4Tuple, PROTOCOLS, key, l4_tuple};
use super::state::{CtState, Protocol};
use crate::Family;
use crate::tcp::swar::{decimal_bytes, hex_word, word_bytes};

/// One direction of a connection, as the kernel prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Tuple {
    /// `src=`
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub src: IpAddr,
    /// `dst=`
    #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
    pub dst: IpAddr,
    /// `sport=` and `dport=`, for protocols with ports (tcp, udp, sctp,
    /// udplite, dccp); `None` for icmp, gre and others.
    pub ports: Option<(u16, u16)>,
}

impl Tuple {
    const EMPTY: Tuple = Tuple {
        src: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        dst: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        ports: None,
    };

    /// `sport=`, if the protocol has ports.
    pub fn sport(&self) -> Option<u16> {
        self.ports.map(|(s, _)| s)
    }

    /// `dport=`, if the protocol has ports.
    pub fn dport(&self) -> Option<u16> {
        self.ports.map(|(_, d)| d)
    }
}

const UNREPLIED: u8 = 1;
const ASSURED: u8 = 2;
const OFFLOAD: u8 = 4;
const HW_OFFLOAD: u8 = 8;

/// One validated conntrack entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Entry {
    family: Family,
    legacy: bool,
    protocol_number: u8,
    state: Option<CtState>,
    timeout: Option<u32>,
    flags: u8,
    mark: Option<u32>,
    zone: Option<u16>,
    original: Tuple,
    reply: Tuple,
}

impl Entry {
    /// Parses one line (without its newline). Every field must be what the
    /// kernel prints, in its order, with one space between fields after the
    /// protocol number; the line ends with `use=N`.
    pub fn parse(line: &[u8]) -> Result<Entry, CtErrorKind> {
        let (head, rest) = match fast_prefix(line) {
            Some(found) => found,
            None => prefix(line)?,
        };
        let mut entry = Entry::EMPTY;
        line_body(head, rest, &mut entry, false).map(|_| entry)
    }

    /// The entry of the line at the start of `text`, which goes on past the
    /// line's newline (a chunk of the table), written to `out`, and the
    /// line's length, if every field takes a path that stops at a newline
    /// (a token up to a space, such as a `secctx=` label, must hold none;
    /// addresses only through the one-pass parsers) and the line is at most
    /// [`CT_LINE_CAPACITY`] bytes; `None` otherwise, whether the line is
    /// good or bad: then the caller finds the line's end and calls
    /// [`Entry::parse`], which decides. Saves the search for the newline on
    /// the common lines; the entry is the one [`Entry::parse`] gives for the
    /// line (`test_parse_at_against_general`).
    #[cfg_attr(not(tcpcount_small), inline(always))]
    pub(super) fn parse_at(text: &[u8], out: &mut Entry) -> Option<usize> {
        let (head, rest) = match fast_prefix(text) {
            Some(found) => found,
            // Its fields (words, spaces, numbers) stop at a newline.
            None => prefix(text).ok()?,
        };
        let after = line_body(head, rest, out, true).ok()?;
        let n = text.len().checked_sub(after.len())?;
        (n <= CT_LINE_CAPACITY && after.first() == Some(&b'\n')).then_some(n)
    }

    /// A placeholder the parsers write over (not a valid entry of any line).
    pub(super) const EMPTY: Entry = Entry {
        family: Family::Ipv4,
        legacy: false,
        protocol_number: 0,
        state: None,
        timeout: None,
        flags: 0,
        mark: None,
        zone: None,
        original: Tuple::EMPTY,
        reply: Tuple::EMPTY,
    };

    /// IPv4 or IPv6 (legacy `ip_conntrack` lines are IPv4).
    pub fn family(&self) -> Family {
        self.family
    }

    /// Whether the line had the legacy `ip_conntrack` layout.
    pub fn is_legacy(&self) -> bool {
        self.legacy
    }

    /// The IP protocol number.
    pub fn protocol_number(&self) -> u8 {
        self.protocol_number
    }

    /// The protocol bucket.
    pub fn protocol(&self) -> Protocol {
        Protocol::from_number(self.protocol_number)
    }

    /// For a TCP entry, the bucket it is counted in: `[HW_OFFLOAD]`, else
    /// `[OFFLOAD]`, else its state word. `None` for other protocols.
    pub fn state(&self) -> Option<CtState> {
        self.state
    }

    /// Seconds until the entry expires; `None` for an offloaded flow.
    pub fn timeout(&self) -> Option<u32> {
        self.timeout
    }

    /// `[UNREPLIED]`: no packet seen in the reply direction.
    pub fn unreplied(&self) -> bool {
        self.flags & UNREPLIED != 0
    }

    /// `[ASSURED]`.
    pub fn assured(&self) -> bool {
        self.flags & ASSURED != 0
    }

    /// `[OFFLOAD]`.
    pub fn offload(&self) -> bool {
        self.flags & OFFLOAD != 0
    }

    /// `[HW_OFFLOAD]`.
    pub fn hw_offload(&self) -> bool {
        self.flags & HW_OFFLOAD != 0
    }

    /// `mark=`, where the kernel prints it.
    pub fn mark(&self) -> Option<u32> {
        self.mark
    }

    /// `zone=` (both directions), where the kernel prints it.
    pub fn zone(&self) -> Option<u16> {
        self.zone
    }

    /// The original direction: who opened the connection, to where.
    pub fn original(&self) -> &Tuple {
        &self.original
    }

    /// The reply direction (NAT shows here).
    pub fn reply(&self) -> &Tuple {
        &self.reply
    }
}

/// The fields of an entry read from somewhere other than a `/proc` line (a
/// ctnetlink dump record), for [`Entry::from_parts`]. The flags are the
/// kernel's status bits as they are, not yet reduced to what `/proc` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct EntryParts {
    /// IPv4 or IPv6.
    pub family: Family,
    /// The IP protocol number.
    pub protocol_number: u8,
    /// For TCP, the conntrack state (`None`: not reported, as for an
    /// offloaded flow); ignored for other protocols.
    pub tcp_state: Option<CtState>,
    /// Seconds until the entry expires, if reported.
    pub timeout: Option<u32>,
    /// No reply seen (the kernel's `IPS_SEEN_REPLY` bit is clear).
    pub unreplied: bool,
    /// `IPS_ASSURED`.
    pub assured: bool,
    /// `IPS_OFFLOAD`.
    pub offload: bool,
    /// `IPS_HW_OFFLOAD`.
    pub hw_offload: bool,
    /// The mark, if reported.
    pub mark: Option<u32>,
    /// The zone as `/proc` prints it in `zone=`, if it does.
    pub zone: Option<u16>,
    /// The original direction.
    pub original: Tuple,
    /// The reply direction.
    pub reply: Tuple,
}

impl Entry {
    /// The entry `/proc/net/nf_conntrack` would show for these fields, so
    /// both sources count alike: of `[HW_OFFLOAD]`, `[OFFLOAD]` and
    /// `[ASSURED]` only the first that is set is kept (a hardware-offloaded
    /// flow is also offloaded), and a TCP entry is counted as `HW_OFFLOAD`,
    /// else `OFFLOAD`, else its state, else `UNKNOWN`.
    pub fn from_parts(parts: EntryParts) -> Entry {
        let mut flags = if parts.unreplied { UNREPLIED } else { 0 };
        if parts.hw_offload {
            flags |= HW_OFFLOAD | OFFLOAD;
        } else if parts.offload {
            flags |= OFFLOAD;
        } else if parts.assured {
            flags |= ASSURED;
        }
        let state = (parts.protocol_number == 6).then(|| {
            if parts.hw_offload {
                CtState::HwOffload
            } else if parts.offload {
                CtState::Offload
            } else {
                parts.tcp_state.unwrap_or(CtState::Unknown)
            }
        });
        Entry {
            family: parts.family,
            legacy: false,
            protocol_number: parts.protocol_number,
            state,
            timeout: parts.timeout,
            flags,
            mark: parts.mark,
            zone: parts.zone,
            original: parts.original,
            reply: parts.reply,
        }
    }

    /// The entry's fields as [`Entry::from_parts`] takes them, so
    /// `Entry::from_parts(entry.parts()) == entry`.
    pub fn parts(&self) -> EntryParts {
        EntryParts {
            family: self.family(),
            protocol_number: self.protocol_number(),
            tcp_state: self.state(),
            timeout: self.timeout(),
            unreplied: self.unreplied(),
            assured: self.assured(),
            offload: self.offload(),
            hw_offload: self.hw_offload(),
            mark: self.mark(),
            zone: self.zone(),
            original: *self.original(),
            reply: *self.reply(),
        }
    }
}

/// What the prefix tells: family, legacy layout, protocol number, tuple.
#[derive(Clone, Copy)]
struct Head {
    family: Family,
    legacy: bool,
    number: u8,
    l4: L4Tuple,
}

/// The fixed prefixes with the kernel's exact padding. The family's digit
/// (byte 3) and the protocol's first letter (byte 11 for IPv4, 12 for IPv6)
/// pick the one candidate in [`FAST_PREFIXES`] (an index computed, not a
/// search whose end the CPU would have to guess), which one compare
/// confirms (`test_fast_prefix_finds_every_prefix`).
#[cfg_attr(not(tcpcount_small), inline(always))]
fn fast_prefix(line: &[u8]) -> Option<(Head, &[u8])> {
    let (&family_digit, rest) = line.get(3..)?.split_first()?;
    let v6 = usize::from(family_digit == b'6');
    let letter = *rest.get(7 + v6)?;
    let protocol = usize::from(letter == b'u') + 2 * usize::from(letter == b'i');
    let &(prefix, family, number) = FAST_PREFIXES.get(2 * protocol + v6)?;
    if !line
        .get(..prefix.len())
        .is_some_and(|head| same(head, prefix))
    {
        return None;
    }
    let head = Head {
        family,
        legacy: false,
        number,
        l4: l4_tuple(number),
    };
    Some((head, skip(line, prefix.len())))
}

/// The general prefix: `family number protocol number ` or the legacy
/// `protocol number `, with one or more spaces between fields.
fn prefix(line: &[u8]) -> Result<(Head, &[u8]), CtErrorKind> {
    let mut cur = Cursor { rest: line };
    let first = cur.word();
    if first.is_empty() {
        return Err(cur.missing_or_bad(CtField::Family));
    }
    let (family, legacy, name) = match FAMILIES.iter().find(|(n, _, _)| *n == first) {
        Some(&(_, number, family)) => {
            cur.spaces(CtField::Family, CtField::FamilyNumber)?;
            if cur.decimal(CtField::FamilyNumber)? != u64::from(number) {
                return Err(CtErrorKind::BadField(CtField::FamilyNumber));
            }
            cur.spaces(CtField::FamilyNumber, CtField::Protocol)?;
            let name = cur.word();
            if name.is_empty() {
                return Err(cur.missing_or_bad(CtField::Protocol));
            }
            (family, false, name)
        }
        None if PROTOCOLS.iter().any(|(n, _, _)| *n == first) => (Family::Ipv4, true, first),
        None => return Err(CtErrorKind::BadField(CtField::Family)),
    };
    let &(_, expected, l4) = PROTOCOLS
        .iter()
        .find(|(n, _, _)| *n == name)
        .ok_or(CtErrorKind::BadField(CtField::Protocol))?;
    cur.spaces(CtField::Protocol, CtField::ProtocolNumber)?;
    let number = u8::try_from(cur.decimal(CtField::ProtocolNumber)?)
        .map_err(|_| CtErrorKind::BadField(CtField::ProtocolNumber))?;
    if expected.is_some_and(|n| n != number) {
        return Err(CtErrorKind::BadField(CtField::ProtocolNumber));
    }
    cur.separator(CtField::ProtocolNumber, CtField::Timeout)?;
    let head = Head {
        family,
        legacy,
        number,
        l4,
    };
    Ok((head, cur.rest))
}

/// [`body`] with its shortcuts, out of line: one copy of the line parser
/// for [`Entry::parse`] and [`Entry::parse_at`] (`chunk`), not one inlined
/// into each (a copy is about 20 KB of the static binary).
#[inline(never)]
fn line_body<'a>(
    head: Head,
    rest: &'a [u8],
    out: &mut Entry,
    chunk: bool,
) -> Result<&'a [u8], CtErrorKind> {
    body::<true>(head, rest, out, chunk)
}

/// Everything after the prefix. `FAST`: take the TCP state from
/// [`state_fast`] and let the reply tuple take the original's values for
/// fields that repeat them (see [`tuple`]); off only in tests, as the
/// reference these shortcuts must agree with. `chunk`: `rest` goes on past
/// the line, which ends at a newline; every path that could read past it
/// (a token up to a space) fails instead (see [`Entry::parse_at`]). Returns
/// what is left: nothing, or with `chunk` the newline on. Writes the entry
/// to `out` field by field as they are read (fewer values live across the
/// line than when the entry was built at the end; `out` is meaningless
/// after an error).
#[cfg_attr(not(tcpcount_small), inline(always))]
fn body<'a, const FAST: bool>(
    head: Head,
    rest: &'a [u8],
    out: &mut Entry,
    chunk: bool,
) -> Result<&'a [u8], CtErrorKind> {
    out.family = head.family;
    out.legacy = head.legacy;
    out.protocol_number = head.number;
    let mut cur = Cursor { rest };
    let timeout = match cur.rest.first() {
        Some(b'0'..=b'9' | b'-') => {
            let negative = cur.rest.first() == Some(&b'-');
            if negative {
                cur.rest = skip(cur.rest, 1);
            }
            let seconds = cur.decimal(CtField::Timeout)?;
            cur.separator(CtField::Timeout, CtField::State)?;
            Some(if negative {
                0
            } else {
                u32::try_from(seconds).map_err(|_| CtErrorKind::BadField(CtField::Timeout))?
            })
        }
        Some(_) => None,
        None => return Err(CtErrorKind::Truncated(CtField::Timeout)),
    };

    // What the protocol prints between the timeout and the tuple: the TCP
    // state word, or for others (sctp, old gre) words of their own.
    let mut word = None;
    let mut known = None;
    if head.number == 6 {
        if let Some((state, n)) = FAST.then(|| state_fast(cur.rest)).flatten() {
            known = Some(state);
            cur.rest = skip(cur.rest, n + 1);
        } else if let Some(found) = state_word_fast(cur.rest) {
            word = Some(found);
            cur.rest = skip(cur.rest, found.len() + 1);
        }
    }
    while !cur.rest.starts_with(key::SRC) {
        let token = cur.token(chunk)?;
        if token.is_empty() {
            return Err(cur.missing_or_bad(CtField::Source));
        }
        if head.number == 6 {
            let is_word = token
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_');
            if word.is_some() || !is_word {
                return Err(CtErrorKind::BadField(CtField::State));
            }
            word = Some(token);
        }
        cur.separator(CtField::State, CtField::Source)?;
    }

    out.timeout = timeout;
    let texts = tuple(&mut cur, head, None, &mut out.original, chunk)?;
    if cur.take(key::ZONE_ORIG) {
        cur.zone_value()?;
    }
    cur.counters()?;
    let mut flags = 0;
    if cur.take(key::UNREPLIED) {
        flags |= UNREPLIED;
        cur.separator(CtField::Flag, CtField::Source)?;
    }
    if !cur.rest.starts_with(key::SRC) {
        return Err(match cur.rest.first() {
            None => CtErrorKind::Truncated(CtField::Source),
            Some(b'[') => CtErrorKind::BadField(CtField::Flag),
            Some(_) => CtErrorKind::BadField(CtField::Counters),
        });
    }
    let Entry {
        original, reply, ..
    } = out;
    tuple(
        &mut cur,
        head,
        FAST.then_some((&texts, &*original)),
        reply,
        chunk,
    )?;
    if cur.take(key::ZONE_REPLY) {
        cur.zone_value()?;
    }
    cur.counters()?;
    if cur.take(key::HW_OFFLOAD) {
        flags |= HW_OFFLOAD | OFFLOAD;
    } else if cur.take(key::OFFLOAD) {
        flags |= OFFLOAD;
    } else if cur.take(key::ASSURED) {
        flags |= ASSURED;
    }
    if flags & (HW_OFFLOAD | OFFLOAD | ASSURED) != 0 {
        cur.separator(CtField::Flag, CtField::Use)?;
    }
    let (mark, zone) = match common_tail(cur.rest, chunk) {
        Some(n) => {
            cur.rest = skip(cur.rest, n);
            (Some(0), Some(0))
        }
        None => extras(&mut cur, chunk)?,
    };

    let offloaded = flags & OFFLOAD != 0;
    if timeout.is_none() && !offloaded {
        return Err(CtErrorKind::BadField(CtField::Timeout));
    }
    let state = if head.number == 6 {
        Some(if flags & HW_OFFLOAD != 0 {
            CtState::HwOffload
        } else if offloaded {
            CtState::Offload
        } else {
            match known {
                Some(state) => state,
                None => CtState::from_word(word.ok_or(CtErrorKind::BadField(CtField::State))?),
            }
        })
    } else {
        None
    };
    out.state = state;
    out.flags = flags;
    out.mark = mark;
    out.zone = zone;
    Ok(cur.rest)
}

/// Whether `rest` is [`key::COMMON_TAIL`] and one to seven digits (with
/// `chunk`: and then a newline): what [`extras`] accepts as `mark=0`,
/// `zone=0` and `use=`, in one compare. Returns the length of the tail
/// (without the newline).
#[cfg_attr(not(tcpcount_small), inline(always))]
fn common_tail(rest: &[u8], chunk: bool) -> Option<usize> {
    let (head, digits) = rest.split_at_checked(key::COMMON_TAIL.len())?;
    if head != key::COMMON_TAIL {
        return None;
    }
    let n = if chunk {
        let x = match digits.first_chunk::<8>() {
            Some(word) => u64::from_le_bytes(*word),
            None => load_short(digits),
        };
        let n = ((!decimal_bytes(x) & HIGH).trailing_zeros() / 8) as usize;
        (digits.get(n) == Some(&b'\n')).then_some(n)?
    } else {
        digits
            .iter()
            .all(u8::is_ascii_digit)
            .then_some(digits.len())?
    };
    (1..=7).contains(&n).then_some(key::COMMON_TAIL.len() + n)
}

/// What follows the reply tuple and its flag: `mark=`, `secctx=`,
/// `secmark=`, `zone=`, `delta-time=`, each optional, and `use=`, which
/// ends the line. Returns the mark and the zone.
#[cfg_attr(not(tcpcount_small), inline(always))]
fn extras(cur: &mut Cursor<'_>, chunk: bool) -> Result<(Option<u32>, Option<u16>), CtErrorKind> {
    let mut mark = None;
    let mut zone = None;
    if cur.take(key::MARK) {
        mark = Some(
            u32::try_from(cur.decimal(CtField::Extra)?)
                .map_err(|_| CtErrorKind::BadField(CtField::Extra))?,
        );
        cur.separator(CtField::Extra, CtField::Use)?;
    }
    if cur.take(key::SECCTX) {
        if cur.token(chunk)?.is_empty() {
            return Err(cur.missing_or_bad(CtField::Extra));
        }
        cur.separator(CtField::Extra, CtField::Use)?;
    }
    if cur.take(key::SECMARK) {
        cur.decimal(CtField::Extra)?;
        cur.separator(CtField::Extra, CtField::Use)?;
    }
    if cur.take(key::ZONE) {
        zone = Some(cur.zone_value()?);
    }
    if cur.take(key::DELTA_TIME) {
        cur.decimal(CtField::Extra)?;
        cur.separator(CtField::Extra, CtField::Use)?;
    }
    if !cur.take(key::USE) {
        return Err(match cur.rest.first() {
            None => CtErrorKind::Truncated(CtField::Use),
            Some(b'[') => CtErrorKind::BadField(CtField::Flag),
            Some(_) => CtErrorKind::BadField(CtField::Use),
        });
    }
    cur.decimal(CtField::Use)?;
    let ended = if chunk {
        cur.rest.first() == Some(&b'\n')
    } else {
        cur.rest.is_empty()
    };
    if !ended {
        return Err(CtErrorKind::BadField(CtField::Use));
    }

    Ok((mark, zone))
}

/// The text of a tuple's fields as the line prints them (`sport`, `dport`
/// empty for protocols without ports), each of which was followed by a space.
#[derive(Clone, Copy, Default)]
struct Texts<'a> {
    src: &'a [u8],
    dst: &'a [u8],
    sport: &'a [u8],
    dport: &'a [u8],
}

/// `src=A dst=B ` and the protocol's part, each followed by a space, into
/// `out` as they are read; returns the text of its fields. With `mirror`
/// (the original tuple's texts, for the reply tuple), a field whose text
/// is the original's counterpart's followed by a space (the reply of a
/// connection without NAT is the original turned round) takes that field's
/// value instead of being parsed again: the parse of a field depends only
/// on its bytes up to that space, so the result is the same by
/// construction.
#[cfg_attr(not(tcpcount_small), inline(always))]
fn tuple<'a>(
    cur: &mut Cursor<'a>,
    head: Head,
    mirror: Option<(&Texts<'a>, &Tuple)>,
    out: &mut Tuple,
    chunk: bool,
) -> Result<Texts<'a>, CtErrorKind> {
    let mut texts = Texts::default();
    cur.expect(key::SRC, CtField::Source)?;
    let start = cur.rest;
    out.src = match mirror {
        Some((t, o)) if cur.take_same(t.dst) => o.dst,
        _ => cur.address(head.family, CtField::Source, chunk)?,
    };
    texts.src = consumed(start, cur.rest);
    cur.separator_key(CtField::Source, key::DST, CtField::Destination)?;
    let start = cur.rest;
    out.dst = match mirror {
        Some((t, o)) if cur.take_same(t.src) => o.src,
        _ => cur.address(head.family, CtField::Destination, chunk)?,
    };
    texts.dst = consumed(start, cur.rest);
    out.ports = match head.l4 {
        L4Tuple::Ports => {
            cur.separator_key(CtField::Destination, key::SPORT, CtField::SourcePort)?;
            let start = cur.rest;
            let sport = match mirror {
                Some((t, o)) if cur.take_same(t.dport) => o.dport().unwrap_or_default(),
                _ => cur.port(CtField::SourcePort)?,
            };
            texts.sport = consumed(start, cur.rest);
            cur.separator_key(CtField::SourcePort, key::DPORT, CtField::DestinationPort)?;
            let start = cur.rest;
            let dport = match mirror {
                Some((t, o)) if cur.take_same(t.sport) => o.sport().unwrap_or_default(),
                _ => cur.port(CtField::DestinationPort)?,
            };
            texts.dport = consumed(start, cur.rest);
            cur.separator(CtField::DestinationPort, CtField::Use)?;
            Some((sport, dport))
        }
        L4Tuple::Icmp | L4Tuple::Gre => {
            let (result, rest) = l4_keys(cur.rest, head.l4);
            cur.rest = rest;
            result?;
            None
        }
        L4Tuple::None => {
            cur.separator(CtField::Destination, CtField::SourcePort)?;
            None
        }
    };
    Ok(texts)
}

/// The protocol's part of a tuple for icmp (`type= code= id=`) and gre
/// (`srckey=0x dstkey=0x`), each field followed by a space, and the rest
/// after it. Out of line, taking and returning the rest (see
/// [`decimal_long`]): one copy for both tuples of the line parser.
#[inline(never)]
fn l4_keys(rest: &[u8], l4: L4Tuple) -> (Result<(), CtErrorKind>, &[u8]) {
    let mut cur = Cursor { rest };
    let result = match l4 {
        L4Tuple::Gre => gre_keys(&mut cur),
        _ => icmp_keys(&mut cur),
    };
    (result, cur.rest)
}

fn icmp_keys(cur: &mut Cursor<'_>) -> Result<(), CtErrorKind> {
    cur.separator(CtField::Destination, CtField::SourcePort)?;
    for (name, max) in [(key::TYPE, 255), (key::CODE, 255), (key::ID, 65535)] {
        cur.expect(name, CtField::Icmp)?;
        if cur.decimal(CtField::Icmp)? > max {
            return Err(CtErrorKind::BadField(CtField::Icmp));
        }
        cur.separator(CtField::Icmp, CtField::Use)?;
    }
    Ok(())
}

fn gre_keys(cur: &mut Cursor<'_>) -> Result<(), CtErrorKind> {
    cur.separator(CtField::Destination, CtField::SourcePort)?;
    for name in [key::SRCKEY, key::DSTKEY] {
        cur.expect(name, CtField::GreKey)?;
        let n = cur
            .rest
            .iter()
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        if n == 0 || n > 8 {
            return Err(cur.missing_or_bad(CtField::GreKey));
        }
        cur.rest = skip(cur.rest, n);
        cur.separator(CtField::GreKey, CtField::Use)?;
    }
    Ok(())
}

/// The bytes taken from `start` to get to `rest` (a suffix of it).
#[cfg_attr(not(tcpcount_small), inline(always))]
fn consumed<'a>(start: &'a [u8], rest: &[u8]) -> &'a [u8] {
    start
        .get(..start.len().saturating_sub(rest.len()))
        .unwrap_or_default()
}

/// The unread part of a line, consumed field by field. Its helpers are
/// inlined by force where the line parser is hot, except in size builds
/// (`tcpcount_small`, see the crate docs); six of them (`take_same`,
/// `separator_key`, `counters`, `zone_value`, `port`, `address`) only on
/// 64-bit targets: on the 32-bit router targets, built at opt-level z for
/// size, the compiler decides (forced, the tiny mipsel build was 7 KB
/// larger, over its budget).
struct Cursor<'a> {
    rest: &'a [u8],
}

impl<'a> Cursor<'a> {
    /// The error for a field absent here: truncated if the line ended.
    fn missing_or_bad(&self, field: CtField) -> CtErrorKind {
        if self.rest.is_empty() {
            CtErrorKind::Truncated(field)
        } else {
            CtErrorKind::BadField(field)
        }
    }

    /// Takes everything up to the next space or the end. With `chunk` (the
    /// rest goes on past the line), a token with a newline in it is an
    /// error: it ran past the line's end.
    #[cfg_attr(not(tcpcount_small), inline(always))]
    fn token(&mut self, chunk: bool) -> Result<&'a [u8], CtErrorKind> {
        let n = memchr::memchr(b' ', self.rest).unwrap_or(self.rest.len());
        let (token, rest) = self.rest.split_at_checked(n).unwrap_or_default();
        if chunk && token.contains(&b'\n') {
            return Err(CtErrorKind::BadField(CtField::Extra));
        }
        self.rest = rest;
        Ok(token)
    }

    /// Takes a run of lowercase letters and digits.
    fn word(&mut self) -> &'a [u8] {
        let n = self
            .rest
            .iter()
            .take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            .count();
        let (word, rest) = self.rest.split_at_checked(n).unwrap_or_default();
        self.rest = rest;
        word
    }

    /// One or more spaces between prefix fields.
    fn spaces(&mut self, before: CtField, after: CtField) -> Result<(), CtErrorKind> {
        let n = self.rest.iter().take_while(|&&b| b == b' ').count();
        if n == 0 {
            return Err(if self.rest.is_empty() {
                CtErrorKind::Truncated(after)
            } else {
                CtErrorKind::BadField(before)
            });
        }
        self.rest = skip(self.rest, n);
        Ok(())
    }

    /// Exactly one space, which ends field `before` and starts `after`.
    #[cfg_attr(not(tcpcount_small), inline(always))]
    fn separator(&mut self, before: CtField, after: CtField) -> Result<(), CtErrorKind> {
        match self.rest.split_first() {
            Some((b' ', rest)) => {
                self.rest = rest;
                Ok(())
            }
            Some(_) => Err(CtErrorKind::BadField(before)),
            None => Err(CtErrorKind::Truncated(after)),
        }
    }

    /// Consumes `key` if the rest starts with it.
    #[cfg_attr(not(tcpcount_small), inline(always))]
    fn take(&mut self, key: &[u8]) -> bool {
        // Most optional keys are absent: the first byte decides those.
        if self.rest.first() != key.first() {
            return false;
        }
        match self.rest.split_at_checked(key.len()) {
            Some((head, rest)) if same(head, key) => {
                self.rest = rest;
                true
            }
            _ => false,
        }
    }

    /// Consumes `text` if the rest starts with it and a space after it; an
    /// empty `text` (a field the parse took nothing for) never matches.
    #[cfg_attr(all(target_pointer_width = "64", not(tcpcount_small)), inline(always))]
    #[cfg_attr(any(not(target_pointer_width = "64"), tcpcount_small), inline)]
    fn take_same(&mut self, text: &[u8]) -> bool {
        let n = text.len();
        let equal = match (self.rest.first_chunk::<8>(), n) {
            // Up to seven bytes and the space: one masked compare of a word.
            (Some(word), 1..=7) => {
                let want = load_short(text) | u64::from(b' ') << (n * 8);
                let mask = u64::MAX >> ((7 - n) * 8);
                (u64::from_le_bytes(*word) ^ want) & mask == 0
            }
            (_, 0) => false,
            _ => {
                self.rest.get(n) == Some(&b' ')
                    && self.rest.get(..n).is_some_and(|head| same(head, text))
            }
        };
        if equal {
            self.rest = skip(self.rest, n);
        }
        equal
    }

    /// A space ending field `before`, then `key` (at most seven bytes),
    /// which starts `field`: in the common case one masked compare of a
    /// word; otherwise [`Cursor::separator`] and [`Cursor::expect`], which
    /// decide and name the error.
    #[cfg_attr(all(target_pointer_width = "64", not(tcpcount_small)), inline(always))]
    #[cfg_attr(any(not(target_pointer_width = "64"), tcpcount_small), inline)]
    fn separator_key(
        &mut self,
        before: CtField,
        key: &[u8],
        field: CtField,
    ) -> Result<(), CtErrorKind> {
        let len = key.len() + 1;
        if len <= 8
            && let Some(word) = self.rest.first_chunk::<8>()
        {
            let want =
                key.iter().rev().fold(0u64, |x, &b| (x << 8) | u64::from(b)) << 8 | u64::from(b' ');
            let mask = u64::MAX >> ((8 - len) * 8);
            if (u64::from_le_bytes(*word) ^ want) & mask == 0 {
                self.rest = skip(self.rest, len);
                return Ok(());
            }
        }
        self.separator(before, field)?;
        self.expect(key, field)
    }

    /// Consumes `key`, which must be here.
    #[cfg_attr(not(tcpcount_small), inline(always))]
    fn expect(&mut self, key: &[u8], field: CtField) -> Result<(), CtErrorKind> {
        if self.take(key) {
            Ok(())
        } else if key.starts_with(self.rest) {
            Err(CtErrorKind::Truncated(field))
        } else {
            Err(CtErrorKind::BadField(field))
        }
    }

    /// A decimal number without sign, at most `u64::MAX`. A run of fewer
    /// than eight digits (nearly every number on a line) is found and
    /// converted a word at a time ([`decimal_word`]); longer runs take
    /// [`Cursor::decimal_bytes`], whose result is the same.
    #[cfg_attr(not(tcpcount_small), inline(always))]
    fn decimal(&mut self, field: CtField) -> Result<u64, CtErrorKind> {
        let x = match self.rest.first_chunk::<8>() {
            Some(word) => u64::from_le_bytes(*word),
            // The last number of a line (`use=`): its bytes and zeros,
            // which are not digits.
            None => load_short(self.rest),
        };
        let outside = !decimal_bytes(x) & HIGH;
        // Little-endian load: the first byte is the lowest.
        let n = (outside.trailing_zeros() / 8) as usize;
        if n == 0 {
            return Err(self.missing_or_bad(field));
        }
        if n < 8 {
            self.rest = skip(self.rest, n);
            return Ok(decimal_word(x, n));
        }
        self.decimal_bytes(field)
    }

    /// [`Cursor::decimal`] a byte at a time, for runs of eight digits or
    /// more ([`decimal_long`]).
    #[cfg_attr(not(tcpcount_small), inline(always))]
    fn decimal_bytes(&mut self, field: CtField) -> Result<u64, CtErrorKind> {
        let (result, rest) = decimal_long(self.rest, field);
        self.rest = rest;
        result
    }

    #[cfg_attr(all(target_pointer_width = "64", not(tcpcount_small)), inline(always))]
    #[cfg_attr(any(not(target_pointer_width = "64"), tcpcount_small), inline)]
    fn port(&mut self, field: CtField) -> Result<u16, CtErrorKind> {
        u16::try_from(self.decimal(field)?).map_err(|_| CtErrorKind::BadField(field))
    }

    /// A zone number and its space.
    #[cfg_attr(all(target_pointer_width = "64", not(tcpcount_small)), inline(always))]
    #[cfg_attr(any(not(target_pointer_width = "64"), tcpcount_small), inline)]
    fn zone_value(&mut self) -> Result<u16, CtErrorKind> {
        let zone = u16::try_from(self.decimal(CtField::Zone)?)
            .map_err(|_| CtErrorKind::BadField(CtField::Zone))?;
        self.separator(CtField::Zone, CtField::Use)?;
        Ok(zone)
    }

    /// Optional `packets=N bytes=N `.
    #[cfg_attr(all(target_pointer_width = "64", not(tcpcount_small)), inline(always))]
    #[cfg_attr(any(not(target_pointer_width = "64"), tcpcount_small), inline)]
    fn counters(&mut self) -> Result<(), CtErrorKind> {
        if self.take(key::PACKETS) {
            self.decimal(CtField::Counters)?;
            self.separator(CtField::Counters, CtField::Counters)?;
            self.expect(key::BYTES, CtField::Counters)?;
            self.decimal(CtField::Counters)?;
            self.separator(CtField::Counters, CtField::Use)?;
        }
        Ok(())
    }

    /// An address as `%pI4` or `%pI6` prints it. An address followed by a
    /// space, as every address of a valid line is, is parsed in one pass
    /// ([`ipv4_fast`], [`ipv6_fast`]); anything they do not accept takes
    /// the general path below, which decides and names the error.
    #[cfg_attr(all(target_pointer_width = "64", not(tcpcount_small)), inline(always))]
    #[cfg_attr(any(not(target_pointer_width = "64"), tcpcount_small), inline)]
    fn address(
        &mut self,
        family: Family,
        field: CtField,
        chunk: bool,
    ) -> Result<IpAddr, CtErrorKind> {
        let fast = match family {
            Family::Ipv4 => ipv4_fast(self.rest).map(|(ip, n)| (IpAddr::V4(ip), n)),
            Family::Ipv6 => ipv6_fast(self.rest).map(|ip| (IpAddr::V6(ip), 39)),
        };
        if let Some((ip, n)) = fast {
            self.rest = skip(self.rest, n);
            return Ok(ip);
        }
        if chunk {
            // The general parser takes a token up to a space.
            return Err(CtErrorKind::BadField(field));
        }
        let (result, rest) = address_general(self.rest, family, field);
        self.rest = rest;
        result
    }
}

// The two general parsers out of line take the rest of the line and return
// what is left instead of taking the `Cursor` by reference, which would keep
// it in memory (not in registers) through the whole line.

/// A run of decimal digits a byte at a time (see [`Cursor::decimal`]): its
/// value and the rest after it.
#[inline(never)]
fn decimal_long(rest: &[u8], field: CtField) -> (Result<u64, CtErrorKind>, &[u8]) {
    let mut value = 0u64;
    let mut n = 0;
    let mut overflow = false;
    for &b in rest {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        let (times_ten, o1) = value.overflowing_mul(10);
        let (sum, o2) = times_ten.overflowing_add(u64::from(digit));
        overflow |= o1 | o2;
        value = sum;
        n += 1;
    }
    if n == 0 {
        return (Err(Cursor { rest }.missing_or_bad(field)), rest);
    }
    let after = skip(rest, n);
    if overflow {
        return (Err(CtErrorKind::BadField(field)), after);
    }
    (Ok(value), after)
}

/// An address of `family` as the general parsers read it (a token up to a
/// space), and the rest after it (see [`Cursor::address`]).
#[inline(never)]
fn address_general(
    rest: &[u8],
    family: Family,
    field: CtField,
) -> (Result<IpAddr, CtErrorKind>, &[u8]) {
    let width = match family {
        Family::Ipv4 => rest.iter().take(16).take_while(|&&b| b != b' ').count(),
        Family::Ipv6 => 39,
    };
    let text = match rest.get(width..) {
        Some([] | [b' ', ..]) => rest.get(..width).unwrap_or_default(),
        _ => {
            let n = memchr::memchr(b' ', rest).unwrap_or(rest.len());
            rest.get(..n).unwrap_or_default()
        }
    };
    let after = skip(rest, text.len());
    let parsed = match family {
        Family::Ipv4 => ipv4(text).map(IpAddr::V4),
        Family::Ipv6 => ipv6(text).map(IpAddr::V6),
    };
    let result = parsed.ok_or(if after.is_empty() {
        CtErrorKind::Truncated(field)
    } else {
        CtErrorKind::BadField(field)
    });
    (result, after)
}

/// The TCP state word at the start of `rest`, if it is one to fifteen
/// bytes of `A-Z`, `0-9` or `_` followed by ` src=` (what the general loop
/// in [`body`] accepts as the one word before the tuple), found sixteen
/// bytes at a time; `None` sends the line to that loop.
#[cfg_attr(not(tcpcount_small), inline(always))]
fn state_word_fast(rest: &[u8]) -> Option<&[u8]> {
    let (first, second) = rest.first_chunk::<16>()?.split_at(8);
    let outside = |bytes: &[u8]| {
        let x = u64::from_le_bytes(bytes.try_into().unwrap_or_default());
        !word_bytes(x) & HIGH
    };
    let n = match outside(first) {
        0 => 8 + (outside(second).trailing_zeros() / 8) as usize,
        o => (o.trailing_zeros() / 8) as usize,
    };
    let after = rest.get(n..)?;
    (n > 0 && n < 16 && after.get(..1 + key::SRC.len())? == b" src=").then(|| rest.get(..n))?
}

/// The multiplier of [`state_fast`]'s hash, found by a search so that the
/// ten state words (with ` src=` after them) fall in ten different slots
/// (`test_state_fast_finds_every_word` checks it).
const STATE_HASH: u64 = 0xf934_1c68_966b_aea1;

/// The slot of the sixteen bytes at a line's state word (`first`: bytes 0-7,
/// `second`: 8-15): a multiplicative hash of its first nine bytes.
#[cfg_attr(not(tcpcount_small), inline(always))]
const fn state_slot(first: u64, second: u64) -> usize {
    ((first ^ (second & 0xFF)).wrapping_mul(STATE_HASH) >> 60) as usize
}

/// One slot of [`STATE_SLOTS`]: the state and its word's length, the
/// bytes 0-7 of `WORD src=`, and its bytes from 8 on with their mask.
type StateSlot = Option<(CtState, usize, u64, u64, u64)>;

/// The ten state words in [`state_slot`]'s slots. Only evaluated at compile
/// time.
#[allow(clippy::indexing_slicing)]
const fn state_slots() -> [StateSlot; 16] {
    let mut slots = [None; 16];
    let mut i = 0;
    while i < 10 {
        let state = CtState::ALL[i];
        let word = state.name().as_bytes();
        let mut text = [0u8; 16];
        let mut at = 0;
        while at < word.len() {
            text[at] = word[at];
            at += 1;
        }
        let mut k = 0;
        while k < 5 {
            text[at] = b" src="[k];
            at += 1;
            k += 1;
        }
        let (mut first, mut second) = (0u64, 0u64);
        let mut b = 0;
        while b < 8 {
            first |= (text[b] as u64) << (b * 8);
            second |= (text[b + 8] as u64) << (b * 8);
            b += 1;
        }
        // `at` (9 to 16 bytes) is the length of `WORD src=`.
        let mask = u64::MAX >> ((16 - at) * 8);
        slots[state_slot(first, second)] = Some((state, word.len(), first, second, mask));
        i += 1;
    }
    slots
}

const STATE_SLOTS: [StateSlot; 16] = state_slots();

/// The TCP state at the start of `rest` and its word's length, if `rest`
/// starts with one of the ten state words the kernel prints and ` src=`:
/// one hash picks the only candidate, two word compares confirm it. `None`
/// sends the line to [`state_word_fast`] and the general loop, which agree
/// ([`CtState::from_word`] of the same word).
#[cfg_attr(not(tcpcount_small), inline(always))]
fn state_fast(rest: &[u8]) -> Option<(CtState, usize)> {
    let (first, second) = rest.first_chunk::<16>()?.split_at(8);
    let first = u64::from_le_bytes(first.try_into().unwrap_or_default());
    let second = u64::from_le_bytes(second.try_into().unwrap_or_default());
    let (state, len, want_first, want_second, mask) =
        (*STATE_SLOTS.get(state_slot(first, second))?)?;
    (first == want_first && (second ^ want_second) & mask == 0).then_some((state, len))
}

/// `bytes` without its first `n` (all of them if there are fewer): what
/// `bytes.get(n..).unwrap_or_default()` gives, in four instructions instead
/// of seven (the bound is a `min`, so there is no failing branch to build
/// an empty slice for). Moves the cursor along every field of a line.
#[cfg_attr(not(tcpcount_small), inline(always))]
pub(super) fn skip(bytes: &[u8], n: usize) -> &[u8] {
    bytes.get(n.min(bytes.len())..).unwrap_or_default()
}

/// The bytes of a slice shorter than 8 bytes as a little-endian word, zeros
/// above them (which are not digits): two overlapping 4-byte loads from 4
/// bytes on, instead of a loop.
#[cfg_attr(not(tcpcount_small), inline(always))]
fn load_short(bytes: &[u8]) -> u64 {
    match (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        (Some(first), Some(last)) => {
            let high =
                u64::from(u32::from_le_bytes(*last)) << ((bytes.len() % 8).saturating_sub(4) * 8);
            u64::from(u32::from_le_bytes(*first)) | high
        }
        _ => bytes.iter().rev().fold(0, |x, &b| (x << 8) | u64::from(b)),
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The value of the first `n` (1 to 7) bytes of `x`, loaded little-endian,
/// which are ASCII digits: the digits are shifted to the top so that the
/// bytes below are leading zeros, then combined in pairs, fours and eights
/// by three multiplications (each lane stays below its width: 99, 9999,
/// 99999999). Bytes past the digits are shifted out.
#[cfg_attr(not(tcpcount_small), inline(always))]
fn decimal_word(x: u64, n: usize) -> u64 {
    let digits = (x & (ONES * 0x0F)) << ((8 - n.clamp(1, 7)) * 8);
    let pairs = (digits.wrapping_mul(10 * 256 + 1) >> 8) & 0x00FF_00FF_00FF_00FF;
    let fours = (pairs.wrapping_mul(100 * 65536 + 1) >> 16) & 0x0000_FFFF_0000_FFFF;
    fours.wrapping_mul(10000 * (1 << 32) + 1) >> 32
}

/// A dotted quad as `%pI4` prints it, then a space: the address and its
/// length, or `None` for anything else (then [`ipv4`] on the token decides).
/// Each octet is one to three digits without a leading zero, at most 255.
/// Reads at most the first sixteen bytes (four octets of three digits,
/// three dots, the space), from a fixed window whose index is masked to it,
/// so that no read needs a bound check; with fewer than sixteen bytes left
/// (never in a whole line: more fields follow every address) `None`. Left
/// to the compiler (`#[inline]`): inlined at opt-level 3 all the same, one
/// copy at z (-0.5 KB).
#[inline]
fn ipv4_fast(rest: &[u8]) -> Option<(Ipv4Addr, usize)> {
    let window = rest.first_chunk::<16>()?;
    dotted_quad(|at| window.get(at & 15).copied())
}

/// [`ipv4_fast`] on the bytes `byte(at)` gives (`None`: past the end).
#[cfg_attr(not(tcpcount_small), inline(always))]
fn dotted_quad(byte: impl Fn(usize) -> Option<u8>) -> Option<(Ipv4Addr, usize)> {
    let digit = |at: usize| {
        byte(at)
            .map(|b| b.wrapping_sub(b'0'))
            .filter(|&d| d <= 9)
            .map(u16::from)
    };
    let mut octets = [0u8; 4];
    let mut at = 0;
    for (i, octet) in octets.iter_mut().enumerate() {
        if i > 0 {
            if byte(at) != Some(b'.') {
                return None;
            }
            at += 1;
        }
        let first = digit(at)?;
        let (value, len) = match (digit(at + 1), digit(at + 2)) {
            (None, _) => (first, 1),
            (Some(_), _) if first == 0 => return None,
            (Some(second), None) => (first * 10 + second, 2),
            (Some(second), Some(third)) => (first * 100 + second * 10 + third, 3),
        };
        *octet = u8::try_from(value).ok()?;
        at += len;
    }
    (byte(at) == Some(b' ')).then_some((Ipv4Addr::from(octets), at))
}

/// An IPv6 address as `%pI6` prints it, and the space after: `x` stands for
/// a hex digit.
const IPV6_TEXT: &[u8; 40] = b"xxxx:xxxx:xxxx:xxxx:xxxx:xxxx:xxxx:xxxx ";

/// The separators of [`IPV6_TEXT`] as five little-endian words: the bytes
/// (`which == false`) or a mask of their positions (`which == true`).
/// Only evaluated at compile time.
#[allow(clippy::indexing_slicing)]
const fn ipv6_separators(which: bool) -> [u64; 5] {
    let mut words = [0u64; 5];
    let mut at = 0;
    while at < IPV6_TEXT.len() {
        let byte = IPV6_TEXT[at];
        if byte != b'x' {
            let value = if which { 0xFF } else { byte as u64 };
            words[at / 8] |= value << ((at % 8) * 8);
        }
        at += 1;
    }
    words
}

const IPV6_SEPARATOR_BYTES: [u64; 5] = ipv6_separators(false);
const IPV6_SEPARATOR_MASK: [u64; 5] = ipv6_separators(true);

/// Eight groups of four hex digits and a space ([`IPV6_TEXT`]): the seven
/// colons and the space checked with one masked compare per word, the
/// digits two groups at a time, side by side in one word, which is checked
/// ([`lower_hex_wrong`]) and decoded ([`hex_word`]) to both 16-bit groups at
/// once. `None` for anything else (then [`ipv6`] decides). Left to the
/// compiler (`#[inline]`): forced inline it was 2 KB larger at opt-level z
/// and no fewer instructions at 3; forced out of line, 1.4% more.
#[inline]
fn ipv6_fast(rest: &[u8]) -> Option<Ipv6Addr> {
    let text = rest.first_chunk::<40>()?;
    let mut wrong = 0;
    let (words, _) = text.as_chunks::<8>();
    for ((word, bytes), mask) in words
        .iter()
        .zip(IPV6_SEPARATOR_BYTES)
        .zip(IPV6_SEPARATOR_MASK)
    {
        wrong |= (u64::from_le_bytes(*word) ^ bytes) & mask;
    }
    let mut address = [0u8; 16];
    let (groups, _) = text.as_chunks::<5>();
    let (pairs, _) = groups.as_chunks::<2>();
    for ([a, b], out) in pairs.iter().zip(address.as_chunks_mut::<4>().0) {
        let high = u64::from(u32::from_be_bytes([a[0], a[1], a[2], a[3]]));
        let low = u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
        let digits = (high << 32) | low;
        wrong |= lower_hex_wrong(digits);
        *out = hex_word(digits).to_be_bytes();
    }
    (wrong == 0).then_some(Ipv6Addr::from(address))
}

/// Nonzero unless all eight bytes of `x` are lowercase hex digits (what
/// `%pI6` prints; an uppercase digit sends the address to the general
/// parser, which takes either case): each byte's nibble value as
/// [`hex_word`] computes it, written back as a lowercase digit, must give
/// the byte again. No byte carries into the next (a value stays below
/// 0x70), and `test_lower_hex_wrong_against_naive` checks all 256 bytes.
#[cfg_attr(not(tcpcount_small), inline(always))]
fn lower_hex_wrong(x: u64) -> u64 {
    let nibbles = (x & (ONES * 0x0F)) + 9 * ((x >> 6) & ONES);
    // 0x80 in the bytes whose value is 10 or more (at most 24), and in
    // those whose value is 16 or more (`g` to `o` would write back as
    // themselves).
    let letters = ((nibbles + ONES * 0x76) & HIGH) >> 7;
    let too_big = (nibbles + ONES * 0x70) & HIGH;
    ((nibbles + ONES * 0x30 + letters * 0x27) ^ x) | too_big
}

/// Whether two short byte strings are equal, compared as two overlapping
/// words each (the keys are 3 to 12 bytes, addresses up to 39) instead of
/// through a `memcmp` call.
#[cfg_attr(not(tcpcount_small), inline(always))]
pub(super) fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    match a.len() {
        // IPv6 addresses (39 bytes).
        32..=48 => {
            a.first_chunk::<32>() == b.first_chunk::<32>()
                && a.last_chunk::<16>() == b.last_chunk::<16>()
        }
        8..=16 => {
            a.first_chunk::<8>() == b.first_chunk::<8>()
                && a.last_chunk::<8>() == b.last_chunk::<8>()
        }
        4..=7 => {
            a.first_chunk::<4>() == b.first_chunk::<4>()
                && a.last_chunk::<4>() == b.last_chunk::<4>()
        }
        _ => a == b,
    }
}

/// A dotted quad without leading zeros, as `%pI4` prints it.
#[cfg_attr(not(tcpcount_small), inline(always))]
fn ipv4(text: &[u8]) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut rest = text;
    for (i, octet) in octets.iter_mut().enumerate() {
        if i > 0 {
            rest = match rest.split_first() {
                Some((b'.', after)) => after,
                _ => return None,
            };
        }
        let n = rest
            .iter()
            .take(4)
            .take_while(|b| b.is_ascii_digit())
            .count();
        let (digits, after) = rest.split_at_checked(n)?;
        if n == 0 || n > 3 || (n > 1 && digits.first() == Some(&b'0')) {
            return None;
        }
        let value = digits
            .iter()
            .fold(0u16, |acc, &b| acc * 10 + u16::from(b - b'0'));
        *octet = u8::try_from(value).ok()?;
        rest = after;
    }
    rest.is_empty().then_some(Ipv4Addr::from(octets))
}

/// Eight groups of four hex digits, as `%pI6` prints it.
#[cfg_attr(not(tcpcount_small), inline(always))]
fn ipv6(text: &[u8]) -> Option<Ipv6Addr> {
    if text.len() != 39 {
        return None;
    }
    let mut words = [0u16; 8];
    for (i, word) in words.iter_mut().enumerate() {
        let group: [u8; 4] = text.get(i * 5..i * 5 + 4)?.try_into().ok()?;
        if i < 7 && text.get(i * 5 + 4) != Some(&b':') {
            return None;
        }
        *word = hex4(group)?;
    }
    Some(Ipv6Addr::from(words))
}

/// Four hex digits (either case) as a number, four bytes at a time: each
/// byte is checked to be `0-9`, `a-f` or `A-F` with carry-free byte-wise
/// compares, then the nibbles are gathered.
#[cfg_attr(not(tcpcount_small), inline(always))]
fn hex4(digits: [u8; 4]) -> Option<u16> {
    const ONES: u32 = 0x0101_0101;
    const HIGH: u32 = 0x8080_8080;
    let x = u32::from_be_bytes(digits);
    let low = x & !HIGH;
    // For a byte below 0x80, adding 0x80 - n sets its high bit iff it is >= n.
    let at_least = |v: u32, n: u32| (v + ONES * (0x80 - n)) & HIGH;
    let digit = at_least(low, 0x30) & !at_least(low, 0x3A);
    let lower = low | (ONES * 0x20);
    let letter = at_least(lower, 0x61) & !at_least(lower, 0x67);
    if (digit | letter) & !x & HIGH != HIGH {
        return None;
    }
    // Letters have bit 6 set: their nibble is the low four bits plus 9.
    let nibbles = (x & (ONES * 0x0F)) + 9 * ((x >> 6) & ONES);
    let pairs = (nibbles | (nibbles >> 4)) & 0x00FF_00FF;
    Some((((pairs >> 8) & 0xFF00) | (pairs & 0xFF)) as u16)
}

#[cfg(test)]
mod test {
    use super::*;

    const LINES: [&[u8]; 7] = [
        b"ipv4     2 tcp      6 431999 ESTABLISHED src=127.0.0.1 dst=127.0.0.1 sport=48222 dport=7001 src=127.0.0.1 dst=127.0.0.1 sport=7001 dport=48222 [ASSURED] mark=0 zone=0 use=2",
        // Reply tuples that repeat the original's fields, in part (NAT) or
        // as prefixes of them, with ports of one to five digits.
        b"ipv4     2 tcp      6 117 TIME_WAIT src=10.0.0.2 dst=10.0.12.1 sport=8 dport=80 packets=5 bytes=300 src=10.0.12.1 dst=10.0.0.2 sport=80 dport=8 packets=4 bytes=200 [ASSURED] mark=0 zone=0 use=2",
        b"ipv4     2 tcp      6 431999 ESTABLISHED src=192.168.1.10 dst=10.0.2.2 sport=40000 dport=8001 src=10.0.2.2 dst=10.0.2.1 sport=8001 dport=40000 [ASSURED] mark=0 zone=0 use=2",
        b"ipv4     2 udp      17 29 src=1.2.3.4 dst=1.2.3.45 sport=1234 dport=12 src=1.2.3.45 dst=1.2.3.4 sport=123 dport=12345 mark=0 zone=0 use=2",
        b"ipv6     10 tcp      6 300 ESTABLISHED src=fd00:0000:0000:0000:0000:0000:0000:0002 dst=fd00:0000:0000:0000:0000:0000:0001:0002 sport=65535 dport=443 src=fd00:0000:0000:0000:0000:0000:0001:0002 dst=fd00:0000:0000:0000:0000:0000:0000:0002 sport=443 dport=65535 [ASSURED] mark=0 zone=0 use=2",
        b"ipv6     10 udp      17 29 src=0000:0000:0000:0000:0000:0000:0000:0001 dst=0000:0000:0000:0000:0000:0000:0000:0001 sport=45097 dport=5300 [UNREPLIED] src=0000:0000:0000:0000:0000:0000:0000:0001 dst=0000:0000:0000:0000:0000:0000:0000:0001 sport=5300 dport=45097 mark=0 zone=0 use=2",
        b"ipv4     2 icmp     1 29 src=127.0.0.1 dst=127.0.0.1 type=8 code=0 id=17656 src=127.0.0.1 dst=127.0.0.1 type=0 code=0 id=17656 mark=0 zone=0 use=3",
    ];

    /// The general prefix parser, and the reply tuple parsed field by field.
    fn slow(line: &[u8]) -> Result<Entry, CtErrorKind> {
        let (head, rest) = prefix(line)?;
        let mut entry = Entry::EMPTY;
        body::<false>(head, rest, &mut entry, false).map(|_| entry)
    }

    #[test]
    fn test_fast_prefixes_agree_with_the_general_parser() {
        for (bytes, family, number) in FAST_PREFIXES {
            let (head, rest) = prefix(bytes).unwrap();
            assert_eq!(
                (head.family, head.legacy, head.number),
                (family, false, number)
            );
            assert_eq!(head.l4, l4_tuple(number));
            assert!(rest.is_empty());
        }
    }

    #[test]
    fn test_fast_prefix_finds_every_prefix() {
        for (bytes, family, number) in FAST_PREFIXES {
            let line = [bytes, b"29 src=10.0.0.1"].concat();
            let (head, rest) = fast_prefix(&line).unwrap();
            assert_eq!((head.family, head.number), (family, number));
            assert_eq!(rest, b"29 src=10.0.0.1");
        }
    }

    #[test]
    fn test_fast_path_never_accepts_what_the_slow_path_rejects() {
        let replacements = [
            0u8, b' ', b'=', b'-', b'.', b':', b'[', b'A', b'a', b'0', b'9', 0xFF,
        ];
        for line in LINES {
            assert_eq!(Entry::parse(line), slow(line));
            for at in 0..line.len() {
                for byte in replacements {
                    let mut mutated = line.to_vec();
                    mutated[at] = byte;
                    assert_eq!(
                        Entry::parse(&mutated),
                        slow(&mutated),
                        "byte {at} = {byte:#x}"
                    );
                }
                assert_eq!(Entry::parse(&line[..at]), slow(&line[..at]), "cut at {at}");
                let mut shorter = line.to_vec();
                shorter.remove(at);
                assert_eq!(Entry::parse(&shorter), slow(&shorter), "byte {at} deleted");
                for byte in [b' ', b'0', b'1', b'.', b':', b'a'] {
                    let mut longer = line.to_vec();
                    longer.insert(at, byte);
                    assert_eq!(
                        Entry::parse(&longer),
                        slow(&longer),
                        "{byte:#x} inserted at {at}"
                    );
                }
            }
        }
    }

    /// `Entry::parse_at` on a line followed by a newline and more, against
    /// `Entry::parse` of the line alone: every fixture line, the lines
    /// above and their mutations (a byte replaced, deleted or inserted, a
    /// cut), each followed by a newline and other text. Whatever it takes,
    /// `parse` gives the same entry, and it takes the common lines.
    #[test]
    fn test_parse_at_against_general() {
        let tables = [
            include_str!("../../../fixtures/conntrack/states/nf_conntrack"),
            include_str!("../../../fixtures/conntrack/acct-zones-marks/nf_conntrack"),
            include_str!("../../../fixtures/conntrack/nat-router/nf_conntrack"),
            include_str!("../../../fixtures/conntrack/handwritten/nf_conntrack"),
        ];
        let mut lines: Vec<Vec<u8>> = tables
            .iter()
            .flat_map(|t| t.lines())
            .map(|l| l.as_bytes().to_vec())
            .collect();
        let fixture_lines = lines.len();
        for line in LINES {
            lines.push(line.to_vec());
            for at in 0..line.len() {
                for byte in [b' ', b'\n', b'0', b'1', b'.', b':', b'a', b'['] {
                    let mut mutated = line.to_vec();
                    mutated[at] = byte;
                    lines.push(mutated);
                    let mut longer = line.to_vec();
                    longer.insert(at, byte);
                    lines.push(longer);
                }
                let mut shorter = line.to_vec();
                shorter.remove(at);
                lines.push(shorter);
                lines.push(line[..at].to_vec());
            }
        }
        // Tokens the general parsers take up to a space, with a newline in
        // them: a word before the tuple, a `secctx=` label.
        for line in LINES {
            let text = String::from_utf8(line.to_vec()).unwrap();
            lines.push(text.replacen("src=", "x\ny src=", 1).into_bytes());
            lines.push(
                text.replacen("mark=0 ", "mark=0 secctx=a\nb ", 1)
                    .into_bytes(),
            );
        }
        let mut taken = 0;
        let mut fixtures_taken = 0;
        for (i, line) in lines.iter().enumerate() {
            for after in [
                &b"\n"[..],
                b"\nipv4     2 tcp      6 1",
                b"\n\n",
                b"\n use=2\n",
            ] {
                let chunk = [line.as_slice(), after].concat();
                let mut entry = Entry::EMPTY;
                let Some(n) = Entry::parse_at(&chunk, &mut entry) else {
                    continue;
                };
                // `parse_at` never takes a line with a newline in it.
                let end = chunk.iter().position(|&b| b == b'\n').unwrap();
                assert_eq!(n, end, "{:?}", String::from_utf8_lossy(&chunk));
                assert_eq!(
                    Ok(entry),
                    Entry::parse(&chunk[..n]),
                    "{:?}",
                    String::from_utf8_lossy(&chunk)
                );
                assert_eq!(Ok(entry), slow(&chunk[..n]));
                taken += 1;
                fixtures_taken += usize::from(i < fixture_lines);
            }
        }
        assert!(taken > 1000, "{taken}");
        // Each fixture line with four different endings.
        assert!(
            fixtures_taken * 10 > fixture_lines * 4 * 8,
            "{fixtures_taken} of {}",
            fixture_lines * 4
        );
    }

    #[test]
    fn test_from_parts_rebuilds_every_parsed_line() {
        let tables = [
            include_str!("../../../fixtures/conntrack/states/nf_conntrack"),
            include_str!("../../../fixtures/conntrack/acct-zones-marks/nf_conntrack"),
            include_str!("../../../fixtures/conntrack/nat-router/nf_conntrack"),
            include_str!("../../../fixtures/conntrack/handwritten/nf_conntrack"),
        ];
        let mut offloaded = 0;
        for line in tables.iter().flat_map(|t| t.lines()) {
            let entry = Entry::parse(line.as_bytes()).unwrap();
            offloaded += usize::from(entry.offload());
            assert_eq!(Entry::from_parts(entry.parts()), entry, "{line}");
        }
        assert!(offloaded >= 2, "the fixtures hold offloaded flows");
    }

    #[test]
    fn test_from_parts_keeps_what_proc_would_print() {
        let base = Entry::parse(LINES[0]).unwrap().parts();
        // (offload, hw_offload, assured, tcp_state) -> (state, offload, hw, assured)
        type Case = (
            (bool, bool, bool, Option<CtState>),
            (CtState, bool, bool, bool),
        );
        let cases: [Case; 6] = [
            (
                (true, true, true, Some(CtState::Established)),
                (CtState::HwOffload, true, true, false),
            ),
            (
                (false, true, false, None),
                (CtState::HwOffload, true, true, false),
            ),
            (
                (true, false, true, Some(CtState::Established)),
                (CtState::Offload, true, false, false),
            ),
            (
                (false, false, true, Some(CtState::TimeWait)),
                (CtState::TimeWait, false, false, true),
            ),
            (
                (false, false, false, Some(CtState::SynSent2)),
                (CtState::SynSent2, false, false, false),
            ),
            (
                (false, false, false, None),
                (CtState::Unknown, false, false, false),
            ),
        ];
        for ((offload, hw_offload, assured, tcp_state), want) in cases {
            let entry = Entry::from_parts(EntryParts {
                offload,
                hw_offload,
                assured,
                tcp_state,
                ..base
            });
            let got = (
                entry.state().unwrap(),
                entry.offload(),
                entry.hw_offload(),
                entry.assured(),
            );
            assert_eq!(got, want, "{offload} {hw_offload} {assured} {tcp_state:?}");
            assert!(!entry.is_legacy());
        }
        let udp = Entry::from_parts(EntryParts {
            protocol_number: 17,
            tcp_state: Some(CtState::Established),
            unreplied: true,
            ..base
        });
        assert_eq!((udp.state(), udp.unreplied()), (None, true));
        assert_eq!(udp.protocol(), Protocol::Udp);
    }

    #[test]
    fn test_same_compares_every_byte() {
        let text = b"[HW_OFFLOAD] zone-reply=";
        for len in 0..=text.len() {
            for start in 0..=text.len() - len {
                let a = &text[start..start + len];
                assert!(same(a, a));
                for at in 0..len {
                    let mut b = a.to_vec();
                    b[at] ^= 0x20;
                    assert!(!same(a, &b), "{a:?} at {at}");
                }
                assert!(!same(a, &text[..len.saturating_sub(1)]) || len == 0);
            }
        }
    }

    /// `Cursor::decimal` (word at a time) against the byte-at-a-time
    /// `Cursor::decimal_bytes` and `str::parse`: every run length from 0 to
    /// 21 digits, followed by a space, by other bytes, or by the end.
    #[test]
    fn test_decimal_against_naive() {
        let digits = b"90817263545362718090817";
        let mut cases: Vec<Vec<u8>> = Vec::new();
        for len in 0..=21 {
            for start in [0, 1, 2] {
                let run = &digits[start..start + len];
                for tail in [&b""[..], b" ", b" use=2", b"x", b"/", b":", b"\xff", b"0"] {
                    cases.push([run, tail].concat());
                }
                cases.push([b"0".repeat(len).as_slice(), b" "].concat());
            }
        }
        cases.push(b"18446744073709551615 ".to_vec());
        cases.push(b"18446744073709551616 ".to_vec());
        for case in cases {
            let mut word = Cursor { rest: &case };
            let mut bytes = Cursor { rest: &case };
            let got = word.decimal(CtField::Use);
            assert_eq!(got, bytes.decimal_bytes(CtField::Use), "{case:?}");
            assert_eq!(word.rest, bytes.rest, "{case:?}");
            let n = case.iter().take_while(|b| b.is_ascii_digit()).count();
            let naive = core::str::from_utf8(&case[..n]).unwrap().parse::<u64>();
            match naive {
                Ok(v) => assert_eq!(got, Ok(v), "{case:?}"),
                Err(_) => assert!(got.is_err(), "{case:?}"),
            }
        }
    }

    #[test]
    fn test_load_short_against_naive() {
        let bytes = b"\x01\x23\x45\x67\x89\xab\xcd";
        for len in 0..8 {
            let mut word = [0u8; 8];
            word[..len].copy_from_slice(&bytes[..len]);
            assert_eq!(load_short(&bytes[..len]), u64::from_le_bytes(word), "{len}");
        }
    }

    /// The one-pass address parsers against the general ones, on every
    /// octet value and width, and on mutated addresses: whatever the fast
    /// parser accepts, the general one accepts with the same value.
    #[test]
    fn test_fast_addresses_against_general() {
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for octet in 0..=300u32 {
            texts.push(format!("10.{octet}.0.{octet}").into_bytes());
            texts.push(format!("{octet:03}.1.2.3").into_bytes());
            texts.push(format!("{octet}.{octet}.{octet}.{octet}").into_bytes());
            texts.push(format!("{octet:02}.255.{octet}.1").into_bytes());
        }
        texts.push(b"255.255.255.255".to_vec());
        texts.push(b"0000:0000:0000:0000:0000:0000:0000:0001".to_vec());
        texts.push(b"fd00:0a0B:cdef:0000:1234:5678:9abc:DEF0".to_vec());
        let bases = texts.clone();
        for base in &bases {
            for at in 0..base.len() {
                for byte in [b' ', b'.', b':', b'0', b'9', b'a', b'g', 0xFF] {
                    let mut mutated = base.clone();
                    mutated[at] = byte;
                    texts.push(mutated);
                }
            }
        }
        let mut taken = [0; 2];
        for text in texts {
            for tail in [
                &b" dst=1"[..],
                b"",
                b"x",
                b" dst=10.0.0.1 sport=1",
                b"1 dst=10.0.0.1",
            ] {
                let line = [text.as_slice(), tail].concat();
                if let Some((ip, n)) = ipv4_fast(&line) {
                    assert_eq!(Some(ip), ipv4(&line[..n]), "{line:?}");
                    assert_eq!(line.get(n), Some(&b' '));
                    taken[0] += 1;
                }
                if let Some(ip) = ipv6_fast(&line) {
                    assert_eq!(Some(ip), ipv6(&line[..39]), "{line:?}");
                    assert_eq!(line.get(39), Some(&b' '));
                    assert!(!line[..39].iter().any(u8::is_ascii_uppercase));
                    taken[1] += 1;
                }
                let accepted = line.iter().position(|&b| b == b' ').map(|n| &line[..n]);
                if let Some(token) = accepted {
                    // The fast parser needs sixteen bytes, as a line holds.
                    if let Some(ip) = ipv4(token)
                        && line.len() >= 16
                    {
                        assert_eq!(ipv4_fast(&line), Some((ip, token.len())), "{line:?}");
                    }
                    // The fast parser takes lowercase digits only, as the
                    // kernel prints them; the general one either case.
                    if let Some(ip) = ipv6(token)
                        && !token.iter().any(u8::is_ascii_uppercase)
                    {
                        assert_eq!(ipv6_fast(&line), Some(ip), "{line:?}");
                    }
                }
            }
        }
        assert!(taken[0] > 2000 && taken[1] > 2, "{taken:?}");
    }

    /// Whatever `common_tail` accepts, the general `extras` accepts as
    /// mark 0 and zone 0 with nothing left; near misses are left to it.
    #[test]
    fn test_common_tail_against_extras() {
        let mut cases: Vec<Vec<u8>> = Vec::new();
        for tail in [
            &b"mark=0 zone=0 use="[..],
            b"mark=1 zone=0 use=",
            b"mark=0 zone=0  use=",
            b"mark=0 zone=0 use=x",
            b"mark=0 zone=00 use=",
            b"mark=0 zone=0 delta-time=1 use=",
        ] {
            for digits in [&b""[..], b"2", b"1234567", b"12345678", b"2 ", b"2x", b"-1"] {
                cases.push([tail, digits].concat());
            }
        }
        let base = b"mark=0 zone=0 use=12".to_vec();
        for at in 0..base.len() {
            for byte in [b' ', b'0', b'1', b'=', b'x', 0] {
                let mut mutated = base.clone();
                mutated[at] = byte;
                cases.push(mutated);
            }
            cases.push(base[..at].to_vec());
        }
        let mut taken = 0;
        for case in cases {
            if let Some(n) = common_tail(&case, false) {
                assert_eq!(n, case.len());
                let mut cur = Cursor { rest: &case };
                assert_eq!(extras(&mut cur, false), Ok((Some(0), Some(0))), "{case:?}");
                taken += 1;
            }
            // With a newline and more after it: the same, up to the newline.
            for after in [&b"\n"[..], b"\nipv4     2 tcp ", b"\n\n", b"\n123"] {
                let chunk = [case.as_slice(), after].concat();
                let mut cur = Cursor { rest: &chunk };
                let general = extras(&mut cur, true).map(|found| (found, cur.rest.len()));
                match common_tail(&chunk, true) {
                    Some(n) => {
                        assert_eq!(Some(n), common_tail(&case, false), "{chunk:?}");
                        assert_eq!(general, Ok(((Some(0), Some(0)), after.len())), "{chunk:?}");
                    }
                    None => assert_eq!(common_tail(&case, false), None, "{chunk:?}"),
                }
            }
        }
        assert!(taken >= 3, "{taken}");
    }

    /// Every state word is found in its own slot, with its length, and
    /// nothing else is: the words cut short, run on, or changed in one byte.
    #[test]
    fn test_state_fast_finds_every_word() {
        let filled = STATE_SLOTS.iter().filter(|s| s.is_some()).count();
        assert_eq!(filled, 10, "ten states in ten slots");
        for state in &CtState::ALL[..10] {
            let word = state.name().as_bytes();
            let line = [word, b" src=10.0.0.1 dst=10.0.0.2 sport=1"].concat();
            assert_eq!(state_fast(&line), Some((*state, word.len())), "{state:?}");
            assert_eq!(state_word_fast(&line), Some(word));
            assert_eq!(CtState::from_word(word), *state);
            for at in 0..word.len() + 5 {
                for byte in [b' ', b'_', b'A', b'2', b's', 0, 0xFF] {
                    let mut mutated = line.clone();
                    if mutated[at] == byte {
                        continue;
                    }
                    mutated[at] = byte;
                    assert_eq!(
                        state_fast(&mutated),
                        None,
                        "{:?}",
                        String::from_utf8_lossy(&mutated)
                    );
                }
            }
            assert_eq!(state_fast(&line[..15]), None);
            let run_on = [word, b"X src=10.0.0.1 dst=10.0.0.2 sport=1"].concat();
            assert_eq!(state_fast(&run_on), None);
        }
    }

    /// `state_word_fast` against a naive reading: the word is the bytes up
    /// to the first space, all of `A-Z0-9_`, and ` src=` follows.
    #[test]
    fn test_state_word_fast_against_naive() {
        let mut cases: Vec<Vec<u8>> = Vec::new();
        for word in [
            &b"ESTABLISHED"[..],
            b"NONE",
            b"SYN_SENT2",
            b"CLOSE",
            b"X",
            b"",
            b"FIFTEEN_CHARS_1",
            b"SIXTEEN_CHARS_12",
            b"SEVENTEEN_CHARS_1",
            b"established",
            b"SYN-SENT",
            b"[OFFLOAD]",
        ] {
            for tail in [
                &b" src=10.0.0.1 dst=1"[..],
                b" src",
                b"  src=1 dst=2 sport=1",
                b" dst=1.2.3.4 a=1",
            ] {
                cases.push([word, tail].concat());
            }
        }
        let base = b"TIME_WAIT src=10.0.0.1 dst=10.0.0.2".to_vec();
        for at in 0..base.len() {
            for byte in [
                b' ', b'_', b'A', b'Z', b'@', b'[', b'0', b'9', b'a', 0, 0xFF,
            ] {
                let mut mutated = base.clone();
                mutated[at] = byte;
                cases.push(mutated);
            }
        }
        for case in cases {
            let n = case.iter().position(|&b| b == b' ').unwrap_or(case.len());
            let word = &case[..n];
            let naive = (!word.is_empty()
                && word
                    .iter()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
                && case[n..].starts_with(b" src=")
                && case.len() >= 16
                && n < 16)
                .then_some(word);
            assert_eq!(
                state_word_fast(&case),
                naive,
                "{:?}",
                String::from_utf8_lossy(&case)
            );
        }
    }

    /// `lower_hex_wrong` against `0-9a-f` on every byte value at every
    /// position of a word of good digits, and its nibbles against
    /// `to_digit(16)`.
    #[test]
    fn test_lower_hex_wrong_against_naive() {
        let good = u64::from_le_bytes(*b"09af3c7e");
        assert_eq!(lower_hex_wrong(good), 0);
        for b in 0..=255u8 {
            let lower_hex = b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
            for at in 0..8 {
                let mut bytes = good.to_le_bytes();
                bytes[at] = b;
                let x = u64::from_le_bytes(bytes);
                assert_eq!(lower_hex_wrong(x) == 0, lower_hex, "{b:#x} at {at}");
                if lower_hex {
                    let value = (b as char).to_digit(16).unwrap() as u64;
                    let nibbles = (x & (ONES * 0x0F)) + 9 * ((x >> 6) & ONES);
                    assert_eq!((nibbles >> (at * 8)) & 0xFF, value);
                }
            }
        }
    }

    #[test]
    fn test_addresses_as_the_kernel_prints_them() {
        let v4 = [
            (&b"0.0.0.0"[..], Some(Ipv4Addr::UNSPECIFIED)),
            (b"255.255.255.255", Some(Ipv4Addr::BROADCAST)),
            (b"256.0.0.1", None),
            (b"01.2.3.4", None),
            (b"1.2.3", None),
            (b"1.2.3.4.5", None),
            (b"1..3.4", None),
            (b"", None),
        ];
        for (text, expected) in v4 {
            assert_eq!(ipv4(text), expected, "{text:?}");
        }
        let full = b"2001:0db8:0000:0000:0000:ff00:0042:8329";
        assert_eq!(ipv6(full), Some("2001:db8::ff00:42:8329".parse().unwrap()));
        assert_eq!(ipv6(b"2001:db8::ff00:42:8329"), None);
        assert_eq!(ipv6(b"2001:0db8:0000:0000:0000:ff00:0042:832g"), None);
        assert_eq!(ipv6(b"2001:0db8:0000:0000:0000:ff00:0042-8329"), None);
        for b in 0..=255u8 {
            let expected = (b as char).to_digit(16).map(|d| d as u16);
            for at in 0..4 {
                let mut digits = *b"0f9A";
                digits[at] = b;
                let want = expected.map(|d| {
                    let mut v = [0u16, 15, 9, 10];
                    v[at] = d;
                    v.iter().fold(0, |acc, n| acc << 4 | n)
                });
                assert_eq!(hex4(digits), want, "{b:#x} at {at}");
            }
        }
    }
}
