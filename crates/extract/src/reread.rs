//! Reading again, from what the page shows, the text its text layer cannot tell: the cells
//! whose text is unreadable (see [`crate::readable`]) and the vector pages whose whole text
//! layer is, rasterised from the page's vector content ([`crate::render`]) and read by the
//! [`RasterReader`]. Also the images of pages that have a text layer elsewhere (a scanned
//! table pasted into a document, a vector header over a scanned body).

use std::sync::OnceLock;

use std::collections::BTreeMap;

use crate::budget::{Budget, Reservation};
use crate::grid::page_tables;
use crate::lexicon::context_log_gain;
use crate::model::{
    Alternatives, GlyphCode, PageContent, PageImage, RasterReader, Rect, TextBox, TextSource,
};
use crate::readable::is_ideograph;
use crate::readable::{unreadable, DocumentScript, Unreadable};
use crate::render::{dpi_for_text, pixel_size, GrayImage, PageRenderer};
use crate::settings::TableSettings;

/// Share of the page an image must cover to be read (logos and stamps are smaller).
const MIN_IMAGE_SHARE: f64 = 0.1;

/// Memory hayro takes to open a document, per byte of the file: its own copy of the bytes
/// and the objects it parses from them.
const OPEN_BYTES_PER_FILE_BYTE: usize = 3;
/// Memory rendering takes per pixel of the region: vello's coverage and RGBA pixmap, and the
/// gray image made from it.
const RENDER_BYTES_PER_PIXEL: usize = 10;

/// The document rendered on demand, within its budget: opened the first time a page needs
/// it, each rendering's memory reserved first.
pub(crate) struct LazyRenderer<'a> {
    bytes: &'a [u8],
    budget: &'a Budget,
    renderer: OnceLock<Option<PageRenderer>>,
}

impl<'a> LazyRenderer<'a> {
    pub(crate) fn new(bytes: &'a [u8], budget: &'a Budget) -> Self {
        LazyRenderer {
            bytes,
            budget,
            renderer: OnceLock::new(),
        }
    }

    /// `region` of page `number` rendered at `dpi` (see [`PageRenderer::render_gray`]);
    /// `Err` when the document cannot be rendered or the budget has no room for it (the
    /// budget remembers that failure for the document).
    fn render(&self, number: u32, region: &Rect, dpi: f64) -> Result<Option<GrayImage>, String> {
        let renderer = self
            .renderer
            .get_or_init(|| {
                let bytes = self.bytes.len().saturating_mul(OPEN_BYTES_PER_FILE_BYTE);
                let charge = self
                    .budget
                    .reserve_waiting(bytes, "opening the document for rendering")
                    .ok()?;
                charge.keep();
                PageRenderer::new(self.bytes)
            })
            .as_ref()
            .ok_or_else(|| match self.budget.exceeded() {
                Some(e) => e.to_string(),
                None => "the document could not be opened for rendering".to_string(),
            })?;
        let Some((width, height)) = pixel_size(region, dpi) else {
            return Ok(None);
        };
        let pixels = usize::from(width) * usize::from(height);
        let what = format!("rendering a region of page {number}");
        let _charge = self
            .budget
            .reserve_waiting(pixels.saturating_mul(RENDER_BYTES_PER_PIXEL), &what)
            .map_err(|e| e.to_string())?;
        Ok(renderer.render_gray(number, region, dpi))
    }
}

/// Median font size of a page's text (10 pt when it has none).
fn median_font_size(text: &[TextBox]) -> f64 {
    let mut sizes: Vec<f64> = text
        .iter()
        .map(|t| t.font_size)
        .filter(|s| s.is_finite() && *s > 0.0)
        .collect();
    sizes.sort_by(f64::total_cmp);
    sizes.get(sizes.len() / 2).copied().unwrap_or(10.0)
}

/// A vector page whose text layer is unusable and that holds no image: rendered whole, as an
/// image the raster path reads like a scan. The rendering when the image was added.
pub(crate) fn render_unusable_page(
    page: &mut PageContent,
    renderer: &LazyRenderer<'_>,
) -> Result<Option<Rendered>, String> {
    if !page.images.is_empty() || page.text.is_empty() || crate::interp::has_usable_text(page) {
        return Ok(None);
    }
    let region = Rect::from_corners(0.0, 0.0, page.width, page.height);
    let dpi = dpi_for_text(median_font_size(&page.text));
    let Some(image) = renderer.render(page.number, &region, dpi)? else {
        return Ok(None);
    };
    page.images = image.as_page(page.number, &region).images;
    Ok(Some(Rendered { image, region }))
}

/// A region of a page as rendered.
pub(crate) struct Rendered {
    image: GrayImage,
    region: Rect,
}

impl Rendered {
    /// Whether the middle of `bbox` (page space) holds ink: a glyph there prints something
    /// (the middle only, so that its neighbours' ink does not count).
    fn has_ink(&self, bbox: &Rect) -> bool {
        let (sx, sy) = (
            f64::from(self.image.width) / self.region.width(),
            f64::from(self.image.height) / self.region.height(),
        );
        let (dx, dy) = (bbox.width() * 0.15, bbox.height() * 0.1);
        let px = |x: f64, scale: f64, size: u32| ((x * scale).round().max(0.0) as u32).min(size);
        let (x0, x1) = (
            px(bbox.x0 + dx - self.region.x0, sx, self.image.width),
            px(bbox.x1 - dx - self.region.x0, sx, self.image.width),
        );
        let (y0, y1) = (
            px(bbox.y0 + dy - self.region.y0, sy, self.image.height),
            px(bbox.y1 - dy - self.region.y0, sy, self.image.height),
        );
        (y0..y1).any(|y| {
            let row = (y * self.image.width) as usize;
            self.image.data[row + x0 as usize..row + x1 as usize]
                .iter()
                .any(|&p| p < INK_LEVEL)
        })
    }
}

/// The lines read, widest first, less those lying mostly (by more than half their width) on
/// a wider one on the same row: the recogniser's second read of part of a line.
fn widest_reads(mut read: Vec<TextBox>) -> Vec<TextBox> {
    read.sort_by(|a, b| b.bbox.width().total_cmp(&a.bbox.width()));
    let mut kept: Vec<TextBox> = Vec::with_capacity(read.len());
    for line in read {
        let (_, y) = line.bbox.center();
        let repeated = kept.iter().any(|k| {
            let shared = line.bbox.x1.min(k.bbox.x1) - line.bbox.x0.max(k.bbox.x0);
            (k.bbox.y0..=k.bbox.y1).contains(&y) && shared * 2.0 > line.bbox.width()
        });
        if !repeated {
            kept.push(line);
        }
    }
    kept
}

/// Advance, in ems, from which a glyph is full-width.
const WIDE_ADVANCE: f64 = 0.75;

/// The one of a pair of punctuation marks that look alike (a Latin mark and its full-width
/// CJK twin) that has the glyph's width: recognisers confuse them, the text layer's advances
/// do not. Full-width double quotes open and close in turn (`quotes` seen so far on the
/// line).
fn punctuation_of_width(c: char, wide: bool, quotes: usize) -> char {
    match (c, wide) {
        (',' | '，', w) => {
            if w {
                '，'
            } else {
                ','
            }
        }
        ('.' | '。', w) => {
            if w {
                '。'
            } else {
                '.'
            }
        }
        ('"' | '“' | '”', true) => {
            if quotes.is_multiple_of(2) {
                '“'
            } else {
                '”'
            }
        }
        _ => c,
    }
}

/// Gray level below which a rendered pixel is ink.
const INK_LEVEL: u8 = 128;

/// Settles the lines `read` from a rendered region on the text layer's glyphs there
/// (`layer`): where a line read has as many characters, spaces aside, as the glyphs under it
/// that print ink, each of those glyphs takes its character and each blank glyph becomes a
/// space, so the layer's geometry places the words as on any born-digital page. A line with
/// a character more or less (the recogniser dropped or doubled one) is aligned on its inked
/// glyphs when the glyph codes the other lines settled pin the alignment down (see
/// [`align`]): a glyph left without a character waits, empty, for the document's vote on its
/// code (see [`Winners::apply`]). Any other line stays as read. The layer's glyphs not taken
/// are dropped (their text was unreadable).
pub(crate) fn settle_on_glyphs(
    layer: Vec<TextBox>,
    read: Vec<TextBox>,
    rendered: &Rendered,
) -> Vec<TextBox> {
    let mut taken = vec![false; layer.len()];
    let mut out = Vec::with_capacity(layer.len());
    // What the settled lines read for each code: the anchors of the lines aligned after.
    let mut known: BTreeMap<GlyphCode, BTreeMap<char, u32>> = BTreeMap::new();
    let mut unsettled = Vec::new();
    for line in widest_reads(read) {
        let reach = line.bbox.height() / 2.0;
        let mut under: Vec<usize> = (0..layer.len())
            .filter(|&i| {
                let (x, y) = layer[i].bbox.center();
                !taken[i]
                    && layer[i].direction == line.direction
                    && (line.bbox.y0..=line.bbox.y1).contains(&y)
                    && (line.bbox.x0 - reach..=line.bbox.x1 + reach).contains(&x)
            })
            .collect();
        under.sort_by(|&a, &b| layer[a].bbox.x0.total_cmp(&layer[b].bbox.x0));
        let inked: Vec<bool> = under
            .iter()
            .map(|&i| rendered.has_ink(&layer[i].bbox))
            .collect();
        let reads = read_chars(&line);
        let chars: Vec<char> = reads.iter().map(|r| r.0).collect();
        let upright = line.direction == crate::model::Direction::Right;
        if !upright || chars.is_empty() {
            out.push(line);
            continue;
        }
        under.iter().for_each(|&i| taken[i] = true);
        if chars.len() != inked.iter().filter(|&&k| k).count() {
            unsettled.push((line, under, inked, reads));
            continue;
        }
        let inked_glyphs = under.iter().zip(&inked).filter(|(_, &k)| k);
        for ((&i, _), c) in inked_glyphs.zip(&chars) {
            if let Some(code) = layer[i].glyph {
                *known.entry(code).or_default().entry(*c).or_default() += 1;
            }
        }
        let reads = reads.into_iter().map(Some).collect();
        out.extend(place(&layer, &under, &inked, reads, &line));
    }
    for (line, under, inked, reads) in unsettled {
        let codes: Vec<Option<char>> = under
            .iter()
            .zip(&inked)
            .filter(|(_, &k)| k)
            .map(|(&i, _)| {
                let votes = known.get(&layer[i].glyph?)?;
                votes.iter().max_by_key(|(_, &n)| n).map(|(&c, _)| c)
            })
            .collect();
        let chars: Vec<char> = reads.iter().map(|r| r.0).collect();
        match align(&codes, &chars) {
            Some(aligned) => {
                // The characters kept, in order: each is the next of the line's with it.
                let mut reads = reads.into_iter();
                let aligned = aligned
                    .into_iter()
                    .map(|c| reads.by_ref().find(|r| Some(r.0) == c))
                    .collect();
                out.extend(place(&layer, &under, &inked, aligned, &line))
            }
            None => out.push(line),
        }
    }
    out
}

/// The characters of a line read, spaces aside, each with the recogniser's alternatives for
/// it (empty but for the ideographs the reader gave them for).
fn read_chars(line: &TextBox) -> Vec<(char, Alternatives)> {
    let chars = line.text.chars().filter(|c| !c.is_whitespace());
    let ideographs = chars.clone().filter(|&c| is_ideograph(c)).count();
    let mut given = (ideographs == line.alternatives.len()).then(|| line.alternatives.iter());
    chars
        .map(|c| {
            let alternatives = match &mut given {
                Some(given) if is_ideograph(c) => given.next().cloned().unwrap_or_default(),
                _ => Alternatives::default(),
            };
            (c, alternatives)
        })
        .collect()
}

/// The glyphs `under` a line read (indices into `layer`, left to right; `inked` says which
/// print ink) with their characters: each inked glyph takes the next of `reads` (`None`: left
/// empty) with its alternatives, each blank glyph becomes a space; look-alike punctuation
/// takes the glyph's width.
fn place(
    layer: &[TextBox],
    under: &[usize],
    inked: &[bool],
    reads: Vec<Option<(char, Alternatives)>>,
    line: &TextBox,
) -> Vec<TextBox> {
    let mut reads = reads.into_iter();
    let mut quotes = 0;
    under
        .iter()
        .zip(inked)
        .map(|(&i, &ink)| {
            let glyph = &layer[i];
            let (text, alternatives) = match ink.then(|| reads.next()).flatten() {
                Some(Some((c, alternatives))) => {
                    let wide = glyph.bbox.width() >= WIDE_ADVANCE * glyph.font_size;
                    let c = punctuation_of_width(c, wide, quotes);
                    quotes += usize::from(matches!(c, '“' | '”'));
                    let alternatives = if alternatives.is_empty() {
                        Box::default()
                    } else {
                        Box::new([alternatives]) as Box<[Alternatives]>
                    };
                    (c.to_string(), alternatives)
                }
                Some(None) => (String::new(), Box::default()),
                None => (" ".to_string(), Box::default()),
            };
            TextBox {
                text,
                confidence: line.confidence,
                source: TextSource::Ocr,
                alternatives,
                ..glyph.clone()
            }
        })
        .collect()
}

/// Most characters a line read may have dropped or added, per character of the line, for
/// [`align`] to settle it on its glyphs.
const ALIGN_EDITS_PER_CHAR: usize = 8;

/// Aligns the characters read of a line (`chars`) on its inked glyphs, whose characters are
/// known for some (`known`: what other lines read for the glyph's code): the edit-distance
/// alignment where pairing a glyph with the character known for it costs nothing, with
/// another character (or one of unknown code) one, and a glyph or character left alone two.
/// Each glyph's character (`None`: left without); `None` when the characters differ in
/// number from the glyphs by more than one per [`ALIGN_EDITS_PER_CHAR`] characters (at least
/// one), or when another alignment costs as little and gives other characters (nothing pins
/// it down).
fn align(known: &[Option<char>], chars: &[char]) -> Option<Vec<Option<char>>> {
    if known.len().abs_diff(chars.len()) > (chars.len() / ALIGN_EDITS_PER_CHAR).max(1) {
        return None;
    }
    // The optimal alignment walked back from the end and the one walked back from the start
    // (of the reversed line) are the two extremes: when they agree, every optimal one does.
    let forward = cheapest_alignment(known, chars);
    let rev = |v: &[Option<char>]| v.iter().rev().copied().collect::<Vec<_>>();
    let chars_rev: Vec<char> = chars.iter().rev().copied().collect();
    let backward = rev(&cheapest_alignment(&rev(known), &chars_rev));
    (forward == backward).then_some(forward)
}

/// One cheapest alignment of `chars` on the glyphs whose characters are `known` (costs in
/// [`align`]), walked back from the end preferring pairs: each glyph's character.
fn cheapest_alignment(known: &[Option<char>], chars: &[char]) -> Vec<Option<char>> {
    const GAP: u32 = 2;
    let (n, m) = (known.len(), chars.len());
    let pair = |i: usize, j: usize| u32::from(known[i] != Some(chars[j]));
    // cost[i][j]: glyphs ..i aligned with characters ..j.
    let mut cost = vec![vec![0u32; m + 1]; n + 1];
    for i in 0..=n {
        for j in 0..=m {
            cost[i][j] = match (i, j) {
                (0, 0) => 0,
                (0, j) => cost[0][j - 1] + GAP,
                (i, 0) => cost[i - 1][0] + GAP,
                (i, j) => (cost[i - 1][j - 1] + pair(i - 1, j - 1))
                    .min(cost[i - 1][j] + GAP)
                    .min(cost[i][j - 1] + GAP),
            };
        }
    }
    let mut out = vec![None; n];
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        if i > 0 && j > 0 && cost[i][j] == cost[i - 1][j - 1] + pair(i - 1, j - 1) {
            out[i - 1] = Some(chars[j - 1]);
            (i, j) = (i - 1, j - 1);
        } else if i > 0 && cost[i][j] == cost[i - 1][j] + GAP {
            i -= 1;
        } else {
            j -= 1;
        }
    }
    out
}

/// What OCR read of the glyphs of a document's text layer, per glyph code: every glyph drawn
/// with one code of one font prints the same character, so the character read most often
/// (each reading weighted by the recogniser's confidence in its line) stands for all of them,
/// and a misreading of one instance is outvoted by the others.
///
/// A code whose readings are CJK ideographs is settled with a prior on Chinese text too
/// (see [`GlyphVotes::with_prior`]): the recogniser can misread a rare character as its
/// look-alike on every instance (修缮 as 修鳝), and the words the glyph forms with its
/// neighbours tell them apart.
#[derive(Debug, Default)]
pub(crate) struct GlyphVotes {
    /// Per code, each character read: its summed confidence and its number of readings.
    votes: BTreeMap<GlyphCode, BTreeMap<char, (f64, u32)>>,
    /// Per code, its ideograph readings with the recogniser's alternatives, in context.
    readings: BTreeMap<GlyphCode, Vec<Reading>>,
}

/// One ideograph read on a glyph: what the recogniser weighed, and the glyph's neighbours on
/// its line (nearest first, up to a word's length).
#[derive(Debug)]
struct Reading {
    alternatives: Alternatives,
    left: Vec<Neighbour>,
    right: Vec<Neighbour>,
}

/// A glyph next to one read: its code (its character is its code's winner) or, for text the
/// layer tells, its character.
#[derive(Debug, Clone, Copy)]
enum Neighbour {
    Code(GlyphCode),
    Known(char),
}

/// Most neighbours kept on either side of a reading (a word's length less one).
const CONTEXT: usize = 3;

/// The character a glyph code stands for, and the confidence the vote gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Winner {
    character: char,
    /// The confidence of the readings that agree, summed, over the number of readings: their
    /// mean confidence times their share of the vote.
    confidence: f32,
}

/// The one character of a glyph settled by OCR (see [`settle_on_glyphs`]) with its code.
fn read_glyph(t: &TextBox) -> Option<(GlyphCode, char)> {
    let code = t.glyph.filter(|_| t.source == TextSource::Ocr)?;
    let mut chars = t.text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if !c.is_whitespace() => Some((code, c)),
        _ => None,
    }
}

impl GlyphVotes {
    /// Counts the glyphs of `page` that OCR settled.
    pub(crate) fn add(&mut self, page: &PageContent) {
        for (i, t) in page.text.iter().enumerate() {
            if let Some((code, c)) = read_glyph(t) {
                let vote = self.votes.entry(code).or_default().entry(c).or_default();
                vote.0 += f64::from(t.confidence.unwrap_or(0.5));
                vote.1 += 1;
                if let [alternatives] = &*t.alternatives {
                    self.readings.entry(code).or_default().push(Reading {
                        alternatives: alternatives.clone(),
                        left: neighbours(&page.text, i, false),
                        right: neighbours(&page.text, i, true),
                    });
                }
            }
        }
    }

    /// Whether no glyph was settled by OCR so far.
    pub(crate) fn is_empty(&self) -> bool {
        self.votes.is_empty()
    }

    /// The winner of every code (see [`Winners`]), worked out once for the document: by the
    /// readings' confidence, then, for the codes read as ideographs, with the prior on
    /// Chinese text in the contexts those winners give.
    pub(crate) fn winners(&self) -> Winners {
        let plain: BTreeMap<GlyphCode, Winner> = self
            .votes
            .iter()
            .filter_map(|(&code, votes)| Some((code, Self::winner(votes)?)))
            .collect();
        let mut support = BTreeMap::new();
        let settled: Vec<(GlyphCode, Winner)> = self
            .readings
            .iter()
            .filter_map(|(&code, readings)| {
                let won = plain.get(&code)?;
                let better = Self::with_prior(readings, won.character, &plain, &mut support)?;
                (better.character != won.character).then_some((code, better))
            })
            .collect();
        let mut winners = plain;
        winners.extend(settled);
        Winners(winners)
    }

    /// The character of a code read as the ideograph `read`, weighing what the recogniser
    /// saw against how well each candidate forms words with the glyph's neighbours: the
    /// candidate with the highest `mean ln p + mean ln (P(text) / P(c))` over the code's
    /// readings, where `p` is the recogniser's probability for it at that reading (a
    /// candidate not among that reading's alternatives takes the least one listed, an upper
    /// bound), `P(text)` the probability of the reading's context with the candidate in it
    /// and `P(c)` that of the candidate alone (see [`context_log_gain`]). This is Bayes'
    /// rule: the recogniser's output is already `p(c | look) ∝ p(look | c) p(c)`, so its
    /// character prior `p(c)` is exchanged for the character's probability in its context,
    /// `p(c | context) ∝ P(text)`; the two terms weigh equally (weight 1: nothing tuned).
    /// Only the words a candidate forms count, not how common it is: between two readings
    /// that form no word (丶 or 一 for a 、) the recogniser decides. The means make the readings of one glyph (the same look
    /// repeated, the same phrase repeated) one piece of evidence, not many. Candidates are
    /// the ideographs among the recogniser's alternatives. `None` when there is nothing to
    /// choose from; the winner's confidence is its posterior among the candidates.
    fn with_prior(
        readings: &[Reading],
        read: char,
        plain: &BTreeMap<GlyphCode, Winner>,
        support: &mut BTreeMap<(Vec<char>, char, Vec<char>), f64>,
    ) -> Option<Winner> {
        if !is_ideograph(read) || readings.is_empty() {
            return None;
        }
        let mut candidates: Vec<char> = readings
            .iter()
            .flat_map(|r| r.alternatives.iter().map(|a| a.0))
            .chain([read])
            .filter(|&c| is_ideograph(c))
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        if candidates.len() < 2 {
            return None;
        }
        let resolve = |side: &[Neighbour]| -> Vec<char> {
            side.iter()
                .map_while(|n| match *n {
                    Neighbour::Known(c) => Some(c),
                    Neighbour::Code(code) => plain.get(&code).map(|w| w.character),
                })
                .take_while(|c| is_ideograph(*c))
                .collect()
        };
        let contexts: Vec<(Vec<char>, Vec<char>)> = readings
            .iter()
            .map(|r| (resolve(&r.left), resolve(&r.right)))
            .collect();
        let n = readings.len() as f64;
        let scores: Vec<f64> = candidates
            .iter()
            .map(|&c| {
                let seen: f64 = readings
                    .iter()
                    .map(|r| {
                        let least = r.alternatives.last().map_or(1e-6, |a| a.1);
                        let p = r
                            .alternatives
                            .iter()
                            .find(|a| a.0 == c)
                            .map_or(least, |a| a.1);
                        f64::from(p.max(1e-6)).ln()
                    })
                    .sum();
                let words: f64 = contexts
                    .iter()
                    .map(|(left, right)| {
                        *support
                            .entry((left.clone(), c, right.clone()))
                            .or_insert_with(|| context_log_gain(left, c, right))
                    })
                    .sum();
                (seen + words) / n
            })
            .collect();
        let (best, &top) = scores.iter().enumerate().max_by(|a, b| {
            a.1.total_cmp(b.1)
                .then(candidates[b.0].cmp(&candidates[a.0]))
        })?;
        let total: f64 = scores.iter().map(|s| (s - top).exp()).sum();
        Some(Winner {
            character: candidates[best],
            confidence: (1.0 / total) as f32,
        })
    }

    /// The winner among one code's `votes`: the most confidence summed, then the most
    /// readings (then the lowest character, so that the outcome never depends on the order
    /// of the pages).
    fn winner(votes: &BTreeMap<char, (f64, u32)>) -> Option<Winner> {
        let readings: u32 = votes.values().map(|v| v.1).sum();
        let (&character, &(weight, _)) = votes.iter().max_by(|a, b| {
            (a.1 .0)
                .total_cmp(&b.1 .0)
                .then(a.1 .1.cmp(&b.1 .1))
                .then(b.0.cmp(a.0))
        })?;
        Some(Winner {
            character,
            confidence: (weight / f64::from(readings.max(1))) as f32,
        })
    }
}

/// The glyphs next to `page[i]` on its line, toward its right (`rightward`) or its left,
/// nearest first, up to [`CONTEXT`]: glyph boxes that follow one another in the page's text
/// on one baseline, each starting within half an em of the last one's end; a space, a glyph
/// of several characters or a gap ends them.
fn neighbours(text: &[TextBox], i: usize, rightward: bool) -> Vec<Neighbour> {
    let mut out = Vec::new();
    let mut last = &text[i];
    let steps: Box<dyn Iterator<Item = usize>> = if rightward {
        Box::new(i + 1..text.len())
    } else {
        Box::new((0..i).rev())
    };
    for j in steps.take(CONTEXT) {
        let t = &text[j];
        let (a, b) = if rightward { (last, t) } else { (t, last) };
        let em = a.font_size.max(b.font_size);
        let gap = b.bbox.x0 - a.bbox.x1;
        let (_, ya) = a.bbox.center();
        let (_, yb) = b.bbox.center();
        if t.glyph.is_none()
            || t.direction != last.direction
            || !(-0.25 * em..0.5 * em).contains(&gap)
            || (ya - yb).abs() > 0.5 * em
        {
            break;
        }
        let mut chars = t.text.chars();
        let neighbour = match (chars.next(), chars.next(), t.source) {
            (_, None, TextSource::Ocr) if !t.text.contains(char::is_whitespace) => {
                t.glyph.map(Neighbour::Code)
            }
            (Some(c), None, _) if !c.is_whitespace() => Some(Neighbour::Known(c)),
            _ => None,
        };
        let Some(neighbour) = neighbour else {
            break;
        };
        out.push(neighbour);
        last = t;
    }
    out
}

/// The character each glyph code read by OCR won in the document's [`GlyphVotes`].
#[derive(Debug, Default)]
pub(crate) struct Winners(BTreeMap<GlyphCode, Winner>);

impl Winners {
    /// Gives every glyph of `page` that OCR settled the character its code won, with the
    /// vote's confidence. Returns the number of glyphs whose character changed.
    /// A glyph left empty when its line was aligned (see [`settle_on_glyphs`]) takes its
    /// code's character too.
    pub(crate) fn apply(&self, page: &mut PageContent) -> usize {
        let mut changed = 0;
        for t in &mut page.text {
            let read = match (t.glyph, t.source) {
                (Some(code), TextSource::Ocr) if t.text.is_empty() => Some((code, None)),
                _ => read_glyph(t).map(|(code, c)| (code, Some(c))),
            };
            let Some((code, read)) = read else {
                continue;
            };
            if let Some(won) = self.0.get(&code) {
                if Some(won.character) != read {
                    t.text = won.character.to_string();
                    changed += 1;
                }
                t.confidence = Some(won.confidence);
            }
        }
        changed
    }
}

/// A page kept until its document's [`GlyphVotes`] are in, with the memory it holds: its
/// images (read already; the tables need only its text and rules) are let go.
pub(crate) fn hold(mut page: PageContent, mut charge: Reservation) -> (PageContent, Reservation) {
    let images: usize = page
        .images
        .iter()
        .map(|i| std::mem::size_of::<PageImage>() + i.data.capacity())
        .sum();
    page.images = Vec::new();
    charge.shrink_to(charge.bytes().saturating_sub(images));
    (page, charge)
}

/// The cells of a page whose text is unreadable, with the first reason found.
pub fn unreadable_cells(
    page: &PageContent,
    settings: &TableSettings,
    script: DocumentScript,
) -> Vec<(Rect, Unreadable)> {
    if !suspicious(page, script) {
        return Vec::new();
    }
    page_tables(page, settings)
        .into_iter()
        .flat_map(|t| {
            t.grid
                .cells
                .into_iter()
                .zip(t.texts)
                .zip(t.sources)
                .filter(|(_, source)| *source != TextSource::Ocr)
                .filter_map(|((cell, text), _)| {
                    unreadable(&text, script).map(|why| (cell.bbox, why))
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Whether a page's text layer holds anything [`unreadable`] could flag in a cell: an
/// unreadable character, a mojibake letter in a CJK document, a glyph-name prefix followed
/// by a digit. Most pages hold none, and skip the table build.
fn suspicious(page: &PageContent, script: DocumentScript) -> bool {
    let layer = |t: &&TextBox| t.source != TextSource::Ocr;
    page.text.iter().filter(layer).any(|t| {
        t.text.chars().any(|c| {
            crate::text::is_unreadable(c) || (script.cjk && crate::readable::is_mojibake(c))
        }) || crate::readable::is_glyph_name(&t.text)
    }) || page.text.windows(2).any(|w| {
        w[0].source != TextSource::Ocr
            && w[0].text.ends_with(['g', 'd', 'h'])
            && w[1].text.starts_with(|c: char| c.is_ascii_digit())
    })
}

/// Reads the unreadable `cells` of a page again: each rendered (inside its rules) from the
/// page's vector content and recognised by `reader`; the page's glyphs inside the cell are
/// replaced by what was read. Returns the number of cells read again.
pub(crate) fn reread_cells(
    page: &mut PageContent,
    cells: &[(Rect, Unreadable)],
    renderer: &LazyRenderer<'_>,
    reader: &dyn RasterReader,
    settings: &TableSettings,
) -> Result<usize, String> {
    let regions = regions_once(cells.iter().map(|(bbox, _)| *bbox))
        .into_iter()
        .filter_map(|bbox| {
            // Inside the cell's rules: a rule read as a stroke would become text.
            let inset = (bbox.width().min(bbox.height()) * 0.08).clamp(0.5, 2.0);
            let drawn = Rect::from_corners(
                bbox.x0 + inset,
                bbox.y0 + inset,
                bbox.x1 - inset,
                bbox.y1 - inset,
            );
            (drawn.width() > 1.0 && drawn.height() > 1.0).then_some(Region { bbox, drawn })
        })
        .collect::<Vec<_>>();
    reread_regions(page, &regions, renderer, reader, settings)
}

/// A part of a page read again: the glyphs whose centre lies in `bbox` are replaced by what
/// is read of `drawn` rendered.
struct Region {
    bbox: Rect,
    drawn: Rect,
}

/// Reads `regions` of a page again (see [`Region`]). Returns the number read.
fn reread_regions(
    page: &mut PageContent,
    regions: &[Region],
    renderer: &LazyRenderer<'_>,
    reader: &dyn RasterReader,
    settings: &TableSettings,
) -> Result<usize, String> {
    let dpi = dpi_for_text(median_font_size(&page.text));
    let mut done = 0;
    for Region { bbox, drawn } in regions {
        let Some(image) = renderer.render(page.number, drawn, dpi)? else {
            continue;
        };
        let read = reader
            .read_page(&image.as_page(page.number, drawn), settings)
            .map_err(|e| format!("reading unreadable text again failed: {e}"))?;
        let (inside, outside): (Vec<TextBox>, Vec<TextBox>) =
            std::mem::take(&mut page.text).into_iter().partition(|t| {
                let (x, y) = t.bbox.center();
                x >= bbox.x0 && x <= bbox.x1 && y >= bbox.y0 && y <= bbox.y1
            });
        let read = read
            .text
            .into_iter()
            .map(|mut t| {
                t.bbox = Rect::from_corners(
                    t.bbox.x0 + drawn.x0,
                    t.bbox.y0 + drawn.y0,
                    t.bbox.x1 + drawn.x0,
                    t.bbox.y1 + drawn.y0,
                );
                t.source = TextSource::Ocr;
                t
            })
            .collect();
        page.text = outside;
        page.text.extend(settle_on_glyphs(
            inside,
            read,
            &Rendered {
                image,
                region: *drawn,
            },
        ));
        done += 1;
    }
    Ok(done)
}

/// Gap between two glyphs of one line, in ems, beyond which they belong to different runs
/// of text (a title and a page number on one baseline).
const RUN_GAP: f64 = 1.5;

/// The upright lines of the page's text layer (OCR text aside) whose text is unreadable
/// (see [`unreadable`]): titles, headings and notes outside the tables, set in a font
/// without usable text. Each as the box of its glyphs.
fn unreadable_lines(page: &PageContent, script: DocumentScript) -> Vec<Rect> {
    let mut glyphs: Vec<&TextBox> = page
        .text
        .iter()
        .filter(|t| t.source != TextSource::Ocr && t.direction == crate::model::Direction::Right)
        .collect();
    glyphs.sort_by(|a, b| a.bbox.center().1.total_cmp(&b.bbox.center().1));
    // Rows: glyphs whose centre lies within the first glyph's height.
    let mut rows: Vec<Vec<&TextBox>> = Vec::new();
    for g in glyphs {
        match rows.last_mut() {
            Some(row) if (row[0].bbox.y0..=row[0].bbox.y1).contains(&g.bbox.center().1) => {
                row.push(g)
            }
            _ => rows.push(vec![g]),
        }
    }
    let mut lines = Vec::new();
    for mut row in rows {
        row.sort_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0));
        let mut start = 0;
        for end in 1..=row.len() {
            let split = row.get(end).is_none_or(|g| {
                let before = row[end - 1];
                g.bbox.x0 - before.bbox.x1 > RUN_GAP * before.font_size.max(g.font_size)
            });
            if split {
                let run = &row[start..end];
                let text: String = run.iter().map(|g| g.text.as_str()).collect();
                if unreadable(&text, script).is_some() {
                    lines.push(
                        run.iter()
                            .skip(1)
                            .fold(run[0].bbox, |r, g| r.union(&g.bbox)),
                    );
                }
                start = end;
            }
        }
    }
    lines
}

/// Reads again the lines of the page's text layer that are still unreadable once its cells
/// were (see [`unreadable_lines`]): each rendered with a margin of a fifth of its height
/// above and below, half its height on either side. Returns the number of lines read again.
pub(crate) fn reread_lines(
    page: &mut PageContent,
    script: DocumentScript,
    renderer: &LazyRenderer<'_>,
    reader: &dyn RasterReader,
    settings: &TableSettings,
) -> Result<usize, String> {
    if !suspicious(page, script) {
        return Ok(0);
    }
    let regions: Vec<Region> = regions_once(unreadable_lines(page, script))
        .into_iter()
        .map(|line| {
            let (dx, dy) = (line.height() * 0.5, line.height() * 0.2);
            let bbox = Rect::from_corners(line.x0 - dx, line.y0 - dy, line.x1 + dx, line.y1 + dy);
            Region { bbox, drawn: bbox }
        })
        .collect();
    reread_regions(page, &regions, renderer, reader, settings)
}

/// The cells' boxes with those that overlap (by more than a point each way: cells of one grid
/// only share their rules) joined into one, so that no text is read twice.
fn regions_once(cells: impl IntoIterator<Item = Rect>) -> Vec<Rect> {
    let overlap = |a: &Rect, b: &Rect| {
        a.x1.min(b.x1) - a.x0.max(b.x0) > 1.0 && a.y1.min(b.y1) - a.y0.max(b.y0) > 1.0
    };
    let mut regions: Vec<Rect> = Vec::new();
    for mut cell in cells {
        while let Some(i) = regions.iter().position(|r| overlap(r, &cell)) {
            cell = cell.union(&regions.swap_remove(i));
        }
        regions.push(cell);
    }
    regions.sort_by(|a, b| a.y0.total_cmp(&b.y0).then(a.x0.total_cmp(&b.x0)));
    regions
}

/// The images of a page with a usable text layer that no text of that layer lies on and that
/// cover a good share of the page: scanned content pasted into a document.
pub(crate) fn unread_images(page: &PageContent) -> Vec<PageImage> {
    let page_area = (page.width * page.height).abs().max(1.0);
    page.images
        .iter()
        .filter(|image| {
            let placed = placement(image);
            placed.width() * placed.height() >= page_area * MIN_IMAGE_SHARE
                && !page.text.iter().any(|t| {
                    let (x, y) = t.bbox.center();
                    x >= placed.x0 && x <= placed.x1 && y >= placed.y0 && y <= placed.y1
                })
        })
        .cloned()
        .collect()
}

/// Where an image lies on the page.
pub(crate) fn placement(image: &PageImage) -> Rect {
    let corners =
        [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)].map(|(x, y)| image.ctm.apply(x, y));
    let (mut r, rest) = (
        Rect::from_corners(corners[0].0, corners[0].1, corners[0].0, corners[0].1),
        &corners[1..],
    );
    for &(x, y) in rest {
        r = r.union(&Rect::from_corners(x, y, x, y));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text read by OCR at `bbox`, 10 pt, with confidence 0.9.
    fn read(text: &str, bbox: Rect) -> TextBox {
        TextBox {
            text: text.into(),
            bbox,
            font_size: 10.0,
            confidence: Some(0.9),
            direction: Default::default(),
            source: TextSource::Ocr,
            glyph: None,
            alternatives: Default::default(),
        }
    }

    #[test]
    fn overlapping_cells_are_read_as_one_region() {
        let a = Rect::from_corners(0.0, 0.0, 50.0, 20.0);
        let b = Rect::from_corners(40.0, 5.0, 90.0, 20.0);
        let beside = Rect::from_corners(50.0, 20.0, 90.0, 40.0);
        assert_eq!(
            regions_once([a, b, beside]),
            vec![a.union(&b), beside],
            "cells sharing only a rule stay apart"
        );
    }

    #[test]
    fn a_second_read_of_part_of_a_line_is_dropped() {
        let line = |text: &str, x0: f64, x1: f64, y0: f64| {
            read(text, Rect::from_corners(x0, y0, x1, y0 + 10.0))
        };
        let kept = widest_reads(vec![
            line("社区公共", 10.0, 50.0, 1.0),
            line("更新社区公共运动场", 0.0, 90.0, 0.0),
            line("下一行", 0.0, 30.0, 12.0),
        ]);
        let texts: Vec<&str> = kept.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["更新社区公共运动场", "下一行"]);
    }

    #[test]
    fn a_glyph_code_takes_the_character_most_read() {
        let glyph = |text: &str, code: u32, confidence: f32| TextBox {
            confidence: Some(confidence),
            glyph: Some(GlyphCode { font: 1, code }),
            ..read(text, Rect::default())
        };
        let mut page = PageContent {
            text: vec![
                glyph("缮", 7, 0.9),
                glyph("鳝", 7, 0.95),
                glyph("缮", 7, 0.8),
                glyph("修", 8, 0.9),
                // Another font's code 7 is another glyph.
                TextBox {
                    glyph: Some(GlyphCode { font: 2, code: 7 }),
                    ..glyph("善", 7, 0.9)
                },
                // Text the layer told, not OCR: not a vote, not changed.
                TextBox {
                    source: TextSource::Pdf,
                    confidence: None,
                    ..glyph("鳝", 7, 1.0)
                },
            ],
            ..PageContent::default()
        };
        let mut votes = GlyphVotes::default();
        votes.add(&page);
        assert_eq!(votes.winners().apply(&mut page), 1);
        let texts: Vec<&str> = page.text.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["缮", "缮", "缮", "修", "善", "鳝"]);
        // Two of three readings agree: the confidence says so.
        let confidence = page.text[1].confidence.unwrap();
        assert!((confidence - 1.7 / 3.0).abs() < 1e-6, "{confidence}");
        assert_eq!(page.text[3].confidence, Some(0.9));
        assert_eq!(page.text[5].confidence, None);
    }

    #[test]
    fn a_look_alike_read_on_every_instance_yields_to_the_word_it_breaks() {
        // 修缮 set in a font without text: the recogniser reads 鳝 on every instance of the
        // second glyph, 缮 a distant alternative; 修 (code 8) is read right.
        let glyph = |text: &str, code: u32, x0: f64, alternatives: &[(char, f32)]| TextBox {
            glyph: Some(GlyphCode { font: 1, code }),
            alternatives: Box::new([alternatives.into()]),
            ..read(text, Rect::from_corners(x0, 0.0, x0 + 10.0, 10.0))
        };
        let line = |x0: f64| {
            [
                glyph("修", 8, x0, &[('修', 0.98), ('俢', 0.01)]),
                glyph(
                    "鳝",
                    7,
                    x0 + 10.0,
                    &[('鳝', 0.4), ('蟮', 0.1), ('缮', 0.005)],
                ),
            ]
        };
        let mut page = PageContent {
            text: [line(0.0), line(100.0)].concat(),
            ..PageContent::default()
        };
        let mut votes = GlyphVotes::default();
        votes.add(&page);
        assert_eq!(votes.winners().apply(&mut page), 2);
        let texts: Vec<&str> = page.text.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["修", "缮", "修", "缮"]);
        // Alone (no neighbour to form a word with), the recogniser decides.
        let mut page = PageContent {
            text: vec![line(0.0)[1].clone()],
            ..PageContent::default()
        };
        let mut votes = GlyphVotes::default();
        votes.add(&page);
        assert_eq!(votes.winners().apply(&mut page), 0);
        assert_eq!(page.text[0].text, "鳝");
    }

    #[test]
    fn unreadable_lines_are_runs_of_one_row() {
        let glyph = |text: &str, x0: f64, y0: f64| TextBox {
            confidence: None,
            source: TextSource::Pdf,
            ..read(text, Rect::from_corners(x0, y0, x0 + 10.0, y0 + 10.0))
        };
        let page = PageContent {
            text: vec![
                // A title of unmapped glyphs, its baseline a little uneven.
                glyph("\u{FFFD}", 0.0, 0.0),
                glyph("\u{FFFD}", 10.0, 0.5),
                glyph("\u{FFFD}", 20.0, 0.0),
                // A page number on the same row, far off: a run of its own, readable.
                glyph("1", 200.0, 0.0),
                // A readable line below, and a line with one unreadable glyph.
                glyph("年", 0.0, 20.0),
                glyph("度", 10.0, 20.0),
                glyph("表", 0.0, 40.0),
                glyph("\u{E001}", 10.0, 40.0),
                // Text read by OCR already is not the layer's.
                TextBox {
                    source: TextSource::Ocr,
                    ..glyph("\u{FFFD}", 0.0, 60.0)
                },
            ],
            ..PageContent::default()
        };
        let script = DocumentScript { cjk: true };
        assert_eq!(
            unreadable_lines(&page, script),
            vec![
                Rect::from_corners(0.0, 0.0, 30.0, 10.5),
                Rect::from_corners(0.0, 40.0, 20.0, 50.0)
            ]
        );
    }

    #[test]
    fn a_line_with_a_character_dropped_is_aligned_where_known_codes_pin_it() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        let known = [Some('修'), Some('缮'), Some('事'), None, Some('中')];
        // The second glyph was not read: it is left without a character.
        assert_eq!(
            align(&known, &chars("修事务中")),
            Some(vec![Some('修'), None, Some('事'), Some('务'), Some('中')])
        );
        // A character read twice is dropped.
        assert_eq!(
            align(&known[..3], &chars("修缮缮事")),
            Some(vec![Some('修'), Some('缮'), Some('事')])
        );
        // Nothing known: where the character was dropped is anyone's guess.
        assert_eq!(align(&[None, None, None], &chars("ab")), None);
        // Too many characters missing.
        assert_eq!(align(&known, &chars("修中")), None);
    }

    #[test]
    fn look_alike_punctuation_takes_the_glyph_width() {
        assert_eq!(punctuation_of_width('，', false, 0), ',');
        assert_eq!(punctuation_of_width(',', true, 0), '，');
        assert_eq!(punctuation_of_width('.', true, 0), '。');
        assert_eq!(punctuation_of_width('"', true, 0), '“');
        assert_eq!(punctuation_of_width('"', true, 1), '”');
        assert_eq!(punctuation_of_width('"', false, 0), '"');
        assert_eq!(punctuation_of_width('项', true, 0), '项');
    }
}
