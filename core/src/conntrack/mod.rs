//! Counts the netfilter connection-tracking table (`/proc/net/nf_conntrack`,
//! or the legacy `/proc/net/ip_conntrack`): what fills a router's table, per
//! family, TCP conntrack state (plus `OFFLOAD`, `HW_OFFLOAD`, `UNKNOWN`),
//! protocol and flag. The same contract as the socket parser: chunks of any
//! size give the same result, no heap, no panic, a bad line is a
//! [`CtError`] with its 1-based line number and the field at fault, a line
//! longer than [`CT_LINE_CAPACITY`] is an error. The layers: `layout` names
//! the kernel's format, [`Entry::parse`] checks and decodes one line,
//! [`CtParser`] finds lines and counts them into [`CtCounts`], filtered by a
//! [`CtFilter`]; [`CtParser::feed_visit`] shows each counted [`Entry`] (with
//! its original and reply [`Tuple`]) to a callback.
//!
//! ```
//! use tcpcount_core::Family;
//! use tcpcount_core::conntrack::{CtParser, CtState, Protocol};
//!
//! let table = b"ipv4     2 tcp      6 431999 ESTABLISHED src=10.0.0.2 dst=10.0.1.2 sport=40000 dport=443 src=10.0.1.2 dst=192.168.1.1 sport=443 dport=40000 [ASSURED] mark=0 zone=0 use=2
//! ipv4     2 tcp      6 src=10.0.0.3 dst=10.0.1.2 sport=40001 dport=443 src=10.0.1.2 dst=192.168.1.1 sport=443 dport=40001 [OFFLOAD] mark=0 zone=0 use=3
//! ipv6     10 udp      17 29 src=fd00:0000:0000:0000:0000:0000:0000:0002 dst=fd00:0000:0000:0000:0000:0000:0001:0002 sport=5353 dport=53 [UNREPLIED] src=fd00:0000:0000:0000:0000:0000:0001:0002 dst=fd00:0000:0000:0000:0000:0000:0000:0002 sport=53 dport=5353 mark=0 zone=0 use=2
//! ";
//! let mut parser = CtParser::new();
//! let (first, second) = table.split_at(100);
//! parser.feed(first)?;
//! parser.feed(second)?;
//! let counts = parser.finish()?;
//! let v4 = counts.family(Family::Ipv4);
//! assert_eq!(v4.get(CtState::Established), 1);
//! assert_eq!(v4.get(CtState::Offload), 1);
//! assert_eq!(counts.family(Family::Ipv6).protocol(Protocol::Udp), 1);
//! assert_eq!(counts.total().unreplied(), 1);
//! # Ok::<(), tcpcount_core::conntrack::CtError>(())
//! ```

mod counts;
mod error;
mod filter;
mod layout;
mod parser;
mod row;
mod state;

pub use counts::{CtCounts, FamilyCounts};
pub use error::{CtError, CtErrorKind, CtField};
pub use filter::{CtFilter, CtStateSet};
pub use layout::CT_LINE_CAPACITY;
pub use parser::CtParser;
pub use row::{Entry, EntryParts, Tuple};
pub use state::{CtState, Protocol};
