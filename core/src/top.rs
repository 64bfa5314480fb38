//! Who holds the connections: a heavy-hitters table ([`Top`]) in fixed
//! memory, the Space-Saving algorithm of Metwally, Agrawal and El Abbadi
//! (2005). It keeps at most `C` keys with a count and a maximum overestimate
//! (`error`) each. While the distinct keys fit, counts are exact; after that
//! a new key takes the place of the key with the smallest count `m` and
//! starts at `m + 1` with error `m`, so every key whose true count exceeds
//! `total / C` is guaranteed to be listed, and for every listed key
//! `count - error <= true count <= count`. A key is an address (IPv4-mapped
//! IPv6 addresses count as IPv4), optionally cut to a prefix, or a port, as
//! chosen by a [`KeySpec`] parsed from `KEY[/PREFIX][:N]`: KEY is `raddr`,
//! `laddr`, `rport` or `lport` for sockets, `src`, `dst`, `sport` or `dport`
//! (the original tuple) for conntrack entries. A single PREFIX of 32 or less is the IPv4
//! prefix, and IPv6 addresses are then grouped by /64 (one LAN, the nearest
//! IPv6 counterpart of one IPv4 host or NATed site); a single PREFIX above 32
//! is the IPv6 prefix and IPv4 addresses stay whole; `V4,V6` (`raddr/24,48`)
//! gives both. An update takes O(1) steps: an open-addressing hash index
//! (16C cells, linear probing, backward-shift deletion) finds a key's slot,
//! and the slots are kept sorted by count in blocks of equal counts (the
//! paper's "stream summary", in arrays), so the smallest count is the first
//! slot. A hostile choice of keys can lengthen probes (the hash is fixed,
//! not keyed) but never past C + 1 cells. Keys print through
//! [`core::fmt::Display`]: dotted quad, RFC 5952 for IPv6 (core's own
//! formatting: lowercase, longest run of two or more zero groups compressed,
//! the first on a tie), `/BITS` after a prefix, a port as a number.

use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::str::FromStr;

use crate::TcpSocket;
use crate::conntrack::Entry;

/// The number of entries shown when `:N` is not given.
pub const DEFAULT_TOP_N: u16 = 10;

/// What is counted: an address, maybe cut to a prefix, or a port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TopKey {
    /// An IPv4 address (IPv4-mapped IPv6 ones included), host bits beyond
    /// `prefix` cleared.
    V4 {
        /// The address or network.
        #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
        addr: Ipv4Addr,
        /// Prefix length, 0..=32; 32 is one host.
        prefix: u8,
    },
    /// An IPv6 address, host bits beyond `prefix` cleared.
    V6 {
        /// The address or network.
        #[cfg_attr(feature = "defmt", defmt(Debug2Format))]
        addr: Ipv6Addr,
        /// Prefix length, 0..=128; 128 is one host.
        prefix: u8,
    },
    /// A port.
    Port(u16),
}

impl TopKey {
    /// The key for `addr` cut to `v4` bits if it is IPv4 (or IPv4-mapped
    /// IPv6) and to `v6` bits otherwise; lengths beyond the family's width
    /// are taken as the full width.
    #[inline]
    pub fn address(addr: IpAddr, v4: u8, v6: u8) -> TopKey {
        let v4_key = |a: Ipv4Addr| {
            let prefix = v4.min(32);
            // The top `prefix` bits, without a branch (0 for /0).
            let mask = ((u64::MAX << 32) >> prefix) as u32;
            TopKey::V4 {
                addr: Ipv4Addr::from_bits(a.to_bits() & mask),
                prefix,
            }
        };
        match addr {
            IpAddr::V4(a) => v4_key(a),
            IpAddr::V6(a) => match a.to_ipv4_mapped() {
                Some(a) => v4_key(a),
                None => {
                    let prefix = v6.min(128);
                    let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
                    TopKey::V6 {
                        addr: Ipv6Addr::from_bits(a.to_bits() & mask),
                        prefix,
                    }
                }
            },
        }
    }

    /// A 64-bit hash of the key: a fold of it times an odd constant
    /// (Fibonacci hashing; the high bits are the well-mixed ones).
    #[inline]
    fn hash(&self) -> u64 {
        let folded = match *self {
            TopKey::V4 { addr, prefix } => {
                u64::from(addr.to_bits()) | u64::from(prefix) << 32 | 1 << 40
            }
            TopKey::V6 { addr, prefix } => {
                let bits = addr.to_bits();
                (bits as u64)
                    ^ ((bits >> 64) as u64).rotate_left(29)
                    ^ u64::from(prefix) << 56
                    ^ 2 << 40
            }
            TopKey::Port(port) => u64::from(port) | 3 << 40,
        };
        folded.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }

    /// The key's tag in a [`Top`] index: the high 16 bits of its hash.
    #[inline]
    fn tag(&self) -> u16 {
        (self.hash() >> 48) as u16
    }
}

impl fmt::Display for TopKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            TopKey::V4 { addr, prefix: 32 } => write!(f, "{addr}"),
            TopKey::V4 { addr, prefix } => write!(f, "{addr}/{prefix}"),
            TopKey::V6 { addr, prefix: 128 } => write!(f, "{addr}"),
            TopKey::V6 { addr, prefix } => write!(f, "{addr}/{prefix}"),
            TopKey::Port(port) => write!(f, "{port}"),
        }
    }
}

/// Which column of a socket a [`KeySpec`] takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum KeyField {
    /// `raddr`: the remote address.
    RemoteAddr,
    /// `laddr`: the local address.
    LocalAddr,
    /// `rport`: the remote port.
    RemotePort,
    /// `lport`: the local port.
    LocalPort,
    /// `src`: a conntrack entry's original source address.
    Src,
    /// `dst`: a conntrack entry's original destination address.
    Dst,
    /// `sport`: a conntrack entry's original source port.
    Sport,
    /// `dport`: a conntrack entry's original destination port.
    Dport,
}

impl KeyField {
    /// Every field, in the order of [`KeyField::name`]'s spellings in help.
    pub const ALL: [KeyField; 8] = [
        KeyField::RemoteAddr,
        KeyField::LocalAddr,
        KeyField::RemotePort,
        KeyField::LocalPort,
        KeyField::Src,
        KeyField::Dst,
        KeyField::Sport,
        KeyField::Dport,
    ];

    /// The command line's spelling.
    pub const fn name(self) -> &'static str {
        match self {
            KeyField::RemoteAddr => "raddr",
            KeyField::LocalAddr => "laddr",
            KeyField::RemotePort => "rport",
            KeyField::LocalPort => "lport",
            KeyField::Src => "src",
            KeyField::Dst => "dst",
            KeyField::Sport => "sport",
            KeyField::Dport => "dport",
        }
    }

    /// Whether the field is an address (and so takes a prefix).
    pub const fn is_address(self) -> bool {
        matches!(
            self,
            KeyField::RemoteAddr | KeyField::LocalAddr | KeyField::Src | KeyField::Dst
        )
    }

    /// Whether the field is a conntrack entry's (`src`, `dst`, `sport`,
    /// `dport`) rather than a socket's.
    pub const fn is_conntrack(self) -> bool {
        matches!(
            self,
            KeyField::Src | KeyField::Dst | KeyField::Sport | KeyField::Dport
        )
    }
}

impl fmt::Display for KeyField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What `--top KEY[/PREFIX][:N]` asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct KeySpec {
    /// The column counted.
    pub field: KeyField,
    /// Prefix length IPv4 addresses are cut to (32: whole addresses).
    pub v4_prefix: u8,
    /// Prefix length IPv6 addresses are cut to (128: whole addresses).
    pub v6_prefix: u8,
    /// How many entries to show (at least 1).
    pub n: u16,
}

impl KeySpec {
    /// Whole addresses or ports of `field`, the top [`DEFAULT_TOP_N`].
    pub const fn new(field: KeyField) -> KeySpec {
        KeySpec {
            field,
            v4_prefix: 32,
            v6_prefix: 128,
            n: DEFAULT_TOP_N,
        }
    }

    /// The key `socket` is counted under (`None` for a conntrack key).
    #[inline]
    pub fn key(&self, socket: &impl TcpSocket) -> Option<TopKey> {
        match self.field {
            KeyField::RemoteAddr => Some(TopKey::address(
                socket.remote_ip(),
                self.v4_prefix,
                self.v6_prefix,
            )),
            KeyField::LocalAddr => Some(TopKey::address(
                socket.local_ip(),
                self.v4_prefix,
                self.v6_prefix,
            )),
            KeyField::RemotePort => Some(TopKey::Port(socket.remote_port())),
            KeyField::LocalPort => Some(TopKey::Port(socket.local_port())),
            KeyField::Src | KeyField::Dst | KeyField::Sport | KeyField::Dport => None,
        }
    }

    /// The key a conntrack `entry` is counted under, from its original
    /// tuple: `None` for a socket key, and for `sport`/`dport` on a protocol
    /// without ports (icmp, gre, ...).
    pub fn entry_key(&self, entry: &Entry) -> Option<TopKey> {
        let tuple = entry.original();
        let address = |ip| TopKey::address(ip, self.v4_prefix, self.v6_prefix);
        match self.field {
            KeyField::Src => Some(address(tuple.src)),
            KeyField::Dst => Some(address(tuple.dst)),
            KeyField::Sport => tuple.sport().map(TopKey::Port),
            KeyField::Dport => tuple.dport().map(TopKey::Port),
            KeyField::RemoteAddr
            | KeyField::LocalAddr
            | KeyField::RemotePort
            | KeyField::LocalPort => None,
        }
    }
}

impl fmt::Display for KeySpec {
    /// The canonical spelling: `raddr:10`, `raddr/24,64:10`, `lport:5` (both
    /// prefixes when either is not the whole address).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.field.name())?;
        if self.field.is_address() && (self.v4_prefix, self.v6_prefix) != (32, 128) {
            write!(f, "/{},{}", self.v4_prefix, self.v6_prefix)?;
        }
        write!(f, ":{}", self.n)
    }
}

/// Why a `KEY[/PREFIX][:N]` could not be understood.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum KeySpecError {
    /// KEY is not `raddr`, `laddr`, `rport`, `lport`, `src`, `dst`,
    /// `sport` or `dport`.
    UnknownKey,
    /// A prefix after a port key.
    PrefixOnPort,
    /// PREFIX is not a number, or not `V4,V6` with V4 <= 32 and V6 <= 128.
    BadPrefix,
    /// N is not a number from 1 to 65535.
    BadCount,
}

impl fmt::Display for KeySpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeySpecError::UnknownKey => {
                "unknown key (use raddr, laddr, rport or lport; src, dst, sport or dport with --conntrack; then optionally /PREFIX and :N)"
            }
            KeySpecError::PrefixOnPort => "a port key takes no /PREFIX",
            KeySpecError::BadPrefix => {
                "bad prefix (use /BITS: up to 32 for IPv4, 33 to 128 for IPv6, or /V4,V6 such as /24,48)"
            }
            KeySpecError::BadCount => "bad count (use :N with N from 1 to 65535)",
        })
    }
}

impl core::error::Error for KeySpecError {}

impl FromStr for KeySpec {
    type Err = KeySpecError;

    /// Parses `raddr`, `raddr/24`, `raddr/64`, `raddr/24,48:20`, `lport:5`.
    fn from_str(text: &str) -> Result<KeySpec, KeySpecError> {
        let (rest, n) = match text.split_once(':') {
            Some((rest, n)) => (rest, Some(n)),
            None => (text, None),
        };
        let (key, prefix) = match rest.split_once('/') {
            Some((key, prefix)) => (key, Some(prefix)),
            None => (rest, None),
        };
        let field = KeyField::ALL
            .into_iter()
            .find(|f| f.name() == key)
            .ok_or(KeySpecError::UnknownKey)?;
        let mut spec = KeySpec::new(field);
        if let Some(n) = n {
            spec.n = n
                .parse()
                .ok()
                .filter(|&n| n > 0)
                .ok_or(KeySpecError::BadCount)?;
        }
        if let Some(prefix) = prefix {
            if !field.is_address() {
                return Err(KeySpecError::PrefixOnPort);
            }
            let bits = |s: &str| s.parse::<u8>().map_err(|_| KeySpecError::BadPrefix);
            (spec.v4_prefix, spec.v6_prefix) = match prefix.split_once(',') {
                Some((v4, v6)) => (bits(v4)?, bits(v6)?),
                None => match bits(prefix)? {
                    v4 @ 0..=32 => (v4, 64),
                    v6 => (32, v6),
                },
            };
            if spec.v4_prefix > 32 || spec.v6_prefix > 128 {
                return Err(KeySpecError::BadPrefix);
            }
        }
        Ok(spec)
    }
}

/// The capacity the host uses.
pub const TOP_CAPACITY: usize = 1024;

/// One listed key: its count and how much that count may exceed the truth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TopEntry {
    /// The key.
    pub key: TopKey,
    /// An upper bound of the key's true count (exact when `error` is 0).
    pub count: u32,
    /// The most `count` may exceed the true count: `count - error` is a
    /// lower bound.
    pub error: u32,
}

impl TopEntry {
    /// Sort order of a report: count descending, then error ascending (the
    /// surer first), then key ascending.
    fn ranks_before(&self, other: &TopEntry) -> bool {
        (other.count, self.error, self.key) < (self.count, other.error, other.key)
    }
}

/// One slot of the table: what is read to check a key and written when a
/// key takes the slot.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct Slot {
    /// The key and its count; a count of 0 marks a free slot.
    entry: TopEntry,
    /// The key's tag, the high 16 bits of its hash: its home in the index
    /// (so that a cell's home is known from its slot), compared before the
    /// key in a probe.
    tag: u16,
}

/// Where a slot is in the stream summary.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct Link {
    /// The slot's position in `order`, stored XOR the slot's number (so
    /// that all zeroes mean "slot i at position i").
    pos: u16,
    /// The block of equal counts the slot is in.
    block: u16,
}

/// One position in `order`.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct Place {
    /// The slot at this position, XOR the position.
    slot: u16,
    /// The block starting here, if one does.
    head: u16,
}

/// A run of positions in `order` whose slots all have `count`.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct Block {
    start: u16,
    end: u16,
    count: u32,
}

/// Index cells per slot: at most a sixteenth of the cells are in use, so
/// that probes are short (an unsuccessful one reads 1.07 cells on average
/// with random tags) and seldom read a slot that is not the key's. With 8
/// (half the memory), the bench's `Top::add` took about an eighth more
/// time, with 4 more still (bench/top/RESULTS.md).
const WAYS: usize = 16;

/// An empty cell of the index (no slot has number `0xffff`).
const EMPTY: u16 = u16::MAX;

/// A Space-Saving table of at most `C` keys (`C` from 1 to 4096).
///
/// ```
/// use tcpcount_core::{Filter, KeySpec, Parser, StateSet, Top, TopEntry, TopKey};
///
/// let table = b"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
///    0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0
///    1: 0100007F:1F90 0200000A:C350 01 00000000:00000000 00:00000000 00000000  1000        0 1002 1 0000000000000000 20 4 30 10 -1
///    2: 0100007F:1F90 0200000A:C351 01 00000000:00000000 00:00000000 00000000  1000        0 1003 1 0000000000000000 20 4 30 10 -1
///    3: 0100007F:1F90 0300000A:C352 01 00000000:00000000 00:00000000 00000000  1000        0 1004 1 0000000000000000 20 4 30 10 -1
/// ";
/// // `-s established --top raddr:2`
/// let spec: KeySpec = "raddr:2".parse()?;
/// let filter = Filter { states: Some(StateSet::parse("established")?), ..Filter::new() };
/// let mut top = Top::<1024>::new();
/// let mut parser = Parser::with_filter(filter);
/// let mut visit = |row: &tcpcount_core::Row<'_>| top.add_socket(&spec, row);
/// for chunk in table.chunks(100) {
///     parser.feed_visit(chunk, &mut visit)?;
/// }
/// parser.end(&mut visit)?;
///
/// let blank = TopEntry { key: TopKey::Port(0), count: 0, error: 0 };
/// let mut out = [blank; 2];
/// let shown: Vec<String> = top
///     .top_into(&mut out[..usize::from(spec.n)])
///     .iter()
///     .map(|e| format!("{} {} ±{}", e.key, e.count, e.error))
///     .collect();
/// # if cfg!(target_endian = "little") {
/// assert_eq!(shown, ["10.0.0.2 2 ±0", "10.0.0.3 1 ±0"]);
/// # }
/// assert!(top.exact());
/// assert_eq!(top.total(), 3);
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
///
/// `Top::new()` is `const`. Memory is fixed: 82 bytes per key (82 KiB for
/// [`TOP_CAPACITY`]), 32 of them the index.
///
/// Inside, the slots are kept sorted by count in `order` and cut into blocks
/// of equal counts (the "stream summary" of the paper, in arrays): a count
/// goes up by one by swapping the slot to the end of its block and moving
/// that boundary, so an update is O(1) plus the hash probe. Free slots are
/// slots of count 0, so filling the table and evicting from it are the same
/// step: take the first slot in `order`, the smallest count. The arrays are
/// apart by what touches them (keys and counts; positions and blocks;
/// `order` with the block heads; the index), and slot, position and block
/// numbers are 16 bits. An eviction puts the new key's index cell where its
/// probe ended and then takes the old key's out: one probe, and no key is
/// read to find the old cell.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Top<const C: usize = TOP_CAPACITY> {
    slots: [Slot; C],
    links: [Link; C],
    /// By position in ascending count: the slot there, stored XOR the
    /// position, and the block starting there if one does (stale
    /// otherwise), so that the block after a block is found from its end.
    order: [Place; C],
    blocks: [Block; C],
    /// Block numbers given back, a stack of `free_len`.
    free: [u16; C],
    free_len: u32,
    /// Blocks never used yet start here.
    fresh: u32,
    /// Slots with a key.
    len: u32,
    /// The hash index: `WAYS * C` cells, read as one flat array, each
    /// [`EMPTY`] or a slot number; a probe compares the slot's tag, then its
    /// key.
    index: [[u16; WAYS]; C],
    total: u32,
    evicted: bool,
}

impl<const C: usize> Default for Top<C> {
    fn default() -> Top<C> {
        Top::new()
    }
}

impl<const C: usize> Top<C> {
    /// Rejects, at compile time, a capacity the index cannot hold (slot
    /// numbers and index homes are 16 bits).
    const VALID: () = assert!(
        C >= 1 && C * WAYS <= 1 << 16,
        "Top capacity must be 1..=4096"
    );

    /// An empty table.
    pub const fn new() -> Top<C> {
        let () = Self::VALID;
        let mut blocks = [Block {
            start: 0,
            end: 0,
            count: 0,
        }; C];
        if let Some(first) = blocks.first_mut() {
            // Every slot free: one block of count 0.
            first.end = C as u16 - 1;
        }
        Top {
            slots: [Slot {
                entry: TopEntry {
                    key: TopKey::Port(0),
                    count: 0,
                    error: 0,
                },
                tag: 0,
            }; C],
            links: [Link { pos: 0, block: 0 }; C],
            order: [Place { slot: 0, head: 0 }; C],
            blocks,
            free: [0; C],
            free_len: 0,
            fresh: 1,
            len: 0,
            index: [[EMPTY; WAYS]; C],
            total: 0,
            evicted: false,
        }
    }

    /// Forgets everything counted, keeping the memory (for the next sample
    /// of a watch).
    pub fn clear(&mut self) {
        *self = Top::new();
    }

    /// How many keys fit.
    pub const fn capacity(&self) -> usize {
        C
    }

    /// How many keys are listed.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many times [`Top::add`] was called (saturating at `u32::MAX`).
    pub fn total(&self) -> u32 {
        self.total
    }

    /// Whether every count is exact: no key was ever evicted, so every
    /// distinct key counted is listed with error 0.
    pub fn exact(&self) -> bool {
        !self.evicted
    }

    /// Counts `socket` under the key `spec` takes from it. To count only
    /// what a [`crate::Filter`] lets through, call it from
    /// [`crate::Parser::feed_visit`]'s visitor (the parser visits only rows
    /// its filter passes), or check [`crate::Filter::matches`] first.
    /// A conntrack key in `spec` counts nothing.
    #[inline]
    pub fn add_socket(&mut self, spec: &KeySpec, socket: &impl TcpSocket) {
        if let Some(key) = spec.key(socket) {
            self.add(key);
        }
    }

    /// Counts a conntrack `entry` under the key `spec` takes from its
    /// original tuple; call it from [`crate::conntrack::CtParser::feed_visit`]'s
    /// visitor to count what the parser's filter passes. A socket key in
    /// `spec`, and `sport`/`dport` on an entry without ports (icmp, gre),
    /// count nothing.
    pub fn add_entry(&mut self, spec: &KeySpec, entry: &Entry) {
        if let Some(key) = spec.entry_key(entry) {
            self.add(key);
        }
    }

    /// Counts one occurrence of `key`.
    pub fn add(&mut self, key: TopKey) {
        if self.total == u32::MAX {
            return;
        }
        self.total += 1;
        let tag = key.tag();
        let at = match self.probe(&key, tag) {
            Ok(slot) => {
                self.increment(slot);
                return;
            }
            Err(at) => at,
        };
        // The smallest count (0: a free slot) gives its place to the new key.
        let slot = self.order_at(0);
        let Some(s) = self.slots.get_mut(usize::from(slot)) else {
            return;
        };
        let old = *s;
        *s = Slot {
            entry: TopEntry {
                key,
                count: old.entry.count,
                error: old.entry.count,
            },
            tag,
        };
        // The new cell goes in first, where the probe ended, then the old
        // key's cell (the same slot number, found from the old tag's home
        // before the new cell, which is past an empty cell) is taken out:
        // removing first could open a hole before `at`.
        self.set_index(at, slot);
        if old.entry.count == 0 {
            self.len += 1;
        } else {
            self.evicted = true;
            self.remove_cell(slot, old.tag);
        }
        self.increment(slot);
    }

    /// Every listed key, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &TopEntry> + '_ {
        self.slots.iter().map(|s| &s.entry).filter(|e| e.count > 0)
    }

    /// Fills `out` with the `out.len()` highest-ranked entries (count
    /// descending, then error ascending, then key ascending) and returns the
    /// filled part, shorter if fewer keys are listed. Takes O(C × N).
    pub fn top_into<'a>(&self, out: &'a mut [TopEntry]) -> &'a [TopEntry] {
        let mut filled = 0;
        for entry in self.iter() {
            // Insertion into the sorted prefix `out[..filled]`.
            let mut at = filled;
            while at > 0 && out.get(at - 1).is_some_and(|o| entry.ranks_before(o)) {
                at -= 1;
            }
            if at >= out.len() {
                continue;
            }
            let end = if filled < out.len() {
                filled += 1;
                filled
            } else {
                out.len()
            };
            if let Some(tail) = out.get_mut(at..end) {
                tail.rotate_right(1);
                if let Some(first) = tail.first_mut() {
                    *first = *entry;
                }
            }
        }
        out.get(..filled).unwrap_or_default()
    }

    /// The `count` of the smallest listed key, an upper bound of the true
    /// count of any key not listed (0 while not full).
    pub fn min_count(&self) -> u32 {
        let slot = self.order_at(0);
        self.slots
            .get(usize::from(slot))
            .map_or(0, |s| s.entry.count)
    }

    /// Adds one to the count of `slot`: it moves to the end of its block,
    /// which then either joins the next block (whose count is one more) or
    /// becomes a block of its own.
    fn increment(&mut self, slot: u16) {
        let Some(&Link { pos, block }) = self.links.get(usize::from(slot)) else {
            return;
        };
        let pos = pos ^ slot;
        let Some(&Block { start, end, count }) = self.blocks.get(usize::from(block)) else {
            return;
        };
        if count == u32::MAX {
            return;
        }
        // Swap with the last slot of the block (without a branch: when the
        // slot is the last, as a heavy key alone in its block is, the swap
        // writes what is there).
        let last = self.order_at(end);
        self.set_order(pos, last);
        self.set_order(end, slot);
        if let Some(l) = self.links.get_mut(usize::from(last)) {
            l.pos = pos ^ last;
        }
        let next = if usize::from(end) + 1 < C {
            self.order
                .get(usize::from(end) + 1)
                .map(|p| p.head)
                .filter(|&b| {
                    self.blocks
                        .get(usize::from(b))
                        .is_some_and(|b| b.count == count + 1)
                })
        } else {
            None
        };
        let new_block = match next {
            Some(next) => {
                if let Some(b) = self.blocks.get_mut(usize::from(next)) {
                    b.start = end;
                }
                self.set_head(end, next);
                if start == end {
                    self.free_block(block);
                } else if let Some(b) = self.blocks.get_mut(usize::from(block)) {
                    b.end = end - 1;
                }
                next
            }
            None if start == end => {
                if let Some(b) = self.blocks.get_mut(usize::from(block)) {
                    b.count = count + 1;
                }
                block
            }
            None => {
                if let Some(b) = self.blocks.get_mut(usize::from(block)) {
                    b.end = end - 1;
                }
                let new = self.alloc_block();
                if let Some(b) = self.blocks.get_mut(usize::from(new)) {
                    *b = Block {
                        start: end,
                        end,
                        count: count + 1,
                    };
                }
                self.set_head(end, new);
                new
            }
        };
        if let Some(l) = self.links.get_mut(usize::from(slot)) {
            *l = Link {
                pos: end ^ slot,
                block: new_block,
            };
        }
        if let Some(s) = self.slots.get_mut(usize::from(slot)) {
            s.entry.count = count + 1;
        }
    }

    fn set_head(&mut self, pos: u16, block: u16) {
        if let Some(p) = self.order.get_mut(usize::from(pos)) {
            p.head = block;
        }
    }

    fn free_block(&mut self, block: u16) {
        if let Some(f) = self.free.get_mut(self.free_len as usize) {
            *f = block;
            self.free_len += 1;
        }
    }

    /// A block number not in use. There is always one: at most C blocks are
    /// in use, and this is called only while a block holds two slots or more.
    fn alloc_block(&mut self) -> u16 {
        if self.free_len > 0 {
            self.free_len -= 1;
            self.free.get(self.free_len as usize).copied().unwrap_or(0)
        } else {
            self.fresh += 1;
            (self.fresh - 1) as u16
        }
    }

    fn order_at(&self, pos: u16) -> u16 {
        self.order.get(usize::from(pos)).map_or(0, |p| p.slot ^ pos)
    }

    fn set_order(&mut self, pos: u16, slot: u16) {
        if let Some(p) = self.order.get_mut(usize::from(pos)) {
            p.slot = slot ^ pos;
        }
    }

    const fn index_len() -> usize {
        WAYS * C
    }

    /// The cell a key with `tag` would take in an empty index (the tag
    /// scaled to the index's length, so that a cell's home is known from the
    /// cell alone).
    fn home(tag: u16) -> usize {
        // index_len() <= 2^16, so the product fits 32 bits.
        ((u32::from(tag) * Self::index_len() as u32) >> 16) as usize
    }

    fn index_at(&self, i: usize) -> u16 {
        self.index.as_flattened().get(i).copied().unwrap_or(EMPTY)
    }

    fn set_index(&mut self, i: usize, value: u16) {
        if let Some(c) = self.index.as_flattened_mut().get_mut(i) {
            *c = value;
        }
    }

    fn next(i: usize) -> usize {
        if i + 1 >= Self::index_len() { 0 } else { i + 1 }
    }

    /// The slot holding `key` (with this `tag`), or `Err` with the empty
    /// index position where it would go. At most C cells are used of 16C, so
    /// an empty position always ends the probe.
    fn probe(&self, key: &TopKey, tag: u16) -> Result<u16, usize> {
        let mut i = Self::home(tag);
        for _ in 0..Self::index_len() {
            let c = self.index_at(i);
            if c == EMPTY {
                return Err(i);
            }
            if self
                .slots
                .get(usize::from(c))
                .is_some_and(|s| s.tag == tag && s.entry.key == *key)
            {
                return Ok(c);
            }
            i = Self::next(i);
        }
        Err(i)
    }

    /// Removes the cell of `slot`, whose key had `tag`, from the index,
    /// shifting later cells of its probe run back so that no lookup meets a
    /// hole (Knuth's algorithm R); their homes come from their slots' tags.
    fn remove_cell(&mut self, old: u16, tag: u16) {
        let mut i = Self::home(tag);
        let mut found = false;
        for _ in 0..Self::index_len() {
            let c = self.index_at(i);
            if c == old {
                found = true;
                break;
            }
            if c == EMPTY {
                break;
            }
            i = Self::next(i);
        }
        if !found {
            return;
        }
        let mut j = i;
        for _ in 0..Self::index_len() {
            j = Self::next(j);
            let c = self.index_at(j);
            if c == EMPTY {
                break;
            }
            let k = Self::home(self.slots.get(usize::from(c)).map_or(0, |s| s.tag));
            // The cell at j may move to the hole at i unless its home lies
            // cyclically in (i, j].
            let stays = if i <= j {
                i < k && k <= j
            } else {
                i < k || k <= j
            };
            if !stays {
                self.set_index(i, c);
                i = j;
            }
        }
        self.set_index(i, EMPTY);
    }
}

#[cfg(test)]
mod test {
    use super::*;

    fn v4(s: &str) -> TopKey {
        TopKey::address(s.parse().unwrap(), 32, 128)
    }

    #[test]
    fn test_rfc5952_and_dotted_quad() {
        let cases = [
            ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
            ("2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
            ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
            ("2001:db8::0:1", "2001:db8::1"),
            ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
            ("0:0:0:0:0:0:0:0", "::"),
            ("0:0:0:0:0:0:0:1", "::1"),
            ("1:0:0:0:0:0:0:0", "1::"),
            ("fe80:0:0:0:a:b:c:d", "fe80::a:b:c:d"),
            (
                "2001:DB8:ABCD:EF01:2345:6789:ABCD:EF01",
                "2001:db8:abcd:ef01:2345:6789:abcd:ef01",
            ),
            ("::ffff:192.0.2.1", "192.0.2.1"),
            ("::ffff:c000:0201", "192.0.2.1"),
            ("::192.0.2.1", "::c000:201"),
            ("192.0.2.1", "192.0.2.1"),
            ("0.0.0.0", "0.0.0.0"),
            ("255.255.255.255", "255.255.255.255"),
        ];
        for (input, expected) in cases {
            let key = TopKey::address(input.parse().unwrap(), 32, 128);
            assert_eq!(key.to_string(), expected, "{input}");
        }
        let prefixed = [
            ("192.0.2.77", 24, 64, "192.0.2.0/24"),
            ("192.0.2.77", 0, 64, "0.0.0.0/0"),
            ("::ffff:10.1.2.3", 8, 64, "10.0.0.0/8"),
            ("2001:db8:1:2:3:4:5:6", 24, 64, "2001:db8:1:2::/64"),
            ("2001:db8:1:2:3:4:5:6", 24, 48, "2001:db8:1::/48"),
            ("2001:db8:1:2:3:4:5:6", 24, 0, "::/0"),
            ("2001:db8:1:2:3:4:5:6", 24, 200, "2001:db8:1:2:3:4:5:6"),
        ];
        for (input, p4, p6, expected) in prefixed {
            let key = TopKey::address(input.parse().unwrap(), p4, p6);
            assert_eq!(key.to_string(), expected, "{input} /{p4},{p6}");
        }
        assert_eq!(TopKey::Port(443).to_string(), "443");
    }

    #[test]
    fn test_key_specs() {
        let spec = |field, v4_prefix, v6_prefix, n| KeySpec {
            field,
            v4_prefix,
            v6_prefix,
            n,
        };
        use KeyField::*;
        let cases = [
            ("raddr", Ok(spec(RemoteAddr, 32, 128, 10))),
            ("laddr:3", Ok(spec(LocalAddr, 32, 128, 3))),
            ("raddr/24", Ok(spec(RemoteAddr, 24, 64, 10))),
            ("raddr/32", Ok(spec(RemoteAddr, 32, 64, 10))),
            ("raddr/0", Ok(spec(RemoteAddr, 0, 64, 10))),
            ("raddr/64", Ok(spec(RemoteAddr, 32, 64, 10))),
            ("raddr/33:5", Ok(spec(RemoteAddr, 32, 33, 5))),
            ("raddr/128", Ok(spec(RemoteAddr, 32, 128, 10))),
            ("raddr/24,48:20", Ok(spec(RemoteAddr, 24, 48, 20))),
            ("rport", Ok(spec(RemotePort, 32, 128, 10))),
            ("lport:65535", Ok(spec(LocalPort, 32, 128, 65535))),
            ("", Err(KeySpecError::UnknownKey)),
            ("src", Ok(spec(Src, 32, 128, 10))),
            ("dst/24:3", Ok(spec(Dst, 24, 64, 3))),
            ("dport:5", Ok(spec(Dport, 32, 128, 5))),
            ("sport/8", Err(KeySpecError::PrefixOnPort)),
            ("saddr", Err(KeySpecError::UnknownKey)),
            ("RADDR", Err(KeySpecError::UnknownKey)),
            ("raddr /24", Err(KeySpecError::UnknownKey)),
            ("lport/16", Err(KeySpecError::PrefixOnPort)),
            ("raddr/129", Err(KeySpecError::BadPrefix)),
            ("raddr/", Err(KeySpecError::BadPrefix)),
            ("raddr/x", Err(KeySpecError::BadPrefix)),
            ("raddr/33,64", Err(KeySpecError::BadPrefix)),
            ("raddr/24,129", Err(KeySpecError::BadPrefix)),
            ("raddr/-1", Err(KeySpecError::BadPrefix)),
            ("raddr:0", Err(KeySpecError::BadCount)),
            ("raddr:", Err(KeySpecError::BadCount)),
            ("raddr:65536", Err(KeySpecError::BadCount)),
            ("raddr:10:2", Err(KeySpecError::BadCount)),
        ];
        for (text, expected) in cases {
            assert_eq!(text.parse::<KeySpec>(), expected, "{text:?}");
        }
        let canonical = [
            ("raddr", "raddr:10"),
            ("raddr/24", "raddr/24,64:10"),
            ("raddr/128:3", "raddr:3"),
            ("src/16,48:2", "src/16,48:2"),
            ("lport:5", "lport:5"),
        ];
        for (text, shown) in canonical {
            let spec: KeySpec = text.parse().unwrap();
            assert_eq!(spec.to_string(), shown, "{text}");
            assert_eq!(shown.parse::<KeySpec>(), Ok(spec), "{shown}");
        }
    }

    impl<const C: usize> Top<C> {
        /// Checks every internal invariant: each listed slot has exactly
        /// one index cell, found by a probe from its home that meets no
        /// empty cell; no other cell is in use; `order` is a permutation
        /// sorted by count whose links point back; the blocks cut it into
        /// runs of equal counts, each with its head at its start.
        fn check_invariants(&self, what: &str) {
            let cells: Vec<(usize, u16)> = (0..Self::index_len())
                .map(|i| (i, self.index_at(i)))
                .filter(|&(_, c)| c != EMPTY)
                .collect();
            assert_eq!(cells.len(), self.len(), "{what}: cells in use");
            for &(i, c) in &cells {
                let slot = c;
                let s = self.slots[usize::from(slot)];
                assert!(s.entry.count > 0, "{what}: cell {i} for free slot {slot}");
                assert_eq!(s.tag, s.entry.key.tag(), "{what}: slot {slot} tag");
                // Every cell from its home up to it is in use.
                let mut j = Self::home(s.tag);
                while j != i {
                    assert_ne!(self.index_at(j), EMPTY, "{what}: hole before {i}");
                    j = Self::next(j);
                }
                assert_eq!(self.probe(&s.entry.key, s.tag), Ok(slot), "{what}: probe");
            }
            let mut seen = vec![false; C];
            let mut pos = 0usize;
            while pos < C {
                let Place { head, .. } = self.order[pos];
                let b = self.blocks[usize::from(head)];
                assert_eq!(usize::from(b.start), pos, "{what}: head at {pos}");
                assert!(b.start <= b.end, "{what}: block {head}");
                if pos > 0 {
                    let before = self.slots[usize::from(self.order_at(pos as u16 - 1))];
                    assert!(before.entry.count < b.count, "{what}: ascending at {pos}");
                }
                for p in b.start..=b.end {
                    let slot = self.order_at(p);
                    assert!(!seen[usize::from(slot)], "{what}: slot {slot} twice");
                    seen[usize::from(slot)] = true;
                    let l = self.links[usize::from(slot)];
                    assert_eq!((l.pos ^ slot, l.block), (p, head), "{what}: link {slot}");
                    assert_eq!(self.slots[usize::from(slot)].entry.count, b.count, "{what}");
                }
                pos = usize::from(b.end) + 1;
            }
        }
    }

    #[test]
    fn test_index_and_order_after_many_evictions() {
        // (capacity, stream): every key of a stream is added in turn, and
        // the invariants are checked after each of the first 200 adds and
        // every 97th after that.
        fn stream(name: &str) -> Vec<TopKey> {
            let mut x = 0x2545_f491_4f6c_dd1d_u64;
            let mut rand = move || {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x
            };
            match name {
                // All new: an eviction per add once full.
                "distinct" => (0..5000).map(|i| TopKey::Port(i as u16)).collect(),
                // Heavy keys between new ones (the old and new keys' cells
                // collide and shift back and forth).
                "interleaved" => (0..6000u32)
                    .map(|i| {
                        if i % 2 == 0 {
                            TopKey::Port((i % 6) as u16)
                        } else {
                            v4(&format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255))
                        }
                    })
                    .collect(),
                // Random keys from a small set, then from a large one.
                "mixed" => (0..8000)
                    .map(|i| {
                        let r = rand();
                        let n = if i < 3000 { 40 } else { 20_000 };
                        match r % 3 {
                            0 => TopKey::Port((r >> 8) as u16 % n),
                            1 => TopKey::V6 {
                                addr: Ipv6Addr::from_bits(u128::from((r >> 8) % u64::from(n))),
                                prefix: 128,
                            },
                            _ => TopKey::address(
                                IpAddr::V4(Ipv4Addr::from_bits((r >> 8) as u32 % u32::from(n))),
                                24,
                                128,
                            ),
                        }
                    })
                    .collect(),
                // Keys whose tags share one home: one long probe run that
                // wraps around the index's end.
                "one-home" => {
                    let mut keys = Vec::new();
                    let mut p = 0u16;
                    while keys.len() < 40 {
                        let k = TopKey::Port(p);
                        if k.tag() >> 12 == 0xf {
                            keys.push(k);
                        }
                        p = p.wrapping_add(1);
                    }
                    (0..4000).map(|i| keys[(i * 7 + i / 40) % 40]).collect()
                }
                _ => unreachable!(),
            }
        }
        fn run<const C: usize>(name: &str) {
            let keys = stream(name);
            let mut top = Top::<C>::new();
            top.check_invariants("empty");
            for (i, &k) in keys.iter().enumerate() {
                top.add(k);
                if i < 200 || i % 97 == 0 {
                    top.check_invariants(&format!("{name} C={C} after {}", i + 1));
                }
            }
            top.check_invariants(&format!("{name} C={C} at the end"));
            assert_eq!(top.total() as usize, keys.len());
        }
        for name in ["distinct", "interleaved", "mixed", "one-home"] {
            run::<1>(name);
            run::<2>(name);
            run::<7>(name);
            run::<64>(name);
            run::<1024>(name);
        }
    }

    #[test]
    fn test_memory_is_fixed() {
        assert!(core::mem::size_of::<Top<1024>>() <= 82 * 1024 + 64);
    }

    #[test]
    fn test_exact_while_it_fits() {
        let mut top = Top::<4>::new();
        for a in [
            "10.0.0.1",
            "10.0.0.2",
            "10.0.0.1",
            "10.0.0.3",
            "::ffff:10.0.0.1",
        ] {
            top.add(v4(a));
        }
        assert!(top.exact());
        assert_eq!(top.total(), 5);
        let mut out = [TopEntry {
            key: TopKey::Port(0),
            count: 0,
            error: 0,
        }; 8];
        let got = top.top_into(&mut out);
        let got: Vec<_> = got
            .iter()
            .map(|e| (e.key.to_string(), e.count, e.error))
            .collect();
        assert_eq!(
            got,
            [
                ("10.0.0.1".to_string(), 3, 0),
                ("10.0.0.2".to_string(), 1, 0),
                ("10.0.0.3".to_string(), 1, 0)
            ]
        );
    }

    #[test]
    fn test_eviction_takes_the_smallest() {
        let mut top = Top::<2>::new();
        for p in [1, 1, 1, 2, 3] {
            top.add(TopKey::Port(p));
        }
        assert!(!top.exact());
        let mut out = [TopEntry {
            key: TopKey::Port(0),
            count: 0,
            error: 0,
        }; 2];
        let got = top.top_into(&mut out);
        assert_eq!(
            got,
            [
                TopEntry {
                    key: TopKey::Port(1),
                    count: 3,
                    error: 0
                },
                TopEntry {
                    key: TopKey::Port(3),
                    count: 2,
                    error: 1
                },
            ]
        );
        assert_eq!(top.min_count(), 2);
    }
}
