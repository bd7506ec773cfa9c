//! Normalisation alone, independent of extraction: every `samples/expected/<producer>/<doc>.tables.json`
//! (the logical tables a PDF should yield) must normalise to exactly the records of
//! `golden/<producer>/<doc>.json`.
//!
//! The expected tables carry no pages or boxes, so cells get page 1 and an empty box, and
//! `source.pages` is not compared; `source.sha256` is the hash of the sample PDF
//! (`samples/<file>`). Findings are compared only when the golden record has a `findings`
//! key (see CONTRACTS.md).

mod expected_file;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sha256_of(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    Some(
        Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    )
}

/// The first differing path between two JSON values.
fn diff(path: &str, got: &Value, want: &Value) -> Option<String> {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            let mut keys: Vec<&String> = g.keys().chain(w.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| {
                diff(
                    &format!("{path}.{k}"),
                    g.get(k).unwrap_or(&Value::Null),
                    w.get(k).unwrap_or(&Value::Null),
                )
            })
        }
        (Value::Array(g), Value::Array(w)) if g.len() == w.len() => g
            .iter()
            .zip(w)
            .enumerate()
            .find_map(|(i, (g, w))| diff(&format!("{path}[{i}]"), g, w)),
        _ if got == want => None,
        _ => Some(format!("{path}: got {got}, want {want}")),
    }
}

/// Normalises one expected-tables file; the differences from its golden file.
fn check(tables_path: &Path, golden_path: &Path) -> Vec<String> {
    let extraction = expected_file::read_extraction(tables_path).unwrap();
    let golden: Value =
        serde_json::from_str(&std::fs::read_to_string(golden_path).unwrap()).unwrap();
    let pdf = root().join("samples").join(&extraction.file);
    let sha = sha256_of(&pdf);
    let out = jixiao_normalize::normalize(&extraction, sha.as_deref().unwrap_or(""));
    let mut got = serde_json::to_value(&out).unwrap();
    let mut problems = Vec::new();
    let (Some(got_reports), Some(want_reports)) =
        (got["reports"].as_array_mut(), golden["reports"].as_array())
    else {
        return vec!["no reports array".into()];
    };
    if got_reports.len() != want_reports.len() {
        problems.push(format!(
            "{} reports, golden has {}",
            got_reports.len(),
            want_reports.len()
        ));
    }
    for (i, (g, w)) in got_reports.iter_mut().zip(want_reports).enumerate() {
        let mut w = w.clone();
        for v in [&mut *g, &mut w] {
            v["source"]["pages"] = Value::Null;
            if sha.is_none() {
                v["source"]["sha256"] = Value::Null;
            }
        }
        if w.get("findings").is_none() {
            g.as_object_mut().unwrap().remove("findings");
        }
        if let Some(d) = diff(&format!("reports[{i}]"), g, &w) {
            problems.push(d);
        }
    }
    for key in ["file", "skipped_tables"] {
        if got[key] != golden[key] {
            problems.push(format!("{key}: got {}, want {}", got[key], golden[key]));
        }
    }
    problems
}

#[test]
fn expected_tables_normalise_to_the_golden_records() {
    let expected_dir = root().join("samples/expected");
    let mut pairs = Vec::new();
    for producer in std::fs::read_dir(&expected_dir)
        .into_iter()
        .flatten()
        .flatten()
    {
        for file in std::fs::read_dir(producer.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = file.file_name().to_string_lossy().to_string();
            if let Some(doc) = name.strip_suffix(".tables.json") {
                let golden = root()
                    .join("golden")
                    .join(producer.file_name())
                    .join(format!("{doc}.json"));
                pairs.push((file.path(), golden));
            }
        }
    }
    pairs.sort();
    assert!(
        !pairs.is_empty(),
        "no expected tables under {}",
        expected_dir.display()
    );
    let mut report = String::new();
    for (tables, golden) in &pairs {
        assert!(golden.exists(), "no golden file {}", golden.display());
        let problems = check(tables, golden);
        if !problems.is_empty() {
            writeln!(
                report,
                "{}: {} difference(s)",
                tables.display(),
                problems.len()
            )
            .unwrap();
            for p in problems.iter().take(8) {
                writeln!(report, "  {p}").unwrap();
            }
        }
    }
    assert!(
        report.is_empty(),
        "normalised expected tables differ from golden:\n{report}"
    );
}
