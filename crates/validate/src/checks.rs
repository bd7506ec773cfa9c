//! The checks of one report under its document's rounding convention.
//!
//! A number that fails its own check is replaced by its recomputed value wherever it feeds
//! another check (an out-of-range 得分 by the nearest bound, a wrong budget 得分 or 总分 by
//! its recomputation), so one wrong printed number gives one finding.

use jixiao_normalize::findings::LOW_OCR_CONFIDENCE;
use jixiao_normalize::{Comparison, Finding, FundingRow, Indicator, ParsedValue, Report, Severity};
use rust_decimal::Decimal;

use crate::rounding::{
    exact_rate, fits, rate_accepted, score_bases, Convention, Rounding, Roundings,
};

/// Canonical name of the funding row that carries the 分数 and 得分.
pub const TOTAL_ROW: &str = "年度资金总额";
/// 执行率 (percent) below which a grade of 优 is flagged: the execution alone would not
/// reach the 良 band.
pub const LOW_EXECUTION_RATE: Decimal = Decimal::from_parts(80, 0, 0, false, 0);
/// The total weight of a report (财预〔2020〕10号: 100 points).
pub const TOTAL_WEIGHT: Decimal = Decimal::ONE_HUNDRED;
/// The qualitative 实际完成值 that states no measured value.
pub const ONLY_ACHIEVED: &str = "达成指标";

/// Every check the validator runs; codes are stable and documented in `docs/checks.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Check {
    /// 执行率 = 全年执行数 / 全年预算数 × 100 (0 when the budget is 0).
    ExecutionRate,
    /// Budget 得分 = 分数 × 执行率, capped at 分数.
    BudgetScore,
    /// Sub-rows sum to 年度资金总额 in each money column.
    SubrowsSum,
    /// 0 ≤ indicator 得分 ≤ 分值.
    IndicatorScoreRange,
    /// Σ indicator 分值 + 分数 = total weight = [`TOTAL_WEIGHT`].
    WeightsSum,
    /// 总分 = budget 得分 + Σ indicator 得分.
    TotalScore,
    /// 评分等级 matches 总分.
    Grade,
    /// A rate or score that fits a rounding convention, but not the document's.
    RoundingInconsistent,
    /// A quantitative target not met by its actual, scored full.
    TargetNotMetFullScore,
    /// A target that is blank, or zero where zero asks for nothing.
    TargetZeroOrBlank,
    /// A measurable target answered only with "达成指标".
    ActualOnlyAchieved,
    /// A deviation (score below weight, execution below 100 %) with no 偏差原因.
    DeviationUnexplained,
    /// 年初预算数 ≠ 全年预算数.
    BudgetAdjusted,
    /// 执行率 below [`LOW_EXECUTION_RATE`] with grade 优.
    LowExecutionTopGrade,
    /// The document's detected rounding convention (one per report).
    RoundingConvention,
}

impl Check {
    /// Every check, in documentation order.
    pub const ALL: [Check; 15] = [
        Check::ExecutionRate,
        Check::BudgetScore,
        Check::SubrowsSum,
        Check::IndicatorScoreRange,
        Check::WeightsSum,
        Check::TotalScore,
        Check::Grade,
        Check::RoundingInconsistent,
        Check::TargetNotMetFullScore,
        Check::TargetZeroOrBlank,
        Check::ActualOnlyAchieved,
        Check::DeviationUnexplained,
        Check::BudgetAdjusted,
        Check::LowExecutionTopGrade,
        Check::RoundingConvention,
    ];

    /// The stable finding code.
    pub fn code(self) -> &'static str {
        match self {
            Check::ExecutionRate => "check-execution-rate",
            Check::BudgetScore => "check-budget-score",
            Check::SubrowsSum => "check-subrows-sum",
            Check::IndicatorScoreRange => "check-indicator-score-range",
            Check::WeightsSum => "check-weights-sum",
            Check::TotalScore => "check-total-score",
            Check::Grade => "check-grade",
            Check::RoundingInconsistent => "check-rounding-inconsistent",
            Check::TargetNotMetFullScore => "check-target-not-met-full-score",
            Check::TargetZeroOrBlank => "check-target-zero-or-blank",
            Check::ActualOnlyAchieved => "check-actual-only-achieved",
            Check::DeviationUnexplained => "check-deviation-unexplained",
            Check::BudgetAdjusted => "check-budget-adjusted",
            Check::LowExecutionTopGrade => "check-low-execution-top-grade",
            Check::RoundingConvention => "rounding-convention",
        }
    }

    /// The severity of every finding of this check.
    pub fn severity(self) -> Severity {
        match self {
            Check::ExecutionRate
            | Check::BudgetScore
            | Check::SubrowsSum
            | Check::IndicatorScoreRange
            | Check::WeightsSum
            | Check::TotalScore
            | Check::Grade => Severity::Error,
            Check::RoundingInconsistent
            | Check::TargetNotMetFullScore
            | Check::TargetZeroOrBlank
            | Check::ActualOnlyAchieved
            | Check::DeviationUnexplained
            | Check::LowExecutionTopGrade => Severity::Warning,
            Check::BudgetAdjusted | Check::RoundingConvention => Severity::Info,
        }
    }

    /// The check whose finding carries `code`, if it is one of the validator's.
    pub fn from_code(code: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|c| c.code() == code)
    }

    /// Builds a finding of this check.
    pub fn finding(
        self,
        field: String,
        printed: Option<String>,
        recomputed: Option<String>,
        message: String,
    ) -> Finding {
        Finding {
            code: self.code().to_owned(),
            severity: self.severity(),
            field,
            printed,
            recomputed,
            message,
        }
    }
}

/// The grade bands of 财预〔2020〕10号: 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grade {
    /// 优 (90–100).
    Excellent,
    /// 良 (80–<90).
    Good,
    /// 中 (60–<80).
    Fair,
    /// 差 (<60).
    Poor,
}

impl Grade {
    /// The band of a 总分.
    pub fn of_total(total: Decimal) -> Grade {
        if total >= Decimal::from(90) {
            Grade::Excellent
        } else if total >= Decimal::from(80) {
            Grade::Good
        } else if total >= Decimal::from(60) {
            Grade::Fair
        } else {
            Grade::Poor
        }
    }

    /// Reads a printed 评分等级 (优/优秀, 良/良好, 中/中等, 差/较差).
    pub fn parse(printed: &str) -> Option<Grade> {
        match printed.trim() {
            "优" | "优秀" => Some(Grade::Excellent),
            "良" | "良好" => Some(Grade::Good),
            "中" | "中等" => Some(Grade::Fair),
            "差" | "较差" => Some(Grade::Poor),
            _ => None,
        }
    }

    /// The one-character grade word.
    pub fn word(self) -> &'static str {
        match self {
            Grade::Excellent => "优",
            Grade::Good => "良",
            Grade::Fair => "中",
            Grade::Poor => "差",
        }
    }
}

/// Runs every `check-*` check on one report under `convention` (the `rounding-convention`
/// finding itself is added by [`crate::validate_document`]). Findings come in check order;
/// a check whose inputs are missing (null) is skipped — the normaliser reports those.
pub fn check_report(report: &Report, convention: &Convention) -> Vec<Finding> {
    let mut cx = Cx {
        report,
        out: Vec::new(),
    };
    let total_row = report.funding.iter().position(|r| r.row == TOTAL_ROW);
    let mut budget_score = None;
    for (i, row) in report.funding.iter().enumerate() {
        let score = cx.funding_row(i, row, convention);
        if Some(i) == total_row {
            budget_score = score;
        }
    }
    if let Some(t) = total_row {
        cx.subrows_sum(t);
        cx.budget_adjusted(t);
    }
    let scores: Vec<Option<Decimal>> = report
        .indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| cx.indicator(i, ind))
        .collect();
    cx.weights_sum(total_row);
    let total = cx.total_score(total_row, budget_score, &scores);
    cx.grade(total);
    if let Some(t) = total_row {
        cx.execution_substance(t);
    }
    cx.out
}

struct Cx<'a> {
    report: &'a Report,
    out: Vec<Finding>,
}

fn show(v: Option<Decimal>) -> Option<String> {
    v.map(|d| d.to_string())
}

fn sum(values: impl IntoIterator<Item = Option<Decimal>>) -> Option<Decimal> {
    values
        .into_iter()
        .try_fold(Decimal::ZERO, |acc, v| acc.checked_add(v?))
}

fn parsed_text(v: &ParsedValue) -> Option<&str> {
    match v {
        ParsedValue::Qualitative { text } => Some(text),
        _ => None,
    }
}

impl Cx<'_> {
    fn emit(
        &mut self,
        check: Check,
        field: String,
        printed: Option<String>,
        recomputed: Option<String>,
        message: String,
    ) {
        let ocr = self
            .report
            .findings
            .iter()
            .any(|f| f.code == LOW_OCR_CONFIDENCE && f.field == field);
        let message = if ocr {
            format!("{message} (printed value read by OCR, low confidence)")
        } else {
            message
        };
        self.out
            .push(check.finding(field, printed, recomputed, message));
    }

    /// One rounded quantity (a rate or a budget score): error when it fits no convention,
    /// warning when it fits another convention than the document's. Returns the value other
    /// checks should use: the printed one when accepted, else the recomputed one.
    #[allow(clippy::too_many_arguments)]
    fn rounded(
        &mut self,
        check: Check,
        field: String,
        label: &str,
        printed: Decimal,
        bases: &[Decimal],
        cap: Option<Decimal>,
        allowed: Roundings,
    ) -> Decimal {
        let fit = fits(printed, bases, cap);
        if fit.intersects(allowed) {
            return printed;
        }
        let rounding = allowed.preferred().unwrap_or(Rounding::HalfUp);
        let recomputed = bases.first().map_or(printed, |&b| {
            let v = rounding.apply(b, printed.scale());
            cap.map_or(v, |c| v.min(c))
        });
        if fit.is_empty() {
            let message =
                format!("{label} printed {printed}, recomputed {recomputed} ({}); fits no rounding convention", rounding.name());
            self.emit(
                check,
                field,
                Some(printed.to_string()),
                Some(recomputed.to_string()),
                message,
            );
        } else {
            let message = format!(
                "{label} {printed} fits {fit}, but this document rounds {allowed} ({recomputed})"
            );
            self.emit(
                Check::RoundingInconsistent,
                field,
                Some(printed.to_string()),
                Some(recomputed.to_string()),
                message,
            );
        }
        recomputed
    }

    /// 执行率 and 得分 of one funding row; returns the row's usable 得分.
    fn funding_row(
        &mut self,
        i: usize,
        row: &FundingRow,
        convention: &Convention,
    ) -> Option<Decimal> {
        let zero_budget = row.annual_budget.is_some_and(|a| a.is_zero());
        if let (Some(printed), Some(exact)) = (row.execution_rate, exact_rate(row)) {
            let allowed = if zero_budget {
                Roundings::ALL
            } else {
                convention.rate
            };
            let label = format!(
                "执行率 = {} / {} × 100:",
                show_opt(row.executed),
                show_opt(row.annual_budget)
            );
            self.rounded(
                Check::ExecutionRate,
                format!("funding[{i}].execution_rate"),
                &label,
                printed,
                &[exact],
                None,
                allowed,
            );
        }
        let printed = row.score?;
        let bases = score_bases(row, rate_accepted(row, convention));
        if bases.is_empty() {
            return Some(printed);
        }
        let allowed = if zero_budget {
            Roundings::ALL
        } else {
            convention.score
        };
        let label = format!("得分 = {} × 执行率 (capped):", show_opt(row.weight));
        Some(self.rounded(
            Check::BudgetScore,
            format!("funding[{i}].score"),
            &label,
            printed,
            &bases,
            row.weight,
            allowed,
        ))
    }

    fn subrows_sum(&mut self, t: usize) {
        let rows = &self.report.funding;
        if rows.len() < 2 {
            return;
        }
        type Column = (
            &'static str,
            &'static str,
            fn(&FundingRow) -> Option<Decimal>,
        );
        let columns: [Column; 3] = [
            ("initial_budget", "年初预算数", |r| r.initial_budget),
            ("annual_budget", "全年预算数", |r| r.annual_budget),
            ("executed", "全年执行数", |r| r.executed),
        ];
        for (name, label, get) in columns {
            let Some(total) = get(&rows[t]) else { continue };
            let Some(parts) = sum(rows
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != t)
                .map(|(_, r)| get(r)))
            else {
                continue;
            };
            if parts != total {
                let names: Vec<&str> = rows
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != t)
                    .map(|(_, r)| r.row.as_str())
                    .collect();
                let message = format!(
                    "{label}: {TOTAL_ROW} {total}, but {} sum to {parts}",
                    names.join(" + ")
                );
                self.emit(
                    Check::SubrowsSum,
                    format!("funding[{t}].{name}"),
                    Some(total.to_string()),
                    Some(parts.to_string()),
                    message,
                );
            }
        }
    }

    fn budget_adjusted(&mut self, t: usize) {
        let row = &self.report.funding[t];
        let (Some(initial), Some(annual)) = (row.initial_budget, row.annual_budget) else {
            return;
        };
        if initial == annual {
            return;
        }
        let against_initial = match (row.executed, initial.is_zero()) {
            (Some(executed), false) => executed
                .checked_mul(Decimal::ONE_HUNDRED)
                .and_then(|v| v.checked_div(initial))
                .map(|r| {
                    format!(
                        "; against 年初 the 执行率 would be {} %",
                        Rounding::Truncate.apply(r, 2)
                    )
                }),
            _ => None,
        };
        let message = format!(
            "全年预算数 {annual} differs from 年初预算数 {initial}; 执行率 is computed on 全年{}",
            against_initial.unwrap_or_default()
        );
        self.emit(
            Check::BudgetAdjusted,
            format!("funding[{t}].annual_budget"),
            Some(annual.to_string()),
            Some(initial.to_string()),
            message,
        );
    }

    /// Checks one indicator; returns its usable 得分 (clamped into 0..=分值).
    fn indicator(&mut self, i: usize, ind: &Indicator) -> Option<Decimal> {
        let score = ind.score?;
        let Some(weight) = ind.weight else {
            return Some(score);
        };
        let usable = if score < Decimal::ZERO {
            Decimal::new(0, score.scale())
        } else if score > weight {
            weight
        } else {
            score
        };
        if usable != score {
            let message = format!("得分 {score} outside 0..={weight} (分值)");
            self.emit(
                Check::IndicatorScoreRange,
                format!("indicators[{i}].score"),
                Some(score.to_string()),
                Some(usable.to_string()),
                message,
            );
        }
        if score >= Decimal::ZERO && score < weight && ind.deviation_reason.trim().is_empty() {
            let message = format!("得分 {score} below 分值 {weight} with no 偏差原因分析");
            self.emit(
                Check::DeviationUnexplained,
                format!("indicators[{i}].deviation_reason"),
                Some(score.to_string()),
                None,
                message,
            );
        }
        self.target_checks(i, ind, score == weight && weight > Decimal::ZERO);
        Some(usable)
    }

    fn target_checks(&mut self, i: usize, ind: &Indicator, full: bool) {
        let target = ind.target.as_deref().unwrap_or("");
        match &ind.target_parsed {
            None if ind.target.is_none() => {
                let message = format!(
                    "年度指标值 blank; scored {} of {}",
                    show_opt(ind.score),
                    show_opt(ind.weight)
                );
                self.emit(
                    Check::TargetZeroOrBlank,
                    format!("indicators[{i}].target"),
                    None,
                    None,
                    message,
                );
            }
            Some(ParsedValue::Quantity {
                op, value, unit, ..
            }) if value.is_zero() && zero_asks_nothing(*op, unit.as_deref()) => {
                let message = format!(
                    "年度指标值 {target} asks for nothing; scored {} of {}",
                    show_opt(ind.score),
                    show_opt(ind.weight)
                );
                self.emit(
                    Check::TargetZeroOrBlank,
                    format!("indicators[{i}].target"),
                    Some(target.to_owned()),
                    None,
                    message,
                );
            }
            _ => {}
        }
        let (Some(t), Some(a)) = (&ind.target_parsed, &ind.actual_parsed) else {
            return;
        };
        let actual = ind.actual.as_deref().unwrap_or("");
        if parsed_text(a) == Some(ONLY_ACHIEVED) && parsed_text(t).is_none() {
            let message =
                format!("measurable 年度指标值 {target} answered only with \"{ONLY_ACHIEVED}\"");
            self.emit(
                Check::ActualOnlyAchieved,
                format!("indicators[{i}].actual"),
                Some(actual.to_owned()),
                None,
                message,
            );
        }
        if full && meets(t, a) == Some(false) {
            let message = format!(
                "实际完成值 {actual} does not meet 年度指标值 {target}, yet 得分 = 分值 {}",
                show_opt(ind.weight)
            );
            self.emit(
                Check::TargetNotMetFullScore,
                format!("indicators[{i}].actual"),
                Some(actual.to_owned()),
                None,
                message,
            );
        }
    }

    fn weights_sum(&mut self, total_row: Option<usize>) {
        let (Some(printed), Some(t)) = (self.report.total_weight, total_row) else {
            return;
        };
        let budget = self.report.funding[t].weight;
        let Some(recomputed) =
            sum(std::iter::once(budget).chain(self.report.indicators.iter().map(|i| i.weight)))
        else {
            return;
        };
        let message = if recomputed != printed {
            format!(
                "分数 {} + Σ indicator 分值 = {recomputed}, printed total {printed}",
                show_opt(budget)
            )
        } else if printed != TOTAL_WEIGHT {
            format!("weights add up to {printed}, not {TOTAL_WEIGHT}")
        } else {
            return;
        };
        self.emit(
            Check::WeightsSum,
            "total_weight".into(),
            Some(printed.to_string()),
            Some(recomputed.to_string()),
            message,
        );
    }

    /// Checks 总分 against the sum of the printed components, or of the usable ones (a
    /// wrong component counted once); returns the usable 总分 for the grade.
    fn total_score(
        &mut self,
        total_row: Option<usize>,
        budget_score: Option<Decimal>,
        scores: &[Option<Decimal>],
    ) -> Option<Decimal> {
        let printed = self.report.total_score;
        let Some(recomputed) = sum(std::iter::once(budget_score).chain(scores.iter().copied()))
        else {
            return printed;
        };
        let printed = printed?;
        let budget_printed = total_row.and_then(|t| self.report.funding[t].score);
        let as_printed =
            sum(std::iter::once(budget_printed)
                .chain(self.report.indicators.iter().map(|i| i.score)));
        if printed == recomputed || as_printed == Some(printed) {
            return Some(printed);
        }
        let message = format!(
            "budget 得分 {} + Σ indicator 得分 = {recomputed}, printed 总分 {printed}",
            show_opt(budget_score)
        );
        self.emit(
            Check::TotalScore,
            "total_score".into(),
            Some(printed.to_string()),
            Some(recomputed.to_string()),
            message,
        );
        Some(recomputed)
    }

    fn grade(&mut self, total: Option<Decimal>) {
        let (Some(printed), Some(total)) = (self.report.grade.as_deref(), total) else {
            return;
        };
        let Some(grade) = Grade::parse(printed) else {
            return;
        };
        let expected = Grade::of_total(total);
        if grade != expected {
            let message = format!(
                "总分 {total} is in band {} (优 ≥ 90, 良 ≥ 80, 中 ≥ 60), printed {printed}",
                expected.word()
            );
            self.emit(
                Check::Grade,
                "grade".into(),
                Some(printed.to_owned()),
                Some(expected.word().to_owned()),
                message,
            );
        }
    }

    fn execution_substance(&mut self, t: usize) {
        let row = &self.report.funding[t];
        if row.annual_budget.is_none_or(|a| a.is_zero()) {
            return;
        }
        let Some(exact) = exact_rate(row) else { return };
        let shown = Rounding::Truncate.apply(exact, 2);
        let explained = self
            .report
            .indicators
            .iter()
            .any(|i| !i.deviation_reason.trim().is_empty());
        if exact < Decimal::ONE_HUNDRED && !explained {
            let message =
                format!("执行率 {shown} % below 100 % and no 偏差原因分析 anywhere in the report");
            self.emit(
                Check::DeviationUnexplained,
                format!("funding[{t}].execution_rate"),
                show(row.execution_rate),
                None,
                message,
            );
        }
        let top = self.report.grade.as_deref().and_then(Grade::parse) == Some(Grade::Excellent);
        if top && exact < LOW_EXECUTION_RATE {
            let message = format!("graded 优 with 执行率 {shown} % (below {LOW_EXECUTION_RATE} %)");
            self.emit(
                Check::LowExecutionTopGrade,
                "grade".into(),
                self.report.grade.clone(),
                None,
                message,
            );
        }
    }
}

fn show_opt(v: Option<Decimal>) -> String {
    v.map_or_else(|| "null".to_owned(), |d| d.to_string())
}

/// Whether a zero target asks for nothing: "≥0", or a rate of 0 % ("=0.00(%)", "0%").
/// "≤0 次", "=0 件", "0 履职事故" are "none allowed" targets and do not count.
fn zero_asks_nothing(op: Option<Comparison>, unit: Option<&str>) -> bool {
    match op {
        Some(Comparison::Ge) => true,
        Some(Comparison::Eq | Comparison::Approx) | None => unit == Some("%"),
        Some(Comparison::Gt | Comparison::Le | Comparison::Lt) => false,
    }
}

/// Whether a quantitative actual meets a quantitative target; `None` when they cannot be
/// compared (qualitative, an actual with its own comparison, "约", different units).
/// "≥", "=", ">" and no comparison are missed by an actual below the target ("=" and none
/// with a zero target: "none allowed", missed by anything above 0); "≤" and "<" by an actual
/// above; a range by an actual below its low end. Exceeding a target is not missing it.
fn meets(target: &ParsedValue, actual: &ParsedValue) -> Option<bool> {
    let ParsedValue::Quantity {
        op: actual_op,
        value: a,
        unit: actual_unit,
        ..
    } = actual
    else {
        return None;
    };
    if !matches!(actual_op, None | Some(Comparison::Eq)) {
        return None;
    }
    let same_unit =
        |unit: &Option<String>| unit.is_none() || actual_unit.is_none() || unit == actual_unit;
    match target {
        ParsedValue::Quantity {
            op, value: t, unit, ..
        } if same_unit(unit) => match op {
            Some(Comparison::Eq) | None if t.is_zero() => Some(a.is_zero()),
            Some(Comparison::Ge | Comparison::Eq) | None => Some(a >= t),
            Some(Comparison::Gt) => Some(a > t),
            Some(Comparison::Le) => Some(a <= t),
            Some(Comparison::Lt) => Some(a < t),
            Some(Comparison::Approx) => None,
        },
        ParsedValue::Range { low, unit, .. } if same_unit(unit) => Some(a >= low),
        _ => None,
    }
}
