//! Typed errors of the raster path.

use std::path::PathBuf;
use thiserror::Error;

/// The command that installs the OCR models and runtime.
pub const SETUP_COMMAND: &str = "scripts/fetch-models.sh";

/// Why a scanned page (or the OCR engine) could not be used.
#[derive(Debug, Error)]
pub enum OcrError {
    /// A model or the ONNX Runtime library is not installed.
    #[error(
        "OCR models not installed: {missing} not found in {dir} \
         (run `{SETUP_COMMAND}`, or point $JIXIAO_MODELS at the directory it filled)"
    )]
    ModelsMissing { dir: PathBuf, missing: String },
    /// ONNX Runtime failed to load or to run a model.
    #[error("ONNX Runtime: {0}")]
    Runtime(String),
    /// A model's inputs, outputs or metadata are not what PP-OCR models provide.
    #[error("unexpected model: {0}")]
    Model(String),
    /// An image's data could not be decoded.
    #[error("image decoding failed: {0}")]
    Decode(String),
    /// An image uses a feature the raster path does not support.
    #[error("unsupported image: {0}")]
    Unsupported(String),
    /// An image is larger than the configured pixel limit.
    #[error("image of {width}×{height} pixels exceeds the limit of {limit} pixels")]
    TooLarge { width: u32, height: u32, limit: u64 },
    /// The page has no image the raster path could read.
    #[error("page has no image to read")]
    NoImage,
    /// An image holds ink (about `ink_pt2` square points of it, more than a line of text)
    /// but neither text nor rules could be read from it.
    #[error("nothing could be read from a page image holding ink ({ink_pt2:.0} pt² of it)")]
    NothingRead { ink_pt2: f64 },
}

impl From<ort::Error> for OcrError {
    fn from(e: ort::Error) -> Self {
        OcrError::Runtime(e.to_string())
    }
}
