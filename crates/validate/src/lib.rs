//! `jixiao-validate`: report records in, findings out.
//!
//! Input: [`jixiao_normalize::Report`]s. Output: [`jixiao_normalize::Finding`]s — every
//! printed number recomputed with exact decimals under the rounding convention the document
//! follows, each one that does not hold reported with both values. The checks, their codes,
//! severities and sources are listed in `docs/checks.md` (and in [`Check`]).
//!
//! # Use
//! - [`validate_all`] — any set of records (e.g. a `reports.jsonl`): groups them by source
//!   document (`source.sha256`, then `source.file`), validates the documents in parallel on
//!   the current rayon pool and appends the findings to each record, records left in place.
//! - [`validate_all_on`] — the same on a dedicated pool of N threads.
//! - [`validate_document`] — the reports of one source document.
//! - [`detect_convention`] + [`check_report`] — the pieces, for one report at a time.
//! - [`dataset::read_records`] — a `reports.jsonl` read under the published schema, every
//!   violation with its line and JSON path.
//! - [`located_findings`], [`format_findings_table`], [`has_errors`] — what `jixiao validate`
//!   prints: JSONL of [`LocatedFinding`]s or a readable table, exit 1 when [`has_errors`].
//!
//! Validation is idempotent: the validator's own findings (codes `check-*` and
//! `rounding-convention`) are replaced on every run; the normaliser's `parse-*` findings are
//! kept first, in their order. The validator's findings follow, sorted by severity, field
//! (in form order) and code, so output is the same whatever the thread count.

mod checks;
pub mod dataset;
mod rounding;
mod table;

use std::cmp::Ordering;
use std::collections::HashMap;

use jixiao_normalize::{Finding, Report};
use rayon::prelude::*;

pub use checks::{
    check_report, Check, Grade, LOW_EXECUTION_RATE, ONLY_ACHIEVED, TOTAL_ROW, TOTAL_WEIGHT,
};
pub use rounding::{detect_convention, exact_rate, fits, Convention, Rounding, Roundings};
/// The exact decimal type of every amount, rate and score (re-exported for callers).
pub use rust_decimal::Decimal;
pub use table::{format_findings_table, has_errors, located_findings, LocatedFinding};

/// Validates the reports of ONE source document: detects its rounding convention from all
/// its funding rows, then replaces each report's validator findings with a
/// `rounding-convention` info finding and the findings of [`check_report`].
pub fn validate_document(reports: &mut [Report]) {
    let findings = document_findings(&reports.iter().collect::<Vec<_>>());
    for (report, found) in reports.iter_mut().zip(findings) {
        apply(report, found);
    }
}

/// Validates any set of records: groups them by `source.sha256`, then `source.file`, runs
/// [`validate_document`]'s logic on the documents in parallel (on the current rayon pool)
/// and appends the findings; record order is unchanged and the result does not depend on
/// the number of threads.
pub fn validate_all(reports: &mut [Report]) {
    let mut slot: HashMap<(&str, &str), usize> = HashMap::new();
    let mut documents: Vec<Vec<usize>> = Vec::new();
    for (i, r) in reports.iter().enumerate() {
        let next = documents.len();
        let d = *slot
            .entry((r.source.sha256.as_str(), r.source.file.as_str()))
            .or_insert(next);
        if d == next {
            documents.push(Vec::new());
        }
        documents[d].push(i);
    }
    let view: &[Report] = reports;
    let per_document: Vec<Vec<Vec<Finding>>> = documents
        .par_iter()
        .map(|members| document_findings(&members.iter().map(|&i| &view[i]).collect::<Vec<_>>()))
        .collect();
    let mut per_report: Vec<Vec<Finding>> = vec![Vec::new(); reports.len()];
    for (members, found) in documents.iter().zip(per_document) {
        for (&i, f) in members.iter().zip(found) {
            per_report[i] = f;
        }
    }
    reports
        .par_iter_mut()
        .zip(per_report)
        .for_each(|(report, found)| apply(report, found));
}

/// What can go wrong around validation (the checks themselves never fail).
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    /// The rayon pool for [`validate_all_on`] could not be built.
    #[error("cannot start {threads} validation threads: {source}")]
    ThreadPool {
        threads: usize,
        #[source]
        source: rayon::ThreadPoolBuildError,
    },
}

/// [`validate_all`] on a dedicated rayon pool of `threads` threads (0: rayon's default, one
/// per core) — for a `--threads` option and for measuring scaling.
pub fn validate_all_on(reports: &mut [Report], threads: usize) -> Result<(), ValidateError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| ValidateError::ThreadPool { threads, source })?;
    pool.install(|| validate_all(reports));
    Ok(())
}

/// Whether a finding code belongs to the validator (and is replaced on re-validation).
pub fn is_validator_code(code: &str) -> bool {
    Check::from_code(code).is_some()
}

fn document_findings(reports: &[&Report]) -> Vec<Vec<Finding>> {
    let convention = detect_convention(reports.iter().copied());
    let rows: usize = reports.iter().map(|r| r.funding.len()).sum();
    reports
        .iter()
        .map(|report| {
            let mut found = check_report(report, &convention);
            found.push(Check::RoundingConvention.finding(
                "funding".into(),
                None,
                Some(convention.to_string()),
                format!(
                    "document rounds 执行率 by {} and 得分 by {} (detected from its {rows} funding rows)",
                    convention.rate, convention.score
                ),
            ));
            found.sort_by(|a, b| {
                a.severity
                    .cmp(&b.severity)
                    .then_with(|| natural_cmp(&a.field, &b.field))
                    .then_with(|| a.code.cmp(&b.code))
            });
            found
        })
        .collect()
}

fn apply(report: &mut Report, found: Vec<Finding>) {
    report.findings.retain(|f| !is_validator_code(&f.code));
    report.findings.extend(found);
}

/// Field paths in form order: `funding[2]` before `funding[10]`, then `indicators[…]`,
/// `total_weight`, `total_score`, `grade`.
fn natural_cmp(a: &str, b: &str) -> Ordering {
    fn rank(field: &str) -> u8 {
        [
            "funding",
            "indicators",
            "total_weight",
            "total_score",
            "grade",
        ]
        .iter()
        .position(|p| field.starts_with(p))
        .map_or(u8::MAX, |p| p as u8)
    }
    fn chunks(s: &str) -> impl Iterator<Item = &str> {
        let mut rest = s;
        std::iter::from_fn(move || {
            let digit = rest.chars().next()?.is_ascii_digit();
            let end = rest
                .find(|c: char| c.is_ascii_digit() != digit)
                .unwrap_or(rest.len());
            let (head, tail) = rest.split_at(end);
            rest = tail;
            Some(head)
        })
    }
    let number = |c: &str| c.starts_with(|ch: char| ch.is_ascii_digit());
    rank(a).cmp(&rank(b)).then_with(|| {
        let mut xs = chunks(a);
        let mut ys = chunks(b);
        loop {
            let o = match (xs.next(), ys.next()) {
                (None, None) => return Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(x), Some(y)) if number(x) && number(y) => {
                    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
                }
                (Some(x), Some(y)) => x.cmp(y),
            };
            if o != Ordering::Equal {
                return o;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::{natural_cmp, Check};
    use std::cmp::Ordering;

    #[test]
    fn every_check_is_documented_with_its_severity() {
        let doc = include_str!("../../../docs/checks.md");
        for check in Check::ALL {
            let code = format!("`{}`", check.code());
            assert!(doc.contains(&code), "{code} missing from docs/checks.md");
            let severity = format!("{:?}", check.severity()).to_lowercase();
            let row = format!("| {code} | {severity} |");
            let heading = format!("{code} ({severity})");
            let documented = doc
                .lines()
                .any(|l| l.starts_with(&row) || (l.starts_with("## ") && l.ends_with(&heading)));
            assert!(documented, "{code}: severity {severity} not documented");
        }
    }

    #[test]
    fn fields_sort_in_form_order() {
        let mut fields = vec![
            "grade",
            "indicators[10].score",
            "total_score",
            "indicators[2].actual",
            "funding[0].score",
            "funding",
        ];
        fields.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            fields,
            [
                "funding",
                "funding[0].score",
                "indicators[2].actual",
                "indicators[10].score",
                "total_score",
                "grade"
            ]
        );
        assert_eq!(
            natural_cmp("indicators[2].score", "indicators[2].score"),
            Ordering::Equal
        );
    }
}
