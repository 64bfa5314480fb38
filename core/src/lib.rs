//! Counts TCP sockets per state from the bytes of `/proc/net/tcp` and
//! `/proc/net/tcp6`, pushed in chunks of any size, with no heap and no panic.
//!
//! ```
//! use tcpcount_core::{Parser, TcpState};
//!
//! let table = b"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
//!    0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0
//!    1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 1002 1 0000000000000000 20 4 30 10 -1
//!    2: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 1003 1 0000000000000000 20 4 30 10 -1
//! ";
//! let mut parser = Parser::new();
//! // Cut the input in the middle of a row, as a read() or a UART would.
//! let (first, second) = table.split_at(200);
//! parser.feed(first)?;
//! parser.feed(second)?;
//! let counts = parser.finish()?;
//!
//! assert_eq!(counts.get(TcpState::Listen), 1);
//! assert_eq!(counts.get(TcpState::Established), 2);
//! assert_eq!(counts.total(), 3);
//! # Ok::<(), tcpcount_core::Error>(())
//! ```
//!
//! # Contract
//!
//! - **Any chunking gives the same result.** Feeding a table whole, byte by
//!   byte, or cut anywhere gives the same counts or the same error.
//! - **Errors.** The first line must be the kernel's header. Every later line
//!   must be a row whose fields up to the inode have the kernel's layout (see
//!   [`Row::parse`]); anything else is an [`Error`] naming the 1-based line and
//!   the field. A line longer than [`LINE_CAPACITY`] bytes is an error, never
//!   skipped. IPv4 and IPv6 rows in one table are an error. After an error the
//!   parser returns that error from every call.
//! - **Unknown states are counted.** A well-formed row whose state code is not
//!   one of the eleven in `tcp_states.h` is counted in [`Counts::unknown`].
//! - **Accepted edge cases.** An empty input, a header with no rows, and a
//!   last line with no newline.
//! - **Fixed memory.** A [`Parser`] holds a [`LINE_CAPACITY`]-byte buffer for
//!   a line split between chunks, plus the counts; nothing grows. Counts are
//!   `u32` and saturate at `u32::MAX`. The optional tables have fixed
//!   capacities and report what did not fit: [`PortCounts`]
//!   ([`PORT_CAPACITY`] ports), [`Listeners`] ([`LISTENER_CAPACITY`] ports),
//!   [`PortList`] ([`filter::PORT_RANGES`] ranges).
//! - **Filters.** A [`Filter`] decides which well-formed rows are counted;
//!   every row is still validated, so a filter never hides a bad table.
//! - **No panic.** No public function panics on any input; the crate denies
//!   `unwrap`, `expect`, `panic!` and unchecked indexing, and forbids `unsafe`.
//! - **What a count means.** The kernel writes these tables as they are when
//!   read; on a busy machine a socket can change state or move between two
//!   `read()` calls, so a count read in several pieces is close to, not
//!   exactly, one instant's.
//!
//! # Size builds
//!
//! The hot parsers force the inlining of their helpers (`#[inline(always)]`),
//! a speed lever at opt-level 3 (docs/bench.md). Built with
//! `--cfg tcpcount_small` (in `RUSTFLAGS`; the router builds of
//! `cross/build --tiny` and `scripts/build-smallest` pass it), the compiler
//! decides instead, which makes the code smaller at opt-level `z`. The
//! results are the same either way; only the code differs.

#![cfg_attr(not(test), no_std)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::indexing_slicing))]

pub mod conntrack;
mod counters;
mod counts;
mod error;
pub mod filter;
mod lines;
mod listeners;
mod ports;
mod socket;
mod state;
mod tcp;
pub mod top;

pub use counters::{
    COUNTERS, Counter, CounterParser, Counters, CountersError, CountersErrorKind, PREFIX_CAPACITY,
    Section,
};
pub use counts::Counts;
pub use error::{Error, ErrorKind};
pub use filter::{Cidr, Filter, FilterError, PortList, StateSet};
pub use listeners::{LISTENER_CAPACITY, Listener, Listeners};
pub use ports::{PORT_CAPACITY, PortCounts, Side};
pub use socket::{Socket, TcpSocket};
pub use state::TcpState;
pub use tcp::{Family, Field, LINE_CAPACITY, Parser, Row};
pub use top::{KeyField, KeySpec, KeySpecError, TOP_CAPACITY, Top, TopEntry, TopKey};

/// The README's Rust examples, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
