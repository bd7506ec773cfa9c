//! What reading text again from the rendered page costs, on the text-layer variants under
//! samples/reread/ whose text layer lies (no `/ToUnicode`, or one into the Private Use Area):
//! cells flagged unreadable are rendered with hayro and read by OCR one by one, and vector
//! pages whose whole text layer is unusable are rendered and read whole.
//!
//! Before the divan run, prints per sample: pages, pages rendered whole, cells re-read (cells
//! whose text came from OCR), and the process CPU time of `extract` with the OCR reader
//! against without it (median of [`RUNS`] runs each), the difference divided by the cells
//! re-read and by the pages: the cost of render + OCR per re-read cell and per page; then the
//! CPU time of rendering those cells alone (hayro, at the resolution the pipeline picks for
//! 10 pt text). The divan bench times `extract` with the OCR reader, per page.
//! Needs the OCR models (`scripts/fetch-models.sh`); without them nothing runs.
//!
//! `cargo bench -p jixiao-benches --bench reread`; `JIXIAO_REREAD_EXTRA=a.pdf:b.pdf` adds
//! PDFs (e.g. variants made by `samples/generator/fontvariants.py` and not committed).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use divan::counter::ItemsCount;
use divan::Bencher;
use jixiao_benches::{cpu_seconds, ocr_reader};
use jixiao_extract::render::{dpi_for_text, PageRenderer};
use jixiao_extract::{extract, ExtractOptions, Extraction, RasterReader, TextSource};
use jixiao_ocr::OcrReader;

/// The allocator of the `jixiao` binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Runs of each measurement in the printed summary (the median is given).
const RUNS: usize = 3;

/// The text-layer variants of samples/reread/ (the mixed document aside: its scanned pages
/// are not re-read from a text layer), then the PDFs of `JIXIAO_REREAD_EXTRA`.
fn samples() -> Vec<String> {
    let dir = root().join("samples/reread");
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .filter(|p| !p.to_string_lossy().contains("mixed"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    found.sort();
    if let Some(extra) = std::env::var_os("JIXIAO_REREAD_EXTRA") {
        found.extend(std::env::split_paths(&extra).map(|p| p.to_string_lossy().into_owned()));
    }
    found
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn reader() -> Option<&'static OcrReader> {
    static READER: OnceLock<Option<OcrReader>> = OnceLock::new();
    READER
        .get_or_init(|| ocr_reader(1, "re-read benches"))
        .as_ref()
}

fn bytes(path: &str) -> Vec<u8> {
    std::fs::read(path).expect("sample readable")
}

/// The file name of a sample, for the tables.
fn short(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Median CPU seconds of `RUNS` runs of `f`, and its last result.
fn cpu_median<T>(mut f: impl FnMut() -> T) -> (f64, T) {
    let mut times = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let start = cpu_seconds().unwrap_or(0.0);
        last = Some(f());
        times.push(cpu_seconds().unwrap_or(0.0) - start);
    }
    times.sort_by(f64::total_cmp);
    (times[RUNS / 2], last.expect("RUNS > 0"))
}

fn run(bytes: &[u8], name: &str, raster: Option<&dyn RasterReader>) -> Extraction {
    extract(bytes, name, &ExtractOptions::default(), raster).expect("sample extracts")
}

fn main() {
    let Some(reader) = reader() else {
        return;
    };
    println!(
        "{:<32} {:>5} {:>7} {:>6} {:>9} {:>9} {:>10} {:>9} {:>11}",
        "sample",
        "pages",
        "whole",
        "cells",
        "plain s",
        "OCR s",
        "ms/cell",
        "ms/page",
        "render ms/c"
    );
    for path in samples() {
        let (bytes, name) = (bytes(&path), short(&path));
        let (plain, _) = cpu_median(|| run(&bytes, name, None));
        let (with_ocr, read) = cpu_median(|| run(&bytes, name, Some(reader)));
        let cells: Vec<_> = read
            .tables
            .iter()
            .flat_map(|t| &t.cells)
            .filter(|c| c.text_source == TextSource::Ocr)
            .collect();
        let extra = with_ocr - plain;
        // Rendering alone: each re-read cell at the resolution of 10 pt text.
        let renderer = PageRenderer::new(&bytes).expect("sample renders");
        let (render, _) = cpu_median(|| {
            for c in &cells {
                divan::black_box(renderer.render_gray(c.page, &c.bbox, dpi_for_text(10.0)));
            }
        });
        let per = |total: f64, n: usize| 1000.0 * total / n.max(1) as f64;
        println!(
            "{:<32} {:>5} {:>7} {:>6} {:>9.2} {:>9.2} {:>10.1} {:>9.1} {:>11.2}",
            name,
            read.pages,
            read.raster_pages.len(),
            cells.len(),
            plain,
            with_ocr,
            per(extra, cells.len()),
            per(extra, read.pages as usize),
            per(render, cells.len()),
        );
    }
    divan::main();
}

#[divan::bench(args = samples(), sample_count = 3, sample_size = 1)]
fn extract_with_reread_per_page(bencher: Bencher, path: &str) {
    let Some(reader) = reader() else {
        return;
    };
    let (bytes, name) = (bytes(path), short(path));
    let pages = run(&bytes, name, None).pages as usize;
    bencher
        .counter(ItemsCount::new(pages))
        .bench(|| run(divan::black_box(&bytes), name, Some(reader)));
}
