//! Documents read partly from what the page shows (`samples/reread/`): a document mixing
//! vector and image-only pages has every page's tables. Field accuracy against the data is
//! the golden test's (`golden.rs`, the same bar as scanned samples).

mod common;

use jixiao_extract::TextSource;
use jixiao_ocr::OcrReader;

/// Non-empty cells of an extraction by source: [pdf, font program, ocr].
fn sources(x: &jixiao_extract::Extraction) -> [usize; 3] {
    let mut n = [0; 3];
    for c in x.tables.iter().flat_map(|t| &t.cells) {
        if !c.text.is_empty() {
            n[c.text_source as usize] += 1;
        }
    }
    n
}

fn models_installed() -> bool {
    match OcrReader::new(common::ocr_config()) {
        Ok(_) => true,
        Err(e) => {
            eprintln!("skipping: {e}");
            false
        }
    }
}

#[test]
fn mixed_documents_read_every_page() {
    if !models_installed() {
        return;
    }
    let rel = "reread/districts-excerpt-mixed.pdf";
    let bytes = std::fs::read(common::sample(rel)).unwrap();
    let x = common::pipeline().extract(&bytes, rel).unwrap();
    let mut pages: Vec<u32> = x.tables.iter().flat_map(|t| t.pages.clone()).collect();
    pages.dedup();
    assert_eq!(
        pages,
        (1..=x.pages).collect::<Vec<_>>(),
        "a page without table"
    );
    assert!(x.raster_pages.len() >= 3, "{:?}", x.raster_pages);
    let [pdf, _, ocr] = sources(&x);
    assert!(pdf > 0 && ocr > 0);
    assert!(x
        .tables
        .iter()
        .flat_map(|t| &t.cells)
        .filter(|c| c.text_source == TextSource::Ocr && !c.text.is_empty())
        .all(|c| c.confidence.is_some()));
}
