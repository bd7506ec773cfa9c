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
//! - [`pdf`]: the document layer (objects parsed on demand, lopdf's loader for damaged or
//!   encrypted files; loading under [`Limits`], page tree with inherited attributes,
//!   resources, content streams, images);
//! - [`font`]: character code → (text, advance, is-space) for every font kind, on hayro-cmap;
//! - [`text`]: the folding that makes text read as a reader sees it;
//! - [`interp`]: the content-stream interpreter, emitting glyphs, paths and images to a
//!   [`interp::Device`], and [`interp::PageCollector`] turning them into [`PageContent`]s;
//! - [`grid`]: segments + text boxes → edges → intersections → cells → tables, with tunable
//!   [`settings::TableSettings`] (the same builder serves vector and scanned pages);
//! - [`inspect`]: an SVG picture of one page's objects and cells for debugging.

pub mod error;
pub mod font;
pub mod grid;
mod hash;
pub mod inspect;
pub mod interp;
pub mod model;
pub mod pdf;
pub mod settings;
mod syntax;
pub mod text;

use rayon::prelude::*;

pub use error::ExtractError;
pub use model::*;
pub use settings::{ExtractOptions, Limits, TableSettings};

/// Reads every page (or `opts.pages`) of a PDF and builds its logical tables.
///
/// Pages whose text layer is unusable (see [`interp::has_usable_text`]) and that carry images
/// are read by `raster` when given (its text replaces the page's; its segments are used when
/// the page has none); otherwise, or when it fails, the page gets a [`PageWarning`] and tables
/// are built from what the page has. `file` is recorded in the result as given.
pub fn extract(
    bytes: &[u8],
    file: &str,
    opts: &ExtractOptions,
    raster: Option<&dyn RasterReader>,
) -> Result<Extraction, ExtractError> {
    let doc = pdf::PdfDocument::load(bytes, &opts.limits)?;
    let mut pages = interp::read_document_pages(&doc, opts)?;
    // Scanned pages are read in parallel (rayon: the caller's pool, else the global one); the
    // results are taken in page order, so the output does not depend on the thread count.
    let raster_results: Vec<Result<bool, String>> = pages
        .par_iter_mut()
        .with_max_len(1)
        .map(|page| read_raster(page, raster, &opts.table))
        .collect();
    let mut warnings = Vec::new();
    let mut raster_pages = Vec::new();
    for (page, raster_result) in pages.iter().zip(raster_results) {
        let number = page.number;
        warnings.extend(page.warnings.iter().map(|m| PageWarning {
            page: number,
            message: m.clone(),
        }));
        match raster_result {
            Ok(true) => raster_pages.push(number),
            Ok(false) => {}
            Err(message) => warnings.push(PageWarning {
                page: number,
                message,
            }),
        }
    }
    let built = grid::build_tables_with_warnings(&pages, &opts.table);
    warnings.extend(built.warnings);
    Ok(Extraction {
        file: file.to_string(),
        pages: doc.page_count(),
        tables: built.tables,
        raster_pages,
        warnings,
    })
}

/// Replaces the text of a page without a usable text layer (see [`interp::has_usable_text`])
/// by what `raster` reads from its images, and takes the raster's ruling segments when the
/// page has none. `Ok(true)` when the page was read that way, `Ok(false)` when it needs no
/// raster reading, `Err` with the reason when it needed it and could not have it.
pub fn read_raster(
    page: &mut PageContent,
    raster: Option<&dyn RasterReader>,
    settings: &TableSettings,
) -> Result<bool, String> {
    if interp::has_usable_text(page) || (page.images.is_empty() && page.text.is_empty()) {
        return Ok(false);
    }
    match raster.filter(|_| !page.images.is_empty()) {
        Some(reader) => match reader.read_page(page, settings) {
            Ok(read) => {
                page.text = read.text;
                if page.segments.is_empty() {
                    page.segments = read.segments;
                }
                Ok(true)
            }
            Err(e) => Err(format!("raster reading failed: {e}")),
        },
        None if page.images.is_empty() => {
            Err("text layer unreadable and the page has no image".to_string())
        }
        None => Err("no usable text layer and no raster reader configured".to_string()),
    }
}
