//! Mutation test: corrupted variants of the sample PDFs (byte flips, truncations, deleted and
//! duplicated ranges, numbers swapped in content streams, stray operators) must each come back
//! as `Ok` or `Err` — never a panic, never unbounded work.
//!
//! `JIXIAO_FUZZ_ITERS` sets the number of variants (default 10,000, sized for CI);
//! `JIXIAO_FUZZ_SEED` the seed. Inputs: a table PDF built in `interp_pdfs`, and one-page
//! excerpts of the smallest PDFs under `samples/chromium` and `samples/libreoffice`, each both
//! as produced (compressed) and with its streams decompressed so that content streams get
//! mutated as text.

mod interp_pdfs;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::{Duration, Instant};

use jixiao_extract::interp::read_pages;
use jixiao_extract::{extract, ExtractOptions};
use lopdf::Document;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// The first page of a sample, alone, as produced and with its streams decompressed.
fn excerpts(path: &Path) -> Vec<Vec<u8>> {
    let Ok(mut doc) = Document::load(path) else {
        return Vec::new();
    };
    let pages: Vec<u32> = doc.get_pages().keys().copied().filter(|&n| n > 1).collect();
    doc.delete_pages(&pages);
    doc.prune_objects();
    let compressed = interp_pdfs::save(doc.clone());
    doc.decompress();
    vec![compressed, interp_pdfs::save(doc)]
}

/// Sample excerpts kept per producer (the smallest ones, to keep the test fast).
const EXCERPTS_PER_PRODUCER: usize = 2;

fn inputs() -> Vec<(String, Vec<u8>)> {
    let mut out = vec![("built:table".to_string(), interp_pdfs::table_document())];
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples");
    for producer in ["chromium", "libreoffice"] {
        let Ok(dir) = std::fs::read_dir(samples.join(producer)) else {
            continue;
        };
        let mut found: Vec<(String, Vec<Vec<u8>>)> = dir
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
            .map(|p| {
                (
                    format!(
                        "{producer}/{}",
                        p.file_name().unwrap_or_default().to_string_lossy()
                    ),
                    excerpts(&p),
                )
            })
            .filter(|(_, x)| !x.is_empty())
            .collect();
        found.sort_by_key(|(name, x)| (x[0].len(), name.clone()));
        for (name, forms) in found.into_iter().take(EXCERPTS_PER_PRODUCER) {
            for (k, bytes) in forms.into_iter().enumerate() {
                out.push((
                    format!("{name}#{}", ["as produced", "decompressed"][k]),
                    bytes,
                ));
            }
        }
    }
    out
}

const TOKENS: &[&[u8]] = &[
    b" q ",
    b" Q ",
    b" [ ",
    b" ] ",
    b" << ",
    b" >> ",
    b" BI ",
    b" ID ",
    b" EI ",
    b" BT ",
    b" ET ",
    b" /F1 ",
    b" Tf ",
    b" Tj ",
    b" TJ ",
    b" Do ",
    b" cm ",
    b" re ",
    b" f ",
    b" S ",
    b" (",
    b") ",
    b" <",
    b"> ",
    b" 1e308 ",
    b" -99999999999 ",
    b" 0 0 0 0 0 0 cm ",
    b" obj ",
    b" endobj ",
    b" stream\n",
    b"\nendstream ",
    b" R ",
    b"%",
    b"\\",
];

/// One corrupted copy of `input`.
fn mutate(input: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut v = input.to_vec();
    let rounds = 1 + rng.below(3);
    for _ in 0..rounds {
        let len = v.len().max(1);
        match rng.below(7) {
            0 => {
                for _ in 0..1 + rng.below(16) {
                    let i = rng.below(len);
                    if let Some(b) = v.get_mut(i) {
                        *b = rng.next() as u8;
                    }
                }
            }
            1 => v.truncate(rng.below(len)),
            2 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(2048)).min(v.len());
                if start < end {
                    v.drain(start..end);
                }
            }
            3 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(4096)).min(v.len());
                let at = rng.below(len);
                if start < end && at <= v.len() {
                    let piece = v[start..end].to_vec();
                    v.splice(at..at, piece);
                }
            }
            4 | 5 => {
                // Replace a number (a run of digits) with another, often extreme, one.
                for _ in 0..1 + rng.below(8) {
                    let i = rng.below(len);
                    let Some(start) = (i..v.len()).find(|&k| v[k].is_ascii_digit()) else {
                        break;
                    };
                    let end = (start..v.len())
                        .find(|&k| !v[k].is_ascii_digit())
                        .unwrap_or(v.len());
                    let replacement: Vec<u8> = match rng.below(5) {
                        0 => b"0".to_vec(),
                        1 => b"4294967296".to_vec(),
                        2 => b"-1".to_vec(),
                        3 => b"99999999999999999999".to_vec(),
                        _ => (rng.next() % 100_000).to_string().into_bytes(),
                    };
                    v.splice(start..end, replacement);
                }
            }
            _ => {
                let token = TOKENS[rng.below(TOKENS.len())];
                let at = rng.below(len).min(v.len());
                let times = if rng.below(4) == 0 {
                    1 + rng.below(300)
                } else {
                    1
                };
                let insert: Vec<u8> = token
                    .iter()
                    .copied()
                    .cycle()
                    .take(token.len() * times)
                    .collect();
                v.splice(at..at, insert);
            }
        }
    }
    v
}

#[test]
fn corrupted_samples_never_panic() {
    let iterations: usize = std::env::var("JIXIAO_FUZZ_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let seed: u64 = std::env::var("JIXIAO_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_F00D);
    let inputs = inputs();
    let mut opts = ExtractOptions::default();
    opts.limits.max_decompressed_bytes = 32 << 20;
    opts.limits.max_operators_per_page = 200_000;

    // Quiet the default hook: a panic is reported below with its variant.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(seed | 1);
    let (mut ok, mut err) = (0usize, 0usize);
    let mut failures = Vec::new();
    let mut slowest = (Duration::ZERO, String::new());
    let started = Instant::now();
    for i in 0..iterations {
        let (name, input) = &inputs[i % inputs.len()];
        let variant = mutate(input, &mut rng);
        let t = Instant::now();
        // Every tenth variant goes through the whole pipeline (tables included).
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            if i % 10 == 0 {
                extract(&variant, name, &opts, None).map(|_| ())
            } else {
                read_pages(&variant, &opts).map(|_| ())
            }
        }));
        let elapsed = t.elapsed();
        if elapsed > slowest.0 {
            slowest = (elapsed, format!("variant {i} of {name}"));
        }
        match outcome {
            Ok(Ok(())) => ok += 1,
            Ok(Err(_)) => err += 1,
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("variant {i} of {name} (seed {seed}): {message}"));
            }
        }
    }
    std::panic::set_hook(hook);
    eprintln!(
        "{iterations} variants of {} inputs in {:?}: {ok} Ok, {err} Err, {} panics; slowest {:?} ({})",
        inputs.len(),
        started.elapsed(),
        failures.len(),
        slowest.0,
        slowest.1
    );
    assert!(
        failures.is_empty(),
        "{} panics:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        slowest.0 < Duration::from_secs(10),
        "a variant took {:?}: {}",
        slowest.0,
        slowest.1
    );
}
