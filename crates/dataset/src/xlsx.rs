//! `jixiao.xlsx`: every table as a worksheet, for people who open datasets in Excel, WPS or
//! LibreOffice Calc.
//!
//! - Text is stored as text (an inline string cell): a spreadsheet never evaluates it, whatever
//!   it starts with, so "=100(%)" stays "=100(%)".
//! - Integers and decimals are numbers, so sums and filters work. A decimal's cell has the
//!   number format of its printed scale ("0.00" for "20.00"), so it shows exactly as printed.
//!   Every decimal column is followed by a `<column>_printed` text column that holds the
//!   printed string in the rows where the number cannot show it (more than 15 significant
//!   digits, the precision of a spreadsheet number, or a negative zero); the column is hidden
//!   when no row needs it.
//! - The header row is bold and frozen, the sheet has an autofilter and columns are as wide as
//!   their content (up to [`MAX_COLUMN_WIDTH`]).
//! - A table with more rows than a sheet holds continues on the next sheet (`indicators (2)`,
//!   …) with the header repeated; a note on the header's first cell of both sheets says so.
//! - A text longer than a cell holds (32,767 UTF-16 units) is cut, ending with
//!   [`TRUNCATED_MARK`]; the CSV files and `reports.jsonl` keep it whole.
//!
//! The same rows give the same bytes (the creation time is fixed). Rows go to disk as they
//! come (rust_xlsxwriter's constant-memory worksheets, temporary files in the dataset
//! directory), so memory does not grow with the dataset.

use std::path::{Path, PathBuf};

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Note, Workbook, Worksheet};

use crate::table::{Column, ColumnType, Table, Value};
use crate::{DatasetError, TableWriter};

/// The workbook's file name.
pub const XLSX_FILE: &str = "jixiao.xlsx";
/// Rows of a worksheet, the header included (Excel's limit).
pub const MAX_SHEET_ROWS: u32 = 1_048_576;
/// Widest column set from content, in characters.
pub const MAX_COLUMN_WIDTH: usize = 60;
/// Ends a text cut to fit a cell.
pub const TRUNCATED_MARK: &str = "…[truncated; full text in the CSV files]";
pub use crate::table::PRINTED_SUFFIX;

/// Most UTF-16 code units a cell holds.
const MAX_CELL_UNITS: usize = 32_767;
/// Significant digits a spreadsheet number shows exactly.
const EXACT_DIGITS: u128 = 1_000_000_000_000_000;
/// Most decimal places of a [`Decimal`].
const MAX_SCALE: usize = 28;

/// The column headers of the spreadsheet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Labels {
    /// The column names, as in the CSV files and SQLite (`project_name`).
    #[default]
    Names,
    /// Chinese labels (`项目名称`).
    Zh,
}

impl std::str::FromStr for Labels {
    type Err = String;
    fn from_str(s: &str) -> Result<Labels, String> {
        match s {
            "names" => Ok(Labels::Names),
            "zh" => Ok(Labels::Zh),
            _ => Err(format!("unknown labels {s:?} (names or zh)")),
        }
    }
}

/// Where one cell of a sheet row comes from.
#[derive(Debug, Clone, Copy)]
enum SheetColumn {
    /// The table's column.
    Value(usize),
    /// The printed string of the decimal column, where the number cannot show it.
    Printed(usize),
}

impl SheetColumn {
    /// The index of the table's column it shows.
    fn source(self) -> usize {
        match self {
            SheetColumn::Value(i) | SheetColumn::Printed(i) => i,
        }
    }
}

/// The sheets of one table.
struct TableSheets {
    table: Table,
    layout: Vec<SheetColumn>,
    /// Sheets already full.
    full: Vec<Worksheet>,
    current: Worksheet,
    /// The next row of `current`.
    row: u32,
    /// Widest content of each sheet column, in character cells.
    widths: Vec<usize>,
    /// Sheet columns of printed strings that got one.
    printed_used: Vec<bool>,
}

/// Writes every table into `jixiao.xlsx`.
pub struct XlsxWriter {
    path: PathBuf,
    workbook: Workbook,
    labels: Labels,
    /// Rows per sheet, the header included ([`MAX_SHEET_ROWS`]; smaller in tests).
    sheet_rows: u32,
    header: Format,
    integer: Format,
    /// Number format of each scale: "0", "0.0", "0.00", …
    decimals: Vec<Format>,
    tables: Vec<TableSheets>,
}

impl XlsxWriter {
    /// The workbook `<dir>/jixiao.xlsx`, its temporary files in `dir`.
    pub fn create(dir: &Path, labels: Labels) -> Result<XlsxWriter, DatasetError> {
        XlsxWriter::with_sheet_rows(dir, labels, MAX_SHEET_ROWS)
    }

    /// As [`create`](Self::create), with at most `sheet_rows` rows (header included, at
    /// least 2) per sheet.
    pub fn with_sheet_rows(
        dir: &Path,
        labels: Labels,
        sheet_rows: u32,
    ) -> Result<XlsxWriter, DatasetError> {
        let mut workbook = Workbook::new();
        workbook.set_tempdir(dir)?;
        // A fixed creation time (the zip entries' own), so the same inputs give the same bytes.
        let created = ExcelDateTime::from_ymd(1980, 1, 1)?;
        workbook.set_properties(
            &DocProperties::new()
                .set_title("jixiao dataset")
                .set_creation_datetime(&created),
        );
        let decimals = (0..=MAX_SCALE)
            .map(|scale| {
                let places = if scale == 0 {
                    String::new()
                } else {
                    format!(".{}", "0".repeat(scale))
                };
                Format::new().set_num_format(format!("0{places}"))
            })
            .collect();
        Ok(XlsxWriter {
            path: dir.join(XLSX_FILE),
            workbook,
            labels,
            sheet_rows: sheet_rows.clamp(2, MAX_SHEET_ROWS),
            header: Format::new().set_bold(),
            integer: Format::new().set_num_format("0"),
            decimals,
            tables: Vec::new(),
        })
    }

    fn label(&self, column: &Column, printed: bool) -> String {
        match (self.labels, printed) {
            (Labels::Names, false) => column.name.to_string(),
            (Labels::Names, true) => column.printed_name(),
            (Labels::Zh, false) => column.label_zh.to_string(),
            (Labels::Zh, true) => format!("{}(原文)", column.label_zh),
        }
    }

    /// A new sheet for `table` with its header row written; `part` counts from 1.
    fn new_sheet(
        &mut self,
        table: Table,
        layout: &[SheetColumn],
        part: usize,
    ) -> Result<Worksheet, DatasetError> {
        let mut sheet = self.workbook.new_worksheet_with_constant_memory()?;
        sheet.set_name(sheet_name(table, part))?;
        let columns = table.def().columns;
        for (c, col) in layout.iter().enumerate() {
            let label = match *col {
                SheetColumn::Value(i) => self.label(&columns[i], false),
                SheetColumn::Printed(i) => self.label(&columns[i], true),
            };
            sheet.write_string_with_format(0, c as u16, label, &self.header)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        Ok(sheet)
    }

    /// Moves `table` on to a new sheet, with a note on both.
    fn continue_table(&mut self, index: usize) -> Result<(), DatasetError> {
        let table = self.tables[index].table;
        let layout = self.tables[index].layout.clone();
        let part = self.tables[index].full.len() + 2;
        let next = self.new_sheet(table, &layout, part)?;
        let previous_name = sheet_name(table, part - 1);
        let next_name = sheet_name(table, part);
        let (ahead, behind) = match self.labels {
            Labels::Names => (
                format!("The table {} continues on sheet {next_name}.", table.def().name),
                format!(
                    "Continued from sheet {previous_name}: the rows of table {} that did not fit there.",
                    table.def().name
                ),
            ),
            Labels::Zh => (
                format!("表 {} 续见工作表 {next_name}。", table.def().name),
                format!(
                    "接工作表 {previous_name}：表 {} 在该表中放不下的行。",
                    table.def().name
                ),
            ),
        };
        let sheets = &mut self.tables[index];
        let mut full = std::mem::replace(&mut sheets.current, next);
        full.insert_note(0, 0, &Note::new(ahead))?;
        sheets.current.insert_note(0, 0, &Note::new(behind))?;
        sheets.full.push(full);
        sheets.row = 1;
        Ok(())
    }
}

/// The name of the `part`-th sheet (from 1) of `table`.
fn sheet_name(table: Table, part: usize) -> String {
    match part {
        1 => table.def().name.to_string(),
        n => format!("{} ({n})", table.def().name),
    }
}

/// True when a spreadsheet number shows `d` exactly with `d`'s scale.
fn number_shows(d: &Decimal) -> bool {
    d.mantissa().unsigned_abs() < EXACT_DIGITS && !(d.is_zero() && d.is_sign_negative())
}

/// `s`, cut to fit a cell if needed.
fn fit_cell(s: &str) -> std::borrow::Cow<'_, str> {
    if s.encode_utf16().count() <= MAX_CELL_UNITS {
        return s.into();
    }
    let room = MAX_CELL_UNITS - TRUNCATED_MARK.encode_utf16().count();
    let mut units = 0;
    let end = s
        .char_indices()
        .find(|(_, ch)| {
            units += ch.len_utf16();
            units > room
        })
        .map_or(s.len(), |(i, _)| i);
    format!("{}{TRUNCATED_MARK}", &s[..end]).into()
}

/// Width of `s` in character cells (CJK and full-width forms count two), its longest line.
fn display_width(s: &str) -> usize {
    s.lines()
        .map(|line| {
            line.chars()
                .map(|ch| if ch >= '\u{2E80}' { 2 } else { 1 })
                .sum()
        })
        .max()
        .unwrap_or(0)
}

impl TableWriter for XlsxWriter {
    fn begin_table(&mut self, table: Table) -> Result<(), DatasetError> {
        let mut layout = Vec::new();
        for (i, c) in table.def().columns.iter().enumerate() {
            layout.push(SheetColumn::Value(i));
            if c.ty == ColumnType::Decimal {
                layout.push(SheetColumn::Printed(i));
            }
        }
        let current = self.new_sheet(table, &layout, 1)?;
        let columns = table.def().columns;
        let widths = layout
            .iter()
            .map(|col| match *col {
                SheetColumn::Value(i) => display_width(&self.label(&columns[i], false)),
                SheetColumn::Printed(i) => display_width(&self.label(&columns[i], true)),
            })
            .collect();
        self.tables.push(TableSheets {
            table,
            printed_used: vec![false; layout.len()],
            layout,
            full: Vec::new(),
            current,
            row: 1,
            widths,
        });
        Ok(())
    }

    fn write_row(&mut self, table: Table, row: &[Value]) -> Result<(), DatasetError> {
        let index = self
            .tables
            .iter()
            .position(|t| t.table == table)
            .expect("begin_table comes first");
        if self.tables[index].row >= self.sheet_rows {
            self.continue_table(index)?;
        }
        let (integer, sheets) = (&self.integer, &mut self.tables[index]);
        let r = sheets.row;
        for (c, col) in sheets.layout.iter().enumerate() {
            let c16 = c as u16;
            let shown = match (*col, &row[col.source()]) {
                (_, Value::Null) => 0,
                (SheetColumn::Value(_), Value::Text(s)) => {
                    let s = fit_cell(s);
                    sheets.current.write_string(r, c16, s.as_ref())?;
                    display_width(&s)
                }
                (SheetColumn::Value(_), Value::Int(n)) => {
                    sheets
                        .current
                        .write_number_with_format(r, c16, *n as f64, integer)?;
                    n.to_string().len()
                }
                (SheetColumn::Value(_), Value::Decimal(d)) => {
                    let number = d.to_f64().unwrap_or(f64::NAN);
                    let format = &self.decimals[(d.scale() as usize).min(MAX_SCALE)];
                    sheets
                        .current
                        .write_number_with_format(r, c16, number, format)?;
                    d.to_string().len()
                }
                (SheetColumn::Printed(_), Value::Decimal(d)) if !number_shows(d) => {
                    let printed = d.to_string();
                    sheets.current.write_string(r, c16, &printed)?;
                    sheets.printed_used[c] = true;
                    printed.len()
                }
                (SheetColumn::Printed(_), _) => 0,
            };
            sheets.widths[c] = sheets.widths[c].max(shown);
        }
        sheets.row += 1;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<(), DatasetError> {
        for table in SHEET_ORDER {
            let index = self
                .tables
                .iter()
                .position(|t| t.table == table)
                .expect("every table begun");
            let sheets = &mut self.tables[index];
            let last_col = (sheets.layout.len() - 1) as u16;
            let last_row = sheets.row - 1;
            let mut all: Vec<Worksheet> = sheets.full.drain(..).collect();
            let current = std::mem::replace(&mut sheets.current, Worksheet::new());
            all.push(current);
            let count = all.len();
            for (n, mut sheet) in all.into_iter().enumerate() {
                let rows = if n + 1 == count {
                    last_row
                } else {
                    self.sheet_rows - 1
                };
                sheet.autofilter(0, 0, rows, last_col)?;
                for (c, width) in sheets.widths.iter().enumerate() {
                    let c16 = c as u16;
                    sheet.set_column_width(c16, (*width).min(MAX_COLUMN_WIDTH) as f64 + 2.0)?;
                    if matches!(sheets.layout[c], SheetColumn::Printed(_))
                        && !sheets.printed_used[c]
                    {
                        sheet.set_column_hidden(c16)?;
                    }
                }
                self.workbook.push_worksheet(sheet);
            }
        }
        self.workbook.save(&self.path)?;
        Ok(())
    }
}

/// The order of the sheets: the reports first, the files (the manifest) last.
const SHEET_ORDER: [Table; 5] = [
    Table::Reports,
    Table::Funding,
    Table::Indicators,
    Table::Findings,
    Table::Files,
];
