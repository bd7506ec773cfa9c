//! Where cell text comes from: the font-program samples (`samples/fontprogram/`, PDFs whose
//! fonts have no usable `/ToUnicode`) are read entirely through their embedded programs, and
//! the producers' own samples never need them; no cell of a clean sample is flagged
//! unreadable, while the cells of a text layer that lies are. Cell text itself is checked
//! against the data by `tables.rs`.

use jixiao_extract::{extract, ExtractOptions, Extraction, ProblemKind, TextSource};
use std::path::{Path, PathBuf};

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples")
}

fn pdfs_in(dir: &str) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(samples_dir().join(dir))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
                .map(|p| {
                    let name = format!("{dir}/{}", p.file_name().unwrap().to_string_lossy());
                    (name, p)
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn read(path: &Path, rel: &str) -> Extraction {
    let bytes = std::fs::read(path).expect("read sample");
    extract(&bytes, rel, &ExtractOptions::default(), None).expect("extract sample")
}

/// Counts of non-empty cells by source.
fn sources(x: &Extraction) -> [usize; 3] {
    let mut n = [0; 3];
    for c in x.tables.iter().flat_map(|t| &t.cells) {
        if !c.text.is_empty() {
            n[c.text_source as usize] += 1;
        }
    }
    n
}

#[test]
fn font_program_samples_are_read_through_their_programs() {
    let pdfs = pdfs_in("fontprogram");
    assert!(pdfs.len() >= 3, "font-program samples missing: {pdfs:?}");
    for (rel, path) in pdfs {
        let x = read(&path, &rel);
        let [pdf, program, ocr] = sources(&x);
        println!("{rel}: {program} cells from the font program, {pdf} from the PDF");
        assert!(program > 0, "{rel}: no cell read through the font program");
        assert_eq!(ocr, 0, "{rel}: OCR text without a raster reader");
        assert!(x.problems.is_empty(), "{rel}: {:?}", x.problems);
    }
}

#[test]
fn producer_samples_need_no_font_program() {
    for dir in ["chromium", "libreoffice"] {
        for (rel, path) in pdfs_in(dir) {
            let x = read(&path, &rel);
            let [_, program, ocr] = sources(&x);
            assert_eq!(
                (program, ocr),
                (0, 0),
                "{rel}: cells not from the text layer"
            );
            assert!(x
                .tables
                .iter()
                .flat_map(|t| &t.cells)
                .all(|c| c.text_source == TextSource::Pdf));
        }
    }
}

/// What the text layer of a document could not tell, read without a raster reader: its
/// problems of unreadable text and of what was left for a raster reader to read.
fn unreadable_problems(x: &Extraction) -> Vec<String> {
    x.problems
        .iter()
        .filter(|p| matches!(p.kind, ProblemKind::Text | ProblemKind::Raster))
        .map(|p| format!("page {}: {}", p.page, p.message))
        .collect()
}

#[test]
fn no_cell_of_a_clean_sample_is_flagged_unreadable() {
    let clean: Vec<_> = ["chromium", "libreoffice", "fontprogram"]
        .into_iter()
        .flat_map(pdfs_in)
        .collect();
    assert!(clean.len() >= 17, "clean samples missing: {clean:?}");
    for (rel, path) in clean {
        let problems = unreadable_problems(&read(&path, &rel));
        assert!(problems.is_empty(), "{rel}: {problems:?}");
    }
    // The same check sees a text layer mapped into the Private Use Area.
    let rel = "reread/scoring-pua.pdf";
    let problems = unreadable_problems(&read(&samples_dir().join(rel), rel));
    assert!(!problems.is_empty(), "{rel}: nothing found unreadable");
}
