//! `jixiao-extract`: PDF bytes in, logical tables out.
//!
//! Input: the bytes of a PDF (born-digital or scanned). Output: an [`Extraction`] — for each
//! page the glyphs, ruling segments and images found by the page interpreter, and the
//! logical [`Table`]s built from them: 0-based row-major [`Cell`]s with row/column spans,
//! tables continued across pages joined into one, and the text lines above each table kept
//! as its caption.
//!
//! The layers, each usable alone:
//! - [`model`]: the geometry and result types every layer shares;
//! - [`interp`]: the content-stream interpreter on lopdf + hayro-cmap, emitting glyphs, paths
//!   and images to a [`interp::Device`];
//! - [`grid`]: segments + text boxes → edges → intersections → cells → tables, with tunable
//!   [`settings::TableSettings`] (the same builder serves vector and scanned pages);
//! - [`inspect`]: an SVG picture of one page's objects and cells for debugging.

pub mod error;
pub mod grid;
pub mod inspect;
pub mod interp;
pub mod model;
pub mod settings;

pub use error::ExtractError;
pub use model::*;
pub use settings::{ExtractOptions, Limits, TableSettings};
