//! Image XObjects → [`PageImage`]: generic filters undone, image-specific ones left encoded.

use lopdf::{Dictionary, Object, Stream};

use super::{as_f64, as_name, deref, dict, get, stream_data, Objects};
use crate::error::ExtractError;
use crate::model::{ImageColorSpace, ImageEncoding, Matrix, PageImage};

/// Largest image side accepted, in samples.
const MAX_IMAGE_SIDE: i64 = 1 << 16;

/// Reads an image XObject drawn with `ctm` (unit square → page space). `color_spaces` is the
/// `/ColorSpace` resource dictionary for named colour spaces.
pub(crate) fn read_image(
    doc: &Objects<'_>,
    stream: &Stream,
    ctm: Matrix,
    color_spaces: Option<&Dictionary>,
    limit: usize,
) -> Result<PageImage, ExtractError> {
    let d = &stream.dict;
    let side = |key: &[u8]| -> Result<u32, ExtractError> {
        match as_f64(get(doc, d, key)) {
            Some(v) if v >= 1.0 && v <= MAX_IMAGE_SIDE as f64 => Ok(v as u32),
            _ => Err(ExtractError::Corrupt(format!(
                "image /{} missing or out of range",
                String::from_utf8_lossy(key)
            ))),
        }
    };
    let (width, height) = (side(b"Width")?, side(b"Height")?);
    let image_mask = matches!(get(doc, d, b"ImageMask"), Object::Boolean(true));
    let bits_per_component = if image_mask {
        1
    } else {
        as_f64(get(doc, d, b"BitsPerComponent")).map_or(8, |b| b.clamp(1.0, 16.0) as u8)
    };
    let color_space = if image_mask {
        ImageColorSpace::Gray
    } else {
        color_space(doc, get(doc, d, b"ColorSpace"), color_spaces, limit, 0)
    };
    let decode = match get(doc, d, b"Decode") {
        Object::Array(items) => Some(items.iter().filter_map(|o| as_f64(deref(doc, o))).collect()),
        _ => None,
    };

    let filters: Vec<&[u8]> = match get(doc, d, b"Filter") {
        Object::Name(n) => vec![n.as_slice()],
        Object::Array(items) => items
            .iter()
            .filter_map(|o| as_name(deref(doc, o)))
            .collect(),
        _ => Vec::new(),
    };
    let params: Vec<Option<&Dictionary>> = match get(doc, d, b"DecodeParms") {
        Object::Array(items) => items.iter().map(|o| dict(doc, o)).collect(),
        other => vec![dict(doc, other)],
    };
    let last = filters.len().checked_sub(1);
    let special =
        last.and_then(|i| image_encoding(doc, filters[i], params.get(i).copied().flatten(), limit));
    let (encoding, generic) = match special {
        Some(encoding) => (encoding, &filters[..filters.len() - 1]),
        None => (ImageEncoding::Raw, &filters[..]),
    };
    let data = if generic.len() == filters.len() {
        stream_data(stream, limit)?
    } else if generic.is_empty() {
        stream.content.clone()
    } else {
        // Undo only the generic filters in front of the image codec.
        let mut partial = Dictionary::new();
        partial.set(
            "Filter",
            Object::Array(generic.iter().map(|f| Object::Name(f.to_vec())).collect()),
        );
        let generic_params: Vec<Object> = params
            .iter()
            .take(generic.len())
            .map(|p| p.map_or(Object::Null, |p| Object::Dictionary(p.clone())))
            .collect();
        partial.set("DecodeParms", Object::Array(generic_params));
        stream_data(&Stream::new(partial, stream.content.clone()), limit)?
    };
    Ok(PageImage {
        ctm,
        width,
        height,
        bits_per_component,
        color_space,
        encoding,
        decode,
        image_mask,
        data,
    })
}

/// The image-specific encoding named by `filter`, or `None` for a generic filter.
fn image_encoding(
    doc: &Objects<'_>,
    filter: &[u8],
    params: Option<&Dictionary>,
    limit: usize,
) -> Option<ImageEncoding> {
    let int = |key: &[u8], default: i64| {
        params
            .and_then(|p| as_f64(get(doc, p, key)))
            .map_or(default, |v| v as i64)
    };
    let flag = |key: &[u8], default: bool| match params.map(|p| get(doc, p, key)) {
        Some(Object::Boolean(b)) => *b,
        _ => default,
    };
    match filter {
        b"DCTDecode" | b"DCT" => Some(ImageEncoding::Dct {
            color_transform: params
                .and_then(|p| as_f64(get(doc, p, b"ColorTransform")))
                .map(|v| v as i64),
        }),
        b"CCITTFaxDecode" | b"CCF" => Some(ImageEncoding::Ccitt {
            k: int(b"K", 0),
            columns: int(b"Columns", 1728).clamp(1, MAX_IMAGE_SIDE) as u32,
            rows: int(b"Rows", 0).clamp(0, MAX_IMAGE_SIDE) as u32,
            black_is_1: flag(b"BlackIs1", false),
            encoded_byte_align: flag(b"EncodedByteAlign", false),
            end_of_block: flag(b"EndOfBlock", true),
        }),
        b"JBIG2Decode" => {
            let globals = match params.map(|p| get(doc, p, b"JBIG2Globals")) {
                Some(Object::Stream(s)) => stream_data(s, limit).ok(),
                _ => None,
            };
            Some(ImageEncoding::Jbig2 { globals })
        }
        b"JPXDecode" => Some(ImageEncoding::Jpx),
        _ => None,
    }
}

/// Reduces a colour space object to what a raster reader needs. `depth` bounds named and
/// nested colour spaces.
fn color_space(
    doc: &Objects<'_>,
    object: &Object,
    named: Option<&Dictionary>,
    limit: usize,
    depth: u8,
) -> ImageColorSpace {
    if depth > 4 {
        return ImageColorSpace::Other {
            name: "nested".into(),
            components: None,
        };
    }
    let by_components = |n: Option<f64>, name: &str| match n.map(|n| n as i64) {
        Some(1) => ImageColorSpace::Gray,
        Some(3) => ImageColorSpace::Rgb,
        Some(4) => ImageColorSpace::Cmyk,
        n => ImageColorSpace::Other {
            name: name.into(),
            components: n.and_then(|n| u8::try_from(n).ok()),
        },
    };
    match object {
        Object::Name(n) => match n.as_slice() {
            b"DeviceGray" | b"G" | b"CalGray" => ImageColorSpace::Gray,
            b"DeviceRGB" | b"RGB" | b"CalRGB" => ImageColorSpace::Rgb,
            b"DeviceCMYK" | b"CMYK" => ImageColorSpace::Cmyk,
            other => match named.map(|d| get(doc, d, other)) {
                Some(o) if !matches!(o, Object::Null) => {
                    color_space(doc, o, None, limit, depth + 1)
                }
                _ => ImageColorSpace::Other {
                    name: String::from_utf8_lossy(other).into_owned(),
                    components: None,
                },
            },
        },
        Object::Array(items) => {
            let family = items
                .first()
                .and_then(|o| as_name(deref(doc, o)))
                .unwrap_or_default();
            let arg = |i: usize| items.get(i).map_or(&Object::Null, |o| deref(doc, o));
            match family {
                b"ICCBased" => {
                    let n = dict(doc, arg(1)).and_then(|d| as_f64(get(doc, d, b"N")));
                    by_components(n, "ICCBased")
                }
                b"CalGray" => ImageColorSpace::Gray,
                b"CalRGB" => ImageColorSpace::Rgb,
                b"Indexed" | b"I" => {
                    let base = color_space(doc, arg(1), named, limit, depth + 1);
                    let base_components = match base {
                        ImageColorSpace::Gray => 1,
                        ImageColorSpace::Rgb => 3,
                        ImageColorSpace::Cmyk => 4,
                        ImageColorSpace::Other { components, .. } => components.unwrap_or(0),
                        ImageColorSpace::Indexed { .. } => 0,
                    };
                    let hival = as_f64(arg(2)).map_or(0, |h| h.clamp(0.0, 255.0) as u32);
                    let palette = match arg(3) {
                        Object::String(bytes, _) => bytes.clone(),
                        Object::Stream(s) => stream_data(s, limit).unwrap_or_default(),
                        _ => Vec::new(),
                    };
                    ImageColorSpace::Indexed {
                        base_components,
                        hival,
                        palette,
                    }
                }
                b"DeviceN" => ImageColorSpace::Other {
                    name: "DeviceN".into(),
                    components: match arg(1) {
                        Object::Array(names) => u8::try_from(names.len()).ok(),
                        _ => None,
                    },
                },
                other => ImageColorSpace::Other {
                    name: String::from_utf8_lossy(other).into_owned(),
                    components: match other {
                        b"Separation" => Some(1),
                        b"Lab" => Some(3),
                        _ => None,
                    },
                },
            }
        }
        _ => ImageColorSpace::Gray,
    }
}
