//! An 8-bit grayscale raster (0 = black, 255 = white) and the few operations the raster
//! path needs on it.

/// A grayscale image, row-major, one byte per pixel, 0 = black.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gray {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

/// A rectangle of pixels: columns `x0..x1`, rows `y0..y1` (exclusive ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PixelRect {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

impl PixelRect {
    /// Width in pixels (0 when empty).
    pub fn width(&self) -> u32 {
        self.x1.saturating_sub(self.x0)
    }
    /// Height in pixels (0 when empty).
    pub fn height(&self) -> u32 {
        self.y1.saturating_sub(self.y0)
    }
}

/// The pixels of a row-major `width` × `height` raster, transposed (rows become columns).
pub(crate) fn transpose_pixels<T: Copy>(pixels: &[T], width: usize, height: usize) -> Vec<T> {
    let mut out = Vec::with_capacity(width * height);
    for x in 0..width {
        out.extend((0..height).map(|y| pixels[y * width + x]));
    }
    out
}

impl Gray {
    /// The image with rows and columns swapped.
    pub fn transposed(&self) -> Gray {
        Gray {
            width: self.height,
            height: self.width,
            data: transpose_pixels(&self.data, self.width as usize, self.height as usize),
        }
    }

    /// A blank (white) image.
    pub fn new(width: u32, height: u32) -> Gray {
        Gray {
            width,
            height,
            data: vec![255; width as usize * height as usize],
        }
    }

    /// The pixel at (`x`, `y`); white outside the image.
    pub fn get(&self, x: i64, y: i64) -> u8 {
        if x < 0 || y < 0 || x >= self.width as i64 || y >= self.height as i64 {
            255
        } else {
            self.data[y as usize * self.width as usize + x as usize]
        }
    }

    /// One row of pixels.
    pub fn row(&self, y: u32) -> &[u8] {
        let w = self.width as usize;
        &self.data[y as usize * w..(y as usize + 1) * w]
    }

    /// A copy of the pixels inside `r` (clipped to the image).
    pub fn crop(&self, r: PixelRect) -> Gray {
        let x0 = r.x0.min(self.width);
        let x1 = r.x1.min(self.width).max(x0);
        let y0 = r.y0.min(self.height);
        let y1 = r.y1.min(self.height).max(y0);
        let mut data = Vec::with_capacity((x1 - x0) as usize * (y1 - y0) as usize);
        for y in y0..y1 {
            data.extend_from_slice(&self.row(y)[x0 as usize..x1 as usize]);
        }
        Gray {
            width: x1 - x0,
            height: y1 - y0,
            data,
        }
    }

    /// Bilinear sample at a real position (pixel centres at integer + 0.5).
    pub fn sample(&self, x: f64, y: f64) -> u8 {
        let fx = x - 0.5;
        let fy = y - 0.5;
        let x0 = fx.floor();
        let y0 = fy.floor();
        let ax = fx - x0;
        let ay = fy - y0;
        let (x0, y0) = (x0 as i64, y0 as i64);
        let p00 = f64::from(self.get(x0, y0));
        let p10 = f64::from(self.get(x0 + 1, y0));
        let p01 = f64::from(self.get(x0, y0 + 1));
        let p11 = f64::from(self.get(x0 + 1, y0 + 1));
        let top = p00 + (p10 - p00) * ax;
        let bottom = p01 + (p11 - p01) * ax;
        (top + (bottom - top) * ay).round().clamp(0.0, 255.0) as u8
    }

    /// Scaled to `width`×`height` by area averaging when shrinking, bilinear when growing.
    pub fn resize(&self, width: u32, height: u32) -> Gray {
        let mut out = Gray::new(width, height);
        if self.width == 0 || self.height == 0 || width == 0 || height == 0 {
            return out;
        }
        let sx = f64::from(self.width) / f64::from(width);
        let sy = f64::from(self.height) / f64::from(height);
        for y in 0..height {
            for x in 0..width {
                let v = if sx > 1.0 || sy > 1.0 {
                    self.area_mean(
                        f64::from(x) * sx,
                        f64::from(y) * sy,
                        f64::from(x + 1) * sx,
                        f64::from(y + 1) * sy,
                    )
                } else {
                    self.sample((f64::from(x) + 0.5) * sx, (f64::from(y) + 0.5) * sy)
                };
                out.data[y as usize * width as usize + x as usize] = v;
            }
        }
        out
    }

    /// Mean of the pixels whose centres fall in the box (at least the nearest one).
    fn area_mean(&self, x0: f64, y0: f64, x1: f64, y1: f64) -> u8 {
        let cx0 = (x0.floor() as u32).min(self.width - 1);
        let cy0 = (y0.floor() as u32).min(self.height - 1);
        let cx1 = (x1.ceil() as u32).clamp(cx0 + 1, self.width);
        let cy1 = (y1.ceil() as u32).clamp(cy0 + 1, self.height);
        let mut sum = 0u64;
        for y in cy0..cy1 {
            sum += self.row(y)[cx0 as usize..cx1 as usize]
                .iter()
                .map(|&v| u64::from(v))
                .sum::<u64>();
        }
        let n = u64::from(cx1 - cx0) * u64::from(cy1 - cy0);
        (sum / n) as u8
    }
}
