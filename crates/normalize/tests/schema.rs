//! `schema/report.schema.json` describes exactly what `normalize` serialises: a small
//! validator for the keywords the schema uses checks a record with every value kind, and a
//! record that breaks the schema is rejected.

mod support;

use jixiao_normalize::normalize;
use regex::Regex;
use serde_json::Value;
use support::*;

fn schema() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../schema/report.schema.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The errors of `v` against `s` (keywords: $ref, type, properties, required,
/// additionalProperties, items, anyOf, oneOf, const, enum, pattern, minimum).
fn errors(root: &Value, s: &Value, v: &Value, path: &str) -> Vec<String> {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let name = r.strip_prefix("#/$defs/").expect("local ref");
        return errors(root, &root["$defs"][name], v, path);
    }
    let mut out = Vec::new();
    if let Some(t) = s.get("type") {
        let types: Vec<&str> = match t {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => panic!("bad type"),
        };
        let ok = types.iter().any(|t| match *t {
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "null" => v.is_null(),
            "array" => v.is_array(),
            "object" => v.is_object(),
            _ => panic!("type {t}"),
        });
        if !ok {
            return vec![format!("{path}: {v} is not {types:?}")];
        }
    }
    for (key, combine) in [("anyOf", false), ("oneOf", true)] {
        if let Some(options) = s.get(key).and_then(Value::as_array) {
            let matching = options
                .iter()
                .filter(|o| errors(root, o, v, path).is_empty())
                .count();
            if matching == 0 || (combine && matching > 1) {
                out.push(format!("{path}: {matching} of {key} match {v}"));
            }
        }
    }
    if let Some(c) = s.get("const") {
        if c != v {
            out.push(format!("{path}: {v} is not {c}"));
        }
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            out.push(format!("{path}: {v} not in enum"));
        }
    }
    if let (Some(p), Some(text)) = (s.get("pattern").and_then(Value::as_str), v.as_str()) {
        if !Regex::new(p).unwrap().is_match(text) {
            out.push(format!("{path}: {text:?} does not match {p}"));
        }
    }
    if let (Some(m), Some(n)) = (s.get("minimum").and_then(Value::as_i64), v.as_i64()) {
        if n < m {
            out.push(format!("{path}: {n} < {m}"));
        }
    }
    if let Some(obj) = v.as_object() {
        let props = s.get("properties").and_then(Value::as_object);
        for req in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !obj.contains_key(req.as_str().unwrap()) {
                out.push(format!("{path}: missing {req}"));
            }
        }
        for (k, val) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(ps) => out.extend(errors(root, ps, val, &format!("{path}.{k}"))),
                None if s.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    out.push(format!("{path}: unexpected key {k}"))
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(arr)) = (s.get("items"), v.as_array()) {
        for (i, item) in arr.iter().enumerate() {
            out.extend(errors(root, items, item, &format!("{path}[{i}]")));
        }
    }
    out
}

fn output() -> Value {
    let t = report(&[
        "产出指标 | 数量指标 | 甲 | ≥1000.00(份) | 1,000(份) | 30.00 | 30.00 | \"\"",
        "^ | 质量指标 | 乙 | 1-2 批次 | 2 批次 | 3O.00 | 30.00 | \"\"",
        "效益指标 | 奇怪指标 | 丙 | 健全 | - | 30.00 | 30.00 | 无偏差",
    ]);
    serde_json::to_value(normalize(&extraction(vec![t]), &"0".repeat(64))).unwrap()
}

#[test]
fn records_match_the_schema() {
    let schema = schema();
    let out = output();
    let kinds: Vec<&str> = out["reports"][0]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["target_parsed"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["quantity", "range", "qualitative"]);
    assert!(!out["reports"][0]["findings"].as_array().unwrap().is_empty());
    let errs = errors(&schema, &schema, &out, "$");
    assert!(errs.is_empty(), "{errs:#?}");
}

#[test]
fn schema_rejects_what_records_never_contain() {
    let schema = schema();
    let mut bad = output();
    bad["reports"][0]["funding"][0]["executed"] = Value::String("1,663.27".into());
    bad["reports"][0]["indicators"][0]["target_parsed"]["op"] = Value::String(">=".into());
    bad["reports"][0]["extra"] = Value::Bool(true);
    let errs = errors(&schema, &schema, &bad, "$");
    assert_eq!(errs.len(), 3, "{errs:#?}");
}
