//! `jixiao ingest`: many PDFs in, one dataset out.
//!
//! 1. List the inputs ([`crate::walk`]), hash every file (SHA-256) and sniff its content.
//! 2. Decide each file's fate in path order: duplicate of an earlier file, not a PDF, too
//!    large, already in the previous manifest (`--resume`), or to be read.
//! 3. Read the files to read in parallel on `jobs` threads, one document per thread at a time:
//!    each worker reads one file, runs the pipeline under `catch_unwind` and spills the
//!    file's records to its own file, so memory holds at most `jobs` documents whatever the
//!    batch size.
//!    Each result is saved as a checkpoint ([`crate::checkpoint`]) that `--resume` reuses
//!    after a crash.
//! 4. Stream every file's records, in path order, into the dataset files ([`jixiao_dataset`])
//!    and switch the output directory to them in one atomic step ([`crate::stage`]).
//!
//! Outputs depend only on the inputs and options, never on `jobs` or timing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Duration;

use jixiao_dataset::{severity_name, DatasetError, DatasetOptions, DatasetWriter};
use jixiao_normalize::{ParseOutput, Report, Severity};
use rayon::prelude::*;

use crate::checkpoint::Checkpoints;
use crate::manifest::{FileEntry, FileStatus, Manifest, ManifestError, RunOptions};
use crate::progress::{Progress, ProgressMode};
use crate::shard::{shard_info, Shard};
use crate::stage::{at, crash_point, dataset_dir, describe, Staging};
use crate::walk::{self, Fingerprint, InputFile, WalkError};

/// Stack of each worker thread: generous, so deep but bounded recursion in a hostile file
/// cannot overflow it.
const WORKER_STACK: usize = 64 << 20;

/// What the pipeline made of one PDF.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// Pages in the document.
    pub pages: u32,
    /// Its reports, with the page problems, skipped tables and repairs that decide whether
    /// the file is `ok` or `partial` ([`ParseOutput::is_complete`]).
    pub output: ParseOutput,
}

/// The pipeline run on each file: `(bytes, file name, sha256)` → records, or a message why the
/// file could not be read.
pub type Processor<'a> = dyn Fn(&[u8], &str, &str) -> Result<Parsed, String> + Sync + 'a;

/// Options of one ingest.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    /// Worker threads (at least 1).
    pub jobs: usize,
    /// Keep the files already in `out`'s manifest (by SHA-256), reuse the results an
    /// interrupted run saved ([`crate::checkpoint`]) and add the rest.
    pub resume: bool,
    /// Options of the dataset's formats (`--excel-csv`, `--labels`).
    pub dataset: DatasetOptions,
    /// Files larger than this fail without being read.
    pub max_file_bytes: u64,
    pub progress: ProgressMode,
    /// Read only this shard's part of the inputs ([`crate::shard`]).
    pub shard: Option<Shard>,
}

impl IngestOptions {
    /// A quiet, fresh ingest of `inputs` into `out` with `jobs` workers and every other option
    /// at its default (no resume, default dataset formats, no shard).
    pub fn quiet(inputs: Vec<PathBuf>, out: PathBuf, jobs: usize) -> IngestOptions {
        IngestOptions {
            inputs,
            out,
            jobs,
            resume: false,
            dataset: DatasetOptions::default(),
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            progress: ProgressMode::Quiet,
            shard: None,
        }
    }
}

/// Default for [`IngestOptions::max_file_bytes`]: 512 MiB.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 512 << 20;

/// Why an ingest stopped before writing its dataset (the output directory is left as it was).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Walk(#[from] WalkError),
    #[error("--out {0}: not a directory")]
    OutNotADirectory(String),
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// The previous dataset (`--resume`) cannot be read back.
    #[error("previous dataset: {0}")]
    Previous(String),
    /// An I/O error in the output directory (its message names the path).
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("{}: cannot write the dataset: {}", .dir.display(), crate::stage::describe_chain(.source))]
    Dataset { dir: PathBuf, source: DatasetError },
    #[error("cannot start the worker threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
}

impl IngestError {
    /// True when the command line was wrong (exit status 2) rather than the run.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            IngestError::Walk(_) | IngestError::OutNotADirectory(_)
        )
    }
}

/// Totals of the dataset written (previous files included with `--resume`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    /// Files by status.
    pub files: BTreeMap<FileStatus, usize>,
    pub reports: usize,
    /// Findings by severity.
    pub findings: BTreeMap<Severity, usize>,
    /// Pages read in this run.
    pub pages: u64,
    /// Pages not completely read (with a problem of severity `loss`), in the whole dataset.
    pub pages_unread: u64,
    /// Tables that gave no report, in the whole dataset; `tables_with_report_parts` of them
    /// hold part of a report.
    pub tables_skipped: usize,
    pub tables_with_report_parts: usize,
    /// Files repaired while reading them (a rebuilt cross-reference table …).
    pub files_repaired: usize,
    pub elapsed: Duration,
}

impl Summary {
    /// Number of files with `status`.
    pub fn count(&self, status: FileStatus) -> usize {
        self.files.get(&status).copied().unwrap_or(0)
    }

    /// Counts one file of the dataset.
    pub fn add_file(&mut self, entry: &FileEntry) {
        *self.files.entry(entry.status).or_default() += 1;
        self.pages_unread += u64::from(entry.pages_unread);
        self.tables_skipped += entry.tables_skipped;
        self.tables_with_report_parts +=
            entry.skipped.iter().filter(|t| t.holds_report_part).count();
        self.files_repaired += usize::from(!entry.repairs.is_empty());
    }

    /// Counts one report of the dataset and its findings.
    pub fn add_report(&mut self, report: &Report) {
        self.reports += 1;
        for f in &report.findings {
            *self.findings.entry(f.severity).or_default() += 1;
        }
    }

    /// The short human summary printed at the end.
    pub fn render(&self) -> String {
        let files: Vec<String> = self
            .files
            .iter()
            .map(|(s, n)| format!("{n} {}", s.as_str()))
            .collect();
        let findings: Vec<String> = self
            .findings
            .iter()
            .map(|(s, n)| format!("{n} {}", severity_name(*s)))
            .collect();
        let secs = self.elapsed.as_secs_f64();
        format!(
            "files: {}\nreports: {}\nfindings: {}\npages unread: {}; tables skipped: {} ({} \
             holding part of a report); files repaired: {}\npages read: {} in {:.1} s ({} pages/s)",
            if files.is_empty() {
                "none".to_string()
            } else {
                files.join(", ")
            },
            self.reports,
            if findings.is_empty() {
                "none".to_string()
            } else {
                findings.join(", ")
            },
            self.pages_unread,
            self.tables_skipped,
            self.tables_with_report_parts,
            self.files_repaired,
            self.pages,
            secs,
            crate::progress::rate(self.pages as f64 / secs.max(1e-9)),
        )
    }
}

/// Where a file's entry and records come from.
enum Unit {
    /// Settled without reading (failed to open, duplicate, not a PDF, too large).
    Settled(FileEntry),
    /// Kept from the previous manifest; its records are in the previous `reports.jsonl`.
    Previous(FileEntry),
    /// Read before an interrupted run ended (`--resume`); its records are in a checkpoint.
    Checkpointed(FileEntry, PathBuf),
    /// To be read now.
    Read(InputFile, Fingerprint),
}

/// Runs an ingest with `process` as the per-file pipeline.
pub fn ingest(opts: &IngestOptions, process: &Processor) -> Result<Summary, IngestError> {
    if opts.out.exists() && !opts.out.is_dir() {
        return Err(IngestError::OutNotADirectory(
            opts.out.display().to_string(),
        ));
    }
    let mut files = walk::discover(&opts.inputs, Some(&opts.out))?;
    let shard = opts.shard.map(|shard| {
        let info = shard_info(shard, files.iter().map(|f| f.name.as_str()));
        files.retain(|f| shard.owns(&f.name));
        info
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.max(1))
        .stack_size(WORKER_STACK)
        .thread_name(|i| format!("jixiao-worker-{i}"))
        .build()?;
    // Locks the output directory before its previous manifest is read.
    let staging = Staging::new(&opts.out)?;
    let shown = dataset_dir(&opts.out);
    let previous = if opts.resume {
        Manifest::read(&shown.join(jixiao_dataset::MANIFEST_FILE))?
    } else {
        None
    };
    let checkpoints = Checkpoints::open(&opts.out, opts.resume)?;
    let fingerprints: Vec<_> = pool.install(|| {
        files
            .par_iter()
            .map(|f| walk::fingerprint(&f.path))
            .collect()
    });
    let mut units = plan(files, fingerprints, previous.as_ref(), opts.max_file_bytes);
    for unit in units.values_mut() {
        if let Unit::Read(file, fp) = unit {
            if let Some(saved) = checkpoints.load(&file.name, &fp.sha256) {
                *unit = Unit::Checkpointed(saved.entry, saved.records);
            }
        }
    }

    // The kept files' records are taken from the previous dataset first: a damaged one
    // stops the run before any work.
    let parts: Vec<PathBuf> = (0..units.len())
        .map(|i| staging.path(&format!("part-{i}.jsonl")))
        .collect();
    let kept: HashMap<&str, &Path> = units
        .values()
        .zip(&parts)
        .filter_map(|(unit, part)| match unit {
            Unit::Previous(e) if e.reports > 0 => Some((e.file.as_str(), part.as_path())),
            _ => None,
        })
        .collect();
    if !kept.is_empty() {
        split_previous(&shown.join(jixiao_dataset::JSONL_FILE), &kept)?;
    }

    let to_read: Vec<(&InputFile, &Fingerprint)> = units
        .values()
        .filter_map(|u| match u {
            Unit::Read(f, fp) => Some((f, fp)),
            _ => None,
        })
        .collect();
    let progress = Progress::new(to_read.len() as u64, opts.progress);
    let read: Vec<(FileEntry, Option<PathBuf>)> = pool.install(|| {
        to_read
            .par_iter()
            .map(|(f, fp)| read_one(f, fp, &checkpoints, process, &progress))
            .collect::<Result<_, std::io::Error>>()
    })?;
    progress.finish();
    let mut read = read.into_iter();

    // Each file's entry, where its records are, and whether that is a scratch file.
    let entries: Vec<(FileEntry, Option<PathBuf>, bool)> = units
        .into_values()
        .zip(parts)
        .map(|(unit, part)| match unit {
            Unit::Settled(e) => (e, None, false),
            Unit::Previous(e) => (e, Some(part), true),
            Unit::Checkpointed(e, records) => (e, Some(records), false),
            Unit::Read(..) => {
                let (e, records) = read.next().expect("one result per file read");
                (e, records, false)
            }
        })
        .collect();

    let dataset_error = |source| IngestError::Dataset {
        dir: opts.out.clone(),
        source,
    };
    let mut writer = DatasetWriter::create(staging.dir(), &opts.dataset).map_err(dataset_error)?;
    let mut summary = Summary {
        pages: progress.pages(),
        ..Summary::default()
    };
    for (entry, records, scratch) in &entries {
        writer.add_file(entry).map_err(dataset_error)?;
        summary.add_file(entry);
        let Some(part) = records.as_ref().filter(|_| entry.reports > 0) else {
            continue;
        };
        if *scratch && !part.exists() {
            return Err(IngestError::Previous(format!(
                "{} has no records of {} (its manifest counts {})",
                shown.join(jixiao_dataset::JSONL_FILE).display(),
                entry.file,
                entry.reports
            )));
        }
        let input = File::open(part).map_err(at(part, "cannot open"))?;
        for (n, line) in BufReader::new(input).lines().enumerate() {
            let line = line.map_err(at(part, "cannot read"))?;
            let report: Report = serde_json::from_str(&line).map_err(|e| {
                IngestError::Previous(format!("records of {}, line {}: {e}", entry.file, n + 1))
            })?;
            summary.add_report(&report);
            writer.add_report(&report).map_err(dataset_error)?;
        }
        if *scratch {
            std::fs::remove_file(part).map_err(at(part, "cannot remove"))?;
        }
    }
    let manifest = Manifest {
        jixiao_version: env!("CARGO_PKG_VERSION").to_string(),
        options: RunOptions {
            inputs: opts
                .inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            resume: opts.resume,
            excel_csv: opts.dataset.excel_csv,
            labels: opts.dataset.labels,
            max_file_bytes: opts.max_file_bytes,
        },
        shard,
        files: entries.into_iter().map(|(e, _, _)| e).collect(),
    };
    writer.finish(&manifest).map_err(dataset_error)?;
    crash_point("dataset written");
    let files = jixiao_dataset::output_files(&opts.dataset);
    staging.commit(&files.iter().map(String::as_str).collect::<Vec<_>>())?;
    checkpoints.clear()?;
    summary.elapsed = progress.elapsed();
    Ok(summary)
}

/// Decides every file's fate, in path order; previous files not among the inputs are kept.
fn plan(
    files: Vec<InputFile>,
    fingerprints: Vec<std::io::Result<Fingerprint>>,
    previous: Option<&Manifest>,
    max_file_bytes: u64,
) -> BTreeMap<String, Unit> {
    let names: HashSet<&str> = files.iter().map(|f| f.name.as_str()).collect();
    let mut units = BTreeMap::new();
    let mut previous_by_sha: HashMap<&str, &FileEntry> = HashMap::new();
    for e in previous.iter().flat_map(|m| &m.files) {
        // A file that failed is read again when it is among the inputs: the cause (missing
        // OCR models, an interrupted disk, a jixiao bug since fixed) may be gone.
        let settled = !matches!(e.status, FileStatus::SkippedDuplicate | FileStatus::Failed);
        if let (Some(sha), true) = (&e.sha256, settled) {
            previous_by_sha.entry(sha.as_str()).or_insert(e);
        }
        if !names.contains(e.file.as_str()) {
            units.insert(e.file.clone(), Unit::Previous(e.clone()));
        }
    }
    let mut first_by_sha: HashMap<String, String> = HashMap::new();
    for (file, fp) in files.into_iter().zip(fingerprints) {
        let entry = |fp: &Fingerprint, status, error: Option<String>| FileEntry {
            error,
            ..FileEntry::new(file.name.clone(), Some(fp.sha256.clone()), fp.bytes, status)
        };
        let unit = match fp {
            Err(e) => Unit::Settled(FileEntry {
                error: Some(format!("cannot read the file: {}", describe(&e))),
                ..FileEntry::new(file.name.clone(), None, 0, FileStatus::Failed)
            }),
            Ok(fp) => {
                let previous = previous_by_sha.get(fp.sha256.as_str());
                let earlier = previous
                    .map(|e| e.file.clone())
                    .or_else(|| first_by_sha.get(&fp.sha256).cloned());
                match (previous, earlier) {
                    (Some(e), _) if e.file == file.name => Unit::Previous((*e).clone()),
                    (_, Some(earlier)) => Unit::Settled(FileEntry {
                        duplicate_of: Some(earlier),
                        ..entry(&fp, FileStatus::SkippedDuplicate, None)
                    }),
                    (_, None) => {
                        first_by_sha.insert(fp.sha256.clone(), file.name.clone());
                        if !fp.is_pdf {
                            let why = if fp.bytes == 0 {
                                "empty file"
                            } else {
                                "no %PDF- header in the first 1024 bytes"
                            };
                            Unit::Settled(entry(&fp, FileStatus::NotAPdf, Some(why.into())))
                        } else if fp.bytes > max_file_bytes {
                            let why = format!(
                                "file too large: {} bytes (limit {max_file_bytes})",
                                fp.bytes
                            );
                            Unit::Settled(entry(&fp, FileStatus::Failed, Some(why)))
                        } else {
                            Unit::Read(file.clone(), fp)
                        }
                    }
                }
            }
        };
        units.insert(file.name, unit);
    }
    units
}

/// Reads one file through `process` and saves its result as a checkpoint unless it failed;
/// returns its entry and where its records are. Only an I/O error on the output directory
/// is an error; everything about the file itself goes into its entry.
fn read_one(
    file: &InputFile,
    fp: &Fingerprint,
    checkpoints: &Checkpoints,
    process: &Processor,
    progress: &Progress,
) -> std::io::Result<(FileEntry, Option<PathBuf>)> {
    let mut entry = FileEntry::new(
        file.name.clone(),
        Some(fp.sha256.clone()),
        fp.bytes,
        FileStatus::Failed,
    );
    let outcome = match std::fs::read(&file.path) {
        Err(e) => Err(format!("cannot read the file: {}", describe(&e))),
        Ok(bytes) => {
            match catch_unwind(AssertUnwindSafe(|| process(&bytes, &file.name, &fp.sha256))) {
                Ok(result) => result,
                Err(payload) => Err(format!(
                    "internal error (panic): {}",
                    panic_message(&*payload)
                )),
            }
        }
    };
    let mut records = None;
    match outcome {
        Err(message) => entry.error = Some(message),
        Ok(Parsed { pages, mut output }) => {
            output.reports.sort_by_key(|r| r.source.table);
            entry.pages = pages;
            let reports = entry.account(output);
            records = Some(checkpoints.save(&entry, &reports)?);
        }
    }
    progress.file_done(
        entry.pages,
        entry.reports,
        entry.status == FileStatus::Failed,
    );
    Ok((entry, records))
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Copies the previous `reports.jsonl`'s lines of the kept files to their part files.
fn split_previous(path: &Path, kept: &HashMap<&str, &Path>) -> Result<(), IngestError> {
    let input = File::open(path)
        .map_err(|e| IngestError::Previous(format!("{}: {}", path.display(), describe(&e))))?;
    let mut current: Option<(&Path, BufWriter<File>)> = None;
    for (n, line) in BufReader::new(input).lines().enumerate() {
        let line = line.map_err(at(path, "cannot read"))?;
        let report: Report = serde_json::from_str(&line).map_err(|e| {
            IngestError::Previous(format!("{}, line {}: {e}", path.display(), n + 1))
        })?;
        let Some(&part) = kept.get(report.source.file.as_str()) else {
            continue;
        };
        if current.as_ref().is_none_or(|(p, _)| *p != part) {
            if let Some((p, mut w)) = current.take() {
                w.flush().map_err(at(p, "cannot write"))?;
            }
            let file = File::options()
                .create(true)
                .append(true)
                .open(part)
                .map_err(at(part, "cannot create"))?;
            current = Some((part, BufWriter::new(file)));
        }
        if let Some((p, w)) = current.as_mut() {
            w.write_all(line.as_bytes())
                .and_then(|()| w.write_all(b"\n"))
                .map_err(at(p, "cannot write"))?;
        }
    }
    if let Some((p, mut w)) = current {
        w.flush().map_err(at(p, "cannot write"))?;
    }
    Ok(())
}
