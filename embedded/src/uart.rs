//! A stand-in for a UART driver: it hands out a byte table in pieces of 1 to
//! 16 bytes, as a receive interrupt filling a ring buffer would.

/// Bytes "received" in pieces of varying size.
pub struct Uart {
    rest: &'static [u8],
    /// The size of the next piece, minus one (cycles through 0..16).
    step: usize,
}

impl Uart {
    /// A UART that will deliver `bytes`.
    pub const fn new(bytes: &'static [u8]) -> Uart {
        Uart {
            rest: bytes,
            step: 0,
        }
    }

    /// The next 1..=16 bytes that arrived, or `None` once all were read.
    pub fn read(&mut self) -> Option<&'static [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        // 8, 15, 6, 13, 4, ...: each size from 1 to 16 once every 16 pieces.
        self.step = (self.step + 7) % 16;
        let (piece, rest) = self.rest.split_at(self.rest.len().min(self.step + 1));
        self.rest = rest;
        Some(piece)
    }
}
