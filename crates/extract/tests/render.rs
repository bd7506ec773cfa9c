//! Rendering regions of a page from its vector content, and the unreadable-cell detection on
//! real samples: the producers' own samples have no unreadable cell (no false alarm).

use jixiao_extract::grid::page_tables;
use jixiao_extract::interp::read_pages;
use jixiao_extract::readable::{unreadable, DocumentScript};
use jixiao_extract::render::PageRenderer;
use jixiao_extract::{ExtractOptions, Rect};
use std::path::{Path, PathBuf};

fn sample(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples")
        .join(rel)
}

fn pdfs_in(dir: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(sample(dir))
        .map(|e| {
            e.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// (cells, unreadable cells) of every table of a PDF.
fn flagged(path: &Path) -> (usize, usize) {
    let bytes = std::fs::read(path).unwrap();
    let opts = ExtractOptions::default();
    let pages = read_pages(&bytes, &opts).unwrap();
    let script = DocumentScript::of(&pages);
    let (mut cells, mut bad) = (0, 0);
    for page in &pages {
        for t in page_tables(page, &opts.table) {
            cells += t.texts.len();
            bad += t
                .texts
                .iter()
                .filter(|s| unreadable(s, script).is_some())
                .count();
        }
    }
    (cells, bad)
}

#[test]
fn no_cell_of_a_clean_sample_is_flagged() {
    let mut total = 0;
    for dir in ["chromium", "libreoffice", "fontprogram"] {
        for pdf in pdfs_in(dir) {
            let (cells, bad) = flagged(&pdf);
            assert_eq!(bad, 0, "{}: {bad} of {cells} cells flagged", pdf.display());
            total += cells;
        }
    }
    println!("{total} cells of clean samples, none flagged");
    assert!(total > 1000);
}

#[test]
fn renders_a_region_of_a_vector_page() {
    let bytes = std::fs::read(sample("chromium/putuo-2022.pdf")).unwrap();
    let pages = read_pages(&bytes, &ExtractOptions::default()).unwrap();
    let renderer = PageRenderer::new(&bytes).expect("hayro opens the sample");
    // The first glyph's box, rendered at 200 dpi, shows ink; blank paper beside the page
    // margin does not.
    let glyph = pages[0].text[0].bbox;
    let image = renderer.render_gray(1, &glyph, 200.0).unwrap();
    assert_eq!(image.width, (glyph.width() * 200.0 / 72.0).round() as u32);
    assert!(
        image.data.iter().any(|&v| v < 128),
        "no ink where a glyph is"
    );
    let margin = Rect::from_corners(1.0, 1.0, 20.0, 20.0);
    let blank = renderer.render_gray(1, &margin, 200.0).unwrap();
    assert!(blank.data.iter().all(|&v| v > 250));
    assert!(renderer.render_gray(99, &margin, 200.0).is_none());
}
