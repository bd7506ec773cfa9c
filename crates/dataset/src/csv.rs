//! One CSV file per table (`files.csv`, `reports.csv`, …), RFC 4180, UTF-8.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::table::{Table, Value};
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
        self.files[table as usize].write_record(row.iter().map(Value::to_text))?;
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), DatasetError> {
        for mut w in self.files {
            w.flush()?;
        }
        Ok(())
    }
}
