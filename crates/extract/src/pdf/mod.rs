//! The document layer: loading a PDF under [`Limits`] (objects parsed on demand, lopdf's
//! loader as the fallback for damaged or encrypted files), the page tree with inherited
//! attributes, resource dictionaries and content streams, and small object helpers.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId, Stream};

use crate::budget::{Budget, Reservation};
use crate::error::ExtractError;
use crate::font::FontCache;
use crate::model::{Matrix, PageProblem, ProblemKind};
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
    /// Damage to the file that loading repaired, in words.
    pub repairs: Vec<String>,
    /// Fonts loaded so far, by object id.
    pub(crate) fonts: RefCell<FontCache>,
}

/// One page with the attributes it inherits from the page tree resolved.
#[derive(Debug, Clone)]
pub struct PageInfo {
    /// 1-based page number.
    pub number: u32,
    /// The page object.
    pub id: ObjectId,
    /// Why the page could not be found at all (a damaged page tree counts more pages than
    /// could be found); such a page reads as empty, with a loss.
    pub lost: Option<String>,
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
        let lazy = Objects::lazy(
            &bytes[header..],
            limits.max_decompressed_bytes,
            &limits.budget,
        );
        if let Some(objects) = &lazy {
            match walk_page_tree(objects, limits) {
                Ok(tree) if !tree.pages.is_empty() && !tree.damaged => {
                    return Ok(Self::new(lazy.expect("checked"), tree.pages, Vec::new()))
                }
                Err(e @ (ExtractError::LimitExceeded(_) | ExtractError::Budget(_))) => {
                    return Err(e)
                }
                _ => {}
            }
        }
        limits.budget.check()?;
        let mut repairs = Vec::new();
        // lopdf's loader repairs the cross-reference data; when it fails on a file whose
        // cross-reference data read well, the objects read so are kept.
        let objects = match (load_whole(bytes, limits), lazy) {
            (Ok(doc), _) => {
                match doc.xref_recovery {
                    Some(lopdf::xref::XrefRecovery::Reconstructed) => repairs.push(
                        "cross-reference table rebuilt by scanning the file for objects".into(),
                    ),
                    Some(_) => repairs.push("cross-reference offset corrected".into()),
                    None => {}
                }
                Objects::loaded(doc)
            }
            (Err(ExtractError::Corrupt(_)), Some(objects)) => objects,
            (Err(e), _) => return Err(e),
        };
        let tree = match walk_page_tree(&objects, limits) {
            Ok(tree) => tree,
            Err(e @ (ExtractError::LimitExceeded(_) | ExtractError::Budget(_))) => return Err(e),
            Err(_) => PageTree {
                pages: Vec::new(),
                damaged: true,
                counted: None,
            },
        };
        let mut pages = tree.pages;
        if tree.damaged || pages.is_empty() {
            let found = orphan_pages(&objects, &pages, limits)?;
            if !found.is_empty() {
                repairs.push(format!(
                    "page tree damaged: {} page(s) found by scanning the file's objects",
                    found.len()
                ));
                pages.extend(found);
            }
            // Pages neither the tree nor the scan gave back stay in the count as lost pages:
            // as many as the tree's root counts, or one when the root is unreadable.
            let (expected, why) = match tree.counted {
                Some(n) => (
                    n.min(limits.max_pages),
                    format!(
                        "page not found: the page tree counts {n} pages, {} were found",
                        pages.len()
                    ),
                ),
                None => (
                    pages.len() + 1,
                    "page tree unreadable: pages found by scanning the file, others may be lost"
                        .to_string(),
                ),
            };
            while !pages.is_empty() && pages.len() < expected {
                let lost = PageInfo {
                    lost: Some(why.clone()),
                    ..page_info(&objects, (0, 0), &Inherited::default())
                };
                push_page(&mut pages, lost, limits)?;
            }
        }
        if pages.is_empty() {
            return Err(ExtractError::Corrupt(
                "no pages: the page tree is empty or unreadable and no page object was found"
                    .into(),
            ));
        }
        Ok(Self::new(objects, pages, repairs))
    }

    fn new(objects: Objects<'a>, mut pages: Vec<PageInfo>, repairs: Vec<String>) -> Self {
        for (i, page) in pages.iter_mut().enumerate() {
            page.number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        }
        PdfDocument {
            objects,
            pages,
            repairs,
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

    /// The decoded content of a page: its content streams concatenated, plus a problem for
    /// every stream that is missing, could not be decoded or was decoded only in part, and
    /// the content's memory reserved from the document's budget (a stream over the budget is
    /// not decoded; the budget remembers it).
    pub fn page_content(
        &self,
        page: &PageInfo,
        limits: &Limits,
    ) -> (Vec<u8>, Vec<PageProblem>, Reservation) {
        let mut data = Vec::new();
        let mut problems = Vec::new();
        let mut charge = Reservation::empty(&limits.budget);
        let loss = |message: String| PageProblem::loss(page.number, ProblemKind::Content, message);
        if let Some(why) = &page.lost {
            problems.push(PageProblem::loss(
                page.number,
                ProblemKind::Page,
                why.clone(),
            ));
            return (data, problems, charge);
        }
        let Some(Object::Dictionary(dict)) = self.objects.get(page.id) else {
            problems.push(PageProblem::loss(
                page.number,
                ProblemKind::Page,
                format!("page object {} is missing or damaged", page.id.0),
            ));
            return (data, problems, charge);
        };
        if !is_page(dict) {
            problems.push(PageProblem::loss(
                page.number,
                ProblemKind::Page,
                format!("object {} in the page tree is not a page", page.id.0),
            ));
            return (data, problems, charge);
        }
        let contents = dict.get(b"Contents").unwrap_or(&NULL);
        let streams: Vec<&Object> = match deref(&self.objects, contents) {
            Object::Array(items) => items.iter().collect(),
            _ => vec![contents],
        };
        for item in streams {
            match deref(&self.objects, item) {
                Object::Stream(stream) => {
                    let budget = limits.max_decompressed_bytes.saturating_sub(data.len());
                    let decoded =
                        charged_stream_data(stream, budget, &limits.budget, "a content stream")
                            .and_then(|(decoded, transient)| {
                                charge.grow(decoded.data.len() + 1, "the page's content")?;
                                Ok((decoded, transient))
                            });
                    match decoded {
                        Ok((decoded, _transient)) => {
                            if let Some(damage) = decoded.damage {
                                problems.push(loss(format!("content stream {damage}")));
                            }
                            data.reserve_exact(decoded.data.len() + 1);
                            data.extend_from_slice(&decoded.data);
                            data.push(b'\n');
                        }
                        Err(e) => problems.push(loss(format!("content stream not decoded: {e}"))),
                    }
                }
                Object::Null => {
                    if let Object::Reference(id) = item {
                        problems.push(loss(format!(
                            "content stream object {} is missing (a truncated or damaged file)",
                            id.0
                        )));
                    }
                }
                _ => problems.push(loss("content stream is not a stream".to_string())),
            }
        }
        (data, problems, charge)
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

/// The whole file loaded by lopdf, its memory reserved first (see [`whole_load_cost`]).
fn load_whole(bytes: &[u8], limits: &Limits) -> Result<Document, ExtractError> {
    let budget = &limits.budget;
    budget
        .reserve(whole_load_cost(bytes), "loading the whole file")?
        .keep();
    // An object stream of `n` bytes holds at most `n / 2` objects.
    let object_stream_limit = budget.available() / (2 * OBJECT_SIZE) * 2;
    let options = LoadOptions {
        max_decompressed_size: Some(limits.max_decompressed_bytes.min(object_stream_limit)),
        ..LoadOptions::default()
    };
    let doc = Document::load_mem_with_options(bytes, options).map_err(lopdf_error)?;
    if doc.trailer.has(b"Encrypt") && doc.encryption_state.is_none() {
        return Err(ExtractError::Encrypted);
    }
    Ok(doc)
}

/// Memory one parsed object takes, with the slack of the array holding it.
const OBJECT_SIZE: usize = 2 * std::mem::size_of::<Object>();

/// The most memory lopdf's loader takes for `bytes`: every token outside stream data may
/// become an object, and stream data is copied.
fn whole_load_cost(bytes: &[u8]) -> usize {
    use crate::syntax::{is_delimiter, is_regular, is_white};
    let mut tokens = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if is_white(b) {
            i += 1;
        } else if bytes[i..].starts_with(b"stream")
            && matches!(bytes.get(i + 6), Some(b'\r' | b'\n'))
        {
            // The data up to `endstream` is copied, not parsed.
            let data = &bytes[i + 6..];
            i += 6 + data
                .windows(9)
                .position(|w| w == b"endstream")
                .map_or(data.len(), |p| p + 9);
        } else {
            tokens += 1;
            i += 1;
            if !is_delimiter(b) {
                while i < bytes.len() && is_regular(bytes[i]) {
                    i += 1;
                }
            }
        }
    }
    bytes
        .len()
        .saturating_add(tokens.saturating_mul(OBJECT_SIZE))
}

/// The decoded data of a stream, at most `limit` bytes (damaged compressed data decoded as
/// far as it goes).
pub(crate) fn stream_data(stream: &Stream, limit: usize) -> Result<Vec<u8>, ExtractError> {
    stream_data_checked(stream, limit).map(|d| d.data)
}

/// A stream's decoded data and, when its compressed data is damaged, what was recovered.
pub(crate) struct Decoded {
    pub(crate) data: Vec<u8>,
    /// E.g. "damaged (data cut short): 1234 bytes decoded before the damage"; `None` when
    /// intact.
    pub(crate) damage: Option<String>,
}

/// [`stream_data`], telling whether a Flate-compressed stream decoded completely. Damaged
/// Flate data (a flipped bit, a truncated file) is decoded up to the damage, as MuPDF and
/// qpdf do, and said so. Decoding never allocates much more than its result (see
/// [`decode_cost`]): a bomb fails before its output is allocated.
pub(crate) fn stream_data_checked(stream: &Stream, limit: usize) -> Result<Decoded, ExtractError> {
    if let Some(size) = plain_flate_size(stream, limit)? {
        if let Some(data) = inflate_exact(&stream.content, size) {
            return Ok(Decoded { data, damage: None });
        }
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
    let damage = flate_damage(stream, limit).map(|e| {
        if data.is_empty() {
            format!("damaged ({e}): nothing could be decoded")
        } else {
            format!(
                "damaged ({e}): {} bytes decoded before the damage",
                data.len()
            )
        }
    });
    Ok(Decoded { data, damage })
}

/// When a stream's first filter is Flate: why its compressed data does not inflate cleanly
/// (corrupt data, a wrong checksum, data cut short); `None` when it does, or is not Flate.
/// Measured without keeping the output (see [`inflate_size`]).
fn flate_damage(stream: &Stream, limit: usize) -> Option<&'static str> {
    let first = match stream.dict.get(b"Filter").ok()? {
        Object::Array(filters) => filters.first()?,
        filter => filter,
    };
    if !matches!(first, Object::Name(n) if n == b"FlateDecode" || n == b"Fl") {
        return None;
    }
    match inflate_size(&stream.content, limit) {
        Inflated::Damaged(why) => Some(why),
        Inflated::Size(_) | Inflated::OverLimit => None,
    }
}

/// [`stream_data_checked`] with its memory reserved from `budget` first (at most what the budget
/// has left): the reservation, held as long as the data, is returned with it.
pub(crate) fn charged_stream_data(
    stream: &Stream,
    limit: usize,
    budget: &Budget,
    what: &str,
) -> Result<(Decoded, Reservation), ExtractError> {
    let cost = decode_cost(stream, limit)?;
    let mut charge = budget.reserve(cost, what)?;
    let decoded = stream_data_checked(stream, limit.min(cost))?;
    charge.shrink_to(decoded.data.capacity());
    Ok((decoded, charge))
}

/// The most memory decoding `stream` (within `limit` bytes) takes at its peak: the exact
/// size for data stored as is or with `/FlateDecode` alone; for other filters lopdf's
/// decoders grow their output by doubling (three times the output while copying).
fn decode_cost(stream: &Stream, limit: usize) -> Result<usize, ExtractError> {
    if !stream.dict.has(b"Filter") {
        return Ok(stream.content.len());
    }
    Ok(match plain_flate_size(stream, limit)? {
        Some(size) => size,
        None => limit.saturating_mul(3),
    })
}

/// Whether a stream's one filter is `/FlateDecode` without parameters (most streams).
fn is_plain_flate(stream: &Stream) -> bool {
    let flate = |o: &Object| matches!(o, Object::Name(n) if n == b"FlateDecode");
    let only_flate = match stream.dict.get(b"Filter") {
        Ok(Object::Array(filters)) => matches!(filters.as_slice(), [f] if flate(f)),
        Ok(filter) => flate(filter),
        Err(_) => false,
    };
    only_flate && !stream.dict.has(b"DecodeParms")
}

/// The inflated size of a plain Flate stream (see [`is_plain_flate`]), measured without
/// keeping the output; `Err` when it exceeds `limit`, `None` when the stream is not plain
/// Flate or does not inflate cleanly (lopdf's decoder then recovers what it can).
fn plain_flate_size(stream: &Stream, limit: usize) -> Result<Option<usize>, ExtractError> {
    if !is_plain_flate(stream) {
        return Ok(None);
    }
    match inflate_size(&stream.content, limit) {
        Inflated::Size(size) => Ok(Some(size)),
        Inflated::OverLimit => Err(ExtractError::LimitExceeded(format!(
            "a stream decompresses to more than {limit} bytes"
        ))),
        Inflated::Damaged(_) => Ok(None),
    }
}

/// What measuring a zlib stream found.
enum Inflated {
    Size(usize),
    OverLimit,
    /// The data does not inflate cleanly, and why.
    Damaged(&'static str),
}

/// Inflates zlib `data` into a 32 KiB ring buffer, counting the output: a bomb costs time up
/// to `limit` bytes of output and no memory.
fn inflate_size(data: &[u8], limit: usize) -> Inflated {
    use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
    use miniz_oxide::inflate::TINFLStatus;
    let mut window = vec![0u8; miniz_oxide::inflate::core::TINFL_LZ_DICT_SIZE];
    let mut decompressor = Box::<DecompressorOxide>::default();
    let (mut input, mut at, mut total) = (data, 0usize, 0usize);
    loop {
        let (status, consumed, written) = decompress(
            &mut decompressor,
            input,
            &mut window,
            at,
            inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER,
        );
        total += written;
        if total > limit {
            return Inflated::OverLimit;
        }
        at = (at + written) % window.len();
        input = &input[consumed.min(input.len())..];
        match status {
            TINFLStatus::Done => return Inflated::Size(total),
            TINFLStatus::HasMoreOutput => {}
            TINFLStatus::Adler32Mismatch => return Inflated::Damaged("checksum mismatch"),
            TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => {
                return Inflated::Damaged("data cut short")
            }
            _ => return Inflated::Damaged("corrupt compressed data"),
        }
    }
}

/// Inflates zlib `data` known to hold `size` bytes into a buffer of exactly that size.
fn inflate_exact(data: &[u8], size: usize) -> Option<Vec<u8>> {
    use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
    use miniz_oxide::inflate::TINFLStatus;
    let mut out = vec![0u8; size];
    let mut decompressor = Box::<DecompressorOxide>::default();
    let flags = inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER
        | inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let (status, _, written) = decompress(&mut decompressor, data, &mut out, 0, flags);
    (status == TINFLStatus::Done && written == size).then_some(out)
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

impl Inherited {
    /// Takes the attributes `node` defines (it is nearer the page than those seen so far).
    fn add(&mut self, doc: &Objects<'_>, node: &Dictionary) {
        if let Some(r) = rect(doc, get(doc, node, b"MediaBox")) {
            self.media = Some(r);
        }
        if let Some(r) = rect(doc, get(doc, node, b"CropBox")) {
            self.crop = Some(r);
        }
        if let Some(r) = as_f64(get(doc, node, b"Rotate")) {
            self.rotate = Some(r as i64);
        }
        if let Some(res) = dict(doc, get(doc, node, b"Resources")) {
            self.resources.insert(0, Rc::new(res.clone()));
        }
    }
}

/// The pages a page tree walk found, and whether the tree was damaged on the way (a kid
/// missing or not a page-tree node, a node nested too deeply).
struct PageTree {
    pages: Vec<PageInfo>,
    damaged: bool,
    /// The root's `/Count` (less the kids cut as cycles), when it reads.
    counted: Option<usize>,
}

fn walk_page_tree(doc: &Objects<'_>, limits: &Limits) -> Result<PageTree, ExtractError> {
    let root = dict(doc, get(doc, doc.trailer(), b"Root"))
        .and_then(|c| c.get(b"Pages").ok())
        .and_then(|o| o.as_reference().ok())
        .ok_or_else(|| ExtractError::Corrupt("no page tree".into()))?;
    let mut pages = Vec::new();
    let mut damaged = false;
    let mut seen = HashSet::new();
    // Depth-first, children in order: a stack of (node, inherited, depth) in reverse order.
    let mut stack = vec![(root, Inherited::default(), 0usize)];
    // Kids that repeat a node already seen (a cycle), cut and not read again.
    let mut cut = 0;
    while let Some((id, mut inherited, depth)) = stack.pop() {
        if !seen.insert(id) {
            cut += 1;
            continue;
        }
        let node = match doc.get(id) {
            Some(Object::Dictionary(node)) if depth <= MAX_TREE_DEPTH => node,
            _ => {
                // A kid that cannot be read stays in the list as a page: reading it says
                // it is missing, so the loss shows (it may also have been a whole subtree).
                damaged = true;
                if id != root && depth <= MAX_TREE_DEPTH {
                    push_page(&mut pages, page_info(doc, id, &inherited), limits)?;
                }
                continue;
            }
        };
        inherited.add(doc, node);
        let kind = as_name(get(doc, node, b"Type"));
        match get(doc, node, b"Kids") {
            Object::Array(kids) if kind != Some(b"Page") => {
                for kid in kids.iter().rev() {
                    match kid.as_reference() {
                        Ok(kid) => stack.push((kid, inherited.clone(), depth + 1)),
                        Err(_) => damaged = true,
                    }
                }
            }
            // A `/Pages` node whose `/Kids` does not read is damage, not a page.
            _ if kind == Some(b"Pages") => damaged = true,
            _ => {
                // Another kind of object where a page should be stays in the list, so that
                // reading it reports the loss.
                damaged |= !is_page(node);
                push_page(&mut pages, page_info(doc, id, &inherited), limits)?
            }
        }
    }
    // Fewer pages than the root counts: part of the tree was lost on the way.
    let counted = dict(doc, &Object::Reference(root))
        .and_then(|r| get(doc, r, b"Count").as_i64().ok())
        .and_then(|n| usize::try_from(n).ok())
        .map(|n| n.saturating_sub(cut));
    damaged |= counted.is_some_and(|n| n > pages.len());
    Ok(PageTree {
        pages,
        damaged,
        counted,
    })
}

/// A page object: `/Type /Page`, or no `/Type` but what only a page has.
fn is_page(node: &Dictionary) -> bool {
    match node.get(b"Type").ok().and_then(|t| as_name(t)) {
        Some(kind) => kind == b"Page",
        None => node.has(b"Contents") || node.has(b"MediaBox") || node.has(b"Parent"),
    }
}

fn push_page(
    pages: &mut Vec<PageInfo>,
    page: PageInfo,
    limits: &Limits,
) -> Result<(), ExtractError> {
    if pages.len() >= limits.max_pages {
        return Err(too_many_pages(limits));
    }
    charge_page(&page, limits)?;
    pages.push(page);
    Ok(())
}

/// Reserves the memory `page` takes for as long as the document is read.
fn charge_page(page: &PageInfo, limits: &Limits) -> Result<(), ExtractError> {
    limits
        .budget
        .reserve(page_info_cost(page), "the page tree")?
        .keep();
    Ok(())
}

fn too_many_pages(limits: &Limits) -> ExtractError {
    ExtractError::LimitExceeded(format!("more than {} pages", limits.max_pages))
}

/// Page objects (`/Type /Page`) of the file that a damaged page tree does not reach, in
/// object-number order, each with what it inherits through its `/Parent` chain.
fn orphan_pages(
    doc: &Objects<'_>,
    known: &[PageInfo],
    limits: &Limits,
) -> Result<Vec<PageInfo>, ExtractError> {
    let known: HashSet<ObjectId> = known.iter().map(|p| p.id).collect();
    let mut found = Vec::new();
    for id in doc.ids() {
        if known.contains(&id) {
            continue;
        }
        let Some(Object::Dictionary(node)) = doc.get(id) else {
            continue;
        };
        if as_name(get(doc, node, b"Type")) != Some(b"Page") {
            continue;
        }
        if known.len() + found.len() >= limits.max_pages {
            return Err(too_many_pages(limits));
        }
        // Ancestors nearest first, then applied root first.
        let mut chain = vec![node];
        let mut seen = HashSet::from([id]);
        let mut parent = chain[0].get(b"Parent").ok();
        while let Some(Object::Reference(pid)) = parent {
            if !seen.insert(*pid) || chain.len() > MAX_TREE_DEPTH {
                break;
            }
            let Some(Object::Dictionary(p)) = doc.get(*pid) else {
                break;
            };
            chain.push(p);
            parent = p.get(b"Parent").ok();
        }
        let mut inherited = Inherited::default();
        for node in chain.iter().rev() {
            inherited.add(doc, node);
        }
        let page = page_info(doc, id, &inherited);
        charge_page(&page, limits)?;
        found.push(page);
    }
    Ok(found)
}

/// Memory a [`PageInfo`] takes: mostly its resource dictionary (its categories and their
/// entries; the values are references or small).
fn page_info_cost(page: &PageInfo) -> usize {
    let entry = |key: &[u8]| 2 * OBJECT_SIZE + key.len();
    let entries: usize = page
        .resources
        .iter()
        .map(|(key, value)| {
            entry(key)
                + match value {
                    Object::Dictionary(d) => d.iter().map(|(k, _)| entry(k)).sum(),
                    _ => 0,
                }
        })
        .sum();
    std::mem::size_of::<PageInfo>() + entries
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
        number: 0,
        id,
        lost: None,
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
