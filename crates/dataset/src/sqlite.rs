//! `jixiao.sqlite`: every table in one SQLite database, with keys and indexes. Decimals are
//! stored as `TEXT` exactly as printed ("10.00"), so nothing is rounded (SQLite's arithmetic
//! still reads them as numbers).

use std::path::Path;

use rusqlite::Connection;

use crate::table::{ColumnType, Table, TableDef, Value};
use crate::{DatasetError, TableWriter};

/// The database file's name.
pub const SQLITE_FILE: &str = "jixiao.sqlite";

/// Writes every table into `jixiao.sqlite`, in one transaction; indexes are built at the end.
pub struct SqliteWriter {
    db: Connection,
    /// The rows' transaction has begun (at the first row, after every `CREATE TABLE`).
    in_transaction: bool,
}

impl SqliteWriter {
    /// Creates `<dir>/jixiao.sqlite`.
    pub fn create(dir: &Path) -> Result<SqliteWriter, DatasetError> {
        let db = Connection::open(dir.join(SQLITE_FILE))?;
        db.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")?;
        Ok(SqliteWriter {
            db,
            in_transaction: false,
        })
    }

    fn begin_transaction(&mut self) -> Result<(), DatasetError> {
        if !self.in_transaction {
            self.db.execute_batch("BEGIN")?;
            self.in_transaction = true;
        }
        Ok(())
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Int(n) => ToSqlOutput::Borrowed(ValueRef::Integer(*n)),
            Value::Decimal(d) => ToSqlOutput::from(d.to_string()),
        })
    }
}

impl TableWriter for SqliteWriter {
    fn begin_table(&mut self, table: Table) -> Result<(), DatasetError> {
        self.db.execute_batch(&create_table_sql(table.def()))?;
        Ok(())
    }

    fn write_row(&mut self, table: Table, row: &[Value]) -> Result<(), DatasetError> {
        self.begin_transaction()?;
        let def = table.def();
        let marks = vec!["?"; def.columns.len()].join(", ");
        let sql = format!("INSERT INTO {} VALUES ({marks})", def.name);
        self.db
            .prepare_cached(&sql)?
            .execute(rusqlite::params_from_iter(row))?;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<(), DatasetError> {
        self.begin_transaction()?;
        for t in Table::ALL.map(Table::def) {
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
        .map(|c| {
            let ty = match c.ty {
                ColumnType::Integer => "INTEGER",
                ColumnType::Text | ColumnType::Decimal => "TEXT",
            };
            let not_null = if t.primary_key.contains(&c.name) {
                " NOT NULL"
            } else {
                ""
            };
            format!("\"{}\" {ty}{not_null}", c.name)
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
