//! Benchmark of the normalize stage: `normalize` on the logical tables every sample PDF
//! should yield (`samples/expected/<producer>/<doc>.tables.json`), one thread
//! (`cargo bench -p jixiao-benches --bench normalize`); divan reports records/s ("item/s").
//!
//! The expected tables are the extractor's ideal output, so this measures normalisation
//! alone: label search, column mapping, heading resolution and value parsing.

#[path = "../../crates/normalize/tests/expected_file/mod.rs"]
mod expected_file;

use std::path::Path;

use divan::counter::ItemsCount;
use divan::Bencher;
use jixiao_extract::Extraction;
use jixiao_normalize::normalize;

/// Every expected-tables file of the samples, sorted by path.
fn samples() -> Vec<Extraction> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/expected");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .flat_map(|producer| {
            std::fs::read_dir(producer.path())
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|f| f.path())
        .filter(|p| p.to_string_lossy().ends_with(".tables.json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|p| expected_file::read_extraction(p).ok())
        .collect()
}

#[divan::bench(sample_count = 20)]
fn expected_tables(bencher: Bencher) {
    let docs = samples();
    let records: usize = docs.iter().map(|d| normalize(d, "").reports.len()).sum();
    assert!(records > 0, "no sample records under samples/expected");
    bencher.counter(ItemsCount::new(records)).bench(|| {
        docs.iter()
            .map(|d| divan::black_box(normalize(d, "")).reports.len())
            .sum::<usize>()
    });
}

fn main() {
    divan::main();
}
