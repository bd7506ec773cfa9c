//! Scanner and photocopier light fall-off taken out, and faint rules made visible.
//!
//! [`flatten_background`] divides the page by its local paper level (a bright percentile per
//! tile, interpolated), so grey or yellowed paper, edge shadows, dark margins and punch holes
//! all become the same white. [`rule_ink`] then finds rule pixels on the flattened page by
//! averaging along each direction before thresholding: a hairline that is 1 px wide and half
//! as dark as text, broken by noise and JPEG artefacts, stays dark along its own direction
//! while noise averages out. The threshold comes from the page's measured noise.

use crate::binarize::Binary;
use crate::bitmap::Gray;

/// Paper level of a flattened page: below white, so that the noise above paper is kept and
/// can be measured.
pub const PAPER: u8 = 235;

/// The fraction of a tile's pixels darker than its paper level (text, rules): paper is the
/// tile's value at this quantile from the bright end's complement.
const PAPER_QUANTILE: f64 = 0.8;

/// `image` divided by its local paper level (the `PAPER_QUANTILE` value of each `tile`×`tile`
/// block, bilinearly interpolated between block centres), scaled so that paper is [`PAPER`].
pub fn flatten_background(image: &Gray, tile: u32) -> Gray {
    let (w, h) = (image.width as usize, image.height as usize);
    let t = tile.max(8) as usize;
    let (nx, ny) = (w.div_ceil(t).max(1), h.div_ceil(t).max(1));
    let mut levels = vec![255f32; nx * ny];
    let mut hist = [0u32; 256];
    for ty in 0..ny {
        for tx in 0..nx {
            hist.fill(0);
            let (x0, x1) = (tx * t, ((tx + 1) * t).min(w));
            let (y0, y1) = (ty * t, ((ty + 1) * t).min(h));
            for y in y0..y1 {
                for &v in &image.data[y * w + x0..y * w + x1] {
                    hist[usize::from(v)] += 1;
                }
            }
            let n = ((x1 - x0) * (y1 - y0)) as f64;
            let want = (n * PAPER_QUANTILE).ceil() as u32;
            let mut seen = 0;
            let level = hist
                .iter()
                .position(|&c| {
                    seen += c;
                    seen >= want
                })
                .unwrap_or(255);
            levels[ty * nx + tx] = (level as f32).max(16.0);
        }
    }
    // Per-pixel gain PAPER/level, interpolated between tile centres (clamped at the borders).
    let centre = |i: usize| (i * t) as f32 + t as f32 / 2.0;
    let axis = |p: usize, n: usize| -> (usize, usize, f32) {
        let f = (p as f32 + 0.5 - t as f32 / 2.0) / t as f32;
        if f <= 0.0 {
            (0, 0, 0.0)
        } else if f >= (n - 1) as f32 {
            (n - 1, n - 1, 0.0)
        } else {
            let i = f.floor() as usize;
            (i, i + 1, (p as f32 + 0.5 - centre(i)) / t as f32)
        }
    };
    let gains: Vec<f32> = levels.iter().map(|&l| f32::from(PAPER) / l).collect();
    let columns: Vec<(usize, usize, f32)> = (0..w).map(|x| axis(x, nx)).collect();
    let mut out = Gray::new(image.width, image.height);
    let mut row_gain = vec![0f32; nx];
    for y in 0..h {
        let (a, b, fy) = axis(y, ny);
        for (tx, g) in row_gain.iter_mut().enumerate() {
            *g = gains[a * nx + tx] * (1.0 - fy) + gains[b * nx + tx] * fy;
        }
        let src = &image.data[y * w..(y + 1) * w];
        let dst = &mut out.data[y * w..(y + 1) * w];
        for ((d, &s), &(i, j, fx)) in dst.iter_mut().zip(src).zip(&columns) {
            let gain = row_gain[i] * (1.0 - fx) + row_gain[j] * fx;
            *d = (f32::from(s) * gain).min(255.0) as u8;
        }
    }
    out
}

/// Pixels of horizontal and of vertical rules on a flattened page.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleInk {
    /// Dark along rows: candidates for horizontal rules.
    pub horizontal: Binary,
    /// Dark along columns: candidates for vertical rules.
    pub vertical: Binary,
}

/// Rule pixels of a flattened page (see [`flatten_background`]): each direction averaged over
/// `length` pixels along it, then thresholded at paper minus four times the averaged noise
/// (measured on the page: the spread of the values above the paper peak), and never closer
/// to paper than `min_contrast` grey levels. A rule is a thin ridge: the averaged values
/// `across` pixels to either side must both be lighter by at least half that contrast (a
/// line of text, dark over its whole height, is not a ridge).
pub fn rule_ink(flat: &Gray, length: u32, across: u32, min_contrast: u8) -> RuleInk {
    let horizontal = directional_ink(flat, length, across, min_contrast);
    let vertical = directional_ink(&flat.transposed(), length, across, min_contrast).transposed();
    RuleInk {
        horizontal,
        vertical,
    }
}

/// Ridges of rows averaged over `length` pixels (a centred running mean per row).
fn directional_ink(image: &Gray, length: u32, across: u32, min_contrast: u8) -> Binary {
    let (w, h) = (image.width as usize, image.height as usize);
    let len = (length.max(1) as usize).min(w.max(1));
    let half = len / 2;
    let mut mean = vec![0u8; w * h];
    let mut prefix = vec![0u32; w + 1];
    for y in 0..h {
        let row = &image.data[y * w..(y + 1) * w];
        for (x, &v) in row.iter().enumerate() {
            prefix[x + 1] = prefix[x] + u32::from(v);
        }
        let out = &mut mean[y * w..(y + 1) * w];
        for (x, m) in out.iter_mut().enumerate() {
            let a = x.saturating_sub(half);
            let b = (a + len).min(w);
            let a = b.saturating_sub(len);
            *m = ((prefix[b] - prefix[a]) / (b - a) as u32) as u8;
        }
    }
    let (peak, threshold) = paper_threshold(&mean, min_contrast);
    let rise = (peak - threshold) / 2;
    let d = across as usize;
    let mut ink = vec![false; w * h];
    for y in d..h.saturating_sub(d) {
        let (above, row, below) = (
            &mean[(y - d) * w..(y - d + 1) * w],
            &mean[y * w..(y + 1) * w],
            &mean[(y + d) * w..(y + d + 1) * w],
        );
        for (x, out) in ink[y * w..(y + 1) * w].iter_mut().enumerate() {
            let v = row[x];
            *out = v <= threshold && above[x].min(below[x]) >= v.saturating_add(rise);
        }
    }
    Binary {
        width: image.width,
        height: image.height,
        ink,
    }
}

/// (paper peak of the values, the peak minus four times the spread above it but at least
/// `min_contrast`).
fn paper_threshold(values: &[u8], min_contrast: u8) -> (u8, u8) {
    let mut hist = [0u64; 256];
    for &v in values {
        hist[usize::from(v)] += 1;
    }
    // The paper peak: the fullest bin in the upper half (the page is mostly paper).
    let peak = (128..256)
        .max_by_key(|&i| (hist[i], i))
        .unwrap_or(usize::from(PAPER));
    let (mut n, mut sq) = (0u64, 0f64);
    for (i, &c) in hist.iter().enumerate().skip(peak + 1) {
        n += c;
        sq += c as f64 * ((i - peak) as f64).powi(2);
    }
    let sigma = if n > 0 { (sq / n as f64).sqrt() } else { 0.0 };
    let contrast = (4.0 * sigma).max(f64::from(min_contrast));
    (peak as u8, (peak as f64 - contrast).max(0.0) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(w: u32, h: u32, f: impl Fn(u32, u32) -> u8) -> Gray {
        let mut g = Gray::new(w, h);
        for y in 0..h {
            for x in 0..w {
                g.data[(y * w + x) as usize] = f(x, y);
            }
        }
        g
    }

    #[test]
    fn shadowed_paper_becomes_one_level_and_ink_stays_dark() {
        // Paper falling from 240 to 160 across the page (an edge shadow), text at 30 %.
        let g = page(200, 100, |x, y| {
            let paper = 240.0 - 80.0 * f64::from(x) / 200.0;
            let ink = (x % 20 < 3) && (y % 20 < 10);
            (if ink { paper * 0.3 } else { paper }) as u8
        });
        let flat = flatten_background(&g, 32);
        for y in [15u32, 55] {
            for x in [10u32, 100, 190] {
                let v = flat.data[(y * 200 + x) as usize];
                assert!(v.abs_diff(PAPER) <= 6, "paper at ({x},{y}) is {v}");
            }
        }
        assert!(flat.data[(5 * 200 + 181) as usize] < 90, "ink stays dark");
    }

    #[test]
    fn a_faint_noisy_hairline_is_found_and_noise_is_not() {
        // A 1-px rule 40 grey levels below paper, under ±30 pseudo-random noise.
        let seed = std::cell::Cell::new(12345u32);
        let g = page(300, 60, |_, y| {
            let seed_now = seed.get().wrapping_mul(1_103_515_245).wrapping_add(12345);
            seed.set(seed_now);
            let noise = (seed_now >> 16) % 61;
            let base = if y == 30 { 195 } else { 235 };
            (base + noise).saturating_sub(30).min(255) as u8
        });
        let ink = rule_ink(&g, 24, 6, 12);
        let row = |y: u32| ink.horizontal.row(y).iter().filter(|&&b| b).count();
        assert!(row(30) > 280, "rule row: {}", row(30));
        let stray: usize = (0..60).filter(|&y| y != 30).map(row).sum();
        assert!(stray < 30, "noise taken as rule: {stray}");
    }
}
