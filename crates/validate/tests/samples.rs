//! The sample report sets and golden outputs: the seed's arithmetic holds under its own
//! rounding convention, its real oddities come out as warnings, each deliberate anomaly
//! gives its finding, and `validate_all` is deterministic whatever the thread count.

mod common;

use std::collections::BTreeSet;

use common::{data_set, declared_rounding, goldens, of};
use jixiao_normalize::{Report, Severity};
use jixiao_validate::{validate_all, validate_all_on, Check};

/// Validates a whole set as one document; returns (id, record) with findings.
fn validated(file: &str) -> Vec<(String, Report)> {
    let set = data_set(file);
    let ids: Vec<String> = set.iter().map(|(id, _, _)| id.clone()).collect();
    let mut reports: Vec<Report> = set.into_iter().map(|(_, _, r)| r).collect();
    validate_all(&mut reports);
    ids.into_iter().zip(reports).collect()
}

/// Ids of the reports with a finding of `check`, with the indicator names it names (or the
/// field when not an indicator).
fn flagged(reports: &[(String, Report)], check: Check) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (id, r) in reports {
        for f in r.findings.iter().filter(|f| f.code == check.code()) {
            let index = f
                .field
                .strip_prefix("indicators[")
                .and_then(|s| s.split(']').next())
                .and_then(|i| i.parse::<usize>().ok());
            let what = index.map_or_else(|| f.field.clone(), |i| r.indicators[i].name.clone());
            out.insert((id.clone(), what));
        }
    }
    out
}

fn ids_of(set: &BTreeSet<(String, String)>) -> BTreeSet<&str> {
    set.iter().map(|(id, _)| id.as_str()).collect()
}

fn convention(r: &Report) -> &str {
    r.findings
        .iter()
        .find(|f| f.code == Check::RoundingConvention.code())
        .and_then(|f| f.recomputed.as_deref())
        .unwrap()
}

#[test]
fn seed_has_no_errors_under_its_own_convention() {
    let seed = validated("seed-reports");
    assert_eq!(seed.len(), 30);
    for (id, r) in &seed {
        assert_eq!(
            of(&r.findings, Severity::Error),
            Vec::<&jixiao_normalize::Finding>::new(),
            "{id}"
        );
        assert!(
            r.findings
                .iter()
                .all(|f| f.code != Check::RoundingInconsistent.code()),
            "{id}"
        );
        // domain-rules.md §7: 执行率 truncated (half-up fails 8 of 30), 得分 half-up.
        let conv = convention(r);
        assert!(conv.starts_with("rate=truncate; score="), "{id}: {conv}");
        assert!(
            conv.contains("half-up") && !conv.contains("truncate|"),
            "{id}: {conv}"
        );
    }
}

#[test]
fn seed_oddities_are_warnings() {
    let seed = validated("seed-reports");
    // seed-15: the 运维完成率/合格率/响应及时率 targets "=0.00(%)" (actual 0 %) with full marks.
    let zero: BTreeSet<(String, String)> = flagged(&seed, Check::TargetZeroOrBlank);
    let seed15: Vec<&str> = zero
        .iter()
        .filter(|(id, _)| id == "seed-15")
        .map(|(_, n)| n.as_str())
        .collect();
    assert_eq!(
        seed15,
        [
            "应急运维响应及时率",
            "闵行党建管理信息系统硬件运维合格率",
            "闵行党建管理信息系统硬件运维完成率",
            "闵行党建管理信息系统软件运维合格率",
            "闵行党建管理信息系统软件运维完成率",
        ]
    );
    // seed-16 and seed-18: 系统运维制度健全性 with a blank target, scored full. The "≤0.00(次数)"
    // failure counts and "=0.00(件)" complaints are "none allowed" targets, not flagged.
    let others: Vec<&(String, String)> = zero.iter().filter(|(id, _)| id != "seed-15").collect();
    assert_eq!(
        others,
        [
            &("seed-16".to_owned(), "系统运维制度健全性".to_owned()),
            &("seed-18".to_owned(), "系统运维制度健全性".to_owned())
        ]
    );
    // Low execution graded 优: #4 61.59 %, #6 45.62 %, #7 64.06 %, #24 67.75 %.
    assert_eq!(
        ids_of(&flagged(&seed, Check::LowExecutionTopGrade)),
        BTreeSet::from(["seed-04", "seed-06", "seed-07", "seed-24"])
    );
    // 年初 ≠ 全年: #24 (0.00 → 4.00), #26–#29 (domain-rules.md §4).
    assert_eq!(
        ids_of(&flagged(&seed, Check::BudgetAdjusted)),
        BTreeSet::from(["seed-24", "seed-26", "seed-27", "seed-28", "seed-29"])
    );
    // Every printed target the seed reaches is met: no unmet target scored full.
    assert_eq!(
        flagged(&seed, Check::TargetNotMetFullScore),
        BTreeSet::new()
    );
    // All 277 indicators score their full 分值: the only deviations are under-execution,
    // never explained (the seed has no 偏差原因 at all).
    let deviations = flagged(&seed, Check::DeviationUnexplained);
    assert!(deviations
        .iter()
        .all(|(_, field)| field == "funding[0].execution_rate"));
    let under: BTreeSet<&str> = seed
        .iter()
        .filter(|(_, r)| {
            r.funding[0]
                .execution_rate
                .is_some_and(|x| x < rust_decimal::Decimal::ONE_HUNDRED)
        })
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(ids_of(&deviations), under);
    // A measurable target answered only "达成指标": e.g. seed-01 "25 篇", seed-03 "1-2 批次".
    let achieved = flagged(&seed, Check::ActualOnlyAchieved);
    assert!(achieved.contains(&("seed-01".into(), "媒体宣传新闻稿".into())));
    assert!(achieved.contains(&("seed-03".into(), "储备人才招聘批次完成数".into())));
    assert!(
        !achieved
            .iter()
            .any(|(id, name)| id == "seed-01" && name == "创新创业大赛可持续发展"),
        "qualitative target 发展"
    );
}

/// The finding codes a FORMAT.md `expect` code stands for.
fn expected_codes(expect: &str) -> &'static [&'static str] {
    match expect {
        // A rate that fits another convention than the document's is a warning.
        "execution_rate_mismatch" => &["check-execution-rate", "check-rounding-inconsistent"],
        "budget_score_mismatch" => &["check-budget-score"],
        "funding_subrows_sum" => &["check-subrows-sum"],
        "weights_sum_mismatch" => &["check-weights-sum"],
        "total_score_mismatch" => &["check-total-score"],
        "indicator_score_exceeds_weight" => &["check-indicator-score-range"],
        "grade_mismatch" => &["check-grade"],
        "unmet_target_full_score" => &["check-target-not-met-full-score"],
        "missing_deviation_reason" => &["check-deviation-unexplained"],
        other => panic!("unknown expect code {other}"),
    }
}

#[test]
fn each_anomaly_gives_its_finding_and_no_other_error() {
    let set = data_set("synthetic-anomalies");
    assert!(!set.is_empty());
    let expects: Vec<Vec<String>> = set.iter().map(|(_, e, _)| e.clone()).collect();
    let mut reports: Vec<Report> = set.iter().map(|(_, _, r)| r.clone()).collect();
    validate_all(&mut reports);
    for ((id, _, _), (expect, r)) in set.iter().zip(expects.iter().zip(&reports)) {
        assert!(!expect.is_empty(), "{id}");
        let mut wanted = BTreeSet::new();
        for e in expect {
            let codes = expected_codes(e);
            let found: Vec<&str> = r
                .findings
                .iter()
                .map(|f| f.code.as_str())
                .filter(|c| codes.contains(c))
                .collect();
            assert!(
                !found.is_empty(),
                "{id}: {e} not found in {:#?}",
                r.findings
            );
            wanted.extend(found);
        }
        let errors: BTreeSet<&str> = of(&r.findings, Severity::Error)
            .iter()
            .map(|f| f.code.as_str())
            .collect();
        assert!(
            errors.is_subset(&wanted),
            "{id}: unexpected errors {errors:?}, wanted {wanted:?}"
        );
    }
}

#[test]
fn synthetic_sets_without_expect_have_no_errors_and_their_declared_convention() {
    for file in [
        "seed-reports",
        "synthetic-districts",
        "synthetic-putuo-halfup",
        "synthetic-scoring",
        "synthetic-template2021",
        "synthetic-layout",
    ] {
        let (rate, score) = declared_rounding(file);
        for (id, r) in validated(file) {
            assert_eq!(
                of(&r.findings, Severity::Error),
                Vec::<&jixiao_normalize::Finding>::new(),
                "{file} {id}"
            );
            assert!(
                r.findings
                    .iter()
                    .all(|f| f.code != Check::RoundingInconsistent.code()),
                "{file} {id}"
            );
            // The detected sets hold the declared convention (and whatever the data cannot
            // tell apart from it).
            let conv = convention(&r);
            let (detected_rate, detected_score) = conv.split_once("; ").unwrap();
            let holds = |detected: &str, declared: &str| {
                let names = detected.split_once('=').unwrap().1;
                names == "any" || names.split('|').any(|n| n == declared)
            };
            assert!(
                holds(detected_rate, &rate) && holds(detected_score, &score),
                "{file} {id}: {conv} vs {rate}/{score}"
            );
        }
    }
    // The half-up set: its amounts were chosen so that truncation and half-even print other rates.
    let putuo = validated("synthetic-putuo-halfup");
    assert!(putuo
        .iter()
        .all(|(_, r)| convention(r).starts_with("rate=half-up|up;")));
}

#[test]
fn golden_outputs_have_no_errors() {
    let goldens = goldens();
    for (path, output) in goldens {
        if path.to_string_lossy().contains("anomalies") {
            continue;
        }
        let mut reports = output.reports;
        validate_all(&mut reports);
        for r in &reports {
            let errors = of(&r.findings, Severity::Error);
            assert!(
                errors.is_empty(),
                "{} table {}: {errors:#?}",
                path.display(),
                r.source.table
            );
        }
    }
}

#[test]
fn validate_all_is_deterministic_grouped_and_idempotent() {
    // Every set, interleaved so that documents are not contiguous.
    let sets: Vec<Vec<Report>> = [
        "seed-reports",
        "synthetic-anomalies",
        "synthetic-putuo-halfup",
        "synthetic-districts",
    ]
    .iter()
    .map(|f| data_set(f).into_iter().map(|(_, _, r)| r).collect())
    .collect();
    let longest = sets.iter().map(Vec::len).max().unwrap();
    let mut mixed = Vec::new();
    for i in 0..longest {
        for s in &sets {
            if let Some(r) = s.get(i) {
                mixed.push(r.clone());
            }
        }
    }
    let run = |threads: usize, input: &[Report]| {
        let mut reports = input.to_vec();
        validate_all_on(&mut reports, threads).unwrap();
        reports
    };
    let one = run(1, &mixed);
    assert_eq!(one.len(), mixed.len());
    for (a, b) in one.iter().zip(&mixed) {
        assert_eq!(
            (&a.source, &a.project_name),
            (&b.source, &b.project_name),
            "order unchanged"
        );
    }
    assert_eq!(run(2, &mixed), one);
    assert_eq!(run(4, &mixed), one);
    assert_eq!(
        run(2, &one),
        one,
        "re-validation replaces, never duplicates"
    );
    // Same findings as validating each document on its own.
    let separately: Vec<Report> = sets.iter().flat_map(|s| run(1, s)).collect();
    for r in &one {
        let alone = separately.iter().find(|x| x.source == r.source).unwrap();
        assert_eq!(r.findings, alone.findings);
    }
}
