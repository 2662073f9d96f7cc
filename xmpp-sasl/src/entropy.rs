//! Injected randomness: the one-method [`Entropy`] trait and a seeded test implementation.

/// A source of random bytes, given to the machines by the caller.
///
/// The crate never draws randomness itself: nonces, salts and decoy material all come from
/// here. Production callers implement it with the operating system's generator (for example
/// `getrandom`); tests use [`InsecureSeededEntropy`] or their own fixed bytes.
pub trait Entropy {
    /// Fills `buf` entirely with random bytes.
    fn fill(&mut self, buf: &mut [u8]);
}

impl<E: Entropy + ?Sized> Entropy for &mut E {
    fn fill(&mut self, buf: &mut [u8]) {
        (**self).fill(buf);
    }
}

/// A deterministic pseudo-random generator (xorshift64*) seeded by the caller.
///
/// **NOT FOR PRODUCTION.** Its output is predictable from the seed, so nonces drawn from it
/// give no protection at all. It exists so tests, benches and the conformance crate's
/// in-memory client/server pair produce byte-identical runs.
///
/// ```
/// use xmpp_sasl::{Entropy, InsecureSeededEntropy};
/// let (mut a, mut b) = (InsecureSeededEntropy::new(7), InsecureSeededEntropy::new(7));
/// let (mut x, mut y) = ([0u8; 16], [0u8; 16]);
/// a.fill(&mut x);
/// b.fill(&mut y);
/// assert_eq!(x, y);
/// ```
#[derive(Debug, Clone)]
pub struct InsecureSeededEntropy {
    state: u64,
}

impl InsecureSeededEntropy {
    /// Creates a generator from `seed` (a zero seed is replaced by a fixed non-zero one,
    /// since xorshift has a zero fixed point).
    pub fn new(seed: u64) -> Self {
        let state = if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        };
        Self { state }
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

impl Entropy for InsecureSeededEntropy {
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let word = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_differ_and_fill_covers_odd_lengths() {
        let mut a = InsecureSeededEntropy::new(1);
        let mut b = InsecureSeededEntropy::new(2);
        let (mut x, mut y) = ([0u8; 13], [0u8; 13]);
        a.fill(&mut x);
        b.fill(&mut y);
        assert_ne!(x, y);
        assert!(x.iter().any(|&v| v != 0));
        let mut zero = InsecureSeededEntropy::new(0);
        let mut z = [0u8; 8];
        zero.fill(&mut z);
        assert_ne!(z, [0u8; 8]);
    }

    #[test]
    fn works_through_mut_reference_and_dyn() {
        let mut e = InsecureSeededEntropy::new(5);
        let mut by_ref: &mut dyn Entropy = &mut e;
        let mut buf = [0u8; 4];
        Entropy::fill(&mut by_ref, &mut buf);
        assert_ne!(buf, [0u8; 4]);
    }
}
