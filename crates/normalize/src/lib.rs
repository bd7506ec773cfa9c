//! `jixiao-normalize`: logical tables in, typed report records out.
//!
//! Input: the [`jixiao_extract::Table`]s of one document. Output: a [`ParseOutput`] — one
//! [`Report`] per 财政项目支出绩效自评表 recognised by its labels, with numbers as normalised
//! decimal strings, canonical funding-row names and the canonical 一级/二级 indicator
//! hierarchy, plus the count of tables that are not reports. What could not be read becomes
//! a [`Finding`] on the record; a partly readable report is still emitted.
//!
//! Tables are read as grids of labelled regions: label cells are found by their text
//! ([`vocab`]), values are read to their right or under the columns their block's header row
//! names — never by fixed coordinates or column numbers.

pub mod findings;
pub mod grid;
pub mod hierarchy;
pub mod record;
mod report;
pub mod text;
pub mod unread;
pub mod vocab;

pub use record::*;

use jixiao_extract::Extraction;

/// Normalises every table of one document. `sha256` is the document's hash (lower-case hex)
/// for the records' `source`; `source.table` is the table's index among all tables.
pub fn normalize(extraction: &Extraction, sha256: &str) -> ParseOutput {
    let mut reports = Vec::new();
    let mut skipped = Vec::new();
    for (index, table) in extraction.tables.iter().enumerate() {
        let origin = report::Origin {
            file: &extraction.file,
            sha256,
            index,
        };
        let reading = report::read_table(table, &origin);
        if reading.reports.is_empty() {
            let printed = reading.stray.join("、");
            let reason = if reading.stray.is_empty() {
                format!(
                    "not a 自评表: a {}×{} table without its labels",
                    table.n_rows, table.n_cols
                )
            } else {
                format!("holds {printed} but no whole report")
            };
            skipped.push(SkippedTable {
                table: index,
                pages: table.pages.clone(),
                holds_report_part: !reading.stray.is_empty(),
                reason,
            });
            if let (Some(last), false) = (reports.last_mut(), reading.stray.is_empty()) {
                let last: &mut Report = last;
                last.findings.push(findings::finding(
                    findings::STRAY_TABLE,
                    Severity::Warning,
                    "source.table",
                    Some(&printed),
                    format!(
                        "table {index} holds {printed} but no whole report: part of this report \
                         may be in it (a table not joined across a page break)"
                    ),
                ));
            }
        }
        reports.extend(reading.reports);
    }
    let mut problems = extraction.problems.clone();
    problems.extend(unread::unread_pages(extraction, &reports, &skipped));
    // Stable: each page's problems stay in the order they were met.
    problems.sort_by_key(|p| p.page);
    ParseOutput {
        file: extraction.file.clone(),
        reports,
        skipped_tables: skipped.len(),
        skipped,
        problems,
        repairs: extraction.repairs.clone(),
    }
}
