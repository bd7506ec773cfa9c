//! `jixiao merge`: the datasets of the N shards of a sharded ingest into one dataset,
//! byte-identical to a single `ingest` of the same inputs.
//!
//! The shards are checked before anything is written: all made by this jixiao version with
//! the same options over the same input listing, every index `0..N` present once, every file
//! in the shard its path hashes to, and together exactly the listing (same count, same
//! fingerprint). Then the files are taken in path order, as a single run takes them;
//! byte-identical files found by different shards are resolved as a single run resolves them
//! (the first path keeps its records, the later ones become `skipped-duplicate` of it), and
//! the dataset is written with the same writers as `ingest`, atomically.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader, Lines};
use std::path::{Path, PathBuf};
use std::time::Instant;

use jixiao_dataset::{output_files, DatasetError, DatasetOptions, DatasetWriter};
use jixiao_normalize::Report;

use crate::ingest::Summary;
use crate::manifest::{FileEntry, FileStatus, Manifest, ManifestError, RunOptions, ShardInfo};
use crate::shard::{listing_fingerprint, shard_of};
use crate::stage::{dataset_dir, Staging};

/// Options of one merge.
#[derive(Debug, Clone)]
pub struct MergeOptions {
    /// The shards' output directories, in any order.
    pub shards: Vec<PathBuf>,
    pub out: PathBuf,
}

/// Why the shards cannot be merged (nothing is written then).
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("no shard directories given")]
    NoShards,
    #[error("{0}: no manifest.json (not a finished jixiao ingest)")]
    NoManifest(String),
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error("{0}: not a shard (its manifest has no shard record: was it made with --shard?)")]
    NotAShard(String),
    #[error(
        "{dir} was made by jixiao {found}, {first} by jixiao {expected}: re-run the older shards"
    )]
    Version {
        dir: String,
        found: String,
        first: String,
        expected: String,
    },
    #[error("{dir} was made with other options than {first} ({what} differ): every shard must be run with the same inputs and options")]
    Options {
        dir: String,
        first: String,
        what: &'static str,
    },
    #[error("{dir} is shard {index} of {count}, {first} of {expected}")]
    Count {
        dir: String,
        index: u32,
        count: u32,
        first: String,
        expected: u32,
    },
    #[error("shard {index}/{count} given twice: {a} and {b}")]
    Twice {
        index: u32,
        count: u32,
        a: String,
        b: String,
    },
    #[error("missing shard{}: {} of {count} (give every shard's output directory)", if missing.len() > 1 { "s" } else { "" }, missing.iter().map(u32::to_string).collect::<Vec<_>>().join(", "))]
    Missing { missing: Vec<u32>, count: u32 },
    #[error("{dir}: {file} does not belong to shard {index}/{count}")]
    Foreign {
        dir: String,
        file: String,
        index: u32,
        count: u32,
    },
    #[error("{file} is in two shards: {a} and {b}")]
    Duplicate { file: String, a: String, b: String },
    #[error("the shards hold {found} files but listed {listed}, or other files than listed: the inputs changed between shards, or a shard's manifest was edited")]
    Listing { found: usize, listed: usize },
    #[error("{dir}/reports.jsonl does not match its manifest: {message}")]
    Records { dir: String, message: String },
    #[error("--out {0}: not a directory")]
    OutNotADirectory(String),
    /// An I/O error in the output directory (its message names the path).
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("{}: cannot write the dataset: {}", .dir.display(), crate::stage::describe_chain(.source))]
    Dataset { dir: PathBuf, source: DatasetError },
}

impl MergeError {
    /// True when the command line was wrong (exit status 2) rather than the shards.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            MergeError::NoShards | MergeError::NoManifest(_) | MergeError::OutNotADirectory(_)
        )
    }
}

/// One shard's dataset, checked.
struct ShardSet {
    dir: String,
    /// The generation of `dir` read ([`dataset_dir`]), so all its files come from one.
    data: PathBuf,
    manifest: Manifest,
    info: ShardInfo,
}

/// Merges the shards into `opts.out`; returns the totals of the merged dataset (`pages`: the
/// pages the shards read).
pub fn merge(opts: &MergeOptions) -> Result<Summary, MergeError> {
    let start = Instant::now();
    if opts.out.exists() && !opts.out.is_dir() {
        return Err(MergeError::OutNotADirectory(opts.out.display().to_string()));
    }
    let shards = read_shards(&opts.shards)?;
    let first = &shards[0];
    let entries = resolve(&shards)?;

    let staging = Staging::new(&opts.out)?;
    let dataset = DatasetOptions {
        excel_csv: first.manifest.options.excel_csv,
        labels: first.manifest.options.labels,
    };
    let dataset_error = |source| MergeError::Dataset {
        dir: opts.out.clone(),
        source,
    };
    let mut writer = DatasetWriter::create(staging.dir(), &dataset).map_err(dataset_error)?;
    let mut records: Vec<Records> = shards
        .iter()
        .map(|s| Records::open(&s.dir, &s.data))
        .collect::<Result<_, _>>()?;
    let mut summary = Summary::default();
    for (shard, original, entry) in &entries {
        writer.add_file(entry).map_err(dataset_error)?;
        summary.add_file(entry);
        // The records of a file that became a duplicate here are read and dropped.
        for report in records[*shard].take(&original.file, original.reports)? {
            if entry.status == original.status {
                summary.add_report(&report);
                writer.add_report(&report).map_err(dataset_error)?;
            }
        }
        summary.pages += u64::from(entry.pages);
    }
    for r in &mut records {
        r.finish()?;
    }
    let manifest = Manifest {
        jixiao_version: first.manifest.jixiao_version.clone(),
        options: RunOptions {
            // The merged dataset is built afresh, as by a single run without --resume.
            resume: false,
            ..first.manifest.options.clone()
        },
        shard: None,
        files: entries.into_iter().map(|(_, _, e)| e).collect(),
    };
    writer.finish(&manifest).map_err(dataset_error)?;
    let files = output_files(&dataset);
    staging.commit(&files.iter().map(String::as_str).collect::<Vec<_>>())?;
    summary.elapsed = start.elapsed();
    Ok(summary)
}

/// Reads and cross-checks every shard's manifest; sorted by shard index.
fn read_shards(dirs: &[PathBuf]) -> Result<Vec<ShardSet>, MergeError> {
    let mut shards = Vec::with_capacity(dirs.len());
    for dir in dirs {
        let name = dir.display().to_string();
        let data = dataset_dir(dir);
        let manifest = Manifest::read(&data.join(jixiao_dataset::MANIFEST_FILE))?
            .ok_or_else(|| MergeError::NoManifest(name.clone()))?;
        let info = manifest
            .shard
            .clone()
            .ok_or_else(|| MergeError::NotAShard(name.clone()))?;
        shards.push(ShardSet {
            dir: name,
            data,
            manifest,
            info,
        });
    }
    let Some(first) = shards.first() else {
        return Err(MergeError::NoShards);
    };
    let comparable = |o: &RunOptions| RunOptions {
        resume: false,
        ..o.clone()
    };
    for s in &shards[1..] {
        if s.manifest.jixiao_version != first.manifest.jixiao_version {
            return Err(MergeError::Version {
                dir: s.dir.clone(),
                found: s.manifest.jixiao_version.clone(),
                first: first.dir.clone(),
                expected: first.manifest.jixiao_version.clone(),
            });
        }
        if s.info.count != first.info.count {
            return Err(MergeError::Count {
                dir: s.dir.clone(),
                index: s.info.index,
                count: s.info.count,
                first: first.dir.clone(),
                expected: first.info.count,
            });
        }
        let what = if s.manifest.options.inputs != first.manifest.options.inputs {
            Some("the input paths")
        } else if comparable(&s.manifest.options) != comparable(&first.manifest.options) {
            Some("the options")
        } else if (s.info.listed, &s.info.listing_sha256)
            != (first.info.listed, &first.info.listing_sha256)
        {
            Some("the files listed under the inputs")
        } else {
            None
        };
        if let Some(what) = what {
            return Err(MergeError::Options {
                dir: s.dir.clone(),
                first: first.dir.clone(),
                what,
            });
        }
    }
    let count = first.info.count;
    let mut by_index: BTreeMap<u32, &ShardSet> = BTreeMap::new();
    for s in &shards {
        if let Some(other) = by_index.insert(s.info.index, s) {
            return Err(MergeError::Twice {
                index: s.info.index,
                count,
                a: other.dir.clone(),
                b: s.dir.clone(),
            });
        }
    }
    let missing: Vec<u32> = (0..count).filter(|i| !by_index.contains_key(i)).collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing { missing, count });
    }
    shards.sort_by_key(|s| s.info.index);
    Ok(shards)
}

/// Every file of every shard in path order, as `(shard, entry in its shard, merged entry)`:
/// the merged entry differs only for a file that a file of another shard duplicates.
fn resolve(shards: &[ShardSet]) -> Result<Vec<(usize, FileEntry, FileEntry)>, MergeError> {
    let mut all: BTreeMap<&str, (usize, &FileEntry)> = BTreeMap::new();
    for (i, s) in shards.iter().enumerate() {
        for e in &s.manifest.files {
            if shard_of(&e.file, s.info.count) != s.info.index {
                return Err(MergeError::Foreign {
                    dir: s.dir.clone(),
                    file: e.file.clone(),
                    index: s.info.index,
                    count: s.info.count,
                });
            }
            if let Some((other, _)) = all.insert(&e.file, (i, e)) {
                return Err(MergeError::Duplicate {
                    file: e.file.clone(),
                    a: shards[other].dir.clone(),
                    b: s.dir.clone(),
                });
            }
        }
    }
    let info = shards.first().map(|s| &s.info);
    let (found, fingerprint) = listing_fingerprint(all.keys().copied());
    if let Some(info) = info.filter(|i| (i.listed, &i.listing_sha256) != (found, &fingerprint)) {
        return Err(MergeError::Listing {
            found,
            listed: info.listed,
        });
    }
    let mut first_by_sha: HashMap<&str, &str> = HashMap::new();
    Ok(all
        .into_iter()
        .map(|(file, (shard, e))| {
            let mut merged = e.clone();
            if let Some(sha) = e.sha256.as_deref() {
                match first_by_sha.get(sha) {
                    Some(&earlier) => {
                        // Nothing of it is read: as a duplicate in a single run.
                        merged = FileEntry {
                            duplicate_of: Some(earlier.to_string()),
                            ..FileEntry::new(
                                e.file.clone(),
                                e.sha256.clone(),
                                e.bytes,
                                FileStatus::SkippedDuplicate,
                            )
                        }
                    }
                    None => {
                        first_by_sha.insert(sha, file);
                    }
                }
            }
            (shard, e.clone(), merged)
        })
        .collect())
}

/// A shard's `reports.jsonl`, read in order, one file's records at a time.
struct Records {
    dir: String,
    lines: Lines<BufReader<File>>,
    line: usize,
}

impl Records {
    /// The records of the shard `dir`, read from its generation `data`.
    fn open(dir: &str, data: &Path) -> Result<Records, MergeError> {
        let path = data.join(jixiao_dataset::JSONL_FILE);
        let file = File::open(&path).map_err(|e| MergeError::Records {
            dir: dir.to_string(),
            message: crate::stage::describe(&e),
        })?;
        Ok(Records {
            dir: dir.to_string(),
            lines: BufReader::new(file).lines(),
            line: 0,
        })
    }

    fn error(&self, message: String) -> MergeError {
        MergeError::Records {
            dir: self.dir.clone(),
            message: format!("line {}: {message}", self.line),
        }
    }

    /// The next `n` records, which must all come from `file`.
    fn take(&mut self, file: &str, n: usize) -> Result<Vec<Report>, MergeError> {
        (0..n)
            .map(|_| {
                self.line += 1;
                let line = self
                    .lines
                    .next()
                    .ok_or_else(|| self.error(format!("ends before the records of {file}")))?
                    .map_err(|e| self.error(crate::stage::describe(&e)))?;
                let report: Report =
                    serde_json::from_str(&line).map_err(|e| self.error(e.to_string()))?;
                if report.source.file != file {
                    return Err(self.error(format!(
                        "a record of {} where those of {file} were expected",
                        report.source.file
                    )));
                }
                Ok(report)
            })
            .collect()
    }

    /// Checks that every record was taken.
    fn finish(&mut self) -> Result<(), MergeError> {
        self.line += 1;
        match self.lines.next() {
            None => Ok(()),
            Some(_) => Err(self.error("a record of no file in the manifest".into())),
        }
    }
}
