//! `jixiao ingest`: many PDFs in, one dataset out.
//!
//! 1. List the inputs ([`crate::walk`]), hash every file (SHA-256) and sniff its content.
//! 2. Decide each file's fate in path order: duplicate of an earlier file, not a PDF, too
//!    large, already in the previous manifest (`--resume`), or to be read.
//! 3. Read the files to read in parallel on `jobs` threads, one document per thread at a time:
//!    each worker reads one file, runs the pipeline under `catch_unwind` and spills the
//!    file's records to its own part file in the staging directory, so memory holds at most
//!    `jobs` documents whatever the batch size.
//! 4. Stream every file's records, in path order, into the dataset files ([`jixiao_dataset`])
//!    and replace the output directory's set atomically ([`crate::stage`]).
//!
//! Outputs depend only on the inputs and options, never on `jobs` or timing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Duration;

use jixiao_dataset::{severity_name, DatasetError, DatasetOptions, DatasetWriter};
use jixiao_normalize::{Report, Severity};
use rayon::prelude::*;

use crate::manifest::{FileEntry, FileStatus, Manifest, ManifestError, RunOptions};
use crate::progress::{Progress, ProgressMode};
use crate::shard::{shard_info, Shard};
use crate::stage::Staging;
use crate::walk::{self, Fingerprint, InputFile, WalkError};

/// Stack of each worker thread: generous, so deep but bounded recursion in a hostile file
/// cannot overflow it.
const WORKER_STACK: usize = 64 << 20;

/// What the pipeline made of one PDF.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// Pages in the document.
    pub pages: u32,
    pub reports: Vec<Report>,
    /// What could not be read (pages, objects); non-empty makes the file `partial`.
    pub problems: Vec<String>,
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
    /// Keep the files already in `out`'s manifest (by SHA-256) and add the rest.
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
    #[error("staging the outputs: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Dataset(#[from] DatasetError),
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
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Files by status.
    pub files: BTreeMap<FileStatus, usize>,
    pub reports: usize,
    /// Findings by severity.
    pub findings: BTreeMap<Severity, usize>,
    /// Pages read in this run.
    pub pages: u64,
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
            "files: {}\nreports: {}\nfindings: {}\npages read: {} in {:.1} s ({} pages/s)",
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
    let previous = if opts.resume {
        Manifest::read(&opts.out.join("manifest.json"))?
    } else {
        None
    };
    let fingerprints: Vec<_> = pool.install(|| {
        files
            .par_iter()
            .map(|f| walk::fingerprint(&f.path))
            .collect()
    });
    let units = plan(files, fingerprints, previous.as_ref(), opts.max_file_bytes);

    let to_read: Vec<(usize, &InputFile, &Fingerprint)> = units
        .values()
        .enumerate()
        .filter_map(|(i, u)| match u {
            Unit::Read(f, fp) => Some((i, f, fp)),
            _ => None,
        })
        .collect();
    let progress = Progress::new(to_read.len() as u64, opts.progress);
    let read: Vec<FileEntry> = pool.install(|| {
        to_read
            .par_iter()
            .map(|(i, f, fp)| read_one(f, fp, &staging.path(&part_name(*i)), process, &progress))
            .collect::<Result<_, std::io::Error>>()
    })?;
    progress.finish();
    let mut read = read.into_iter();

    let entries: Vec<(usize, FileEntry, bool)> = units
        .into_values()
        .enumerate()
        .map(|(i, unit)| match unit {
            Unit::Settled(e) => (i, e, false),
            Unit::Previous(e) => (i, e, true),
            Unit::Read(..) => (i, read.next().expect("one result per file read"), false),
        })
        .collect();
    let kept: HashMap<&str, usize> = entries
        .iter()
        .filter(|(_, e, previous)| *previous && e.reports > 0)
        .map(|(i, e, _)| (e.file.as_str(), *i))
        .collect();
    if !kept.is_empty() {
        split_previous(&opts.out.join("reports.jsonl"), &kept, &staging)?;
    }

    let mut writer = DatasetWriter::create(staging.dir(), &opts.dataset)?;
    let mut summary = Summary {
        files: BTreeMap::new(),
        reports: 0,
        findings: BTreeMap::new(),
        pages: progress.pages(),
        elapsed: Duration::ZERO,
    };
    for (i, entry, _) in &entries {
        writer.add_file(entry)?;
        summary.add_file(entry);
        let part = staging.path(&part_name(*i));
        if entry.reports == 0 || !part.exists() {
            continue;
        }
        for (n, line) in BufReader::new(File::open(&part)?).lines().enumerate() {
            let report: Report = serde_json::from_str(&line?).map_err(|e| {
                IngestError::Previous(format!("records of {}, line {}: {e}", entry.file, n + 1))
            })?;
            summary.add_report(&report);
            writer.add_report(&report)?;
        }
        std::fs::remove_file(&part)?;
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
        files: entries.into_iter().map(|(_, e, _)| e).collect(),
    };
    writer.finish(&manifest)?;
    let files = jixiao_dataset::output_files(&opts.dataset);
    staging.commit(&files.iter().map(String::as_str).collect::<Vec<_>>())?;
    summary.elapsed = progress.elapsed();
    Ok(summary)
}

fn part_name(index: usize) -> String {
    format!("part-{index}.jsonl")
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
            file: file.name.clone(),
            sha256: Some(fp.sha256.clone()),
            bytes: fp.bytes,
            status,
            pages: 0,
            reports: 0,
            duplicate_of: None,
            error,
        };
        let unit = match fp {
            Err(e) => Unit::Settled(FileEntry {
                file: file.name.clone(),
                sha256: None,
                bytes: 0,
                status: FileStatus::Failed,
                pages: 0,
                reports: 0,
                duplicate_of: None,
                error: Some(format!("cannot read the file: {e}")),
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

/// Reads one file through `process`, spilling its records to `part`. Only an I/O error on
/// the staging directory is an error; everything about the file itself goes into its entry.
fn read_one(
    file: &InputFile,
    fp: &Fingerprint,
    part: &Path,
    process: &Processor,
    progress: &Progress,
) -> std::io::Result<FileEntry> {
    let mut entry = FileEntry {
        file: file.name.clone(),
        sha256: Some(fp.sha256.clone()),
        bytes: fp.bytes,
        status: FileStatus::Failed,
        pages: 0,
        reports: 0,
        duplicate_of: None,
        error: None,
    };
    let outcome = match std::fs::read(&file.path) {
        Err(e) => Err(format!("cannot read the file: {e}")),
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
    match outcome {
        Err(message) => entry.error = Some(message),
        Ok(mut parsed) => {
            parsed.reports.sort_by_key(|r| r.source.table);
            let mut out = BufWriter::new(File::create(part)?);
            for r in &parsed.reports {
                serde_json::to_writer(&mut out, r)?;
                out.write_all(b"\n")?;
            }
            out.flush()?;
            entry.pages = parsed.pages;
            entry.reports = parsed.reports.len();
            if parsed.problems.is_empty() {
                entry.status = FileStatus::Ok;
            } else {
                entry.status = FileStatus::Partial;
                entry.error = Some(summarize_problems(&parsed.problems));
            }
        }
    }
    progress.file_done(
        entry.pages,
        entry.reports,
        entry.status == FileStatus::Failed,
    );
    Ok(entry)
}

/// How many problems of a partial file are spelled out in its manifest entry.
const PROBLEMS_SHOWN: usize = 3;

fn summarize_problems(problems: &[String]) -> String {
    let mut text = problems[..problems.len().min(PROBLEMS_SHOWN)].join("; ");
    if problems.len() > PROBLEMS_SHOWN {
        text.push_str(&format!("; … {} problems in all", problems.len()));
    }
    text
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
fn split_previous(
    path: &Path,
    kept: &HashMap<&str, usize>,
    staging: &Staging,
) -> Result<(), IngestError> {
    let input =
        File::open(path).map_err(|e| IngestError::Previous(format!("{}: {e}", path.display())))?;
    let input = BufReader::new(input);
    let mut current: Option<(usize, BufWriter<File>)> = None;
    for (n, line) in input.lines().enumerate() {
        let line = line?;
        let report: Report = serde_json::from_str(&line).map_err(|e| {
            IngestError::Previous(format!("{}, line {}: {e}", path.display(), n + 1))
        })?;
        let Some(&index) = kept.get(report.source.file.as_str()) else {
            continue;
        };
        if current.as_ref().is_none_or(|(i, _)| *i != index) {
            if let Some((_, mut w)) = current.take() {
                w.flush()?;
            }
            let file = File::options()
                .create(true)
                .append(true)
                .open(staging.path(&part_name(index)))?;
            current = Some((index, BufWriter::new(file)));
        }
        if let Some((_, w)) = current.as_mut() {
            w.write_all(line.as_bytes())?;
            w.write_all(b"\n")?;
        }
    }
    if let Some((_, mut w)) = current {
        w.flush()?;
    }
    Ok(())
}
