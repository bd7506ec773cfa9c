//! The golden-file harness behind `jixiao golden check`.
//!
//! For every PDF under a samples directory at relative path `R`, the pipeline's `parse`
//! output (with `file` = `R`) is compared field by field with `<golden-dir>/R.json` (`.pdf`
//! replaced by `.json`). A sample without a golden file, or a golden file without a sample,
//! is a failure too. `findings` are compared only where the golden object has that key
//! (hand-written goldens carry none; blessed ones do).

use std::fmt;
use std::path::{Path, PathBuf};

use jixiao_normalize::ParseOutput;
use rayon::prelude::*;
use serde_json::Value;

/// Keys compared only when the expected object has them: findings, the provenance of fields
/// not read from the text layer (OCR confidences cannot be written from the data), and the
/// reasons of skipped tables (golden files count skipped tables only).
const OPTIONAL_KEYS: [&str; 3] = ["findings", "provenance", "skipped"];

/// One field that differs.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// JSON path, e.g. `reports[3].indicators[2].score`.
    pub path: String,
    /// What the pipeline printed; `None` when the field is missing there.
    pub actual: Option<Value>,
    /// What the golden file expects; `None` when the field is missing there.
    pub expected: Option<Value>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |v: &Option<Value>| v.as_ref().map_or("(missing)".to_string(), Value::to_string);
        write!(
            f,
            "{}: printed {} vs expected {}",
            self.path,
            show(&self.actual),
            show(&self.expected)
        )
    }
}

/// Every field where `actual` and `expected` differ, in document order.
pub fn compare(actual: &Value, expected: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    compare_at(String::new(), actual, expected, &mut out);
    out
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn compare_at(path: String, actual: &Value, expected: &Value, out: &mut Vec<Difference>) {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            let mut keys: Vec<&String> = a.keys().chain(e.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let p = child(&path, key);
                match (a.get(key), e.get(key)) {
                    (Some(av), Some(ev)) => compare_at(p, av, ev, out),
                    (Some(_), None) if OPTIONAL_KEYS.contains(&key.as_str()) => {}
                    (av, ev) => out.push(Difference {
                        path: p,
                        actual: av.cloned(),
                        expected: ev.cloned(),
                    }),
                }
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            for i in 0..a.len().max(e.len()) {
                let p = format!("{path}[{i}]");
                match (a.get(i), e.get(i)) {
                    (Some(av), Some(ev)) => compare_at(p, av, ev, out),
                    (av, ev) => out.push(Difference {
                        path: p,
                        actual: av.cloned(),
                        expected: ev.cloned(),
                    }),
                }
            }
        }
        _ if actual == expected => {}
        _ => out.push(Difference {
            path: if path.is_empty() { "$".into() } else { path },
            actual: Some(actual.clone()),
            expected: Some(expected.clone()),
        }),
    }
}

/// The result for one sample (or one orphan golden file).
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Identical.
    Same,
    /// Fields differ.
    Different(Vec<Difference>),
    /// Fields differ, but no more than the sample's `--min-accuracy` allows (OCR'd input):
    /// the share of the golden file's fields that are exact, and the differences.
    Tolerated(f64, Vec<Difference>),
    /// The sample has no golden file.
    NoGolden,
    /// The golden file has no sample.
    NoSample,
    /// The pipeline (or reading the golden file) failed.
    Failed(String),
    /// `--bless`: the golden file was (re)written.
    Blessed,
}

/// One line of the check: a sample's relative path and what happened.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleCheck {
    /// Path of the PDF relative to the samples directory, `/`-separated.
    pub sample: String,
    pub outcome: Outcome,
}

/// Options of a check.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Rewrite the golden files from the pipeline's output instead of comparing.
    pub bless: bool,
    /// Relative path prefixes left out on both sides (e.g. `scanned/` without OCR models).
    pub skip: Vec<String>,
    /// `(prefix, fraction)`: samples under `prefix` pass when at least `fraction` of their
    /// golden file's fields are exact (for OCR'd input); the rest must match exactly.
    pub min_accuracy: Vec<(String, f64)>,
}

/// Number of leaf fields (strings, numbers, booleans, nulls, empty containers) in `value`.
pub fn field_count(value: &Value) -> usize {
    match value {
        Value::Object(m) if !m.is_empty() => m.values().map(field_count).sum(),
        Value::Array(a) if !a.is_empty() => a.iter().map(field_count).sum(),
        _ => 1,
    }
}

/// Share of `expected`'s fields that the differences leave exact: a differing subtree counts
/// as all the fields on its larger side.
pub fn accuracy(expected: &Value, differences: &[Difference]) -> f64 {
    let total = field_count(expected).max(1);
    let wrong: usize = differences
        .iter()
        .map(|d| {
            let side = |v: &Option<Value>| v.as_ref().map_or(0, field_count);
            side(&d.actual).max(side(&d.expected)).max(1)
        })
        .sum();
    total.saturating_sub(wrong) as f64 / total as f64
}

/// Why the check could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum GoldenError {
    #[error("{path}: cannot list: {}", crate::stage::describe(.source))]
    List {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: cannot write: {}", crate::stage::describe(.source))]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// The pipeline to check: `(path of the PDF, relative name)` → parse output.
pub type Parser<'a> = dyn Fn(&Path, &str) -> Result<ParseOutput, String> + Sync + 'a;

/// The golden file of a sample: `R` with its `.pdf` extension replaced by `.json`.
pub fn golden_name(sample: &str) -> String {
    let stem = sample.len() - Path::new(sample).extension().map_or(0, |e| e.len() + 1);
    format!("{}.json", &sample[..stem])
}

/// Runs the check (or blesses) over every sample; results sorted by sample path.
pub fn check(
    samples: &Path,
    golden: &Path,
    opts: &CheckOptions,
    parse: &Parser,
) -> Result<Vec<SampleCheck>, GoldenError> {
    let keep = |rel: &String| !opts.skip.iter().any(|p| rel.starts_with(p.as_str()));
    let pdfs: Vec<String> = list(samples, "pdf")?.into_iter().filter(keep).collect();
    let goldens: Vec<String> = list(golden, "json")?.into_iter().filter(keep).collect();
    let mut results = pdfs
        .par_iter()
        .map(|rel| -> Result<SampleCheck, GoldenError> {
            let golden_path = golden.join(golden_name(rel));
            let outcome = match parse(&samples.join(rel), rel).and_then(|o| to_value(&o)) {
                Err(message) => Outcome::Failed(message),
                Ok(actual) if opts.bless => {
                    write_golden(&golden_path, &actual)?;
                    Outcome::Blessed
                }
                Ok(actual) => match std::fs::read_to_string(&golden_path) {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Outcome::NoGolden,
                    Err(e) => Outcome::Failed(format!(
                        "{}: cannot read: {}",
                        golden_path.display(),
                        crate::stage::describe(&e)
                    )),
                    Ok(text) => match serde_json::from_str::<Value>(&text) {
                        Err(e) => Outcome::Failed(format!(
                            "{}: not a golden file: {e}",
                            golden_path.display()
                        )),
                        Ok(expected) => match compare(&actual, &expected) {
                            d if d.is_empty() => Outcome::Same,
                            d => {
                                let share = accuracy(&expected, &d);
                                let tolerated = opts.min_accuracy.iter().any(|(prefix, min)| {
                                    rel.starts_with(prefix.as_str()) && share >= *min
                                });
                                if tolerated {
                                    Outcome::Tolerated(share, d)
                                } else {
                                    Outcome::Different(d)
                                }
                            }
                        },
                    },
                },
            };
            Ok(SampleCheck {
                sample: rel.clone(),
                outcome,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let with_sample: std::collections::HashSet<String> =
        pdfs.iter().map(|p| golden_name(p)).collect();
    for g in goldens.iter().filter(|g| !with_sample.contains(*g)) {
        results.push(SampleCheck {
            sample: g.clone(),
            outcome: Outcome::NoSample,
        });
    }
    results.sort_by(|a, b| a.sample.cmp(&b.sample));
    Ok(results)
}

fn to_value(output: &ParseOutput) -> Result<Value, String> {
    serde_json::to_value(output).map_err(|e| e.to_string())
}

fn write_golden(path: &Path, value: &Value) -> Result<(), GoldenError> {
    let err = |source| GoldenError::Write {
        path: path.display().to_string(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(err)?;
    }
    let mut text =
        serde_json::to_string_pretty(value).map_err(|e| err(std::io::Error::other(e)))?;
    text.push('\n');
    std::fs::write(path, text).map_err(err)
}

/// Files under `dir` whose extension is `ext` (case-insensitive), as sorted `/`-separated
/// relative paths; an absent directory has none.
pub fn list(dir: &Path, ext: &str) -> Result<Vec<String>, GoldenError> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    let mut stack: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let err = |source| GoldenError::List {
            path: d.display().to_string(),
            source,
        };
        for entry in std::fs::read_dir(&d).map_err(err)? {
            let path = entry.map_err(err)?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case(ext))
            {
                let rel = path.strip_prefix(dir).unwrap_or(&path);
                let parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(parts.join("/"));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// True when the sample matched, was blessed, or differs within its tolerance.
fn is_pass(outcome: &Outcome) -> bool {
    matches!(
        outcome,
        Outcome::Same | Outcome::Blessed | Outcome::Tolerated(..)
    )
}

/// True when every sample passed.
pub fn passed(results: &[SampleCheck]) -> bool {
    results.iter().all(|r| is_pass(&r.outcome))
}

/// A readable report: one line per sample, the differing fields indented below it.
pub fn render(results: &[SampleCheck]) -> String {
    let mut out = String::new();
    for r in results {
        let line = match &r.outcome {
            Outcome::Same => format!("ok       {}", r.sample),
            Outcome::Blessed => format!("blessed  {}", r.sample),
            Outcome::NoGolden => format!(
                "MISSING  {}: no golden file {}",
                r.sample,
                golden_name(&r.sample)
            ),
            Outcome::NoSample => format!("MISSING  {}: golden file without a sample", r.sample),
            Outcome::Failed(m) => format!("FAILED   {}: {m}", r.sample),
            Outcome::Different(d) => {
                with_differences(format!("DIFFERS  {} ({} fields)", r.sample, d.len()), d)
            }
            Outcome::Tolerated(share, d) => with_differences(
                format!(
                    "ok~      {} ({:.2} % of fields exact; {} differ)",
                    r.sample,
                    share * 100.0,
                    d.len()
                ),
                d,
            ),
        };
        out.push_str(&line);
        out.push('\n');
    }
    let bad = results.iter().filter(|r| !is_pass(&r.outcome)).count();
    out.push_str(&format!(
        "{} samples, {} not matching\n",
        results.len(),
        bad
    ));
    out
}

fn with_differences(mut head: String, differences: &[Difference]) -> String {
    for diff in differences {
        head.push_str(&format!("\n    {diff}"));
    }
    head
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_each_differing_field_with_its_path() {
        let actual = json!({"file": "a.pdf", "reports": [{"x": "1.00", "l": [1, 2]}], "n": 1});
        let expected =
            json!({"file": "a.pdf", "reports": [{"x": "1.0", "l": [1]}], "n": 1, "m": null});
        let d: Vec<String> = compare(&actual, &expected)
            .iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(
            d,
            [
                "m: printed (missing) vs expected null",
                "reports[0].l[1]: printed 2 vs expected (missing)",
                "reports[0].x: printed \"1.00\" vs expected \"1.0\"",
            ]
        );
    }

    #[test]
    fn findings_compared_only_when_expected_has_them() {
        let actual = json!({"reports": [{"a": 1, "findings": [{"code": "X"}]}]});
        assert!(compare(&actual, &json!({"reports": [{"a": 1}]})).is_empty());
        let d = compare(&actual, &json!({"reports": [{"a": 1, "findings": []}]}));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "reports[0].findings[0]");
    }

    #[test]
    fn accuracy_counts_differing_subtrees_by_their_fields() {
        let expected = json!({"a": "1", "b": {"c": 1, "d": [1, 2]}});
        assert_eq!(field_count(&expected), 4);
        let actual = json!({"a": "1", "b": {"c": 2}, "findings": [1]});
        let d = compare(&actual, &expected);
        assert_eq!(d.len(), 2);
        assert_eq!(accuracy(&expected, &d), 0.25);
    }

    #[test]
    fn golden_names_replace_the_extension() {
        assert_eq!(
            golden_name("chromium/minhang-2023.pdf"),
            "chromium/minhang-2023.json"
        );
        assert_eq!(golden_name("scanned/A.PDF"), "scanned/A.json");
    }
}
