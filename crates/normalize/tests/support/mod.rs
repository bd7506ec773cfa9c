//! Hand-built tables for the tests: a table drawn as text rows.
//!
//! Each row is `|`-separated; a slot holding `<` belongs to the cell on its left, `^` to the
//! cell above (so merged cells are drawn as they look). Everything else starts a new cell
//! with that text (trimmed; `""` is an empty cell).

use jixiao_extract::{Cell, Extraction, Rect, Table};

/// Builds a table from drawn rows, caption lines above it.
pub fn table(caption: &[&str], rows: &[&str]) -> Table {
    let slots: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| r.split('|').map(str::trim).collect())
        .collect();
    let n_rows = slots.len();
    let n_cols = slots.iter().map(Vec::len).max().unwrap_or(0);
    let mut ids = vec![vec![usize::MAX; n_cols]; n_rows];
    let mut texts: Vec<String> = Vec::new();
    for (r, row) in slots.iter().enumerate() {
        assert_eq!(
            row.len(),
            n_cols,
            "row {r} has {} slots, expected {n_cols}",
            row.len()
        );
        for (c, s) in row.iter().enumerate() {
            ids[r][c] = match *s {
                "<" => ids[r][c - 1],
                "^" => ids[r - 1][c],
                t => {
                    texts.push(t.trim_matches('"').to_string());
                    texts.len() - 1
                }
            };
        }
    }
    let mut cells: Vec<Cell> = Vec::new();
    for (id, text) in texts.iter().enumerate() {
        let mut pos = Vec::new();
        for (r, row) in ids.iter().enumerate() {
            for (c, &x) in row.iter().enumerate() {
                if x == id {
                    pos.push((r, c));
                }
            }
        }
        let r0 = pos.iter().map(|p| p.0).min().unwrap();
        let r1 = pos.iter().map(|p| p.0).max().unwrap();
        let c0 = pos.iter().map(|p| p.1).min().unwrap();
        let c1 = pos.iter().map(|p| p.1).max().unwrap();
        assert_eq!(
            pos.len(),
            (r1 - r0 + 1) * (c1 - c0 + 1),
            "cell {text:?} is not a rectangle"
        );
        cells.push(Cell {
            row: r0,
            col: c0,
            rowspan: r1 - r0 + 1,
            colspan: c1 - c0 + 1,
            text: text.clone(),
            page: 1,
            bbox: Rect::default(),
            confidence: None,
            text_source: Default::default(),
        });
    }
    cells.sort_by_key(|c| (c.row, c.col));
    Table {
        pages: vec![1],
        caption: caption.iter().map(|s| s.to_string()).collect(),
        n_rows,
        n_cols,
        cells,
    }
}

/// An extraction of the given tables.
pub fn extraction(tables: Vec<Table>) -> Extraction {
    Extraction {
        file: "test.pdf".into(),
        pages: 1,
        tables,
        ..Extraction::default()
    }
}

/// The caption of a seed report.
pub const CAPTION: &[&str] = &["财政项目支出绩效自评表", "(2023 年度)"];

/// The first rows of a seed-like report (项目名称 … 年度总体目标), 8 columns.
pub const HEAD: &[&str] = &[
    "项目名称 | < | 闵行区创新创业大赛专项经费 | < | < | < | < | <",
    "主管部门 | < | 中共上海闵行区组织部(汇总) | < | 实施单位 | < | 中共上海闵行区组织部 | <",
    "项目资金 (万元) | \"\" | 年初预算数 | 全年预算数 | 全年执行数 | 分数 | 执行率(%) | 得分",
    "^ | 年度资金总额: | 50.00 | 50.00 | 49.52 | 10.00 | 99.04 | 9.90",
    "^ | 其中: 当年财政拨款 | 50.00 | 50.00 | 49.52 | - | 99.04 | -",
    "^ | 上年结转资金 | 0.00 | 0.00 | 0.00 | - | 0.00 | -",
    "^ | 其他资金 | 0.00 | 0.00 | 0.00 | - | 0.00 | -",
    "年度总体目标 | 预期目标 | < | < | 实际完成情况 | < | < | <",
    "^ | <p>第一段。</p> <p>第二段。</p> | < | < | 实际完成。 | < | < | <",
];

/// The indicator header of the seed, 8 columns.
pub const IND_HEADER: &str = "一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施";

/// The 总分 and 评分等级 rows, 8 columns.
pub const TAIL: &[&str] = &[
    "总分 | < | < | < | < | 100.00 | 99.90 | \"\"",
    "评分等级 | 优 | < | < | < | < | < | <",
];

/// HEAD + indicator header + `indicators` + TAIL.
pub fn report(indicators: &[&str]) -> Table {
    let mut rows: Vec<&str> = HEAD.to_vec();
    rows.push(IND_HEADER);
    rows.extend_from_slice(indicators);
    rows.extend_from_slice(TAIL);
    table(CAPTION, &rows)
}
