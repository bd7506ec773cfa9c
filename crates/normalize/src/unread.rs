//! Pages that carry a table yet gave no report: a loss unless the table is known not to be a
//! 自评表.
//!
//! A table that gives no report is skipped on purpose only when it was read well enough to
//! tell: on a degraded scan the grid may come out as fragments whose labels are split over
//! cells or misread, and such a page must not leave its file `ok`. A page no report covers is
//! unread when one of its tables
//! - holds a block of a report but no whole one ([`SkippedTable::holds_report_part`]);
//! - shows the marks of a 自评表 in its text ([`FORM_MARKS`]: labels, column headers,
//!   indicator headings, at least [`MIN_FORM_MARKS`] of them) even though they did not fall
//!   into cells the reader could use;
//! - is a grid whose text was mostly read with low confidence (below [`LOW_CONFIDENCE`]):
//!   nothing tells what it held.
//!
//! A page read by OCR on which no table was found at all (its rules not seen) is unread when
//! [`MIN_FORM_MARKS`] of its lines are each a label or column header of the form by itself
//! (项目名称, 主管部门, 总分 …): prose names them inside sentences, a form alone in a cell.

use std::collections::BTreeSet;

use jixiao_extract::{Extraction, PageProblem, ProblemKind, Table};

use crate::findings::LOW_CONFIDENCE;
use crate::record::{Report, SkippedTable};
use crate::vocab;

/// Texts that mark a 自评表, each group counted once: a table showing
/// [`MIN_FORM_MARKS`] groups is a report's form, whatever its cells.
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

/// Distinct [`FORM_MARKS`] groups that make a table a report's form: more than a list of
/// projects shows (项目名称 and 评分等级 head the columns of a summary of scores).
pub const MIN_FORM_MARKS: usize = 3;

/// A loss for every page that carries a table from which no report was read (see the
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
    let mut unread: Vec<(u32, String)> = Vec::new();
    for s in skipped {
        let Some(table) = extraction.tables.get(s.table) else {
            continue;
        };
        let Some(why) = why_unread(table, s) else {
            continue;
        };
        for &page in &s.pages {
            if !covered.contains(&page) && !unread.iter().any(|(p, _)| *p == page) {
                unread.push((page, format!("table {}: {why}", s.table)));
            }
        }
    }
    for text in &extraction.untabled_text {
        if covered.contains(&text.page) || unread.iter().any(|(p, _)| *p == text.page) {
            continue;
        }
        let labels = label_lines(&text.lines);
        if labels.len() >= MIN_FORM_MARKS {
            unread.push((
                text.page,
                format!(
                    "no table found, yet its lines {} are a form's labels",
                    labels.into_iter().collect::<Vec<_>>().join("、")
                ),
            ));
        }
    }
    unread.sort_by_key(|(p, _)| *p);
    unread
        .into_iter()
        .map(|(page, why)| {
            PageProblem::loss(
                page,
                ProblemKind::Table,
                format!("no report read from this page ({why})"),
            )
        })
        .collect()
}

/// Why a table that gave no report leaves its pages unread; `None` when it is known not to
/// be a 自评表.
fn why_unread(table: &Table, skipped: &SkippedTable) -> Option<String> {
    if skipped.holds_report_part {
        return Some(skipped.reason.clone());
    }
    let marks = form_marks(table);
    if marks.len() >= MIN_FORM_MARKS {
        return Some(format!(
            "it shows {} but not in cells a report can be read from",
            marks.join("、")
        ));
    }
    let (low, read) = low_confidence_cells(table);
    (table.n_rows >= 2 && table.n_cols >= 2 && low * 2 > read).then(|| {
        format!(
            "a {}×{} grid whose text was read with low confidence in {low} of {read} cells",
            table.n_rows, table.n_cols
        )
    })
}

/// The first text of every [`FORM_MARKS`] group found in the table's cells.
fn form_marks(table: &Table) -> Vec<&'static str> {
    let text: String = table.cells.iter().map(|c| vocab::key(&c.text)).collect();
    FORM_MARKS
        .iter()
        .filter(|group| group.iter().any(|m| text.contains(m)))
        .map(|group| group[0])
        .collect()
}

/// The distinct lines that are, each by itself, a label or a column header of the form.
fn label_lines(lines: &[String]) -> BTreeSet<String> {
    lines
        .iter()
        .map(|l| vocab::label_key(l))
        .filter(|k| {
            vocab::label(k).is_some()
                || vocab::indicator_column(k).is_some()
                || vocab::funding_column(k).is_some()
        })
        .collect()
}

/// (cells whose text OCR read with a confidence below [`LOW_CONFIDENCE`], cells with text).
fn low_confidence_cells(table: &Table) -> (usize, usize) {
    let read: Vec<_> = table
        .cells
        .iter()
        .filter(|c| !c.text.trim().is_empty())
        .collect();
    let low = read
        .iter()
        .filter(|c| c.confidence.is_some_and(|v| v < LOW_CONFIDENCE))
        .count();
    (low, read.len())
}
