//! The binary's subcommands and exit statuses: 0 success, 1 failure, 2 usage error.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn jixiao(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args(args)
        .env("JIXIAO_MODELS", common::ocr_config().models_dir)
        .output()
        .expect("run jixiao")
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exit status")
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pdf");
    assert_eq!(code(&jixiao(&[])), 2);
    assert_eq!(
        code(&jixiao(&["ingest", path(dir.path())])),
        2,
        "--out is required"
    );
    let out = jixiao(&[
        "ingest",
        path(&missing),
        "--out",
        path(&dir.path().join("out")),
    ]);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.pdf"));
    assert_eq!(code(&jixiao(&["parse", path(&missing)])), 2);
    assert_eq!(
        code(&jixiao(&[
            "golden",
            "check",
            path(&missing),
            path(dir.path())
        ])),
        2
    );
    let sample = common::sample("chromium/putuo-2022.pdf");
    assert_eq!(
        code(&jixiao(&["extract", path(&sample), "--pages", "5-2"])),
        2
    );
    assert_eq!(
        code(&jixiao(&[
            "inspect",
            path(&sample),
            "--page",
            "99",
            "-o",
            path(&dir.path().join("p.svg"))
        ])),
        2
    );
}

#[test]
fn parse_extract_and_inspect_print_their_results() {
    let sample = common::sample("chromium/putuo-2022.pdf");
    let out = jixiao(&["parse", path(&sample)]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(parsed["file"], path(&sample));
    assert!(parsed["reports"].as_array().is_some_and(|r| !r.is_empty()));
    assert!(parsed["skipped_tables"].is_u64());

    let out = jixiao(&["extract", path(&sample), "--pages", "2"]);
    assert_eq!(code(&out), 0);
    let extraction: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let tables = extraction["tables"].as_array().unwrap();
    assert!(!tables.is_empty());
    assert!(
        tables.iter().all(|t| t["pages"] == serde_json::json!([2])),
        "only page 2 read"
    );

    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("page.svg");
    assert_eq!(
        code(&jixiao(&[
            "inspect",
            path(&sample),
            "--page",
            "2",
            "-o",
            path(&svg)
        ])),
        0
    );
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));
}

/// `inspect` on a scanned page draws what OCR read there and the cells found from the
/// scan's ruling lines, as extraction sees the page.
#[test]
fn inspect_reads_a_scanned_page_through_ocr() {
    let sample = common::sample("scanned/putuo-2022-150dpi.pdf");
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("page.svg");
    let out = jixiao(&["inspect", path(&sample), "--page", "1", "-o", path(&svg)]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(svg.contains(">项目名称</text>"), "OCR text drawn");
    assert!(svg.contains(">0,0 "), "cells labelled");
}

#[test]
fn ingest_exits_1_when_a_file_failed_and_validate_when_a_number_is_wrong() {
    let inputs = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    std::fs::copy(
        common::sample("chromium/putuo-2022.pdf"),
        inputs.path().join("good.pdf"),
    )
    .unwrap();
    let ok = jixiao(&[
        "ingest",
        path(inputs.path()),
        "--out",
        path(out.path()),
        "--quiet",
        "--excel-csv",
    ]);
    assert_eq!(code(&ok), 0, "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(
        ok.stderr.is_empty() && ok.stdout.is_empty(),
        "--quiet prints nothing"
    );
    let csv = std::fs::read(out.path().join("reports.csv")).unwrap();
    assert!(
        csv.starts_with("\u{feff}report_id,".as_bytes()),
        "BOM then the header"
    );

    std::fs::write(
        inputs.path().join("broken.pdf"),
        b"%PDF-1.7\ngarbage\n%%EOF\n",
    )
    .unwrap();
    let failed = jixiao(&["ingest", path(inputs.path()), "--out", path(out.path())]);
    assert_eq!(code(&failed), 1);
    let summary = String::from_utf8_lossy(&failed.stderr);
    assert!(summary.contains("1 ok, 1 failed"), "{summary}");

    // A dataset whose first total score was changed: validate finds it and exits 1.
    let jsonl = std::fs::read_to_string(out.path().join("reports.jsonl")).unwrap();
    let mut reports: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    reports[0]["total_score"] = serde_json::json!("1.00");
    let edited = inputs.path().join("edited.jsonl");
    let lines: Vec<String> = reports.iter().map(|r| r.to_string()).collect();
    std::fs::write(&edited, lines.join("\n") + "\n").unwrap();
    let validated = jixiao(&["validate", path(&edited)]);
    assert_eq!(code(&validated), 1);
    let findings: Vec<serde_json::Value> = String::from_utf8_lossy(&validated.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        findings
            .iter()
            .any(|f| f["table"] == reports[0]["source"]["table"]
                && f["field"] == "total_score"
                && f["severity"] == "error"),
        "{findings:#?}"
    );
}

/// Ingests one sample into a fresh directory and returns (dir, its reports.jsonl lines as JSON).
fn ingested_records() -> (tempfile::TempDir, Vec<serde_json::Value>) {
    let out = tempfile::tempdir().unwrap();
    let ok = jixiao(&[
        "ingest",
        path(&common::sample("chromium/putuo-2022.pdf")),
        "--out",
        path(out.path()),
        "--quiet",
    ]);
    assert_eq!(code(&ok), 0, "{}", String::from_utf8_lossy(&ok.stderr));
    let jsonl = std::fs::read_to_string(out.path().join("reports.jsonl")).unwrap();
    let records = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out, records)
}

fn jsonl_bytes(records: &[serde_json::Value]) -> Vec<u8> {
    let lines: Vec<String> = records.iter().map(|r| r.to_string()).collect();
    (lines.join("\n") + "\n").into_bytes()
}

/// `validate` reads a dataset under `schema/record.schema.json`: a misspelt or unknown field,
/// money as a JSON number and a byte that is not UTF-8 are each reported with their line and
/// JSON path (exit 1, nothing validated); a leading byte-order mark is accepted.
#[test]
fn validate_enforces_the_published_schema() {
    let (dir, records) = ingested_records();
    assert!(records.len() >= 3, "the sample has several reports");
    let run = |name: &str, bytes: &[u8]| {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let out = jixiao(&["validate", path(&file)]);
        (
            code(&out),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.stdout,
        )
    };
    let (clean_code, _, clean_stdout) = run("clean.jsonl", &jsonl_bytes(&records));

    let mut misspelt = records.clone();
    let score = misspelt[1]
        .as_object_mut()
        .unwrap()
        .remove("total_score")
        .unwrap();
    misspelt[1]["total_scroe"] = score;
    let (status, stderr, stdout) = run("misspelt.jsonl", &jsonl_bytes(&misspelt));
    assert_eq!(status, 1, "{stderr}");
    assert!(
        stdout.is_empty(),
        "nothing is validated from a dataset that breaks the schema"
    );
    assert!(
        stderr.contains("line 2: $: ") && stderr.contains("\"total_score\""),
        "{stderr}"
    );
    assert!(stderr.contains("total_scroe"), "{stderr}");
    assert!(
        !stderr.contains("line 1:"),
        "only line 2 is wrong: {stderr}"
    );

    let mut float_money = records.clone();
    float_money[0]["funding"][0]["executed"] = serde_json::json!(2288.52);
    float_money[2]["unknown_field"] = serde_json::json!("x");
    let (status, stderr, _) = run("float.jsonl", &jsonl_bytes(&float_money));
    assert_eq!(status, 1, "{stderr}");
    assert!(
        stderr.contains("line 1: $.funding[0].executed: "),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 3: $: ") && stderr.contains("unknown_field"),
        "{stderr}"
    );

    let mut bytes = jsonl_bytes(&records);
    let third_line = bytes
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .nth(1)
        .unwrap()
        .0
        + 5;
    bytes.insert(third_line, 0xFF);
    let (status, stderr, _) = run("latin1.jsonl", &bytes);
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("line 3: $: not UTF-8"), "{stderr}");

    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend(jsonl_bytes(&records));
    let (status, stderr, stdout) = run("bom.jsonl", &with_bom);
    assert_eq!((status, stdout), (clean_code, clean_stdout), "{stderr}");
}

/// A full or closed stderr never aborts the work: `ingest 2>/dev/full` still writes its
/// dataset and exits by what happened; a full stdout makes `parse` fail with exit 1.
#[test]
fn full_output_streams_do_not_abort_the_work() {
    let out = tempfile::tempdir().unwrap();
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let status = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args(["ingest", path(&common::sample("chromium/putuo-2022.pdf"))])
        .args(["--out", path(out.path())])
        .env("JIXIAO_MODELS", common::ocr_config().models_dir)
        .stderr(full())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(out.path().join("reports.jsonl").is_file());

    let parse = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args(["parse", path(&common::sample("chromium/putuo-2022.pdf"))])
        .stdout(full())
        .output()
        .unwrap();
    assert_eq!(parse.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&parse.stderr).contains("cannot write to stdout: the disk is full")
    );
}
