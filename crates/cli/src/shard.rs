//! `ingest --shard K/N`: a deterministic part of the inputs, chosen with no coordination.
//!
//! Every shard lists all the inputs itself and keeps the files whose *path* hashes to its
//! index: SHA-256 of the recorded name (the path as found, `source.file`), its first eight
//! bytes as a big-endian integer, modulo N. The path, not the content, is hashed so that a
//! shard reads only its own files (hashing the content would make every shard read the whole
//! corpus). Byte-identical files may therefore land in different shards; `merge` resolves
//! them as a single run does (the first path keeps its records, the others become
//! `skipped-duplicate`).
//!
//! Each shard's manifest records its index, the count and a fingerprint of the whole input
//! listing ([`ShardInfo`], made by [`shard_info`]), so that `merge` can prove that it has every shard of the same
//! listing and that every input is accounted for exactly once.

use sha2::{Digest, Sha256};

use crate::manifest::ShardInfo;

/// Environment variable giving the shard count to `--shard auto` on Kubernetes (an Indexed
/// Job tells each pod its `JOB_COMPLETION_INDEX` but not the number of completions).
pub const COUNT_VAR: &str = "JIXIAO_SHARD_COUNT";

/// One shard of N: index K in `0..N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

/// Why a `--shard` value cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ShardError {
    #[error("--shard {0}: expected K/N (0 ≤ K < N), auto or auto/N")]
    Syntax(String),
    #[error("--shard: index {index} is not below the count {count} (shards are 0 … N-1)")]
    OutOfRange { index: u32, count: u32 },
    #[error(
        "--shard auto: neither SLURM_ARRAY_TASK_ID (a Slurm array task) nor JOB_COMPLETION_INDEX \
         (a Kubernetes Indexed Job) is set"
    )]
    NoScheduler,
    #[error("--shard auto: {var}={value} is not a whole number")]
    BadVar { var: &'static str, value: String },
    #[error(
        "--shard auto: JOB_COMPLETION_INDEX is set but not the shard count: give --shard auto/N \
         or set {COUNT_VAR}"
    )]
    NoCount,
}

impl Shard {
    /// Parses `K/N`, `auto` or `auto/N`, reading the scheduler's variables through `env`:
    /// Slurm's `SLURM_ARRAY_TASK_ID` (minus `SLURM_ARRAY_TASK_MIN`, so `--array=1-4` works)
    /// with `SLURM_ARRAY_TASK_COUNT`, else Kubernetes' `JOB_COMPLETION_INDEX` with the count
    /// from `auto/N` or [`COUNT_VAR`]. A count written in `auto/N` wins over the environment's.
    pub fn parse(spec: &str, env: impl Fn(&str) -> Option<String>) -> Result<Shard, ShardError> {
        let syntax = || ShardError::Syntax(spec.to_string());
        let number = |s: &str| s.trim().parse::<u32>().map_err(|_| syntax());
        let (index, count) = spec.split_once('/').unwrap_or((spec, ""));
        let given_count = if count.is_empty() {
            if index != "auto" {
                return Err(syntax());
            }
            None
        } else {
            Some(number(count)?)
        };
        let var = |name: &'static str| -> Result<Option<u32>, ShardError> {
            env(name)
                .map(|value| {
                    value.trim().parse::<u32>().map_err(|_| ShardError::BadVar {
                        var: name,
                        value: value.clone(),
                    })
                })
                .transpose()
        };
        let shard = if index.trim() != "auto" {
            Shard {
                index: number(index)?,
                count: given_count.ok_or_else(syntax)?,
            }
        } else if let Some(task) = var("SLURM_ARRAY_TASK_ID")? {
            let min = var("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let count = match given_count {
                Some(n) => n,
                None => var("SLURM_ARRAY_TASK_COUNT")?.ok_or(ShardError::NoCount)?,
            };
            Shard {
                index: task
                    .checked_sub(min)
                    .ok_or(ShardError::OutOfRange { index: task, count })?,
                count,
            }
        } else if let Some(index) = var("JOB_COMPLETION_INDEX")? {
            let count = match given_count {
                Some(n) => n,
                None => var(COUNT_VAR)?.ok_or(ShardError::NoCount)?,
            };
            Shard { index, count }
        } else {
            return Err(ShardError::NoScheduler);
        };
        if shard.count == 0 {
            return Err(syntax());
        }
        if shard.index >= shard.count {
            return Err(ShardError::OutOfRange {
                index: shard.index,
                count: shard.count,
            });
        }
        Ok(shard)
    }

    /// True when the input recorded as `name` belongs to this shard.
    pub fn owns(&self, name: &str) -> bool {
        shard_of(name, self.count) == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The shard (of `count`) that the input recorded as `name` belongs to.
pub fn shard_of(name: &str, count: u32) -> u32 {
    let digest = Sha256::digest(name.as_bytes());
    let mut head = [0u8; 8];
    head.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(head) % u64::from(count.max(1))) as u32
}

/// The manifest record of `shard` for the whole listing `names` (sorted, each once).
pub fn shard_info<'a>(shard: Shard, names: impl IntoIterator<Item = &'a str>) -> ShardInfo {
    let (listed, listing_sha256) = listing_fingerprint(names);
    ShardInfo {
        index: shard.index,
        count: shard.count,
        listed,
        listing_sha256,
    }
}

/// Number of names and the SHA-256 (hex) of the names, each followed by a newline, in the
/// order given (sorted).
pub fn listing_fingerprint<'a>(names: impl IntoIterator<Item = &'a str>) -> (usize, String) {
    let mut hasher = Sha256::new();
    let mut n = 0;
    for name in names {
        hasher.update(name.as_bytes());
        hasher.update(b"\n");
        n += 1;
    }
    (n, crate::walk::hex(&hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&str, &str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn explicit_shards() {
        assert_eq!(
            Shard::parse("2/7", env(&[])),
            Ok(Shard { index: 2, count: 7 })
        );
        assert_eq!(
            Shard::parse("7/7", env(&[])),
            Err(ShardError::OutOfRange { index: 7, count: 7 })
        );
        for bad in ["", "3", "a/4", "1/0", "1/", "/4", "auto/x", "1/2/3"] {
            assert!(
                matches!(Shard::parse(bad, env(&[])), Err(ShardError::Syntax(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn auto_reads_slurm_then_kubernetes() {
        let slurm = [
            ("SLURM_ARRAY_TASK_ID", "4"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ];
        assert_eq!(
            Shard::parse("auto", env(&slurm)),
            Ok(Shard { index: 3, count: 4 })
        );
        assert_eq!(
            Shard::parse(
                "auto",
                env(&[
                    ("SLURM_ARRAY_TASK_ID", "5"),
                    ("SLURM_ARRAY_TASK_COUNT", "4")
                ])
            ),
            Err(ShardError::OutOfRange { index: 5, count: 4 })
        );
        let k8s = [("JOB_COMPLETION_INDEX", "2"), (COUNT_VAR, "3")];
        assert_eq!(
            Shard::parse("auto", env(&k8s)),
            Ok(Shard { index: 2, count: 3 })
        );
        assert_eq!(
            Shard::parse("auto/5", env(&k8s)),
            Ok(Shard { index: 2, count: 5 })
        );
        assert_eq!(
            Shard::parse("auto", env(&[("JOB_COMPLETION_INDEX", "2")])),
            Err(ShardError::NoCount)
        );
        assert_eq!(Shard::parse("auto", env(&[])), Err(ShardError::NoScheduler));
        assert!(matches!(
            Shard::parse("auto", env(&[("JOB_COMPLETION_INDEX", "x")])),
            Err(ShardError::BadVar { .. })
        ));
    }

    #[test]
    fn every_name_in_exactly_one_shard_spread_evenly() {
        let names: Vec<String> = (0..7000).map(|i| format!("reports/{i}.pdf")).collect();
        for count in [1u32, 2, 4, 7] {
            let mut sizes = vec![0usize; count as usize];
            for name in &names {
                let owners: Vec<u32> = (0..count)
                    .filter(|&index| Shard { index, count }.owns(name))
                    .collect();
                assert_eq!(owners.len(), 1, "{name} in {owners:?} of {count}");
                sizes[owners[0] as usize] += 1;
            }
            let even = names.len() / count as usize;
            assert!(
                sizes.iter().all(|&s| s.abs_diff(even) < even / 10 + 10),
                "{count} shards: {sizes:?}"
            );
        }
    }

    #[test]
    fn the_hash_is_stable() {
        // Pinned values (computed with Python's hashlib): a change of the partition would make
        // shards of an old run unmergeable with new ones, so it must not go unnoticed.
        assert_eq!(shard_of("a.pdf", 1000), 82);
        assert_eq!(shard_of("samples/chromium/putuo-2022.pdf", 7), 5);
        assert_eq!(shard_of("samples/chromium/putuo-2022.pdf", 4), 3);
        assert_eq!(
            listing_fingerprint(["a", "b"]),
            (2, crate::walk::sha256_hex(b"a\nb\n"))
        );
    }
}
