//! Corruption test: seeded mutations of the born-digital samples (bit flips, overwritten and
//! deleted ranges, truncations, duplicated ranges, damage aimed at the objects that matter —
//! `/Encoding`, `/ToUnicode`, `/Kids`, `/Contents`, `/Length`, the cross-reference data)
//! go through the whole per-file pipeline of `ingest`, and for every variant:
//! - no panic, no hang (each variant within [`MAX_SECONDS`]);
//! - never `ok` with fewer reports than the undamaged file: a file that lost reports is
//!   `partial` or `failed` with page-level problems, or its manifest entry lists the tables
//!   that gave no report.
//!
//! `JIXIAO_CORRUPTION_ITERS` sets the number of variants (default 2,000, sized for CI),
//! `JIXIAO_CORRUPTION_SEED` the seed. With `JIXIAO_CORRUPTION_MEASURE=1` each variant is also
//! read by MuPDF (`mutool draw -F txt`, else `pdftotext`) and the share of the undamaged
//! text each reader still gets is printed with the tally (figures in `docs/benchmarks.md`).

mod common;

use std::collections::{BTreeMap, HashMap};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use fastrand::Rng;
use jixiao::manifest::{FileEntry, FileStatus};
use jixiao::pipeline::Pipeline;
use jixiao_extract::ExtractOptions;
use jixiao_normalize::ParseOutput;
use jixiao_ocr::OcrConfig;
use rayon::prelude::*;

/// Longest any one variant may take (a small sample reads in milliseconds).
const MAX_SECONDS: u64 = 20;

/// Samples mutated: small born-digital files of both producers, with and without a cover.
const SAMPLES: [&str; 5] = [
    "chromium/minhang-2023-excerpt.pdf",
    "chromium/putuo-2022.pdf",
    "chromium/putuo-2022-with-cover.pdf",
    "libreoffice/districts-excerpt.pdf",
    "libreoffice/template2021.pdf",
];

/// Keys after which a targeted mutation lands.
const TARGETS: [&[u8]; 9] = [
    b"/Encoding",
    b"/ToUnicode",
    b"/Kids",
    b"/Contents",
    b"/Length",
    b"/Type /Page",
    b"/Font",
    b"xref",
    b"stream\n",
];

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One seeded mutation of `original`, and its name.
fn mutate(original: &[u8], rng: &mut Rng) -> (Vec<u8>, &'static str) {
    let mut data = original.to_vec();
    let len = data.len();
    let kind = rng.usize(..7);
    // Targeted mutations pick an occurrence of one of the keys; others a random offset.
    let at = if kind == 6 {
        let key = TARGETS[rng.usize(..TARGETS.len())];
        let hits: Vec<usize> = data
            .windows(key.len())
            .enumerate()
            .filter(|(_, w)| *w == key)
            .map(|(i, _)| i)
            .collect();
        match hits.len() {
            0 => rng.usize(..len),
            n => (hits[rng.usize(..n)] + key.len() + rng.usize(..24)).min(len - 1),
        }
    } else {
        rng.usize(..len)
    };
    let name = match kind {
        0 => {
            data[at] ^= 1 << rng.usize(..8);
            "bit flip"
        }
        1 => {
            for b in data.iter_mut().skip(at).take(1 + rng.usize(..16)) {
                *b = rng.u8(..);
            }
            "bytes overwritten"
        }
        2 => {
            let end = (at + 1 + rng.usize(..2048)).min(len);
            data.drain(at..end);
            "range deleted"
        }
        3 => {
            data.truncate(at.max(16));
            "truncated"
        }
        4 => {
            let end = (at + 1 + rng.usize(..1024)).min(len);
            let copy = data[at..end].to_vec();
            let to = rng.usize(..len);
            data.splice(to..to, copy);
            "range duplicated"
        }
        5 => {
            for b in data.iter_mut().skip(at).take(1 + rng.usize(..1024)) {
                *b = 0;
            }
            "range zeroed"
        }
        _ => {
            data[at] ^= 1 << rng.usize(..8);
            "aimed bit flip"
        }
    };
    (data, name)
}

/// The pipeline of `ingest`, with OCR models that do not exist: a damaged page sent to the
/// raster path fails its file honestly instead of spending seconds in recognition.
fn pipeline() -> Pipeline {
    Pipeline::new(
        ExtractOptions::default(),
        OcrConfig {
            models_dir: std::env::temp_dir().join("jixiao-corruption-test-no-models"),
            ..OcrConfig::default()
        },
    )
}

/// The manifest entry `ingest` writes for one file, and its parse output.
fn read(pipeline: &Pipeline, bytes: &[u8], name: &str) -> (FileEntry, Option<ParseOutput>) {
    let mut entry = FileEntry::new(name.into(), None, bytes.len() as u64, FileStatus::Failed);
    match pipeline.process(bytes, name, "0") {
        Ok(parsed) => {
            entry.pages = parsed.pages;
            entry.account(parsed.output.clone());
            (entry, Some(parsed.output))
        }
        Err(message) => {
            entry.error = Some(message);
            (entry, None)
        }
    }
}

/// Non-space characters of a text, counted.
fn char_counts(text: &str) -> HashMap<char, usize> {
    let mut counts = HashMap::new();
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        *counts.entry(c).or_default() += 1;
    }
    counts
}

/// Share of `original`'s characters still found in `damaged` (as multisets).
fn recall(original: &HashMap<char, usize>, damaged: &HashMap<char, usize>) -> f64 {
    let total: usize = original.values().sum();
    let kept: usize = original
        .iter()
        .map(|(c, n)| (*n).min(damaged.get(c).copied().unwrap_or(0)))
        .sum();
    kept as f64 / total.max(1) as f64
}

/// The text of every table cell jixiao read.
fn table_text(output: Option<&ParseOutput>) -> String {
    let Some(output) = output else {
        return String::new();
    };
    serde_json::to_string(&output.reports).unwrap_or_default()
}

/// The text MuPDF (or poppler) reads from `bytes`; `None` when neither is installed.
fn reference_text(bytes: &[u8], scratch: &std::path::Path) -> Option<String> {
    std::fs::write(scratch, bytes).ok()?;
    let mutool = Command::new("mutool")
        .args(["draw", "-q", "-F", "txt", "-o", "-"])
        .arg(scratch)
        .output();
    let output = match mutool {
        Ok(o) => o,
        Err(_) => Command::new("pdftotext")
            .arg(scratch)
            .arg("-")
            .output()
            .ok()?,
    };
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[derive(Default)]
struct Tally {
    by_status: BTreeMap<&'static str, usize>,
    by_mutation: BTreeMap<&'static str, BTreeMap<&'static str, usize>>,
    repaired: usize,
    fewer_reports: usize,
    /// Measure mode: (reference reader's recall, jixiao's recall) per variant.
    recalls: Vec<(f64, f64, &'static str)>,
}

#[test]
fn damaged_samples_never_pass_as_complete() {
    let iterations = env_number("JIXIAO_CORRUPTION_ITERS", 2_000) as usize;
    let seed = env_number("JIXIAO_CORRUPTION_SEED", 0x5EED_0016);
    let measure = std::env::var_os("JIXIAO_CORRUPTION_MEASURE").is_some();
    let pipeline = pipeline();
    let originals: Vec<(String, Vec<u8>, FileEntry)> = SAMPLES
        .iter()
        .map(|rel| {
            let bytes = std::fs::read(common::sample(rel)).unwrap();
            let (entry, _) = read(&pipeline, &bytes, rel);
            assert_eq!(entry.status, FileStatus::Ok, "{rel}: {:?}", entry.error);
            assert!(entry.reports > 0, "{rel}");
            (rel.to_string(), bytes, entry)
        })
        .collect();
    let scratch = tempfile::tempdir().unwrap();
    let reference: Vec<Option<HashMap<char, usize>>> = originals
        .iter()
        .enumerate()
        .map(|(i, (_, bytes, _))| {
            measure
                .then(|| reference_text(bytes, &scratch.path().join(format!("o{i}.pdf"))))
                .flatten()
                .map(|t| char_counts(&t))
        })
        .collect();
    let jixiao_reference: Vec<HashMap<char, usize>> = originals
        .iter()
        .map(|(rel, bytes, _)| char_counts(&table_text(read(&pipeline, bytes, rel).1.as_ref())))
        .collect();

    let tally = Mutex::new(Tally::default());
    let failures = Mutex::new(Vec::new());
    (0..iterations).into_par_iter().for_each(|i| {
        let mut rng = Rng::with_seed(seed ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let which = rng.usize(..originals.len());
        let (rel, original, baseline) = &originals[which];
        let (variant, mutation) = mutate(original, &mut rng);
        let name = format!("variant {i} ({mutation} of {rel})");
        let started = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| read(&pipeline, &variant, rel)));
        let elapsed = started.elapsed();
        let Ok((entry, output)) = result else {
            failures.lock().unwrap().push(format!("{name}: panic"));
            return;
        };
        if elapsed > Duration::from_secs(MAX_SECONDS) {
            failures
                .lock()
                .unwrap()
                .push(format!("{name}: took {elapsed:?}"));
        }
        if let Some(dir) = std::env::var_os("JIXIAO_CORRUPTION_KEEP") {
            let dir = std::path::Path::new(&dir).join(entry.status.as_str());
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join(format!("{i}.pdf")), &variant);
        }
        // "Unless the manifest says why": each lost report is a table listed as skipped.
        let shortfall = baseline.reports.saturating_sub(entry.reports);
        let explained = entry.tables_skipped >= baseline.tables_skipped + shortfall;
        if entry.status == FileStatus::Ok && entry.reports < baseline.reports && !explained {
            failures.lock().unwrap().push(format!(
                "{name}: ok with {} of {} reports and nothing said",
                entry.reports, baseline.reports
            ));
        }
        let mut t = tally.lock().unwrap();
        *t.by_status.entry(entry.status.as_str()).or_default() += 1;
        *t.by_mutation
            .entry(mutation)
            .or_default()
            .entry(entry.status.as_str())
            .or_default() += 1;
        t.repaired += usize::from(!entry.repairs.is_empty());
        t.fewer_reports += usize::from(entry.reports < baseline.reports);
        if let Some(reference) = &reference[which] {
            drop(t);
            let path = scratch.path().join(format!("v{i}.pdf"));
            let theirs = reference_text(&variant, &path)
                .map_or(0.0, |text| recall(reference, &char_counts(&text)));
            let _ = std::fs::remove_file(&path);
            let ours = recall(
                &jixiao_reference[which],
                &char_counts(&table_text(output.as_ref())),
            );
            tally
                .lock()
                .unwrap()
                .recalls
                .push((theirs, ours, entry.status.as_str()));
        }
    });
    let tally = tally.into_inner().unwrap();
    eprintln!(
        "{iterations} variants (seed {seed:#x}): {:?}; {} repaired; {} with fewer reports",
        tally.by_status, tally.repaired, tally.fewer_reports
    );
    for (mutation, statuses) in &tally.by_mutation {
        eprintln!("  {mutation}: {statuses:?}");
    }
    if measure {
        print_measures(&tally.recalls);
    }
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {iterations} variants failed:\n{}",
        failures.len(),
        failures[..failures.len().min(30)].join("\n")
    );
}

/// Measure mode: how much text the reference reader and jixiao still get from the variants.
fn print_measures(recalls: &[(f64, f64, &'static str)]) {
    let n = recalls.len().max(1) as f64;
    let share = |f: &dyn Fn(&(f64, f64, &str)) -> bool| {
        recalls.iter().filter(|r| f(r)).count() as f64 / n * 100.0
    };
    eprintln!(
        "reference reader keeps >= 90% of the text: {:.1}% of variants; jixiao keeps >= 90% of \
         its table text: {:.1}%; mean recall reference {:.1}%, jixiao {:.1}%",
        share(&|r| r.0 >= 0.9),
        share(&|r| r.1 >= 0.9),
        recalls.iter().map(|r| r.0).sum::<f64>() / n * 100.0,
        recalls.iter().map(|r| r.1).sum::<f64>() / n * 100.0,
    );
    eprintln!(
        "reference >= 90% but jixiao < 90%: {:.1}% of variants, of which `ok`: {:.1}%",
        share(&|r| r.0 >= 0.9 && r.1 < 0.9),
        share(&|r| r.0 >= 0.9 && r.1 < 0.9 && r.2 == "ok"),
    );
}
