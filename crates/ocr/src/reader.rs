//! The raster path end to end: [`OcrReader`] implements [`RasterReader`].
//!
//! Per page image: decode → orient to page axes → Otsu → projection-profile deskew → ruling
//! lines by run length → segments in page space → cells from the shared grid builder
//! ([`jixiao_extract::grid::find_cells`]) → text lines split by projection inside each cell
//! (the detector only for blocks that do not split) and around the tables → recognition →
//! text settled against the line's ink ([`crate::linetext`]) → number clean-up → one
//! [`TextBox`] per line, with its confidence.

use crate::binarize::{otsu_threshold, Binary};
use crate::bitmap::{Gray, PixelRect};
use crate::decode::decode_image;
use crate::deskew::{estimate_skew, rotate};
use crate::engine::{OcrEngine, PpOcr, DET_MODEL, REC_MODEL};
use crate::error::OcrError;
use crate::flatten::{flatten_background, rule_ink};
use crate::lines::{find_lines, LineParams, PixelLine};
use crate::linetext::{line_text, LineInk};
use crate::numeric::fold_number_text;
use jixiao_extract::grid::find_cells;
use jixiao_extract::readable::is_ideograph;
use jixiao_extract::{
    Matrix, Orientation, PageContent, PageImage, RasterPage, RasterReader, Rect, Segment,
    TableSettings, TextBox,
};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Where the models are and how much work one page may take.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrConfig {
    /// Directory holding `libonnxruntime.so*` and the PP-OCRv4 models.
    pub models_dir: PathBuf,
    /// Copies of each model, so that this many pages can be read at the same time.
    pub instances: usize,
    /// Largest image (in pixels) decoded.
    pub max_pixels: u64,
    /// Largest skew searched, in degrees either way.
    pub max_skew_degrees: f64,
}

impl OcrConfig {
    /// Models from `$JIXIAO_MODELS`, else `./models` (what `scripts/fetch-models.sh` fills).
    pub fn from_env() -> OcrConfig {
        let models_dir = std::env::var_os("JIXIAO_MODELS")
            .map_or_else(|| PathBuf::from("models"), PathBuf::from);
        OcrConfig {
            models_dir,
            ..OcrConfig::default()
        }
    }

    /// The ONNX Runtime library in the models directory (highest version when several).
    pub fn runtime_library(&self) -> Result<PathBuf, OcrError> {
        let missing = || OcrError::ModelsMissing {
            dir: self.models_dir.clone(),
            missing: "libonnxruntime.so*".into(),
        };
        let mut libs: Vec<PathBuf> = std::fs::read_dir(&self.models_dir)
            .map_err(|_| missing())?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("libonnxruntime.so"))
            })
            .collect();
        libs.sort();
        libs.pop().ok_or_else(missing)
    }

    fn require(&self, name: &str) -> Result<PathBuf, OcrError> {
        let p = self.models_dir.join(name);
        if p.is_file() {
            Ok(p)
        } else {
            Err(OcrError::ModelsMissing {
                dir: self.models_dir.clone(),
                missing: name.into(),
            })
        }
    }
}

impl Default for OcrConfig {
    fn default() -> Self {
        OcrConfig {
            models_dir: PathBuf::from("models"),
            instances: 1,
            max_pixels: 80_000_000,
            max_skew_degrees: 3.0,
        }
    }
}

/// Time spent in each stage of reading one page.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageTimes {
    pub decode: Duration,
    /// Thresholding, skew search and rotation.
    pub deskew: Duration,
    /// Ruling lines and cells.
    pub lines: Duration,
    /// Line splitting, detection fallback and recognition.
    pub ocr: Duration,
}

/// Reads scanned pages: the [`RasterReader`] of jixiao.
pub struct OcrReader {
    engine: Box<dyn OcrEngine>,
    config: OcrConfig,
}

impl std::fmt::Debug for OcrReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OcrReader")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl OcrReader {
    /// Loads ONNX Runtime and the PP-OCRv4 models from `config.models_dir`; fails with
    /// [`OcrError::ModelsMissing`] (naming `scripts/fetch-models.sh`) when they are absent.
    pub fn new(config: OcrConfig) -> Result<OcrReader, OcrError> {
        let library = config.runtime_library()?;
        config.require(DET_MODEL)?;
        config.require(REC_MODEL)?;
        let engine = PpOcr::load(&library, &config.models_dir, config.instances)?;
        Ok(OcrReader::with_engine(Box::new(engine), config))
    }

    /// A reader around any engine.
    pub fn with_engine(engine: Box<dyn OcrEngine>, config: OcrConfig) -> OcrReader {
        OcrReader { engine, config }
    }

    /// The models directory in use.
    pub fn models_dir(&self) -> &Path {
        &self.config.models_dir
    }

    /// Reads a page and reports the time of each stage. Every image covering at least a
    /// tenth of the page is read; smaller ones (logos, stamps) are skipped.
    pub fn read_timed(
        &self,
        page: &PageContent,
        settings: &TableSettings,
    ) -> Result<(RasterPage, StageTimes), OcrError> {
        let mut out = RasterPage::default();
        let mut times = StageTimes::default();
        let page_area = (page.width * page.height).abs().max(1.0);
        let mut read_any = false;
        for image in &page.images {
            let placed = placement(&image.ctm);
            if placed.width() * placed.height() < page_area * 0.1 {
                continue;
            }
            read_any = true;
            let one = self.read_image(image, settings, &mut times)?;
            out.segments.extend(one.segments);
            out.text.extend(one.text);
        }
        if !read_any {
            return Err(OcrError::NoImage);
        }
        Ok((out, times))
    }

    fn read_image(
        &self,
        image: &PageImage,
        settings: &TableSettings,
        times: &mut StageTimes,
    ) -> Result<RasterPage, OcrError> {
        let t = Instant::now();
        let decoded = decode_image(image, self.config.max_pixels)?;
        let (gray, to_page) = orient(decoded, &image.ctm);
        times.decode += t.elapsed();

        let t = Instant::now();
        let px_per_pt = 1.0 / to_page.sx.abs().max(1e-9);
        // Paper made even (tone, shadows, dark margins) over tiles of about a third of an inch,
        // larger than any glyph.
        let flat = flatten_background(&gray, (24.0 * px_per_pt).round() as u32);
        let threshold = otsu_threshold(&flat);
        let skew = estimate_skew(
            &Binary::from_gray(&flat, threshold),
            self.config.max_skew_degrees,
        );
        let upright = rotate(&flat, skew);
        times.deskew += t.elapsed();

        let t = Instant::now();
        let mut layout = Layout::of(upright, threshold, px_per_pt, to_page, settings);
        // A sheet fed sideways: its text lines run down the cells. Turned a quarter, then
        // (below) the right way up.
        if layout.text_runs_vertically() {
            layout = Layout::of(
                turn(&layout.image, Turn::Quarter),
                threshold,
                px_per_pt,
                to_page.turned(),
                settings,
            );
        }
        times.lines += t.elapsed();
        let t = Instant::now();
        if self.upside_down(&layout)? {
            let to_page = layout.to_page;
            layout = Layout::of(
                turn(&layout.image, Turn::Half),
                threshold,
                px_per_pt,
                to_page,
                settings,
            );
        }
        times.ocr += t.elapsed();
        let t = Instant::now();
        let mut blocks = layout.cell_bands();
        let tables_px: Vec<PixelRect> = layout
            .grids
            .iter()
            .map(|g| layout.to_page.pixels_of(&g.bbox))
            .collect();
        let Layout {
            image: upright,
            ink,
            segments,
            to_page,
            ..
        } = layout;
        blocks.extend(free_text_bands(&ink, &tables_px, px_per_pt));
        let text = self.recognize_bands(&upright, &ink, blocks, &to_page)?;
        times.ocr += t.elapsed();
        if text.is_empty() && segments.is_empty() {
            // A page that holds ink but gave nothing is unread, not blank: its tables are lost.
            let ink_pt2 = ink.ink.iter().filter(|&&b| b).count() as f64 / (px_per_pt * px_per_pt);
            if ink_pt2 >= MIN_READABLE_INK_PT2 {
                return Err(OcrError::NothingRead { ink_pt2 });
            }
        }
        Ok(RasterPage { text, segments })
    }

    /// Whether the page's text is upside down: a few of the longest lines in its cells are
    /// recognised as they stand and turned half round; the more confident reading wins.
    /// Nothing is recognised twice when the lines read confidently as they stand.
    fn upside_down(&self, layout: &Layout) -> Result<bool, OcrError> {
        let mut bands = layout.cell_bands();
        if bands.is_empty() {
            bands = free_text_bands(&layout.ink, &[], 1.0 / layout.to_page.sx.abs().max(1e-9));
        }
        let mut probes: Vec<PixelRect> = bands.into_iter().map(|b| b.rect).collect();
        probes.sort_by_key(|r| std::cmp::Reverse((r.width() / r.height().max(1), r.width())));
        probes.truncate(ORIENTATION_PROBES);
        if probes.is_empty() {
            return Ok(false);
        }
        let crops: Vec<Gray> = probes
            .iter()
            .map(|&r| layout.image.crop(padded(r, r.height(), &layout.image)))
            .collect();
        let mean = |v: &[crate::engine::Recognized]| {
            v.iter().map(|r| r.confidence).sum::<f32>() / v.len().max(1) as f32
        };
        let as_is = mean(&self.engine.recognize(&crops)?);
        if as_is >= CONFIDENT_READING {
            return Ok(false);
        }
        let turned: Vec<Gray> = crops.iter().map(|c| turn(c, Turn::Half)).collect();
        Ok(mean(&self.engine.recognize(&turned)?) > as_is + 0.1)
    }

    /// Crops every band (a cell's line, or a free text line), recognises them in one go and
    /// turns the results into text boxes. Bands much taller than the page's usual line
    /// height did not split by projection: the detector splits them.
    fn recognize_bands(
        &self,
        upright: &Gray,
        ink: &Binary,
        bands: Vec<Band>,
        to_page: &ToPage,
    ) -> Result<Vec<TextBox>, OcrError> {
        let mut heights: Vec<u32> = bands
            .iter()
            .map(|b| b.rect.height())
            .filter(|&h| h > 4)
            .collect();
        heights.sort_unstable();
        let line_h = heights.get(heights.len() / 2).copied().unwrap_or(20).max(8);
        let mut lines: Vec<Band> = Vec::with_capacity(bands.len());
        for band in bands {
            if band.rect.height() * 10 > line_h * 18 {
                let crop = upright.crop(band.rect);
                let found = self.engine.detect(&crop)?;
                let split: Vec<Band> = split_rows(&found, band.rect)
                    .into_iter()
                    .filter_map(|r| {
                        ink_box(ink, r).map(|rect| Band {
                            rect,
                            in_cell: band.in_cell,
                        })
                    })
                    .collect();
                if split.len() < 2 {
                    lines.push(band);
                } else {
                    lines.extend(split);
                }
            } else {
                lines.push(band);
            }
        }
        // A lone short rule inside a cell is a dash ("-", "—"): read from its shape, which
        // is more reliable than the recognisers (they return "一" or nothing for it).
        let is_dash = |b: &Band| {
            let (w, h) = (b.rect.width(), b.rect.height());
            b.in_cell
                && h * 5 <= line_h.max(10)
                && w >= 2 * h
                && w * 4 >= line_h
                && w * 2 <= line_h * 3
        };
        let (dashes, mut lines): (Vec<Band>, Vec<Band>) = lines.into_iter().partition(is_dash);
        // Specks left by despeckling (grain of a bilevel or noisy scan, pen dots, a punch
        // hole's rim) make bands far lower than the page's text: not text.
        let text_h = text_height(&lines);
        lines.retain(|b| b.rect.height() * 3 >= text_h);
        let rects: Vec<PixelRect> = lines
            .iter()
            .map(|b| padded(b.rect, line_h, upright))
            .collect();
        let crops: Vec<Gray> = rects.iter().map(|&r| upright.crop(r)).collect();
        let results = self.engine.recognize(&crops)?;
        let dash_boxes = dashes.iter().map(|band| TextBox {
            text: "-".into(),
            font_size: f64::from(line_h) * to_page.sy.abs(),
            bbox: to_page.rect(band.rect),
            confidence: Some(1.0),
            direction: Default::default(),
            source: jixiao_extract::TextSource::Ocr,
            glyph: None,
            alternatives: Default::default(),
        });
        Ok(lines
            .iter()
            .zip(rects)
            .zip(results)
            .filter_map(|((band, crop), r)| {
                let line = LineInk {
                    ink,
                    band: band.rect,
                    crop,
                    em: band.rect.height().max(line_h),
                };
                let (settled, mut alternatives) = line_text(&r, &line);
                let raw = settled.trim();
                if raw.is_empty() {
                    return None;
                }
                let text = if band.in_cell {
                    fold_number_text(raw)
                } else {
                    raw.to_string()
                };
                let bbox = to_page.rect(band.rect);
                // Folding a number may turn an ideograph ("一") into a sign.
                if text.chars().filter(|&c| is_ideograph(c)).count() != alternatives.len() {
                    alternatives.clear();
                }
                Some(TextBox {
                    text,
                    alternatives: alternatives.into(),
                    font_size: bbox.height().max(f64::from(line_h) * to_page.sy.abs()),
                    bbox,
                    confidence: Some(r.confidence),
                    direction: Default::default(),
                    source: jixiao_extract::TextSource::Ocr,
                    glyph: None,
                })
            })
            .chain(dash_boxes)
            .collect())
    }
}

/// The page's text height: the median height of its bands weighted by their width, so that
/// text lines (wide) outweigh any number of specks (narrow). 0 when there are no bands.
fn text_height(bands: &[Band]) -> u32 {
    let mut by_height: Vec<(u32, u64)> = bands
        .iter()
        .map(|b| (b.rect.height(), u64::from(b.rect.width())))
        .collect();
    by_height.sort_unstable();
    let half = by_height.iter().map(|&(_, w)| w).sum::<u64>().div_ceil(2);
    let mut seen = 0;
    by_height
        .into_iter()
        .find(|&(_, w)| {
            seen += w;
            seen >= half
        })
        .map_or(0, |(h, _)| h)
}

/// Lines recognised to tell an upright page from one upside down.
const ORIENTATION_PROBES: usize = 3;

/// Mean confidence above which probe lines are taken to be upright.
const CONFIDENT_READING: f32 = 0.85;

/// A page's structure in one orientation: the image, its ink, rules and table grids.
struct Layout {
    image: Gray,
    ink: Binary,
    rules: Vec<PixelLine>,
    segments: Vec<Segment>,
    grids: Vec<jixiao_extract::GridCells>,
    to_page: ToPage,
}

impl Layout {
    /// Ink (despeckled), rules and grids of a deskewed, flattened page image.
    fn of(
        mut image: Gray,
        threshold: u8,
        px_per_pt: f64,
        to_page: ToPage,
        settings: &TableSettings,
    ) -> Layout {
        let mut ink = Binary::from_gray(&image, threshold);
        // Specks: blobs smaller than about half a square point (a printed period is larger).
        despeckle(
            &mut ink,
            &mut image,
            (0.5 * px_per_pt * px_per_pt).round().max(3.0) as usize,
        );
        let params = LineParams {
            min_length: (20.0 * px_per_pt).round().max(8.0) as u32,
            max_gap: (0.8 * px_per_pt).round().max(1.0) as u32,
            max_thickness: (settings.max_rule_thickness * px_per_pt).round().max(2.0) as u32,
            touch_tolerance: (settings.intersection_tolerance * px_per_pt)
                .round()
                .max(2.0) as u32,
        };
        // Rules, faint ones included: ink averaged along each direction over 4 pt, a ridge
        // lighter on both sides beyond half the thickest rule plus a point.
        let rule_pixels = rule_ink(
            &image,
            (4.0 * px_per_pt).round().max(5.0) as u32,
            ((settings.max_rule_thickness / 2.0 + 1.0) * px_per_pt)
                .round()
                .max(2.0) as u32,
            MIN_RULE_CONTRAST,
        );
        let rules = find_lines(&rule_pixels.horizontal, &rule_pixels.vertical, &params);
        let segments: Vec<Segment> = rules.iter().map(|l| to_page.segment(l)).collect();
        let grids = find_cells(&segments, settings);
        Layout {
            image,
            ink,
            rules,
            segments,
            grids,
            to_page,
        }
    }

    /// The inner pixels of every cell (inset past the rules).
    fn cell_interiors(&self) -> Vec<PixelRect> {
        let px_per_pt = 1.0 / self.to_page.sx.abs().max(1e-9);
        let rule_px = self
            .rules
            .iter()
            .map(|l| l.thickness)
            .fold(1.0f64, f64::max);
        let inset = (rule_px + 0.6 * px_per_pt).ceil() as u32;
        self.grids
            .iter()
            .flat_map(|g| &g.cells)
            .map(|c| {
                let r = self.to_page.pixels_of(&c.bbox);
                PixelRect {
                    x0: r.x0 + inset,
                    y0: r.y0 + inset,
                    x1: r.x1.saturating_sub(inset),
                    y1: r.y1.saturating_sub(inset),
                }
            })
            .filter(|r| r.width() > 2 && r.height() > 2)
            .collect()
    }

    /// Text lines of every cell, by projection.
    fn cell_bands(&self) -> Vec<Band> {
        self.cell_interiors()
            .into_iter()
            .flat_map(|r| line_bands(&self.ink, r, true))
            .collect()
    }

    /// Whether the text in the cells runs down rather than across: per cell, the lines found
    /// by projecting across rows are compared with those found projecting across columns;
    /// text lines are long and thin along their own direction (a line of n characters is n
    /// times longer than high, a column of a sideways paragraph as well).
    fn text_runs_vertically(&self) -> bool {
        let columns = self.ink.transposed();
        let mut vote = 0f64;
        for r in self.cell_interiors() {
            let across = elongation(&line_bands(&self.ink, r, true));
            let t = PixelRect {
                x0: r.y0,
                y0: r.x0,
                x1: r.y1,
                y1: r.x1,
            };
            let down = elongation(&line_bands(&columns, t, true));
            vote += (across / down).ln().clamp(-2.0, 2.0);
        }
        vote < -1.0
    }
}

/// Ink-weighted mean length/height ratio of bands (1 when there are none).
fn elongation(bands: &[Band]) -> f64 {
    let (mut sum, mut weight) = (0f64, 0f64);
    for b in bands {
        let (w, h) = (f64::from(b.rect.width()), f64::from(b.rect.height().max(1)));
        sum += w * (w / h);
        weight += w;
    }
    if weight > 0.0 {
        sum / weight
    } else {
        1.0
    }
}

/// A turn of the page image, clockwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Turn {
    Quarter,
    Half,
}

/// `image` turned clockwise by a quarter or a half.
fn turn(image: &Gray, by: Turn) -> Gray {
    match by {
        // Clockwise quarter: transpose, then mirror each row.
        Turn::Quarter => flip(image.transposed(), true, false),
        Turn::Half => flip(image.clone(), true, true),
    }
}

/// Splits `band` into horizontal strips, one per row of detected boxes (`boxes` relative to
/// the band), cut midway between rows, so that overlapping detections never duplicate text.
fn split_rows(boxes: &[PixelRect], band: PixelRect) -> Vec<PixelRect> {
    let mut rows: Vec<(u32, u32)> = Vec::new();
    let mut sorted: Vec<&PixelRect> = boxes.iter().collect();
    sorted.sort_by_key(|b| b.y0 + b.y1);
    for b in sorted {
        let centre = (b.y0 + b.y1) / 2;
        match rows.last_mut() {
            Some(r) if centre < r.1 => r.1 = r.1.max(b.y1),
            _ => rows.push((b.y0, b.y1)),
        }
    }
    let mut out = Vec::new();
    let mut top = band.y0;
    for (i, r) in rows.iter().enumerate() {
        let bottom = rows
            .get(i + 1)
            .map_or(band.y1, |next| band.y0 + (r.1 + next.0) / 2);
        out.push(PixelRect {
            x0: band.x0,
            y0: top,
            x1: band.x1,
            y1: bottom.max(top),
        });
        top = bottom;
    }
    out
}

/// Removes blobs of at most `max_area` ink pixels (8-connected: scanner specks, JPEG
/// speckle) from `ink`, and paints them white in `image` so the recogniser does not see them.
fn despeckle(ink: &mut Binary, image: &mut Gray, max_area: usize) {
    let (w, h) = (ink.width as usize, ink.height as usize);
    let mut seen = vec![false; w * h];
    let mut blob = Vec::new();
    let mut stack = Vec::new();
    for start in 0..w * h {
        if !ink.ink[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        blob.clear();
        while let Some(i) = stack.pop() {
            blob.push(i);
            let (x, y) = (i % w, i / w);
            for ny in y.saturating_sub(1)..(y + 2).min(h) {
                for nx in x.saturating_sub(1)..(x + 2).min(w) {
                    let j = ny * w + nx;
                    if ink.ink[j] && !seen[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        if blob.len() <= max_area {
            for &i in &blob {
                ink.ink[i] = false;
                image.data[i] = 255;
            }
        }
    }
}

impl RasterReader for OcrReader {
    fn read_page(
        &self,
        page: &PageContent,
        settings: &TableSettings,
    ) -> Result<RasterPage, Box<dyn std::error::Error + Send + Sync>> {
        Ok(self.read_timed(page, settings)?.0)
    }
}

/// A line of text to recognise: its ink box in the upright image.
#[derive(Debug, Clone, Copy)]
struct Band {
    rect: PixelRect,
    /// Inside a table cell (numbers are cleaned up there).
    in_cell: bool,
}

/// Least darkness (grey levels below paper) of a rule's pixels averaged along the rule.
const MIN_RULE_CONTRAST: u8 = 14;

/// Ink of about one line of text (20 characters of 10 pt, a fifth of each inked), in
/// square points: an image holding more is not blank.
const MIN_READABLE_INK_PT2: f64 = 400.0;

/// Least ink a band must hold (specks of scanner noise hold less).
const MIN_BAND_INK: usize = 4;

/// Text lines inside `area` by horizontal projection: runs of rows with ink, each trimmed
/// to its ink.
fn line_bands(ink: &Binary, area: PixelRect, in_cell: bool) -> Vec<Band> {
    let mut out = Vec::new();
    let mut start = None;
    for y in area.y0..=area.y1 {
        let has_ink = y < area.y1
            && ink.row(y)[area.x0 as usize..area.x1 as usize]
                .iter()
                .filter(|&&b| b)
                .count()
                > 0;
        match (has_ink, start) {
            (true, None) => start = Some(y),
            (false, Some(s)) => {
                let r = PixelRect {
                    x0: area.x0,
                    y0: s,
                    x1: area.x1,
                    y1: y,
                };
                if let Some(rect) = ink_box(ink, r) {
                    out.push(Band { rect, in_cell });
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// The bounding box of the ink inside `r`, if there is enough of it.
fn ink_box(ink: &Binary, r: PixelRect) -> Option<PixelRect> {
    let (mut x0, mut y0, mut x1, mut y1, mut n) = (u32::MAX, u32::MAX, 0, 0, 0usize);
    for y in r.y0..r.y1.min(ink.height) {
        for (i, &b) in ink.row(y)[r.x0 as usize..r.x1.min(ink.width) as usize]
            .iter()
            .enumerate()
        {
            if b {
                let x = r.x0 + i as u32;
                x0 = x0.min(x);
                x1 = x1.max(x + 1);
                y0 = y0.min(y);
                y1 = y1.max(y + 1);
                n += 1;
            }
        }
    }
    (n >= MIN_BAND_INK && x1 > x0 + 1).then_some(PixelRect { x0, y0, x1, y1 })
}

/// Text lines outside the tables (titles, year lines, notes): the table areas are blanked,
/// lines split by projection, then each line into pieces at gaps wider than two line
/// heights (a centred title and a page number on the same row stay apart).
fn free_text_bands(ink: &Binary, tables: &[PixelRect], px_per_pt: f64) -> Vec<Band> {
    let mut free = ink.clone();
    let margin = (2.0 * px_per_pt).ceil() as u32;
    for t in tables {
        for y in t.y0.saturating_sub(margin)..(t.y1 + margin).min(free.height) {
            let w = free.width as usize;
            let row = &mut free.ink[y as usize * w..(y as usize + 1) * w];
            row[t.x0.saturating_sub(margin) as usize..((t.x1 + margin) as usize).min(w)]
                .fill(false);
        }
    }
    let whole = PixelRect {
        x0: 0,
        y0: 0,
        x1: free.width,
        y1: free.height,
    };
    let mut out = Vec::new();
    for band in line_bands(&free, whole, false) {
        let gap = 2 * band.rect.height().max(4);
        let mut start: Option<u32> = None;
        let mut last = 0;
        for x in band.rect.x0..=band.rect.x1 {
            let col_ink =
                x < band.rect.x1 && (band.rect.y0..band.rect.y1).any(|y| free.row(y)[x as usize]);
            if col_ink {
                if let Some(s) = start {
                    if x - last > gap {
                        push_piece(&free, &mut out, s, last + 1, band.rect);
                        start = Some(x);
                    }
                } else {
                    start = Some(x);
                }
                last = x;
            }
        }
        if let Some(s) = start {
            push_piece(&free, &mut out, s, last + 1, band.rect);
        }
    }
    out
}

fn push_piece(ink: &Binary, out: &mut Vec<Band>, x0: u32, x1: u32, band: PixelRect) {
    if let Some(rect) = ink_box(
        ink,
        PixelRect {
            x0,
            y0: band.y0,
            x1,
            y1: band.y1,
        },
    ) {
        out.push(Band {
            rect,
            in_cell: false,
        });
    }
}

/// The crop given to the recogniser: the ink box grown to at least a line height and with
/// a margin (as the detector's boxes would have), clipped to the image.
fn padded(r: PixelRect, line_h: u32, image: &Gray) -> PixelRect {
    let h = r.height().max(line_h);
    let margin = (h / 4).max(2);
    let cy = (r.y0 + r.y1) / 2;
    PixelRect {
        x0: r.x0.saturating_sub(margin),
        y0: cy.saturating_sub(h / 2 + margin),
        x1: (r.x1 + margin).min(image.width),
        y1: (cy + h / 2 + margin + 1).min(image.height),
    }
}

/// The page-space rectangle an image covers.
fn placement(ctm: &Matrix) -> Rect {
    let (ax, ay) = ctm.apply(0.0, 0.0);
    let (bx, by) = ctm.apply(1.0, 1.0);
    let (cx, cy) = ctm.apply(1.0, 0.0);
    let (dx, dy) = ctm.apply(0.0, 1.0);
    Rect::from_corners(
        ax.min(bx).min(cx).min(dx),
        ay.min(by).min(cy).min(dy),
        ax.max(bx).max(cx).max(dx),
        ay.max(by).max(cy).max(dy),
    )
}

/// Pixel → page mapping of an image turned to page axes: `page = origin + scale · pixel`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ToPage {
    x0: f64,
    y0: f64,
    sx: f64,
    sy: f64,
}

impl ToPage {
    fn point(&self, x: f64, y: f64) -> (f64, f64) {
        (self.x0 + self.sx * x, self.y0 + self.sy * y)
    }

    fn rect(&self, r: PixelRect) -> Rect {
        let (ax, ay) = self.point(f64::from(r.x0), f64::from(r.y0));
        let (bx, by) = self.point(f64::from(r.x1), f64::from(r.y1));
        Rect::from_corners(ax, ay, bx, by)
    }

    fn segment(&self, l: &PixelLine) -> Segment {
        if l.horizontal {
            let (a, pos) = self.point(l.start, l.pos);
            let (b, _) = self.point(l.end, l.pos);
            Segment {
                orientation: Orientation::Horizontal,
                pos,
                start: a.min(b),
                end: a.max(b),
                width: l.thickness * self.sy.abs(),
            }
        } else {
            let (pos, a) = self.point(l.pos, l.start);
            let (_, b) = self.point(l.pos, l.end);
            Segment {
                orientation: Orientation::Vertical,
                pos,
                start: a.min(b),
                end: a.max(b),
                width: l.thickness * self.sx.abs(),
            }
        }
    }

    /// The mapping of the image turned a quarter: the same origin, the scales swapped (the
    /// page is then read as if it had been fed upright).
    fn turned(&self) -> ToPage {
        ToPage {
            sx: self.sy,
            sy: self.sx,
            ..*self
        }
    }

    /// Pixels of a page rectangle (rounded inwards to whole pixels).
    fn pixels_of(&self, r: &Rect) -> PixelRect {
        let px = |x: f64| (x - self.x0) / self.sx;
        let py = |y: f64| (y - self.y0) / self.sy;
        let (xa, xb) = (px(r.x0), px(r.x1));
        let (ya, yb) = (py(r.y0), py(r.y1));
        PixelRect {
            x0: xa.min(xb).max(0.0).ceil() as u32,
            y0: ya.min(yb).max(0.0).ceil() as u32,
            x1: xa.max(xb).max(0.0).floor() as u32,
            y1: ya.max(yb).max(0.0).floor() as u32,
        }
    }
}

/// Turns a decoded image (row 0 = top of image space) so that its columns run along page
/// x and its rows along page y, with the mapping to page space. Images drawn rotated by a
/// multiple of 90° or mirrored come out upright; a sheared placement is read along the
/// nearer axes.
fn orient(image: Gray, ctm: &Matrix) -> (Gray, ToPage) {
    let [a, b, c, d, _, _] = ctm.0;
    // Pixel (u, v) lies at unit point (u/W, 1 - v/H): the u axis runs along (a, b), the v
    // axis along (-c, -d) in page space.
    let (w, h) = (f64::from(image.width), f64::from(image.height));
    let swap = a.abs() < b.abs();
    let turned = if swap { image.transposed() } else { image };
    // After a transpose, pixel x runs along the image's v axis and y along its u axis.
    let (ux, uy) = if swap {
        ((-c, -d), (a, b))
    } else {
        ((a, b), (-c, -d))
    };
    let (nx, ny) = if swap { (h, w) } else { (w, h) };
    let flip_x = ux.0 < 0.0;
    let flip_y = uy.1 < 0.0;
    let oriented = flip(turned, flip_x, flip_y);
    // Page position of the oriented image's pixel (0, 0) corner and the per-pixel steps.
    let sx = ux.0.abs() / nx;
    let sy = uy.1.abs() / ny;
    let corners = [
        ctm.apply(0.0, 0.0),
        ctm.apply(1.0, 0.0),
        ctm.apply(0.0, 1.0),
        ctm.apply(1.0, 1.0),
    ];
    let x0 = corners.iter().map(|p| p.0).fold(f64::MAX, f64::min);
    let y0 = corners.iter().map(|p| p.1).fold(f64::MAX, f64::min);
    (oriented, ToPage { x0, y0, sx, sy })
}

fn flip(mut g: Gray, flip_x: bool, flip_y: bool) -> Gray {
    let w = g.width as usize;
    if flip_x {
        g.data.chunks_exact_mut(w.max(1)).for_each(<[u8]>::reverse);
    }
    if flip_y {
        let rows: Vec<Vec<u8>> = g
            .data
            .chunks_exact(w.max(1))
            .rev()
            .map(<[u8]>::to_vec)
            .collect();
        g.data = rows.concat();
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Recognized;
    use jixiao_extract::render::GrayImage;

    /// An engine that reads nothing, as the recogniser does on a page it cannot make out.
    struct Blind;

    impl OcrEngine for Blind {
        fn recognize(&self, lines: &[Gray]) -> Result<Vec<Recognized>, OcrError> {
            Ok(vec![Recognized::default(); lines.len()])
        }
        fn detect(&self, _: &Gray) -> Result<Vec<PixelRect>, OcrError> {
            Ok(Vec::new())
        }
    }

    /// A 100-dpi page of 300 × 400 pt: paper, and with `text` twelve lines of 10-pt "text"
    /// (stroke blocks), no rules.
    fn page(text: bool) -> PageContent {
        let (w, h) = (417u32, 556u32);
        let data = (0..w * h)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                let stroke =
                    text && (60..480).contains(&y) && y % 35 < 14 && (40..380).contains(&x);
                if stroke && x % 16 < 10 && (x + y) % 5 != 0 {
                    40
                } else {
                    235
                }
            })
            .collect();
        let image = GrayImage {
            width: w,
            height: h,
            data,
        };
        image.as_page(1, &Rect::from_corners(0.0, 0.0, 300.0, 400.0))
    }

    #[test]
    fn an_inked_page_read_as_nothing_is_an_error_and_a_blank_one_is_not() {
        let reader = OcrReader::with_engine(Box::new(Blind), OcrConfig::default());
        let settings = TableSettings::default();
        match reader.read_timed(&page(true), &settings) {
            Err(OcrError::NothingRead { ink_pt2 }) => assert!(ink_pt2 > MIN_READABLE_INK_PT2),
            other => panic!("expected NothingRead, got {:?}", other.map(|r| r.0.text)),
        }
        let (blank, _) = reader.read_timed(&page(false), &settings).unwrap();
        assert!(blank.text.is_empty() && blank.segments.is_empty());
    }

    fn band(x0: u32, y0: u32, w: u32, h: u32) -> Band {
        Band {
            rect: PixelRect {
                x0,
                y0,
                x1: x0 + w,
                y1: y0 + h,
            },
            in_cell: false,
        }
    }

    #[test]
    fn specks_do_not_set_the_text_height() {
        // Three text lines and fifty specks of scanner grain: the plain median would be a speck.
        let mut bands: Vec<Band> = (0..3).map(|i| band(10, 100 * i, 400, 30)).collect();
        bands.extend((0..50).map(|i| band(5 * i, 400, 4, 4)));
        assert_eq!(text_height(&bands), 30);
        assert_eq!(text_height(&[]), 0);
    }
}
