//! Benchmark of the extract stage on every PDF under samples/chromium and samples/libreoffice:
//! `read_pages` (load + page interpretation: glyphs, segments, images) and the full `extract`
//! (plus table building), one thread. The counter is pages, so divan's throughput column reads
//! as pages per second (per-page time = 1 / throughput).
//!
//! `cargo bench -p jixiao-benches --bench extract`

use std::path::{Path, PathBuf};

use divan::counter::ItemsCount;
use divan::Bencher;
use jixiao_extract::interp::read_pages;
use jixiao_extract::{extract, ExtractOptions};

/// The allocator of the `jixiao` binary, so the figures are what `jixiao extract` and
/// `jixiao ingest` cost.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples")
}

/// `producer/file.pdf` of every born-digital sample, sorted.
fn samples() -> Vec<String> {
    let root = samples_dir();
    let mut found: Vec<String> = ["chromium", "libreoffice"]
        .iter()
        .flat_map(|producer| {
            std::fs::read_dir(root.join(producer))
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "pdf"))
                .map(move |e| format!("{producer}/{}", e.file_name().to_string_lossy()))
        })
        .collect();
    found.sort();
    found
}

/// The bytes of a sample and its number of pages.
fn load(name: &str) -> (Vec<u8>, usize) {
    let bytes = std::fs::read(samples_dir().join(name)).expect("sample readable");
    let pages = read_pages(&bytes, &ExtractOptions::default())
        .expect("sample reads")
        .len();
    (bytes, pages)
}

#[divan::bench(args = samples(), sample_count = 20)]
fn read_pages_per_page(bencher: Bencher, name: &str) {
    let (bytes, pages) = load(name);
    let opts = ExtractOptions::default();
    bencher
        .counter(ItemsCount::new(pages))
        .bench(|| read_pages(divan::black_box(&bytes), &opts).expect("sample reads"));
}

#[divan::bench(args = samples(), sample_count = 20)]
fn extract_per_page(bencher: Bencher, name: &str) {
    let (bytes, pages) = load(name);
    let opts = ExtractOptions::default();
    bencher
        .counter(ItemsCount::new(pages))
        .bench(|| extract(divan::black_box(&bytes), name, &opts, None).expect("sample extracts"));
}
