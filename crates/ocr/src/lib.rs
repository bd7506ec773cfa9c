//! `jixiao-ocr`: the raster path for pages without a usable text layer.
//!
//! Input: a [`jixiao_extract::PageContent`] with its images. Output: a
//! [`jixiao_extract::RasterPage`] — ruling segments and recognised text boxes in page space —
//! through the [`jixiao_extract::RasterReader`] trait, so scanned pages go through the same
//! grid builder as vector pages.
