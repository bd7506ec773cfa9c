//! Shared helpers for the benchmarks.

/// CPU time (user + system) of this process so far, in seconds (`/proc/self/stat`, 100 Hz
/// ticks): on a shared machine it tells what a run cost apart from waiting for a core.
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// The OCR reader of the benchmarks, with `instances` model instances, on the workspace's
/// models unless `JIXIAO_MODELS` names others; `None` (with the reason printed, naming
/// `benches` as what is skipped) when they cannot be loaded.
pub fn ocr_reader(instances: usize, benches: &str) -> Option<jixiao_ocr::OcrReader> {
    let mut config = jixiao_ocr::OcrConfig::from_env();
    config.instances = instances;
    if std::env::var_os("JIXIAO_MODELS").is_none() {
        config.models_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../models");
    }
    jixiao_ocr::OcrReader::new(config)
        .map_err(|e| eprintln!("{benches} skipped: {e}"))
        .ok()
}
