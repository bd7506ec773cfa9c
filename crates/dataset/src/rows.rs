//! Rows of the tables built from report records and manifest entries.

use jixiao_normalize::{Comparison, FundingRow, ParsedValue, Report, Severity, SourceRef};
use rust_decimal::Decimal;

use crate::manifest::FileEntry;
use crate::table::{Table, Value};

/// The stable id of a report: the first 16 hex digits of its file's SHA-256 and the 0-based
/// index of its table in the file, e.g. `42c27752b8eae618-3`.
pub fn report_id(source: &SourceRef) -> String {
    let sha = source.sha256.get(..16).unwrap_or(&source.sha256);
    format!("{sha}-{}", source.table)
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

fn text(s: impl ToString) -> Value {
    Value::Text(s.to_string())
}

fn opt_text(v: Option<impl ToString>) -> Value {
    v.map_or(Value::Null, text)
}

fn int(n: impl TryInto<i64>) -> Value {
    n.try_into().map_or(Value::Null, Value::Int)
}

fn decimal(d: Option<Decimal>) -> Value {
    d.map_or(Value::Null, Value::Decimal)
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
            opt_text(op.map(comparison_name)),
            Value::Decimal(*value),
            Null,
            Null,
            opt_text(unit.as_ref()),
            opt_text(note.as_ref()),
        ],
        Some(ParsedValue::Range { low, high, unit }) => [
            text("range"),
            Null,
            Null,
            Value::Decimal(*low),
            Value::Decimal(*high),
            opt_text(unit.as_ref()),
            Null,
        ],
        Some(ParsedValue::Qualitative { .. }) => {
            [text("qualitative"), Null, Null, Null, Null, Null, Null]
        }
    }
}

/// The `files` row of one manifest entry.
pub fn file_row(e: &FileEntry) -> Vec<Value> {
    vec![
        text(&e.file),
        opt_text(e.sha256.as_ref()),
        int(e.bytes),
        text(e.status.as_str()),
        int(e.pages),
        int(e.reports),
        opt_text(e.duplicate_of.as_ref()),
        opt_text(e.error.as_ref()),
        int(e.pages_unread),
        int(e.tables_skipped),
        opt_text(Some(e.repairs.join("; ")).filter(|r| !r.is_empty())),
    ]
}

/// Every row one report contributes, in table order: its `reports` row, then its `funding`,
/// `indicators` and `findings` rows, each passed to `emit`.
pub fn report_rows<E>(
    r: &Report,
    mut emit: impl FnMut(Table, &[Value]) -> Result<(), E>,
) -> Result<(), E> {
    let id = report_id(&r.source);
    let total = r.funding.iter().find(|f| f.row == "年度资金总额");
    let amount = |get: fn(&FundingRow) -> Option<Decimal>| decimal(total.and_then(get));
    let severities = |s: Severity| int(r.findings.iter().filter(|f| f.severity == s).count());
    let pages: Vec<String> = r.source.pages.iter().map(u32::to_string).collect();
    let report = [
        text(&id),
        text(&r.source.file),
        text(&r.source.sha256),
        int(r.source.table),
        text(pages.join(";")),
        opt_text(r.title.as_ref()),
        r.year.map_or(Value::Null, int),
        opt_text(r.project_name.as_ref()),
        opt_text(r.department.as_ref()),
        opt_text(r.implementing_unit.as_ref()),
        amount(|f| f.initial_budget),
        amount(|f| f.annual_budget),
        amount(|f| f.executed),
        amount(|f| f.weight),
        amount(|f| f.execution_rate),
        amount(|f| f.score),
        opt_text(r.goal_expected.as_ref()),
        opt_text(r.goal_actual.as_ref()),
        int(r.indicators.len()),
        decimal(r.total_weight),
        decimal(r.total_score),
        opt_text(r.grade.as_ref()),
        severities(Severity::Error),
        severities(Severity::Warning),
        severities(Severity::Info),
    ];
    emit(Table::Reports, &report)?;
    for (i, f) in r.funding.iter().enumerate() {
        let row = [
            text(&id),
            int(i),
            text(&f.row),
            decimal(f.initial_budget),
            decimal(f.annual_budget),
            decimal(f.executed),
            decimal(f.weight),
            decimal(f.execution_rate),
            decimal(f.score),
        ];
        emit(Table::Funding, &row)?;
    }
    for (i, ind) in r.indicators.iter().enumerate() {
        let mut row = vec![
            text(&id),
            int(i),
            text(&ind.level1),
            text(&ind.level2),
            text(&ind.name),
            opt_text(ind.target.as_ref()),
            opt_text(ind.actual.as_ref()),
            decimal(ind.weight),
            decimal(ind.score),
            text(&ind.deviation_reason),
        ];
        row.extend(parsed_fields(ind.target_parsed.as_ref()));
        row.extend(parsed_fields(ind.actual_parsed.as_ref()));
        emit(Table::Indicators, &row)?;
    }
    for (i, f) in r.findings.iter().enumerate() {
        let row = [
            text(&id),
            int(i),
            text(&f.code),
            text(severity_name(f.severity)),
            text(&f.field),
            opt_text(f.printed.as_ref()),
            opt_text(f.recomputed.as_ref()),
            text(&f.message),
        ];
        emit(Table::Findings, &row)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::ColumnType;

    /// Every report of the golden files (written from the samples' source data).
    fn golden_reports() -> Vec<Report> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../golden");
        let mut reports = Vec::new();
        for producer in std::fs::read_dir(root).unwrap() {
            for file in std::fs::read_dir(producer.unwrap().path()).unwrap() {
                let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
                let parsed: jixiao_normalize::ParseOutput = serde_json::from_str(&text).unwrap();
                reports.extend(parsed.reports);
            }
        }
        reports
    }

    #[test]
    fn rows_are_typed_like_their_columns() {
        let reports = golden_reports();
        assert!(reports.len() > 30);
        let mut seen = std::collections::BTreeMap::<Table, usize>::new();
        for r in &reports {
            report_rows(r, |table, row| {
                let columns = table.def().columns;
                assert_eq!(row.len(), columns.len(), "{}", table.def().name);
                for (c, v) in columns.iter().zip(row) {
                    let fits = matches!(
                        (c.ty, v),
                        (_, Value::Null)
                            | (ColumnType::Text, Value::Text(_))
                            | (ColumnType::Integer, Value::Int(_))
                            | (ColumnType::Decimal, Value::Decimal(_))
                    );
                    assert!(fits, "{}.{}: {v:?}", table.def().name, c.name);
                }
                *seen.entry(table).or_default() += 1;
                Ok::<(), ()>(())
            })
            .unwrap();
        }
        assert_eq!(
            seen.len(),
            3,
            "reports, funding and indicators rows: {seen:?}"
        );
    }

    #[test]
    fn report_id_is_sha_prefix_and_table() {
        let source = SourceRef {
            file: "a.pdf".into(),
            sha256: "42c27752b8eae618aaaaaaaaaaaaaaaa".into(),
            pages: vec![1],
            table: 3,
        };
        assert_eq!(report_id(&source), "42c27752b8eae618-3");
    }
}
