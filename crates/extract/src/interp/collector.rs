//! [`PageCollector`]: the device that keeps one text box per glyph, ruling segments and images.

use super::{Device, Glyph, Paint, Path, PathEl};
use crate::budget::Reservation;
use crate::model::{
    Orientation, PageContent, PageImage, PageProblem, ProblemKind, Rect, Segment, TextBox,
};
use crate::settings::{Limits, TableSettings};
use crate::text::is_unreadable;

/// A line whose ends differ by at most this much across its direction is axis-aligned.
const AXIS_TOLERANCE: f64 = 0.5;
/// A small filled rectangle less elongated than this (long side over short side) is a dot,
/// not a piece of rule with a direction of its own.
const DOT_ELONGATION: f64 = 2.0;
/// A colour with every component at least this bright is white (a background, not a rule).
const WHITE: f64 = 0.95;
/// A filled rectangle covering more than this fraction of the page in both directions is a
/// page background, not a cell.
const BACKGROUND_FRACTION: f64 = 0.9;
/// Fraction of unreadable characters above which a text layer is unusable.
const MAX_UNREADABLE_FRACTION: f64 = 0.5;
/// Glyphs and segments are charged to the budget in steps of this many bytes.
const CHARGE_STEP: usize = 64 << 10;

/// Collects a page's glyphs as [`TextBox`]es, its paths as ruling [`Segment`]s and its images:
/// - stroked paths: every axis-aligned straight piece (rectangle sides included);
/// - filled axis-aligned polygons thinner than `max_rule_thickness`: one segment along the
///   middle, as thick as the rectangle (how Word, WPS and LibreOffice draw borders);
/// - small filled near-squares (dots, how Chromium draws a dotted border): each run of three
///   or more dots in a line, none further from the next than twice its size, one segment as
///   thick as a dot (a lone dot has no direction, and pieces of it would drag true rules);
/// - larger filled rectangles: their four sides, unless white or a page background;
/// - curves and diagonal lines: nothing.
pub struct PageCollector {
    page: PageContent,
    max_rule_thickness: f64,
    max_glyphs: usize,
    max_segments: usize,
    dropped_glyphs: usize,
    dropped_segments: usize,
    /// The page's memory, reserved from the document's budget.
    charge: Reservation,
    /// Small filled squares, joined into dotted rules when the page is finished.
    dots: Vec<Rect>,
    /// Bytes collected since the last step of `charge`.
    uncharged: usize,
    /// The budget ran out: nothing more is kept (the budget remembers why).
    over_budget: bool,
}

impl PageCollector {
    /// A collector for page `number` of the given size (points, as displayed).
    pub fn new(
        number: u32,
        width: f64,
        height: f64,
        settings: &TableSettings,
        limits: &Limits,
    ) -> Self {
        PageCollector {
            page: PageContent {
                number,
                width,
                height,
                ..PageContent::default()
            },
            max_rule_thickness: settings.max_rule_thickness,
            max_glyphs: limits.max_glyphs_per_page,
            max_segments: limits.max_segments_per_page,
            dropped_glyphs: 0,
            dropped_segments: 0,
            charge: Reservation::empty(&limits.budget),
            dots: Vec::new(),
            uncharged: 0,
            over_budget: false,
        }
    }

    /// Counts `bytes` more of the page against the budget (in steps of [`CHARGE_STEP`], or
    /// at once with `now`).
    fn note(&mut self, bytes: usize, now: bool) {
        self.uncharged += bytes;
        if self.uncharged >= CHARGE_STEP || now {
            let bytes = std::mem::take(&mut self.uncharged);
            if self
                .charge
                .grow(bytes, "the page's glyphs, rules and images")
                .is_err()
            {
                self.over_budget = true;
            }
        }
    }

    /// The collected page (see [`PageCollector::finish_charged`]), its memory kept charged
    /// to the budget for as long as the document is read.
    pub fn finish(self, problems: Vec<PageProblem>) -> PageContent {
        let (page, charge) = self.finish_charged(problems);
        charge.keep();
        page
    }

    /// The collected page, with the interpreter's `problems` and the collector's own, and
    /// its memory's reservation (released when dropped).
    pub fn finish_charged(mut self, problems: Vec<PageProblem>) -> (PageContent, Reservation) {
        self.join_dots();
        self.note(0, true);
        self.page.problems.extend(problems);
        let number = self.page.number;
        for (dropped, what) in [
            (self.dropped_glyphs, "glyphs"),
            (self.dropped_segments, "segments"),
        ] {
            if dropped > 0 {
                self.page.problems.push(PageProblem::loss(
                    number,
                    ProblemKind::Limit,
                    format!("{dropped} {what} over the per-page limit dropped"),
                ));
            }
        }
        (self.page, self.charge)
    }

    fn push_segment(&mut self, orientation: Orientation, pos: f64, a: f64, b: f64, width: f64) {
        if self.page.segments.len() >= self.max_segments || self.over_budget {
            self.dropped_segments += 1;
            return;
        }
        // Twice the item: the vector's slack while it grows.
        self.note(2 * std::mem::size_of::<Segment>(), false);
        self.page.segments.push(Segment {
            orientation,
            pos,
            start: a.min(b),
            end: a.max(b),
            width,
        });
    }

    /// Joins the dots into dotted rules: dots on one line (same centre, same size), each at
    /// most twice its size from the next, make one segment when there are at least three.
    fn join_dots(&mut self) {
        let mut dots = std::mem::take(&mut self.dots);
        for orientation in [Orientation::Horizontal, Orientation::Vertical] {
            // (position across, start, end, size) of each dot along `orientation`.
            let along = |d: &Rect| match orientation {
                Orientation::Horizontal => (d.center().1, d.x0, d.x1, d.height()),
                Orientation::Vertical => (d.center().0, d.y0, d.y1, d.width()),
            };
            dots.sort_by(|a, b| {
                let (a, b) = (along(a), along(b));
                a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1))
            });
            // Runs as ((position, start, end, size), dots).
            let mut runs: Vec<((f64, f64, f64, f64), usize)> = Vec::new();
            for d in &dots {
                let (pos, start, end, size) = along(d);
                match runs.last_mut() {
                    Some(((p, _, e, w), n))
                        if (pos - *p).abs() <= AXIS_TOLERANCE.min(size / 2.0)
                            && (size - *w).abs() <= AXIS_TOLERANCE
                            && start - *e <= 2.0 * size + AXIS_TOLERANCE =>
                    {
                        *e = e.max(end);
                        *n += 1;
                    }
                    _ => runs.push(((pos, start, end, size), 1)),
                }
            }
            for ((pos, start, end, size), n) in runs {
                if n >= 3 {
                    self.push_segment(orientation, pos, start, end, size);
                }
            }
        }
    }

    /// An axis-aligned straight piece from `a` to `b`, if it is one.
    fn push_line(&mut self, a: (f64, f64), b: (f64, f64), width: f64) {
        let (dx, dy) = ((b.0 - a.0).abs(), (b.1 - a.1).abs());
        if dy <= AXIS_TOLERANCE && dx > dy {
            self.push_segment(Orientation::Horizontal, (a.1 + b.1) / 2.0, a.0, b.0, width);
        } else if dx <= AXIS_TOLERANCE && dy > dx {
            self.push_segment(Orientation::Vertical, (a.0 + b.0) / 2.0, a.1, b.1, width);
        }
    }

    fn stroke(&mut self, path: &Path) {
        for sub in subpaths(&path.elements) {
            for (i, pair) in sub.points.windows(2).enumerate() {
                if !sub.curve_ends.contains(&(i + 1)) {
                    self.push_line(pair[0], pair[1], path.stroke_width);
                }
            }
            if sub.closed {
                if let (Some(&first), Some(&last)) = (sub.points.first(), sub.points.last()) {
                    self.push_line(last, first, path.stroke_width);
                }
            }
        }
    }

    fn fill(&mut self, path: &Path) {
        for sub in subpaths(&path.elements) {
            // Filling closes every subpath; only straight axis-aligned outlines count.
            let n = sub.points.len();
            if !sub.curve_ends.is_empty() || n < 3 {
                continue;
            }
            let aligned = (0..n).all(|i| {
                let (a, b) = (sub.points[i], sub.points[(i + 1) % n]);
                (a.0 - b.0).abs() <= AXIS_TOLERANCE || (a.1 - b.1).abs() <= AXIS_TOLERANCE
            });
            if !aligned {
                continue;
            }
            let r = sub.points.iter().fold(
                Rect {
                    x0: f64::INFINITY,
                    y0: f64::INFINITY,
                    x1: f64::NEG_INFINITY,
                    y1: f64::NEG_INFINITY,
                },
                |r, &(x, y)| {
                    r.union(&Rect {
                        x0: x,
                        y0: y,
                        x1: x,
                        y1: y,
                    })
                },
            );
            let (w, h) = (r.width(), r.height());
            let (cx, cy) = r.center();
            let small = w <= self.max_rule_thickness && h <= self.max_rule_thickness;
            if small && w > 0.0 && h > 0.0 && w.max(h) < DOT_ELONGATION * w.min(h) {
                self.note(std::mem::size_of::<Rect>(), false);
                if !self.over_budget {
                    self.dots.push(r);
                }
            } else if h <= self.max_rule_thickness && w > h {
                self.push_segment(Orientation::Horizontal, cy, r.x0, r.x1, h);
            } else if w <= self.max_rule_thickness && h > w {
                self.push_segment(Orientation::Vertical, cx, r.y0, r.y1, w);
            } else if w > self.max_rule_thickness
                && h > self.max_rule_thickness
                && is_rectangle(&sub.points, &r)
                && !(w > BACKGROUND_FRACTION * self.page.width
                    && h > BACKGROUND_FRACTION * self.page.height)
            {
                self.push_segment(Orientation::Horizontal, r.y0, r.x0, r.x1, 0.0);
                self.push_segment(Orientation::Horizontal, r.y1, r.x0, r.x1, 0.0);
                self.push_segment(Orientation::Vertical, r.x0, r.y0, r.y1, 0.0);
                self.push_segment(Orientation::Vertical, r.x1, r.y0, r.y1, 0.0);
            }
        }
    }
}

impl Device for PageCollector {
    fn glyph(&mut self, glyph: &Glyph<'_>) {
        if self.page.text.len() >= self.max_glyphs || self.over_budget {
            self.dropped_glyphs += 1;
            return;
        }
        // The box (twice: the vector's slack) and its text's allocation.
        self.note(
            2 * std::mem::size_of::<TextBox>() + glyph.text.len().max(16),
            false,
        );
        self.page.text.push(TextBox {
            text: glyph.text.to_string(),
            bbox: glyph.bbox,
            font_size: glyph.font_size,
            confidence: None,
            direction: glyph.direction,
            source: glyph.source,
            glyph: glyph.glyph,
            alternatives: Default::default(),
        });
    }

    fn path(&mut self, path: &Path, paint: Paint) {
        let white = |c: [f64; 3]| c.iter().all(|&v| v >= WHITE);
        if paint.stroke && !white(paint.stroke_color) {
            self.stroke(path);
        }
        if paint.fill && !white(paint.fill_color) {
            self.fill(path);
        }
    }

    fn image(&mut self, image: PageImage) {
        if !self.over_budget {
            self.note(
                std::mem::size_of::<PageImage>() + image.data.capacity(),
                true,
            );
        }
        if !self.over_budget {
            self.page.images.push(image);
        }
    }
}

/// Whether a page's text layer can be read: it has visible characters and at most half of
/// them are U+FFFD, private-use or control characters. Pages that fail go to the raster path.
pub fn has_usable_text(page: &PageContent) -> bool {
    let (mut total, mut unreadable) = (0usize, 0usize);
    for c in page
        .text
        .iter()
        .flat_map(|t| t.text.chars())
        .filter(|c| !c.is_whitespace())
    {
        total += 1;
        unreadable += usize::from(is_unreadable(c));
    }
    total > 0 && (unreadable as f64) <= MAX_UNREADABLE_FRACTION * total as f64
}

/// A subpath's points (control points of curves left out).
struct Subpath {
    points: Vec<(f64, f64)>,
    closed: bool,
    /// Indices of the points reached by a curve rather than a line.
    curve_ends: Vec<usize>,
}

fn subpaths(elements: &[PathEl]) -> Vec<Subpath> {
    let mut out: Vec<Subpath> = Vec::new();
    for el in elements {
        match *el {
            PathEl::MoveTo(x, y) => out.push(Subpath {
                points: vec![(x, y)],
                closed: false,
                curve_ends: Vec::new(),
            }),
            PathEl::LineTo(x, y) => {
                if let Some(sub) = out.last_mut() {
                    sub.points.push((x, y));
                }
            }
            PathEl::CurveTo(_, _, _, _, x, y) => {
                if let Some(sub) = out.last_mut() {
                    sub.curve_ends.push(sub.points.len());
                    sub.points.push((x, y));
                }
            }
            PathEl::Close => {
                if let Some(sub) = out.last_mut() {
                    sub.closed = true;
                }
            }
        }
    }
    // A closing point equal to the start adds nothing.
    for sub in &mut out {
        let last = sub.points.len() - 1;
        if last > 0 && sub.points.first() == sub.points.last() && !sub.curve_ends.contains(&last) {
            sub.points.pop();
            sub.closed = true;
        }
    }
    out
}

/// Whether an axis-aligned outline is its bounding rectangle (every point on a corner).
fn is_rectangle(points: &[(f64, f64)], r: &Rect) -> bool {
    let near = |a: f64, b: f64| (a - b).abs() <= AXIS_TOLERANCE;
    points.len() == 4
        && points
            .iter()
            .all(|&(x, y)| (near(x, r.x0) || near(x, r.x1)) && (near(y, r.y0) || near(y, r.y1)))
}
