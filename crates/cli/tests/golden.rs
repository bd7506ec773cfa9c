//! The golden regression test and the proof that the harness notices a one-field change.

mod common;

use jixiao::golden::{self, CheckOptions, Outcome};
use jixiao_ocr::OcrReader;
use std::path::Path;

fn parse_with(
    pipeline: &jixiao::pipeline::Pipeline,
) -> impl Fn(&Path, &str) -> Result<jixiao_normalize::ParseOutput, String> + Sync + '_ {
    move |path, rel| {
        let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
        pipeline.parse(&bytes, rel).map_err(|e| e.to_string())
    }
}

/// Share of golden fields the OCR'd samples must get exact: the quality bar (see
/// docs/benchmarks.md for the measured figures).
const SCANNED_MIN_ACCURACY: f64 = 0.995;

/// Share of golden fields exact on `samples/scanned-degraded/` (issue 11's generator: hairline
/// rules, noise, seals, signatures, sideways pages), as measured, to catch regressions: far
/// below the bar of 99.5 % (see docs/benchmarks.md), not a standard.
const DEGRADED_MEASURED_ACCURACY: f64 = 0.52;

/// Every sample under samples/ against golden/ (scanned samples only when the OCR models
/// are installed): born-digital samples exactly, scanned ones field by field.
#[test]
fn samples_match_their_golden_files() {
    let root = common::workspace();
    let mut skip = Vec::new();
    if let Err(e) = OcrReader::new(common::ocr_config()) {
        eprintln!("skipping samples/scanned: {e}");
        skip.push("scanned/".to_string());
        skip.push("reread/".to_string());
        skip.push("scanned-degraded/".to_string());
    }
    let pipeline = common::pipeline();
    let results = golden::check(
        &root.join("samples"),
        &root.join("golden"),
        &CheckOptions {
            bless: false,
            skip,
            min_accuracy: vec![
                ("scanned/".to_string(), SCANNED_MIN_ACCURACY),
                ("reread/".to_string(), SCANNED_MIN_ACCURACY),
                ("scanned-degraded/".to_string(), DEGRADED_MEASURED_ACCURACY),
            ],
        },
        &parse_with(&pipeline),
    )
    .unwrap();
    assert!(!results.is_empty(), "no samples found under samples/");
    assert!(
        golden::passed(&results),
        "golden mismatch:\n{}",
        golden::render(&results)
    );
}

/// Changing one field of a golden record is reported as exactly that field; a missing golden
/// file and a golden file without a sample are failures too.
#[test]
fn harness_reports_a_single_changed_field() {
    let samples = tempfile::tempdir().unwrap();
    let goldens = tempfile::tempdir().unwrap();
    std::fs::create_dir(samples.path().join("chromium")).unwrap();
    std::fs::copy(
        common::sample("chromium/putuo-2022.pdf"),
        samples.path().join("chromium/putuo-2022.pdf"),
    )
    .unwrap();
    let pipeline = common::pipeline();
    let parse = parse_with(&pipeline);
    let bless = CheckOptions {
        bless: true,
        ..CheckOptions::default()
    };
    let blessed = golden::check(samples.path(), goldens.path(), &bless, &parse).unwrap();
    assert_eq!(blessed.len(), 1);
    assert_eq!(blessed[0].outcome, Outcome::Blessed);
    let compare = CheckOptions::default();
    assert!(golden::passed(
        &golden::check(samples.path(), goldens.path(), &compare, &parse).unwrap()
    ));

    // One field changed in the golden copy.
    let golden_file = goldens.path().join("chromium/putuo-2022.json");
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&golden_file).unwrap()).unwrap();
    let printed = value["reports"][1]["indicators"][0]["weight"].clone();
    assert!(
        printed.is_string(),
        "sample report 1 has a first indicator with a weight: {printed}"
    );
    value["reports"][1]["indicators"][0]["weight"] = serde_json::json!("99.99");
    std::fs::write(&golden_file, serde_json::to_string_pretty(&value).unwrap()).unwrap();
    let results = golden::check(samples.path(), goldens.path(), &compare, &parse).unwrap();
    let Outcome::Different(diffs) = &results[0].outcome else {
        panic!("expected a difference: {results:?}")
    };
    assert_eq!(diffs.len(), 1, "{diffs:?}");
    assert_eq!(diffs[0].path, "reports[1].indicators[0].weight");
    assert_eq!(diffs[0].actual.as_ref(), Some(&printed));
    assert_eq!(diffs[0].expected, Some(serde_json::json!("99.99")));
    let text = golden::render(&results);
    assert!(
        text.contains(&format!(
            "reports[1].indicators[0].weight: printed {printed} vs expected \"99.99\""
        )),
        "{text}"
    );

    // An orphan golden file and a sample without one.
    std::fs::rename(&golden_file, goldens.path().join("chromium/gone.json")).unwrap();
    let results = golden::check(samples.path(), goldens.path(), &compare, &parse).unwrap();
    let outcomes: Vec<(&str, &Outcome)> = results
        .iter()
        .map(|r| (r.sample.as_str(), &r.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("chromium/gone.json", &Outcome::NoSample),
            ("chromium/putuo-2022.pdf", &Outcome::NoGolden)
        ]
    );
    assert!(!golden::passed(&results));
}
