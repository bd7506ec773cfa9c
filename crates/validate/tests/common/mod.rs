//! Test helpers: report sets of `samples/data/*.json` (printed strings, FORMAT.md) turned
//! into records by the canonical rules of CONTRACTS.md, and golden `jixiao parse` outputs.

#![allow(dead_code)] // each test binary uses its own subset of the helpers

use std::path::{Path, PathBuf};

use jixiao_normalize::text::{field_text, goal_text, number, parse_value};
use jixiao_normalize::{Finding, FundingRow, Indicator, ParseOutput, Report, Severity, SourceRef};
use rust_decimal::Decimal;
use serde_json::Value;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or("")
}

fn num(printed: &str) -> Option<Decimal> {
    number(printed, &["%"]).unwrap_or_else(|e| panic!("{e}"))
}

/// One printed report of a data set as a record of source `<set>.json`, table `index`.
pub fn record(set: &str, index: usize, r: &Value) -> Report {
    let header: Vec<&str> = r["funding_header"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    let funding = r["funding"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let values: Vec<&str> = row["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            let column = |pred: &dyn Fn(&str) -> bool| {
                header
                    .iter()
                    .position(|h| pred(h))
                    .and_then(|i| num(values[i]))
            };
            FundingRow {
                row: text(row, "row").to_owned(),
                initial_budget: column(&|h| h == "年初预算数"),
                annual_budget: column(&|h| h == "全年预算数"),
                executed: column(&|h| h == "全年执行数"),
                weight: column(&|h| h == "分数" || h == "分值"),
                execution_rate: column(&|h| h.starts_with("执行率")),
                score: column(&|h| h == "得分"),
            }
        })
        .collect();
    let indicators = r["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| Indicator {
            level1: text(i, "level1").to_owned(),
            level2: text(i, "level2").to_owned(),
            name: text(i, "name").to_owned(),
            target: field_text(text(i, "target")),
            actual: field_text(text(i, "actual")),
            weight: num(text(i, "weight")),
            score: num(text(i, "score")),
            deviation_reason: text(i, "deviation_reason").trim().to_owned(),
            target_parsed: parse_value(text(i, "target")),
            actual_parsed: parse_value(text(i, "actual")),
        })
        .collect();
    Report {
        source: SourceRef {
            file: format!("{set}.json"),
            sha256: set.to_owned(),
            pages: Vec::new(),
            table: index,
        },
        title: field_text(text(r, "title")),
        year: r["year"].as_i64().map(|y| y as i32),
        project_name: field_text(text(r, "project_name")),
        department: field_text(text(r, "department")),
        implementing_unit: field_text(text(r, "implementing_unit")),
        funding,
        goal_expected: goal_text(text(r, "goal_expected")),
        goal_actual: goal_text(text(r, "goal_actual")),
        indicators,
        total_weight: num(text(r, "total_weight")),
        total_score: num(text(r, "total_score")),
        grade: field_text(text(r, "grade")),
        provenance: Vec::new(),
        findings: Vec::new(),
    }
}

/// A report set of `samples/data/<file>.json`: (id, expect, record) per report.
pub fn data_set(file: &str) -> Vec<(String, Vec<String>, Report)> {
    let path = root().join("samples/data").join(format!("{file}.json"));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let set = json["set"].as_str().unwrap().to_owned();
    json["reports"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let expect = r["expect"].as_array().map_or_else(Vec::new, |e| {
                e.iter().map(|c| c.as_str().unwrap().to_owned()).collect()
            });
            (text(r, "id").to_owned(), expect, record(&set, i, r))
        })
        .collect()
}

/// Every golden `jixiao parse` output under `golden/`, with its path.
pub fn goldens() -> Vec<(PathBuf, ParseOutput)> {
    let mut out = Vec::new();
    let Ok(producers) = std::fs::read_dir(root().join("golden")) else {
        return out;
    };
    for producer in producers.flatten() {
        let Ok(files) = std::fs::read_dir(producer.path()) else {
            continue;
        };
        for file in files.flatten() {
            let path = file.path();
            if path.extension().is_some_and(|e| e == "json") {
                let parsed = serde_json::from_str(&std::fs::read_to_string(&path).unwrap());
                out.push((
                    path.clone(),
                    parsed.unwrap_or_else(|e| panic!("{}: {e}", path.display())),
                ));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The findings of `severity`.
pub fn of(findings: &[Finding], severity: Severity) -> Vec<&Finding> {
    findings.iter().filter(|f| f.severity == severity).collect()
}

/// (code, field) of each finding.
pub fn codes(findings: &[Finding]) -> Vec<(String, String)> {
    findings
        .iter()
        .map(|f| (f.code.clone(), f.field.clone()))
        .collect()
}

/// The set's declared `rounding` (FORMAT.md): (rate, score) in the validator's names.
pub fn declared_rounding(file: &str) -> (String, String) {
    let path = root().join("samples/data").join(format!("{file}.json"));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let name = |key: &str| json["rounding"][key].as_str().unwrap().replace('_', "-");
    (name("rate"), name("score"))
}
