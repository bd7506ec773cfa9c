//! The dataset files of an ingest: `reports.jsonl`, one CSV per table, `jixiao.sqlite` with the
//! same tables, and `manifest.json`.
//!
//! Every table is defined once ([`TABLES`]) and written both as CSV and as SQLite rows; all
//! tables join on `report_id` ([`report_id`]) and, for `files`, on `file`. Money and scores are
//! exact decimal strings as printed ("1663.27", "10.00"), in SQLite as `TEXT` so nothing is
//! rounded (SQLite's arithmetic still reads them as numbers).

use std::fs::File;
use std::io::{BufWriter, Write};

use jixiao_normalize::{Comparison, ParsedValue, Report, Severity, SourceRef};
use rusqlite::Connection;

use crate::manifest::{FileEntry, Manifest};
use crate::stage::Staging;

/// The files an ingest writes, committed together (the manifest last).
pub const OUTPUT_FILES: [&str; 8] = [
    "reports.jsonl",
    "files.csv",
    "reports.csv",
    "funding.csv",
    "indicators.csv",
    "findings.csv",
    "jixiao.sqlite",
    "manifest.json",
];

/// The stable id of a report: the first 16 hex digits of its file's SHA-256 and the 0-based
/// index of its table in the file, e.g. `42c27752b8eae618-3`.
pub fn report_id(source: &SourceRef) -> String {
    let sha = source.sha256.get(..16).unwrap_or(&source.sha256);
    format!("{sha}-{}", source.table)
}

/// Why the dataset could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("writing the dataset: {0}")]
    Io(#[from] std::io::Error),
    #[error("writing a CSV file: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing jixiao.sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("serialising JSON: {0}")]
    Json(#[from] serde_json::Error),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SqlType {
    Text,
    Integer,
}

/// One table of the dataset.
struct TableDef {
    name: &'static str,
    columns: &'static [(&'static str, SqlType)],
    primary_key: &'static [&'static str],
    /// (column, referenced table, referenced column).
    foreign_key: Option<(&'static str, &'static str, &'static str)>,
    /// Each index as its list of columns.
    indexes: &'static [&'static [&'static str]],
}

use SqlType::{Integer as I, Text as T};

/// Index of each table in [`TABLES`].
const FILES: usize = 0;
const REPORTS: usize = 1;
const FUNDING: usize = 2;
const INDICATORS: usize = 3;
const FINDINGS: usize = 4;

const TABLES: [TableDef; 5] = [
    TableDef {
        name: "files",
        columns: &[
            ("file", T),
            ("sha256", T),
            ("bytes", I),
            ("status", T),
            ("pages", I),
            ("reports", I),
            ("duplicate_of", T),
            ("error", T),
        ],
        primary_key: &["file"],
        foreign_key: None,
        indexes: &[&["sha256"], &["status"]],
    },
    TableDef {
        name: "reports",
        columns: &[
            ("report_id", T),
            ("file", T),
            ("sha256", T),
            ("table_index", I),
            ("pages", T),
            ("title", T),
            ("year", I),
            ("project_name", T),
            ("department", T),
            ("implementing_unit", T),
            ("initial_budget", T),
            ("annual_budget", T),
            ("executed", T),
            ("budget_weight", T),
            ("execution_rate", T),
            ("budget_score", T),
            ("goal_expected", T),
            ("goal_actual", T),
            ("indicators", I),
            ("total_weight", T),
            ("total_score", T),
            ("grade", T),
            ("errors", I),
            ("warnings", I),
            ("infos", I),
        ],
        primary_key: &["report_id"],
        foreign_key: Some(("file", "files", "file")),
        indexes: &[&["file"], &["year"], &["department"]],
    },
    TableDef {
        name: "funding",
        columns: &[
            ("report_id", T),
            ("position", I),
            ("row", T),
            ("initial_budget", T),
            ("annual_budget", T),
            ("executed", T),
            ("weight", T),
            ("execution_rate", T),
            ("score", T),
        ],
        primary_key: &["report_id", "position"],
        foreign_key: Some(("report_id", "reports", "report_id")),
        indexes: &[&["row"]],
    },
    TableDef {
        name: "indicators",
        columns: &[
            ("report_id", T),
            ("position", I),
            ("level1", T),
            ("level2", T),
            ("name", T),
            ("target", T),
            ("actual", T),
            ("weight", T),
            ("score", T),
            ("deviation_reason", T),
            ("target_kind", T),
            ("target_op", T),
            ("target_value", T),
            ("target_low", T),
            ("target_high", T),
            ("target_unit", T),
            ("target_note", T),
            ("actual_kind", T),
            ("actual_op", T),
            ("actual_value", T),
            ("actual_low", T),
            ("actual_high", T),
            ("actual_unit", T),
            ("actual_note", T),
        ],
        primary_key: &["report_id", "position"],
        foreign_key: Some(("report_id", "reports", "report_id")),
        indexes: &[&["level1", "level2"]],
    },
    TableDef {
        name: "findings",
        columns: &[
            ("report_id", T),
            ("position", I),
            ("code", T),
            ("severity", T),
            ("field", T),
            ("printed", T),
            ("recomputed", T),
            ("message", T),
        ],
        primary_key: &["report_id", "position"],
        foreign_key: Some(("report_id", "reports", "report_id")),
        indexes: &[&["code"], &["severity"]],
    },
];

/// One field of a row.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Null,
    Text(String),
    Int(i64),
}

fn text(s: impl ToString) -> Value {
    Value::Text(s.to_string())
}

fn opt(v: Option<impl ToString>) -> Value {
    v.map_or(Value::Null, text)
}

fn int(n: impl TryInto<i64>) -> Value {
    n.try_into().map_or(Value::Null, Value::Int)
}

impl Value {
    fn csv(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Text(s) => s.clone(),
            Value::Int(n) => n.to_string(),
        }
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Int(n) => ToSqlOutput::Borrowed(ValueRef::Integer(*n)),
        })
    }
}

/// The name of a severity as serialised.
pub fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn comparison_name(c: Comparison) -> &'static str {
    match c {
        Comparison::Eq => "=",
        Comparison::Ge => "≥",
        Comparison::Le => "≤",
        Comparison::Gt => ">",
        Comparison::Lt => "<",
        Comparison::Approx => "约",
    }
}

/// kind, op, value, low, high, unit, note of a parsed value.
fn parsed_fields(p: Option<&ParsedValue>) -> [Value; 7] {
    use Value::Null;
    match p {
        None => [Null, Null, Null, Null, Null, Null, Null],
        Some(ParsedValue::Quantity {
            op,
            value,
            unit,
            note,
        }) => [
            text("quantity"),
            opt(op.map(comparison_name)),
            text(value),
            Null,
            Null,
            opt(unit.as_ref()),
            opt(note.as_ref()),
        ],
        Some(ParsedValue::Range { low, high, unit }) => [
            text("range"),
            Null,
            Null,
            text(low),
            text(high),
            opt(unit.as_ref()),
            Null,
        ],
        Some(ParsedValue::Qualitative { .. }) => {
            [text("qualitative"), Null, Null, Null, Null, Null, Null]
        }
    }
}

fn file_row(e: &FileEntry) -> Vec<Value> {
    vec![
        text(&e.file),
        opt(e.sha256.as_ref()),
        int(e.bytes),
        text(e.status.as_str()),
        int(e.pages),
        int(e.reports),
        opt(e.duplicate_of.as_ref()),
        opt(e.error.as_ref()),
    ]
}

fn report_row(id: &str, r: &Report) -> Vec<Value> {
    let total = r.funding.iter().find(|f| f.row == "年度资金总额");
    let amount = |get: fn(&jixiao_normalize::FundingRow) -> Option<rust_decimal::Decimal>| {
        opt(total.and_then(get))
    };
    let severities = |s: Severity| int(r.findings.iter().filter(|f| f.severity == s).count());
    let pages: Vec<String> = r.source.pages.iter().map(u32::to_string).collect();
    vec![
        text(id),
        text(&r.source.file),
        text(&r.source.sha256),
        int(r.source.table),
        text(pages.join(";")),
        opt(r.title.as_ref()),
        opt(r.year),
        opt(r.project_name.as_ref()),
        opt(r.department.as_ref()),
        opt(r.implementing_unit.as_ref()),
        amount(|f| f.initial_budget),
        amount(|f| f.annual_budget),
        amount(|f| f.executed),
        amount(|f| f.weight),
        amount(|f| f.execution_rate),
        amount(|f| f.score),
        opt(r.goal_expected.as_ref()),
        opt(r.goal_actual.as_ref()),
        int(r.indicators.len()),
        opt(r.total_weight),
        opt(r.total_score),
        opt(r.grade.as_ref()),
        severities(Severity::Error),
        severities(Severity::Warning),
        severities(Severity::Info),
    ]
}

/// Writes the dataset files into a staging directory, one file entry and its reports at a time.
pub struct DatasetWriter {
    jsonl: BufWriter<File>,
    csv: Vec<csv::Writer<BufWriter<File>>>,
    db: Connection,
    manifest: BufWriter<File>,
}

impl DatasetWriter {
    /// Creates every output file in `staging`; `excel_csv` starts each CSV with a UTF-8 BOM.
    pub fn create(staging: &Staging, excel_csv: bool) -> Result<DatasetWriter, DatasetError> {
        let jsonl = BufWriter::new(File::create(staging.path("reports.jsonl"))?);
        let csv = TABLES
            .iter()
            .map(|t| -> Result<_, DatasetError> {
                let mut out =
                    BufWriter::new(File::create(staging.path(&format!("{}.csv", t.name)))?);
                if excel_csv {
                    out.write_all("\u{feff}".as_bytes())?;
                }
                let mut w = csv::Writer::from_writer(out);
                w.write_record(t.columns.iter().map(|c| c.0))?;
                Ok(w)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let db = Connection::open(staging.path("jixiao.sqlite"))?;
        db.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")?;
        for t in &TABLES {
            db.execute_batch(&create_table_sql(t))?;
        }
        db.execute_batch("BEGIN")?;
        let manifest = BufWriter::new(File::create(staging.path("manifest.json"))?);
        Ok(DatasetWriter {
            jsonl,
            csv,
            db,
            manifest,
        })
    }

    fn row(&mut self, table: usize, row: &[Value]) -> Result<(), DatasetError> {
        self.csv[table].write_record(row.iter().map(Value::csv))?;
        let def = &TABLES[table];
        let marks = vec!["?"; def.columns.len()].join(", ");
        let sql = format!("INSERT INTO {} VALUES ({marks})", def.name);
        self.db
            .prepare_cached(&sql)?
            .execute(rusqlite::params_from_iter(row))?;
        Ok(())
    }

    /// Adds one input file (to `files`).
    pub fn add_file(&mut self, entry: &FileEntry) -> Result<(), DatasetError> {
        self.row(FILES, &file_row(entry))
    }

    /// Adds one report: a line of `reports.jsonl` and its rows in every table.
    pub fn add_report(&mut self, report: &Report) -> Result<(), DatasetError> {
        serde_json::to_writer(&mut self.jsonl, report)?;
        self.jsonl.write_all(b"\n")?;
        let id = report_id(&report.source);
        self.row(REPORTS, &report_row(&id, report))?;
        for (i, f) in report.funding.iter().enumerate() {
            let row = [
                text(&id),
                int(i),
                text(&f.row),
                opt(f.initial_budget),
                opt(f.annual_budget),
                opt(f.executed),
                opt(f.weight),
                opt(f.execution_rate),
                opt(f.score),
            ];
            self.row(FUNDING, &row)?;
        }
        for (i, ind) in report.indicators.iter().enumerate() {
            let mut row = vec![
                text(&id),
                int(i),
                text(&ind.level1),
                text(&ind.level2),
                text(&ind.name),
                opt(ind.target.as_ref()),
                opt(ind.actual.as_ref()),
                opt(ind.weight),
                opt(ind.score),
                text(&ind.deviation_reason),
            ];
            row.extend(parsed_fields(ind.target_parsed.as_ref()));
            row.extend(parsed_fields(ind.actual_parsed.as_ref()));
            self.row(INDICATORS, &row)?;
        }
        for (i, f) in report.findings.iter().enumerate() {
            let row = [
                text(&id),
                int(i),
                text(&f.code),
                text(severity_name(f.severity)),
                text(&f.field),
                opt(f.printed.as_ref()),
                opt(f.recomputed.as_ref()),
                text(&f.message),
            ];
            self.row(FINDINGS, &row)?;
        }
        Ok(())
    }

    /// Writes `manifest.json`, builds the indexes and flushes everything to disk.
    pub fn finish(mut self, manifest: &Manifest) -> Result<(), DatasetError> {
        serde_json::to_writer_pretty(&mut self.manifest, manifest)?;
        self.manifest.write_all(b"\n")?;
        self.manifest.flush()?;
        self.jsonl.flush()?;
        for w in &mut self.csv {
            w.flush()?;
        }
        for t in &TABLES {
            for (i, cols) in t.indexes.iter().enumerate() {
                let sql = format!("CREATE INDEX {0}_idx{i} ON {0} ({1})", t.name, quoted(cols));
                self.db.execute_batch(&sql)?;
            }
        }
        self.db.execute_batch("COMMIT")?;
        self.db.close().map_err(|(_, e)| e)?;
        Ok(())
    }
}

fn create_table_sql(t: &TableDef) -> String {
    let mut parts: Vec<String> = t
        .columns
        .iter()
        .map(|(name, ty)| {
            let ty = if *ty == SqlType::Integer {
                "INTEGER"
            } else {
                "TEXT"
            };
            let not_null = if t.primary_key.contains(name) {
                " NOT NULL"
            } else {
                ""
            };
            format!("\"{name}\" {ty}{not_null}")
        })
        .collect();
    parts.push(format!("PRIMARY KEY ({})", quoted(t.primary_key)));
    if let Some((col, table, refcol)) = t.foreign_key {
        parts.push(format!(
            "FOREIGN KEY (\"{col}\") REFERENCES {table}(\"{refcol}\")"
        ));
    }
    format!("CREATE TABLE {} ({});", t.name, parts.join(", "))
}

fn quoted(columns: &[&str]) -> String {
    columns
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ")
}
