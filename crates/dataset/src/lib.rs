//! jixiao's datasets: one table model, many formats.
//!
//! Every table is defined once ([`table`]: typed columns — text, integer, decimal with its
//! printed scale); rows are built from report records and manifest entries ([`rows`]); each
//! format is one [`TableWriter`] in its own module ([`csv`], [`sqlite`], [`xlsx`]). A
//! [`DatasetWriter`] writes a whole dataset directory: `reports.jsonl`, every table in every
//! format, and `manifest.json` ([`manifest`]). All tables join on `report_id`
//! ([`rows::report_id`]) and, for `files`, on `file`.

pub mod csv;
pub mod manifest;
pub mod parquet;
pub mod rows;
pub mod sqlite;
pub mod table;
pub mod xlsx;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use jixiao_normalize::Report;

use crate::manifest::{FileEntry, Manifest};
pub use crate::rows::{report_id, severity_name};
pub use crate::table::{Column, ColumnType, Table, TableDef, Value};

/// Why the dataset could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("writing the dataset: {0}")]
    Io(#[from] std::io::Error),
    #[error("writing a CSV file: {0}")]
    Csv(#[from] ::csv::Error),
    #[error("writing jixiao.sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("writing a Parquet file: {0}")]
    Parquet(#[from] ::parquet::errors::ParquetError),
    #[error("serialising JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("writing jixiao.xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// The cause of an I/O error in jixiao's words (the system's message for the rare kinds),
/// for messages that name the path first.
pub fn describe_io(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let words = match e.kind() {
        K::PermissionDenied => "permission denied",
        K::StorageFull => "the disk is full",
        K::QuotaExceeded => "the disk quota is used up",
        K::ReadOnlyFilesystem => "the file system is read-only",
        K::FileTooLarge => "the file would pass the size limit for files (ulimit -f)",
        K::NotFound => "no such file or directory",
        K::NotADirectory => "a part of the path is a file, not a directory",
        K::IsADirectory => "it is a directory",
        K::AlreadyExists => "it already exists",
        K::DirectoryNotEmpty => "the directory is not empty",
        K::CrossesDevices => "it is on another file system",
        _ => return e.to_string(),
    };
    words.to_string()
}

/// One output format of the tables.
///
/// The calls come in this order: [`begin_table`](TableWriter::begin_table) once for each
/// table of [`Table::ALL`], in that order; then [`write_row`](TableWriter::write_row) for
/// every row — rows of different tables interleave, rows of one table come in their final
/// order; then [`finish`](TableWriter::finish) once. A row holds one [`Value`] per column of
/// the table, typed like the column (or [`Value::Null`]).
pub trait TableWriter {
    /// Starts `table` (creates its file, sheet or SQL table and writes its header).
    fn begin_table(&mut self, table: Table) -> Result<(), DatasetError>;
    /// Appends one row to `table`.
    fn write_row(&mut self, table: Table, row: &[Value]) -> Result<(), DatasetError>;
    /// Completes every table and flushes the files to the operating system.
    fn finish(self: Box<Self>) -> Result<(), DatasetError>;
}

/// What goes into a dataset directory besides the fixed files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DatasetOptions {
    /// Start each CSV with a UTF-8 BOM, for Excel.
    pub excel_csv: bool,
    /// The column headers of `jixiao.xlsx`.
    pub labels: xlsx::Labels,
}

/// The records file.
pub const JSONL_FILE: &str = "reports.jsonl";
/// The manifest file, written last.
pub const MANIFEST_FILE: &str = "manifest.json";

/// The files a dataset directory holds, in the order they should be committed (the manifest
/// last).
pub fn output_files(_opts: &DatasetOptions) -> Vec<String> {
    let mut files = vec![JSONL_FILE.to_string()];
    files.extend(Table::ALL.map(csv::CsvWriter::file_name));
    files.push(sqlite::SQLITE_FILE.to_string());
    files.push(xlsx::XLSX_FILE.to_string());
    files.extend(Table::ALL.map(parquet::file_name));
    files.push(MANIFEST_FILE.to_string());
    files
}

/// Writes a dataset directory one file entry and its reports at a time: `reports.jsonl`, the
/// tables through every [`TableWriter`], and `manifest.json` at [`finish`](Self::finish).
pub struct DatasetWriter {
    dir: std::path::PathBuf,
    jsonl: BufWriter<File>,
    writers: Vec<Box<dyn TableWriter>>,
}

impl DatasetWriter {
    /// Creates every file of [`output_files`] in `dir` (an empty staging directory).
    pub fn create(dir: &Path, opts: &DatasetOptions) -> Result<DatasetWriter, DatasetError> {
        let writers: Vec<Box<dyn TableWriter>> = vec![
            Box::new(csv::CsvWriter::new(dir, opts.excel_csv)),
            Box::new(sqlite::SqliteWriter::create(dir)?),
            Box::new(xlsx::XlsxWriter::create(dir, opts.labels)?),
            Box::new(parquet::ParquetWriter::new(dir)),
        ];
        DatasetWriter::with_writers(dir, writers)
    }

    /// A dataset in `dir` with the tables written by `writers` only.
    pub fn with_writers(
        dir: &Path,
        mut writers: Vec<Box<dyn TableWriter>>,
    ) -> Result<DatasetWriter, DatasetError> {
        let jsonl = BufWriter::new(File::create(dir.join(JSONL_FILE))?);
        for w in &mut writers {
            for table in Table::ALL {
                w.begin_table(table)?;
            }
        }
        Ok(DatasetWriter {
            dir: dir.to_path_buf(),
            jsonl,
            writers,
        })
    }

    fn row(&mut self, table: Table, row: &[Value]) -> Result<(), DatasetError> {
        for w in &mut self.writers {
            w.write_row(table, row)?;
        }
        Ok(())
    }

    /// Adds one input file (to `files`).
    pub fn add_file(&mut self, entry: &FileEntry) -> Result<(), DatasetError> {
        self.row(Table::Files, &rows::file_row(entry))
    }

    /// Adds one report: a line of `reports.jsonl` and its rows in every table.
    pub fn add_report(&mut self, report: &Report) -> Result<(), DatasetError> {
        serde_json::to_writer(&mut self.jsonl, report)?;
        self.jsonl.write_all(b"\n")?;
        rows::report_rows(report, |table, row| self.row(table, row))
    }

    /// Completes every table, then writes `manifest.json`.
    pub fn finish(mut self, manifest: &Manifest) -> Result<(), DatasetError> {
        self.jsonl.flush()?;
        for w in self.writers {
            w.finish()?;
        }
        let mut out = BufWriter::new(File::create(self.dir.join(MANIFEST_FILE))?);
        serde_json::to_writer_pretty(&mut out, manifest)?;
        out.write_all(b"\n")?;
        out.flush()?;
        Ok(())
    }
}
