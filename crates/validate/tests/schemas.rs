//! The published schemas in `schema/`: every golden `jixiao parse` output conforms to the
//! parse-output schema, the record schema is exactly the record it defines, and the schemas
//! reject what a record never holds.

use std::path::{Path, PathBuf};

use jixiao_validate::dataset::{SchemaKind, Schemas};
use serde_json::{json, Value};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn golden_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for producer in std::fs::read_dir(workspace().join("golden")).unwrap() {
        for file in std::fs::read_dir(producer.unwrap().path()).unwrap() {
            let file = file.unwrap().path();
            if file.extension().is_some_and(|e| e == "json") {
                files.push(file);
            }
        }
    }
    files.sort();
    files
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn golden_parse_outputs_and_their_records_conform() {
    let schemas = Schemas::new();
    let files = golden_files();
    assert!(files.len() >= 10, "the golden files are there");
    for file in files {
        let output = read_json(&file);
        let found = schemas.violations(SchemaKind::ParseOutput, &output);
        assert!(found.is_empty(), "{}: {found:?}", file.display());
        for record in output["reports"].as_array().unwrap() {
            assert!(schemas.violations(SchemaKind::Record, record).is_empty());
        }
    }
}

#[test]
fn the_record_schema_is_the_record_of_the_parse_schema() {
    let record = read_json(&workspace().join("schema/record.schema.json"));
    assert_eq!(record["$ref"], "report.schema.json#/$defs/report");
    let parse = read_json(&workspace().join("schema/report.schema.json"));
    assert!(parse["$defs"]["report"].is_object());
}

#[test]
fn records_that_break_the_schema_are_rejected_with_paths() {
    let schemas = Schemas::new();
    let golden = read_json(&golden_files()[0]);
    let mut record = golden["reports"][0].clone();
    record["total_score"] = json!(95.5);
    record["funding"][0]["weight"] = json!("10,00");
    record["surprise"] = json!(true);
    let paths: Vec<String> = schemas
        .violations(SchemaKind::Record, &record)
        .into_iter()
        .map(|(path, _)| path)
        .collect();
    for expected in ["$.total_score", "$.funding[0].weight", "$"] {
        assert!(
            paths.iter().any(|p| p == expected),
            "{expected} in {paths:?}"
        );
    }
}
