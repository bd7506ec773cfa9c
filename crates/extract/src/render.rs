//! Rasterising regions of a page from its vector content (hayro, pure Rust), so that text the
//! text layer cannot tell can be read by OCR from what the page shows.
//!
//! hayro parses the PDF again with its own parser: a document is opened for rendering only
//! when one of its pages needs it, and only the needed regions are rasterised.

use hayro::hayro_interpret::util::TransformExt;
use hayro::hayro_interpret::InterpreterSettings;
use hayro::hayro_syntax::Pdf;
use hayro::kurbo::Affine;
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::vello_cpu::{Pixmap, RasterizerSettings, RenderContext, Resources, TargetInit};
use hayro::{render_into, RenderCache, RenderSettings};

use crate::model::{ImageColorSpace, ImageEncoding, Matrix, PageContent, PageImage, Rect};

/// Most pixels along either side of one rendered region (the renderer's limit is `u16`).
const MAX_SIDE: f64 = 8000.0;

/// Height in pixels a line of text is rendered at for recognition (the recogniser's input
/// height is 48 px; text a little smaller than that reads best).
const LINE_PIXELS: f64 = 36.0;
/// Resolution bounds for rendering, whatever the text size.
const MIN_DPI: f64 = 150.0;
const MAX_DPI: f64 = 600.0;

/// The resolution at which text of `font_size` points renders [`LINE_PIXELS`] high, within
/// 150–600 dpi (150 for a size that is not one).
pub fn dpi_for_text(font_size: f64) -> f64 {
    if font_size.is_finite() && font_size > 0.0 {
        (72.0 * LINE_PIXELS / font_size).clamp(MIN_DPI, MAX_DPI)
    } else {
        MIN_DPI
    }
}

/// The size in pixels of `region` (page space, points) rendered at `dpi`; `None` when it is
/// empty or larger than the renderer allows.
pub fn pixel_size(region: &Rect, dpi: f64) -> Option<(u16, u16)> {
    let scale = dpi / 72.0;
    let width = (region.width() * scale).round();
    let height = (region.height() * scale).round();
    if !(1.0..=MAX_SIDE).contains(&width) || !(1.0..=MAX_SIDE).contains(&height) {
        return None;
    }
    Some((width as u16, height as u16))
}

/// A document opened for rendering.
pub struct PageRenderer {
    pdf: Pdf,
}

impl PageRenderer {
    /// Opens the document, or `None` when hayro cannot read it.
    pub fn new(bytes: &[u8]) -> Option<PageRenderer> {
        Pdf::new(bytes.to_vec())
            .ok()
            .map(|pdf| PageRenderer { pdf })
    }

    /// Renders `region` (page space, points) of 1-based page `number` at `dpi`, as an
    /// 8-bit gray image on white, row 0 at the top. `None` for a page that does not exist or an
    /// empty region.
    pub fn render_gray(&self, number: u32, region: &Rect, dpi: f64) -> Option<GrayImage> {
        let page = self
            .pdf
            .pages()
            .get(usize::try_from(number).ok()?.checked_sub(1)?)?;
        let (width, height) = pixel_size(region, dpi)?;
        let scale = dpi / 72.0;
        let mut ctx = RenderContext::new(width, height);
        // hayro's initial transform maps the page to device space with the origin at the top
        // left of the rotated crop box, y down, one unit per point: our page space.
        let transform = Affine::scale(scale)
            * Affine::translate((-region.x0, -region.y0))
            * page.initial_transform(true).to_kurbo();
        let cache = RenderCache::new();
        render_into(
            page,
            &cache,
            &InterpreterSettings::default(),
            &RenderSettings::default(),
            &mut ctx,
            transform,
        );
        ctx.flush();
        let mut pixmap = Pixmap::new(width, height);
        ctx.render_with(
            &mut pixmap,
            &mut Resources::default(),
            RasterizerSettings {
                target_init: TargetInit::Clear(WHITE),
                ..Default::default()
            },
        );
        let data = pixmap
            .data_as_u8_slice()
            .chunks_exact(4)
            .map(|p| {
                // Premultiplied RGBA over white; luma by Rec. 601 weights.
                let over = |c: u8| u32::from(c) + 255 - u32::from(p[3]);
                let luma = (299 * over(p[0]) + 587 * over(p[1]) + 114 * over(p[2])) / 1000;
                luma.min(255) as u8
            })
            .collect();
        Some(GrayImage {
            width: u32::from(width),
            height: u32::from(height),
            data,
        })
    }
}

/// An 8-bit gray image, row-major, row 0 at the top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrayImage {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

impl GrayImage {
    /// A page of the region's size holding only this image, drawn over all of it: what a
    /// [`crate::RasterReader`] reads like a scanned page. Its boxes are relative to the
    /// region's top-left corner.
    pub fn as_page(&self, number: u32, region: &Rect) -> PageContent {
        let (w, h) = (region.width(), region.height());
        PageContent {
            number,
            width: w,
            height: h,
            images: vec![PageImage {
                ctm: Matrix([w, 0.0, 0.0, -h, 0.0, h]),
                width: self.width,
                height: self.height,
                bits_per_component: 8,
                color_space: ImageColorSpace::Gray,
                encoding: ImageEncoding::Raw,
                decode: None,
                image_mask: false,
                data: self.data.clone(),
            }],
            ..PageContent::default()
        }
    }
}
