//! The content-stream interpreter: graphics and text state, text showing with every font kind
//! of the [`crate::font`] layer, path construction and painting, images and Form XObjects.
//! It emits what it draws, in page space, to a [`Device`]; [`PageCollector`] is the device
//! that turns that into a [`PageContent`].

use std::borrow::Cow;
use std::rc::Rc;

use lopdf::{Dictionary, Object, ObjectId};

use crate::budget::Reservation;
use crate::error::ExtractError;
use crate::font::Font;
use crate::model::{
    Direction, GlyphCode, Matrix, PageContent, PageImage, PageProblem, ProblemKind, Rect,
    TextSource,
};
use crate::pdf::{
    as_f64, as_name, charged_stream_data, deref, dict, get, matrix, merge_resources, read_image,
    PageInfo, PdfDocument,
};
use crate::settings::{ExtractOptions, Limits};

mod clip;
mod collector;
mod lexer;
mod marked;

pub use collector::{has_usable_text, PageCollector};
use lexer::{Lexer, Operand};
use marked::{HeldGlyph, Marked, Span};

/// Operators run between two looks at the document's budget (its deadline and whether it
/// ran out).
const BUDGET_CHECK_INTERVAL: usize = 4096;

/// One glyph drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph<'a> {
    /// The folded text of the glyph (U+FFFD when unknown).
    pub text: &'a str,
    /// From the origin to origin + advance, and from the font's descent to its ascent.
    pub bbox: Rect,
    /// Effective font size in points (text matrix and CTM applied).
    pub font_size: f64,
    /// The character code in the font.
    pub code: u32,
    /// Which way the baseline runs on the page.
    pub direction: Direction,
    /// Where the text came from (the PDF's mappings or the embedded font program).
    pub source: TextSource,
    /// The font's code drawn (`None` for text given by `/ActualText`).
    pub glyph: Option<GlyphCode>,
}

/// One element of a path, in page space.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PathEl {
    /// Starts a subpath.
    MoveTo(f64, f64),
    /// A straight line from the current point.
    LineTo(f64, f64),
    /// A cubic Bézier curve: two control points, then the end point.
    CurveTo(f64, f64, f64, f64, f64, f64),
    /// Closes the subpath with a straight line back to its start.
    Close,
}

/// A painted path.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Path {
    /// Subpaths as elements, each starting with [`PathEl::MoveTo`].
    pub elements: Vec<PathEl>,
    /// Stroke width in page space (points).
    pub stroke_width: f64,
}

/// How a path is painted. Colours are approximated as RGB in 0..=1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paint {
    /// Stroked (`S s B B* b b*`).
    pub stroke: bool,
    /// Filled (`f F f* B B* b b*`).
    pub fill: bool,
    /// Even-odd fill rule (`f* B* b*`).
    pub even_odd: bool,
    /// Stroking colour.
    pub stroke_color: [f64; 3],
    /// Filling colour.
    pub fill_color: [f64; 3],
}

/// Receives what the interpreter draws, in page space.
pub trait Device {
    /// A glyph was shown.
    fn glyph(&mut self, glyph: &Glyph<'_>);
    /// A path was painted.
    fn path(&mut self, path: &Path, paint: Paint);
    /// An image XObject was drawn.
    fn image(&mut self, image: PageImage);
}

/// Graphics state (text state included) saved by `q` and restored by `Q`.
#[derive(Clone)]
struct GState {
    ctm: Matrix,
    line_width: f64,
    fill: [f64; 3],
    stroke: [f64; 3],
    font: Option<Rc<Font>>,
    font_size: f64,
    char_spacing: f64,
    word_spacing: f64,
    h_scale: f64,
    leading: f64,
    rise: f64,
    /// A rectangle in page space holding the clip region (`None`: the whole plane).
    clip: Option<Rect>,
}

impl Default for GState {
    fn default() -> Self {
        GState {
            ctm: Matrix::IDENTITY,
            line_width: 1.0,
            fill: [0.0; 3],
            stroke: [0.0; 3],
            font: None,
            font_size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            h_scale: 1.0,
            leading: 0.0,
            rise: 0.0,
            clip: None,
        }
    }
}

/// Interprets one page's content streams (and the Form XObjects they draw), emitting to
/// `device`. Returns the problems that did not stop the page.
pub fn interpret_page(
    doc: &PdfDocument,
    page: &PageInfo,
    limits: &Limits,
    device: &mut dyn Device,
) -> Vec<PageProblem> {
    let (content, mut warnings, _content_charge) = doc.page_content(page, limits);
    let mut interp = Interp {
        doc,
        limits,
        device,
        page_t: page.page_transform(),
        gs: GState::default(),
        stack: Vec::new(),
        tm: Matrix::IDENTITY,
        tlm: Matrix::IDENTITY,
        path: Vec::new(),
        current: None,
        subpath_start: (0.0, 0.0),
        clip_pending: false,
        operators: 0,
        decoded: 0,
        forms: Vec::new(),
        images: Vec::new(),
        marked: Marked::default(),
        page: page.number,
        warnings: Vec::new(),
    };
    interp.run(&content, &page.resources);
    if let Some(span) = interp.marked.leave(0) {
        interp.emit_span(&span);
    }
    warnings.append(&mut interp.warnings);
    warnings
}

/// Reads pages `opts.pages` (all when `None`) of a PDF: glyphs, ruling segments and images.
pub fn read_pages(bytes: &[u8], opts: &ExtractOptions) -> Result<Vec<PageContent>, ExtractError> {
    let doc = PdfDocument::load(bytes, &opts.limits)?;
    read_document_pages(&doc, opts)
}

/// [`read_pages`] on a loaded document. Fails when the document's budget runs out (the pages
/// stay charged to it for as long as it lives).
pub fn read_document_pages(
    doc: &PdfDocument,
    opts: &ExtractOptions,
) -> Result<Vec<PageContent>, ExtractError> {
    page_numbers(doc, opts)?
        .map(|number| {
            let (page, charge) = read_page(doc, number, opts)?;
            charge.keep();
            Ok(page)
        })
        .collect()
}

/// The page numbers `opts.pages` asks for (all when `None`); `Err` when one does not exist.
pub(crate) fn page_numbers(
    doc: &PdfDocument,
    opts: &ExtractOptions,
) -> Result<std::ops::RangeInclusive<u32>, ExtractError> {
    let (first, last) = opts.pages.unwrap_or((1, doc.page_count()));
    if first <= last {
        doc.page(first)?;
        doc.page(last)?;
    }
    Ok(first..=last)
}

/// Reads page `number` with its memory's reservation; fails when the document's budget has
/// run out (its deadline included).
pub(crate) fn read_page(
    doc: &PdfDocument,
    number: u32,
    opts: &ExtractOptions,
) -> Result<(PageContent, Reservation), ExtractError> {
    let budget = &opts.limits.budget;
    budget.check()?;
    let page = doc.page(number)?;
    let (width, height) = page.size();
    let mut collector = PageCollector::new(number, width, height, &opts.table, &opts.limits);
    let warnings = interpret_page(doc, page, &opts.limits, &mut collector);
    let read = collector.finish_charged(warnings);
    budget.check()?;
    Ok(read)
}

struct Interp<'a> {
    doc: &'a PdfDocument<'a>,
    limits: &'a Limits,
    device: &'a mut dyn Device,
    page_t: Matrix,
    gs: GState,
    stack: Vec<GState>,
    tm: Matrix,
    tlm: Matrix,
    /// The path under construction, in page space.
    path: Vec<PathEl>,
    /// Current point in user space.
    current: Option<(f64, f64)>,
    subpath_start: (f64, f64),
    /// `W`/`W*` was given: the path, once painted, narrows the clip.
    clip_pending: bool,
    operators: usize,
    /// Bytes decoded for the page's Form XObjects and images (bounded like one stream).
    decoded: usize,
    /// Form XObjects being drawn (recursion guard).
    forms: Vec<ObjectId>,
    /// Image XObjects drawn on the page so far: each is read once, at its first placement.
    images: Vec<ObjectId>,
    /// Open marked-content sequences and the ActualText span, if any.
    marked: Marked,
    /// 1-based number of the page being read.
    page: u32,
    warnings: Vec<PageProblem>,
}

/// Copies the operands into `out` when they are all numbers and at most six (the most any
/// operator with numeric operands takes); returns how many, 0 otherwise.
fn numbers(operands: &[Operand<'_>], out: &mut [f64; 6]) -> usize {
    if operands.len() > out.len() {
        return 0;
    }
    for (slot, o) in out.iter_mut().zip(operands) {
        match o.number() {
            Some(n) => *slot = n,
            None => return 0,
        }
    }
    operands.len()
}

fn translate(tx: f64, ty: f64) -> Matrix {
    Matrix([1.0, 0.0, 0.0, 1.0, tx, ty])
}

fn gray(g: f64) -> [f64; 3] {
    [g; 3]
}

/// An RGB approximation of a colour given by 1, 3 or 4 components.
fn color(c: &[f64]) -> Option<[f64; 3]> {
    match *c {
        [g] => Some(gray(g)),
        [r, g, b] => Some([r, g, b]),
        [c, m, y, k] => Some([
            (1.0 - c) * (1.0 - k),
            (1.0 - m) * (1.0 - k),
            (1.0 - y) * (1.0 - k),
        ]),
        _ => None,
    }
}

impl Interp<'_> {
    /// Records a loss on the page (each message once, at most 32 per page).
    fn warn(&mut self, kind: ProblemKind, message: String) {
        let problem = PageProblem::loss(self.page, kind, message);
        if self.warnings.len() < 32 && !self.warnings.contains(&problem) {
            self.warnings.push(problem);
        }
    }

    /// Runs one content stream with `resources`; `false` when the operator limit stopped it.
    fn run(&mut self, content: &[u8], resources: &Dictionary) -> bool {
        let mut lexer = Lexer::new(content);
        let mut operands = Vec::new();
        let mut complete = true;
        while let Some(op) = lexer.next_op(&mut operands) {
            if !self.step(op, &operands, resources) {
                complete = false;
                break;
            }
        }
        if lexer.errors > 0 {
            self.warn(
                ProblemKind::Content,
                format!(
                    "content stream partly unreadable: {} damaged tokens skipped",
                    lexer.errors
                ),
            );
        }
        complete
    }

    /// Executes one operator; `false` when the operator limit (or the document's budget)
    /// stops the page.
    fn step(&mut self, op: &[u8], operands: &[Operand<'_>], resources: &Dictionary) -> bool {
        self.operators += 1;
        if self.operators > self.limits.max_operators_per_page {
            self.warn(
                ProblemKind::Limit,
                format!(
                    "stopped after {} operators",
                    self.limits.max_operators_per_page
                ),
            );
            return false;
        }
        if self.operators.is_multiple_of(BUDGET_CHECK_INTERVAL) {
            if let Err(e) = self.limits.budget.check() {
                self.warn(ProblemKind::Limit, format!("stopped: {e}"));
                return false;
            }
        }
        let mut buf = [0.0; 6];
        let count = numbers(operands, &mut buf);
        let n = &buf[..count];
        match (op, n) {
            // Graphics state.
            (b"q", _) => {
                if self.stack.len() < self.limits.max_state_depth {
                    self.stack.push(self.gs.clone());
                } else {
                    self.warn(
                        ProblemKind::Limit,
                        "graphics state nested too deeply".into(),
                    );
                }
            }
            (b"Q", _) => {
                if let Some(gs) = self.stack.pop() {
                    self.gs = gs;
                }
            }
            (b"cm", &[a, b, c, d, e, f]) => {
                self.gs.ctm = Matrix([a, b, c, d, e, f]).then(&self.gs.ctm)
            }
            (b"w", &[w, ..]) => self.gs.line_width = w.abs(),
            (b"gs", _) => self.ext_gstate(operands, resources),
            (b"g", &[g]) => self.gs.fill = gray(g),
            (b"G", &[g]) => self.gs.stroke = gray(g),
            (b"rg" | b"k" | b"sc" | b"scn", c) => {
                if let Some(c) = color(c) {
                    self.gs.fill = c;
                }
            }
            (b"RG" | b"K" | b"SC" | b"SCN", c) => {
                if let Some(c) = color(c) {
                    self.gs.stroke = c;
                }
            }
            (b"cs", _) => self.gs.fill = gray(0.0),
            (b"CS", _) => self.gs.stroke = gray(0.0),
            // Text objects and state.
            (b"BT", _) => {
                self.tm = Matrix::IDENTITY;
                self.tlm = Matrix::IDENTITY;
            }
            (b"Tc", &[v]) => self.gs.char_spacing = v,
            (b"Tw", &[v]) => self.gs.word_spacing = v,
            (b"Tz", &[v]) => self.gs.h_scale = v / 100.0,
            (b"TL", &[v]) => self.gs.leading = v,
            (b"Ts", &[v]) => self.gs.rise = v,
            (b"Tf", _) => self.set_font(operands, resources),
            (b"Td", &[tx, ty]) => self.next_line(tx, ty),
            (b"TD", &[tx, ty]) => {
                self.gs.leading = -ty;
                self.next_line(tx, ty);
            }
            (b"Tm", &[a, b, c, d, e, f]) => {
                self.tm = Matrix([a, b, c, d, e, f]);
                self.tlm = self.tm;
            }
            (b"T*", _) => self.next_line(0.0, -self.gs.leading),
            (b"Tj", _) => self.show_operands(operands),
            (b"'", _) => {
                self.next_line(0.0, -self.gs.leading);
                self.show_operands(operands);
            }
            (b"\"", _) => {
                if let [Some(aw), Some(ac), _] =
                    [0, 1, 2].map(|i| operands.get(i).and_then(Operand::number))
                {
                    self.gs.word_spacing = aw;
                    self.gs.char_spacing = ac;
                }
                self.next_line(0.0, -self.gs.leading);
                self.show_operands(&operands[operands.len().min(2)..]);
            }
            (b"TJ", _) => self.show_operands(operands),
            // Path construction.
            (b"m", &[x, y]) => {
                self.current = Some((x, y));
                self.subpath_start = (x, y);
                let (px, py) = self.to_page(x, y);
                self.path.push(PathEl::MoveTo(px, py));
            }
            (b"l", &[x, y]) => self.line_to(x, y),
            (b"c", &[x1, y1, x2, y2, x3, y3]) => self.curve_to((x1, y1), (x2, y2), (x3, y3)),
            (b"v", &[x2, y2, x3, y3]) => {
                let c1 = self.current.unwrap_or((x2, y2));
                self.curve_to(c1, (x2, y2), (x3, y3));
            }
            (b"y", &[x1, y1, x3, y3]) => self.curve_to((x1, y1), (x3, y3), (x3, y3)),
            (b"h", _) => self.close(),
            (b"re", &[x, y, w, h]) => {
                self.current = Some((x, y));
                self.subpath_start = (x, y);
                let (px, py) = self.to_page(x, y);
                self.path.push(PathEl::MoveTo(px, py));
                self.line_to(x + w, y);
                self.line_to(x + w, y + h);
                self.line_to(x, y + h);
                self.close();
            }
            // Path painting.
            (b"S", _) => self.paint(true, false, false),
            (b"s", _) => {
                self.close();
                self.paint(true, false, false);
            }
            (b"f" | b"F", _) => self.paint(false, true, false),
            (b"f*", _) => self.paint(false, true, true),
            (b"B", _) => self.paint(true, true, false),
            (b"B*", _) => self.paint(true, true, true),
            (b"b", _) => {
                self.close();
                self.paint(true, true, false);
            }
            (b"b*", _) => {
                self.close();
                self.paint(true, true, true);
            }
            (b"n", _) => {
                self.narrow_clip();
                self.path.clear();
                self.current = None;
            }
            (b"W" | b"W*", _) => self.clip_pending = true,
            // Marked content.
            (b"BMC", _) => self.marked.begin(None, self.limits.max_state_depth),
            (b"BDC", _) => {
                let actual_text = self.actual_text(operands.get(1), resources);
                self.marked
                    .begin(actual_text.as_deref(), self.limits.max_state_depth);
            }
            (b"EMC", _) => {
                if let Some(span) = self.marked.end() {
                    self.emit_span(&span);
                }
            }
            // XObjects; inline images (`BI`) are skipped.
            (b"Do", _) => return self.draw_xobject(operands, resources),
            _ => {}
        }
        true
    }

    fn ext_gstate(&mut self, operands: &[Operand<'_>], resources: &Dictionary) {
        let doc = &self.doc.objects;
        let Some(name) = operands.first().and_then(Operand::name) else {
            return;
        };
        let state =
            dict(doc, get(doc, resources, b"ExtGState")).and_then(|d| dict(doc, get(doc, d, name)));
        if let Some(lw) = state.and_then(|s| as_f64(get(doc, s, b"LW"))) {
            self.gs.line_width = lw.abs();
        }
        if let Some(Object::Array(font)) = state.map(|s| get(doc, s, b"Font")) {
            if let (Some(entry), Some(size)) = (font.first(), font.get(1).and_then(as_f64)) {
                self.gs.font = self
                    .doc
                    .fonts
                    .borrow_mut()
                    .get(doc, entry, self.font_limit());
                self.gs.font_size = size;
            }
        }
    }

    /// The `/ActualText` of a `BDC` property list, given inline or by name in `/Properties`.
    fn actual_text(
        &self,
        properties: Option<&Operand<'_>>,
        resources: &Dictionary,
    ) -> Option<Vec<u8>> {
        let doc = &self.doc.objects;
        match properties? {
            dict @ Operand::Dict(_) => match dict.get(b"ActualText")? {
                Operand::String(text) => Some(text.to_vec()),
                _ => None,
            },
            Operand::Name(name) => {
                let list = dict(doc, get(doc, resources, b"Properties"))
                    .and_then(|p| dict(doc, get(doc, p, name)))?;
                match get(doc, list, b"ActualText") {
                    Object::String(text, _) => Some(text.clone()),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Emits the glyphs of a closed ActualText span with its text.
    fn emit_span(&mut self, span: &Span) {
        for (held, text) in span.replacements() {
            self.device.glyph(&Glyph {
                text: &text,
                bbox: held.bbox,
                font_size: held.font_size,
                code: held.code,
                direction: held.direction,
                source: TextSource::Pdf,
                glyph: None,
            });
        }
    }

    fn set_font(&mut self, operands: &[Operand<'_>], resources: &Dictionary) {
        let doc = &self.doc.objects;
        let (Some(name), Some(size)) = (
            operands.first().and_then(Operand::name),
            operands.get(1).and_then(Operand::number),
        ) else {
            return;
        };
        self.gs.font_size = size;
        let entry = dict(doc, get(doc, resources, b"Font")).and_then(|fonts| fonts.get(name).ok());
        self.gs.font =
            entry.and_then(|e| self.doc.fonts.borrow_mut().get(doc, e, self.font_limit()));
        if self.gs.font.is_none() {
            self.warn(
                ProblemKind::Font,
                format!("font /{} not found", String::from_utf8_lossy(name)),
            );
        }
    }

    fn next_line(&mut self, tx: f64, ty: f64) {
        self.tlm = translate(tx, ty).then(&self.tlm);
        self.tm = self.tlm;
    }

    /// Shows the strings of `Tj`/`'`/`"` operands and the strings and adjustments of `TJ`.
    fn show_operands(&mut self, operands: &[Operand<'_>]) {
        for operand in operands {
            match operand {
                Operand::String(bytes) => self.show(bytes),
                Operand::Array(items) => {
                    for item in items {
                        match item {
                            Operand::String(bytes) => self.show(bytes),
                            Operand::Number(adjust) => self.adjust(*adjust),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// A `TJ` number: moves the text position by `-adjust/1000` em.
    fn adjust(&mut self, adjust: f64) {
        let shift = -adjust / 1000.0 * self.gs.font_size;
        let vertical = self.gs.font.as_ref().is_some_and(|f| f.vertical);
        self.tm = if vertical {
            translate(0.0, shift).then(&self.tm)
        } else {
            translate(shift * self.gs.h_scale, 0.0).then(&self.tm)
        };
    }

    fn show(&mut self, bytes: &[u8]) {
        let Some(font) = self.gs.font.clone() else {
            self.warn(ProblemKind::Font, "text shown without a font".into());
            return;
        };
        let gs = &self.gs;
        let (size, th) = (gs.font_size, gs.h_scale);
        let scale = Matrix([size * th, 0.0, 0.0, size, 0.0, gs.rise]);
        for code in font.codes(bytes) {
            let info = font.info(code);
            let user = self.tm.then(&self.gs.ctm);
            let trm = scale.then(&user).then(&self.page_t);
            let (x0, x1, y0, y1) = if font.vertical {
                // Vertical origin at the top centre (default /DW2 [880 −1000]).
                let half = info.width / 2.0;
                (-half, half, font.descent - 0.88, font.ascent - 0.88)
            } else {
                (0.0, info.width, font.descent, font.ascent)
            };
            let corners = [
                trm.apply(x0, y0),
                trm.apply(x1, y0),
                trm.apply(x0, y1),
                trm.apply(x1, y1),
            ];
            let mut bbox =
                Rect::from_corners(corners[0].0, corners[0].1, corners[3].0, corners[3].1);
            for &(x, y) in &corners[1..3] {
                bbox = bbox.union(&Rect {
                    x0: x,
                    y0: y,
                    x1: x,
                    y1: y,
                });
            }
            let [_, _, c, d, _, _] = user.0;
            let glyph = Glyph {
                text: &info.text,
                bbox,
                font_size: size.abs() * c.hypot(d),
                code: code.code,
                direction: Direction::of_vector(trm.0[0], trm.0[1]),
                source: info.source,
                glyph: Some(GlyphCode {
                    font: font.id,
                    code: code.code,
                }),
            };
            let shows = self.gs.clip.is_none_or(|clip| clip::meets(&clip, &bbox));
            if shows
                && [bbox.x0, bbox.y0, bbox.x1, bbox.y1, glyph.font_size]
                    .iter()
                    .all(|v| v.is_finite())
            {
                let held = HeldGlyph {
                    bbox,
                    font_size: glyph.font_size,
                    code: glyph.code,
                    direction: glyph.direction,
                };
                if !self.marked.hold(held) {
                    self.device.glyph(&glyph);
                }
            }
            let spacing = self.gs.char_spacing
                + if info.is_space {
                    self.gs.word_spacing
                } else {
                    0.0
                };
            self.tm = if font.vertical {
                translate(0.0, -size + spacing).then(&self.tm)
            } else {
                translate((info.width * size + spacing) * th, 0.0).then(&self.tm)
            };
        }
    }

    fn to_page(&self, x: f64, y: f64) -> (f64, f64) {
        self.gs.ctm.then(&self.page_t).apply(x, y)
    }

    fn line_to(&mut self, x: f64, y: f64) {
        if self.current.is_none() {
            return;
        }
        self.current = Some((x, y));
        let (px, py) = self.to_page(x, y);
        self.path.push(PathEl::LineTo(px, py));
    }

    fn curve_to(&mut self, c1: (f64, f64), c2: (f64, f64), end: (f64, f64)) {
        if self.current.is_none() {
            return;
        }
        self.current = Some(end);
        let (a, b) = self.to_page(c1.0, c1.1);
        let (c, d) = self.to_page(c2.0, c2.1);
        let (e, f) = self.to_page(end.0, end.1);
        self.path.push(PathEl::CurveTo(a, b, c, d, e, f));
    }

    fn close(&mut self) {
        if self.current.is_some() {
            self.path.push(PathEl::Close);
            self.current = Some(self.subpath_start);
        }
    }

    fn paint(&mut self, stroke: bool, fill: bool, even_odd: bool) {
        self.narrow_clip();
        let [a, b, c, d, _, _] = self.gs.ctm.0;
        let scale = (a * d - b * c).abs().sqrt();
        // The path's buffer goes back to `self.path` afterwards, keeping its capacity.
        let mut path = Path {
            elements: std::mem::take(&mut self.path),
            stroke_width: self.gs.line_width * scale,
        };
        self.current = None;
        let all_finite = path.elements.iter().all(|el| match *el {
            PathEl::MoveTo(x, y) | PathEl::LineTo(x, y) => x.is_finite() && y.is_finite(),
            PathEl::CurveTo(a, b, c, d, e, f) => [a, b, c, d, e, f].iter().all(|v| v.is_finite()),
            PathEl::Close => true,
        });
        if !path.elements.is_empty() && all_finite && path.stroke_width.is_finite() {
            let paint = Paint {
                stroke,
                fill,
                even_odd,
                stroke_color: self.gs.stroke,
                fill_color: self.gs.fill,
            };
            self.paint_clipped(&path, paint);
        }
        path.elements.clear();
        self.path = path.elements;
    }

    /// Paints `path` as far as it shows through the clip: whole when inside it, nothing when
    /// outside, else its fill and its stroke each cut to it (a stroke reaches half its width
    /// past its line).
    fn paint_clipped(&mut self, path: &Path, paint: Paint) {
        let (Some(clip), Some(bounds)) = (self.gs.clip, clip::bounds(&path.elements)) else {
            self.device.path(path, paint);
            return;
        };
        let reach = if paint.stroke {
            path.stroke_width / 2.0
        } else {
            0.0
        };
        if clip::contains(&clip, &clip::grown(&bounds, reach)) {
            self.device.path(path, paint);
        } else if clip::meets(&clip::grown(&clip, reach), &bounds) {
            for (elements, paint) in [
                (
                    paint.fill.then(|| clip::fill_inside(&path.elements, &clip)),
                    Paint {
                        stroke: false,
                        ..paint
                    },
                ),
                (
                    paint
                        .stroke
                        .then(|| clip::stroke_inside(&path.elements, &clip::grown(&clip, reach))),
                    Paint {
                        fill: false,
                        ..paint
                    },
                ),
            ] {
                if let Some(elements) = elements.filter(|e| !e.is_empty()) {
                    let part = Path {
                        elements,
                        stroke_width: path.stroke_width,
                    };
                    self.device.path(&part, paint);
                }
            }
        }
    }

    /// After `W`/`W*`, the current path (whatever paints it) narrows the clip to its bounds.
    fn narrow_clip(&mut self) {
        if std::mem::take(&mut self.clip_pending) {
            if let Some(bounds) = clip::bounds(&self.path) {
                self.clip_to(bounds);
            }
        }
    }

    /// Narrows the clip to `rect` (page space).
    fn clip_to(&mut self, rect: Rect) {
        self.gs.clip = Some(match self.gs.clip {
            Some(clip) => clip::intersect(&clip, &rect),
            None => rect,
        });
    }

    /// The most a font program may decode to: within what the document's budget has left.
    fn font_limit(&self) -> usize {
        self.limits
            .max_decompressed_bytes
            .min(self.limits.budget.available())
    }

    /// What the page may still decode for Form XObjects and images (within what the
    /// document's budget has left).
    fn decode_budget(&self) -> usize {
        self.limits
            .max_decompressed_bytes
            .saturating_sub(self.decoded)
            .min(self.limits.budget.available())
    }

    /// `Do`: an image is emitted; a Form XObject is run with its matrix and resources.
    fn draw_xobject(&mut self, operands: &[Operand<'_>], resources: &Dictionary) -> bool {
        let doc = &self.doc.objects;
        let Some(name) = operands.first().and_then(Operand::name) else {
            return true;
        };
        let Some(entry) = dict(doc, get(doc, resources, b"XObject")).and_then(|x| x.get(name).ok())
        else {
            self.warn(
                ProblemKind::Content,
                format!("XObject /{} not found", String::from_utf8_lossy(name)),
            );
            return true;
        };
        let Object::Stream(stream) = deref(doc, entry) else {
            self.warn(
                ProblemKind::Content,
                format!(
                    "XObject /{} is missing or not a stream",
                    String::from_utf8_lossy(name)
                ),
            );
            return true;
        };
        match as_name(get(doc, &stream.dict, b"Subtype")) {
            Some(b"Image") => {
                // Drawn again (a scan stamped many times over): it adds no content to read.
                if let Ok(id) = entry.as_reference() {
                    if self.images.contains(&id) {
                        return true;
                    }
                    self.images.push(id);
                }
                let ctm = self.gs.ctm.then(&self.page_t);
                let color_spaces = dict(doc, get(doc, resources, b"ColorSpace"));
                let budget = self.decode_budget();
                match read_image(doc, stream, ctm, color_spaces, budget) {
                    Ok(image) => {
                        if let Some(expected) = image.raw_len().filter(|&n| image.data.len() < n) {
                            self.warn(
                                ProblemKind::Image,
                                format!(
                                    "image /{} truncated: {} of {expected} bytes",
                                    String::from_utf8_lossy(name),
                                    image.data.len()
                                ),
                            );
                        }
                        self.decoded += image.data.len();
                        self.device.image(image);
                    }
                    Err(e) => self.warn(
                        ProblemKind::Image,
                        format!("image /{} not read: {e}", String::from_utf8_lossy(name)),
                    ),
                }
                true
            }
            Some(b"Form") => {
                let id = entry.as_reference().ok();
                if self.forms.len() >= self.limits.max_form_depth
                    || id.is_some_and(|id| self.forms.contains(&id))
                {
                    self.warn(
                        ProblemKind::Limit,
                        "Form XObjects nested too deeply or recursively".into(),
                    );
                    return true;
                }
                let decoded = charged_stream_data(
                    stream,
                    self.decode_budget(),
                    &self.limits.budget,
                    "a Form XObject",
                );
                let (content, _charge) = match decoded {
                    Ok((decoded, charge)) => {
                        if let Some(damage) = decoded.damage {
                            self.warn(ProblemKind::Content, format!("Form XObject {damage}"));
                        }
                        self.decoded += decoded.data.len();
                        (decoded.data, charge)
                    }
                    Err(e) => {
                        self.warn(
                            ProblemKind::Content,
                            format!("Form XObject not decoded: {e}"),
                        );
                        return true;
                    }
                };
                let form_resources = match dict(doc, get(doc, &stream.dict, b"Resources")) {
                    Some(own) => Cow::Owned(merge_resources(doc, &[own, resources])),
                    None => Cow::Borrowed(resources),
                };
                let saved_gs = self.gs.clone();
                let saved_stack = std::mem::take(&mut self.stack);
                if let Some(m) = matrix(doc, get(doc, &stream.dict, b"Matrix")) {
                    self.gs.ctm = m.then(&self.gs.ctm);
                }
                if let Some(bbox) = form_bbox(doc, &stream.dict, &self.gs.ctm.then(&self.page_t)) {
                    self.clip_to(bbox);
                }
                self.forms.push(id.unwrap_or((0, 0)));
                let floor = self.marked.enter();
                let complete = self.run(&content, &form_resources);
                if let Some(span) = self.marked.leave(floor) {
                    self.emit_span(&span);
                }
                self.forms.pop();
                self.stack = saved_stack;
                self.gs = saved_gs;
                complete
            }
            _ => true,
        }
    }
}

/// A Form XObject's `/BBox` (it clips what the form draws) in page space, through `to_page`.
fn form_bbox(doc: &crate::pdf::Objects<'_>, form: &Dictionary, to_page: &Matrix) -> Option<Rect> {
    let Object::Array(b) = get(doc, form, b"BBox") else {
        return None;
    };
    let [x0, y0, x1, y1] = [0, 1, 2, 3].map(|i| b.get(i).and_then(as_f64));
    let (x0, y0, x1, y1) = (x0?, y0?, x1?, y1?);
    let corners = [(x0, y0), (x1, y0), (x0, y1), (x1, y1)].map(|(x, y)| to_page.apply(x, y));
    clip::bounds_of(corners).filter(|r| [r.x0, r.y0, r.x1, r.y1].iter().all(|v| v.is_finite()))
}
