//! Ruling lines from a level bilevel raster by run-length analysis.

use crate::binarize::Binary;

/// A ruling line in pixel coordinates of the (deskewed) image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PixelLine {
    pub horizontal: bool,
    /// Row (horizontal) or column (vertical) of the line's centre.
    pub pos: f64,
    /// First pixel along the line.
    pub start: f64,
    /// One past the last pixel along the line.
    pub end: f64,
    /// Thickness in pixels.
    pub thickness: f64,
}

/// Parameters of [`find_lines`], in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineParams {
    /// Shortest run of ink that counts as (part of) a rule.
    pub min_length: u32,
    /// Longest gap of paper inside a run (noise, JPEG ringing, broken toner).
    pub max_gap: u32,
    /// Thickest rule; thicker dark areas are fills or images, not rules.
    pub max_thickness: u32,
    /// How far a rule may stop short of a crossing rule and still meet it.
    pub touch_tolerance: u32,
}

/// Finds horizontal rules in `horizontal` and vertical ones in `vertical` (the same raster,
/// or the directional rule ink of [`crate::flatten::rule_ink`]). A rule must meet at least
/// one rule of the other direction (text strokes such as "一" or "—" never do), so isolated
/// dashes are dropped.
pub fn find_lines(horizontal: &Binary, vertical: &Binary, params: &LineParams) -> Vec<PixelLine> {
    let horizontal = runs_to_lines(horizontal, params, true);
    let vertical = runs_to_lines(&vertical.transposed(), params, false);
    let tol = f64::from(params.touch_tolerance);
    let meets = |a: &PixelLine, b: &PixelLine| {
        b.pos >= a.start - tol
            && b.pos <= a.end + tol
            && a.pos >= b.start - tol
            && a.pos <= b.end + tol
    };
    let mut out: Vec<PixelLine> = horizontal
        .iter()
        .filter(|h| vertical.iter().any(|v| meets(h, v)))
        .copied()
        .collect();
    out.extend(
        vertical
            .iter()
            .filter(|v| horizontal.iter().any(|h| meets(v, h))),
    );
    out
}

/// A run of ink in one row: columns `x0..x1`.
#[derive(Debug, Clone, Copy)]
struct Run {
    y: u32,
    x0: u32,
    x1: u32,
}

/// Long runs of each row, grouped over adjacent rows into lines (rows of `ink` are lines'
/// rows for horizontal rules; pass the transposed raster for vertical ones).
fn runs_to_lines(ink: &Binary, params: &LineParams, horizontal: bool) -> Vec<PixelLine> {
    let mut open: Vec<(Run, Vec<Run>)> = Vec::new(); // (bounding run, members) still growing
    let mut done: Vec<Vec<Run>> = Vec::new();
    for y in 0..ink.height {
        let runs = long_runs(ink.row(y), y, params);
        let mut next_open = Vec::with_capacity(open.len());
        let mut used = vec![false; runs.len()];
        for (bound, mut members) in open.drain(..) {
            let mut grew = false;
            for (i, r) in runs.iter().enumerate() {
                let overlap = bound.x1.min(r.x1).saturating_sub(bound.x0.max(r.x0));
                let shorter = (bound.x1 - bound.x0).min(r.x1 - r.x0);
                if !used[i] && overlap * 2 >= shorter {
                    used[i] = true;
                    members.push(*r);
                    grew = true;
                }
            }
            if grew {
                let bound = Run {
                    y,
                    x0: members.iter().map(|r| r.x0).min().unwrap_or(bound.x0),
                    x1: members.iter().map(|r| r.x1).max().unwrap_or(bound.x1),
                };
                next_open.push((bound, members));
            } else {
                done.push(members);
            }
        }
        for (i, r) in runs.into_iter().enumerate() {
            if !used[i] {
                next_open.push((r, vec![r]));
            }
        }
        open = next_open;
    }
    done.extend(open.into_iter().map(|(_, m)| m));
    let mut lines: Vec<PixelLine> = done
        .into_iter()
        .filter_map(|members| {
            let y0 = members.iter().map(|r| r.y).min()?;
            let y1 = members.iter().map(|r| r.y).max()?;
            let thickness = y1 - y0 + 1;
            if thickness > params.max_thickness {
                return None;
            }
            let weight: f64 = members.iter().map(|r| f64::from(r.x1 - r.x0)).sum();
            let pos = members
                .iter()
                .map(|r| (f64::from(r.y) + 0.5) * f64::from(r.x1 - r.x0))
                .sum::<f64>()
                / weight;
            Some(PixelLine {
                horizontal,
                pos,
                start: f64::from(members.iter().map(|r| r.x0).min()?),
                end: f64::from(members.iter().map(|r| r.x1).max()?),
                thickness: f64::from(thickness),
            })
        })
        .collect();
    lines.sort_by(|a, b| a.pos.total_cmp(&b.pos).then(a.start.total_cmp(&b.start)));
    lines
}

/// Runs of ink at least `min_length` long, bridging gaps up to `max_gap`.
fn long_runs(row: &[bool], y: u32, params: &LineParams) -> Vec<Run> {
    let mut out = Vec::new();
    let mut start: Option<u32> = None;
    let mut last_ink = 0u32;
    for (x, &b) in row.iter().enumerate() {
        let x = x as u32;
        if b {
            match start {
                Some(_) if x - last_ink - 1 <= params.max_gap => {}
                Some(s) => {
                    push_run(&mut out, y, s, last_ink + 1, params);
                    start = Some(x);
                }
                None => start = Some(x),
            }
            last_ink = x;
        }
    }
    if let Some(s) = start {
        push_run(&mut out, y, s, last_ink + 1, params);
    }
    out
}

fn push_run(out: &mut Vec<Run>, y: u32, x0: u32, x1: u32, params: &LineParams) {
    if x1 - x0 >= params.min_length {
        out.push(Run { y, x0, x1 });
    }
}
