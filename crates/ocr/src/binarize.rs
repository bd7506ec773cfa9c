//! Global thresholding (Otsu) of a grayscale raster.

use crate::bitmap::{transpose_pixels, Gray};

/// Otsu's threshold: pixels `<=` it are ink. A blank or one-tone image gets 127.
pub fn otsu_threshold(image: &Gray) -> u8 {
    let mut hist = [0u64; 256];
    for &v in &image.data {
        hist[usize::from(v)] += 1;
    }
    let total: u64 = hist.iter().sum();
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &n)| i as f64 * n as f64)
        .sum();
    let (mut w0, mut sum0) = (0u64, 0f64);
    // Equal scores over a gap in the histogram (synthetic or very clean pages) resolve to
    // the middle of the gap, not its dark end: anti-aliased strokes stay ink.
    let (mut best, mut lo, mut hi) = (-1f64, None, 0usize);
    for (t, &n) in hist.iter().enumerate().take(255) {
        w0 += n;
        sum0 += t as f64 * n as f64;
        let w1 = total - w0;
        if w0 == 0 || w1 == 0 {
            continue;
        }
        let m0 = sum0 / w0 as f64;
        let m1 = (sum_all - sum0) / w1 as f64;
        let between = w0 as f64 * w1 as f64 * (m0 - m1) * (m0 - m1);
        if between > best * (1.0 + 1e-12) {
            best = between;
            lo = Some(t);
            hi = t;
        } else if between >= best * (1.0 - 1e-12) {
            hi = t;
        }
    }
    lo.map_or(127, |lo| ((lo + hi) / 2) as u8)
}

/// A bilevel raster: `true` = ink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binary {
    pub width: u32,
    pub height: u32,
    pub ink: Vec<bool>,
}

impl Binary {
    /// Ink where the gray level is at most `threshold`.
    pub fn from_gray(image: &Gray, threshold: u8) -> Binary {
        Binary {
            width: image.width,
            height: image.height,
            ink: image.data.iter().map(|&v| v <= threshold).collect(),
        }
    }

    /// One row.
    pub fn row(&self, y: u32) -> &[bool] {
        let w = self.width as usize;
        &self.ink[y as usize * w..(y as usize + 1) * w]
    }

    /// Rows become columns.
    pub fn transposed(&self) -> Binary {
        Binary {
            width: self.height,
            height: self.width,
            ink: transpose_pixels(&self.ink, self.width as usize, self.height as usize),
        }
    }
}
