//! Benchmark of `jixiao ingest` on born-digital samples: copies and variants of every PDF
//! under samples/chromium and samples/libreoffice (each variant made unique by a trailing
//! comment, so deduplication does not skip it) up to at least 2,000 pages, ingested with 1
//! and then 2 worker threads. Prints pages/s and the peak resident memory of each run, and
//! what writing `jixiao.xlsx` costs within it: the workbook of the run's dataset written again
//! alone (best of three), as a share of the rest of the run, in wall-clock and in CPU time
//! (the CPU share is the one that holds on a shared, loaded machine).
//!
//! `cargo bench -p jixiao-benches --bench ingest` (optionally `-- PAGES` for another target).

use std::path::{Path, PathBuf};
use std::time::Instant;

use jixiao::ingest::{ingest, IngestOptions};
use jixiao::manifest::Manifest;
use jixiao::pipeline::Pipeline;
use jixiao_benches::cpu_seconds;
use jixiao_dataset::xlsx::{Labels, XlsxWriter};
use jixiao_dataset::DatasetWriter;
use jixiao_extract::ExtractOptions;
use jixiao_normalize::Report;
use jixiao_ocr::OcrConfig;

const DEFAULT_PAGES: u64 = 2_000;

/// The allocator of the `jixiao` binary, so the figures are what the command costs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Peak resident set size of this process in kB (`VmHWM`).
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets `VmHWM` to the current RSS, so each run reports its own peak.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Wall-clock and CPU seconds to write `jixiao.xlsx` alone (with `reports.jsonl` and
/// `manifest.json`, which every dataset writer writes) for the dataset in `out`, best of three.
fn xlsx_seconds(out: &Path) -> (f64, Option<f64>) {
    let manifest = Manifest::read(&out.join("manifest.json"))
        .expect("manifest")
        .expect("manifest.json written");
    let reports: Vec<Report> = std::fs::read_to_string(out.join("reports.jsonl"))
        .expect("reports.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a record"))
        .collect();
    (0..3)
        .map(|_| {
            let dir = tempfile::tempdir().expect("temporary directory");
            let cpu_start = cpu_seconds();
            let start = Instant::now();
            let xlsx = XlsxWriter::create(dir.path(), Labels::Names).expect("workbook");
            let mut w =
                DatasetWriter::with_writers(dir.path(), vec![Box::new(xlsx)]).expect("writer");
            for e in &manifest.files {
                w.add_file(e).expect("file row");
            }
            for r in &reports {
                w.add_report(r).expect("report rows");
            }
            w.finish(&manifest).expect("finish");
            let cpu = cpu_start.zip(cpu_seconds()).map(|(a, b)| b - a);
            (start.elapsed().as_secs_f64(), cpu)
        })
        .fold((f64::INFINITY, None), |(wall, cpu), (w, c)| {
            let cpu = match (cpu, c) {
                (Some(a), Some(b)) => Some(f64::min(a, b)),
                (a, b) => a.or(b),
            };
            (wall.min(w), cpu)
        })
}

fn born_digital_samples(root: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = ["chromium", "libreoffice"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root.join(d)).into_iter().flatten())
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    found.sort();
    found
}

fn main() {
    let target: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(DEFAULT_PAGES);
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples");
    let pipeline = Pipeline::new(ExtractOptions::default(), OcrConfig::from_env());
    let originals: Vec<(Vec<u8>, u32)> = born_digital_samples(&samples)
        .iter()
        .filter_map(|p| {
            let bytes = std::fs::read(p).ok()?;
            let pages = pipeline
                .process(&bytes, &p.display().to_string(), "")
                .ok()?
                .pages;
            Some((bytes, pages))
        })
        .filter(|(_, pages)| *pages > 0)
        .collect();
    assert!(
        !originals.is_empty(),
        "no born-digital samples under {}",
        samples.display()
    );

    let corpus = tempfile::tempdir().expect("temporary directory");
    let (mut pages, mut files) = (0u64, 0usize);
    while pages < target {
        for (bytes, n) in &originals {
            let mut variant = bytes.clone();
            variant.extend_from_slice(format!("\n%variant {files}\n").as_bytes());
            std::fs::write(corpus.path().join(format!("doc-{files:05}.pdf")), variant)
                .expect("write corpus");
            pages += u64::from(*n);
            files += 1;
        }
    }
    println!(
        "corpus: {files} files, {pages} pages (from {} samples)",
        originals.len()
    );

    for jobs in [1, 2] {
        let out = tempfile::tempdir().expect("temporary directory");
        let opts = IngestOptions::quiet(
            vec![corpus.path().to_path_buf()],
            out.path().to_path_buf(),
            jobs,
        );
        reset_peak_rss();
        let cpu_start = cpu_seconds();
        let start = Instant::now();
        let summary = ingest(&opts, &|b, f, s| pipeline.process(b, f, s)).expect("ingest");
        let secs = start.elapsed().as_secs_f64();
        let run_cpu = cpu_start.zip(cpu_seconds()).map(|(a, b)| b - a);
        let cpu = run_cpu.map_or("CPU time unknown".to_string(), |c| {
            format!(
                "{c:.2} s CPU = {:.0} pages per CPU-second",
                summary.pages as f64 / c.max(0.01)
            )
        });
        println!(
            "jobs {jobs}: {} pages, {} reports in {secs:.2} s = {:.0} pages/s (whole run incl. hashing and writing); {cpu}; peak RSS {} MiB",
            summary.pages,
            summary.reports,
            summary.pages as f64 / secs,
            peak_rss_kb().map_or("?".to_string(), |kb| (kb / 1024).to_string()),
        );
        let (xlsx, xlsx_cpu) = xlsx_seconds(out.path());
        let cpu_share = match (xlsx_cpu, run_cpu) {
            (Some(x), Some(run)) => format!(
                "{x:.2} s CPU = {:.1} % of the rest of the run's CPU ({:.2} s)",
                100.0 * x / (run - x).max(0.01),
                run - x
            ),
            _ => "CPU time unknown".to_string(),
        };
        println!(
            "jobs {jobs}: jixiao.xlsx alone {xlsx:.3} s = {:.1} % of the rest of the run ({:.2} s); {cpu_share}",
            100.0 * xlsx / (secs - xlsx),
            secs - xlsx,
        );
    }
}
