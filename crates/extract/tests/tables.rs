//! The table quality bar: every table of every born-digital sample PDF (recursively under
//! `samples/`) is extracted and compared cell by cell with the expected grid that the sample
//! generator writes from the source data (`samples/expected/<producer>/<doc>.tables.json`):
//! caption, n_rows, n_cols and every cell's row, col, rowspan, colspan and text. The
//! ICDAR-2013 adjacency-relation F1 of each file is printed and must be 1.0.
//!
//! Scanned samples (`samples/scanned/`) and unreadable text layers (`samples/reread/`) need
//! the raster reader of `jixiao-ocr`, which this crate does not depend on: they are skipped
//! here, and listed as skipped.

use jixiao_extract::{extract, ExtractOptions, Table};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// At most this many differing cells are shown per table.
const SHOWN: usize = 12;

/// One expected or extracted cell, as compared.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Slot {
    row: usize,
    col: usize,
    rowspan: usize,
    colspan: usize,
    text: String,
}

/// One table, as compared.
#[derive(Debug, Clone, PartialEq)]
struct Grid {
    caption: Vec<String>,
    n_rows: usize,
    n_cols: usize,
    cells: Vec<Slot>,
}

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples")
}

fn pdfs_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            pdfs_under(&p, out);
        } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")) {
            out.push(p);
        }
    }
}

fn expected_grids(v: &Value) -> Result<Vec<Grid>, String> {
    let tables = v["tables"].as_array().ok_or("no \"tables\" array")?;
    tables
        .iter()
        .map(|t| {
            let num = |v: &Value, k: &str| {
                v[k].as_u64()
                    .map(|n| n as usize)
                    .ok_or(format!("missing {k}"))
            };
            let mut cells = Vec::new();
            for c in t["cells"].as_array().ok_or("no \"cells\" array")? {
                cells.push(Slot {
                    row: num(c, "row")?,
                    col: num(c, "col")?,
                    rowspan: num(c, "rowspan")?,
                    colspan: num(c, "colspan")?,
                    text: c["text"].as_str().ok_or("cell without text")?.to_string(),
                });
            }
            cells.sort();
            let caption = t["caption"]
                .as_array()
                .ok_or("no caption")?
                .iter()
                .map(|l| {
                    l.as_str()
                        .map(str::to_string)
                        .ok_or("caption line is not a string".to_string())
                })
                .collect::<Result<_, _>>()?;
            Ok(Grid {
                caption,
                n_rows: num(t, "n_rows")?,
                n_cols: num(t, "n_cols")?,
                cells,
            })
        })
        .collect()
}

fn extracted_grid(t: &Table) -> Grid {
    let mut cells: Vec<Slot> = t
        .cells
        .iter()
        .map(|c| Slot {
            row: c.row,
            col: c.col,
            rowspan: c.rowspan,
            colspan: c.colspan,
            text: c.text.clone(),
        })
        .collect();
    cells.sort();
    Grid {
        caption: t.caption.clone(),
        n_rows: t.n_rows,
        n_cols: t.n_cols,
        cells,
    }
}

/// The differences between an expected and an extracted table, readable.
fn diff(exp: &Grid, got: &Grid) -> Vec<String> {
    let mut out = Vec::new();
    if exp.caption != got.caption {
        out.push(format!(
            "caption: expected {:?}, got {:?}",
            exp.caption, got.caption
        ));
    }
    if (exp.n_rows, exp.n_cols) != (got.n_rows, got.n_cols) {
        out.push(format!(
            "size: expected {}×{}, got {}×{}",
            exp.n_rows, exp.n_cols, got.n_rows, got.n_cols
        ));
    }
    let by_pos = |g: &Grid| {
        g.cells
            .iter()
            .map(|c| ((c.row, c.col), c.clone()))
            .collect::<BTreeMap<_, _>>()
    };
    let (e, g) = (by_pos(exp), by_pos(got));
    let mut cell_diffs = Vec::new();
    for (pos, ec) in &e {
        match g.get(pos) {
            None => cell_diffs.push(format!(
                "  ({},{}) missing: expected {}×{} {:?}",
                pos.0, pos.1, ec.rowspan, ec.colspan, ec.text
            )),
            Some(gc) if gc != ec => cell_diffs.push(format!(
                "  ({},{}) expected {}×{} {:?}\n  {:>width$} got      {}×{} {:?}",
                pos.0,
                pos.1,
                ec.rowspan,
                ec.colspan,
                ec.text,
                "",
                gc.rowspan,
                gc.colspan,
                gc.text,
                width = format!("({},{})", pos.0, pos.1).len()
            )),
            Some(_) => {}
        }
    }
    for (pos, gc) in g.iter().filter(|(p, _)| !e.contains_key(p)) {
        cell_diffs.push(format!(
            "  ({},{}) unexpected: {}×{} {:?}",
            pos.0, pos.1, gc.rowspan, gc.colspan, gc.text
        ));
    }
    if !cell_diffs.is_empty() {
        out.push(format!("{} cell(s) differ:", cell_diffs.len()));
        let n = cell_diffs.len();
        out.extend(cell_diffs.into_iter().take(SHOWN));
        if n > SHOWN {
            out.push(format!("  … and {} more", n - SHOWN));
        }
    }
    out
}

/// ICDAR-2013 adjacency relations of a table: for every non-blank cell, its nearest
/// non-blank neighbour to the right and below (blank cells are skipped over), per covered
/// row/column, as (table, text, neighbour text, direction).
fn relations(k: usize, g: &Grid) -> Vec<(usize, String, String, char)> {
    let mut at = vec![None; g.n_rows * g.n_cols];
    for (i, c) in g.cells.iter().enumerate() {
        for r in c.row..(c.row + c.rowspan).min(g.n_rows) {
            for k in c.col..(c.col + c.colspan).min(g.n_cols) {
                at[r * g.n_cols + k] = Some(i);
            }
        }
    }
    let mut out = Vec::new();
    for (i, c) in g
        .cells
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.text.is_empty())
    {
        let mut push = |j: Option<usize>, dir: char| {
            if let Some(j) = j {
                out.push((k, c.text.clone(), g.cells[j].text.clone(), dir));
            }
        };
        let mut right = Vec::new();
        for r in c.row..(c.row + c.rowspan).min(g.n_rows) {
            let found = (c.col + c.colspan..g.n_cols)
                .filter_map(|x| at[r * g.n_cols + x])
                .find(|&j| j != i && !g.cells[j].text.is_empty());
            if !right.contains(&found) {
                right.push(found);
            }
        }
        right.into_iter().for_each(|j| push(j, 'R'));
        let mut below = Vec::new();
        for x in c.col..(c.col + c.colspan).min(g.n_cols) {
            let found = (c.row + c.rowspan..g.n_rows)
                .filter_map(|y| at[y * g.n_cols + x])
                .find(|&j| j != i && !g.cells[j].text.is_empty());
            if !below.contains(&found) {
                below.push(found);
            }
        }
        below.into_iter().for_each(|j| push(j, 'D'));
    }
    out.sort();
    out
}

/// The adjacency-relation F1 of extracted against expected tables (multiset matching).
fn adjacency_f1(exp: &[Grid], got: &[Grid]) -> f64 {
    let e: Vec<_> = exp
        .iter()
        .enumerate()
        .flat_map(|(k, g)| relations(k, g))
        .collect();
    let mut g: Vec<_> = got
        .iter()
        .enumerate()
        .flat_map(|(k, g)| relations(k, g))
        .collect();
    if e.is_empty() && g.is_empty() {
        return 1.0;
    }
    let total_got = g.len();
    let mut matched = 0usize;
    for r in &e {
        if let Some(i) = g.iter().position(|x| x == r) {
            g.swap_remove(i);
            matched += 1;
        }
    }
    let (p, r) = (
        matched as f64 / total_got.max(1) as f64,
        matched as f64 / e.len().max(1) as f64,
    );
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

#[test]
fn every_table_of_every_born_digital_sample_is_exact() {
    let root = samples_dir();
    let mut pdfs = Vec::new();
    pdfs_under(&root, &mut pdfs);
    let mut failures = Vec::new();
    let mut skipped = Vec::new();
    let mut checked = 0;
    for pdf in &pdfs {
        let rel = pdf
            .strip_prefix(&root)
            .unwrap_or(pdf)
            .to_string_lossy()
            .replace('\\', "/");
        // Scanned pages, and text layers that only OCR can read again (`reread/`), need the
        // raster reader of `jixiao-ocr`.
        if ["scanned/", "scanned-degraded/", "reread/"]
            .iter()
            .any(|dir| rel.starts_with(dir))
        {
            skipped.push(rel);
            continue;
        }
        let expected_path = root
            .join("expected")
            .join(rel.trim_end_matches(".pdf").to_string() + ".tables.json");
        let expected = match std::fs::read_to_string(&expected_path)
            .map_err(|e| e.to_string())
            .and_then(|s| serde_json::from_str::<Value>(&s).map_err(|e| e.to_string()))
            .and_then(|v| expected_grids(&v))
        {
            Ok(g) => g,
            Err(e) => {
                failures.push(format!(
                    "{rel}: expected tables unreadable ({}): {e}",
                    expected_path.display()
                ));
                continue;
            }
        };
        let bytes = std::fs::read(pdf).expect("read sample PDF");
        let start = Instant::now();
        let extraction = match extract(&bytes, &rel, &ExtractOptions::default(), None) {
            Ok(x) => x,
            Err(e) => {
                failures.push(format!("{rel}: extraction failed: {e}"));
                continue;
            }
        };
        let took = start.elapsed();
        checked += 1;
        let got: Vec<Grid> = extraction.tables.iter().map(extracted_grid).collect();
        let f1 = adjacency_f1(&expected, &got);
        println!(
            "{rel}: {} pages, {} tables (expected {}), adjacency F1 {f1:.4}, {:.0} ms",
            extraction.pages,
            got.len(),
            expected.len(),
            took.as_secs_f64() * 1000.0
        );
        let mut problems = Vec::new();
        if got.len() != expected.len() {
            problems.push(format!("{} tables, expected {}", got.len(), expected.len()));
        }
        for (k, (e, g)) in expected.iter().zip(&got).enumerate() {
            let d = diff(e, g);
            if !d.is_empty() {
                let pages = &extraction.tables[k].pages;
                problems.push(format!(
                    "table {k} (pages {pages:?}):\n    {}",
                    d.join("\n    ")
                ));
            }
        }
        if f1 < 1.0 {
            problems.push(format!("adjacency F1 {f1:.4} < 1.0"));
        }
        if !problems.is_empty() {
            failures.push(format!("{rel}:\n  {}", problems.join("\n  ")));
        }
    }
    for s in &skipped {
        println!("SKIPPED {s}: scanned, needs the OCR raster reader (jixiao-ocr), not available to jixiao-extract's tests");
    }
    assert!(
        checked > 0 || pdfs.is_empty(),
        "no sample PDF could be checked"
    );
    assert!(
        failures.is_empty(),
        "{} of the born-digital samples differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn adjacency_f1_scores_a_shifted_cell() {
    let slot = |row, col, text: &str| Slot {
        row,
        col,
        rowspan: 1,
        colspan: 1,
        text: text.into(),
    };
    let exp = Grid {
        caption: vec![],
        n_rows: 2,
        n_cols: 2,
        cells: vec![
            slot(0, 0, "a"),
            slot(0, 1, "b"),
            slot(1, 0, "c"),
            slot(1, 1, "d"),
        ],
    };
    assert_eq!(
        adjacency_f1(std::slice::from_ref(&exp), std::slice::from_ref(&exp)),
        1.0
    );
    // "d" is lost: a→b and a↓c remain of a→b, c→d, a↓c, b↓d (precision 1, recall 1/2).
    let mut lost = exp.clone();
    lost.cells[3].text.clear();
    let f1 = adjacency_f1(&[exp], &[lost]);
    assert!((f1 - 2.0 / 3.0).abs() < 1e-9, "{f1}");
}
