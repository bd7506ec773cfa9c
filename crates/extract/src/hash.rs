//! Maps for the crate's internal lookups, whose keys are small: character codes, object ids,
//! coordinates as bits. The standard SipHash costs more than the lookups it serves there;
//! foldhash's fast hasher (a folded multiply, so keys differing only in their high bits —
//! round coordinates — still spread) is seeded once per process, which keeps crafted inputs
//! from aiming at collisions.

use std::collections::{HashMap, HashSet};

/// The hasher state of [`FastMap`] and [`FastSet`].
pub(crate) type FastState = foldhash::fast::RandomState;
/// A [`HashMap`] with foldhash's fast hasher.
pub(crate) type FastMap<K, V> = HashMap<K, V, FastState>;
/// A [`HashSet`] with foldhash's fast hasher.
pub(crate) type FastSet<K> = HashSet<K, FastState>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

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
