//! The clip region, kept as a rectangle that contains it: the bounding box of each clip path
//! (`W`/`W*`) and Form XObject `/BBox`, intersected through `q`/`Q`. What falls wholly outside
//! it does not show; straight pieces of paths that cross its edge are cut there. (Chromium
//! draws the rows that go on to the next page again below the page's clip, where they do not
//! show.)

use super::PathEl;
use crate::model::Rect;

/// Floating-point slack when comparing with the clip's edges (points).
const EDGE_SLACK: f64 = 0.01;

/// The bounding box of `points`; `None` when there are none.
pub(super) fn bounds_of(points: impl IntoIterator<Item = (f64, f64)>) -> Option<Rect> {
    points.into_iter().fold(None, |r, (x, y)| {
        let p = Rect {
            x0: x,
            y0: y,
            x1: x,
            y1: y,
        };
        Some(r.map_or(p, |r: Rect| r.union(&p)))
    })
}

/// The bounding box of a path (curves' control points included: their hull holds them).
pub(super) fn bounds(elements: &[PathEl]) -> Option<Rect> {
    let mut r: Option<Rect> = None;
    let mut add = |x: f64, y: f64| {
        let p = Rect {
            x0: x,
            y0: y,
            x1: x,
            y1: y,
        };
        r = Some(r.map_or(p, |r| r.union(&p)));
    };
    for el in elements {
        match *el {
            PathEl::MoveTo(x, y) | PathEl::LineTo(x, y) => add(x, y),
            PathEl::CurveTo(a, b, c, d, e, f) => {
                add(a, b);
                add(c, d);
                add(e, f);
            }
            PathEl::Close => {}
        }
    }
    r
}

/// The part of the clip `a` inside `b` (empty — `x0 > x1` or `y0 > y1` — when they do not
/// meet: nothing shows through it).
pub(super) fn intersect(a: &Rect, b: &Rect) -> Rect {
    Rect {
        x0: a.x0.max(b.x0),
        y0: a.y0.max(b.y0),
        x1: a.x1.min(b.x1),
        y1: a.y1.min(b.y1),
    }
}

/// `r` grown by `by` on every side.
pub(super) fn grown(r: &Rect, by: f64) -> Rect {
    Rect {
        x0: r.x0 - by,
        y0: r.y0 - by,
        x1: r.x1 + by,
        y1: r.y1 + by,
    }
}

/// Whether `b` shows through the clip `a`: they share a point (within [`EDGE_SLACK`]) and
/// `a` is not empty.
pub(super) fn meets(a: &Rect, b: &Rect) -> bool {
    a.x0 <= a.x1
        && a.y0 <= a.y1
        && a.x0 <= b.x1 + EDGE_SLACK
        && b.x0 <= a.x1 + EDGE_SLACK
        && a.y0 <= b.y1 + EDGE_SLACK
        && b.y0 <= a.y1 + EDGE_SLACK
}

/// Whether `inner` lies inside `outer` (within [`EDGE_SLACK`]).
pub(super) fn contains(outer: &Rect, inner: &Rect) -> bool {
    inner.x0 >= outer.x0 - EDGE_SLACK
        && inner.y0 >= outer.y0 - EDGE_SLACK
        && inner.x1 <= outer.x1 + EDGE_SLACK
        && inner.y1 <= outer.y1 + EDGE_SLACK
}

/// The straight piece from `a` to `b` inside `clip` (Liang–Barsky), if any.
fn cut_line(a: (f64, f64), b: (f64, f64), clip: &Rect) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.0 - clip.x0),
        (dx, clip.x1 - a.0),
        (-dy, a.1 - clip.y0),
        (dy, clip.y1 - a.1),
    ] {
        if p == 0.0 {
            if q < -EDGE_SLACK {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    (t0 <= t1).then(|| {
        let at = |t: f64| (a.0 + t * dx, a.1 + t * dy);
        (at(t0), at(t1))
    })
}

/// A stroked path's pieces inside `clip`: straight pieces cut at its edges (a closing line
/// made explicit), curves kept whole when their hull meets it.
pub(super) fn stroke_inside(elements: &[PathEl], clip: &Rect) -> Vec<PathEl> {
    let mut out = Vec::new();
    let (mut current, mut start) = (None::<(f64, f64)>, (0.0, 0.0));
    // Where the last emitted piece ends: a piece starting there continues it.
    let mut pen: Option<(f64, f64)> = None;
    for el in elements {
        let (from, to) = match *el {
            PathEl::MoveTo(x, y) => {
                current = Some((x, y));
                start = (x, y);
                continue;
            }
            PathEl::LineTo(x, y) => (current, (x, y)),
            PathEl::Close => (current, start),
            PathEl::CurveTo(a, b, c, d, e, f) => {
                if let Some(p) = current {
                    let hull = bounds_of([p, (a, b), (c, d), (e, f)]);
                    if hull.is_some_and(|h| meets(&h, clip)) {
                        if pen != Some(p) {
                            out.push(PathEl::MoveTo(p.0, p.1));
                        }
                        out.push(*el);
                        pen = Some((e, f));
                    }
                }
                current = Some((e, f));
                continue;
            }
        };
        let Some(from) = from else { continue };
        if let Some((a, b)) = cut_line(from, to, clip) {
            if pen != Some(a) {
                out.push(PathEl::MoveTo(a.0, a.1));
            }
            out.push(PathEl::LineTo(b.0, b.1));
            pen = Some(b);
        }
        current = Some(to);
    }
    out
}

/// A filled path inside `clip`: each straight subpath cut to it (Sutherland–Hodgman, which
/// keeps the winding of every point inside, so both fill rules hold), a subpath with curves
/// kept whole when its hull meets it.
pub(super) fn fill_inside(elements: &[PathEl], clip: &Rect) -> Vec<PathEl> {
    let mut out = Vec::new();
    let mut sub: Vec<PathEl> = Vec::new();
    let flush = |sub: &mut Vec<PathEl>, out: &mut Vec<PathEl>| {
        let curved = sub.iter().any(|el| matches!(el, PathEl::CurveTo(..)));
        if curved {
            if bounds(sub).is_some_and(|h| meets(&h, clip)) {
                out.append(sub);
            }
        } else {
            let points: Vec<(f64, f64)> = sub
                .iter()
                .filter_map(|el| match *el {
                    PathEl::MoveTo(x, y) | PathEl::LineTo(x, y) => Some((x, y)),
                    _ => None,
                })
                .collect();
            let polygon = cut_polygon(points, clip);
            if polygon.len() >= 3 {
                out.push(PathEl::MoveTo(polygon[0].0, polygon[0].1));
                out.extend(polygon[1..].iter().map(|&(x, y)| PathEl::LineTo(x, y)));
                out.push(PathEl::Close);
            }
        }
        sub.clear();
    };
    for el in elements {
        if matches!(el, PathEl::MoveTo(..)) {
            flush(&mut sub, &mut out);
        }
        sub.push(*el);
    }
    flush(&mut sub, &mut out);
    out
}

/// The closed polygon `points` cut to `clip`, edge by edge.
fn cut_polygon(mut points: Vec<(f64, f64)>, clip: &Rect) -> Vec<(f64, f64)> {
    // Each edge of the clip as (distance of a point inside it, ≥ 0 inside).
    let edges: [&dyn Fn((f64, f64)) -> f64; 4] = [
        &|p| p.0 - clip.x0,
        &|p| clip.x1 - p.0,
        &|p| p.1 - clip.y0,
        &|p| clip.y1 - p.1,
    ];
    for inside in edges {
        if points.is_empty() {
            break;
        }
        let mut kept = Vec::with_capacity(points.len() + 2);
        for (i, &b) in points.iter().enumerate() {
            let a = points[(i + points.len() - 1) % points.len()];
            let (da, db) = (inside(a), inside(b));
            if (da >= 0.0) != (db >= 0.0) {
                let t = da / (da - db);
                kept.push((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)));
            }
            if db >= 0.0 {
                kept.push(b);
            }
        }
        points = kept;
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIP: Rect = Rect {
        x0: 0.0,
        y0: 0.0,
        x1: 100.0,
        y1: 100.0,
    };

    #[test]
    fn a_line_crossing_the_clip_is_cut_at_its_edge() {
        let path = [PathEl::MoveTo(50.0, 50.0), PathEl::LineTo(50.0, 300.0)];
        assert_eq!(
            stroke_inside(&path, &CLIP),
            [PathEl::MoveTo(50.0, 50.0), PathEl::LineTo(50.0, 100.0)]
        );
    }

    #[test]
    fn a_closed_outline_half_outside_keeps_its_inside_sides() {
        // A rectangle from (10, 50) to (90, 150): its top side is outside.
        let path = [
            PathEl::MoveTo(10.0, 50.0),
            PathEl::LineTo(90.0, 50.0),
            PathEl::LineTo(90.0, 150.0),
            PathEl::LineTo(10.0, 150.0),
            PathEl::Close,
        ];
        assert_eq!(
            stroke_inside(&path, &CLIP),
            [
                PathEl::MoveTo(10.0, 50.0),
                PathEl::LineTo(90.0, 50.0),
                PathEl::LineTo(90.0, 100.0),
                PathEl::MoveTo(10.0, 100.0),
                PathEl::LineTo(10.0, 50.0),
            ]
        );
    }

    #[test]
    fn a_fill_is_cut_to_the_clip_and_one_outside_vanishes() {
        let rect = |y0: f64, y1: f64| {
            [
                PathEl::MoveTo(10.0, y0),
                PathEl::LineTo(90.0, y0),
                PathEl::LineTo(90.0, y1),
                PathEl::LineTo(10.0, y1),
                PathEl::Close,
            ]
        };
        let cut = fill_inside(&rect(80.0, 120.0), &CLIP);
        assert_eq!(
            bounds(&cut),
            Some(Rect {
                x0: 10.0,
                y0: 80.0,
                x1: 90.0,
                y1: 100.0
            })
        );
        assert!(fill_inside(&rect(120.0, 150.0), &CLIP).is_empty());
    }

    #[test]
    fn clips_that_do_not_meet_leave_nothing_visible() {
        let far = Rect {
            x0: 200.0,
            y0: 0.0,
            x1: 300.0,
            y1: 100.0,
        };
        let none = intersect(&CLIP, &far);
        assert!(!meets(&none, &CLIP));
        // Not even what spans the empty clip's place.
        let spanning = Rect {
            x0: 40.0,
            x1: 250.0,
            ..CLIP
        };
        assert!(!meets(&none, &spanning));
        assert!(cut_line((0.0, 50.0), (300.0, 50.0), &none).is_none());
    }
}
