//! The randomized-layout accuracy bar (issue 13): random tables with known truth, made by
//! `samples/generator/tablegen` with real producers (Chromium, LibreOffice, ReportLab), several
//! fonts, borders, shadings, page breaks and page orientations, are extracted and scored cell
//! by cell.
//!
//! A cell is exact when the extracted table matched to its truth table has a cell with the
//! same row, col, rowspan, colspan and text. Texts are compared after NFKC and one
//! whitespace rule: runs of white space are one space, and a space next to a wide (CJK)
//! character is dropped — whether a line break between "75%" and "以上" stands for a space is
//! a guess the extractor documents (`grid::Spacing`), not a fact of the page. Truth tables are
//! matched to extracted tables in document order, each to the unused extracted table with the
//! most exact cells.
//!
//! The committed subset (`tests/tablegen/`, regenerate with `samples/generator/tablegen/README.md`)
//! runs in the suite and must keep the floors below; `report` (ignored) scores any generated
//! directory: `JIXIAO_TABLEGEN_DIR=dir cargo test -p jixiao-extract --release --test tablegen
//! -- --ignored --nocapture` (what `samples/generator/tablegen/report.sh` runs).

use jixiao_extract::grid::is_wide;
use jixiao_extract::{extract, ExtractOptions, Table};
use rayon::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

/// Floors on the committed subset, in per cent of cells exact: the level reached on main
/// (f40bc0f, when the subset was committed: 49.03 % of 10,791 ruled cells, 12.62 % of 11,607
/// partially ruled cells; 52.25 % ruled once Chromium's dotted borders were read as rules;
/// 53.13 % ruled, 12.79 % partially ruled once Latin words wrapped at a space kept it;
/// 61.15 % ruled, 12.82 % partially ruled once open-sided grids were closed; 64.38 % ruled
/// once rows cut by a page break were told by their text's flow and shifted parts joined;
/// 65.89 % once what the clip path hides was left out),
/// rounded down to 0.1. They are a ratchet, not the goal (the
/// issue's bar is 99.9 %): a change that fixes a mechanism raises them to its new level, so
/// that no later change silently loses what it fixed; one that lowers a figure must say why
/// in its commit.
const RULED_FLOOR: f64 = 65.8;
/// Partially ruled tables (三线表, outer box only, horizontal rules only) have their own
/// floor: their columns and rows must be inferred from the text where rules are missing.
const PARTIAL_FLOOR: f64 = 12.8;

/// The rules tags of partially ruled tables.
const PARTIAL_RULES: [&str; 3] = ["three-line", "box-only", "horizontal"];

/// Text as compared: NFKC, white space runs as one space, none next to a wide character.
fn canon(s: &str) -> String {
    let nfkc: String = s.nfkc().collect();
    let words: Vec<&str> = nfkc.split_whitespace().collect();
    let mut out = String::new();
    for w in words {
        let wide_edge = |c: Option<char>| c.is_some_and(is_wide);
        if !out.is_empty() && !wide_edge(out.chars().last()) && !wide_edge(w.chars().next()) {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// One cell as compared: (row, col, rowspan, colspan, canonical text).
type Slot = (usize, usize, usize, usize, String);

/// One truth table.
struct Truth {
    tags: BTreeMap<String, String>,
    cells: Vec<Slot>,
}

/// The score of one truth table.
struct Scored {
    file: String,
    index: usize,
    tags: BTreeMap<String, String>,
    cells: usize,
    exact: usize,
    /// Readable differences (empty when every cell is exact).
    diff: Vec<String>,
}

impl Scored {
    fn partial(&self) -> bool {
        self.tags
            .get("rules")
            .is_some_and(|r| PARTIAL_RULES.contains(&r.as_str()))
    }
}

fn truths(v: &Value) -> Vec<Truth> {
    let n = |c: &Value, k: &str| c[k].as_u64().unwrap_or(0) as usize;
    v["tables"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| Truth {
            tags: t["tags"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect(),
            cells: t["cells"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| {
                    (
                        n(c, "row"),
                        n(c, "col"),
                        n(c, "rowspan"),
                        n(c, "colspan"),
                        canon(c["text"].as_str().unwrap_or("")),
                    )
                })
                .collect(),
        })
        .collect()
}

fn slots(t: &Table) -> Vec<Slot> {
    t.cells
        .iter()
        .map(|c| (c.row, c.col, c.rowspan, c.colspan, canon(&c.text)))
        .collect()
}

fn exact_count(want: &[Slot], got: &[Slot]) -> usize {
    want.iter().filter(|s| got.contains(s)).count()
}

/// At most this many differing cells are listed per table.
const SHOWN: usize = 6;

fn diff(want: &[Slot], got: &[Slot]) -> Vec<String> {
    let mut out = Vec::new();
    for w in want.iter().filter(|s| !got.contains(s)) {
        let at = got.iter().find(|g| (g.0, g.1) == (w.0, w.1));
        out.push(match at {
            Some(g) => format!(
                "({},{}) want {}×{} {:?}, got {}×{} {:?}",
                w.0, w.1, w.2, w.3, w.4, g.2, g.3, g.4
            ),
            None => format!("({},{}) want {}×{} {:?}, missing", w.0, w.1, w.2, w.3, w.4),
        });
    }
    let n = out.len();
    out.truncate(SHOWN);
    if n > SHOWN {
        out.push(format!("… and {} more", n - SHOWN));
    }
    out
}

/// Scores one PDF against its `.truth.json`.
fn score_pdf(pdf: &Path) -> Vec<Scored> {
    let file = pdf.file_name().unwrap().to_string_lossy().to_string();
    let truth_path = pdf.with_extension("truth.json");
    let truth: Value = serde_json::from_str(
        &std::fs::read_to_string(&truth_path)
            .unwrap_or_else(|e| panic!("{}: {e}", truth_path.display())),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", truth_path.display()));
    let want = truths(&truth);
    let bytes = std::fs::read(pdf).unwrap();
    let got: Vec<(Vec<Slot>, usize, usize)> =
        match extract(&bytes, &file, &ExtractOptions::default(), None) {
            Ok(x) => x
                .tables
                .iter()
                .map(|t| (slots(t), t.n_rows, t.n_cols))
                .collect(),
            Err(e) => {
                eprintln!("{file}: extraction failed: {e}");
                Vec::new()
            }
        };
    let mut used = vec![false; got.len()];
    want.into_iter()
        .enumerate()
        .map(|(index, t)| {
            let best = (0..got.len())
                .filter(|&j| !used[j])
                .map(|j| (exact_count(&t.cells, &got[j].0), j))
                .max_by_key(|&(n, j)| (n, std::cmp::Reverse(j)));
            let (exact, d) = match best {
                Some((n, j)) if n > 0 => {
                    used[j] = true;
                    let mut d = diff(&t.cells, &got[j].0);
                    let size = (
                        t.cells.iter().map(|c| c.0 + c.2).max().unwrap_or(0),
                        t.cells.iter().map(|c| c.1 + c.3).max().unwrap_or(0),
                    );
                    if n < t.cells.len() && size != (got[j].1, got[j].2) {
                        d.insert(
                            0,
                            format!(
                                "size: want {}×{}, got {}×{} (extracted table {j})",
                                size.0, size.1, got[j].1, got[j].2
                            ),
                        );
                    }
                    (n, d)
                }
                _ => (
                    0,
                    vec![format!(
                        "no extracted table matches ({} extracted)",
                        got.len()
                    )],
                ),
            };
            Scored {
                file: file.clone(),
                index,
                tags: t.tags,
                cells: t.cells.len(),
                exact,
                diff: if exact == t.cells.len() {
                    Vec::new()
                } else {
                    d
                },
            }
        })
        .collect()
}

fn score_dir(dir: &Path) -> Vec<Scored> {
    let mut pdfs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    pdfs.sort();
    pdfs.par_iter()
        .map(|p| score_pdf(p))
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect()
}

/// (tables, tables exact, cells, cells exact) of `scored`.
fn totals<'a>(scored: impl IntoIterator<Item = &'a Scored>) -> (usize, usize, usize, usize) {
    scored.into_iter().fold((0, 0, 0, 0), |(t, te, c, ce), s| {
        (
            t + 1,
            te + usize::from(s.exact == s.cells),
            c + s.cells,
            ce + s.exact,
        )
    })
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        100.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

fn line(name: &str, (t, te, c, ce): (usize, usize, usize, usize)) -> String {
    format!(
        "{name:<34} {t:>6} {te:>6} {:>6.1}% {c:>7} {ce:>7} {:>7.2}%",
        percent(te, t),
        percent(ce, c)
    )
}

/// The figures overall (ruled and partially ruled apart) and by every tag's values.
fn report(scored: &[Scored]) -> String {
    let mut out = String::new();
    let head = format!(
        "{:<34} {:>6} {:>6} {:>7} {:>7} {:>7} {:>8}",
        "", "tables", "exact", "", "cells", "exact", ""
    );
    writeln!(out, "{head}").unwrap();
    let ruled: Vec<&Scored> = scored.iter().filter(|s| !s.partial()).collect();
    let partial: Vec<&Scored> = scored.iter().filter(|s| s.partial()).collect();
    writeln!(out, "{}", line("ALL ruled", totals(ruled.iter().copied()))).unwrap();
    writeln!(
        out,
        "{}",
        line("ALL partially ruled", totals(partial.iter().copied()))
    )
    .unwrap();
    let keys: std::collections::BTreeSet<&String> =
        scored.iter().flat_map(|s| s.tags.keys()).collect();
    for (label, set) in [("ruled", &ruled), ("partial", &partial)] {
        for key in &keys {
            writeln!(out, "-- {label}, by {key}").unwrap();
            let mut values: BTreeMap<&str, Vec<&Scored>> = BTreeMap::new();
            for s in set.iter() {
                values
                    .entry(s.tags.get(*key).map_or("", String::as_str))
                    .or_default()
                    .push(s);
            }
            for (v, group) in values {
                writeln!(out, "{}", line(&format!("  {v}"), totals(group))).unwrap();
            }
        }
    }
    out
}

fn failures(scored: &[Scored]) -> String {
    let mut out = String::new();
    for s in scored.iter().filter(|s| s.exact < s.cells) {
        let tags: Vec<String> = s.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        writeln!(
            out,
            "{} table {}: {}/{} exact [{}]",
            s.file,
            s.index,
            s.exact,
            s.cells,
            tags.join(" ")
        )
        .unwrap();
        for d in &s.diff {
            writeln!(out, "    {d}").unwrap();
        }
    }
    out
}

#[test]
fn committed_random_tables_meet_the_floor() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tablegen");
    let scored = score_dir(&dir);
    assert!(
        scored.len() >= 200,
        "only {} tables under {}",
        scored.len(),
        dir.display()
    );
    println!("{}", report(&scored));
    println!("{}", failures(&scored));
    let (_, _, c, ce) = totals(scored.iter().filter(|s| !s.partial()));
    let (_, _, pc, pce) = totals(scored.iter().filter(|s| s.partial()));
    let (ruled, partial) = (percent(ce, c), percent(pce, pc));
    assert!(
        ruled >= RULED_FLOOR,
        "ruled tables: {ruled:.2}% of cells exact, floor {RULED_FLOOR}%"
    );
    assert!(
        partial >= PARTIAL_FLOOR,
        "partially ruled tables: {partial:.2}% of cells exact, floor {PARTIAL_FLOOR}%"
    );
}

/// Tables of `tests/tablegen-breaks/` (generated like the subset) that a page break cuts
/// through merged cells, as (file, truth table index): each must come out exact. Chromium
/// draws a continued merged cell down to the page edge, with filler boxes beside it, and its
/// part on the next page with a height of its own, not the rows'.
const BREAKS_EXACT: [(&str, usize); 1] = [("s1-0018-chromium.pdf", 2)];

/// Tables of `tests/tablegen-breaks/` from LibreOffice (every side drawn at a page break)
/// whose rows cut by a page break have text on both pages: one row each, their texts joined,
/// because every cell's part on the first page fills its last line (inexact while only a
/// column always filled with text could tell a cut row).
const CUT_ROWS_EXACT: [(&str, usize); 3] = [
    ("s1000-0055-libreoffice.pdf", 3),
    ("s1000-0166-libreoffice.pdf", 1),
    ("s1000-0241-libreoffice.pdf", 1),
];

/// Tables of `tests/tablegen-breaks/` from ReportLab whose parts after a split sit elsewhere
/// across the page than the first (ReportLab centres them): one table each (split into one
/// table per part while a part had to be shifted by less than half its narrowest column).
const SHIFTED_PARTS_EXACT: [(&str, usize); 2] = [
    ("s1000-0158-reportlab.pdf", 1),
    ("s1000-0326-reportlab.pdf", 2),
];

/// Tables of the committed subset, one per producer, whose Latin words wrapped at a space
/// (no space glyph drawn at the line end) must keep the space: inexact before the room a
/// line leaves was measured against the next line's first glyph.
const WRAPS_EXACT: [(&str, usize); 4] = [
    ("s7-0000-chromium.pdf", 2),
    ("s7-0031-libreoffice.pdf", 4),
    ("s7-0044-reportlab.pdf", 2),
    ("s7-0077-reportlab.pdf", 3),
];

/// A Chromium table of the committed subset whose page-2 part has the rows that go on to
/// page 3 drawn again below the page's clip path, where they do not show (they made a second
/// grid on page 2, which took the continuation, while the clip was not tracked).
const CLIPPED_EXACT: [(&str, usize); 1] = [("s7-0069-chromium.pdf", 3)];

/// Asserts that each (file, truth table index) of `dir` comes out exact.
fn assert_exact(dir: &str, tables: &[(&str, usize)]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let scored = score_dir(&dir);
    for (file, index) in tables {
        let s = scored
            .iter()
            .find(|s| s.file == *file && s.index == *index)
            .unwrap_or_else(|| panic!("{file} has no truth table {index}"));
        assert!(
            s.diff.is_empty(),
            "{file} table {index}: {}/{} cells exact\n{}",
            s.exact,
            s.cells,
            s.diff.join("\n")
        );
    }
}

/// Tables of the committed subset drawn without an outer border (rules between the columns
/// and rows only) that must keep their outer columns and rows: not found, or found without
/// them, before open sides were closed.
const OPEN_GRIDS_EXACT: [(&str, usize); 4] = [
    ("s7-0008-reportlab.pdf", 0),
    ("s7-0049-libreoffice.pdf", 0),
    ("s7-0077-reportlab.pdf", 6),
    ("s7-0079-libreoffice.pdf", 3),
];

#[test]
fn merged_cells_cut_by_a_page_break_are_one_cell() {
    assert_exact("tests/tablegen-breaks", &BREAKS_EXACT);
}

#[test]
fn rows_cut_by_a_page_break_with_text_on_both_pages_are_one_row() {
    assert_exact("tests/tablegen-breaks", &CUT_ROWS_EXACT);
}

#[test]
fn parts_of_a_table_placed_elsewhere_across_the_page_are_one_table() {
    assert_exact("tests/tablegen-breaks", &SHIFTED_PARTS_EXACT);
}

#[test]
fn what_the_clip_path_hides_is_no_table() {
    assert_exact("tests/tablegen", &CLIPPED_EXACT);
}

#[test]
fn latin_words_wrapped_at_a_space_keep_it() {
    assert_exact("tests/tablegen", &WRAPS_EXACT);
}

#[test]
fn open_sided_grids_keep_their_outer_columns() {
    assert_exact("tests/tablegen", &OPEN_GRIDS_EXACT);
}

/// Scores the directory named by `JIXIAO_TABLEGEN_DIR`; with `JIXIAO_TABLEGEN_FAILURES=path`
/// also writes every inexact table's differences there.
#[test]
#[ignore = "a report on a generated directory: samples/generator/tablegen/report.sh"]
fn report_on_a_generated_directory() {
    let dir = std::env::var("JIXIAO_TABLEGEN_DIR").expect("set JIXIAO_TABLEGEN_DIR");
    let start = std::time::Instant::now();
    let scored = score_dir(Path::new(&dir));
    println!(
        "{} tables scored in {:.1} s",
        scored.len(),
        start.elapsed().as_secs_f64()
    );
    println!("{}", report(&scored));
    if let Ok(path) = std::env::var("JIXIAO_TABLEGEN_FAILURES") {
        std::fs::write(&path, failures(&scored)).unwrap();
        println!("failures written to {path}");
    }
}

#[test]
fn canonical_text_drops_only_the_spaces_a_line_break_leaves_in_doubt() {
    assert_eq!(canon(" 达到 75% 以上 "), "达到75%以上");
    assert_eq!(canon("Total  revenue"), "Total revenue");
    assert_eq!(canon("１２３"), "123");
    assert_ne!(canon("Butte r"), canon("Butter"));
}
