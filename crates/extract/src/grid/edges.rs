//! Steps 1–2: ruling segments → snapped and joined edges → intersections.

use crate::model::{Orientation, Segment};
use crate::settings::TableSettings;
use std::cmp::Ordering;

/// A crossing of a horizontal and a vertical edge, at the edges' snapped positions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// Step 1: the ruling segments as table edges.
///
/// Segments thicker than `max_rule_thickness` (shaded areas) are dropped; parallel segments
/// whose positions lie within `snap_tolerance` of each other (chained, as in pdfplumber) are
/// moved to the mean of their positions, so a double border drawn as two thin rectangles
/// becomes one line; collinear pieces with gaps up to `join_tolerance` are joined; edges
/// shorter than `min_edge_length` are dropped. The result is sorted by orientation
/// (horizontal first), position, then start.
pub fn edges(segments: &[Segment], settings: &TableSettings) -> Vec<Segment> {
    let mut out = Vec::new();
    for orientation in [Orientation::Horizontal, Orientation::Vertical] {
        let mut segs: Vec<Segment> = segments
            .iter()
            .filter(|s| {
                s.orientation == orientation
                    && s.width <= settings.max_rule_thickness
                    && [s.pos, s.start, s.end].iter().all(|v| v.is_finite())
            })
            .map(|s| Segment {
                start: s.start.min(s.end),
                end: s.start.max(s.end),
                ..*s
            })
            .collect();
        snap(&mut segs, settings.snap_tolerance);
        out.extend(join(segs, settings));
    }
    out
}

/// `edges` with the `closing` edges of [`close_open_ends`] added (joined with the others).
pub fn closed_edges(
    edges: &[Segment],
    closing: &[Segment],
    settings: &TableSettings,
) -> Vec<Segment> {
    let mut h: Vec<Segment> = edges
        .iter()
        .filter(|e| e.orientation == Orientation::Horizontal)
        .copied()
        .collect();
    h.extend_from_slice(closing);
    let mut out = join(h, settings);
    out.extend(
        edges
            .iter()
            .filter(|e| e.orientation == Orientation::Vertical),
    );
    out
}

/// Step 1b: the horizontal edges that close a table left open by a page break.
///
/// A producer that splits a table over pages may leave the part on the next page without a
/// top rule, and the part on the first page without a bottom rule under the cells that go
/// on (Chromium draws the rule between two rows once, on the page where the upper row ends,
/// and only under cells that end there), so those cells would not be closed. A vertical edge
/// end with no horizontal edge within `intersection_tolerance` is *open*. Where at least two
/// top ends (or bottom ends) of vertical edges line up within `snap_tolerance` and one of
/// them is open, a horizontal edge is returned from the leftmost to the rightmost of them,
/// at the y of the nearest horizontal edge within `snap_tolerance` of their mean (so that
/// the row boundary stays one), else at the mean.
pub fn close_open_ends(edges: &[Segment], settings: &TableSettings) -> Vec<Segment> {
    let tol = settings.intersection_tolerance;
    let horizontal = Lines::new(
        edges
            .iter()
            .filter(|e| e.orientation == Orientation::Horizontal),
    );
    let closed = |x: f64, y: f64| {
        horizontal
            .in_range(y - tol, y + tol)
            .iter()
            .any(|(_, pieces)| {
                let first = pieces.partition_point(|(_, end)| *end + tol < x);
                pieces
                    .get(first)
                    .is_some_and(|(start, _)| *start - tol <= x)
            })
    };
    let vertical = || {
        edges
            .iter()
            .filter(|e| e.orientation == Orientation::Vertical)
    };
    let tops: Vec<(f64, f64, bool)> = vertical()
        .map(|v| (v.start, v.pos, !closed(v.pos, v.start)))
        .collect();
    let bottoms: Vec<(f64, f64, bool)> = vertical()
        .map(|v| (v.end, v.pos, !closed(v.pos, v.end)))
        .collect();
    let mut out = Vec::new();
    for mut ends in [tops, bottoms] {
        ends.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        for group in chains(&ends, |e| e.0, settings.snap_tolerance) {
            if group.len() >= 2 && group.iter().any(|e| e.2) {
                let mean = group.iter().map(|e| e.0).sum::<f64>() / group.len() as f64;
                // On the line of a drawn rule nearby (the rule under the cells that end).
                let y = horizontal.nearest(mean, settings.snap_tolerance);
                let x0 = group.iter().map(|e| e.1).fold(f64::INFINITY, f64::min);
                let x1 = group.iter().map(|e| e.1).fold(f64::NEG_INFINITY, f64::max);
                out.push(Segment {
                    orientation: Orientation::Horizontal,
                    pos: y,
                    start: x0,
                    end: x1,
                    width: 0.0,
                });
            }
        }
    }
    out
}

/// The runs of `sorted` (sorted by `pos`) in which each item lies within `tolerance` of the
/// one before.
fn chains<T>(sorted: &[T], pos: impl Fn(&T) -> f64, tolerance: f64) -> Vec<&[T]> {
    let mut out = Vec::new();
    let mut first = 0;
    while first < sorted.len() {
        let mut last = first;
        while last + 1 < sorted.len() && pos(&sorted[last + 1]) - pos(&sorted[last]) <= tolerance {
            last += 1;
        }
        out.push(&sorted[first..=last]);
        first = last + 1;
    }
    out
}

/// Step 1a: the vertical edges that close a grid drawn without its outer left or right
/// border (rules between the columns and rows only, the outer columns open).
///
/// An end of a horizontal edge is *open* when no vertical edge passes within
/// `intersection_tolerance` of it; only horizontal edges that some vertical edge crosses
/// count (rules of a grid, not the rules of a 三线表). Open left ends (or right ends) that
/// line up within `snap_tolerance`, on horizontal edges whose crossing vertical edges
/// overlap (one grid), at least two of them, get a vertical edge at their mean position (at
/// the position of the nearest vertical edge within `snap_tolerance` of it, if any) from the top to the bottom of those crossing vertical edges (the grid's height, so that
/// [`close_open_ends`] then closes its top and bottom rows too) — unless a crossing vertical
/// edge lies within twice `intersection_tolerance` of it (rules that overshoot the border).
pub fn close_open_sides(edges: &[Segment], settings: &TableSettings) -> Vec<Segment> {
    let tol = settings.intersection_tolerance;
    let vertical = Lines::new(
        edges
            .iter()
            .filter(|e| e.orientation == Orientation::Vertical),
    );
    // Per horizontal edge: the vertical edges crossing it strictly inside (x and span).
    let crossing = |h: &Segment| -> Vec<(f64, f64, f64)> {
        vertical
            .in_range(h.start + tol, h.end - tol)
            .iter()
            .flat_map(|(x, pieces)| {
                pieces
                    .iter()
                    .filter(|(s, e)| *s - tol <= h.pos && *e + tol >= h.pos)
                    .map(move |(s, e)| (*x, *s, *e))
            })
            .collect()
    };
    let open = |x: f64, y: f64| {
        vertical
            .in_range(x - tol, x + tol)
            .iter()
            .all(|(_, pieces)| !pieces.iter().any(|(s, e)| *s - tol <= y && *e + tol >= y))
    };
    let mut lefts: Vec<OpenEnd> = Vec::new();
    let mut rights = Vec::new();
    for h in edges
        .iter()
        .filter(|e| e.orientation == Orientation::Horizontal)
    {
        let across = crossing(h);
        if across.is_empty() {
            continue;
        }
        let top = across.iter().map(|c| c.1).fold(f64::INFINITY, f64::min);
        let bottom = across.iter().map(|c| c.2).fold(f64::NEG_INFINITY, f64::max);
        let xs: Vec<f64> = across.iter().map(|c| c.0).collect();
        if open(h.start, h.pos) {
            lefts.push((h.start, h.pos, top, bottom, xs.clone()));
        }
        if open(h.end, h.pos) {
            rights.push((h.end, h.pos, top, bottom, xs));
        }
    }
    let mut out = Vec::new();
    for mut ends in [lefts, rights] {
        ends.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        for chain in chains(&ends, |e| e.0, settings.snap_tolerance) {
            let mut group: Vec<&OpenEnd> = chain.iter().collect();
            group.sort_by(|a, b| a.1.total_cmp(&b.1));
            // Runs of ends whose crossing verticals overlap: one grid each.
            let mut run_start = 0;
            for i in 1..=group.len() {
                if i < group.len() && group[i].2 <= group[i - 1].3 + tol {
                    continue;
                }
                let run = &group[run_start..i];
                run_start = i;
                if run.len() < 2 {
                    continue;
                }
                let mean = run.iter().map(|e| e.0).sum::<f64>() / run.len() as f64;
                // On the line of a vertical edge nearby (a shaded cell's side), so that the
                // column boundary stays one.
                let x = vertical.nearest(mean, settings.snap_tolerance);
                let too_close = run
                    .iter()
                    .flat_map(|e| e.4.iter())
                    .any(|v| (v - x).abs() <= 2.0 * tol);
                if too_close {
                    continue;
                }
                out.push(Segment {
                    orientation: Orientation::Vertical,
                    pos: x,
                    start: run.iter().map(|e| e.2).fold(f64::INFINITY, f64::min),
                    end: run.iter().map(|e| e.3).fold(f64::NEG_INFINITY, f64::max),
                    width: 0.0,
                });
            }
        }
    }
    out
}

/// An open end of a horizontal edge: (x, y, top and bottom of the vertical edges crossing
/// the edge, their x's).
type OpenEnd = (f64, f64, f64, f64, Vec<f64>);

/// Moves each chain of positions closer than `tolerance` to its mean.
fn snap(segs: &mut [Segment], tolerance: f64) {
    segs.sort_by(|a, b| a.pos.total_cmp(&b.pos).then(a.start.total_cmp(&b.start)));
    let means: Vec<(usize, f64)> = chains(segs, |s| s.pos, tolerance)
        .iter()
        .map(|g| {
            (
                g.len(),
                g.iter().map(|s| s.pos).sum::<f64>() / g.len() as f64,
            )
        })
        .collect();
    let mut at = 0;
    for (len, mean) in means {
        for s in &mut segs[at..at + len] {
            s.pos = mean;
        }
        at += len;
    }
}

/// Joins collinear (equal position) pieces with gaps up to `join_tolerance`, drops short edges.
fn join(mut segs: Vec<Segment>, settings: &TableSettings) -> Vec<Segment> {
    segs.sort_by(|a, b| a.pos.total_cmp(&b.pos).then(a.start.total_cmp(&b.start)));
    let mut out: Vec<Segment> = Vec::new();
    for s in segs {
        match out.last_mut() {
            Some(cur) if cur.pos == s.pos && s.start <= cur.end + settings.join_tolerance => {
                cur.end = cur.end.max(s.end);
                cur.width = cur.width.max(s.width);
            }
            _ => out.push(s),
        }
    }
    out.retain(|e| e.end - e.start >= settings.min_edge_length);
    out
}

/// The edges of one orientation, grouped by (exact, snapped) position for fast look-up.
#[derive(Debug, Default)]
pub(crate) struct Lines {
    /// (position, pieces sorted by start) sorted by position.
    lines: Vec<(f64, Vec<(f64, f64)>)>,
}

impl Lines {
    pub(crate) fn new<'a>(edges: impl Iterator<Item = &'a Segment>) -> Lines {
        let mut lines: Vec<(f64, Vec<(f64, f64)>)> = Vec::new();
        let mut sorted: Vec<&Segment> = edges.collect();
        sorted.sort_by(|a, b| a.pos.total_cmp(&b.pos).then(a.start.total_cmp(&b.start)));
        for e in sorted {
            match lines.last_mut() {
                Some((pos, pieces)) if *pos == e.pos => pieces.push((e.start, e.end)),
                _ => lines.push((e.pos, vec![(e.start, e.end)])),
            }
        }
        Lines { lines }
    }

    /// The lines whose position lies in `lo..=hi`.
    pub(crate) fn in_range(&self, lo: f64, hi: f64) -> &[(f64, Vec<(f64, f64)>)] {
        let a = self.lines.partition_point(|(p, _)| *p < lo);
        let b = self.lines.partition_point(|(p, _)| *p <= hi);
        &self.lines[a..b.max(a)]
    }

    /// The position of the line nearest to `pos` within `tolerance`, else `pos`.
    pub(crate) fn nearest(&self, pos: f64, tolerance: f64) -> f64 {
        self.in_range(pos - tolerance, pos + tolerance)
            .iter()
            .map(|(p, _)| *p)
            .min_by(|a, b| (a - pos).abs().total_cmp(&(b - pos).abs()))
            .unwrap_or(pos)
    }

    /// How far along the line at `pos` the drawn edge through `at` reaches (the largest end
    /// of a piece that passes within `tol` of `at`), or `None` when no piece passes there.
    pub(crate) fn reach(&self, pos: f64, at: f64, tol: f64) -> Option<f64> {
        let i = self
            .lines
            .binary_search_by(|(p, _)| p.total_cmp(&pos))
            .ok()?;
        let pieces = &self.lines[i].1;
        let first = pieces.partition_point(|(_, end)| *end + tol < at);
        pieces[first..]
            .iter()
            .take_while(|(start, _)| *start - tol <= at)
            .map(|(_, end)| *end)
            .max_by(f64::total_cmp)
    }
}

/// Step 2: the points where a horizontal and a vertical edge cross or touch (each may miss
/// the other by up to `intersection_tolerance`). Sorted by y, then x; no duplicates.
pub fn intersections(edges: &[Segment], settings: &TableSettings) -> Vec<Point> {
    let tol = settings.intersection_tolerance;
    let horizontal = Lines::new(
        edges
            .iter()
            .filter(|e| e.orientation == Orientation::Horizontal),
    );
    let mut points = Vec::new();
    for v in edges
        .iter()
        .filter(|e| e.orientation == Orientation::Vertical)
    {
        for (y, pieces) in horizontal.in_range(v.start - tol, v.end + tol) {
            let first = pieces.partition_point(|(_, end)| *end + tol < v.pos);
            if pieces
                .get(first)
                .is_some_and(|(start, _)| *start - tol <= v.pos)
            {
                points.push(Point { x: v.pos, y: *y });
            }
        }
    }
    points.sort_by(cmp_yx);
    points.dedup();
    points
}

/// Orders points by y, then x.
pub(crate) fn cmp_yx(a: &Point, b: &Point) -> Ordering {
    a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn h(y: f64, x0: f64, x1: f64) -> Segment {
        Segment {
            orientation: Orientation::Horizontal,
            pos: y,
            start: x0,
            end: x1,
            width: 0.5,
        }
    }
    pub(crate) fn v(x: f64, y0: f64, y1: f64) -> Segment {
        Segment {
            orientation: Orientation::Vertical,
            pos: x,
            start: y0,
            end: y1,
            width: 0.5,
        }
    }

    #[test]
    fn near_duplicates_snap_to_their_mean_and_join() {
        let s = TableSettings::default();
        // A double border (two thin rules 0.8 pt apart) drawn in two pieces with a 1 pt gap.
        let e = edges(
            &[
                h(100.0, 10.0, 50.0),
                h(100.8, 51.0, 90.0),
                h(100.4, 20.0, 30.0),
            ],
            &s,
        );
        assert_eq!(e.len(), 1);
        assert!((e[0].pos - 100.4).abs() < 1e-9);
        assert_eq!((e[0].start, e[0].end), (10.0, 90.0));
    }

    #[test]
    fn far_apart_lines_and_gaps_stay_separate() {
        let s = TableSettings::default();
        let e = edges(
            &[
                h(100.0, 10.0, 50.0),
                h(110.0, 10.0, 50.0),
                h(110.0, 60.0, 90.0),
            ],
            &s,
        );
        let got: Vec<_> = e.iter().map(|e| (e.pos, e.start, e.end)).collect();
        assert_eq!(
            got,
            vec![
                (100.0, 10.0, 50.0),
                (110.0, 10.0, 50.0),
                (110.0, 60.0, 90.0)
            ]
        );
    }

    #[test]
    fn short_edges_and_thick_areas_are_dropped() {
        let s = TableSettings::default();
        let mut shaded = h(200.0, 0.0, 100.0);
        shaded.width = 20.0;
        // The short sides of a thin filled rectangle drawn as four sides.
        let e = edges(&[v(10.0, 100.0, 100.75), shaded, h(50.0, 0.0, 100.0)], &s);
        assert_eq!(e, vec![h(50.0, 0.0, 100.0)]);
    }

    #[test]
    fn open_table_top_is_closed() {
        let s = TableSettings::default();
        // Three verticals rising to y = 40 with no rule there (a part continued from the
        // previous page), a real rule at y = 60 and one closed bottom at y = 100.
        let e = edges(
            &[
                v(0.0, 40.0, 100.0),
                v(50.0, 40.5, 100.0),
                v(100.0, 39.5, 100.0),
                h(60.0, 0.0, 100.0),
                h(100.0, 0.0, 100.0),
            ],
            &s,
        );
        let closing = close_open_ends(&e, &s);
        assert_eq!(closing.len(), 1);
        assert_eq!(
            (closing[0].pos, closing[0].start, closing[0].end),
            (40.0, 0.0, 100.0)
        );
        let all = closed_edges(&e, &closing, &s);
        assert_eq!(
            all.iter()
                .filter(|e| e.orientation == Orientation::Horizontal)
                .count(),
            3
        );
        // A single dangling vertical (a stray line) closes nothing.
        assert!(
            close_open_ends(&edges(&[v(0.0, 0.0, 50.0), h(50.0, 0.0, 20.0)], &s), &s).is_empty()
        );
    }

    #[test]
    fn open_sided_grid_is_closed() {
        let s = TableSettings::default();
        // Rules between 3 columns and 3 rows only: horizontals at y = 20, 40 from x = 0 to
        // 90, verticals at x = 30, 60 from y = 0 to 60; no outer border.
        let e = edges(
            &[
                h(20.0, 0.0, 90.0),
                h(40.0, 0.0, 90.0),
                v(30.0, 0.0, 60.0),
                v(60.0, 0.0, 60.0),
            ],
            &s,
        );
        let sides = close_open_sides(&e, &s);
        let got: Vec<_> = sides.iter().map(|e| (e.pos, e.start, e.end)).collect();
        assert_eq!(got, vec![(0.0, 0.0, 60.0), (90.0, 0.0, 60.0)]);
        let mut sided = e.clone();
        sided.extend(sides);
        let closing = close_open_ends(&sided, &s);
        let got: Vec<_> = closing.iter().map(|e| (e.pos, e.start, e.end)).collect();
        assert_eq!(got, vec![(0.0, 0.0, 90.0), (60.0, 0.0, 90.0)]);
        // The rules of a 三线表 (no vertical crosses them) and rules that overshoot an
        // outer border by a little are left alone.
        let three_line = edges(
            &[h(0.0, 0.0, 90.0), h(20.0, 0.0, 90.0), h(60.0, 0.0, 90.0)],
            &s,
        );
        assert!(close_open_sides(&three_line, &s).is_empty());
        let overshoot = edges(
            &[
                h(0.0, -4.0, 94.0),
                h(20.0, -4.0, 94.0),
                v(0.0, 0.0, 20.0),
                v(90.0, 0.0, 20.0),
            ],
            &s,
        );
        assert!(close_open_sides(&overshoot, &s).is_empty());
    }

    #[test]
    fn intersections_within_tolerance_only() {
        let s = TableSettings::default();
        let e = edges(
            &[
                h(0.0, 0.0, 100.0),
                h(50.0, 2.0, 100.0), // starts 2 pt right of the left edge: still touches
                v(0.0, 0.0, 50.0),
                v(100.0, 0.0, 45.0), // ends 5 pt short of y = 50: no crossing there
                v(50.0, 10.0, 60.0), // crosses y = 50 only
            ],
            &s,
        );
        let pts: Vec<_> = intersections(&e, &s).iter().map(|p| (p.x, p.y)).collect();
        assert_eq!(
            pts,
            vec![(0.0, 0.0), (100.0, 0.0), (0.0, 50.0), (50.0, 50.0)]
        );
    }
}
