//! One Parquet file per table (`files.parquet`, `reports.parquet`, …), written with the
//! Apache `arrow`/`parquet` crates, for DuckDB, pandas/pyarrow, polars and Spark.
//!
//! Columns are typed: text as UTF-8 strings, whole numbers as INT64, decimals as
//! DECIMAL(precision, scale) — never floats — with the precision and scale chosen per column
//! from what the column holds ([`decimal_type`]). A DECIMAL column has one scale, while the
//! printed scale varies from value to value ("10" vs "10.00") and is evidence of a document's
//! rounding convention, so every decimal column `x` is followed by a text column `x_printed`
//! with the value as printed (as in CSV). A value that does not fit its column exactly is
//! null in the DECIMAL column and still in `x_printed`.
//!
//! The files are deterministic: the same rows give the same bytes (row groups of a fixed row
//! count, Snappy compression, no timestamps).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{Decimal128Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use rust_decimal::Decimal;

use crate::table::{Column, ColumnType, Table, Value};
use crate::{DatasetError, TableWriter};

/// Rows buffered per table before they are handed to the Parquet writer as one batch.
const BATCH_ROWS: usize = 8192;
/// Rows per row group: bounds the writer's memory whatever the dataset's size.
const ROW_GROUP_ROWS: usize = 65_536;

/// DECIMAL(precision, scale) of a decimal column, chosen from what it holds (checked for
/// every decimal column of the model by a test):
/// - money (年初预算数, 全年预算数, 全年执行数; 万元 or 元): (20, 6) — up to 10¹⁴ with six decimals;
/// - execution rates (%): (12, 4);
/// - weights and scores (分值, 得分, 总分): (10, 4);
/// - parsed 指标值/完成值 numbers (counts, percentages, amounts of any unit): (28, 8).
pub fn decimal_type(column: &str) -> Option<(u8, i8)> {
    Some(match column {
        "initial_budget" | "annual_budget" | "executed" => (20, 6),
        "execution_rate" => (12, 4),
        "budget_weight" | "budget_score" | "total_weight" | "total_score" | "weight" | "score" => {
            (10, 4)
        }
        "target_value" | "target_low" | "target_high" | "actual_value" | "actual_low"
        | "actual_high" => (28, 8),
        _ => return None,
    })
}

/// The file name of `table`'s Parquet file.
pub fn file_name(table: Table) -> String {
    format!("{}.parquet", table.def().name)
}

/// Writes each table to `<dir>/<table>.parquet`.
pub struct ParquetWriter {
    dir: PathBuf,
    tables: Vec<TableFile>,
}

/// One table's file and its buffered rows.
struct TableFile {
    schema: SchemaRef,
    writer: ArrowWriter<File>,
    columns: Vec<ColumnBuffer>,
    rows: usize,
}

/// The values of one column (two Arrow columns for a decimal) not yet written.
enum ColumnBuffer {
    Text(StringBuilder),
    Integer(Int64Builder),
    Decimal {
        values: Decimal128Builder,
        printed: StringBuilder,
        precision: u8,
        scale: i8,
    },
}

impl ParquetWriter {
    /// Parquet files in `dir`.
    pub fn new(dir: &Path) -> ParquetWriter {
        ParquetWriter {
            dir: dir.to_path_buf(),
            tables: Vec::new(),
        }
    }
}

/// The Arrow fields of `column` and its empty buffer.
fn column_layout(column: &Column) -> (Vec<Field>, ColumnBuffer) {
    match column.ty {
        ColumnType::Text => (
            vec![Field::new(column.name, DataType::Utf8, true)],
            ColumnBuffer::Text(StringBuilder::new()),
        ),
        ColumnType::Integer => (
            vec![Field::new(column.name, DataType::Int64, true)],
            ColumnBuffer::Integer(Int64Builder::new()),
        ),
        ColumnType::Decimal => {
            // A decimal column without a chosen type gets the widest one: nothing is lost.
            let (precision, scale) = decimal_type(column.name).unwrap_or((38, 10));
            (
                vec![
                    Field::new(column.name, DataType::Decimal128(precision, scale), true),
                    Field::new(column.printed_name(), DataType::Utf8, true),
                ],
                ColumnBuffer::Decimal {
                    values: Decimal128Builder::new(),
                    printed: StringBuilder::new(),
                    precision,
                    scale,
                },
            )
        }
    }
}

/// `d` as the unscaled integer of a DECIMAL(precision, scale), when it fits exactly.
pub fn to_decimal128(d: Decimal, precision: u8, scale: i8) -> Option<i128> {
    let d = if d.scale() > scale as u32 {
        d.normalize()
    } else {
        d
    };
    let shift = u32::try_from(i64::from(scale) - i64::from(d.scale())).ok()?;
    let unscaled = d.mantissa().checked_mul(10i128.checked_pow(shift)?)?;
    (unscaled.unsigned_abs() < 10u128.pow(u32::from(precision))).then_some(unscaled)
}

/// `value` as text (as in CSV), null when null.
fn push_text(b: &mut StringBuilder, value: &Value) {
    match value {
        Value::Null => b.append_null(),
        v => b.append_value(v.to_text()),
    }
}

impl ColumnBuffer {
    fn push(&mut self, value: &Value) {
        match self {
            ColumnBuffer::Text(b) => push_text(b, value),
            ColumnBuffer::Integer(b) => match value {
                Value::Int(n) => b.append_value(*n),
                _ => b.append_null(),
            },
            ColumnBuffer::Decimal {
                values,
                printed,
                precision,
                scale,
            } => {
                let exact = match value {
                    Value::Decimal(d) => Some(*d),
                    Value::Int(n) => Some(Decimal::from(*n)),
                    _ => None,
                };
                values.append_option(exact.and_then(|d| to_decimal128(d, *precision, *scale)));
                push_text(printed, value);
            }
        }
    }

    fn finish(&mut self, out: &mut Vec<ArrayRef>) -> Result<(), DatasetError> {
        match self {
            ColumnBuffer::Text(b) => out.push(Arc::new(b.finish())),
            ColumnBuffer::Integer(b) => out.push(Arc::new(b.finish())),
            ColumnBuffer::Decimal {
                values,
                printed,
                precision,
                scale,
            } => {
                let array = values
                    .finish()
                    .with_precision_and_scale(*precision, *scale)
                    .map_err(parquet::errors::ParquetError::from)?;
                out.push(Arc::new(array));
                out.push(Arc::new(printed.finish()));
            }
        }
        Ok(())
    }
}

impl TableFile {
    /// Hands the buffered rows to the Parquet writer.
    fn flush(&mut self) -> Result<(), DatasetError> {
        if self.rows == 0 {
            return Ok(());
        }
        let mut arrays = Vec::new();
        for c in &mut self.columns {
            c.finish(&mut arrays)?;
        }
        let batch = RecordBatch::try_new(self.schema.clone(), arrays)
            .map_err(parquet::errors::ParquetError::from)?;
        self.writer.write(&batch)?;
        self.rows = 0;
        Ok(())
    }
}

impl TableWriter for ParquetWriter {
    fn begin_table(&mut self, table: Table) -> Result<(), DatasetError> {
        debug_assert_eq!(self.tables.len(), table as usize, "tables begin in order");
        let (fields, columns): (Vec<Vec<Field>>, Vec<ColumnBuffer>) =
            table.def().columns.iter().map(column_layout).unzip();
        let schema = Arc::new(Schema::new(fields.concat()));
        // Nothing in the file depends on the clock or the machine: the footer's created_by
        // is parquet-rs's version (fixed by Cargo.lock), kept as is because readers (Spark's
        // parquet-mr) use it to decide whether to trust the column statistics.
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build();
        let file = File::create(self.dir.join(file_name(table)))?;
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(props))?;
        self.tables.push(TableFile {
            schema,
            writer,
            columns,
            rows: 0,
        });
        Ok(())
    }

    fn write_row(&mut self, table: Table, row: &[Value]) -> Result<(), DatasetError> {
        let t = &mut self.tables[table as usize];
        for (column, value) in t.columns.iter_mut().zip(row) {
            column.push(value);
        }
        t.rows += 1;
        if t.rows == BATCH_ROWS {
            t.flush()?;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), DatasetError> {
        for mut t in self.tables {
            t.flush()?;
            t.writer.close()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use arrow_array::{Array, Decimal128Array, Int64Array, StringArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    use super::*;

    #[test]
    fn every_decimal_column_has_a_chosen_type() {
        for table in Table::ALL {
            for c in table.def().columns {
                if c.ty == ColumnType::Decimal {
                    assert!(
                        decimal_type(c.name).is_some(),
                        "{}.{}",
                        table.def().name,
                        c.name
                    );
                }
            }
        }
    }

    #[test]
    fn decimals_convert_exactly_or_not_at_all() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(to_decimal128(d("10.00"), 10, 4), Some(100_000));
        assert_eq!(to_decimal128(d("-1663.27"), 20, 6), Some(-1_663_270_000));
        assert_eq!(to_decimal128(d("0.12345"), 10, 4), None, "would round");
        assert_eq!(
            to_decimal128(d("0.12500000"), 10, 4),
            Some(1250),
            "only zeros dropped"
        );
        assert_eq!(
            to_decimal128(d("1234567.8"), 10, 4),
            None,
            "too many digits"
        );
        assert_eq!(to_decimal128(d("99999.9999"), 9, 4), Some(999_999_999));
    }

    /// Rows written come back from the file typed, exact, with the printed scale.
    #[test]
    fn round_trip_through_the_parquet_reader() {
        let dir = tempfile::tempdir().unwrap();
        let mut w: Box<dyn TableWriter> = Box::new(ParquetWriter::new(dir.path()));
        for t in Table::ALL {
            w.begin_table(t).unwrap();
        }
        let columns = Table::Funding.def().columns;
        let decimals = ["1663.27", "10", "0.12345", "-2.5"];
        let n = BATCH_ROWS + 3; // more than one batch
        for i in 0..n {
            let row: Vec<Value> = columns
                .iter()
                .map(|c| match (c.name, c.ty) {
                    ("report_id", _) => Value::Text(format!("r-{i}")),
                    ("row", _) if i % 2 == 0 => Value::Null,
                    (_, ColumnType::Text) => Value::Text("年度资金总额".into()),
                    (_, ColumnType::Integer) => Value::Int(i as i64),
                    (_, ColumnType::Decimal) => {
                        Value::Decimal(Decimal::from_str(decimals[i % 4]).unwrap())
                    }
                })
                .collect();
            w.write_row(Table::Funding, &row).unwrap();
        }
        w.finish().unwrap();

        let file = File::open(dir.path().join("funding.parquet")).unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap();
        let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        assert_eq!(rows, n);
        let b = &batches[0];
        let col = |name: &str| b.column(b.schema().index_of(name).unwrap()).clone();
        let executed = col("executed");
        let executed = executed.as_any().downcast_ref::<Decimal128Array>().unwrap();
        assert_eq!(executed.data_type(), &DataType::Decimal128(20, 6));
        assert_eq!(executed.value_as_string(0), "1663.270000");
        assert_eq!(executed.value_as_string(1), "10.000000");
        let score = col("score");
        let score = score.as_any().downcast_ref::<Decimal128Array>().unwrap();
        assert!(score.is_null(2), "0.12345 does not fit DECIMAL(10, 4)");
        assert_eq!(score.value_as_string(3), "-2.5000");
        let printed = col("score_printed");
        let printed = printed.as_any().downcast_ref::<StringArray>().unwrap();
        assert_eq!(printed.value(0), "1663.27");
        assert_eq!(printed.value(2), "0.12345", "kept as printed");
        let position = col("position");
        let position = position.as_any().downcast_ref::<Int64Array>().unwrap();
        assert_eq!(position.value(5), 5);
        let row = col("row");
        assert!(row.is_null(0) && !row.is_null(1));
        // Empty tables still make valid files with their columns.
        let file = File::open(dir.path().join("findings.parquet")).unwrap();
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        assert_eq!(
            builder.schema().fields().len(),
            Table::Findings.def().columns.len()
        );
    }
}
