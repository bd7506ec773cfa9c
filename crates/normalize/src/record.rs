//! The report record: jixiao's public data contract (see `schema/report.schema.json`).

use jixiao_extract::TextSource;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Where a record came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    /// The file path as given to jixiao.
    pub file: String,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// 1-based pages the report's table covers.
    pub pages: Vec<u32>,
    /// 0-based index of the table among the document's logical tables.
    pub table: usize,
}

/// One row of the 项目资金 block. Amounts are 万元 as printed (normalised), rates in percent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundingRow {
    /// Canonical row name: 年度资金总额, 当年财政拨款, 上年结转资金 or 其他资金 (others verbatim).
    pub row: String,
    pub initial_budget: Option<Decimal>,
    pub annual_budget: Option<Decimal>,
    pub executed: Option<Decimal>,
    /// 分数/分值 of the row (only 年度资金总额 has one).
    pub weight: Option<Decimal>,
    pub execution_rate: Option<Decimal>,
    pub score: Option<Decimal>,
}

/// A comparison printed in front of a target value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparison {
    #[serde(rename = "=")]
    Eq,
    #[serde(rename = "≥")]
    Ge,
    #[serde(rename = "≤")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "约")]
    Approx,
}

/// A parsed 年度指标值 or 实际完成值.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ParsedValue {
    /// A number with an optional comparison and unit: "≥1000.00(份)", "约 30 人", "100%".
    Quantity {
        op: Option<Comparison>,
        value: Decimal,
        unit: Option<String>,
        /// Any trailing remark, e.g. "2023 年 12 月" in "100% (2023 年 12 月)".
        note: Option<String>,
    },
    /// A range such as "1-2 批次".
    Range {
        low: Decimal,
        high: Decimal,
        unit: Option<String>,
    },
    /// A qualitative value: "健全", "达成指标", "及时", "年底前完成".
    Qualitative { text: String },
}

/// One indicator row (三级指标) with its place in the canonical hierarchy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    /// Canonical 一级指标 (产出指标, 效益指标, 满意度指标, 成本指标) or the printed text.
    pub level1: String,
    /// Canonical 二级指标 (数量指标 … 服务对象满意度指标) or the printed text.
    pub level2: String,
    /// 三级指标 as printed (wrapped lines joined).
    pub name: String,
    /// 年度指标值 as printed; `None` when blank.
    pub target: Option<String>,
    /// 实际完成值 as printed; `None` when blank.
    pub actual: Option<String>,
    pub weight: Option<Decimal>,
    pub score: Option<Decimal>,
    /// 偏差原因分析及改进措施 ("" when blank).
    pub deviation_reason: String,
    pub target_parsed: Option<ParsedValue>,
    pub actual_parsed: Option<ParsedValue>,
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// Something noticed about a record: a value that could not be read, or a number that does
/// not recompute. `code` is stable and documented in `docs/checks.md`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: String,
    pub severity: Severity,
    /// Path of the field, e.g. `funding[0].execution_rate`, `indicators[3].score`.
    pub field: String,
    /// The value as printed, when there is one.
    pub printed: Option<String>,
    /// The value recomputed from the other printed numbers, when there is one.
    pub recomputed: Option<String>,
    pub message: String,
}

/// One 财政项目支出绩效自评表.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub source: SourceRef,
    pub title: Option<String>,
    pub year: Option<i32>,
    pub project_name: Option<String>,
    pub department: Option<String>,
    pub implementing_unit: Option<String>,
    pub funding: Vec<FundingRow>,
    pub goal_expected: Option<String>,
    pub goal_actual: Option<String>,
    pub indicators: Vec<Indicator>,
    pub total_weight: Option<Decimal>,
    pub total_score: Option<Decimal>,
    pub grade: Option<String>,
    /// The fields whose text did not come straight from the PDF's text layer, and where it
    /// came from (absent when every field did).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provenance: Vec<FieldSource>,
    #[serde(default)]
    pub findings: Vec<Finding>,
}

/// Where the text of one field came from, when not straight from the PDF's text layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSource {
    /// The field's path in the record, as in findings (`indicators[3].actual`).
    pub field: String,
    /// `font-program` (the embedded font program) or `ocr` (recognised from the page).
    pub text_source: TextSource,
    /// Lowest recogniser confidence of the cell's text (0 to 1, two decimals); OCR only.
    pub confidence: Option<Decimal>,
}

/// A table of a document that gave no report, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedTable {
    /// 0-based index of the table among the document's logical tables.
    pub table: usize,
    /// 1-based pages the table covers.
    pub pages: Vec<u32>,
    /// True when the table holds part of a report (a block such as 项目资金 or 总分) yet no
    /// whole one: something of a report was lost. False for tables that are not 自评表 at all
    /// (covers, lists of projects, other forms), skipped on purpose.
    pub holds_report_part: bool,
    pub reason: String,
}

/// Output of `jixiao parse` for one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseOutput {
    pub file: String,
    pub reports: Vec<Report>,
    /// Tables that are not 自评表 (covers, lists of contents, other forms) or hold no whole one.
    pub skipped_tables: usize,
    /// Each skipped table with its reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedTable>,
    /// What could not be read on the pages (see `jixiao_extract::PageProblem`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<jixiao_extract::PageProblem>,
    /// Damage to the file that was repaired while reading it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repairs: Vec<String>,
}

impl ParseOutput {
    /// True when everything of the file was read: no page lost anything and every skipped
    /// table was skipped on purpose (it holds no part of a report).
    pub fn is_complete(&self) -> bool {
        !self.problems.iter().any(|p| p.is_loss())
            && !self.skipped.iter().any(|t| t.holds_report_part)
    }
}
