//! Arbitrary tables never make `normalize` panic, and its output is deterministic.

use jixiao_extract::{Cell, Extraction, Rect, Table};
use jixiao_normalize::normalize;

/// Texts the generator draws from: labels, headers, headings, values and junk.
const TEXTS: &[&str] = &[
    "",
    "项目名称",
    "主管部门",
    "实施单位",
    "项目资金(万元)",
    "年初预算数",
    "全年预算数",
    "全年执行数",
    "分数",
    "执行率(%)",
    "得分",
    "年度资金总额:",
    "其中: 当年财政拨款",
    "上年结转资金",
    "其他资金",
    "年度总体目标",
    "预期目标",
    "实际完成情况",
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "偏差原因分析及改进措施",
    "产出指标",
    "满意度指",
    "标",
    "时效指标",
    "成本指标",
    "服务对象",
    "总分",
    "评分等级",
    "优",
    "10.00",
    "1,663.27",
    "-",
    "—",
    "=100(%)",
    "1-2 批次",
    "约 30 人",
    "<p>甲</p><br>",
    "(((",
    "9999999999999999999999999999999999999999",
    "≥",
    "绩效指标",
    "4O.00",
    "财政项目支出绩效自评表",
    "(2023 年度)",
];

struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

fn random_table(rng: &mut Lcg) -> Table {
    let n_rows = 1 + rng.next(30);
    let n_cols = 1 + rng.next(10);
    let mut cells = Vec::new();
    for _ in 0..rng.next(120) {
        let confidence = (rng.next(4) == 0).then(|| rng.next(100) as f32 / 100.0);
        cells.push(Cell {
            // Spans may overlap, leave gaps or run past n_rows / n_cols: all of it must be survived.
            row: rng.next(n_rows + 2),
            col: rng.next(n_cols + 1),
            rowspan: rng.next(4),
            colspan: rng.next(4),
            text: TEXTS[rng.next(TEXTS.len())].to_string(),
            page: 1,
            bbox: Rect::default(),
            confidence,
            text_source: Default::default(),
        });
    }
    Table {
        pages: vec![1],
        caption: vec![TEXTS[rng.next(TEXTS.len())].to_string()],
        n_rows,
        n_cols,
        cells,
    }
}

#[test]
fn random_tables_are_survived_deterministically() {
    let mut rng = Lcg(7);
    let mut reports = 0;
    for _ in 0..400 {
        let tables = (0..1 + rng.next(3))
            .map(|_| random_table(&mut rng))
            .collect();
        let e = Extraction {
            file: "fuzz.pdf".into(),
            pages: 1,
            tables,
            ..Extraction::default()
        };
        let a = normalize(&e, "");
        assert_eq!(a, normalize(&e, ""));
        assert!(a.reports.len() + a.skipped_tables >= e.tables.len());
        reports += a.reports.len();
    }
    // The generator is dense in labels: some tables must be read as (partial) reports.
    assert!(reports > 0);
}

#[test]
fn huge_spans_are_not_read() {
    let cell = |row, rowspan| Cell {
        row,
        col: 0,
        rowspan,
        colspan: usize::MAX,
        text: "项目名称".into(),
        page: 1,
        bbox: Rect::default(),
        confidence: None,
        text_source: Default::default(),
    };
    let table = Table {
        pages: vec![1],
        caption: vec![],
        n_rows: 1,
        n_cols: 1,
        cells: vec![cell(usize::MAX, usize::MAX), cell(0, 1)],
    };
    let out = normalize(
        &Extraction {
            file: "x".into(),
            pages: 1,
            tables: vec![table],
            ..Extraction::default()
        },
        "",
    );
    assert_eq!((out.reports.len(), out.skipped_tables), (0, 1));
}
