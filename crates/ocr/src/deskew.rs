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
    let points: Vec<(f64, f64)> = ink
        .ink
        .iter()
        .enumerate()
        .filter(|(_, &b)| b)
        .step_by(stride)
        .map(|(i, _)| ((i % w) as f64, (i / w) as f64))
        .collect();
    let cx = w as f64 / 2.0;
    let diag = (w + h) as f64;
    let mut profile = vec![0u32; (2.0 * diag) as usize + 2];
    let mut score = |deg: f64| -> f64 {
        profile.iter_mut().for_each(|v| *v = 0);
        let t = deg.to_radians().tan();
        for &(x, y) in &points {
            let bin = (y - (x - cx) * t + diag / 2.0).round();
            if bin >= 0.0 && (bin as usize) < profile.len() {
                profile[bin as usize] += 1;
            }
        }
        profile.iter().map(|&v| f64::from(v) * f64::from(v)).sum()
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
/// [`estimate_skew`]) become level. The size is kept; uncovered corners are white.
pub fn rotate(image: &Gray, degrees: f64) -> Gray {
    if degrees == 0.0 {
        return image.clone();
    }
    let (s, c) = degrees.to_radians().sin_cos();
    let cx = f64::from(image.width) / 2.0;
    let cy = f64::from(image.height) / 2.0;
    let mut out = Gray::new(image.width, image.height);
    let w = image.width as usize;
    for y in 0..image.height {
        let dy = f64::from(y) + 0.5 - cy;
        for x in 0..image.width {
            let dx = f64::from(x) + 0.5 - cx;
            // Output (upright) point → source point: rotate by +angle.
            let sx = cx + dx * c - dy * s;
            let sy = cy + dx * s + dy * c;
            out.data[y as usize * w + x as usize] = image.sample(sx, sy);
        }
    }
    out
}
