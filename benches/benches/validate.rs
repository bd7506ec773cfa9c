//! Benchmark of the validate stage: `validate_all` on 100,000 records on rayon pools of 1
//! and 2 threads (`cargo bench -p jixiao-benches --bench validate`); divan reports
//! records/s ("item/s").
//!
//! The records replicate the shape of the 闵行 2023 seed — documents of 30 reports, four
//! funding rows, 8–14 indicators with the seed's kinds of targets and actuals — with varied
//! amounts: a deterministic generator picks the budgets and execution, and the printed rates
//! (truncated) and scores (half-up) are computed as the seed's producer does, so the
//! arithmetic holds and every check runs to the end. Each iteration re-validates the same
//! records (validation replaces its own findings).

use divan::counter::ItemsCount;
use divan::Bencher;
use jixiao_normalize::text::parse_value;
use jixiao_normalize::{FundingRow, Indicator, Report, SourceRef};
use jixiao_validate::Decimal;

const RECORDS: usize = 100_000;
const REPORTS_PER_DOCUMENT: usize = 30;

/// (一级, 二级, 三级, 年度指标值, 实际完成值) as the seed prints them.
const INDICATORS: [(&str, &str, &str, &str, &str); 14] = [
    (
        "产出指标",
        "数量指标",
        "媒体宣传新闻稿",
        "25 篇",
        "达成指标",
    ),
    (
        "产出指标",
        "数量指标",
        "储备人才招聘批次完成数",
        "1-2 批次",
        "达成指标",
    ),
    (
        "产出指标",
        "数量指标",
        "人才政策宣传资料印制完成数",
        "≥1000.00(份)",
        "1000(份)",
    ),
    (
        "产出指标",
        "质量指标",
        "档案扫描完整率",
        "=100(%)",
        "100(%)",
    ),
    (
        "产出指标",
        "质量指标",
        "闵行党建管理信息系统硬件运维合格率",
        "=0.00(%)",
        "0(%)",
    ),
    (
        "产出指标",
        "时效指标",
        "储备人才培养及时性",
        "100%",
        "达成指标",
    ),
    (
        "产出指标",
        "时效指标",
        "优秀青年骨干培训完成及时率",
        "年底前完成",
        "达成指标",
    ),
    ("产出指标", "成本指标", "成本控制有效性", "有效", "达成指标"),
    (
        "效益指标",
        "社会效益指标",
        "系统重大故障发生数",
        "≤0.00(次数)",
        "0(次数)",
    ),
    (
        "效益指标",
        "社会效益指标",
        "提升管理服务工作效率",
        "提升",
        "达成指标",
    ),
    (
        "效益指标",
        "可持续影响指标",
        "系统运维制度健全性",
        "",
        "达成指标",
    ),
    (
        "效益指标",
        "可持续影响指标",
        "雇员考核完成及时率",
        "100% (2023 年 12 月)",
        "达成指标",
    ),
    (
        "满意度指标",
        "服务对象满意度指标",
        "参赛选手满意度",
        "≥95(%)",
        "95.00(%)",
    ),
    (
        "满意度指标",
        "服务对象满意度指标",
        "领导干部专业化能力培训人数",
        ">95(%)",
        "100.00(%)",
    ),
];

/// A small deterministic generator (64-bit LCG, high bits).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn cents(v: u64) -> Decimal {
    Decimal::new(v as i64, 2)
}

fn two(v: u64) -> Decimal {
    Decimal::new(v as i64 * 100, 2)
}

fn funding_row(row: &str, budget: Decimal, executed: Decimal) -> FundingRow {
    let rate = if budget.is_zero() {
        Decimal::new(0, 2)
    } else {
        (executed * Decimal::ONE_HUNDRED / budget).trunc_with_scale(2)
    };
    FundingRow {
        row: row.into(),
        initial_budget: Some(budget),
        annual_budget: Some(budget),
        executed: Some(executed),
        weight: None,
        execution_rate: Some(rate),
        score: None,
    }
}

fn report(rng: &mut Lcg, document: usize, table: usize) -> Report {
    let budget = cents(100 + rng.below(500_000));
    let executed = cents((budget.mantissa() as u64) * (40 + rng.below(61)) / 100);
    let mut total = funding_row("年度资金总额", budget, executed);
    let score = (Decimal::TEN * executed / budget)
        .round_dp(2)
        .min(Decimal::TEN);
    total.weight = Some(two(10));
    total.score = Some(score);
    let carried = cents(rng.below(budget.mantissa() as u64 / 4 + 1));
    let carried_executed = cents(
        rng.below(carried.mantissa() as u64 + 1)
            .min(executed.mantissa() as u64),
    );
    let mut funding = vec![
        total,
        funding_row(
            "当年财政拨款",
            budget - carried,
            executed - carried_executed,
        ),
        funding_row("上年结转资金", carried, carried_executed),
        funding_row("其他资金", Decimal::new(0, 2), Decimal::new(0, 2)),
    ];
    if rng.below(6) == 0 {
        // 年初 ≠ 全年 (a budget cut during the year), as in seed reports 24 and 26–29.
        let cut = cents(rng.below(10_000));
        for row in &mut funding[..2] {
            row.initial_budget = row.initial_budget.map(|b| b + cut);
        }
    }
    // 90 points over 8–14 indicators in steps of 5, full marks as in the seed.
    let count = 8 + rng.below(7) as usize;
    let mut weights = vec![5u64; count];
    let mut left = 90 - 5 * count as u64;
    while left > 0 {
        weights[rng.below(count as u64) as usize] += 5;
        left -= 5;
    }
    let first = rng.below(INDICATORS.len() as u64) as usize;
    let indicators = weights
        .iter()
        .enumerate()
        .map(|(i, &w)| {
            let (level1, level2, name, target, actual) = INDICATORS[(first + i) % INDICATORS.len()];
            Indicator {
                level1: level1.into(),
                level2: level2.into(),
                name: name.into(),
                target: (!target.is_empty()).then(|| target.to_owned()),
                actual: Some(actual.into()),
                weight: Some(two(w)),
                score: Some(two(w)),
                deviation_reason: String::new(),
                target_parsed: parse_value(target),
                actual_parsed: parse_value(actual),
            }
        })
        .collect();
    Report {
        source: SourceRef {
            file: format!("bench/{document:05}.pdf"),
            sha256: format!("{document:064x}"),
            pages: vec![table as u32 + 1],
            table,
        },
        title: Some("财政项目支出绩效自评表".into()),
        year: Some(2023),
        project_name: Some(format!("项目 {document}-{table}")),
        department: Some("中共上海市闵行区委组织部(汇总)".into()),
        implementing_unit: Some("中共上海市闵行区委组织部".into()),
        funding,
        goal_expected: None,
        goal_actual: None,
        indicators,
        total_weight: Some(two(100)),
        total_score: Some(score + two(90)),
        grade: Some("优".into()),
        provenance: Vec::new(),
        findings: Vec::new(),
    }
}

fn records() -> Vec<Report> {
    let mut rng = Lcg(0x5eed);
    (0..RECORDS)
        .map(|i| report(&mut rng, i / REPORTS_PER_DOCUMENT, i % REPORTS_PER_DOCUMENT))
        .collect()
}

#[divan::bench(args = [1, 2], sample_count = 5, sample_size = 1)]
fn validate_all_100k(bencher: Bencher, threads: usize) {
    let mut reports = records();
    jixiao_validate::validate_all_on(&mut reports, threads).expect("rayon pool");
    assert!(
        !jixiao_validate::has_errors(&reports),
        "generated records must validate cleanly"
    );
    bencher.counter(ItemsCount::new(RECORDS)).bench_local(|| {
        jixiao_validate::validate_all_on(&mut reports, threads).expect("rayon pool")
    });
}

fn main() {
    divan::main();
}
