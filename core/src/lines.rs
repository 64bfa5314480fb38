//! Line framing shared by the push parsers: chunks of any size in, complete
//! numbered lines out. A line split between chunks is carried in a fixed
//! [`heapless::Vec`] of `N` bytes; a carried line that does not fit is handed
//! on as [`None`] (too long), so the caller's error does not depend on where
//! the input was cut. Knows nothing of what a line means.

use heapless::Vec;

/// The carry buffer and the number of the last line begun (0 before the
/// first byte).
#[derive(Clone, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) struct Lines<const N: usize> {
    carry: Vec<u8, N>,
    number: u32,
}

impl<const N: usize> Lines<N> {
    pub(crate) const fn new() -> Lines<N> {
        Lines {
            carry: Vec::new(),
            number: 0,
        }
    }

    /// Shows `on_line` every line that `chunk` completes, with its 1-based
    /// number (`None` for a carried line longer than `N` bytes), and carries
    /// the unfinished rest. Stops at the first error `on_line` returns.
    #[cfg_attr(not(tcpcount_small), inline(always))]
    pub(crate) fn feed<E>(
        &mut self,
        chunk: &[u8],
        on_line: &mut impl FnMut(u32, Option<&[u8]>) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut rest = chunk;
        while let Some(end) = memchr::memchr(b'\n', rest) {
            let (line, after) = rest.split_at(end);
            rest = after.get(1..).unwrap_or_default();
            if self.carry.is_empty() {
                self.number = self.number.saturating_add(1);
                on_line(self.number, Some(line))?;
            } else {
                let fits = self.carry.extend_from_slice(line).is_ok();
                let result = on_line(self.number, fits.then_some(self.carry.as_slice()));
                self.carry.clear();
                result?;
            }
        }
        if rest.is_empty() {
            return Ok(());
        }
        if self.carry.is_empty() {
            self.number = self.number.saturating_add(1);
        }
        match self.carry.extend_from_slice(rest) {
            Ok(()) => Ok(()),
            Err(_) => on_line(self.number, None),
        }
    }

    /// Shows `on_line` the carried last line, if the input ended without a
    /// newline; afterwards feeding goes on as if that line had ended.
    pub(crate) fn end<E>(
        &mut self,
        on_line: &mut impl FnMut(u32, Option<&[u8]>) -> Result<(), E>,
    ) -> Result<(), E> {
        if self.carry.is_empty() {
            return Ok(());
        }
        let result = on_line(self.number, Some(self.carry.as_slice()));
        self.carry.clear();
        result
    }
}

#[cfg(test)]
mod test {
    extern crate std;
    use std::vec::Vec;

    use super::Lines;

    type Seen = Vec<(u32, Option<Vec<u8>>)>;
    /// An input and the numbered lines it must give.
    type Case<'a> = (&'a [u8], &'a [(u32, Option<&'a [u8]>)]);

    /// The lines shown after feeding `input` in pieces of `size` bytes and
    /// ending it, as a caller sees them that (like the parsers) rejects a
    /// line longer than the carry, given whole or as `None`, and then stops.
    fn lines(input: &[u8], size: usize) -> Seen {
        let mut lines = Lines::<4>::new();
        let mut seen = Vec::new();
        let mut record = |n: u32, line: Option<&[u8]>| -> Result<(), ()> {
            let line = line.filter(|l| l.len() <= 4);
            seen.push((n, line.map(<[u8]>::to_vec)));
            line.map(|_| ()).ok_or(())
        };
        let fed = input
            .chunks(size)
            .try_for_each(|piece| lines.feed(piece, &mut record));
        if fed.is_ok() {
            lines.end(&mut record).ok();
        }
        seen
    }

    #[test]
    fn test_every_chunking_gives_the_same_lines() {
        let cases: [Case; 6] = [
            (b"", &[]),
            (b"ab\ncd\n", &[(1, Some(b"ab")), (2, Some(b"cd"))]),
            (b"ab\ncd", &[(1, Some(b"ab")), (2, Some(b"cd"))]),
            (b"\n\nx", &[(1, Some(b"")), (2, Some(b"")), (3, Some(b"x"))]),
            (b"abcd\n", &[(1, Some(b"abcd"))]),
            (b"a\nabcdefgh\nb\n", &[(1, Some(b"a")), (2, None)]),
        ];
        for (input, want) in cases {
            let want: Seen = want
                .iter()
                .map(|(n, l)| (*n, l.map(<[u8]>::to_vec)))
                .collect();
            for size in 1..=input.len().max(1) {
                assert_eq!(lines(input, size), want, "{input:?} in pieces of {size}");
            }
        }
    }
}
