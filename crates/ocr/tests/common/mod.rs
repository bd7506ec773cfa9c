//! The OCR set-up the model tests use: `$JIXIAO_MODELS`, else the repository's `models/`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use jixiao_ocr::OcrConfig;

/// The OCR configuration of the tests.
pub fn config() -> OcrConfig {
    let mut config = OcrConfig::from_env();
    if std::env::var_os("JIXIAO_MODELS").is_none() {
        config.models_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
    }
    config
}

/// The ONNX Runtime library and the configuration, or `None` (after saying so) when the
/// models are not installed; CI installs them.
pub fn installed() -> Option<(PathBuf, OcrConfig)> {
    let config = config();
    match config.runtime_library() {
        Ok(library) => Some((library, config)),
        Err(e) => {
            eprintln!("skipping: {e}");
            None
        }
    }
}
