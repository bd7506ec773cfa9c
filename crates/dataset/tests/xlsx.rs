//! `jixiao.xlsx` read back with calamine (an independent reader): sheets, typed cells, printed
//! strings, labels, long texts, and a table continued over several sheets (with a small
//! injected sheet size instead of a million rows).

use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use calamine::{open_workbook, Data, Reader, Xlsx};
use jixiao_dataset::xlsx::{Labels, XlsxWriter, PRINTED_SUFFIX, TRUNCATED_MARK, XLSX_FILE};
use jixiao_dataset::{Table, TableWriter, Value};
use rust_decimal::Decimal;

fn dec(s: &str) -> Value {
    Value::Decimal(Decimal::from_str(s).unwrap())
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// Writes `rows` into a workbook in `dir` with `sheet_rows` rows per sheet.
fn write(dir: &Path, labels: Labels, sheet_rows: u32, rows: &[(Table, Vec<Value>)]) {
    let mut w = Box::new(XlsxWriter::with_sheet_rows(dir, labels, sheet_rows).unwrap());
    for t in Table::ALL {
        w.begin_table(t).unwrap();
    }
    for (t, row) in rows {
        w.write_row(*t, row).unwrap();
    }
    w.finish().unwrap();
}

fn open(dir: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    open_workbook(dir.join(XLSX_FILE)).unwrap()
}

fn cells(book: &mut Xlsx<std::io::BufReader<std::fs::File>>, sheet: &str) -> Vec<Vec<Data>> {
    let range = book.worksheet_range(sheet).unwrap();
    assert_eq!(range.start(), Some((0, 0)), "{sheet} starts at A1");
    range.rows().map(<[Data]>::to_vec).collect()
}

/// The `files` row of the `n`-th file.
fn file_row(n: i64) -> Vec<Value> {
    vec![
        text(&format!("dir/{n}.pdf")),
        Value::Null,
        Value::Int(n * 1000),
        text("ok"),
        Value::Int(n),
        Value::Int(0),
        Value::Null,
        Value::Null,
        Value::Int(0),
        Value::Int(0),
        Value::Null,
    ]
}

/// The text of every part of the workbook whose name starts with `prefix`.
fn parts(dir: &Path, prefix: &str) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(dir.join(XLSX_FILE)).unwrap()).unwrap();
    let names: Vec<String> = zip
        .file_names()
        .filter_map(Result::ok)
        .filter(|n| n.starts_with(prefix))
        .map(|n| n.into_owned())
        .collect();
    names
        .iter()
        .map(|n| {
            let mut s = String::new();
            zip.by_name(n).unwrap().read_to_string(&mut s).unwrap();
            s
        })
        .collect()
}

#[test]
fn a_table_longer_than_a_sheet_continues_on_the_next_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<_> = (0..8).map(|n| (Table::Files, file_row(n))).collect();
    // 4 rows per sheet: the header and three files.
    write(dir.path(), Labels::Names, 4, &rows);
    let mut book = open(dir.path());
    assert_eq!(
        book.sheet_names(),
        [
            "reports",
            "funding",
            "indicators",
            "findings",
            "files",
            "files (2)",
            "files (3)"
        ]
    );
    let mut files = Vec::new();
    for sheet in ["files", "files (2)", "files (3)"] {
        let rows = cells(&mut book, sheet);
        assert_eq!(rows[0][0], Data::String("file".into()), "{sheet}: header");
        assert!(rows.len() <= 4, "{sheet}: {} rows", rows.len());
        files.extend(rows[1..].iter().map(|r| r[0].clone()));
    }
    let expected: Vec<Data> = (0..8)
        .map(|n| Data::String(format!("dir/{n}.pdf")))
        .collect();
    assert_eq!(files, expected, "every row once, in order");
    let notes = parts(dir.path(), "xl/comments").join("\n");
    assert!(notes.contains("continues on sheet files (2)"), "{notes}");
    assert!(notes.contains("continues on sheet files (3)"), "{notes}");
    assert!(notes.contains("Continued from sheet files (2)"), "{notes}");
}

#[test]
fn cells_are_typed_and_decimals_keep_their_printed_string_where_a_number_cannot_show_it() {
    let dir = tempfile::tempdir().unwrap();
    let long = "1234567890123456789.25";
    let funding = |row: &str, amount: Value| {
        vec![
            text("r-0"),
            Value::Int(0),
            text(row),
            amount,
            dec("20.00"),
            dec("-3.5"),
            Value::Null,
            dec("100"),
            dec("0.000"),
        ]
    };
    write(
        dir.path(),
        Labels::Names,
        100,
        &[
            (Table::Funding, funding("=100(%)", dec("1663.27"))),
            (Table::Funding, funding("+1", dec(long))),
        ],
    );
    let mut book = open(dir.path());
    let rows = cells(&mut book, "funding");
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(header[at("initial_budget") + 1], "initial_budget_printed");
    assert_eq!(
        header
            .iter()
            .filter(|h| h.ends_with(PRINTED_SUFFIX))
            .count(),
        6
    );
    assert_eq!(rows[1][at("row")], Data::String("=100(%)".into()));
    assert_eq!(rows[2][at("row")], Data::String("+1".into()));
    assert_eq!(rows[1][at("position")], Data::Float(0.0));
    assert_eq!(rows[1][at("initial_budget")], Data::Float(1663.27));
    assert_eq!(rows[1][at("annual_budget")], Data::Float(20.0));
    assert_eq!(rows[1][at("executed")], Data::Float(-3.5));
    assert_eq!(rows[1][at("weight")], Data::Empty);
    // A number shows these exactly: no printed string.
    assert_eq!(rows[1][at("initial_budget_printed")], Data::Empty);
    assert_eq!(rows[1][at("annual_budget_printed")], Data::Empty);
    // 21 significant digits: the number is the nearest a spreadsheet holds, the string exact.
    assert_eq!(
        rows[2][at("initial_budget")],
        Data::Float(1234567890123456789.25)
    );
    assert_eq!(
        rows[2][at("initial_budget_printed")],
        Data::String(long.into())
    );
    let formulas = book.worksheet_formula("funding").unwrap();
    assert!(formulas.cells().all(|(_, _, f)| f.is_empty()), "no formula");

    let sheet = parts(dir.path(), "xl/worksheets/sheet2.xml").join("");
    // The number formats of the printed scales exist ("0.00", "0.000") …
    let styles = parts(dir.path(), "xl/styles.xml").join("");
    for format in [
        "formatCode=\"0.00\"",
        "formatCode=\"0.000\"",
        "formatCode=\"0.0\"",
    ] {
        assert!(styles.contains(format), "{format}");
    }
    // … and only the printed column that got a value is shown.
    let hidden = sheet.matches("hidden=\"1\"").count();
    assert_eq!(hidden, 5, "{sheet}");
}

#[test]
fn chinese_labels_and_long_texts() {
    let dir = tempfile::tempdir().unwrap();
    let long = "很长的说明".repeat(10_000);
    let finding = vec![
        text("r-0"),
        Value::Int(0),
        text("E001"),
        text("error"),
        text("total_score"),
        text("-5"),
        text("@SUM(A1)"),
        text(&long),
    ];
    write(dir.path(), Labels::Zh, 100, &[(Table::Findings, finding)]);
    let mut book = open(dir.path());
    let rows = cells(&mut book, "findings");
    assert_eq!(rows[0][0], Data::String("报告编号".into()));
    assert_eq!(rows[0][7], Data::String("说明".into()));
    assert_eq!(rows[1][5], Data::String("-5".into()), "text stays text");
    assert_eq!(rows[1][6], Data::String("@SUM(A1)".into()));
    let Data::String(cut) = &rows[1][7] else {
        panic!("{:?}", rows[1][7])
    };
    assert!(cut.ends_with(TRUNCATED_MARK));
    assert!(long.starts_with(cut.trim_end_matches(TRUNCATED_MARK)));
    assert!(cut.encode_utf16().count() <= 32_767);
    let funding = cells(&mut book, "funding");
    assert_eq!(funding[0][3], Data::String("年初预算数".into()));
    assert_eq!(funding[0][4], Data::String("年初预算数(原文)".into()));
}
