//! Pages carrying a table that gave no report: a loss (`kind: table`) unless the table is
//! known not to be a 自评表.

mod support;

use jixiao_extract::{ProblemKind, Table};
use jixiao_normalize::normalize;
use support::*;

const INDICATORS: &[&str] =
    &["产出指标 | 数量指标 | 媒体宣传新闻稿 | 25 篇 | 达成指标 | 20.00 | 20.00 | \"\""];

/// `table` moved to `page`, every cell read by OCR with `confidence`.
fn scanned(mut table: Table, page: u32, confidence: f32) -> Table {
    table.pages = vec![page];
    for c in &mut table.cells {
        c.page = page;
        c.confidence = Some(confidence);
    }
    table
}

/// (page, message) of every loss of kind `table`.
fn unread(tables: Vec<Table>) -> Vec<(u32, String)> {
    let mut x = extraction(tables);
    x.pages = 3;
    let out = normalize(&x, "ab");
    let losses: Vec<(u32, String)> = out
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::Table)
        .inspect(|p| assert!(p.is_loss()))
        .map(|p| (p.page, p.message.clone()))
        .collect();
    assert_eq!(out.is_complete(), losses.is_empty());
    losses
}

/// A grid of fragments read with low confidence (a report scanned sideways and misread).
const FRAGMENTS: &[&str] = &[
    "988 | 00°0 | I | 怕",
    "(%)216 | (%)06< | # | 。0",
    "王程 | .00 | 0000 | #(%)829",
];

#[test]
fn a_grid_of_misread_fragments_leaves_its_page_unread() {
    let got = unread(vec![
        scanned(report(INDICATORS), 1, 0.99),
        scanned(table(&[], FRAGMENTS), 2, 0.4),
    ]);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, 2);
    assert!(
        got[0].1.contains("low confidence in 12 of 12 cells"),
        "{got:?}"
    );
}

#[test]
fn the_same_grid_read_confidently_is_not_a_report() {
    assert!(unread(vec![scanned(table(&[], FRAGMENTS), 2, 0.95)]).is_empty());
}

#[test]
fn fragments_on_a_page_a_report_covers_lose_nothing() {
    assert!(unread(vec![
        scanned(report(INDICATORS), 1, 0.99),
        scanned(table(&[], &FRAGMENTS[..1]), 1, 0.1),
    ])
    .is_empty());
}

#[test]
fn a_box_of_misread_text_is_no_grid() {
    assert!(unread(vec![scanned(table(&[], &["#", "。0"]), 2, 0.0)]).is_empty());
}

/// Only the outer border found: the whole form is one cell, its labels inside it.
#[test]
fn a_form_read_as_one_cell_leaves_its_page_unread() {
    let whole =
        "项目名称 闵行区创新创业大赛专项经费 主管部门 … 一级指标 二级指标 三级指标 … 总分 100.00";
    let got = unread(vec![scanned(table(&[], &[whole]), 1, 0.97)]);
    assert_eq!(got.len(), 1, "{got:?}");
    for mark in ["项目名称", "一级指标", "二级指标", "三级指标", "总分"] {
        assert!(got[0].1.contains(mark), "{got:?}");
    }
}

/// A summary of scores names two of a report's labels in its header: not a report, nothing
/// lost, on a text layer or scanned.
#[test]
fn a_list_of_projects_is_skipped_on_purpose() {
    let list = table(
        &["2022 年度项目支出绩效自评结果汇总表"],
        &[
            "序号 | 项目名称 | 主管部门 | 自评得分 | 评分等级",
            "1 | 食品安全监督抽检经费 | 市场监督管理局 | 98.62 | 优",
        ],
    );
    assert!(unread(vec![list.clone()]).is_empty());
    assert!(unread(vec![scanned(list, 1, 0.95)]).is_empty());
}

/// (page, message) of every loss of kind `table` when page 2 was read by OCR, found no
/// table, and gave these lines.
fn unread_text(lines: &[&str], confidence: f32) -> Vec<(u32, String)> {
    let mut x = extraction(Vec::new());
    x.pages = 2;
    x.untabled_text = vec![jixiao_extract::PageText {
        page: 2,
        lines: lines
            .iter()
            .map(|l| jixiao_extract::TextLine {
                text: l.to_string(),
                confidence: Some(confidence),
            })
            .collect(),
    }];
    normalize(&x, "ab")
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::Table && p.is_loss())
        .map(|p| (p.page, p.message.clone()))
        .collect()
}

/// A scan whose hairline rules were not seen: its cells' lines, labels among them.
#[test]
fn a_form_without_rules_leaves_its_page_unread() {
    let got = unread_text(
        &[
            "财政项目支出绩效自评表",
            "项目名称",
            "河道水质自动监测站运维经费",
            "主管部门",
            "上海市嘉定区生态环境局",
            "一级指标二级指标三级指标年度指标值实际完成值分值得分",
            "总分",
            "100.00",
        ],
        0.95,
    );
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, 2);
    for label in ["项目名称", "主管部门", "总分"] {
        assert!(got[0].1.contains(label), "{got:?}");
    }
}

/// Prose names the form's labels inside its sentences: nothing lost.
#[test]
fn prose_about_a_form_is_no_form() {
    assert!(unread_text(
        &[
            "一、项目名称：河道水质自动监测站运维经费",
            "（一）产出指标完成情况：一级指标、二级指标均已完成。",
            "（二）效益指标完成情况，总分 99.38 分，评分等级为优。",
        ],
        0.95
    )
    .is_empty());
}

/// A page read upside down by OCR, no table found: its lines are garbage read with low
/// confidence; a short stamp or page number alone tells nothing.
#[test]
fn misread_text_without_a_table_leaves_its_page_unread() {
    let garbage = ["988", "00°0", "(%)216", "王程 .00", "#(%)829", "怕 o"];
    let got = unread_text(&garbage, 0.3);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].1.contains("low confidence in 6 of 6 lines"),
        "{got:?}"
    );
    assert!(unread_text(&garbage[..2], 0.3).is_empty());
    assert!(unread_text(&garbage, 0.95).is_empty());
}

/// A cover's grid with one misread word: too little to tell anything.
#[test]
fn a_nearly_empty_grid_tells_nothing() {
    let cover = table(&[], &["# | \"\" | \"\"", "\"\" | \"\" | \"\""]);
    assert!(unread(vec![scanned(cover, 1, 0.1)]).is_empty());
}
