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

pub mod budget;
pub mod error;
pub mod font;
pub mod grid;
mod hash;
pub mod inspect;
pub mod interp;
mod lexicon;
pub mod model;
pub mod pdf;
pub mod readable;
pub mod render;
mod reread;
pub mod settings;
mod syntax;
pub mod text;

use rayon::prelude::*;

pub use budget::{Budget, BudgetError};
pub use error::ExtractError;
pub use model::*;
pub use settings::{ExtractOptions, Limits, TableSettings};

/// Pages read at once per thread of the pool: the pages of a chunk are held together (and
/// their scanned ones read in parallel), then only their tables are kept.
const PAGES_PER_THREAD: usize = 4;

/// Reads every page (or `opts.pages`) of a PDF and builds its logical tables.
///
/// Pages whose text layer is unusable (see [`interp::has_usable_text`]) are read by `raster`
/// when given, from their images or, on a vector page, from the page rendered (its text
/// replaces the page's; its segments are used when the page has none); large images on pages
/// with a text layer are read too, and cells whose text is unreadable (see [`readable`]) are
/// rendered and read again. Otherwise, or when it fails, the page gets a [`PageProblem`] and
/// tables are built from what the page has. Every part of a page that could not be read is a
/// [`PageProblem`] of severity `loss`; damage repaired while loading is in `repairs`. `file`
/// is recorded in the result as given.
///
/// Glyphs read by OCR are voted on across the document: every instance of one font's code
/// takes the character its instances were read as most (see `reread::GlyphVotes`).
///
/// The work stays within `opts.limits.budget`: pages are read a few at a time (only their
/// tables are kept, except from the first page with glyphs read by OCR on, whose pages wait
/// for the vote), every distinct set of page images is recognised once per document, and
/// the document fails with [`ExtractError::Budget`] when its memory or time runs out.
pub fn extract(
    bytes: &[u8],
    file: &str,
    opts: &ExtractOptions,
    raster: Option<&dyn RasterReader>,
) -> Result<Extraction, ExtractError> {
    let budget = &opts.limits.budget;
    let doc = pdf::PdfDocument::load(bytes, &opts.limits)?;
    let once = raster.map(|reader| RecognisedOnce::new(reader, budget));
    let raster = once.as_ref().map(|r| r as &dyn RasterReader);
    let mut assembler = grid::TableAssembler::new(&opts.table);
    let renderer = reread::LazyRenderer::new(bytes, budget);
    let mut script = readable::ScriptCount::default();
    let mut problems = Vec::new();
    let mut raster_pages = Vec::new();
    let mut votes = reread::GlyphVotes::default();
    let mut untabled_text = Vec::new();
    let mut held = Vec::new();
    let numbers: Vec<u32> = interp::page_numbers(&doc, opts)?.collect();
    let chunk = rayon::current_num_threads().max(1) * PAGES_PER_THREAD;
    for numbers in numbers.chunks(chunk) {
        let mut pages = numbers
            .iter()
            .map(|&n| interp::read_page(&doc, n, opts))
            .collect::<Result<Vec<_>, _>>()?;
        // Each page is judged by the script of the pages up to it, in page order: what a page
        // sees does not depend on how pages are chunked.
        let scripts: Vec<readable::DocumentScript> = pages
            .iter()
            .map(|(page, _)| {
                script.add(page);
                script.script()
            })
            .collect();
        // Scanned pages are read in parallel (rayon: the caller's pool, else the global one);
        // the results are taken in page order, so the output does not depend on the thread
        // count.
        let raster_results: Vec<Result<bool, String>> = pages
            .par_iter_mut()
            .zip(scripts)
            .with_max_len(1)
            .map(|((page, _), script)| {
                read_page_again(page, raster, &renderer, script, &opts.table)
            })
            .collect();
        budget.check()?;
        for ((page, charge), raster_result) in pages.into_iter().zip(raster_results) {
            let number = page.number;
            problems.extend(page.problems.iter().cloned());
            match raster_result {
                Ok(true) => raster_pages.push(number),
                Ok(false) => problems.extend(unreadable_text(&page)),
                Err(message) => {
                    problems.push(PageProblem::loss(number, ProblemKind::Raster, message))
                }
            }
            votes.add(&page);
            if votes.is_empty() {
                let read = raster_pages.last() == Some(&number);
                add_page(&mut assembler, &page, read, &mut untabled_text, budget)?;
            } else {
                // From the first glyph OCR settled on, pages wait for the document's vote.
                held.push(reread::hold(page, charge));
            }
        }
    }
    let winners = votes.winners();
    for (mut page, _charge) in held {
        winners.apply(&mut page);
        let read = raster_pages.binary_search(&page.number).is_ok();
        add_page(&mut assembler, &page, read, &mut untabled_text, budget)?;
    }
    let built = assembler.finish();
    problems.extend(built.warnings);
    // Stable: each page's problems stay in the order they were met.
    problems.sort_by_key(|p| p.page);
    Ok(Extraction {
        file: file.to_string(),
        pages: doc.page_count(),
        tables: built.tables,
        raster_pages,
        problems,
        repairs: doc.repairs.clone(),
        untabled_text,
    })
}

/// Builds the tables of `page`, whose memory is then the document's; when the page was read
/// by OCR (`raster_read`) and has no table, its text lines go to `untabled_text`.
fn add_page(
    assembler: &mut grid::TableAssembler<'_>,
    page: &PageContent,
    raster_read: bool,
    untabled_text: &mut Vec<PageText>,
    budget: &Budget,
) -> Result<(), BudgetError> {
    let mut kept = assembler.add_page(page);
    if kept == 0 && raster_read {
        let lines: Vec<TextLine> = page
            .text
            .iter()
            .filter(|t| !t.text.trim().is_empty())
            .map(|t| TextLine {
                text: t.text.clone(),
                confidence: t.confidence,
            })
            .collect();
        kept = lines
            .iter()
            .map(|l| l.text.len() + std::mem::size_of::<TextLine>())
            .sum();
        untabled_text.push(PageText {
            page: page.number,
            lines,
        });
    }
    budget.reserve(kept, "the tables found")?.keep();
    budget.check()
}

/// A loss when some characters of a page's text layer have no known text (a font whose
/// encoding or `/ToUnicode` is missing or damaged): a value in a cell may have lost them.
fn unreadable_text(page: &PageContent) -> Option<PageProblem> {
    let (mut total, mut unreadable) = (0usize, 0usize);
    for c in page.text.iter().flat_map(|t| t.text.chars()) {
        if !c.is_whitespace() {
            total += 1;
            unreadable += usize::from(text::is_unreadable(c));
        }
    }
    (unreadable > 0).then(|| {
        PageProblem::loss(
            page.number,
            ProblemKind::Text,
            format!(
                "{unreadable} of {total} characters unreadable (their font gives no text for them)"
            ),
        )
    })
}

/// Memory recognising an image takes per pixel at its peak: the decoded grey image, its
/// upright and deskewed copies, the ink masks and the crops handed to the recogniser.
const RECOGNITION_BYTES_PER_PIXEL: usize = 12;

/// A [`RasterReader`] that reads each distinct page (the same images at the same places)
/// once per document — a scan stamped on many pages is recognised once — within the
/// document's budget: the memory recognition takes is reserved first, and nothing is read
/// once the budget has run out.
struct RecognisedOnce<'a> {
    reader: &'a dyn RasterReader,
    budget: &'a Budget,
    hasher: std::hash::RandomState,
    read: std::sync::Mutex<hash::FastMap<u64, std::sync::Arc<std::sync::OnceLock<RasterRead>>>>,
}

type RasterRead = Result<RasterPage, String>;

impl<'a> RecognisedOnce<'a> {
    fn new(reader: &'a dyn RasterReader, budget: &'a Budget) -> Self {
        RecognisedOnce {
            reader,
            budget,
            hasher: std::hash::RandomState::new(),
            read: std::sync::Mutex::default(),
        }
    }

    /// A hash of an image's samples and how they are coded (not of where it is drawn).
    fn image_key(&self, image: &PageImage) -> u64 {
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut h = self.hasher.build_hasher();
        (
            image.width,
            image.height,
            image.bits_per_component,
            image.image_mask,
        )
            .hash(&mut h);
        format!("{:?}", (&image.encoding, &image.color_space, &image.decode)).hash(&mut h);
        image.data.hash(&mut h);
        h.finish()
    }

    /// What identifies what a raster reader sees of a page: its size and its images, where
    /// they are drawn.
    fn page_key(&self, page: &PageContent) -> u64 {
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut h = self.hasher.build_hasher();
        for v in [page.width, page.height] {
            v.to_bits().hash(&mut h);
        }
        for image in &page.images {
            self.image_key(image).hash(&mut h);
            for v in image.ctm.0 {
                v.to_bits().hash(&mut h);
            }
        }
        h.finish()
    }

    /// The page with each distinct image once, at its first placement, when some image is
    /// repeated (the same samples drawn from several objects): drawing a scan again adds no
    /// text to read.
    fn distinct_images(&self, page: &PageContent) -> Option<PageContent> {
        let mut seen = hash::FastSet::default();
        let keep: Vec<bool> = page
            .images
            .iter()
            .map(|image| seen.insert(self.image_key(image)))
            .collect();
        if keep.iter().all(|&k| k) {
            return None;
        }
        Some(PageContent {
            number: page.number,
            width: page.width,
            height: page.height,
            text: page.text.clone(),
            segments: page.segments.clone(),
            images: page
                .images
                .iter()
                .zip(keep)
                .filter(|(_, k)| *k)
                .map(|(image, _)| image.clone())
                .collect(),
            problems: Vec::new(),
        })
    }

    fn read_page(&self, page: &PageContent, settings: &TableSettings) -> RasterRead {
        self.budget.check().map_err(|e| e.to_string())?;
        let pixels: usize = page
            .images
            .iter()
            .map(|i| i.width as usize * i.height as usize)
            .sum();
        let what = format!("recognising the images of page {}", page.number);
        let _charge = self
            .budget
            .reserve_waiting(pixels.saturating_mul(RECOGNITION_BYTES_PER_PIXEL), &what)
            .map_err(|e| e.to_string())?;
        self.reader
            .read_page(page, settings)
            .map_err(|e| e.to_string())
    }
}

impl RasterReader for RecognisedOnce<'_> {
    fn read_page(
        &self,
        page: &PageContent,
        settings: &TableSettings,
    ) -> Result<RasterPage, Box<dyn std::error::Error + Send + Sync>> {
        let distinct = self.distinct_images(page);
        let page = distinct.as_ref().unwrap_or(page);
        let key = self.page_key(page);
        let cell = {
            let mut read = self.read.lock().unwrap_or_else(|p| p.into_inner());
            read.entry(key).or_default().clone()
        };
        cell.get_or_init(|| self.read_page(page, settings))
            .clone()
            .map_err(Into::into)
    }
}

/// Everything of a page its text layer cannot tell, read from what the page shows: a vector
/// page whose whole text layer is unusable is rendered and read like a scan; a page with no
/// usable text layer is read from its images ([`read_raster`]); the cells whose text is
/// unreadable (see [`readable`]) are rendered and read one by one. Without `raster`, the
/// page gets a warning naming what could not be read. The lines outside the tables that are
/// still unreadable are rendered and read too.
fn read_page_again(
    page: &mut PageContent,
    raster: Option<&dyn RasterReader>,
    renderer: &reread::LazyRenderer<'_>,
    script: readable::DocumentScript,
    settings: &TableSettings,
) -> Result<bool, String> {
    let rendered = match raster {
        Some(_) => reread::render_unusable_page(page, renderer)?,
        None => None,
    };
    let layer = rendered.as_ref().map(|_| page.text.clone());
    let read = read_raster(page, raster, settings);
    if let (Some(rendered), Some(layer)) = (&rendered, layer) {
        // The rendering was only there to be read: the page's tables need its text.
        page.images.clear();
        if matches!(read, Ok(true)) {
            let read = std::mem::take(&mut page.text);
            page.text = reread::settle_on_glyphs(layer, read, rendered);
        }
    }
    if read? {
        return Ok(true);
    }
    let cells = reread::unreadable_cells(page, settings, script);
    match raster {
        Some(reader) => {
            if !cells.is_empty() {
                reread::reread_cells(page, &cells, renderer, reader, settings)?;
            }
            // What is still unreadable lies outside the tables: titles, headings, notes.
            reread::reread_lines(page, script, renderer, reader, settings)?;
            Ok(false)
        }
        None if cells.is_empty() => Ok(false),
        None => {
            let mut reasons: Vec<String> = cells.iter().map(|(_, why)| why.to_string()).collect();
            reasons.sort();
            reasons.dedup();
            Err(format!(
                "{} cells unreadable ({}) and no raster reader configured to read them again",
                cells.len(),
                reasons.join(", ")
            ))
        }
    }
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
    if page.images.is_empty() && page.text.is_empty() {
        return Ok(false);
    }
    if interp::has_usable_text(page) {
        return read_pasted_images(page, raster, settings);
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

/// A page with a usable text layer may also carry scanned content (a table pasted as an
/// image, a scanned body under a vector header): its large images with no text of the layer
/// on them are read by `raster`, and what it reads is added to the page. `Ok(true)` when some
/// image was read.
fn read_pasted_images(
    page: &mut PageContent,
    raster: Option<&dyn RasterReader>,
    settings: &TableSettings,
) -> Result<bool, String> {
    let images = reread::unread_images(page);
    if images.is_empty() {
        return Ok(false);
    }
    let Some(reader) = raster else {
        return Err(format!(
            "{} image(s) without text layer not read: no raster reader configured",
            images.len()
        ));
    };
    let only_images = PageContent {
        number: page.number,
        width: page.width,
        height: page.height,
        images,
        ..PageContent::default()
    };
    let read = reader
        .read_page(&only_images, settings)
        .map_err(|e| format!("raster reading of the page's images failed: {e}"))?;
    page.text.extend(read.text);
    page.segments.extend(read.segments);
    Ok(true)
}
