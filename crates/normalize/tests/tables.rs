//! Hand-built tables through `normalize`: every heading variant, value form and malformed
//! case named in issue 4.

mod support;

use jixiao_normalize::{normalize, Comparison, ParsedValue, Report, Severity};
use rust_decimal::Decimal;
use std::str::FromStr;
use support::*;

fn one(table: jixiao_extract::Table) -> Report {
    let out = normalize(&extraction(vec![table]), "ab12");
    assert_eq!(out.skipped_tables, 0);
    assert_eq!(out.reports.len(), 1, "{:#?}", out.reports);
    out.reports.into_iter().next().unwrap()
}

fn d(s: &str) -> Option<Decimal> {
    Some(Decimal::from_str(s).unwrap())
}

fn codes(r: &Report) -> Vec<(&str, &str)> {
    r.findings
        .iter()
        .map(|f| (f.code.as_str(), f.field.as_str()))
        .collect()
}

fn levels(r: &Report) -> Vec<(&str, &str, &str)> {
    r.indicators
        .iter()
        .map(|i| (i.level1.as_str(), i.level2.as_str(), i.name.as_str()))
        .collect()
}

/// Asserts the report has no findings.
fn assert_no_findings(r: &Report) {
    assert!(r.findings.is_empty(), "{:#?}", r.findings);
}

/// Reads a report with these indicator rows and asserts their (一级, 二级, 三级).
fn read_levels(indicators: &[&str], expected: &[(&str, &str, &str)]) -> Report {
    let r = one(report(indicators));
    assert_eq!(levels(&r), expected);
    r
}

/// Reads `head`, the indicator header, `SEED_ONE` and `TAIL` as one report.
fn seed_with_head(mut head: Vec<&str>) -> Report {
    head.push(IND_HEADER);
    head.extend_from_slice(SEED_ONE);
    head.extend_from_slice(TAIL);
    one(table(CAPTION, &head))
}

const SEED_ONE: &[&str] = &[
    "产出指标 | 数量指标 | 媒体宣传新闻稿 | 25 篇 | 达成指标 | 20.00 | 20.00 | \"\"",
    "^ | 质量指标 | 活动宣传培训 | 3 场 | 达成指标 | 20.00 | 20.00 | \"\"",
    "效益指标 | 可持续影响指标 | 创新创业大赛可持续发展 | 发展 | 达成指标 | 20.00 | 20.00 | \"\"",
    "满意度指标 | 服务对象满意度指标 | 参赛选手满意度 | =95(%) | 95.00(%) | 30.00 | 30.00 | \"\"",
];

#[test]
fn seed_report_one_reads_completely() {
    let r = one(report(SEED_ONE));
    assert_eq!(r.source.file, "test.pdf");
    assert_eq!(r.source.sha256, "ab12");
    assert_eq!(r.source.pages, vec![1]);
    assert_eq!(r.source.table, 0);
    assert_eq!(r.title.as_deref(), Some("财政项目支出绩效自评表"));
    assert_eq!(r.year, Some(2023));
    assert_eq!(
        r.project_name.as_deref(),
        Some("闵行区创新创业大赛专项经费")
    );
    assert_eq!(r.department.as_deref(), Some("中共上海闵行区组织部(汇总)"));
    assert_eq!(r.implementing_unit.as_deref(), Some("中共上海闵行区组织部"));
    let rows: Vec<_> = r.funding.iter().map(|f| f.row.as_str()).collect();
    assert_eq!(
        rows,
        ["年度资金总额", "当年财政拨款", "上年结转资金", "其他资金"]
    );
    let total = &r.funding[0];
    assert_eq!(
        (
            total.initial_budget,
            total.annual_budget,
            total.executed,
            total.weight,
            total.execution_rate,
            total.score
        ),
        (
            d("50.00"),
            d("50.00"),
            d("49.52"),
            d("10.00"),
            d("99.04"),
            d("9.90")
        )
    );
    assert_eq!(
        (
            r.funding[1].weight,
            r.funding[1].score,
            r.funding[1].execution_rate
        ),
        (None, None, d("99.04"))
    );
    assert_eq!(r.goal_expected.as_deref(), Some("第一段。\n第二段。"));
    assert_eq!(r.goal_actual.as_deref(), Some("实际完成。"));
    assert_eq!(
        levels(&r),
        [
            ("产出指标", "数量指标", "媒体宣传新闻稿"),
            ("产出指标", "质量指标", "活动宣传培训"),
            ("效益指标", "可持续影响指标", "创新创业大赛可持续发展"),
            ("满意度指标", "服务对象满意度指标", "参赛选手满意度"),
        ]
    );
    let first = &r.indicators[0];
    assert_eq!(first.target.as_deref(), Some("25 篇"));
    assert_eq!(first.actual.as_deref(), Some("达成指标"));
    assert_eq!((first.weight, first.score), (d("20.00"), d("20.00")));
    assert_eq!(first.deviation_reason, "");
    assert_eq!(
        first.target_parsed,
        Some(ParsedValue::Quantity {
            op: None,
            value: Decimal::from(25),
            unit: Some("篇".into()),
            note: None
        })
    );
    assert_eq!(
        first.actual_parsed,
        Some(ParsedValue::Qualitative {
            text: "达成指标".into()
        })
    );
    assert_eq!(
        r.indicators[3].target_parsed,
        Some(ParsedValue::Quantity {
            op: Some(Comparison::Eq),
            value: Decimal::from(95),
            unit: Some("%".into()),
            note: None
        })
    );
    assert_eq!((r.total_weight, r.total_score), (d("100.00"), d("99.90")));
    assert_eq!(r.grade.as_deref(), Some("优"));
    assert_no_findings(&r);
}

#[test]
fn serialises_numbers_as_printed_decimal_strings() {
    let r = one(report(SEED_ONE));
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["funding"][0]["weight"], "10.00");
    assert_eq!(v["funding"][1]["weight"], serde_json::Value::Null);
    assert_eq!(v["total_score"], "99.90");
    assert_eq!(v["indicators"][3]["target_parsed"]["op"], "=");
    assert_eq!(v["indicators"][3]["target_parsed"]["kind"], "quantity");
}

#[test]
fn wrapped_headings_and_thousands_separators() {
    let mut rows: Vec<&str> = HEAD.to_vec();
    rows[3] = "^ | 年度资金总额: | 1,663.27 | 1,663.27 | 1,404.77 | 10.00 | 84.45 | 8.45";
    rows.push("一级 指标 | 二级 指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析 及改进措施");
    rows.extend([
        "产出 指标 | 数量 指标 | 甲 | =100(%) | 100(%) | 30.00 | 30.00 | \"\"",
        "效益 指标 | 可持 续影 响指 标 | 乙 | 健全 | 达成指标 | 30.00 | 30.00 | \"\"",
        "满意 度指 标 | 服务 对象 满意 度指 标 | 丙 | ≥95(%) | 95(%) | 30.00 | 30.00 | \"\"",
    ]);
    rows.extend_from_slice(TAIL);
    let r = one(table(CAPTION, &rows));
    assert_eq!(r.funding[0].initial_budget, d("1663.27"));
    assert_eq!(r.funding[0].executed, d("1404.77"));
    assert_eq!(
        levels(&r),
        [
            ("产出指标", "数量指标", "甲"),
            ("效益指标", "可持续影响指标", "乙"),
            ("满意度指标", "服务对象满意度指标", "丙")
        ]
    );
    assert_no_findings(&r);
}

#[test]
fn headings_cut_by_a_page_break_are_joined() {
    // "满意度指" / "标" and "服务对象" / "满意度指标": merged cells cut in two, the second
    // part on a row of its own with no indicator; "可持续影响指" / "标" likewise.
    let r = read_levels(
        &[
            "产出指标 | 数量指标 | 甲 | 1 | 1 | 30.00 | 30.00 | \"\"",
            "效益指标 | 可持续影响指 | 乙 | 健全 | 达成指标 | 30.00 | 30.00 | \"\"",
            "^ | 标 | \"\" | \"\" | \"\" | \"\" | \"\" | \"\"",
            "满意度指 | 服务对象 | 丙 | ≥95(%) | 95.00(%) | 30.00 | 30.00 | \"\"",
            "标 | 满意度指标 | \"\" | \"\" | \"\" | \"\" | \"\" | \"\"",
        ],
        &[
            ("产出指标", "数量指标", "甲"),
            ("效益指标", "可持续影响指标", "乙"),
            ("满意度指标", "服务对象满意度指标", "丙"),
        ],
    );
    assert_no_findings(&r);
}

#[test]
fn abbreviated_headings() {
    read_levels(
        &[
            "产出指标 | 数量指标 | 甲 | 1 | 1 | 45.00 | 45.00 | \"\"",
            "效益指标 | 社会效益 | 乙 | 有效 | 达成指标 | 25.00 | 25.00 | \"\"",
            "满意度指标 | 服务对象满意度 | 丙 | 满意 | 达成指标 | 10.00 | 10.00 | \"\"",
            "满意度 | 服务对象 | 丁 | 满意 | 达成指标 | 10.00 | 10.00 | \"\"",
        ],
        &[
            ("产出指标", "数量指标", "甲"),
            ("效益指标", "社会效益指标", "乙"),
            ("满意度指标", "服务对象满意度指标", "丙"),
            ("满意度指标", "服务对象满意度指标", "丁"),
        ],
    );
}

#[test]
fn second_level_printed_one_column_off() {
    // Seed report 2: 时效指标 in the 一级 column, 二级 column blank.
    let r = read_levels(
        &[
            "产出指标 | 数量指标 | 甲 | =100(%) | 100(%) | 10.00 | 10.00 | \"\"",
            "^ | 质量指标 | 乙 | =100(%) | 100(%) | 10.00 | 10.00 | \"\"",
            "时效 指标 | \"\" | 丙 | =100(%) | 100(%) | 20.00 | 20.00 | \"\"",
            "^ | ^ | 丁 | 100% | 达成指标 | 10.00 | 10.00 | \"\"",
            "服务对象满意度指标 | \"\" | 戊 | ≥95(%) | 95(%) | 40.00 | 40.00 | \"\"",
        ],
        &[
            ("产出指标", "数量指标", "甲"),
            ("产出指标", "质量指标", "乙"),
            ("产出指标", "时效指标", "丙"),
            ("产出指标", "时效指标", "丁"),
            ("满意度指标", "服务对象满意度指标", "戊"),
        ],
    );
    assert_no_findings(&r);
}

#[test]
fn cost_indicator_in_both_templates() {
    // 2020: 成本指标 printed as a 一级 with no 二级 is the 二级 of 产出指标 (seed report 5).
    read_levels(
        &[
            "产出指标 | 时效指标 | 甲 | 100% | 达成指标 | 40.00 | 40.00 | \"\"",
            "成本 指标 | \"\" | 成本控制有效性 | 有效 | 达成指标 | 20.00 | 20.00 | \"\"",
            "效益指标 | 社会效益指标 | 乙 | 有效 | 达成指标 | 30.00 | 30.00 | \"\"",
        ],
        &[
            ("产出指标", "时效指标", "甲"),
            ("产出指标", "成本指标", "成本控制有效性"),
            ("效益指标", "社会效益指标", "乙"),
        ],
    );
    // 2021+: 成本指标 is a 一级 with 经济/社会/生态环境成本指标.
    let r2021 = read_levels(
        &[
            "产出指标 | 数量指标 | 甲 | 1 | 1 | 40.00 | 40.00 | \"\"",
            "成本指标 | 经济成本指标 | 乙 | ≤50(万元) | 49(万元) | 10.00 | 10.00 | \"\"",
            "^ | 社会成本 | 丙 | 无 | 无 | 10.00 | 10.00 | \"\"",
            "^ | 生态环境成本指标 | 丁 | 无 | 无 | 10.00 | 10.00 | \"\"",
            "效益指标 | 生态效益指标 | 戊 | 有效 | 达成指标 | 20.00 | 20.00 | \"\"",
        ],
        &[
            ("产出指标", "数量指标", "甲"),
            ("成本指标", "经济成本指标", "乙"),
            ("成本指标", "社会成本指标", "丙"),
            ("成本指标", "生态环境成本指标", "丁"),
            ("效益指标", "生态效益指标", "戊"),
        ],
    );
    assert_no_findings(&r2021);
}

#[test]
fn blank_heading_cells_mean_as_above() {
    // A lossy grid: no merged cells, continuation rows blank.
    let r = read_levels(
        &[
            "产出指标 | 数量指标 | 甲 | 1 | 1 | 30.00 | 30.00 | \"\"",
            "\"\" | \"\" | 乙 | 1 | 1 | 10.00 | 10.00 | \"\"",
            "\"\" | 质量指标 | 丙 | 1 | 1 | 10.00 | 10.00 | \"\"",
            "效益指标 | \"\" | 丁 | 1 | 1 | 40.00 | 40.00 | \"\"",
        ],
        &[
            ("产出指标", "数量指标", "甲"),
            ("产出指标", "数量指标", "乙"),
            ("产出指标", "质量指标", "丙"),
            ("效益指标", "", "丁"),
        ],
    );
    assert_eq!(
        codes(&r),
        [("parse-missing-heading", "indicators[3].level2")]
    );
}

#[test]
fn unknown_heading_kept_verbatim_with_a_finding() {
    let r = one(report(&[
        "产出指标 | 数量指标 | 甲 | 1 | 1 | 45.00 | 45.00 | \"\"",
        "创新指标 | 突破 指标 | 乙 | 1 | 1 | 45.00 | 45.00 | \"\"",
    ]));
    assert_eq!(levels(&r)[1], ("创新指标", "突破 指标", "乙"));
    assert_eq!(
        codes(&r),
        [
            ("parse-unknown-heading", "indicators[1].level1"),
            ("parse-unknown-heading", "indicators[1].level2")
        ]
    );
    assert_eq!(r.findings[0].printed.as_deref(), Some("创新指标"));
    assert_eq!(r.findings[0].severity, Severity::Warning);
}

#[test]
fn other_districts_columns_found_by_header_names() {
    // National template: 绩效指标 caption column, 分值 / 本年财政拨款 / 执行率 without (%),
    // funding columns in another order, 项目名称 and 主管部门 on one row.
    let rows = [
        "项目名称 | < | 甲项目 | < | 主管部门 | < | 乙部门 | < | <",
        "实施单位 | < | 丙单位 | < | < | < | < | < | <",
        "项目资金（万元） | \"\" | 全年预算数 | 年初预算数 | 全年执行数 | 执行率 | 分值 | 得分 | \"\"",
        "^ | 年度资金总额 | 20.00 | 18.00 | 19.00 | 95% | 10 | 9.5 | \"\"",
        "^ | 其中：本年财政拨款 | 20.00 | 18.00 | 19.00 | 95% | — | — | \"\"",
        "^ | 上年结转资金 | — | — | — | — | — | — | \"\"",
        "^ | 其他资金 | — | — | — | — | — | — | \"\"",
        "年度总体目标 | 预期目标 | < | < | < | 实际完成情况 | < | < | <",
        "^ | 目标甲 | < | < | < | 完成甲 | < | < | <",
        "绩效指标 | 一级指标 | 二级指标 | 三级指标 | 指标值 | 实际值 | 分值 | 得分 | 偏差原因分析及改进措施",
        "^ | 产出指标(50分) | 数量指标 | 甲 | ≥1000.00(份) | 1000(份) | 50 | 50 | \"\"",
        "^ | 效益指标(30分) | 经济效益指标 | 乙 | 约 30 人 | 30 人 | 30 | 30 | \"\"",
        "^ | 满意度指标(10分) | 服务对象满意度指标 | 丙 | >95(%) | 96% | 10 | 10 | 无",
        "总分 | < | < | < | < | < | 100 | 99.5 | \"\"",
    ];
    let r = one(table(&["项目支出绩效自评表", "（2022年度）"], &rows));
    assert_eq!(r.title.as_deref(), Some("项目支出绩效自评表"));
    assert_eq!(r.year, Some(2022));
    assert_eq!(
        (
            r.project_name.as_deref(),
            r.department.as_deref(),
            r.implementing_unit.as_deref()
        ),
        (Some("甲项目"), Some("乙部门"), Some("丙单位"))
    );
    let f = &r.funding[0];
    assert_eq!(
        (
            f.annual_budget,
            f.initial_budget,
            f.executed,
            f.execution_rate,
            f.weight,
            f.score
        ),
        (
            d("20.00"),
            d("18.00"),
            d("19.00"),
            d("95"),
            d("10"),
            d("9.5")
        )
    );
    assert_eq!(r.funding[1].row, "当年财政拨款");
    assert_eq!(r.funding[2].executed, None);
    assert_eq!(
        levels(&r),
        [
            ("产出指标", "数量指标", "甲"),
            ("效益指标", "经济效益指标", "乙"),
            ("满意度指标", "服务对象满意度指标", "丙")
        ]
    );
    assert_eq!(r.indicators[2].deviation_reason, "无");
    assert_eq!((r.total_weight, r.total_score), (d("100"), d("99.5")));
    assert_eq!(codes(&r), [("parse-missing-field", "grade")]);
}

#[test]
fn missing_total_row_gives_partial_record() {
    let mut rows: Vec<&str> = HEAD.to_vec();
    rows.push(IND_HEADER);
    rows.extend_from_slice(SEED_ONE);
    rows.push(TAIL[1]);
    let r = one(table(CAPTION, &rows));
    assert_eq!(r.indicators.len(), 4);
    assert_eq!((r.total_weight, r.total_score), (None, None));
    assert_eq!(r.grade.as_deref(), Some("优"));
    assert_eq!(codes(&r), [("parse-missing-total", "total_score")]);
    assert_eq!(r.findings[0].severity, Severity::Error);
}

#[test]
fn funding_block_with_a_column_missing() {
    let mut rows: Vec<&str> = vec![HEAD[0], HEAD[1]];
    rows.extend([
        "项目资金 (万元) | \"\" | 全年预算数 | 全年执行数 | 分数 | 执行率(%) | 得分 | \"\"",
        "^ | 年度资金总额: | 50.00 | 49.52 | 10.00 | 99.04 | 9.90 | \"\"",
        "^ | 其中: 当年财政拨款 | 50.00 | 49.52 | - | 99.04 | - | \"\"",
        "^ | 上年结转资金 | 0.00 | 0.00 | - | 0.00 | - | \"\"",
        "^ | 其他资金 | 0.00 | 0.00 | - | 0.00 | - | \"\"",
    ]);
    rows.extend_from_slice(&HEAD[7..]);
    let r = seed_with_head(rows);
    assert_eq!(r.funding.len(), 4);
    assert_eq!(r.funding[0].initial_budget, None);
    assert_eq!(
        (
            r.funding[0].annual_budget,
            r.funding[0].executed,
            r.funding[0].score
        ),
        (d("50.00"), d("49.52"), d("9.90"))
    );
    assert_eq!(
        codes(&r),
        [("parse-missing-funding-column", "funding[*].initial_budget")]
    );
}

#[test]
fn duplicated_headers_are_skipped_with_findings() {
    // The indicator header repeated after a page break, and a funding column printed twice.
    let mut rows: Vec<&str> = HEAD.to_vec();
    rows[2] =
        "项目资金 (万元) | \"\" | 年初预算数 | 全年预算数 | 全年执行数 | 分数 | 执行率(%) | 执行率";
    rows.push(IND_HEADER);
    rows.extend_from_slice(&SEED_ONE[..2]);
    rows.push(IND_HEADER);
    rows.extend_from_slice(&SEED_ONE[2..]);
    rows.extend_from_slice(TAIL);
    let r = one(table(CAPTION, &rows));
    assert_eq!(r.indicators.len(), 4);
    assert_eq!(
        levels(&r)[3],
        ("满意度指标", "服务对象满意度指标", "参赛选手满意度")
    );
    assert_eq!(r.funding[0].score, None);
    assert_eq!(
        codes(&r),
        [
            ("parse-duplicate-header", "funding[*].execution_rate"),
            ("parse-missing-funding-column", "funding[*].score"),
            ("parse-duplicate-header", "indicators"),
        ]
    );
}

#[test]
fn unreadable_numbers_and_low_ocr_confidence() {
    let mut t = report(&[
        "产出指标 | 数量指标 | 甲 | 1 | 1 | 4O.00 | 40.00 | \"\"",
        "效益指标 | 社会效益指标 | 乙 | 1 | 1 | 50.00 | 50.00 | \"\"",
    ]);
    let cell = t.cells.iter_mut().find(|c| c.text == "乙").unwrap();
    cell.confidence = Some(0.42);
    let r = one(t);
    assert_eq!(r.indicators[0].weight, None);
    assert_eq!(r.indicators[0].score, d("40.00"));
    assert_eq!(
        codes(&r),
        [
            ("parse-unreadable-number", "indicators[0].weight"),
            ("parse-low-ocr-confidence", "indicators[1].name")
        ]
    );
    assert_eq!(r.findings[0].printed.as_deref(), Some("4O.00"));
    assert_eq!(r.findings[1].printed.as_deref(), Some("乙"));
}

#[test]
fn row_cut_by_a_page_break_is_joined() {
    let r = one(report(&[
        "产出指标 | 数量指标 | 闵行党建管理信息系统硬件运维完 | =100(%) | 100(%) | 40.00 | 40.00 | \"\"",
        "^ | ^ | 成率 | \"\" | \"\" | \"\" | \"\" | \"\"",
        "效益指标 | 社会效益指标 | 乙 | 1 | 1 | 50.00 | 50.00 | \"\"",
    ]));
    assert_eq!(r.indicators.len(), 2);
    assert_eq!(r.indicators[0].name, "闵行党建管理信息系统硬件运维完成率");
    assert_eq!(codes(&r), [("parse-joined-row", "indicators[0]")]);
}

#[test]
fn non_report_tables_are_skipped_and_counted() {
    let cover = table(&["目录"], &["序号 | 项目", "1 | 甲", "2 | 乙"]);
    let out = normalize(&extraction(vec![cover, report(SEED_ONE)]), "ab");
    assert_eq!(out.skipped_tables, 1);
    assert_eq!(out.reports.len(), 1);
    assert_eq!(out.reports[0].source.table, 1);
    assert_eq!(out.file, "test.pdf");
}

#[test]
fn partial_report_without_funding_or_goal() {
    let rows = [
        "项目名称 | 甲 | < | < | < | < | < | <",
        IND_HEADER,
        SEED_ONE[0],
        TAIL[0],
    ];
    let r = one(table(&[], &rows));
    assert_eq!(r.project_name.as_deref(), Some("甲"));
    assert_eq!(r.indicators.len(), 1);
    let c = codes(&r);
    assert!(c.contains(&("parse-missing-block", "funding")), "{c:?}");
    assert!(c.contains(&("parse-missing-field", "title")), "{c:?}");
    assert!(
        c.contains(&("parse-missing-field", "goal_expected")),
        "{c:?}"
    );
}

#[test]
fn two_reports_in_one_table_are_split() {
    let mut rows: Vec<&str> = Vec::new();
    for _ in 0..2 {
        rows.extend_from_slice(HEAD);
        rows.push(IND_HEADER);
        rows.extend_from_slice(SEED_ONE);
        rows.extend_from_slice(TAIL);
    }
    let second = "项目名称 | < | 第二个项目 | < | < | < | < | <";
    let at = HEAD.len() + 1 + SEED_ONE.len() + TAIL.len();
    rows[at] = second;
    let out = normalize(&extraction(vec![table(CAPTION, &rows)]), "ab");
    assert_eq!(out.reports.len(), 2);
    assert_eq!(out.reports[1].project_name.as_deref(), Some("第二个项目"));
    assert_eq!(out.reports[1].indicators.len(), 4);
    assert_eq!(out.reports[0].indicators.len(), 4);
    assert!(out.reports[1]
        .findings
        .iter()
        .all(|f| f.field == "title" || f.field == "year"));
}

#[test]
fn goal_text_in_rows_beside_its_labels() {
    let mut rows: Vec<&str> = HEAD[..7].to_vec();
    rows.extend([
        "年度总体目标 | 预期目标 | 目标一<br>目标二 | < | < | < | < | <",
        "^ | 实际完成情况 | 完成 | < | < | < | < | <",
    ]);
    let r = seed_with_head(rows);
    assert_eq!(r.goal_expected.as_deref(), Some("目标一\n目标二"));
    assert_eq!(r.goal_actual.as_deref(), Some("完成"));
}

#[test]
fn unknown_funding_row_kept_verbatim_and_missing_row_reported() {
    let mut rows: Vec<&str> = HEAD.to_vec();
    rows[6] = "^ | 专项资金 | 0.00 | 0.00 | 0.00 | - | 0.00 | -";
    let r = seed_with_head(rows);
    assert_eq!(r.funding[3].row, "专项资金");
    assert_eq!(r.funding[3].executed, d("0.00"));
    assert_eq!(
        codes(&r),
        [
            ("parse-unknown-funding-row", "funding[3].row"),
            ("parse-missing-funding-row", "funding"),
        ]
    );
    assert!(r.findings[1].message.contains("其他资金"));
}

#[test]
fn unjoined_continuation_table_is_reported_on_the_report_before_it() {
    let mut head: Vec<&str> = HEAD.to_vec();
    head.push(IND_HEADER);
    head.extend_from_slice(&SEED_ONE[..2]);
    let rest: Vec<&str> = [&SEED_ONE[2..], TAIL].concat();
    let out = normalize(
        &extraction(vec![table(CAPTION, &head), table(&[], &rest)]),
        "ab",
    );
    assert_eq!((out.reports.len(), out.skipped_tables), (1, 1));
    let r = &out.reports[0];
    assert_eq!(r.indicators.len(), 2);
    let c = codes(r);
    assert!(c.contains(&("parse-missing-total", "total_score")), "{c:?}");
    assert!(c.contains(&("parse-stray-table", "source.table")), "{c:?}");
    let stray = r
        .findings
        .iter()
        .find(|f| f.code == "parse-stray-table")
        .unwrap();
    assert_eq!(stray.printed.as_deref(), Some("总分"));
}
