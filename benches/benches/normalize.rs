//! Benchmark of the normalize stage: `normalize` on the logical tables every sample PDF
//! should yield (`samples/expected/<producer>/<doc>.tables.json`), one thread
//! (`cargo bench -p jixiao-benches --bench normalize`); divan reports records/s ("item/s").
//!
//! The expected tables are the extractor's ideal output, so this measures normalisation
//! alone: label search, column mapping, heading resolution and value parsing.

use std::path::Path;

use divan::counter::ItemsCount;
use divan::Bencher;
use jixiao_extract::{Cell, Extraction, Rect, Table};
use jixiao_normalize::normalize;
use serde_json::Value;

/// A `*.tables.json` as an extraction (pages and boxes are not part of the expectation).
fn extraction(doc: &Value) -> Extraction {
    let int = |v: &Value| v.as_u64().unwrap_or(0) as usize;
    let tables = doc["tables"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| Table {
            pages: vec![1],
            caption: t["caption"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_str().map(String::from))
                .collect(),
            n_rows: int(&t["n_rows"]),
            n_cols: int(&t["n_cols"]),
            cells: t["cells"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| Cell {
                    row: int(&c["row"]),
                    col: int(&c["col"]),
                    rowspan: int(&c["rowspan"]),
                    colspan: int(&c["colspan"]),
                    text: c["text"].as_str().unwrap_or("").to_string(),
                    page: 1,
                    bbox: Rect::default(),
                    confidence: None,
                })
                .collect(),
        })
        .collect();
    Extraction {
        file: doc["file"].as_str().unwrap_or("").to_string(),
        pages: 1,
        tables,
        raster_pages: Vec::new(),
        warnings: Vec::new(),
    }
}

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
        .filter_map(|p| serde_json::from_str::<Value>(&std::fs::read_to_string(p).ok()?).ok())
        .map(|doc| extraction(&doc))
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
