//! `samples/expected/<producer>/<doc>.tables.json` — the logical tables a sample PDF should
//! yield, written by the sample generator — read as the [`Extraction`] it describes. The file
//! carries no pages or boxes, so cells get page 1 and an empty box.
//!
//! Shared by the normalize tests and the normalize bench (`#[path]`-included there).

use std::path::Path;

use jixiao_extract::{Cell, Extraction, Rect, Table};
use serde::Deserialize;

#[derive(Deserialize)]
struct ExpectedTables {
    file: String,
    tables: Vec<ExpectedTable>,
}

#[derive(Deserialize)]
struct ExpectedTable {
    caption: Vec<String>,
    n_rows: usize,
    n_cols: usize,
    cells: Vec<ExpectedCell>,
}

#[derive(Deserialize)]
struct ExpectedCell {
    row: usize,
    col: usize,
    rowspan: usize,
    colspan: usize,
    text: String,
}

/// Reads an expected-tables file; `file` of the result is the sample PDF, relative to
/// `samples/`.
pub fn read_extraction(path: &Path) -> Result<Extraction, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let expected: ExpectedTables =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let tables = expected
        .tables
        .into_iter()
        .map(|t| Table {
            pages: vec![1],
            caption: t.caption,
            n_rows: t.n_rows,
            n_cols: t.n_cols,
            cells: t
                .cells
                .into_iter()
                .map(|c| Cell {
                    row: c.row,
                    col: c.col,
                    rowspan: c.rowspan,
                    colspan: c.colspan,
                    text: c.text,
                    page: 1,
                    bbox: Rect::default(),
                    confidence: None,
                    text_source: Default::default(),
                })
                .collect(),
        })
        .collect();
    Ok(Extraction {
        file: expected.file,
        pages: 1,
        tables,
        ..Extraction::default()
    })
}
