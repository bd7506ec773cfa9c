//! A fast hasher for the crate's internal maps, whose keys are small: character codes,
//! object ids, coordinates as bits. The standard SipHash costs more than the lookups it serves
//! there. Words are mixed by a folded 64×64→128-bit multiply (as in foldhash and wyhash), so
//! that keys differing only in their high bits (round coordinates) still spread; the seed is
//! drawn once per process, which keeps crafted inputs from aiming at collisions.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::OnceLock;

/// A [`HashMap`] with [`FastHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, FastState>;
/// A [`HashSet`] with [`FastHasher`].
pub(crate) type FastSet<K> = HashSet<K, FastState>;

const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

fn fold_multiply(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

/// Builds [`FastHasher`]s seeded with the process's seed.
#[derive(Clone, Copy)]
pub(crate) struct FastState(u64);

impl Default for FastState {
    fn default() -> Self {
        static SEED: OnceLock<u64> = OnceLock::new();
        FastState(*SEED.get_or_init(|| RandomState::new().hash_one(0u64)))
    }
}

impl BuildHasher for FastState {
    type Hasher = FastHasher;

    fn build_hasher(&self) -> FastHasher {
        FastHasher(self.0)
    }
}

/// One word at a time: `state = fold(state ^ word, K)`.
pub(crate) struct FastHasher(u64);

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = fold_multiply(self.0 ^ word, MULTIPLIER);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        self.add(bytes.len() as u64);
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        fold_multiply(self.0, MULTIPLIER)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_coordinates_spread_over_buckets() {
        let state = FastState::default();
        // Keys that differ only in high bits (f64 bits of whole numbers) must not share their
        // low hash bits, which pick the bucket.
        let buckets: FastSet<u64> = (0..1024)
            .map(|i| state.hash_one(f64::from(i).to_bits()) & 1023)
            .collect();
        assert!(buckets.len() > 600, "{} distinct buckets", buckets.len());
    }

    #[test]
    fn maps_work_as_maps() {
        let mut m: FastMap<(u32, u16), &str> = FastMap::default();
        m.insert((1, 0), "a");
        m.insert((2, 0), "b");
        assert_eq!(m.get(&(1, 0)), Some(&"a"));
        assert_eq!(m.get(&(1, 1)), None);
    }
}
