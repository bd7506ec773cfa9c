//! `manifest.json`: every input file of an ingest exactly once, with its fate.

use std::path::Path;

use jixiao_extract::PageProblem;
use jixiao_normalize::{ParseOutput, Report, SkippedTable};
use serde::{Deserialize, Serialize};

/// What happened to one input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileStatus {
    /// Read completely; its reports are in the dataset.
    Ok,
    /// Read, but some pages or objects could not be, or a table holds part of a report but no
    /// whole one (see `error`, `problems`, `skipped`); its reports are in the dataset.
    Partial,
    /// Could not be read at all (see `error`); nothing of it is in the dataset.
    Failed,
    /// Byte-identical to an earlier file (`duplicate_of`); not read again.
    SkippedDuplicate,
    /// The content is not a PDF (whatever the name says).
    NotAPdf,
}

impl FileStatus {
    /// The name used in `manifest.json` and the CSV/SQLite tables.
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Ok => "ok",
            FileStatus::Partial => "partial",
            FileStatus::Failed => "failed",
            FileStatus::SkippedDuplicate => "skipped-duplicate",
            FileStatus::NotAPdf => "not-a-pdf",
        }
    }
}

/// One input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// The path as found (an input argument, or below an input directory).
    pub file: String,
    /// Lower-case hex SHA-256 of the bytes; `None` only when the file could not be read.
    pub sha256: Option<String>,
    /// Size in bytes.
    pub bytes: u64,
    pub status: FileStatus,
    /// Number of pages (0 when unknown).
    pub pages: u32,
    /// Number of reports found.
    pub reports: usize,
    /// For `skipped-duplicate`: the file it duplicates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    /// Why the file failed, or what was lost in a partial one (the first problems).
    pub error: Option<String>,
    /// Pages not completely read: those with a problem of severity `loss`.
    #[serde(default)]
    pub pages_unread: u32,
    /// Tables that gave no report (each with its reason in `skipped`).
    #[serde(default)]
    pub tables_skipped: usize,
    /// Every problem met on the pages, in page order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<PageProblem>,
    /// The tables that gave no report, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedTable>,
    /// Damage to the file that was repaired while reading it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repairs: Vec<String>,
}

/// How many problems of a partial file are spelled out in its `error`.
const PROBLEMS_SHOWN: usize = 3;

impl FileEntry {
    /// An entry with nothing read yet.
    pub fn new(file: String, sha256: Option<String>, bytes: u64, status: FileStatus) -> FileEntry {
        FileEntry {
            file,
            sha256,
            bytes,
            status,
            pages: 0,
            reports: 0,
            duplicate_of: None,
            error: None,
            pages_unread: 0,
            tables_skipped: 0,
            problems: Vec::new(),
            skipped: Vec::new(),
            repairs: Vec::new(),
        }
    }

    /// Records what was read of the file: `ok` when every page was read and every table
    /// became a report or was skipped on purpose, else `partial` with the first losses in
    /// `error`. Returns the reports, to be written.
    pub fn account(&mut self, output: ParseOutput) -> Vec<Report> {
        let complete = output.is_complete();
        let losses: Vec<String> = output
            .problems
            .iter()
            .filter(|p| p.is_loss())
            .map(|p| p.to_string())
            .chain(
                output
                    .skipped
                    .iter()
                    .filter(|t| t.holds_report_part)
                    .map(|t| format!("table {}: {}", t.table, t.reason)),
            )
            .collect();
        let unread = jixiao_extract::pages_with_losses(&output.problems);
        self.reports = output.reports.len();
        self.pages_unread = u32::try_from(unread.len()).unwrap_or(u32::MAX);
        self.tables_skipped = output.skipped_tables;
        self.problems = output.problems;
        self.skipped = output.skipped;
        self.repairs = output.repairs;
        if complete {
            self.status = FileStatus::Ok;
            self.error = None;
        } else {
            self.status = FileStatus::Partial;
            let mut text = losses[..losses.len().min(PROBLEMS_SHOWN)].join("; ");
            if losses.len() > PROBLEMS_SHOWN {
                text.push_str(&format!("; … {} problems in all", losses.len()));
            }
            self.error = Some(text);
        }
        output.reports
    }
}

/// The options of the run that wrote a manifest (`--jobs` is left out on purpose: outputs
/// must not depend on it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunOptions {
    /// The input paths as given.
    pub inputs: Vec<String>,
    pub resume: bool,
    pub excel_csv: bool,
    /// The column headers of `jixiao.xlsx`.
    #[serde(default)]
    pub labels: crate::xlsx::Labels,
    /// Files larger than this are not read.
    pub max_file_bytes: u64,
}

/// What the manifest of one shard of a sharded ingest (`ingest --shard K/N`) records, so
/// that `merge` can check it has every shard of the same input listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// K, from 0.
    pub index: u32,
    /// N.
    pub count: u32,
    /// Files in the whole input listing (all shards together).
    pub listed: usize,
    /// SHA-256 (hex) of the whole listing: every recorded name followed by a newline, sorted.
    pub listing_sha256: String,
}

/// The whole manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Version of the jixiao that wrote it.
    pub jixiao_version: String,
    pub options: RunOptions,
    /// Present in the manifest of one shard of a sharded ingest (`--shard K/N`); never in a
    /// single run's or a merged dataset's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardInfo>,
    /// Sorted by `file`.
    pub files: Vec<FileEntry>,
}

/// Why a manifest could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("{path}: cannot read: {}", crate::describe_io(.source))]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a jixiao manifest: {source}")]
    Json {
        path: String,
        source: serde_json::Error,
    },
}

impl Manifest {
    /// Reads `manifest.json`; `Ok(None)` when the file does not exist.
    pub fn read(path: &Path) -> Result<Option<Manifest>, ManifestError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(ManifestError::Io {
                    path: path.display().to_string(),
                    source,
                })
            }
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|source| ManifestError::Json {
                path: path.display().to_string(),
                source,
            })
    }

    /// Counts the files with `status`.
    pub fn count(&self, status: FileStatus) -> usize {
        self.files.iter().filter(|f| f.status == status).count()
    }
}
