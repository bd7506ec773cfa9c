//! Pages that carry a form yet gave no report: a loss unless what they hold is known not to
//! be a 自评表.
//!
//! A table that gives no report is skipped on purpose only when it was read well enough to
//! tell: on a degraded scan the grid may come out as fragments whose labels are split over
//! cells or misread, and such a page must not leave its file `ok`. A page no report covers is
//! unread when, of what it holds,
//! - a skipped table holds a block of a report but no whole one
//!   ([`SkippedTable::holds_report_part`]);
//! - the tables show the marks of a 自评表 in their text ([`FORM_MARKS`], at least
//!   [`MIN_FORM_MARKS`] of them) even though they did not fall into cells the reader could
//!   use;
//! - the grids' text was mostly read with low confidence (below [`LOW_CONFIDENCE`], over at
//!   least [`MIN_TEXTS`] texts): nothing tells what they held;
//! - on a page read by OCR where no table was found at all (its rules not seen), at least
//!   [`MIN_FORM_MARKS`] lines are each a label or column header of the form by itself
//!   (项目名称, 主管部门, 总分 …: prose names them inside sentences, a form alone in a cell), or
//!   the lines were mostly read with low confidence.

use std::collections::{BTreeMap, BTreeSet};

use jixiao_extract::{Extraction, PageProblem, ProblemKind, TextLine};

use crate::findings::LOW_CONFIDENCE;
use crate::record::{Report, SkippedTable};
use crate::vocab;

/// Texts that mark a 自评表, each group counted once.
pub const FORM_MARKS: &[&[&str]] = &[
    &["项目名称"],
    &["项目资金", "年度资金总额"],
    &["年度总体目标", "总体目标"],
    &["绩效指标"],
    &["一级指标"],
    &["二级指标"],
    &["三级指标"],
    &["年度指标值"],
    &["实际完成值"],
    &["总分"],
    &["评分等级"],
    &[vocab::OUTPUT],
    &[vocab::BENEFIT],
    &[vocab::SATISFACTION],
];

/// Distinct [`FORM_MARKS`] groups (or label lines) that make a page a report's form: more
/// than a list of projects shows (项目名称 and 评分等级 head the columns of a summary of
/// scores).
pub const MIN_FORM_MARKS: usize = 3;

/// Texts (cells or lines) below which low confidence tells nothing: the columns of the
/// form's smallest block (the funding block's six).
pub const MIN_TEXTS: usize = 6;

/// What a page no report covers holds.
#[derive(Default)]
struct PageHolds<'a> {
    /// Reasons of skipped tables holding report parts.
    report_parts: Vec<String>,
    /// [`FORM_MARKS`] found in the text of its tables.
    marks: BTreeSet<&'static str>,
    /// Texts of its grids (tables of at least 2×2) with their confidence.
    grid_texts: Vec<Option<f32>>,
    /// Its lines, when it was read by OCR and no table was found.
    untabled: Option<&'a [TextLine]>,
}

/// A loss for every page that carries a form from which no report was read (see the
/// module's description), in page order. `reports` and `skipped` are what the document's
/// tables gave.
pub fn unread_pages(
    extraction: &Extraction,
    reports: &[Report],
    skipped: &[SkippedTable],
) -> Vec<PageProblem> {
    let covered: BTreeSet<u32> = reports
        .iter()
        .flat_map(|r| r.source.pages.iter().copied())
        .collect();
    let mut pages: BTreeMap<u32, PageHolds<'_>> = BTreeMap::new();
    for s in skipped {
        let Some(table) = extraction.tables.get(s.table) else {
            continue;
        };
        for &page in s.pages.iter().filter(|p| !covered.contains(p)) {
            let holds = pages.entry(page).or_default();
            if s.holds_report_part {
                holds
                    .report_parts
                    .push(format!("table {}: {}", s.table, s.reason));
            }
            let cells: Vec<_> = table.cells.iter().filter(|c| c.page == page).collect();
            let text: String = cells.iter().map(|c| vocab::key(&c.text)).collect();
            holds.marks.extend(form_marks(&text));
            if table.n_rows >= 2 && table.n_cols >= 2 {
                holds.grid_texts.extend(
                    cells
                        .iter()
                        .filter(|c| !c.text.trim().is_empty())
                        .map(|c| c.confidence),
                );
            }
        }
    }
    for text in &extraction.untabled_text {
        if !covered.contains(&text.page) {
            pages.entry(text.page).or_default().untabled = Some(&text.lines);
        }
    }
    pages
        .into_iter()
        .filter_map(|(page, holds)| {
            let why = why_unread(&holds)?;
            Some(PageProblem::loss(
                page,
                ProblemKind::Table,
                format!("no report read from this page ({why})"),
            ))
        })
        .collect()
}

/// Why a page no report covers is unread; `None` when what it holds is known not to be a
/// 自评表.
fn why_unread(holds: &PageHolds<'_>) -> Option<String> {
    if let Some(first) = holds.report_parts.first() {
        return Some(first.clone());
    }
    if holds.marks.len() >= MIN_FORM_MARKS {
        return Some(format!(
            "its tables show {} but not in cells a report can be read from",
            joined(holds.marks.iter().copied())
        ));
    }
    if let Some((low, n)) = mostly_unsure(&holds.grid_texts) {
        return Some(format!(
            "its grid's text was read with low confidence in {low} of {n} cells"
        ));
    }
    let lines = holds.untabled?;
    let labels: BTreeSet<String> = lines.iter().filter_map(|l| label_line(&l.text)).collect();
    if labels.len() >= MIN_FORM_MARKS {
        return Some(format!(
            "no table found, yet its lines {} are a form's labels",
            joined(labels.iter().map(String::as_str))
        ));
    }
    let confidences: Vec<Option<f32>> = lines.iter().map(|l| l.confidence).collect();
    let (low, n) = mostly_unsure(&confidences)?;
    Some(format!(
        "no table found and its text was read with low confidence in {low} of {n} lines"
    ))
}

fn joined<'a>(texts: impl Iterator<Item = &'a str>) -> String {
    texts.collect::<Vec<_>>().join("、")
}

/// The first text of every [`FORM_MARKS`] group found in `text` (a [`vocab::key`]).
fn form_marks(text: &str) -> impl Iterator<Item = &'static str> + '_ {
    FORM_MARKS
        .iter()
        .filter(|group| group.iter().any(|m| text.contains(m)))
        .map(|group| group[0])
}

/// The line's label key when the line is, by itself, a label or a column header of the form.
fn label_line(line: &str) -> Option<String> {
    let k = vocab::label_key(line);
    (vocab::label(&k).is_some()
        || vocab::indicator_column(&k).is_some()
        || vocab::funding_column(&k).is_some())
    .then_some(k)
}

/// (texts below [`LOW_CONFIDENCE`], texts) when there are at least [`MIN_TEXTS`] and most
/// are below it.
fn mostly_unsure(confidences: &[Option<f32>]) -> Option<(usize, usize)> {
    let low = confidences
        .iter()
        .filter(|c| c.is_some_and(|v| v < LOW_CONFIDENCE))
        .count();
    let n = confidences.len();
    (n >= MIN_TEXTS && low * 2 > n).then_some((low, n))
}
