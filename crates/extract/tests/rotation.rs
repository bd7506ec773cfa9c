//! Tables on turned pages: every combination of `/Rotate` and a rotating `cm` must read the
//! same table, upright and in reading order, and one page may hold tables in two
//! orientations. Expected cells are the table as drawn, not taken from the code.

mod interp_pdfs;

use interp_pdfs::*;
use jixiao_extract::{extract, Direction, ExtractOptions, Table};
use lopdf::{dictionary, Dictionary};

/// A drawn cell: its text lines and colspan; `None` where a spanning cell covers the slot.
type DrawnCell = Option<(&'static [&'static str], usize)>;

/// The drawn table, rows top-down.
const ROWS: [[DrawnCell; 3]; 3] = [
    [Some((&["Heading"], 2)), None, Some((&["C"], 1))],
    [
        Some((&["a1"], 1)),
        Some((&["long", "text"], 1)),
        Some((&["3,769,000"], 1)),
    ],
    [Some((&["a2"], 1)), Some((&["b2"], 1)), Some((&["z"], 1))],
];
const COL_X: [f64; 4] = [0.0, 80.0, 160.0, 260.0];
const ROW_H: f64 = 30.0;

/// Content drawing the table with its top-left corner at (`x`, `y`) of user space (y up).
fn table_content(x: f64, y: f64) -> String {
    let mut c = String::from("0.5 w\n");
    for r in 0..=ROWS.len() {
        let yy = y - r as f64 * ROW_H;
        c.push_str(&format!("{x} {yy} m {} {yy} l S\n", x + COL_X[3]));
    }
    for (k, cx) in COL_X.iter().enumerate() {
        for (r, row) in ROWS.iter().enumerate() {
            // No rule inside a spanning cell.
            if k > 0 && k < 3 && row[k].is_none() {
                continue;
            }
            let (y0, y1) = (y - r as f64 * ROW_H, y - (r + 1) as f64 * ROW_H);
            c.push_str(&format!("{} {y0} m {} {y1} l S\n", x + cx, x + cx));
        }
    }
    for (r, row) in ROWS.iter().enumerate() {
        for (k, cell) in row.iter().enumerate() {
            let Some((lines, _)) = cell else { continue };
            for (i, line) in lines.iter().enumerate() {
                let base = y - r as f64 * ROW_H - 11.0 - i as f64 * 11.0;
                c.push_str(&format!(
                    "BT /F1 9 Tf {} {base} Td ({line}) Tj ET\n",
                    x + COL_X[k] + 3.0
                ));
            }
        }
    }
    c
}

/// `(row, col, rowspan, colspan, text)` of every expected cell.
fn expected() -> Vec<(usize, usize, usize, usize, String)> {
    let mut out = Vec::new();
    for (r, row) in ROWS.iter().enumerate() {
        for (k, cell) in row.iter().enumerate() {
            if let Some((lines, span)) = cell {
                out.push((r, k, 1, *span, lines.join(" ")));
            }
        }
    }
    out
}

fn cells(t: &Table) -> Vec<(usize, usize, usize, usize, String)> {
    t.cells
        .iter()
        .map(|c| (c.row, c.col, c.rowspan, c.colspan, c.text.clone()))
        .collect()
}

/// `cm` turning user space by `quarters` quarter turns counter-clockwise about (`cx`, `cy`).
fn turn_about(quarters: u32, cx: f64, cy: f64) -> String {
    let (cos, sin) = match quarters % 4 {
        0 => (1.0, 0.0),
        1 => (0.0, 1.0),
        2 => (-1.0, 0.0),
        _ => (0.0, -1.0),
    };
    // Translate to the centre, rotate, translate back: x' = R(x − c) + c.
    let e = cx - cos * cx + sin * cy;
    let f = cy - sin * cx - cos * cy;
    format!("{cos} {sin} {} {cos} {e} {f} cm\n", -sin)
}

fn helvetica(b: &mut PdfBuilder) -> lopdf::ObjectId {
    b.add(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    })
}

fn one_page(content: &str, rotate: i64) -> Vec<Table> {
    let mut b = PdfBuilder::new();
    let font = helvetica(&mut b);
    b.page(
        content,
        dictionary! { "Resources" => font_resources(&[font]), "Rotate" => rotate },
    );
    let bytes = b.finish(Dictionary::new());
    extract(&bytes, "t.pdf", &ExtractOptions::default(), None)
        .expect("extracts")
        .tables
}

#[test]
fn every_page_rotation_and_turned_content_reads_the_same_table() {
    // The table's centre is the page's centre, so it stays on the page however it turns.
    let table = table_content(300.0 - COL_X[3] / 2.0, 400.0 + 1.5 * ROW_H);
    for rotate in [0, 90, 180, 270, -90, 450] {
        for quarters in 0..4 {
            let content = format!("q {}{table}Q\n", turn_about(quarters, 300.0, 400.0));
            let tables = one_page(&content, rotate);
            assert_eq!(
                tables.len(),
                1,
                "/Rotate {rotate}, {quarters} quarter turns"
            );
            let t = &tables[0];
            assert_eq!(
                (t.n_rows, t.n_cols),
                (3, 3),
                "/Rotate {rotate}, {quarters} quarter turns"
            );
            assert_eq!(
                cells(t),
                expected(),
                "/Rotate {rotate}, {quarters} quarter turns"
            );
        }
    }
}

#[test]
fn inherited_rotation_is_applied() {
    let table = table_content(100.0, 700.0);
    let mut b = PdfBuilder::new();
    let font = helvetica(&mut b);
    b.page(
        &table,
        dictionary! { "Resources" => font_resources(&[font]) },
    );
    let bytes = b.finish(dictionary! { "Rotate" => 90 });
    let pages = jixiao_extract::interp::read_pages(&bytes, &ExtractOptions::default()).unwrap();
    // Drawn upright in user space, shown turned a quarter clockwise: the text runs down.
    assert_eq!((pages[0].width, pages[0].height), (800.0, 600.0));
    assert!(pages[0].text.iter().all(|t| t.direction == Direction::Down));
    let tables = extract(&bytes, "t.pdf", &ExtractOptions::default(), None)
        .unwrap()
        .tables;
    assert_eq!(cells(&tables[0]), expected());
}

#[test]
fn a_page_with_an_upright_and_a_sideways_table_reads_both() {
    // An upright table at the top; below it the same table turned a quarter clockwise.
    let upright = table_content(100.0, 750.0);
    let sideways = format!(
        "q {}{}Q\n",
        turn_about(3, 300.0, 350.0),
        table_content(300.0 - COL_X[3] / 2.0, 350.0 + 1.5 * ROW_H)
    );
    let tables = one_page(&format!("{upright}{sideways}"), 0);
    assert_eq!(tables.len(), 2);
    for t in &tables {
        assert_eq!(cells(t), expected());
    }
    // The sideways table's cells are boxed in page space: taller than wide.
    let head = &tables[1].cells[0];
    assert!(head.bbox.height() > head.bbox.width(), "{:?}", head.bbox);
}
