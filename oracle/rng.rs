//! Seeded randomness for the property tests: one xorshift64* generator (no
//! dependencies, the same sequence on every machine, so a failing case reruns
//! from its printed seed) and `pieces`, which cuts an input into the random
//! chunks the push parsers are fed, and `seeds`, the seeds a test runs.

/// xorshift64*: small, seedable, good enough to pick shapes and cuts.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// Starts from `state` as it is. Zero is a fixed point of xorshift (every
    /// draw would be 0): give a non-zero state, or use [`Rng::new`].
    pub const fn from_state(state: u64) -> Rng {
        Rng(state)
    }

    /// Starts from any seed, zero included: the seed is mixed (splitmix64)
    /// into a non-zero state first.
    pub fn new(seed: u64) -> Rng {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    /// The next 64 random bits.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// In `0..n` (0 when `n` is 0); the modulo bias is irrelevant here.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// [`Rng::below`] for lengths and indices.
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// In `lo..=hi_inclusive`.
    pub fn range(&mut self, lo: u64, hi_inclusive: u64) -> u64 {
        lo + self.below(hi_inclusive - lo + 1)
    }

    /// True `percent` times in 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One of `items` (which must not be empty).
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.index(items.len())]
    }
}

/// The seeds a property test runs: the one in the environment variable
/// `var` when it is set (to rerun a failure), else `n` fixed ones (so that CI
/// is reproducible). Panics if `var` is set but not a number.
pub fn seeds(var: &str, n: u64) -> Vec<u64> {
    match std::env::var(var) {
        Ok(s) => vec![
            s.parse()
                .unwrap_or_else(|_| panic!("{var}={s:?} is not a seed (a u64)")),
        ],
        Err(_) => (1..=n).map(|i| i * 0x9E37_79B9).collect(),
    }
}

/// `bytes` cut into consecutive pieces, in order, as long as `size` says
/// (at least 1 byte, the last piece cut short). Lazy: `size` is called once
/// per piece, when that piece is taken, so a caller that stops early (on a
/// parse error) draws no more than it used.
pub fn pieces(bytes: &[u8], mut size: impl FnMut() -> usize) -> impl Iterator<Item = &[u8]> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (piece, after) = rest.split_at(size().clamp(1, rest.len()));
        rest = after;
        Some(piece)
    })
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn the_sequence_is_fixed_by_the_seed() {
        // xorshift64* from state 1: (1 ^ 1 << 25) * 0x2545F4914F6CDD1D.
        let mut rng = Rng::from_state(1);
        assert_eq!(rng.next(), 0x47E4_CE4B_896C_DD1D);
        let mut a = Rng::new(0);
        let mut b = Rng::new(0);
        assert!((0..100).all(|_| a.next() == b.next()));
        assert_ne!(Rng::new(0).next(), 0);
        let mut r = Rng::new(7);
        assert!((0..1000).all(|_| (3..=5).contains(&r.range(3, 5))));
        assert!((0..1000).all(|_| r.below(0) == 0 && r.index(4) < 4));
    }

    #[test]
    fn pieces_cover_the_input_in_order() {
        let bytes: Vec<u8> = (0..=255).collect();
        for max in [1, 2, 7, 300] {
            let mut rng = Rng::new(max);
            let cut: Vec<&[u8]> = pieces(&bytes, || rng.range(1, max) as usize).collect();
            assert!(cut.iter().all(|p| !p.is_empty() && p.len() <= max as usize));
            assert_eq!(cut.concat(), bytes);
        }
        assert_eq!(pieces(b"", || 1).count(), 0);
        assert_eq!(pieces(b"abc", || 0).count(), 3);
    }

    #[test]
    fn fixed_seeds_unless_the_environment_names_one() {
        let var = "TCPCOUNT_ORACLE_TEST_UNSET_SEED";
        assert_eq!(
            seeds(var, 3),
            [0x9E37_79B9, 2 * 0x9E37_79B9, 3 * 0x9E37_79B9]
        );
    }
}
