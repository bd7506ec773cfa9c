//! Skew estimation by projection profiles, and rotation back to upright.

use crate::binarize::Binary;
use crate::bitmap::Gray;

/// At most this many ink pixels are used to score an angle (a regular subsample).
const MAX_POINTS: usize = 400_000;

/// The skew of the image in degrees: text lines and rules run along `y = x·tan(angle) + c`
/// (image rows grow downwards, so a positive angle descends to the right).
///
/// Searches `-max_degrees..=max_degrees` in 0.1° steps, then refines in 0.01° steps,
/// scoring each angle by the sum of squares of the sheared row profile (sharp, tall
/// peaks when lines are level). Returns 0 for an image with no ink.
pub fn estimate_skew(ink: &Binary, max_degrees: f64) -> f64 {
    let (w, h) = (ink.width as usize, ink.height as usize);
    let total = ink.ink.iter().filter(|&&b| b).count();
    if total == 0 || w == 0 || h == 0 {
        return 0.0;
    }
    let stride = total.div_ceil(MAX_POINTS).max(1);
    let points: Vec<(u32, u32)> = ink
        .ink
        .iter()
        .enumerate()
        .filter(|(_, &b)| b)
        .step_by(stride)
        .map(|(i, _)| ((i % w) as u32, (i / w) as u32))
        .collect();
    let cx = w as f64 / 2.0;
    let diag = (w + h) as f64;
    let mut profile = vec![0u32; (2.0 * diag) as usize + 2];
    // Bin of (x, y) at an angle: round(y - (x - cx)·tan + diag/2) = y + shift[x] (y is whole).
    let mut shift = vec![0i64; w];
    let mut score = |deg: f64| -> f64 {
        profile.iter_mut().for_each(|v| *v = 0);
        let t = deg.to_radians().tan();
        for (x, s) in shift.iter_mut().enumerate() {
            *s = (diag / 2.0 - (x as f64 - cx) * t).round() as i64;
        }
        for &(x, y) in &points {
            let bin = i64::from(y) + shift[x as usize];
            if let Some(v) = usize::try_from(bin).ok().and_then(|b| profile.get_mut(b)) {
                *v += 1;
            }
        }
        profile
            .iter()
            .map(|&v| u64::from(v) * u64::from(v))
            .sum::<u64>() as f64
    };
    let search = |from: f64, to: f64, step: f64, score: &mut dyn FnMut(f64) -> f64| {
        let n = ((to - from) / step).round() as i64;
        let mut best = (f64::MIN, 0.0f64);
        for i in 0..=n {
            let deg = from + i as f64 * step;
            let s = score(deg);
            // Ties keep the angle nearest 0 so that a level page stays untouched.
            if s > best.0 || (s == best.0 && deg.abs() < best.1.abs()) {
                best = (s, deg);
            }
        }
        best.1
    };
    let max = max_degrees.abs();
    let coarse = search(-max, max, 0.1, &mut score);
    let fine = search(coarse - 0.1, coarse + 0.1, 0.01, &mut score);
    (fine * 100.0).round() / 100.0
}

/// Rotates the image about its centre so that lines skewed by `degrees` (as returned by
/// [`estimate_skew`]) become level, by bilinear interpolation (weights in 1/256 steps,
/// source positions stepped along each row in 16.16 fixed point). The size is kept;
/// uncovered corners are white.
pub fn rotate(image: &Gray, degrees: f64) -> Gray {
    if degrees == 0.0 {
        return image.clone();
    }
    const ONE: f64 = 65536.0;
    let (s, c) = degrees.to_radians().sin_cos();
    let (w, h) = (image.width as usize, image.height as usize);
    let cx = w as f64 / 2.0;
    let cy = h as f64 / 2.0;
    let mut out = Gray::new(image.width, image.height);
    let (step_x, step_y) = ((c * ONE).round() as i64, (s * ONE).round() as i64);
    let src = &image.data;
    for (y, row) in out.data.chunks_exact_mut(w.max(1)).enumerate() {
        // Output (upright) point → source point: rotate by +angle; pixel centres at +0.5.
        let (dx, dy) = (0.5 - cx, y as f64 + 0.5 - cy);
        let mut fx = ((cx + dx * c - dy * s - 0.5) * ONE).round() as i64;
        let mut fy = ((cy + dx * s + dy * c - 0.5) * ONE).round() as i64;
        for px in row.iter_mut() {
            let (x0, y0) = (fx >> 16, fy >> 16);
            let (ax, ay) = (((fx >> 8) & 0xff) as u32, ((fy >> 8) & 0xff) as u32);
            let [p00, p10, p01, p11] =
                if x0 >= 0 && y0 >= 0 && x0 + 1 < w as i64 && y0 + 1 < h as i64 {
                    let i = y0 as usize * w + x0 as usize;
                    [src[i], src[i + 1], src[i + w], src[i + w + 1]]
                } else {
                    [(0, 0), (1, 0), (0, 1), (1, 1)].map(|(u, v)| image.get(x0 + u, y0 + v))
                }
                .map(u32::from);
            let top = p00 * (256 - ax) + p10 * ax;
            let bottom = p01 * (256 - ax) + p11 * ax;
            *px = ((top * (256 - ay) + bottom * ay + (1 << 15)) >> 16) as u8;
            fx += step_x;
            fy += step_y;
        }
    }
    out
}
