//! `jixiao-ocr`: the raster path for pages without a usable text layer.
//!
//! Input: a [`jixiao_extract::PageContent`] with its images. Output: a
//! [`jixiao_extract::RasterPage`] — ruling segments and recognised text boxes in page space —
//! through the [`jixiao_extract::RasterReader`] trait, so scanned pages go through the same
//! grid builder as vector pages.

pub mod binarize;
pub mod bitmap;
pub mod decode;
pub mod deskew;
pub mod engine;
pub mod error;
pub mod flatten;
pub mod fuse;
pub mod lines;
pub mod linetext;
pub mod numeric;
pub mod reader;

pub use bitmap::{Gray, PixelRect};
pub use decode::decode_image;
pub use engine::{OcrEngine, PpOcr, Recognized, RunnerUp};
pub use error::{OcrError, SETUP_COMMAND};
pub use reader::{OcrConfig, OcrReader, StageTimes};
