//! Reading a dataset of records (`reports.jsonl`, from jixiao or from elsewhere) under the
//! published schema, before anything is recomputed.
//!
//! Every line must be one record that conforms to `schema/record.schema.json` (the record of
//! `schema/report.schema.json`: required
//! fields, types — money and scores are decimal strings, never JSON numbers — and no unknown
//! field). Each line is read on its own: a line that is not UTF-8, not JSON or not a record is
//! reported with its line number (and, for schema violations, the JSON path of each
//! violation), and the other lines are still checked, so one run lists every problem. A UTF-8
//! byte-order mark before the first line is accepted; blank lines are skipped.

use std::fmt;

use jixiao_normalize::Report;
use jsonschema::Validator;
use serde_json::Value;

/// `schema/report.schema.json`: the output of `jixiao parse`, defining the record.
pub const PARSE_OUTPUT_SCHEMA: &str = include_str!("../../../schema/report.schema.json");

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// One problem of one line of a dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// 1-based line number in the file.
    pub line: usize,
    /// JSON path of the offending value (`$.funding[0].score`), `$` for the whole line.
    pub path: String,
    /// What is wrong, in plain words.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.path, self.message)
    }
}

/// Which published schema a JSON value is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaKind {
    /// One record (a `reports.jsonl` line).
    Record,
    /// The whole output of `jixiao parse`.
    ParseOutput,
}

/// The published schemas, compiled once.
pub struct Schemas {
    record: Validator,
    parse_output: Validator,
}

impl Schemas {
    /// Compiles the schemas shipped in `schema/` (built into the binary). The record schema
    /// refers to the record defined in the parse-output schema; it is compiled as that
    /// definition with the parse-output schema's `$defs`, so no file or network is read.
    pub fn new() -> Schemas {
        // The schemas are part of this crate's source and tested: a failure here is a build
        // defect, not an input problem.
        let parse_output: Value =
            serde_json::from_str(PARSE_OUTPUT_SCHEMA).expect("schema/report.schema.json is JSON");
        let record = serde_json::json!({
            "$schema": parse_output["$schema"],
            "$defs": parse_output["$defs"],
            "$ref": "#/$defs/report",
        });
        let compile = |schema: &Value| {
            jsonschema::validator_for(schema).expect("the schemas in schema/ compile")
        };
        Schemas {
            record: compile(&record),
            parse_output: compile(&parse_output),
        }
    }

    /// Every violation of `value` against the schema, as (JSON path, message), in the
    /// validator's order.
    pub fn violations(&self, kind: SchemaKind, value: &Value) -> Vec<(String, String)> {
        let validator = match kind {
            SchemaKind::Record => &self.record,
            SchemaKind::ParseOutput => &self.parse_output,
        };
        validator
            .iter_errors(value)
            .map(|e| {
                let message = match e.instance().as_ref() {
                    Value::Number(n) => format!(
                        "{e} (a JSON number {n}: money, rates and scores are decimal strings \
                         as printed, e.g. \"{n}\")"
                    ),
                    _ => e.to_string(),
                };
                (json_path(&e.instance_path().to_string()), message)
            })
            .collect()
    }
}

impl Default for Schemas {
    fn default() -> Self {
        Schemas::new()
    }
}

/// Reads a `reports.jsonl` file: every record, or every violation of every line.
pub fn read_records(bytes: &[u8], schemas: &Schemas) -> Result<Vec<Report>, Vec<Violation>> {
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    let mut records = Vec::new();
    let mut violations = Vec::new();
    for (index, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = index + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        match read_line(raw, schemas) {
            Ok(Some(report)) => records.push(report),
            Ok(None) => {}
            Err(found) => violations.extend(found.into_iter().map(|(path, message)| Violation {
                line,
                path,
                message,
            })),
        }
    }
    if violations.is_empty() {
        Ok(records)
    } else {
        Err(violations)
    }
}

/// One line: `None` when blank, the record, or its violations as (path, message).
fn read_line(raw: &[u8], schemas: &Schemas) -> Result<Option<Report>, Vec<(String, String)>> {
    let whole = |message: String| vec![("$".to_string(), message)];
    let text = std::str::from_utf8(raw).map_err(|e| {
        whole(format!(
            "not UTF-8 text: invalid byte 0x{:02X} at column {}",
            raw[e.valid_up_to()],
            e.valid_up_to() + 1
        ))
    })?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    if text.starts_with('\u{FEFF}') {
        return Err(whole(
            "a byte-order mark (U+FEFF) in the middle of the file; only the first line may start with one".into(),
        ));
    }
    let value: Value = serde_json::from_str(text)
        .map_err(|e| whole(format!("not JSON: {e} (column {})", e.column())))?;
    let found = schemas.violations(SchemaKind::Record, &value);
    if !found.is_empty() {
        return Err(found);
    }
    serde_json::from_value(value)
        .map(Some)
        .map_err(|e| whole(format!("not a record: {e}")))
}

/// A JSON pointer (`/funding/0/score`) as a JSON path (`$.funding[0].score`).
fn json_path(pointer: &str) -> String {
    let mut path = String::from("$");
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
            path.push_str(&format!("[{token}]"));
        } else {
            path.push('.');
            path.push_str(&token);
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::json_path;

    #[test]
    fn pointers_become_json_paths() {
        assert_eq!(json_path(""), "$");
        assert_eq!(json_path("/funding/0/score"), "$.funding[0].score");
        assert_eq!(json_path("/a~1b/c~0d"), "$.a/b.c~d");
    }
}
