//! Geometry and result types shared by every layer of the extraction crate.
//!
//! Coordinates are PDF points in *page space*: origin at the top-left corner of the page's
//! crop box after `/Rotate` is applied, x to the right, y downwards (as a reader scans).

use serde::{Deserialize, Serialize};

/// An axis-aligned rectangle in page space, `x0 <= x1`, `y0 <= y1`.
/// Serialised as `[x0, y0, x1, y1]` rounded to 0.01 pt.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(from = "[f64; 4]", into = "[f64; 4]")]
pub struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    /// Builds a rectangle from two corners in any order.
    pub fn from_corners(ax: f64, ay: f64, bx: f64, by: f64) -> Self {
        Rect {
            x0: ax.min(bx),
            y0: ay.min(by),
            x1: ax.max(bx),
            y1: ay.max(by),
        }
    }
    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }
    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }
    pub fn center(&self) -> (f64, f64) {
        ((self.x0 + self.x1) / 2.0, (self.y0 + self.y1) / 2.0)
    }
    /// The smallest rectangle containing both.
    pub fn union(&self, other: &Rect) -> Rect {
        Rect {
            x0: self.x0.min(other.x0),
            y0: self.y0.min(other.y0),
            x1: self.x1.max(other.x1),
            y1: self.y1.max(other.y1),
        }
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

impl From<[f64; 4]> for Rect {
    fn from(a: [f64; 4]) -> Self {
        Rect {
            x0: a[0],
            y0: a[1],
            x1: a[2],
            y1: a[3],
        }
    }
}

impl From<Rect> for [f64; 4] {
    fn from(r: Rect) -> Self {
        [round2(r.x0), round2(r.y0), round2(r.x1), round2(r.y1)]
    }
}

/// A 2-D affine transform `[a b c d e f]` as in PDF: `x' = a·x + c·y + e`, `y' = b·x + d·y + f`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Matrix(pub [f64; 6]);

impl Matrix {
    pub const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// `self` applied first, then `other` (PDF's `self × other`).
    pub fn then(&self, other: &Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = other.0;
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    /// Maps a point.
    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }
}

/// Where a piece of text came from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum TextSource {
    /// The PDF's text layer, through its own mappings (`/ToUnicode`, encodings, CMaps).
    #[default]
    Pdf,
    /// The embedded font program (its `cmap` or glyph names), the PDF mapping nothing.
    FontProgram,
    /// Optical recognition of the page image or of the rendered region.
    Ocr,
}

impl TextSource {
    /// Whether this is the default source (not serialised then).
    pub fn is_pdf(&self) -> bool {
        *self == TextSource::Pdf
    }
}

/// A piece of text with its box in page space: one glyph from a PDF text layer, or one
/// recognised line from OCR.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextBox {
    /// The characters as a reader sees them (already folded, see `text` normalisation).
    pub text: String,
    pub bbox: Rect,
    /// Font size in points (glyph height for OCR boxes).
    pub font_size: f64,
    /// Recogniser confidence in 0..=1 for OCR text; `None` for a PDF text layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// Which way the glyph's baseline runs on the page.
    #[serde(default, skip_serializing_if = "Direction::is_upright")]
    pub direction: Direction,
    /// Where the text came from.
    #[serde(default, skip_serializing_if = "TextSource::is_pdf")]
    pub source: TextSource,
    /// The glyph a text-layer box draws; `None` for OCR lines and for text given by
    /// `/ActualText`.
    #[serde(skip)]
    pub glyph: Option<GlyphCode>,
    /// For OCR text: what the recogniser weighed for each CJK ideograph of `text`, in order
    /// (see [`Alternatives`]); empty when the reader gives none.
    #[serde(skip)]
    pub alternatives: Box<[Alternatives]>,
}

/// The characters a recogniser weighed for one character it read, most probable first, each
/// with its probability (the character read among them).
pub type Alternatives = Box<[(char, f32)]>;

/// A glyph of one font of a document: within the document, every glyph drawn with the same
/// code of the same font prints the same character, whatever its text layer says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GlyphCode {
    /// The font's number in the document (see [`crate::font::Font::id`]).
    pub font: u32,
    /// The character code in the font.
    pub code: u32,
}

/// Which way a line of text runs on the page (y down): the direction of its baseline, in
/// quarter turns clockwise from left-to-right. Text printed sideways on a page (a landscape
/// table on a portrait page, a rotated `cm`, a `/Rotate`d page drawn unrotated) runs
/// [`Direction::Up`] or [`Direction::Down`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Left to right: upright text.
    #[default]
    Right,
    /// Top to bottom (turned a quarter clockwise).
    Down,
    /// Right to left (upside down).
    Left,
    /// Bottom to top (turned a quarter counter-clockwise).
    Up,
}

impl Direction {
    /// All four, upright first.
    pub const ALL: [Direction; 4] = [
        Direction::Right,
        Direction::Down,
        Direction::Left,
        Direction::Up,
    ];

    /// The direction of the vector (`dx`, `dy`) in page space, to the nearest quarter turn.
    pub fn of_vector(dx: f64, dy: f64) -> Direction {
        if dx.abs() >= dy.abs() {
            if dx >= 0.0 {
                Direction::Right
            } else {
                Direction::Left
            }
        } else if dy > 0.0 {
            Direction::Down
        } else {
            Direction::Up
        }
    }

    /// Whether text in this direction reads upright.
    pub fn is_upright(&self) -> bool {
        *self == Direction::Right
    }

    fn quarters(self) -> u8 {
        self as u8
    }

    fn from_quarters(q: u8) -> Direction {
        Direction::ALL[usize::from(q % 4)]
    }

    /// This direction as seen in a frame turned so that `frame` reads upright.
    pub fn relative_to(self, frame: Direction) -> Direction {
        Direction::from_quarters(self.quarters() + 4 - frame.quarters())
    }
}

/// The turn of a page that makes text of one [`Direction`] read upright: page space of a
/// `width` × `height` page → the *frame* (a page turned so that its origin is again the
/// top-left corner), and back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Turn {
    /// The direction that reads upright in the frame.
    pub direction: Direction,
    /// The page's size in page space.
    pub width: f64,
    pub height: f64,
}

impl Turn {
    /// No turn: the frame is page space.
    pub fn none(width: f64, height: f64) -> Turn {
        Turn {
            direction: Direction::Right,
            width,
            height,
        }
    }

    /// The frame's size.
    pub fn frame_size(&self) -> (f64, f64) {
        match self.direction {
            Direction::Right | Direction::Left => (self.width, self.height),
            Direction::Down | Direction::Up => (self.height, self.width),
        }
    }

    /// A point of page space in the frame.
    pub fn point(&self, x: f64, y: f64) -> (f64, f64) {
        match self.direction {
            Direction::Right => (x, y),
            Direction::Down => (y, self.width - x),
            Direction::Left => (self.width - x, self.height - y),
            Direction::Up => (self.height - y, x),
        }
    }

    /// A point of the frame in page space.
    pub fn point_back(&self, x: f64, y: f64) -> (f64, f64) {
        match self.direction {
            Direction::Right => (x, y),
            Direction::Down => (self.width - y, x),
            Direction::Left => (self.width - x, self.height - y),
            Direction::Up => (y, self.height - x),
        }
    }

    /// The affine map from the frame back to page space, as `[a b c d e f]`
    /// (`x = a·x' + c·y' + e`, `y = b·x' + d·y' + f`).
    pub fn back_matrix(&self) -> [f64; 6] {
        let (w, h) = (self.width, self.height);
        match self.direction {
            Direction::Right => [1.0, 0.0, 0.0, 1.0, 0.0, 0.0],
            Direction::Down => [0.0, 1.0, -1.0, 0.0, w, 0.0],
            Direction::Left => [-1.0, 0.0, 0.0, -1.0, w, h],
            Direction::Up => [0.0, -1.0, 1.0, 0.0, 0.0, h],
        }
    }

    /// A rectangle of page space in the frame.
    pub fn rect(&self, r: &Rect) -> Rect {
        let (ax, ay) = self.point(r.x0, r.y0);
        let (bx, by) = self.point(r.x1, r.y1);
        Rect::from_corners(ax, ay, bx, by)
    }

    /// A rectangle of the frame in page space.
    pub fn rect_back(&self, r: &Rect) -> Rect {
        let (ax, ay) = self.point_back(r.x0, r.y0);
        let (bx, by) = self.point_back(r.x1, r.y1);
        Rect::from_corners(ax, ay, bx, by)
    }

    /// A segment of page space in the frame.
    pub fn segment(&self, s: &Segment) -> Segment {
        let (a, b) = match s.orientation {
            Orientation::Horizontal => (self.point(s.start, s.pos), self.point(s.end, s.pos)),
            Orientation::Vertical => (self.point(s.pos, s.start), self.point(s.pos, s.end)),
        };
        let horizontal = (a.1 - b.1).abs() <= (a.0 - b.0).abs();
        let (pos, start, end) = if horizontal {
            (a.1, a.0.min(b.0), a.0.max(b.0))
        } else {
            (a.0, a.1.min(b.1), a.1.max(b.1))
        };
        Segment {
            orientation: if horizontal {
                Orientation::Horizontal
            } else {
                Orientation::Vertical
            },
            pos,
            start,
            end,
            ..*s
        }
    }

    /// A text box of page space in the frame, its direction made relative to the frame.
    pub fn text_box(&self, t: &TextBox) -> TextBox {
        TextBox {
            bbox: self.rect(&t.bbox),
            direction: t.direction.relative_to(self.direction),
            ..t.clone()
        }
    }
}

/// Direction of a ruling segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Orientation {
    Horizontal,
    Vertical,
}

/// An axis-aligned ruling line: a stroked line, a rectangle side, or a thin filled rectangle.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub orientation: Orientation,
    /// y of a horizontal segment, x of a vertical one.
    pub pos: f64,
    /// Start (smaller x or y) along the segment.
    pub start: f64,
    /// End (larger x or y) along the segment.
    pub end: f64,
    /// Stroke width (or thickness of the filled rectangle).
    pub width: f64,
}

/// How an image's samples are compressed once the generic filters (Flate, LZW, ASCII85,
/// ASCIIHex, RunLength, with predictors) have been undone.
#[derive(Debug, Clone, PartialEq)]
pub enum ImageEncoding {
    /// Raw samples, `bits_per_component` each, rows padded to whole bytes.
    Raw,
    /// `DCTDecode` (JPEG); `color_transform` from the filter's parameters when given.
    Dct { color_transform: Option<i64> },
    /// `CCITTFaxDecode` with its parameters.
    Ccitt {
        k: i64,
        columns: u32,
        rows: u32,
        black_is_1: bool,
        encoded_byte_align: bool,
        end_of_block: bool,
    },
    /// `JBIG2Decode`, with the decoded `/JBIG2Globals` stream when present.
    Jbig2 { globals: Option<Vec<u8>> },
    /// `JPXDecode` (JPEG 2000).
    Jpx,
}

/// An image's colour space, reduced to what a raster reader needs.
#[derive(Debug, Clone, PartialEq)]
pub enum ImageColorSpace {
    Gray,
    Rgb,
    Cmyk,
    /// `Indexed` with base components, highest index and the palette bytes.
    Indexed {
        base_components: u8,
        hival: u32,
        palette: Vec<u8>,
    },
    /// Anything else (ICC, Lab, Separation …) with its number of components when known.
    Other {
        name: String,
        components: Option<u8>,
    },
}

/// An image drawn on a page, with its placement: `ctm` maps the unit square (image space,
/// y up as in PDF) to page space.
#[derive(Debug, Clone, PartialEq)]
pub struct PageImage {
    pub ctm: Matrix,
    pub width: u32,
    pub height: u32,
    pub bits_per_component: u8,
    pub color_space: ImageColorSpace,
    pub encoding: ImageEncoding,
    /// `/Decode` array when present.
    pub decode: Option<Vec<f64>>,
    /// `/ImageMask true`: a stencil mask painted with the fill colour.
    pub image_mask: bool,
    pub data: Vec<u8>,
}

impl PageImage {
    /// The bytes a raw (`ImageEncoding::Raw`) image's samples take; `None` for other
    /// encodings and colour spaces of unknown size.
    pub fn raw_len(&self) -> Option<usize> {
        if self.encoding != ImageEncoding::Raw {
            return None;
        }
        let components = match &self.color_space {
            ImageColorSpace::Gray | ImageColorSpace::Indexed { .. } => 1,
            ImageColorSpace::Rgb => 3,
            ImageColorSpace::Cmyk => 4,
            ImageColorSpace::Other { components, .. } => (*components)?,
        };
        let components = if self.image_mask { 1 } else { components };
        let row_bits =
            self.width as usize * usize::from(components) * usize::from(self.bits_per_component);
        row_bits.div_ceil(8).checked_mul(self.height as usize)
    }
}

/// Everything the interpreter found on one page, in page space.
#[derive(Debug, Clone, Default)]
pub struct PageContent {
    /// 1-based page number.
    pub number: u32,
    pub width: f64,
    pub height: f64,
    pub text: Vec<TextBox>,
    pub segments: Vec<Segment>,
    pub images: Vec<PageImage>,
    /// Problems that did not stop the page (an unreadable operator, a missing font …).
    pub problems: Vec<PageProblem>,
}

/// One merged cell of a logical table (one entry per merged cell, not per covered slot).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// 0-based row of the cell's top-left slot.
    pub row: usize,
    /// 0-based column of the cell's top-left slot.
    pub col: usize,
    pub rowspan: usize,
    pub colspan: usize,
    /// The cell's lines in reading order, wrapped lines joined (no space between CJK).
    pub text: String,
    /// 1-based page on which the cell starts.
    pub page: u32,
    /// The cell's box on that page.
    pub bbox: Rect,
    /// Lowest OCR confidence of the text in the cell; absent for a text layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// Where the cell's text came from (the least direct source of any of its characters).
    #[serde(default)]
    pub text_source: TextSource,
}

/// A logical table: one bordered table, possibly continued over several pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// 1-based pages the table covers, ascending.
    pub pages: Vec<u32>,
    /// Text lines directly above the table on its first page (title, year line …).
    pub caption: Vec<String>,
    pub n_rows: usize,
    pub n_cols: usize,
    /// Row-major (by `row`, then `col`), every slot covered exactly once.
    pub cells: Vec<Cell>,
}

impl Table {
    /// The cell covering slot (`row`, `col`), if any.
    pub fn cell_at(&self, row: usize, col: usize) -> Option<&Cell> {
        self.cells.iter().find(|c| {
            row >= c.row && row < c.row + c.rowspan && col >= c.col && col < c.col + c.colspan
        })
    }
}

/// What part of a page a [`PageProblem`] concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// The page object itself (missing, or found only by scanning the file).
    Page,
    /// A content stream or Form XObject: missing, not decoded, damaged data or operators.
    Content,
    /// A font: missing, or shown without one.
    Font,
    /// Characters whose text is unknown (U+FFFD, private use …).
    Text,
    /// An image XObject that could not be read.
    Image,
    /// A scanned page that the raster (OCR) path could not read.
    Raster,
    /// A work limit (operators, glyphs, segments, nesting) cut the page short.
    Limit,
    /// A table grid repaired or a continuation decided by the grid builder.
    Grid,
    /// A table from which no report could be read although it is not known to be anything
    /// else (found by the normaliser: its labels misread or split over fragments).
    Table,
}

/// Whether a [`PageProblem`] cost anything: a `loss` makes the file `partial`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemSeverity {
    /// Worth knowing (a repair, a decision); nothing of the page was lost.
    Note,
    /// Part or all of the page could not be read: its tables may be incomplete.
    Loss,
}

/// A problem on one page that did not stop the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageProblem {
    /// 1-based page.
    pub page: u32,
    pub kind: ProblemKind,
    pub severity: ProblemSeverity,
    /// What happened, in words naming the object concerned.
    pub message: String,
}

impl PageProblem {
    /// A problem that lost part of `page`.
    pub fn loss(page: u32, kind: ProblemKind, message: impl Into<String>) -> PageProblem {
        PageProblem {
            page,
            kind,
            severity: ProblemSeverity::Loss,
            message: message.into(),
        }
    }

    /// A problem on `page` that lost nothing.
    pub fn note(page: u32, kind: ProblemKind, message: impl Into<String>) -> PageProblem {
        PageProblem {
            severity: ProblemSeverity::Note,
            ..PageProblem::loss(page, kind, message)
        }
    }

    /// True when the problem lost part of the page.
    pub fn is_loss(&self) -> bool {
        self.severity == ProblemSeverity::Loss
    }
}

impl std::fmt::Display for PageProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "page {}: {}", self.page, self.message)
    }
}

/// The result of extracting one document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    pub file: String,
    /// Number of pages in the document.
    pub pages: u32,
    pub tables: Vec<Table>,
    /// Pages read through the raster (OCR) path.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub raster_pages: Vec<u32>,
    /// Problems met on the pages, in page order; a `loss` means part of a page was not read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<PageProblem>,
    /// Damage to the file as a whole that was repaired (cross-reference table rebuilt by
    /// scanning the objects, pages found outside a broken page tree …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repairs: Vec<String>,
    /// The text of every page read by OCR on which no table was found, so that a form whose
    /// rules were not seen can be told from a page of prose.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub untabled_text: Vec<PageText>,
}

/// The text lines of one page, as read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageText {
    /// 1-based page.
    pub page: u32,
    pub lines: Vec<TextLine>,
}

/// One line of text as read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextLine {
    pub text: String,
    /// The recogniser's confidence; absent for a text layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
}

/// Distinct pages with at least one problem of severity `loss`, ascending.
pub fn pages_with_losses(problems: &[PageProblem]) -> Vec<u32> {
    let mut pages: Vec<u32> = problems
        .iter()
        .filter(|p| p.is_loss())
        .map(|p| p.page)
        .collect();
    pages.sort_unstable();
    pages.dedup();
    pages
}

/// Reads a page that has no usable text layer from its images (implemented by the OCR crate).
///
/// It returns ruling segments and text boxes in page space; the extraction crate then feeds
/// them to the same grid builder as vector pages.
pub trait RasterReader: Send + Sync {
    fn read_page(
        &self,
        page: &PageContent,
        settings: &crate::settings::TableSettings,
    ) -> Result<RasterPage, Box<dyn std::error::Error + Send + Sync>>;
}

/// What a [`RasterReader`] recovered from a page image.
#[derive(Debug, Clone, Default)]
pub struct RasterPage {
    pub text: Vec<TextBox>,
    pub segments: Vec<Segment>,
}

/// One cell found from ruling lines alone, before any text is assigned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellBox {
    pub row: usize,
    pub col: usize,
    pub rowspan: usize,
    pub colspan: usize,
    pub bbox: Rect,
}

/// The cells of one table on one page found from ruling lines alone (used by cell-aware OCR
/// and by the debug view).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridCells {
    /// Outer box of the table on the page.
    pub bbox: Rect,
    pub n_rows: usize,
    pub n_cols: usize,
    /// Row-major, every slot covered exactly once.
    pub cells: Vec<CellBox>,
}
