//! The findings this crate raises, with their stable codes (documented in `docs/record.md`).

use crate::record::{Finding, Severity};

/// A field's label was not found or its value is blank.
pub const MISSING_FIELD: &str = "parse-missing-field";
/// A whole block (funding, indicators) was not found.
pub const MISSING_BLOCK: &str = "parse-missing-block";
/// No 总分 row.
pub const MISSING_TOTAL: &str = "parse-missing-total";
/// The funding header names no column for a field.
pub const MISSING_FUNDING_COLUMN: &str = "parse-missing-funding-column";
/// A canonical funding row is not printed.
pub const MISSING_FUNDING_ROW: &str = "parse-missing-funding-row";
/// A funding row label outside the vocabulary (kept verbatim).
pub const UNKNOWN_FUNDING_ROW: &str = "parse-unknown-funding-row";
/// The indicator header names no column for a field.
pub const MISSING_INDICATOR_COLUMN: &str = "parse-missing-indicator-column";
/// A header (column or whole header row) printed twice; the first one is used.
pub const DUPLICATE_HEADER: &str = "parse-duplicate-header";
/// A printed number that is not a number.
pub const UNREADABLE_NUMBER: &str = "parse-unreadable-number";
/// A 一级/二级 heading outside the vocabulary (kept verbatim).
pub const UNKNOWN_HEADING: &str = "parse-unknown-heading";
/// An indicator with no 一级/二级 heading printed (inferred when possible).
pub const MISSING_HEADING: &str = "parse-missing-heading";
/// A 二级 heading that belongs to another 一级 than the one printed.
pub const HEADING_MISMATCH: &str = "parse-heading-mismatch";
/// An indicator row without 分值/得分 read as the continuation of the row above.
pub const JOINED_ROW: &str = "parse-joined-row";
/// A later table that is no report but holds report blocks (added to the report before it).
pub const STRAY_TABLE: &str = "parse-stray-table";
/// A value read by OCR with a confidence below [`LOW_CONFIDENCE`].
pub const LOW_OCR_CONFIDENCE: &str = "parse-low-ocr-confidence";

/// OCR confidence below which a value gets a [`LOW_OCR_CONFIDENCE`] finding.
pub const LOW_CONFIDENCE: f32 = 0.8;

/// Builds a finding.
pub fn finding(
    code: &str,
    severity: Severity,
    field: impl Into<String>,
    printed: Option<&str>,
    message: impl Into<String>,
) -> Finding {
    Finding {
        code: code.to_string(),
        severity,
        field: field.into(),
        printed: printed.map(str::to_string),
        recomputed: None,
        message: message.into(),
    }
}
