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
