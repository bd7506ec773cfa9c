//! Benchmark of the raster (OCR) path on the scanned samples.
//!
//! Before the divan run, prints per sample, over all its pages: each stage's mean wall time
//! per page (decode, deskew, lines, OCR) as measured inside [`OcrReader::read_timed`] with
//! pages read one at a time, the process CPU time per page, and the wall time per page when
//! two pages are read at a time (two threads, two model instances, as `ingest --jobs 2`).
//! The divan benches then time decode, deskew, lines and the whole first page separately.
//! The OCR stages need the models (`scripts/fetch-models.sh`); without them only the
//! image stages run.

use jixiao_benches::{cpu_seconds, ocr_reader};
use jixiao_extract::grid::find_cells;
use jixiao_extract::interp::read_pages;
use jixiao_extract::{ExtractOptions, PageContent, TableSettings};
use jixiao_ocr::binarize::{otsu_threshold, Binary};
use jixiao_ocr::deskew::{estimate_skew, rotate};
use jixiao_ocr::lines::{find_lines, LineParams};
use jixiao_ocr::{decode_image, Gray, OcrReader};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const MAX_PIXELS: u64 = 80_000_000;
/// Pages read at the same time in the parallel measurement (one per core here).
const PARALLEL_PAGES: usize = 2;

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
        .get_or_init(|| ocr_reader(PARALLEL_PAGES, "OCR benches"))
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
    // One binarised page serves as the ink of both directions.
    bencher.bench(|| find_lines(&ink, &ink, &params));
}

#[divan::bench(args = names(), sample_count = 5, sample_size = 1)]
fn page(bencher: divan::Bencher, name: &str) {
    let Some(reader) = reader() else { return };
    let page = first_page(name);
    let settings = TableSettings::default();
    bencher.bench(|| reader.read_timed(page, &settings).expect("page reads"));
}

/// Per sample: mean stage times and CPU time per page (pages one at a time), wall time per
/// page with [`PARALLEL_PAGES`] pages at a time, and a check that cells are found.
fn stage_report() {
    let Some(reader) = reader() else { return };
    let settings = TableSettings::default();
    eprintln!(
        "per page: decode / deskew / lines / OCR = total (wall, one page at a time); \
         CPU; wall with {PARALLEL_PAGES} pages at a time"
    );
    for (name, pages) in samples() {
        let mut sum = [Duration::ZERO; 4];
        let mut cells = 0;
        let cpu_start = cpu_seconds();
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
        let cpu = cpu_start.zip(cpu_seconds()).map(|(a, b)| b - a);
        let parallel = read_in_parallel(reader, pages, &settings);
        let n = pages.len().max(1) as u32;
        let ms = |d: Duration| (d / n).as_secs_f64() * 1e3;
        let total: Duration = sum.iter().sum();
        let cpu_ms = cpu.map_or("?".into(), |c| format!("{:.0}", c * 1e3 / f64::from(n)));
        eprintln!(
            "  {name}: {} pages, {cells} cells: {:.0} / {:.0} / {:.0} / {:.0} = {:.0} ms; \
             CPU {cpu_ms} ms; {:.0} ms with {PARALLEL_PAGES} at a time",
            pages.len(),
            ms(sum[0]),
            ms(sum[1]),
            ms(sum[2]),
            ms(sum[3]),
            ms(total),
            ms(parallel)
        );
    }
}

/// Wall time to read all `pages` on [`PARALLEL_PAGES`] threads taking the next page in turn.
fn read_in_parallel(
    reader: &OcrReader,
    pages: &[PageContent],
    settings: &TableSettings,
) -> Duration {
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL_PAGES {
            scope.spawn(|| {
                while let Some(page) = pages.get(next.fetch_add(1, Ordering::Relaxed)) {
                    reader.read_timed(page, settings).expect("page reads");
                }
            });
        }
    });
    start.elapsed()
}

fn main() {
    stage_report();
    divan::main();
}
