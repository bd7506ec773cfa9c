//! One CSV file per table (`files.csv`, `reports.csv`, …), RFC 4180, UTF-8.
//!
//! By default the files are faithful for programs: every field exactly as in the dataset.
//! For spreadsheets (`excel`: `--excel-csv`) each file starts with a UTF-8 BOM and text
//! fields that a spreadsheet would evaluate as a formula are protected following the OWASP
//! guidance on CSV injection ([`protect`]).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use std::borrow::Cow;

use crate::table::{ColumnType, Table, Value};
use crate::{DatasetError, TableWriter};

/// Writes each table to `<dir>/<table>.csv`.
pub struct CsvWriter {
    dir: std::path::PathBuf,
    excel: bool,
    files: Vec<csv::Writer<BufWriter<File>>>,
}

impl CsvWriter {
    /// CSV files in `dir`; `excel` starts each with a UTF-8 BOM (Excel on Chinese Windows).
    pub fn new(dir: &Path, excel: bool) -> CsvWriter {
        CsvWriter {
            dir: dir.to_path_buf(),
            excel,
            files: Vec::new(),
        }
    }

    /// The file name of `table`'s CSV.
    pub fn file_name(table: Table) -> String {
        format!("{}.csv", table.def().name)
    }
}

impl TableWriter for CsvWriter {
    fn begin_table(&mut self, table: Table) -> Result<(), DatasetError> {
        debug_assert_eq!(self.files.len(), table as usize, "tables begin in order");
        let mut out = BufWriter::new(File::create(self.dir.join(Self::file_name(table)))?);
        if self.excel {
            out.write_all("\u{feff}".as_bytes())?;
        }
        let mut w = csv::Writer::from_writer(out);
        w.write_record(table.def().columns.iter().map(|c| c.name))?;
        self.files.push(w);
        Ok(())
    }

    fn write_row(&mut self, table: Table, row: &[Value]) -> Result<(), DatasetError> {
        let file = &mut self.files[table as usize];
        if self.excel {
            let columns = table.def().columns;
            for (c, v) in columns.iter().zip(row) {
                match v {
                    Value::Text(s) if c.ty == ColumnType::Text => {
                        file.write_field(protect(s).as_bytes())?
                    }
                    v => file.write_field(v.to_text())?,
                }
            }
            file.write_record(None::<&[u8]>)?;
        } else {
            file.write_record(row.iter().map(Value::to_text))?;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), DatasetError> {
        for mut w in self.files {
            w.flush()?;
        }
        Ok(())
    }
}

/// A text field as protected for spreadsheets: one `'` in front when it starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return (the characters OWASP lists: a spreadsheet would
/// evaluate the field as a formula) or with `'` itself (so that taking one leading `'` off
/// every text field that has one always gives the dataset's value back) — unless the whole
/// field is a plain number (`-12`, `-0.5`), which a spreadsheet reads as that number.
pub fn protect(field: &str) -> Cow<'_, str> {
    let risky = field.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']);
    if risky && !is_plain_number(field) {
        format!("'{field}").into()
    } else {
        field.into()
    }
}

/// `-`? digits, then optionally `.` and digits.
fn is_plain_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && all_digits(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_a_spreadsheet_would_evaluate_get_an_apostrophe() {
        for risky in [
            "=100(%)",
            "=1(份)",
            "+1",
            "-",
            "--",
            "-1+2",
            "-2+3+cmd|' /C calc'!A0",
            "@SUM(A1:A2)",
            "\t=1",
            "\r=1",
            "'=1",
            "'",
            "-1.",
            "-.5",
            "-1e5",
        ] {
            assert_eq!(protect(risky), format!("'{risky}"), "{risky:?}");
        }
    }

    #[test]
    fn other_fields_and_plain_numbers_are_unchanged() {
        for safe in [
            "",
            "≥45 万人",
            "100%",
            "产出指标",
            " =1",
            "a=b",
            "-5",
            "-0.50",
            "12",
            "3.25",
            "＝1",
        ] {
            assert_eq!(protect(safe), safe, "{safe:?}");
        }
    }
}
