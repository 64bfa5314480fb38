//! The naive reference reading of `/proc/net/tcp` and `/proc/net/tcp6` that
//! `core/tests/oracle.rs`, `tests/` and the fuzz targets compare the core
//! against: split the table on `'\n'`, skip the header, split each row on
//! whitespace, read the 4th word as the hex state and the others with the
//! standard library's parsers. It shares no code with `tcpcount-core` (it does
//! not depend on it) and checks nothing beyond what it reads: it answers
//! "what does this table say?" for tables the core accepted or a test made.
//! Beside it: in `conntrack`, the same naive reading of conntrack tables and
//! of their captured `conntrack -L` listings; in `rng`, the seeded generator,
//! random chunking and seed list that the property tests share.

use std::net::IpAddr;

mod conntrack;
mod rng;

pub use conntrack::{Listing, STATES as CT_STATES, conntrack, list, listing};
pub use rng::{Rng, pieces, seeds};

/// What the naive reading of a table found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
    /// Rows per state code (the 4th word, as hex).
    pub by_code: [u32; 256],
    /// Rows after the header.
    pub rows: u32,
    /// The hex digits of the first row's local address (8 for IPv4, 32 for
    /// IPv6), or `None` for a table with no rows.
    pub address_digits: Option<usize>,
}

/// Reads `table`: `None` if a row has no hex 4th word or a local address
/// without a `:`.
pub fn read(table: &[u8]) -> Option<Reading> {
    let mut reading = Reading {
        by_code: [0; 256],
        rows: 0,
        address_digits: None,
    };
    let mut lines: Vec<&[u8]> = table.split(|&b| b == b'\n').collect();
    if lines.last() == Some(&&b""[..]) {
        lines.pop();
    }
    for line in lines.iter().skip(1) {
        let words = words(line);
        let code = u8::try_from(hex(words.get(3)?)?).ok()?;
        reading.by_code[usize::from(code)] += 1;
        reading.rows += 1;
        if reading.address_digits.is_none() {
            let (address, _) = split_colon(words.get(1)?)?;
            reading.address_digits = Some(address.len());
        }
    }
    Some(reading)
}

/// The whitespace-separated words of a line.
pub fn words(line: &[u8]) -> Vec<&[u8]> {
    line.split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .collect()
}

/// One row's fields up to `uid`, read the naive way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowFields<'a> {
    /// `st`.
    pub state: u8,
    /// The local address's hex digits.
    pub local_address: &'a [u8],
    /// The local port.
    pub local_port: u16,
    /// The remote address's hex digits.
    pub remote_address: &'a [u8],
    /// The remote port.
    pub remote_port: u16,
    /// `tx_queue`.
    pub tx_queue: u32,
    /// `rx_queue`.
    pub rx_queue: u32,
    /// `uid`.
    pub uid: u32,
    /// How many words the row has.
    pub words: usize,
}

/// Reads one row: `None` if a field up to `uid` is missing or unreadable.
pub fn row(line: &[u8]) -> Option<RowFields<'_>> {
    let words = words(line);
    let (local_address, local_port) = split_colon(words.get(1)?)?;
    let (remote_address, remote_port) = split_colon(words.get(2)?)?;
    let (tx, rx) = split_colon(words.get(4)?)?;
    Some(RowFields {
        state: u8::try_from(hex(words.get(3)?)?).ok()?,
        local_address,
        local_port: u16::try_from(hex(local_port)?).ok()?,
        remote_address,
        remote_port: u16::try_from(hex(remote_port)?).ok()?,
        tx_queue: hex(tx)?,
        rx_queue: hex(rx)?,
        uid: std::str::from_utf8(words.get(7)?).ok()?.parse().ok()?,
        words: words.len(),
    })
}

/// Splits `ADDR:PORT` (or `TX:RX`) at its colon.
pub fn split_colon(word: &[u8]) -> Option<(&[u8], &[u8])> {
    let colon = word.iter().position(|&b| b == b':')?;
    Some((&word[..colon], &word[colon + 1..]))
}

/// The value of at most 8 hex digits.
pub fn hex(digits: &[u8]) -> Option<u32> {
    u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

/// An address as the kernel prints it: each group of 8 hex digits is a `u32`
/// in the writer's (here: this machine's) byte order. `None` unless 8 or 32
/// hex digits.
pub fn ip(hex_digits: &[u8]) -> Option<IpAddr> {
    let mut bytes = Vec::new();
    for word in hex_digits.chunks(8) {
        bytes.extend_from_slice(&hex(word)?.to_ne_bytes());
    }
    match bytes.len() {
        4 => Some(<[u8; 4]>::try_from(bytes.as_slice()).ok()?.into()),
        16 => Some(<[u8; 16]>::try_from(bytes.as_slice()).ok()?.into()),
        _ => None,
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn reads_a_small_table() {
        let table = b"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0        0 1 1 0
12345: 0100007F:1F90 0100007F:C350 01 00000010:00000000 00:00000000 00000000  1000        0 2 1 0";
        let reading = read(table).unwrap();
        assert_eq!((reading.rows, reading.address_digits), (2, Some(8)));
        assert_eq!((reading.by_code[0x0A], reading.by_code[0x01]), (1, 1));
        assert_eq!(reading.by_code.iter().sum::<u32>(), 2);
        let second = table.split(|&b| b == b'\n').nth(2).unwrap();
        let fields = row(second).unwrap();
        assert_eq!(
            (
                fields.state,
                fields.local_port,
                fields.remote_port,
                fields.tx_queue,
                fields.uid
            ),
            (1, 8080, 50000, 16, 1000)
        );
        if cfg!(target_endian = "little") {
            assert_eq!(ip(fields.local_address), Some(IpAddr::from([127, 0, 0, 1])));
        }
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        assert_eq!(read(b"header\n 0: 0100007F:1F90 00000000:0000 ZZ"), None);
        assert_eq!(read(b"header\n 0: x"), None);
        assert_eq!(row(b" 0: 0100007F:1F90"), None);
        assert_eq!(ip(b"0100007F0"), None);
    }
}
