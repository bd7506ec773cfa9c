//! Table building on hand-made pages: captions, and tables continued over a page break
//! (with and without a cut row, with a merged cell over the break), both as LibreOffice
//! draws them (every side ruled) and as Chromium does (rules only under cells that end).
//!
//! The rule for a row cut by a page break (see `grid::continuation`): when the drawing shows
//! open sides, a pair of cells at the break is one cell exactly when the upper one has no
//! bottom rule, and the row is cut when no cell ends at the break; when every side is ruled,
//! the row is cut when a *key column* (all its other cells filled and single-row: 三级指标,
//! values) has text on one side of the break only, and otherwise only blank cells that go
//! on a merged cell from the left (一级/二级) are joined.

use jixiao_extract::grid::{build_tables, page_tables};
use jixiao_extract::{Orientation, PageContent, Rect, Segment, Table, TableSettings, TextBox};

const XS: [f64; 4] = [50.0, 100.0, 200.0, 250.0];

fn rule(orientation: Orientation, pos: f64, start: f64, end: f64) -> Segment {
    Segment {
        orientation,
        pos,
        start,
        end,
        width: 0.6,
    }
}

/// Glyphs of `s`, 10 pt each, from (`x`, `y`).
fn put(s: &str, x: f64, y: f64) -> Vec<TextBox> {
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            let x0 = x + 10.0 * i as f64;
            TextBox {
                text: c.to_string(),
                bbox: Rect {
                    x0,
                    y0: y,
                    x1: x0 + 10.0,
                    y1: y + 10.0,
                },
                font_size: 10.0,
                confidence: None,
                direction: Default::default(),
                source: Default::default(),
                glyph: None,
                alternatives: Default::default(),
            }
        })
        .collect()
}

/// Rules of a 3-column table with row boundaries `ys`: every vertical over the whole table,
/// every horizontal except where `skip(row boundary, column)` says so.
fn ruled(ys: &[f64], skip: impl Fn(usize, usize) -> bool) -> Vec<Segment> {
    let mut s = Vec::new();
    for (r, &y) in ys.iter().enumerate() {
        for c in 0..3 {
            if !skip(r, c) {
                s.push(rule(Orientation::Horizontal, y, XS[c], XS[c + 1]));
            }
        }
    }
    for &x in &XS {
        s.push(rule(Orientation::Vertical, x, ys[0], ys[ys.len() - 1]));
    }
    s
}

fn page(number: u32, segments: Vec<Segment>, text: Vec<Vec<TextBox>>) -> PageContent {
    PageContent {
        number,
        width: 300.0,
        height: 400.0,
        segments,
        text: text.concat(),
        ..Default::default()
    }
}

/// (row, col, rowspan, colspan, text) of every cell.
fn cells(t: &Table) -> Vec<(usize, usize, usize, usize, &str)> {
    t.cells
        .iter()
        .map(|c| (c.row, c.col, c.rowspan, c.colspan, c.text.as_str()))
        .collect()
}

/// Page 1: caption, header row, then rows 1–2 with 一级 "产出指标" merged over both and
/// running to the page bottom (y = 380). `bottom_ruled(col)`: whether the rule under the last
/// row is drawn in that column. `last` is the text of the last row's 三级 and 分值 cells.
fn first_page(bottom_ruled: impl Fn(usize) -> bool, last: [&str; 2]) -> PageContent {
    let ys = [300.0, 320.0, 350.0, 380.0];
    let segs = ruled(&ys, |r, c| {
        (r == 2 && c == 0) || (r == 3 && !bottom_ruled(c))
    });
    page(
        1,
        segs,
        vec![
            put("自评表", 120.0, 270.0),
            put("一级", 55.0, 305.0),
            put("三级", 105.0, 305.0),
            put("分值", 205.0, 305.0),
            put("产出指标", 55.0, 345.0),
            put("甲", 105.0, 325.0),
            put("10", 205.0, 325.0),
            put(last[0], 105.0, 355.0),
            put(last[1], 205.0, 355.0),
        ],
    )
}

/// Page 2: rows at 40–70 and 70–100; the 一级 column of the first row is blank (and merged
/// with the second row's when `merged`), then 效益指标 in a third row 100–130. `top_ruled`:
/// whether the table's top rule is drawn.
fn second_page(top_ruled: bool, first: [&str; 2]) -> PageContent {
    let ys = [40.0, 70.0, 100.0, 130.0];
    let segs = ruled(&ys, |r, c| (r == 0 && !top_ruled) || (r == 1 && c == 0));
    page(
        2,
        segs,
        vec![
            put(first[0], 105.0, 45.0),
            put(first[1], 205.0, 45.0),
            put("丙", 105.0, 75.0),
            put("5", 205.0, 75.0),
            put("效益指标", 55.0, 105.0),
            put("丁", 105.0, 105.0),
            put("5", 205.0, 105.0),
        ],
    )
}

fn one_table(pages: &[PageContent]) -> Table {
    let tables = build_tables(pages, &TableSettings::default());
    assert_eq!(tables.len(), 1, "{tables:#?}");
    tables.into_iter().next().unwrap()
}

#[test]
fn break_between_rows_with_merged_cell_over_it_all_sides_ruled() {
    let t = one_table(&[
        first_page(|_| true, ["乙", "10"]),
        second_page(true, ["乙二", "5"]),
    ]);
    assert_eq!((t.pages.clone(), t.n_rows, t.n_cols), (vec![1, 2], 6, 3));
    assert_eq!(t.caption, vec!["自评表"]);
    assert_eq!(
        cells(&t),
        vec![
            (0, 0, 1, 1, "一级"),
            (0, 1, 1, 1, "三级"),
            (0, 2, 1, 1, "分值"),
            (1, 0, 4, 1, "产出指标"),
            (1, 1, 1, 1, "甲"),
            (1, 2, 1, 1, "10"),
            (2, 1, 1, 1, "乙"),
            (2, 2, 1, 1, "10"),
            (3, 1, 1, 1, "乙二"),
            (3, 2, 1, 1, "5"),
            (4, 1, 1, 1, "丙"),
            (4, 2, 1, 1, "5"),
            (5, 0, 1, 1, "效益指标"),
            (5, 1, 1, 1, "丁"),
            (5, 2, 1, 1, "5"),
        ]
    );
    assert_eq!(t.cells[3].page, 1);
}

#[test]
fn row_cut_by_the_break_all_sides_ruled() {
    // The last row's 三级 text runs on to the next page; its 分值 is printed on page 1 only.
    let t = one_table(&[
        first_page(|_| true, ["满意度指", "10"]),
        second_page(true, ["标", ""]),
    ]);
    assert_eq!((t.n_rows, t.n_cols), (5, 3));
    let c = cells(&t);
    assert!(c.contains(&(1, 0, 3, 1, "产出指标")), "{c:?}");
    assert!(c.contains(&(2, 1, 1, 1, "满意度指标")), "{c:?}");
    assert!(c.contains(&(2, 2, 1, 1, "10")), "{c:?}");
    assert!(c.contains(&(3, 1, 1, 1, "丙")), "{c:?}");
    assert!(c.contains(&(4, 0, 1, 1, "效益指标")), "{c:?}");
}

#[test]
fn break_between_rows_drawn_open_under_the_merged_cell_only() {
    // Chromium: no rule under the 一级 cell that goes on, none at the top of page 2.
    let t = one_table(&[
        first_page(|c| c != 0, ["乙", "10"]),
        second_page(false, ["乙二", "5"]),
    ]);
    assert_eq!(t.n_rows, 6);
    let c = cells(&t);
    assert!(c.contains(&(1, 0, 4, 1, "产出指标")), "{c:?}");
    assert!(c.contains(&(3, 1, 1, 1, "乙二")), "{c:?}");
}

#[test]
fn row_cut_by_the_break_drawn_open_everywhere() {
    // Chromium: no cell ends at the break, so the row goes on.
    let t = one_table(&[
        first_page(|_| false, ["满意度指", "10"]),
        second_page(false, ["标", ""]),
    ]);
    assert_eq!(t.n_rows, 5);
    let c = cells(&t);
    assert!(c.contains(&(2, 1, 1, 1, "满意度指标")), "{c:?}");
    assert!(c.contains(&(2, 2, 1, 1, "10")), "{c:?}");
    assert!(c.contains(&(1, 0, 3, 1, "产出指标")), "{c:?}");
}

#[test]
fn a_captioned_table_on_the_next_page_is_a_new_table() {
    let mut next = second_page(true, ["乙二", "5"]);
    next.text.extend(put("下一表", 120.0, 20.0));
    let tables = build_tables(
        &[first_page(|_| true, ["乙", "10"]), next],
        &TableSettings::default(),
    );
    assert_eq!(tables.len(), 2);
    assert_eq!(tables[1].caption, vec!["下一表"]);
    assert_eq!(tables[1].pages, vec![2]);
    // Joining can be turned off.
    let settings = TableSettings {
        join_across_pages: false,
        ..TableSettings::default()
    };
    assert_eq!(
        build_tables(
            &[
                first_page(|_| true, ["乙", "10"]),
                second_page(true, ["乙二", "5"])
            ],
            &settings
        )
        .len(),
        2
    );
}

#[test]
fn different_columns_are_not_joined() {
    let mut next = second_page(true, ["乙二", "5"]);
    for s in &mut next.segments {
        if s.orientation == Orientation::Vertical && s.pos == 100.0 {
            s.pos = 130.0;
        }
    }
    assert_eq!(
        build_tables(
            &[first_page(|_| true, ["乙", "10"]), next],
            &TableSettings::default()
        )
        .len(),
        2
    );
}

#[test]
fn captions_are_the_lines_just_above_each_table() {
    let mut p = first_page(|_| true, ["乙", "10"]);
    p.text.extend(put("(2023 年度)", 120.0, 284.0)); // second caption line
    p.text.extend(put("页眉", 120.0, 100.0)); // far above: page furniture, not caption
    let t = &page_tables(&p, &TableSettings::default())[0];
    let caption: Vec<&str> = t.caption.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(caption, vec!["自评表", "(2023 年度)"]);
}

#[test]
fn glyphs_go_to_the_innermost_of_nested_tables() {
    let mut segs = Vec::new();
    let square = |segs: &mut Vec<Segment>, x0: f64, y0: f64, x1: f64, y1: f64| {
        segs.push(rule(Orientation::Horizontal, y0, x0, x1));
        segs.push(rule(Orientation::Horizontal, y1, x0, x1));
        segs.push(rule(Orientation::Vertical, x0, y0, y1));
        segs.push(rule(Orientation::Vertical, x1, y0, y1));
    };
    square(&mut segs, 10.0, 10.0, 290.0, 390.0);
    square(&mut segs, 100.0, 100.0, 200.0, 150.0);
    let p = page(
        1,
        segs,
        vec![put("外", 20.0, 20.0), put("内", 120.0, 120.0)],
    );
    let tables = page_tables(&p, &TableSettings::default());
    let texts: Vec<&str> = tables.iter().map(|t| t.texts[0].as_str()).collect();
    assert_eq!(texts, vec!["外", "内"]);
}
