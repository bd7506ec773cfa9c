//! `schema/report.schema.json` describes exactly what `normalize` serialises: a record with
//! every value kind conforms, and a record that breaks the schema is rejected.

mod support;

use jixiao_normalize::normalize;
use serde_json::Value;
use support::*;

/// The errors of `value` against `schema/report.schema.json`, each with its JSON pointer.
fn errors(value: &Value) -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../schema/report.schema.json"
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    validator
        .iter_errors(value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
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
    let out = output();
    let kinds: Vec<&str> = out["reports"][0]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["target_parsed"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["quantity", "range", "qualitative"]);
    assert!(!out["reports"][0]["findings"].as_array().unwrap().is_empty());
    let errs = errors(&out);
    assert!(errs.is_empty(), "{errs:#?}");
}

#[test]
fn schema_rejects_what_records_never_contain() {
    let mut bad = output();
    bad["reports"][0]["funding"][0]["executed"] = Value::String("1,663.27".into());
    bad["reports"][0]["indicators"][0]["target_parsed"]["op"] = Value::String(">=".into());
    bad["reports"][0]["extra"] = Value::Bool(true);
    let errs = errors(&bad);
    assert_eq!(errs.len(), 3, "{errs:#?}");
}
