//! The document layer: loading a PDF under [`Limits`] (objects parsed on demand, lopdf's
//! loader as the fallback for damaged or encrypted files), the page tree with inherited
//! attributes, resource dictionaries and content streams, and small object helpers.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId, Stream};

use crate::error::ExtractError;
use crate::font::FontCache;
use crate::model::Matrix;
use crate::settings::Limits;

mod image;
mod objects;
mod parse;
mod xref;

pub(crate) use image::read_image;
pub use objects::Objects;

/// How far the `%PDF-` header may be from the start of the file.
const HEADER_WINDOW: usize = 1024;
/// Longest chain of indirect references followed before giving up.
const MAX_REF_CHAIN: usize = 16;
/// Deepest page tree accepted.
const MAX_TREE_DEPTH: usize = 64;

static NULL: Object = Object::Null;

/// A loaded PDF and its pages, in document order.
pub struct PdfDocument<'a> {
    /// The document's objects (decrypted when it was encrypted with an empty user password).
    pub objects: Objects<'a>,
    pages: Vec<PageInfo>,
    /// Fonts loaded so far, by object id.
    pub(crate) fonts: RefCell<FontCache>,
}

/// One page with the attributes it inherits from the page tree resolved.
#[derive(Debug, Clone)]
pub struct PageInfo {
    /// The page object.
    pub id: ObjectId,
    /// The visible area in user space `[x0, y0, x1, y1]`: the crop box clipped to the media box.
    pub crop: [f64; 4],
    /// `/Rotate`, normalised to 0, 90, 180 or 270.
    pub rotate: u16,
    /// The page's resources merged with those of its ancestors (the nearest definition wins).
    pub resources: Dictionary,
}

impl PageInfo {
    /// Width and height of the page as displayed (after rotation), in points.
    pub fn size(&self) -> (f64, f64) {
        let [x0, y0, x1, y1] = self.crop;
        if self.rotate % 180 == 90 {
            (y1 - y0, x1 - x0)
        } else {
            (x1 - x0, y1 - y0)
        }
    }

    /// The transform from PDF user space (y up) to page space (top-left origin, y down).
    pub fn page_transform(&self) -> Matrix {
        let [x0, y0, x1, y1] = self.crop;
        Matrix(match self.rotate {
            90 => [0.0, 1.0, 1.0, 0.0, -y0, -x0],
            180 => [-1.0, 0.0, 0.0, 1.0, x1, -y0],
            270 => [0.0, -1.0, -1.0, 0.0, y1, x1],
            _ => [1.0, 0.0, 0.0, -1.0, -x0, y1],
        })
    }
}

impl<'a> PdfDocument<'a> {
    /// Reads `bytes` as a PDF and walks its page tree. Objects are parsed when first used;
    /// when the cross-reference data does not check out, or the page tree does not read, or
    /// the file is encrypted, lopdf loads the whole file instead (repairing a damaged
    /// cross-reference table when it can). Encrypted files open when the empty user password
    /// opens them.
    pub fn load(bytes: &'a [u8], limits: &Limits) -> Result<Self, ExtractError> {
        let head = &bytes[..bytes.len().min(HEADER_WINDOW)];
        let Some(header) = head.windows(5).position(|w| w == b"%PDF-") else {
            return Err(ExtractError::NotPdf);
        };
        if let Some(objects) = Objects::lazy(&bytes[header..], limits.max_decompressed_bytes) {
            match walk_page_tree(&objects, limits) {
                Ok(pages) if !pages.is_empty() => return Ok(Self::new(objects, pages)),
                Err(e @ ExtractError::LimitExceeded(_)) => return Err(e),
                _ => {}
            }
        }
        let objects = Objects::loaded(load_whole(bytes, limits)?);
        let pages = walk_page_tree(&objects, limits)?;
        Ok(Self::new(objects, pages))
    }

    fn new(objects: Objects<'a>, pages: Vec<PageInfo>) -> Self {
        PdfDocument {
            objects,
            pages,
            fonts: RefCell::default(),
        }
    }

    /// Number of pages in the document.
    pub fn page_count(&self) -> u32 {
        u32::try_from(self.pages.len()).unwrap_or(u32::MAX)
    }

    /// The page with 1-based `number`.
    pub fn page(&self, number: u32) -> Result<&PageInfo, ExtractError> {
        number
            .checked_sub(1)
            .and_then(|i| self.pages.get(i as usize))
            .ok_or(ExtractError::PageOutOfRange {
                requested: number,
                pages: self.page_count(),
            })
    }

    /// The decoded content of a page: its content streams concatenated, plus a warning for
    /// every stream that could not be decoded.
    pub fn page_content(&self, page: &PageInfo, limits: &Limits) -> (Vec<u8>, Vec<String>) {
        let mut data = Vec::new();
        let mut warnings = Vec::new();
        let Some(Object::Dictionary(dict)) = self.objects.get(page.id) else {
            return (data, warnings);
        };
        let contents = get(&self.objects, dict, b"Contents");
        let streams: Vec<&Object> = match contents {
            Object::Array(items) => items.iter().map(|o| deref(&self.objects, o)).collect(),
            other => vec![other],
        };
        for object in streams {
            let Object::Stream(stream) = object else {
                continue;
            };
            let budget = limits.max_decompressed_bytes.saturating_sub(data.len());
            match stream_data(stream, budget) {
                Ok(bytes) => {
                    data.extend_from_slice(&bytes);
                    data.push(b'\n');
                }
                Err(e) => warnings.push(format!("content stream not decoded: {e}")),
            }
        }
        (data, warnings)
    }
}

/// A lopdf error as extraction reports it, in jixiao's words: what is wrong with the file,
/// never lopdf's advice to its own developers.
fn lopdf_error(e: lopdf::Error) -> ExtractError {
    use lopdf::{DecompressError, Error};
    match e {
        Error::InvalidPassword | Error::Decryption(_) | Error::UnsupportedSecurityHandler(_) => {
            ExtractError::Encrypted
        }
        Error::Decompress(DecompressError::MemoryLimitExceeded { limit }) => {
            ExtractError::LimitExceeded(format!("a stream decompresses to more than {limit} bytes"))
        }
        Error::Decompress(DecompressError::TooManyFilters { count, limit }) => {
            ExtractError::LimitExceeded(format!(
                "a stream names {count} filters, more than the {limit} decoded"
            ))
        }
        Error::Unimplemented(feature) => ExtractError::Corrupt(format!(
            "the file uses a PDF feature that cannot be read ({feature})"
        )),
        Error::IO(io) => ExtractError::Corrupt(format!(
            "a compressed stream is cut short or damaged ({io})"
        )),
        Error::Decompress(inner) => {
            ExtractError::Corrupt(format!("a compressed stream cannot be decoded: {inner}"))
        }
        Error::Parse(inner) => {
            ExtractError::Corrupt(format!("the file's structure cannot be parsed: {inner}"))
        }
        Error::Xref(inner) => ExtractError::Corrupt(format!(
            "the cross-reference table is damaged and could not be rebuilt: {inner}"
        )),
        other => ExtractError::Corrupt(other.to_string()),
    }
}

/// The whole file loaded by lopdf.
fn load_whole(bytes: &[u8], limits: &Limits) -> Result<Document, ExtractError> {
    let options = LoadOptions {
        max_decompressed_size: Some(limits.max_decompressed_bytes),
        ..LoadOptions::default()
    };
    let doc = Document::load_mem_with_options(bytes, options).map_err(lopdf_error)?;
    if doc.trailer.has(b"Encrypt") && doc.encryption_state.is_none() {
        return Err(ExtractError::Encrypted);
    }
    Ok(doc)
}

/// The decoded data of a stream, at most `limit` bytes.
pub(crate) fn stream_data(stream: &Stream, limit: usize) -> Result<Vec<u8>, ExtractError> {
    if let Some(data) = plain_flate(stream, limit) {
        return Ok(data);
    }
    let data = if stream.dict.has(b"Filter") {
        stream
            .decompressed_content_with_limit(limit)
            .map_err(lopdf_error)?
    } else {
        stream.content.clone()
    };
    if data.len() > limit {
        return Err(ExtractError::LimitExceeded(format!(
            "a stream holds more than {limit} bytes"
        )));
    }
    Ok(data)
}

/// The data of a stream whose one filter is `/FlateDecode` without parameters (most streams),
/// inflated in one call straight into its buffer: lopdf's decoder sets up a streaming inflater
/// with its 32 KiB window for every stream. `None` for any other stream, and for one that
/// does not inflate cleanly within `limit`, which lopdf's decoder then reads (recovering what
/// it can of damaged data, reporting the limit).
fn plain_flate(stream: &Stream, limit: usize) -> Option<Vec<u8>> {
    let flate = |o: &Object| matches!(o, Object::Name(n) if n == b"FlateDecode");
    let only_flate = match stream.dict.get(b"Filter").ok()? {
        Object::Array(filters) => matches!(filters.as_slice(), [f] if flate(f)),
        filter => flate(filter),
    };
    if !only_flate || stream.dict.has(b"DecodeParms") {
        return None;
    }
    miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&stream.content, limit).ok()
}

/// Attributes a page inherits from its ancestors.
#[derive(Clone, Default)]
struct Inherited {
    media: Option<[f64; 4]>,
    crop: Option<[f64; 4]>,
    rotate: Option<i64>,
    /// Resource dictionaries from the nearest node up to the root.
    resources: Vec<Rc<Dictionary>>,
}

fn walk_page_tree(doc: &Objects<'_>, limits: &Limits) -> Result<Vec<PageInfo>, ExtractError> {
    let root = dict(doc, get(doc, doc.trailer(), b"Root"))
        .and_then(|c| c.get(b"Pages").ok())
        .and_then(|o| o.as_reference().ok())
        .ok_or_else(|| ExtractError::Corrupt("no page tree".into()))?;
    let mut pages = Vec::new();
    let mut seen = HashSet::new();
    // Depth-first, children in order: a stack of (node, inherited, depth) in reverse order.
    let mut stack = vec![(root, Inherited::default(), 0usize)];
    while let Some((id, mut inherited, depth)) = stack.pop() {
        if !seen.insert(id) || depth > MAX_TREE_DEPTH {
            continue;
        }
        let Some(Object::Dictionary(node)) = doc.get(id) else {
            continue;
        };
        if let Some(r) = rect(doc, get(doc, node, b"MediaBox")) {
            inherited.media = Some(r);
        }
        if let Some(r) = rect(doc, get(doc, node, b"CropBox")) {
            inherited.crop = Some(r);
        }
        if let Some(r) = as_f64(get(doc, node, b"Rotate")) {
            inherited.rotate = Some(r as i64);
        }
        if let Some(res) = dict(doc, get(doc, node, b"Resources")) {
            inherited.resources.insert(0, Rc::new(res.clone()));
        }
        let kids = match get(doc, node, b"Kids") {
            Object::Array(kids) => Some(kids),
            _ => None,
        };
        let is_page = node
            .get(b"Type")
            .and_then(Object::as_name)
            .is_ok_and(|t| t == b"Page");
        match kids {
            Some(kids) if !is_page => {
                for kid in kids.iter().rev() {
                    if let Ok(kid) = kid.as_reference() {
                        stack.push((kid, inherited.clone(), depth + 1));
                    }
                }
            }
            _ => {
                if pages.len() >= limits.max_pages {
                    return Err(ExtractError::LimitExceeded(format!(
                        "more than {} pages",
                        limits.max_pages
                    )));
                }
                pages.push(page_info(doc, id, &inherited));
            }
        }
    }
    Ok(pages)
}

fn page_info(doc: &Objects<'_>, id: ObjectId, inherited: &Inherited) -> PageInfo {
    let media = inherited
        .media
        .filter(|r| r[2] > r[0] && r[3] > r[1])
        .unwrap_or([0.0, 0.0, 612.0, 792.0]);
    let crop = inherited
        .crop
        .map(|c| {
            [
                c[0].max(media[0]),
                c[1].max(media[1]),
                c[2].min(media[2]),
                c[3].min(media[3]),
            ]
        })
        .filter(|c| c[2] > c[0] && c[3] > c[1])
        .unwrap_or(media);
    let rotate = inherited.rotate.unwrap_or(0).rem_euclid(360);
    let rotate = (rotate - rotate % 90) as u16;
    let refs: Vec<&Dictionary> = inherited.resources.iter().map(|r| &**r).collect();
    PageInfo {
        id,
        crop,
        rotate,
        resources: merge_resources(doc, &refs),
    }
}

/// Merges resource dictionaries, nearest first: each category (`/Font`, `/XObject` …) holds
/// the union of the names, the nearest definition of a name winning.
pub(crate) fn merge_resources(doc: &Objects<'_>, nearest_first: &[&Dictionary]) -> Dictionary {
    let mut merged = Dictionary::new();
    for resources in nearest_first {
        for (category, value) in resources.iter() {
            let Some(entries) = dict(doc, value) else {
                continue;
            };
            let mut target = match merged.remove(category) {
                Some(Object::Dictionary(d)) => d,
                _ => Dictionary::new(),
            };
            for (name, v) in entries.iter() {
                if !target.has(name) {
                    target.set(name.clone(), v.clone());
                }
            }
            merged.set(category.clone(), Object::Dictionary(target));
        }
    }
    merged
}

/// Follows indirect references (a bounded number of times); a missing object reads as null.
pub(crate) fn deref<'a>(doc: &'a Objects<'_>, mut object: &'a Object) -> &'a Object {
    for _ in 0..MAX_REF_CHAIN {
        match object {
            Object::Reference(id) => match doc.get(*id) {
                Some(o) => object = o,
                None => return &NULL,
            },
            _ => return object,
        }
    }
    &NULL
}

/// `dict[key]` with references followed; null when absent.
pub(crate) fn get<'a>(doc: &'a Objects<'_>, dict: &'a Dictionary, key: &[u8]) -> &'a Object {
    dict.get(key).map_or(&NULL, |o| deref(doc, o))
}

/// The dictionary an object is (or a stream's dictionary).
pub(crate) fn dict<'a>(doc: &'a Objects<'_>, object: &'a Object) -> Option<&'a Dictionary> {
    match deref(doc, object) {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

/// A number, integer or real.
pub(crate) fn as_f64(object: &Object) -> Option<f64> {
    match object {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) if r.is_finite() => Some(f64::from(*r)),
        _ => None,
    }
}

/// A name's bytes.
pub(crate) fn as_name(object: &Object) -> Option<&[u8]> {
    match object {
        Object::Name(n) => Some(n),
        _ => None,
    }
}

/// A rectangle array `[x0 y0 x1 y1]`, normalised so that `x0 <= x1`, `y0 <= y1`.
pub(crate) fn rect(doc: &Objects<'_>, object: &Object) -> Option<[f64; 4]> {
    let Object::Array(items) = object else {
        return None;
    };
    if items.len() != 4 {
        return None;
    }
    let mut v = [0.0; 4];
    for (slot, item) in v.iter_mut().zip(items) {
        *slot = as_f64(deref(doc, item))?;
    }
    Some([
        v[0].min(v[2]),
        v[1].min(v[3]),
        v[0].max(v[2]),
        v[1].max(v[3]),
    ])
}

/// A matrix array `[a b c d e f]`.
pub(crate) fn matrix(doc: &Objects<'_>, object: &Object) -> Option<Matrix> {
    let Object::Array(items) = object else {
        return None;
    };
    if items.len() != 6 {
        return None;
    }
    let mut m = [0.0; 6];
    for (slot, item) in m.iter_mut().zip(items) {
        *slot = as_f64(deref(doc, item))?;
    }
    Some(Matrix(m))
}
