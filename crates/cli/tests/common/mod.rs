//! Helpers shared by the integration tests: where the workspace's samples and models are.
#![allow(dead_code)] // each test binary uses only some of these helpers

use std::path::{Path, PathBuf};

use jixiao::pipeline::Pipeline;
use jixiao_extract::ExtractOptions;
use jixiao_ocr::OcrConfig;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A sample PDF under `samples/` (rendered by the generator; see samples/generator/README.md).
pub fn sample(rel: &str) -> PathBuf {
    let path = workspace().join("samples").join(rel);
    assert!(
        path.is_file(),
        "sample {} missing: render the samples first",
        path.display()
    );
    path
}

/// OCR models from `$JIXIAO_MODELS`, else the workspace's `models/`.
pub fn ocr_config() -> OcrConfig {
    let mut config = OcrConfig::from_env();
    if std::env::var_os("JIXIAO_MODELS").is_none() {
        config.models_dir = workspace().join("models");
    }
    config
}

/// The pipeline the binary runs.
pub fn pipeline() -> Pipeline {
    Pipeline::new(ExtractOptions::default(), ocr_config())
}
