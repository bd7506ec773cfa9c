//! The real-client test: the datasets of every sample, opened the way people open them.
//!
//! `ingest --excel-csv` over all samples (born-digital and scanned), then
//! `spreadsheet_check.py` opens the CSV files and `jixiao.xlsx` with LibreOffice Calc headless
//! and the workbook with openpyxl too, and checks every cell against `jixiao.sqlite`: no
//! formula, no mojibake, every value the dataset's. The same check fails on the faithful
//! (unprotected) CSV files, as `--excel-csv` wrote them before it protected fields.
//!
//! Needs `soffice` (Debian `libreoffice-calc-nogui`) and Python 3 with openpyxl; `.ci/run`
//! and `scripts/test.sh` install them.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use jixiao::ingest::{ingest, IngestOptions, DEFAULT_MAX_FILE_BYTES};
use jixiao::progress::ProgressMode;
use jixiao_dataset::DatasetOptions;

fn ingest_samples(dirs: &[&str], out: &Path, excel_csv: bool) {
    let samples = common::workspace().join("samples");
    let opts = IngestOptions {
        inputs: dirs.iter().map(|d| samples.join(d)).collect(),
        out: out.to_path_buf(),
        jobs: 2,
        resume: false,
        dataset: DatasetOptions {
            excel_csv,
            ..Default::default()
        },
        max_file_bytes: DEFAULT_MAX_FILE_BYTES,
        progress: ProgressMode::Quiet,
        shard: None,
    };
    let pipeline = common::pipeline();
    let summary = ingest(&opts, &|b, f, s| pipeline.process(b, f, s)).unwrap();
    assert!(summary.reports > 0);
}

fn check(dataset: &Path, csv_only: bool) -> Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/spreadsheet_check.py");
    let mut cmd = Command::new("python3");
    cmd.arg(script).arg(dataset);
    if csv_only {
        cmd.arg("--csv-only");
    }
    let output = cmd.output().expect("python3 runs");
    assert_ne!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn every_cell_of_every_sample_dataset_reads_back_in_libreoffice_and_openpyxl() {
    let out = tempfile::tempdir().unwrap();
    ingest_samples(&["chromium", "libreoffice", "scanned"], out.path(), true);
    let result = check(out.path(), false);
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(
        result.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(stdout.starts_with("ok: "), "{stdout}");
}

#[test]
fn unprotected_csv_fails_the_same_check() {
    let out = tempfile::tempdir().unwrap();
    ingest_samples(&["chromium", "libreoffice"], out.path(), false);
    let result = check(out.path(), true);
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert_eq!(result.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("formula 'of:=100(%)'"), "{stdout}");
}
