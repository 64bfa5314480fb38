//! What `--top` and `--counters` add to a [`crate::Sample`]: the
//! heavy-hitters table of the counted sockets ([`TopReading`], allocated once
//! and cleared for each sample of a watch), and the kernel's TCP counters
//! with their per-second rates since the previous sample
//! ([`CountersReading`]).

use std::time::{Duration, Instant};

use tcpcount_core::{Counter, Counters, KeySpec, TOP_CAPACITY, Top, TopEntry, TopKey};

/// The top-N table of one sample.
#[derive(Clone, Debug)]
pub struct TopReading {
    /// What `--top` asked for.
    pub spec: KeySpec,
    /// Every counted socket, by key.
    pub table: Top<TOP_CAPACITY>,
}

impl TopReading {
    /// An empty table for `spec`.
    pub fn new(spec: KeySpec) -> TopReading {
        TopReading {
            spec,
            table: Top::new(),
        }
    }

    /// An empty table for `spec` on the heap, allocated once per run. Not
    /// inlined, for the reason `sample.rs` gives for the per-port table: the
    /// table is built on the stack before it moves (about 140 KiB), and
    /// inlined into `Reader::sample` that frame was stack-probed, so made
    /// resident, at every sample, `--top` or not.
    #[inline(never)]
    pub fn boxed(spec: KeySpec) -> Box<TopReading> {
        Box::new(TopReading::new(spec))
    }

    /// The `spec.n` highest-ranked keys (at most the table's capacity):
    /// count descending, then error ascending, then key.
    pub fn ranked(&self) -> Vec<TopEntry> {
        let blank = TopEntry {
            key: TopKey::Port(0),
            count: 0,
            error: 0,
        };
        let n = usize::from(self.spec.n).min(TOP_CAPACITY);
        let mut out = vec![blank; n];
        let len = self.table.top_into(&mut out).len();
        out.truncate(len);
        out
    }

    /// The key sure to hold the most: the highest `count - error` (a
    /// guaranteed lower bound of its true count), if anything was counted.
    pub fn surest(&self) -> Option<(TopKey, u32)> {
        self.table
            .iter()
            .map(|e| (e.key, e.count - e.error))
            .max_by_key(|&(key, lower)| (lower, std::cmp::Reverse(key)))
    }

    /// The column heading, `raddr` or `raddr/24,64`.
    pub fn heading(&self) -> String {
        let shown = self.spec.to_string();
        shown
            .rsplit_once(':')
            .map_or(shown.clone(), |(key, _)| key.to_owned())
    }
}

/// The kernel's TCP counters of one sample, and of the one before in a
/// watch.
#[derive(Clone, Debug)]
pub struct CountersReading {
    /// The values read now.
    pub now: Counters,
    /// When they were read.
    pub read_at: Instant,
    /// The previous sample's values and the time between the two reads.
    pub previous: Option<(Counters, Duration)>,
}

impl CountersReading {
    /// A reading of `now`, taken at `read_at`, after `before` (the previous
    /// reading of a watch, if any).
    pub fn new(now: Counters, read_at: Instant, before: Option<&CountersReading>) -> Self {
        CountersReading {
            now,
            read_at,
            previous: before.map(|b| (b.now, read_at.saturating_duration_since(b.read_at))),
        }
    }

    /// The counter's change per second since the previous sample: none on
    /// the first sample, for the gauges (`MaxConn`, `CurrEstab`), for a
    /// counter missing from either reading, or one that went down (a
    /// counter reset, e.g. a new namespace under --pid).
    ///
    /// In hundredths per second, rounded down: integer arithmetic, so the
    /// binary carries no float formatting (measured: about 20 KB).
    pub fn rate(&self, counter: Counter) -> Option<Rate> {
        if is_gauge(counter) {
            return None;
        }
        let (before, elapsed) = self.previous.as_ref()?;
        let (now, then) = (self.now.get(counter)?, before.get(counter)?);
        let delta = u128::try_from(now.checked_sub(then)?).ok()?;
        let nanos = elapsed.as_nanos();
        let hundredths = (delta * 100 * 1_000_000_000).checked_div(nanos)?;
        Some(Rate(u64::try_from(hundredths).unwrap_or(u64::MAX)))
    }

    /// Whether a per-second rate is known for this sample.
    pub fn has_rates(&self) -> bool {
        self.previous.is_some()
    }
}

/// A per-second rate in hundredths, printed with two decimals (`12.50`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rate(pub u64);

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// The two counters that are levels, not running totals.
pub fn is_gauge(counter: Counter) -> bool {
    matches!(counter, Counter::MaxConn | Counter::CurrEstab)
}
