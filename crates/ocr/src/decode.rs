//! Page images → grayscale rasters: raw samples, DCT (JPEG), CCITT G3/G4, JBIG2 and JPX,
//! with `/Decode` arrays, stencil masks, indexed and CMYK colour.

use crate::bitmap::Gray;
use crate::error::OcrError;
use jixiao_extract::{ImageColorSpace, ImageEncoding, PageImage};
use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

/// Decodes a page image to grayscale (0 = black), refusing images above `max_pixels`.
///
/// Stencil masks (`/ImageMask true`) come out black where paint falls. The result is the
/// image in its own sample order: row 0 is the top row of image space.
pub fn decode_image(image: &PageImage, max_pixels: u64) -> Result<Gray, OcrError> {
    check_size(image.width, image.height, max_pixels)?;
    let gray = match &image.encoding {
        ImageEncoding::Raw => raw_samples(image)?,
        ImageEncoding::Dct { .. } => dct(image, max_pixels)?,
        ImageEncoding::Ccitt {
            k,
            columns,
            rows,
            black_is_1,
            encoded_byte_align,
            end_of_block,
        } => {
            let params = CcittParams {
                k: *k,
                columns: *columns,
                rows: *rows,
                byte_align: *encoded_byte_align,
                end_of_block: *end_of_block,
            };
            bilevel(
                image,
                &ccitt(&image.data, &params, image.height, max_pixels)?,
                *black_is_1,
            )
        }
        ImageEncoding::Jbig2 { globals } => bilevel(
            image,
            &jbig2(&image.data, globals.as_deref(), max_pixels)?,
            false,
        ),
        ImageEncoding::Jpx => jpx(image, max_pixels)?,
    };
    if gray.width == 0 || gray.height == 0 {
        return Err(OcrError::Decode("image has no pixels".into()));
    }
    Ok(gray)
}

fn check_size(width: u32, height: u32, max_pixels: u64) -> Result<(), OcrError> {
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(OcrError::TooLarge {
            width,
            height,
            limit: max_pixels,
        });
    }
    Ok(())
}

/// A bilevel image as a fax or JBIG2 decoder reports it.
struct Bits {
    width: u32,
    height: u32,
    /// `true` where the decoder reports a black pixel.
    black: Vec<bool>,
}

/// Turns a bilevel decoder result into gray, following the PDF filters' sample values
/// (black → sample 0, or 1 with `/BlackIs1 true`), then `/Decode`: a plain image is black
/// where the decoded sample is 0, and a stencil mask paints exactly there too.
fn bilevel(image: &PageImage, bits: &Bits, black_is_1: bool) -> Gray {
    let inverted = decode_inverts(image.decode.as_deref());
    let mut out = Gray::new(bits.width, bits.height);
    for (px, &black) in out.data.iter_mut().zip(&bits.black) {
        let sample_is_1 = black == black_is_1;
        if sample_is_1 == inverted {
            *px = 0;
        }
    }
    out
}

/// Whether a one-component `/Decode` array maps sample 0 to 1 (i.e. `[1 0]`).
fn decode_inverts(decode: Option<&[f64]>) -> bool {
    matches!(decode, Some([d0, d1, ..]) if d0 > d1)
}

/// Parameters of a `CCITTFaxDecode` stream.
struct CcittParams {
    k: i64,
    columns: u32,
    rows: u32,
    byte_align: bool,
    end_of_block: bool,
}

struct RowSink {
    width: u32,
    max_rows: u32,
    black: Vec<bool>,
    rows: u32,
}

impl hayro_ccitt::Decoder for RowSink {
    fn push_row(&mut self, changes: &[u32]) {
        if self.rows >= self.max_rows {
            return;
        }
        let start = self.black.len();
        self.black.resize(start + self.width as usize, false);
        let row = &mut self.black[start..];
        for pair in changes.chunks(2) {
            let from = pair[0].min(self.width) as usize;
            let to = pair.get(1).copied().unwrap_or(self.width).min(self.width) as usize;
            row[from..to].fill(true);
        }
        self.rows += 1;
    }
}

fn ccitt(data: &[u8], p: &CcittParams, height: u32, max_pixels: u64) -> Result<Bits, OcrError> {
    use hayro_ccitt::{DecodeSettings, DecoderContext, EncodingMode};
    let rows = if p.rows > 0 { p.rows } else { height };
    check_size(p.columns, rows, max_pixels)?;
    let encoding = match p.k {
        k if k < 0 => EncodingMode::Group4,
        0 => EncodingMode::Group3_1D,
        _ => EncodingMode::Group3_2D,
    };
    let settings = DecodeSettings {
        columns: p.columns,
        rows,
        end_of_block: p.end_of_block,
        end_of_line: false,
        rows_are_byte_aligned: p.byte_align,
        encoding,
        strict: false,
    };
    let mut sink = RowSink {
        width: p.columns,
        max_rows: rows,
        black: Vec::new(),
        rows: 0,
    };
    let mut ctx = DecoderContext::new(settings);
    let result = hayro_ccitt::decode(data, &mut sink, &mut ctx);
    if sink.rows == 0 {
        return Err(OcrError::Decode(match result {
            Err(e) => format!("CCITT: {e:?}"),
            Ok(_) => "CCITT: no rows".into(),
        }));
    }
    // Rows lost to damage at the end stay white, as in viewers.
    sink.black.resize(p.columns as usize * rows as usize, false);
    Ok(Bits {
        width: p.columns,
        height: rows,
        black: sink.black,
    })
}

struct PixelSink {
    width: u32,
    black: Vec<bool>,
    col: u32,
}

impl hayro_jbig2::Decoder for PixelSink {
    fn push_pixel(&mut self, black: bool) {
        if self.col < self.width {
            self.black.push(black);
            self.col += 1;
        }
    }
    fn push_pixel_chunk(&mut self, black: bool, chunk_count: u32) {
        for _ in 0..chunk_count.saturating_mul(8) {
            self.push_pixel(black);
        }
    }
    fn next_line(&mut self) {
        let pad = (self.width - self.col) as usize;
        self.black.extend(std::iter::repeat_n(false, pad));
        self.col = 0;
    }
}

fn jbig2(data: &[u8], globals: Option<&[u8]>, max_pixels: u64) -> Result<Bits, OcrError> {
    use hayro_jbig2::{DecodeSettings, Globals, Page};
    let err = |e: hayro_jbig2::DecodeError| OcrError::Decode(format!("JBIG2: {e:?}"));
    let settings = DecodeSettings::default();
    let globals = globals
        .map(|g| Globals::new(g, &settings))
        .transpose()
        .map_err(err)?;
    let page = Page::new_embedded(data, globals.as_ref(), &settings).map_err(err)?;
    let (width, height) = (page.width(), page.height());
    check_size(width, height, max_pixels)?;
    let mut sink = PixelSink {
        width,
        black: Vec::with_capacity(width as usize * height as usize),
        col: 0,
    };
    page.decode(&mut sink).map_err(err)?;
    sink.black.resize(width as usize * height as usize, false);
    Ok(Bits {
        width,
        height,
        black: sink.black,
    })
}

fn dct(image: &PageImage, max_pixels: u64) -> Result<Gray, OcrError> {
    // Gray comes out as luma; YCbCr, CMYK and YCCK (Adobe) as RGB (converted by the decoder
    // with the Adobe conventions), so that coloured ink can be told from print.
    let out_space = match color_components(&image.color_space) {
        1 => ColorSpace::Luma,
        _ => ColorSpace::RGB,
    };
    let limit = usize::try_from(max_pixels)
        .unwrap_or(usize::MAX)
        .min(1 << 16);
    let options = DecoderOptions::default()
        .set_max_width(limit)
        .set_max_height(limit)
        .jpeg_set_out_colorspace(out_space);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(&image.data), options);
    let pixels = decoder
        .decode()
        .map_err(|e| OcrError::Decode(format!("JPEG: {e:?}")))?;
    let info = decoder
        .info()
        .ok_or_else(|| OcrError::Decode("JPEG: no header".into()))?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    check_size(width, height, max_pixels)?;
    let channels = decoder
        .output_colorspace()
        .map_or(1, |c| c.num_components())
        .max(1);
    if pixels.len() < width as usize * height as usize * channels {
        return Err(OcrError::Decode("JPEG: short pixel data".into()));
    }
    let mut out = Gray::new(width, height);
    if channels >= 3 {
        colour_to_print(&pixels, channels, &mut out.data);
    } else {
        for (px, s) in out.data.iter_mut().zip(pixels.chunks_exact(channels)) {
            *px = s[0];
        }
    }
    // A /Decode array that swaps the first component's range makes the image a negative.
    if decode_inverts(image.decode.as_deref()) {
        out.data.iter_mut().for_each(|v| *v = 255 - *v);
    }
    Ok(out)
}

fn jpx(image: &PageImage, max_pixels: u64) -> Result<Gray, OcrError> {
    use hayro_jpeg2000::{DecodeSettings, DecoderContext, Image};
    let err = |e: hayro_jpeg2000::DecodeError| OcrError::Decode(format!("JPX: {e:?}"));
    let jpx = Image::new(&image.data, &DecodeSettings::default()).map_err(err)?;
    let (width, height) = (jpx.width(), jpx.height());
    check_size(width, height, max_pixels)?;
    let channels = usize::from(jpx.color_space().num_channels()) + usize::from(jpx.has_alpha());
    let is_cmyk = matches!(jpx.color_space(), hayro_jpeg2000::ColorSpace::CMYK);
    let mut ctx = DecoderContext::default();
    let decoded = jpx.decode(&mut ctx).map_err(err)?;
    let samples = decoded.data_u8();
    let n = width as usize * height as usize;
    if channels == 0 || samples.len() < n * channels {
        return Err(OcrError::Decode("JPX: short pixel data".into()));
    }
    let mut out = Gray::new(width, height);
    for (px, s) in out.data.iter_mut().zip(samples.chunks_exact(channels)) {
        *px = match (channels, is_cmyk) {
            (4 | 5, true) => cmyk_to_gray([s[0], s[1], s[2], s[3]]),
            (1 | 2, _) => s[0],
            _ => rgb_to_gray(s[0], s[1], s[2]),
        };
    }
    Ok(out)
}

/// Grey levels of colour pixels (`channels` ≥ 3 bytes each, RGB first) as print: the paper's
/// colour cast is taken out first (each channel scaled so that its bright end — the paper —
/// is neutral), then [`rgb_to_gray`] drops saturated ink.
fn colour_to_print(pixels: &[u8], channels: usize, out: &mut [u8]) {
    let mut hist = [[0u32; 256]; 3];
    for s in pixels.chunks_exact(channels).step_by(7) {
        for c in 0..3 {
            hist[c][usize::from(s[c])] += 1;
        }
    }
    // Paper: the 90th percentile of each channel (most of a page is paper).
    let gains: Vec<u32> = hist
        .iter()
        .map(|h| {
            let total: u32 = h.iter().sum();
            let mut seen = 0;
            let paper = h
                .iter()
                .position(|&n| {
                    seen += n;
                    seen * 10 >= total * 9
                })
                .unwrap_or(255)
                .max(64) as u32;
            // Fixed point 8.8; a channel is never darkened.
            (255 * 256 / paper).max(256)
        })
        .collect();
    let (gr, gg, gb) = (gains[0], gains[1], gains[2]);
    // Scale the other channels to the strongest one's gain, so only the cast changes.
    let base = gr.min(gg).min(gb);
    let balance = |v: u8, g: u32| ((u32::from(v) * g / base).min(255)) as u8;
    for (px, s) in out.iter_mut().zip(pixels.chunks_exact(channels)) {
        *px = rgb_to_gray(balance(s[0], gr), balance(s[1], gg), balance(s[2], gb));
    }
}

/// The grey level of a colour as print: luma raised by three times the chroma (max − min
/// channel, less 16, weighted by the brightness), so bright saturated ink — red seals (公章), blue or red handwriting, coloured
/// stamps — turns to paper, while black and grey print (chroma near 0, even under a seal's
/// tint) keeps its darkness.
fn rgb_to_gray(r: u8, g: u8, b: u8) -> u8 {
    let luma = (299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b) + 500) / 1000;
    // Chroma below 16 is JPEG colour noise or a trace of cast, not coloured ink; it counts in
    // proportion to the square of the brightest channel, so dark colours stay print.
    let max = u32::from(r.max(g).max(b));
    let chroma = u32::from(r.max(g).max(b) - r.min(g).min(b)).saturating_sub(16);
    (luma + 3 * chroma * max * max / (255 * 255)).min(255) as u8
}

fn cmyk_to_gray([c, m, y, k]: [u8; 4]) -> u8 {
    let inv = |v: u8| 255 - u32::from(v);
    let r = inv(c) * inv(k) / 255;
    let g = inv(m) * inv(k) / 255;
    let b = inv(y) * inv(k) / 255;
    rgb_to_gray(r as u8, g as u8, b as u8)
}

/// Number of colour components of a colour space (1 for a stencil mask or unknown).
fn color_components(cs: &ImageColorSpace) -> usize {
    match cs {
        ImageColorSpace::Gray | ImageColorSpace::Indexed { .. } => 1,
        ImageColorSpace::Rgb => 3,
        ImageColorSpace::Cmyk => 4,
        ImageColorSpace::Other { components, .. } => usize::from(components.unwrap_or(1)),
    }
}

/// Unpacks raw samples (1, 2, 4, 8 or 16 bits, rows padded to bytes) to gray.
fn raw_samples(image: &PageImage) -> Result<Gray, OcrError> {
    let bpc = if image.image_mask {
        1
    } else {
        u32::from(image.bits_per_component)
    };
    if !matches!(bpc, 1 | 2 | 4 | 8 | 16) {
        return Err(OcrError::Unsupported(format!("{bpc} bits per component")));
    }
    let comps = if image.image_mask {
        1
    } else {
        color_components(&image.color_space)
    };
    if !matches!(comps, 1 | 3 | 4) {
        return Err(OcrError::Unsupported(format!("{comps} colour components")));
    }
    let (width, height) = (image.width, image.height);
    let row_bytes = (u64::from(width) * comps as u64 * u64::from(bpc)).div_ceil(8) as usize;
    let needed = row_bytes * height as usize;
    if image.data.len() < needed {
        return Err(OcrError::Decode(format!(
            "image data has {} bytes, {width}×{height} needs {needed}",
            image.data.len()
        )));
    }
    let max = f64::from((1u32 << bpc) - 1);
    let decode = image.decode.as_deref();
    // The range each component's samples map to, from /Decode or the default.
    let default_hi = match &image.color_space {
        ImageColorSpace::Indexed { .. } if !image.image_mask => max,
        _ => 1.0,
    };
    let ranges: Vec<(f64, f64)> = (0..comps)
        .map(|i| match decode {
            Some(d) if d.len() >= 2 * comps => (d[2 * i], d[2 * i + 1]),
            _ => (0.0, default_hi),
        })
        .collect();
    let mut out = Gray::new(width, height);
    let mut values = [0.0f64; 4];
    for y in 0..height as usize {
        let row = &image.data[y * row_bytes..(y + 1) * row_bytes];
        for x in 0..width as usize {
            for (c, value) in values.iter_mut().enumerate().take(comps) {
                let s = f64::from(read_sample(row, x * comps + c, bpc));
                let (lo, hi) = ranges[c];
                *value = lo + s / max * (hi - lo);
            }
            let g = if image.image_mask {
                // A stencil mask paints (black) where the decoded sample is 0.
                if values[0] < 0.5 {
                    0
                } else {
                    255
                }
            } else {
                color_to_gray(&image.color_space, &values[..comps])
            };
            out.data[y * width as usize + x] = g;
        }
    }
    Ok(out)
}

fn read_sample(row: &[u8], index: usize, bpc: u32) -> u32 {
    match bpc {
        8 => u32::from(row[index]),
        16 => u32::from(row[2 * index]) << 8 | u32::from(row[2 * index + 1]),
        _ => {
            let bit = index * bpc as usize;
            let byte = row[bit / 8];
            let shift = 8 - bpc as usize - bit % 8;
            u32::from(byte >> shift) & ((1 << bpc) - 1)
        }
    }
}

/// Gray level of decoded component values (each in 0..=1, or an index for `Indexed`).
fn color_to_gray(cs: &ImageColorSpace, v: &[f64]) -> u8 {
    let to8 = |x: f64| (x * 255.0).round().clamp(0.0, 255.0) as u8;
    match (cs, v.len()) {
        (
            ImageColorSpace::Indexed {
                base_components,
                hival,
                palette,
            },
            _,
        ) => {
            let index = (v[0].round().max(0.0) as usize).min(*hival as usize);
            let n = usize::from(*base_components);
            match palette.get(index * n..(index + 1) * n) {
                Some([g]) => *g,
                Some([r, g, b]) => rgb_to_gray(*r, *g, *b),
                Some([c, m, y, k]) => cmyk_to_gray([*c, *m, *y, *k]),
                _ => 255,
            }
        }
        (_, 3) => rgb_to_gray(to8(v[0]), to8(v[1]), to8(v[2])),
        (_, 4) => cmyk_to_gray([to8(v[0]), to8(v[1]), to8(v[2]), to8(v[3])]),
        _ => to8(v[0]),
    }
}
