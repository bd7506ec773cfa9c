//! For each check: a correct record, one printed value changed, exactly that finding and
//! nothing else (compared with the findings of the unchanged record).

mod common;

use std::str::FromStr;

use common::codes;
use jixiao_normalize::text::parse_value;
use jixiao_normalize::{Finding, FundingRow, Indicator, Report, Severity, SourceRef};
use jixiao_validate::{validate_document, Check};
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn money(row: &str, budget: &str, executed: &str, rate: &str) -> FundingRow {
    FundingRow {
        row: row.into(),
        initial_budget: Some(d(budget)),
        annual_budget: Some(d(budget)),
        executed: Some(d(executed)),
        weight: None,
        execution_rate: Some(d(rate)),
        score: None,
    }
}

fn indicator(level1: &str, name: &str, target: &str, actual: &str, weight: &str) -> Indicator {
    Indicator {
        level1: level1.into(),
        level2: String::new(),
        name: name.into(),
        target: Some(target.into()),
        actual: Some(actual.into()),
        weight: Some(d(weight)),
        score: Some(d(weight)),
        deviation_reason: String::new(),
        target_parsed: parse_value(target),
        actual_parsed: parse_value(actual),
    }
}

/// A correct report: 100 % executed, every target met, full marks, 总分 100.00 优.
fn clean() -> Report {
    let mut total = money("年度资金总额", "100.00", "100.00", "100.00");
    total.weight = Some(d("10.00"));
    total.score = Some(d("10.00"));
    Report {
        source: SourceRef {
            file: "t.pdf".into(),
            sha256: "t".into(),
            pages: vec![1],
            table: 0,
        },
        title: Some("财政项目支出绩效自评表".into()),
        year: Some(2023),
        project_name: Some("测试项目".into()),
        department: None,
        implementing_unit: None,
        funding: vec![
            total,
            money("当年财政拨款", "80.00", "80.00", "100.00"),
            money("上年结转资金", "20.00", "20.00", "100.00"),
            money("其他资金", "0.00", "0.00", "0.00"),
        ],
        goal_expected: None,
        goal_actual: None,
        indicators: vec![
            indicator("产出指标", "培训人数", "≥100(人)", "120(人)", "30.00"),
            indicator("产出指标", "验收合格率", "=100(%)", "100(%)", "20.00"),
            indicator("效益指标", "机制健全性", "健全", "健全", "20.00"),
            indicator("满意度指标", "服务对象满意度", "≥90(%)", "95(%)", "20.00"),
        ],
        total_weight: Some(d("100.00")),
        total_score: Some(d("100.00")),
        grade: Some("优".into()),
        provenance: Vec::new(),
        findings: Vec::new(),
    }
}

/// `clean()` with `executed` spent of the 100.00 budget (split 80/20 like the budget), every
/// dependent number recomputed (truncated rate, half-up score, 总分), and a 偏差原因 on the
/// first indicator explaining the shortfall.
fn executed(amount: &str) -> Report {
    let mut r = clean();
    let amount = d(amount);
    let rate = (amount * Decimal::ONE_HUNDRED / d("100.00")).trunc_with_scale(2);
    let score = (d("10.00") * amount / d("100.00")).round_dp(2);
    r.funding[0].executed = Some(amount);
    r.funding[0].execution_rate = Some(rate);
    r.funding[0].score = Some(score);
    r.funding[1].executed = Some(amount * d("0.8"));
    r.funding[1].execution_rate = Some(rate);
    r.funding[2].executed = Some(amount * d("0.2"));
    r.funding[2].execution_rate = Some(rate);
    r.total_score = Some(score + d("90.00"));
    r.indicators[0].deviation_reason = "部分培训改为线上, 资金结余".into();
    r
}

fn findings(report: &Report) -> Vec<Finding> {
    let mut reports = vec![report.clone()];
    validate_document(&mut reports);
    reports.remove(0).findings
}

/// Findings of `changed` that `base` does not have; asserts none of `base`'s went away.
/// The `rounding-convention` info is left out: a changed number may change what the
/// document's rows can tell about its convention.
fn added(base: &Report, changed: &Report) -> Vec<Finding> {
    let checks = |r: &Report| {
        findings(r)
            .into_iter()
            .filter(|f| f.code != Check::RoundingConvention.code())
            .collect::<Vec<_>>()
    };
    let before = checks(base);
    let after = checks(changed);
    for f in &before {
        assert!(after.contains(f), "finding lost by the change: {f:?}");
    }
    after.into_iter().filter(|f| !before.contains(f)).collect()
}

/// Asserts the change adds exactly one finding, of `check` on `field`, and returns it.
fn exactly(base: &Report, changed: &Report, check: Check, field: &str) -> Finding {
    let new = added(base, changed);
    assert_eq!(
        codes(&new),
        [(check.code().to_owned(), field.to_owned())],
        "{new:#?}"
    );
    assert_eq!(new[0].severity, check.severity());
    new[0].clone()
}

/// `clean()` with `edit` applied.
fn changed(edit: impl FnOnce(&mut Report)) -> Report {
    let mut r = clean();
    edit(&mut r);
    r
}

/// Asserts `edit` of `clean()` adds exactly one finding, of `check` on `field`, and returns it.
fn change(edit: impl FnOnce(&mut Report), check: Check, field: &str) -> Finding {
    exactly(&clean(), &changed(edit), check, field)
}

/// The printed and recomputed values of a finding.
fn values(f: &Finding) -> (Option<&str>, Option<&str>) {
    (f.printed.as_deref(), f.recomputed.as_deref())
}

/// Sets an indicator's printed 年度指标值 and its parsed form.
fn set_target(ind: &mut Indicator, target: Option<&str>) {
    ind.target = target.map(Into::into);
    ind.target_parsed = target.and_then(parse_value);
}

/// Sets an indicator's printed 实际完成值 and its parsed form.
fn set_actual(ind: &mut Indicator, actual: &str) {
    ind.actual = Some(actual.into());
    ind.actual_parsed = parse_value(actual);
}

#[test]
fn clean_records_have_only_the_convention_finding() {
    for r in [clean(), executed("80.00"), executed("99.52")] {
        let found = findings(&r);
        assert_eq!(
            codes(&found),
            [("rounding-convention".to_owned(), "funding".to_owned())],
            "{found:#?}"
        );
        assert_eq!(found[0].severity, Severity::Info);
    }
}

#[test]
fn execution_rate() {
    let f = change(
        |r| r.funding[0].execution_rate = Some(d("99.99")),
        Check::ExecutionRate,
        "funding[0].execution_rate",
    );
    assert_eq!(values(&f), (Some("99.99"), Some("100.00")));
}

#[test]
fn execution_rate_of_a_zero_budget_row_is_zero() {
    let f = change(
        |r| r.funding[3].execution_rate = Some(d("100.00")),
        Check::ExecutionRate,
        "funding[3].execution_rate",
    );
    assert_eq!(f.recomputed.as_deref(), Some("0.00"));
}

#[test]
fn budget_score() {
    let f = change(
        |r| r.funding[0].score = Some(d("9.00")),
        Check::BudgetScore,
        "funding[0].score",
    );
    assert_eq!(values(&f), (Some("9.00"), Some("10.00")));
}

#[test]
fn budget_score_over_the_weight() {
    // 120 % executed: the score stays capped at the 分数.
    let mut base = clean();
    for row in &mut base.funding[..2] {
        row.executed = row.executed.map(|e| e * d("1.2"));
        row.execution_rate = Some(d("120.00"));
    }
    base.funding[2].executed = Some(d("24.00"));
    base.funding[2].execution_rate = Some(d("120.00"));
    let mut changed = base.clone();
    changed.funding[0].score = Some(d("12.00"));
    let f = exactly(&base, &changed, Check::BudgetScore, "funding[0].score");
    assert_eq!(f.recomputed.as_deref(), Some("10.00"));
}

#[test]
fn subrows_sum() {
    let f = change(
        |r| r.funding[2].initial_budget = Some(d("25.00")),
        Check::SubrowsSum,
        "funding[0].initial_budget",
    );
    assert_eq!(values(&f), (Some("100.00"), Some("105.00")));
}

#[test]
fn indicator_score_range() {
    let f = change(
        |r| r.indicators[1].score = Some(d("25.00")),
        Check::IndicatorScoreRange,
        "indicators[1].score",
    );
    assert_eq!(f.recomputed.as_deref(), Some("20.00"));
    let new = added(
        &clean(),
        &changed(|r| r.indicators[1].score = Some(d("-1.00"))),
    );
    assert!(codes(&new).contains(&(
        Check::IndicatorScoreRange.code().into(),
        "indicators[1].score".into()
    )));
}

#[test]
fn weights_sum() {
    let f = change(
        |r| r.total_weight = Some(d("110.00")),
        Check::WeightsSum,
        "total_weight",
    );
    assert_eq!(f.recomputed.as_deref(), Some("100.00"));
}

#[test]
fn total_score() {
    let f = change(
        |r| r.total_score = Some(d("99.00")),
        Check::TotalScore,
        "total_score",
    );
    assert_eq!(f.recomputed.as_deref(), Some("100.00"));
}

#[test]
fn grade() {
    let f = change(|r| r.grade = Some("良".into()), Check::Grade, "grade");
    assert_eq!(f.recomputed.as_deref(), Some("优"));
}

#[test]
fn grade_bands_are_inclusive_at_90_80_60() {
    for (total, grade) in [
        ("90.00", "优"),
        ("89.99", "良"),
        ("80.00", "良"),
        ("79.99", "中"),
        ("60.00", "中"),
        ("59.99", "差"),
    ] {
        // 总分 = 10.00 + indicator scores: take the missing points off the indicators in turn.
        let mut r = clean();
        let mut lost = d("100.00") - d(total);
        for ind in &mut r.indicators {
            let weight = ind.weight.unwrap();
            let off = lost.min(weight);
            ind.score = Some(weight - off);
            ind.deviation_reason = "未完成".into();
            lost -= off;
        }
        r.total_score = Some(d(total));
        r.grade = Some(grade.into());
        assert_eq!(
            codes(&findings(&r)).len(),
            1,
            "{total} {grade}: {:#?}",
            findings(&r)
        );
        r.grade = Some(if grade == "优" { "良" } else { "优" }.into());
        let f = findings(&r)
            .into_iter()
            .find(|f| f.code == Check::Grade.code())
            .unwrap();
        assert_eq!(f.recomputed.as_deref(), Some(grade));
    }
}

#[test]
fn target_not_met_full_score() {
    change(
        |r| set_actual(&mut r.indicators[0], "90(人)"),
        Check::TargetNotMetFullScore,
        "indicators[0].actual",
    );
}

#[test]
fn target_zero() {
    change(
        |r| {
            set_target(&mut r.indicators[1], Some("=0.00(%)"));
            set_actual(&mut r.indicators[1], "0(%)");
        },
        Check::TargetZeroOrBlank,
        "indicators[1].target",
    );
}

#[test]
fn target_zero_as_an_upper_bound_is_not_flagged() {
    let changed = changed(|r| {
        set_target(&mut r.indicators[0], Some("≤0.00(次数)"));
        set_actual(&mut r.indicators[0], "0(次数)");
    });
    assert_eq!(added(&clean(), &changed), []);
}

#[test]
fn target_blank() {
    change(
        |r| set_target(&mut r.indicators[2], None),
        Check::TargetZeroOrBlank,
        "indicators[2].target",
    );
}

#[test]
fn actual_only_achieved() {
    change(
        |r| set_actual(&mut r.indicators[0], "达成指标"),
        Check::ActualOnlyAchieved,
        "indicators[0].actual",
    );
    // Against a qualitative target "达成指标" is the expected answer.
    let changed = changed(|r| r.indicators[2].actual_parsed = parse_value("达成指标"));
    assert_eq!(added(&clean(), &changed), []);
}

#[test]
fn deviation_unexplained_score() {
    let mut base = clean();
    base.indicators[0].score = Some(d("27.00"));
    base.indicators[0].deviation_reason = "两期培训延期".into();
    base.total_score = Some(d("97.00"));
    let mut changed = base.clone();
    changed.indicators[0].deviation_reason = String::new();
    exactly(
        &base,
        &changed,
        Check::DeviationUnexplained,
        "indicators[0].deviation_reason",
    );
}

#[test]
fn deviation_unexplained_execution() {
    let base = executed("90.00");
    let mut changed = base.clone();
    changed.indicators[0].deviation_reason = String::new();
    exactly(
        &base,
        &changed,
        Check::DeviationUnexplained,
        "funding[0].execution_rate",
    );
}

#[test]
fn budget_adjusted() {
    // Without sub-rows, so that the change does not also break their sum.
    let mut base = clean();
    base.funding.truncate(1);
    let mut changed = base.clone();
    changed.funding[0].initial_budget = Some(d("125.00"));
    let f = exactly(
        &base,
        &changed,
        Check::BudgetAdjusted,
        "funding[0].annual_budget",
    );
    assert!(f.message.contains("80.00 %"), "{}", f.message);
}

#[test]
fn low_execution_top_grade() {
    // 80 % is not low; 79.99 % is (the only input changed is 全年执行数).
    exactly(
        &executed("80.00"),
        &executed("79.99"),
        Check::LowExecutionTopGrade,
        "grade",
    );
}

#[test]
fn rounding_inconsistent() {
    // A document whose rows truncate; one rate printed half-up instead.
    let mut a = clean();
    a.funding = vec![
        money("年度资金总额", "1663.27", "1404.77", "84.45"),
        money("当年财政拨款", "1663.27", "1404.77", "84.45"),
    ];
    a.funding[0].weight = Some(d("10.00"));
    a.funding[0].score = Some(d("8.45"));
    a.indicators[0].deviation_reason = "招聘批次减少".into();
    a.total_score = Some(d("98.45"));
    let mut b = a.clone();
    b.source.table = 1;
    b.funding = vec![
        money("年度资金总额", "3.20", "1.46", "45.62"),
        money("当年财政拨款", "3.20", "1.46", "45.62"),
    ];
    b.funding[0].weight = Some(d("10.00"));
    b.funding[0].score = Some(d("4.56"));
    b.total_score = Some(d("94.56"));
    let document = |b: &Report| {
        let mut reports = vec![a.clone(), b.clone()];
        validate_document(&mut reports);
        reports.remove(1).findings
    };
    let before = document(&b);
    assert!(
        before.iter().all(|f| f.severity != Severity::Error),
        "{before:#?}"
    );
    let convention = before
        .iter()
        .find(|f| f.code == "rounding-convention")
        .unwrap();
    assert_eq!(
        convention.recomputed.as_deref(),
        Some("rate=truncate; score=half-up|half-even")
    );
    let mut changed = b.clone();
    changed.funding[0].execution_rate = Some(d("45.63"));
    let after = document(&changed);
    let new: Vec<Finding> = after.into_iter().filter(|f| !before.contains(f)).collect();
    assert_eq!(
        codes(&new),
        [(
            Check::RoundingInconsistent.code().to_owned(),
            "funding[0].execution_rate".to_owned()
        )]
    );
    assert_eq!(new[0].recomputed.as_deref(), Some("45.62"));
}

#[test]
fn ocr_values_are_named_in_the_message() {
    let mut changed = changed(|r| r.funding[0].execution_rate = Some(d("99.99")));
    changed.findings.push(Finding {
        code: jixiao_normalize::findings::LOW_OCR_CONFIDENCE.into(),
        severity: Severity::Warning,
        field: "funding[0].execution_rate".into(),
        printed: Some("99.99".into()),
        recomputed: None,
        message: "value read by OCR with confidence 0.61".into(),
    });
    let found = findings(&changed);
    assert_eq!(
        found[0].code,
        jixiao_normalize::findings::LOW_OCR_CONFIDENCE,
        "parse findings stay first"
    );
    let f = found
        .iter()
        .find(|f| f.code == Check::ExecutionRate.code())
        .unwrap();
    assert!(f.message.contains("OCR"), "{}", f.message);
}
