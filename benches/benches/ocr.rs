//! Benchmark of the raster (OCR) path on the first page of each scanned sample.
//!
//! Before the divan run, prints each stage's mean time per page over all pages of the
//! samples (decode, deskew, lines, OCR) as measured inside [`OcrReader::read_timed`]; the
//! divan benches then time decode, deskew, lines and the whole page separately.
//! The OCR stages need the models (`scripts/fetch-models.sh`); without them only the
//! image stages run.

use jixiao_extract::grid::find_cells;
use jixiao_extract::interp::read_pages;
use jixiao_extract::{ExtractOptions, PageContent, TableSettings};
use jixiao_ocr::binarize::{otsu_threshold, Binary};
use jixiao_ocr::deskew::{estimate_skew, rotate};
use jixiao_ocr::lines::{find_lines, LineParams};
use jixiao_ocr::{decode_image, Gray, OcrConfig, OcrReader};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

const MAX_PIXELS: u64 = 80_000_000;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every page of every `samples/scanned/*.pdf`, by file.
fn samples() -> &'static Vec<(String, Vec<PageContent>)> {
    static PAGES: OnceLock<Vec<(String, Vec<PageContent>)>> = OnceLock::new();
    PAGES.get_or_init(|| {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("samples/scanned"))
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|x| x == "pdf"));
        files.sort();
        files
            .into_iter()
            .map(|p| {
                let bytes = std::fs::read(&p).expect("sample readable");
                let pages = read_pages(&bytes, &ExtractOptions::default()).expect("sample parses");
                (p.file_stem().unwrap().to_string_lossy().into_owned(), pages)
            })
            .collect()
    })
}

fn names() -> Vec<&'static str> {
    samples().iter().map(|(n, _)| n.as_str()).collect()
}

fn first_page(name: &str) -> &'static PageContent {
    &samples().iter().find(|(n, _)| n == name).expect("sample").1[0]
}

fn reader() -> Option<&'static OcrReader> {
    static READER: OnceLock<Option<OcrReader>> = OnceLock::new();
    READER
        .get_or_init(|| {
            let mut config = OcrConfig::from_env();
            if std::env::var_os("JIXIAO_MODELS").is_none() {
                config.models_dir = root().join("models");
            }
            OcrReader::new(config)
                .map_err(|e| eprintln!("OCR benches skipped: {e}"))
                .ok()
        })
        .as_ref()
}

fn decoded(page: &PageContent) -> Gray {
    decode_image(&page.images[0], MAX_PIXELS).expect("image decodes")
}

#[divan::bench(args = names())]
fn decode(bencher: divan::Bencher, name: &str) {
    let page = first_page(name);
    bencher.bench(|| decoded(page));
}

#[divan::bench(args = names())]
fn deskew(bencher: divan::Bencher, name: &str) {
    let gray = decoded(first_page(name));
    bencher.bench(|| {
        let t = otsu_threshold(&gray);
        let angle = estimate_skew(&Binary::from_gray(&gray, t), 3.0);
        Binary::from_gray(&rotate(&gray, angle), t)
    });
}

#[divan::bench(args = names())]
fn lines(bencher: divan::Bencher, name: &str) {
    let page = first_page(name);
    let gray = decoded(page);
    let t = otsu_threshold(&gray);
    let ink = Binary::from_gray(
        &rotate(&gray, estimate_skew(&Binary::from_gray(&gray, t), 3.0)),
        t,
    );
    let px_per_pt = f64::from(gray.width) / page.width;
    let params = LineParams {
        min_length: (20.0 * px_per_pt) as u32,
        max_gap: px_per_pt.round() as u32,
        max_thickness: (3.0 * px_per_pt) as u32,
        touch_tolerance: (3.0 * px_per_pt) as u32,
    };
    bencher.bench(|| find_lines(&ink, &params));
}

#[divan::bench(args = names(), sample_count = 5, sample_size = 1)]
fn page(bencher: divan::Bencher, name: &str) {
    let Some(reader) = reader() else { return };
    let page = first_page(name);
    let settings = TableSettings::default();
    bencher.bench(|| reader.read_timed(page, &settings).expect("page reads"));
}

/// Mean per-stage times over every page of each sample, and a check that cells are found.
fn stage_report() {
    let Some(reader) = reader() else { return };
    let settings = TableSettings::default();
    eprintln!("per-page stage means (decode / deskew / lines / OCR = total), one thread:");
    for (name, pages) in samples() {
        let mut sum = [Duration::ZERO; 4];
        let mut cells = 0;
        for page in pages {
            let (read, t) = reader.read_timed(page, &settings).expect("page reads");
            cells += find_cells(&read.segments, &settings)
                .iter()
                .map(|g| g.cells.len())
                .sum::<usize>();
            for (s, d) in sum.iter_mut().zip([t.decode, t.deskew, t.lines, t.ocr]) {
                *s += d;
            }
        }
        let n = pages.len().max(1) as u32;
        let ms = |d: Duration| (d / n).as_secs_f64() * 1e3;
        let total: Duration = sum.iter().sum();
        eprintln!(
            "  {name}: {} pages, {cells} cells: {:.0} / {:.0} / {:.0} / {:.0} = {:.0} ms",
            pages.len(),
            ms(sum[0]),
            ms(sum[1]),
            ms(sum[2]),
            ms(sum[3]),
            ms(total)
        );
    }
}

fn main() {
    stage_report();
    divan::main();
}
