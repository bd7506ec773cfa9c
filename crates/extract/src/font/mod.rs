//! The font layer: for every font kind a PDF text layer uses (Type0/CID with predefined or
//! embedded CMaps, simple TrueType/Type1 with encodings and `/Differences`, Type3), the mapping
//! character code → (text, advance width, is-space), and the vertical extent used for boxes.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::{Arc, Mutex, OnceLock};

use hayro_cmap::{BfString, CMap, CMapName, CidFamily, WritingMode};
use lopdf::{Dictionary, Object, ObjectId};

use crate::hash::FastMap;
use crate::model::TextSource;
use crate::pdf::{as_f64, as_name, deref, dict, get, stream_data, Objects};
use crate::text::fold;

mod metrics;
mod names;
mod program;

use program::ProgramText;

/// Ascent and descent (in em) used when a font does not give plausible ones.
pub const FALLBACK_ASCENT: f64 = 0.88;
/// See [`FALLBACK_ASCENT`].
pub const FALLBACK_DESCENT: f64 = -0.12;
/// Advance (in em) of a simple font's glyph when the font has no `/Widths`.
const FALLBACK_SIMPLE_WIDTH: f64 = 0.5;
/// Most `/W` entries kept for one CID font.
const MAX_WIDTH_ENTRIES: usize = 1 << 16;

/// One character code taken from a string shown with a font.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CharCode {
    /// The code, big-endian over its bytes.
    pub code: u32,
    /// Its length in bytes (1 to 4).
    pub len: u8,
}

/// What a character code means.
#[derive(Debug, Clone)]
pub struct CharInfo {
    /// The folded text (`U+FFFD` when the font gives no way to know it).
    pub text: Rc<str>,
    /// Horizontal advance in text space units per unit of font size (em).
    pub width: f64,
    /// Single-byte code 32, to which word spacing applies.
    pub is_space: bool,
    /// Where the text came from: the PDF's own mappings, or the embedded font program.
    pub source: TextSource,
}

/// How codes map to CIDs or characters.
enum Encoding {
    /// One byte per code; the character each code names under the font's encoding.
    Simple(SimpleEncoding),
    /// A CID-keyed font: code → CID through `cmap`; CID → Unicode through `cid_unicode`
    /// (the collection's UCS2 table) when the font has no `/ToUnicode`.
    Cid {
        cmap: Arc<CMap>,
        unicode_codes: UnicodeCodes,
        cid_unicode: Option<Arc<CMap>>,
    },
}

/// Whether the codes of a predefined CMap are themselves Unicode.
#[derive(Clone, Copy, PartialEq, Eq)]
enum UnicodeCodes {
    No,
    Ucs2,
    Utf16,
}

/// Advance widths in glyph units.
enum Widths {
    /// `/Widths` from `/FirstChar`; codes it does not cover take `fallback` (the standard
    /// font's metrics, when the font is one), else `missing`.
    Simple {
        first: u32,
        widths: Vec<f64>,
        fallback: Option<Box<[Option<f64>; 256]>>,
        missing: f64,
    },
    /// Sorted, non-overlapping `(first_cid, last_cid, width)` runs from `/W`.
    Cid {
        default: f64,
        runs: Vec<(u32, u32, f64)>,
    },
}

/// When a simple font's embedded program is asked for a code's text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ProgramUse {
    /// Only when the PDF's own mappings give nothing.
    Fallback,
    /// Before the base encoding (no `/Encoding`: the program's built-in encoding applies).
    First,
    /// Alone (a symbolic font without `/Encoding`: a standard encoding would be wrong).
    Only,
}

/// A loaded font.
pub struct Font {
    encoding: Encoding,
    to_unicode: Option<CMap>,
    /// The embedded program's text, loaded when the font has no `/ToUnicode`.
    program: Option<ProgramText>,
    program_use: ProgramUse,
    widths: Widths,
    /// Glyph units → em (0.001, or the `/FontMatrix` scale of a Type3 font).
    scale: f64,
    /// Ascent and descent in em.
    pub ascent: f64,
    /// See [`Font::ascent`].
    pub descent: f64,
    /// Vertical writing mode (Identity-V and other `-V` CMaps).
    pub vertical: bool,
    /// The font's number in its document ([`FontCache`] numbers fonts as it loads them; 0
    /// for a font loaded alone).
    pub id: u32,
    cache: RefCell<FastMap<u64, CharInfo>>,
}

impl Font {
    /// Loads a font dictionary. Never fails: what cannot be read falls back to defaults, and
    /// unknown characters read as U+FFFD.
    pub fn load(doc: &Objects<'_>, font: &Dictionary, limit: usize) -> Font {
        let subtype = as_name(get(doc, font, b"Subtype")).unwrap_or_default();
        let to_unicode = match get(doc, font, b"ToUnicode") {
            Object::Stream(s) => stream_data(s, limit)
                .ok()
                .and_then(|d| CMap::parse(&d, hayro_cmap::load_embedded)),
            _ => None,
        };
        if subtype == b"Type0" {
            Self::load_type0(doc, font, to_unicode, limit)
        } else {
            Self::load_simple(doc, font, subtype == b"Type3", to_unicode, limit)
        }
    }

    fn load_type0(
        doc: &Objects<'_>,
        font: &Dictionary,
        to_unicode: Option<CMap>,
        limit: usize,
    ) -> Font {
        let descendant = match get(doc, font, b"DescendantFonts") {
            Object::Array(items) => items.first().and_then(|o| dict(doc, o)),
            other => dict(doc, other),
        };
        let (cmap, unicode_codes) = match get(doc, font, b"Encoding") {
            Object::Name(name) => predefined_cmap(name),
            Object::Stream(s) => (
                stream_data(s, limit)
                    .ok()
                    .and_then(|d| CMap::parse(&d, hayro_cmap::load_embedded))
                    .map(Arc::new),
                UnicodeCodes::No,
            ),
            _ => (None, UnicodeCodes::No),
        };
        let cmap = cmap.unwrap_or_else(|| Arc::new(CMap::identity_h()));
        let vertical = cmap.metadata().writing_mode == Some(WritingMode::Vertical);
        let family = descendant
            .and_then(|d| dict(doc, get(doc, d, b"CIDSystemInfo")))
            .map(|info| {
                let s = |k: &[u8]| match get(doc, info, k) {
                    Object::String(s, _) => s.clone(),
                    Object::Name(n) => n.clone(),
                    _ => Vec::new(),
                };
                CidFamily::from_registry_ordering(&s(b"Registry"), &s(b"Ordering"))
            })
            .or_else(|| {
                cmap.metadata()
                    .character_collection
                    .as_ref()
                    .map(|c| c.family.clone())
            });
        let cid_unicode = if to_unicode.is_none() {
            family
                .and_then(|f| f.ucs2_cmap())
                .and_then(|name| cached_cmap(name.to_bytes()))
        } else {
            None
        };
        let mut default = 1000.0;
        let mut runs = Vec::new();
        if let Some(d) = descendant {
            default = as_f64(get(doc, d, b"DW")).unwrap_or(1000.0);
            if let Object::Array(w) = get(doc, d, b"W") {
                runs = cid_widths(doc, w);
            }
        }
        let descriptor = descendant.and_then(|d| dict(doc, get(doc, d, b"FontDescriptor")));
        let (ascent, descent) = extent(doc, descriptor, 0.001);
        let program = descendant
            .filter(|_| to_unicode.is_none() && unicode_codes == UnicodeCodes::No)
            .and_then(|d| ProgramText::load_cid(doc, d, limit));
        Font {
            encoding: Encoding::Cid {
                cmap,
                unicode_codes,
                cid_unicode,
            },
            to_unicode,
            program,
            program_use: ProgramUse::Fallback,
            widths: Widths::Cid { default, runs },
            scale: 0.001,
            ascent,
            descent,
            vertical,
            id: 0,
            cache: RefCell::default(),
        }
    }

    fn load_simple(
        doc: &Objects<'_>,
        font: &Dictionary,
        type3: bool,
        to_unicode: Option<CMap>,
        limit: usize,
    ) -> Font {
        let scale = if type3 {
            crate::pdf::matrix(doc, get(doc, font, b"FontMatrix"))
                .map(|m| m.0[0])
                .filter(|a| a.is_finite() && *a != 0.0)
                .unwrap_or(0.001)
        } else {
            0.001
        };
        let descriptor = dict(doc, get(doc, font, b"FontDescriptor"));
        let missing = descriptor.and_then(|d| as_f64(get(doc, d, b"MissingWidth")));
        let encoding = simple_encoding(doc, get(doc, font, b"Encoding"));
        let fallback = if type3 {
            None
        } else {
            standard_advances(as_name(get(doc, font, b"BaseFont")), &encoding)
        };
        let widths = match get(doc, font, b"Widths") {
            Object::Array(items) => Widths::Simple {
                first: as_f64(get(doc, font, b"FirstChar"))
                    .map_or(0, |f| f.clamp(0.0, 255.0) as u32),
                widths: items
                    .iter()
                    .take(256)
                    .map(|o| as_f64(deref(doc, o)).unwrap_or(0.0))
                    .collect(),
                fallback,
                missing: missing.unwrap_or(0.0),
            },
            _ => Widths::Simple {
                first: 0,
                widths: Vec::new(),
                fallback,
                missing: missing.unwrap_or(FALLBACK_SIMPLE_WIDTH / scale),
            },
        };
        let (ascent, descent) = if type3 {
            (FALLBACK_ASCENT, FALLBACK_DESCENT)
        } else {
            extent(doc, descriptor, scale)
        };
        let program = if to_unicode.is_none() && !type3 {
            ProgramText::load_simple(doc, font, limit)
        } else {
            None
        };
        let encoding_entry = get(doc, font, b"Encoding");
        let symbolic = descriptor
            .and_then(|d| as_f64(get(doc, d, b"Flags")))
            .is_some_and(|f| (f as i64) & 4 != 0);
        let program_use = match (encoding_entry, &program) {
            (Object::Null, Some(_)) if symbolic => ProgramUse::Only,
            (Object::Null, Some(_)) => ProgramUse::First,
            _ => ProgramUse::Fallback,
        };
        Font {
            encoding: Encoding::Simple(encoding),
            to_unicode,
            program,
            program_use,
            widths,
            scale,
            ascent,
            descent,
            vertical: false,
            id: 0,
            cache: RefCell::default(),
        }
    }

    /// Splits a shown string into character codes.
    pub fn codes(&self, bytes: &[u8]) -> Vec<CharCode> {
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let len = match &self.encoding {
                Encoding::Simple(_) => 1,
                Encoding::Cid { cmap, .. } => {
                    let rest = &bytes[i..];
                    (1..=rest.len().min(4))
                        .find(|&n| cmap.lookup_cid_code(be(&rest[..n]), n as u8).is_some())
                        .unwrap_or(rest.len().min(2))
                }
            };
            out.push(CharCode {
                code: be(&bytes[i..i + len]),
                len: len as u8,
            });
            i += len;
        }
        out
    }

    /// Text, advance and spacing class of one code (cached per font).
    pub fn info(&self, c: CharCode) -> CharInfo {
        let key = u64::from(c.code) | (u64::from(c.len) << 32);
        if let Some(info) = self.cache.borrow().get(&key) {
            return info.clone();
        }
        let cid = match &self.encoding {
            Encoding::Simple(_) => c.code,
            Encoding::Cid { cmap, .. } => cmap.lookup_cid_code(c.code, c.len).unwrap_or(0),
        };
        let (text, source) = match self.unicode(c, cid) {
            Some(s) => (Rc::from(fold(&s)), TextSource::Pdf),
            None => match self.program_text(c, cid) {
                Some(s) => (Rc::from(fold(&s)), TextSource::FontProgram),
                None => (Rc::from("\u{FFFD}"), TextSource::Pdf),
            },
        };
        let width = self.glyph_width(c.code, cid) * self.scale;
        let info = CharInfo {
            text,
            width,
            is_space: c.len == 1 && c.code == 32,
            source,
        };
        self.cache.borrow_mut().insert(key, info.clone());
        info
    }

    /// The text the embedded program gives a code (a simple font's byte, a CID font's CID).
    fn program_text(&self, c: CharCode, cid: u32) -> Option<Rc<str>> {
        let program = self.program.as_ref()?;
        match self.encoding {
            Encoding::Simple(_) => program.text(c.code & 0xFF),
            Encoding::Cid { .. } => program.text(cid),
        }
    }

    /// The text the PDF's own mappings (ToUnicode, encodings, CID collections) give a code.
    fn unicode(&self, c: CharCode, cid: u32) -> Option<String> {
        if let Some(s) = self
            .to_unicode
            .as_ref()
            .and_then(|m| m.lookup_bf_string(c.code))
        {
            return Some(bf_to_string(s));
        }
        match (&self.encoding, self.program_use) {
            (Encoding::Simple(_), ProgramUse::Only) => return None,
            (Encoding::Simple(_), ProgramUse::First) if self.program_text(c, cid).is_some() => {
                return None
            }
            _ => {}
        }
        match &self.encoding {
            Encoding::Simple(encoding) => encoding.text((c.code & 0xFF) as u8),
            Encoding::Cid {
                unicode_codes,
                cid_unicode,
                ..
            } => {
                let direct = match unicode_codes {
                    UnicodeCodes::No => None,
                    UnicodeCodes::Ucs2 => char::from_u32(c.code).map(String::from),
                    UnicodeCodes::Utf16 => {
                        let units = [(c.code >> 16) as u16, c.code as u16];
                        let units = if c.len <= 2 { &units[1..] } else { &units[..] };
                        String::from_utf16(units).ok()
                    }
                };
                direct.or_else(|| {
                    cid_unicode
                        .as_ref()?
                        .lookup_bf_string(cid)
                        .map(bf_to_string)
                })
            }
        }
    }

    fn glyph_width(&self, code: u32, cid: u32) -> f64 {
        match &self.widths {
            Widths::Simple {
                first,
                widths,
                fallback,
                missing,
            } => code
                .checked_sub(*first)
                .and_then(|i| widths.get(i as usize))
                .copied()
                .or_else(|| fallback.as_ref()?.get(code as usize).copied().flatten())
                .unwrap_or(*missing),
            Widths::Cid { default, runs } => {
                let i = runs.partition_point(|r| r.0 <= cid);
                match i.checked_sub(1).map(|i| runs[i]) {
                    Some((_, last, w)) if cid <= last => w,
                    _ => *default,
                }
            }
        }
    }
}

fn be(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b))
}

fn bf_to_string(s: BfString) -> String {
    match s {
        BfString::Char(c) => c.to_string(),
        BfString::String(s) => s,
    }
}

/// The advance of every code of a simple font named as one of the standard 14 fonts (see
/// [`metrics`]), by its encoding; `None` for other fonts.
fn standard_advances(
    base_font: Option<&[u8]>,
    encoding: &SimpleEncoding,
) -> Option<Box<[Option<f64>; 256]>> {
    let afm = metrics::standard_metrics(base_font?)?;
    let mut out = Box::new([None; 256]);
    for (code, slot) in (0..=255u8).zip(out.iter_mut()) {
        *slot = afm.advance(code, encoding.text(code).as_deref());
    }
    Some(out)
}

/// Ascent and descent in em from a font descriptor, or the fallback when implausible.
fn extent(doc: &Objects<'_>, descriptor: Option<&Dictionary>, scale: f64) -> (f64, f64) {
    let value = |k: &[u8]| {
        descriptor
            .and_then(|d| as_f64(get(doc, d, k)))
            .map(|v| v * scale)
    };
    match (value(b"Ascent"), value(b"Descent")) {
        (Some(a), Some(d)) if a > 0.3 && a <= 1.5 && (-0.6..=0.0).contains(&d) => (a, d),
        _ => (FALLBACK_ASCENT, FALLBACK_DESCENT),
    }
}

/// Parses `/W` in both forms: `c [w1 w2 …]` and `c_first c_last w`.
fn cid_widths(doc: &Objects<'_>, w: &[Object]) -> Vec<(u32, u32, f64)> {
    let mut runs = Vec::new();
    let mut i = 0;
    let cid = |o: &Object| {
        as_f64(deref(doc, o))
            .filter(|v| *v >= 0.0 && *v <= f64::from(u32::MAX))
            .map(|v| v as u32)
    };
    while i < w.len() && runs.len() < MAX_WIDTH_ENTRIES {
        let Some(first) = cid(&w[i]) else { break };
        match w.get(i + 1).map(|o| deref(doc, o)) {
            Some(Object::Array(list)) => {
                for (k, item) in list.iter().enumerate().take(MAX_WIDTH_ENTRIES) {
                    if let Some(width) = as_f64(deref(doc, item)) {
                        let c = first.saturating_add(k as u32);
                        runs.push((c, c, width));
                    }
                }
                i += 2;
            }
            Some(last) => {
                let (Some(last), Some(width)) =
                    (cid(last), w.get(i + 2).and_then(|o| as_f64(deref(doc, o))))
                else {
                    break;
                };
                if last >= first {
                    runs.push((first, last, width));
                }
                i += 3;
            }
            None => break,
        }
    }
    // Sort and drop overlaps so lookups can binary-search; the first definition wins.
    runs.sort_by_key(|r| r.0);
    let mut out: Vec<(u32, u32, f64)> = Vec::with_capacity(runs.len());
    for r in runs {
        match out.last() {
            Some(prev) if r.0 <= prev.1 => {}
            _ => out.push(r),
        }
    }
    out
}

/// A predefined CMap by name, and whether its codes are Unicode.
fn predefined_cmap(name: &[u8]) -> (Option<Arc<CMap>>, UnicodeCodes) {
    let unicode_codes = if name.starts_with(b"Uni") && name.windows(4).any(|w| w == b"UCS2") {
        UnicodeCodes::Ucs2
    } else if name.starts_with(b"Uni") && name.windows(5).any(|w| w == b"UTF16") {
        UnicodeCodes::Utf16
    } else {
        UnicodeCodes::No
    };
    let cmap = match name {
        b"Identity-H" => Some(Arc::new(CMap::identity_h())),
        b"Identity-V" => Some(Arc::new(CMap::identity_v())),
        _ => cached_cmap(name),
    };
    (cmap, unicode_codes)
}

/// An embedded predefined CMap, parsed once per process.
fn cached_cmap(name: &[u8]) -> Option<Arc<CMap>> {
    static CACHE: OnceLock<Mutex<HashMap<Vec<u8>, Arc<CMap>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some(cmap) = cache.lock().ok()?.get(name) {
        return Some(cmap.clone());
    }
    let data = hayro_cmap::load_embedded(CMapName::from_bytes(name))?;
    let cmap = Arc::new(CMap::parse(data, hayro_cmap::load_embedded)?);
    cache.lock().ok()?.insert(name.to_vec(), cmap.clone());
    Some(cmap)
}

/// A simple font's `/Encoding`: a base encoding and the `/Differences` from it.
struct SimpleEncoding {
    base: &'static names::ByteTable,
    /// Per code named in `/Differences`: the text of its glyph name (`None`: unknown name).
    /// Empty when there are no differences.
    differences: Vec<Option<Option<Rc<str>>>>,
}

impl SimpleEncoding {
    fn text(&self, code: u8) -> Option<String> {
        match self.differences.get(usize::from(code)) {
            Some(Some(text)) => text.as_deref().map(String::from),
            _ => self.base[usize::from(code)].map(String::from),
        }
    }
}

/// The encoding of a simple font from its `/Encoding` entry.
fn simple_encoding(doc: &Objects<'_>, encoding: &Object) -> SimpleEncoding {
    let (base, differences) = match encoding {
        Object::Name(name) => (name.as_slice(), None),
        Object::Dictionary(d) => (
            as_name(get(doc, d, b"BaseEncoding")).unwrap_or(b"StandardEncoding"),
            match get(doc, d, b"Differences") {
                Object::Array(items) => Some(items),
                _ => None,
            },
        ),
        _ => (b"StandardEncoding".as_slice(), None),
    };
    let mut table = Vec::new();
    if let Some(items) = differences {
        table.resize(256, None);
        // Producers repeat names (Skia writes /g0 for every unused code): look a run of the
        // same name up once.
        let mut last: Option<(&[u8], Option<Rc<str>>)> = None;
        let mut code: usize = 0;
        for item in items {
            match deref(doc, item) {
                Object::Integer(i) => code = usize::try_from(*i).unwrap_or(256),
                Object::Name(name) => {
                    let text = match &last {
                        Some((known, text)) if known == name => text.clone(),
                        _ => names::glyph_name_to_unicode(name).map(Rc::from),
                    };
                    if let Some(slot) = table.get_mut(code) {
                        *slot = Some(text.clone());
                    }
                    last = Some((name, text));
                    code = code.saturating_add(1);
                }
                _ => {}
            }
        }
    }
    SimpleEncoding {
        base: names::base_encoding(base),
        differences: table,
    }
}

/// Most distinct direct (not referenced) font dictionaries kept per document.
const MAX_DIRECT_FONTS: usize = 64;

/// Fonts of one document, loaded once per font object.
#[derive(Default)]
pub struct FontCache {
    fonts: FastMap<ObjectId, Rc<Font>>,
    /// Fonts given as direct dictionaries, found by equality.
    direct: Vec<(Dictionary, Rc<Font>)>,
}

impl FontCache {
    /// The font a resource entry names, loaded once per object id or direct dictionary.
    /// `None` when the entry is not a font dictionary, or when a document gives more than a
    /// few dozen distinct direct font dictionaries (each would be loaded again and again).
    pub fn get(&mut self, doc: &Objects<'_>, entry: &Object, limit: usize) -> Option<Rc<Font>> {
        let id = u32::try_from(self.fonts.len() + self.direct.len()).unwrap_or(u32::MAX);
        let load = |d: &Dictionary| {
            Rc::new(Font {
                id,
                ..Font::load(doc, d, limit)
            })
        };
        if let Object::Reference(object) = entry {
            if let Some(font) = self.fonts.get(object) {
                return Some(font.clone());
            }
            let font = load(dict(doc, entry)?);
            self.fonts.insert(*object, font.clone());
            return Some(font);
        }
        let d = dict(doc, entry)?;
        if let Some((_, font)) = self.direct.iter().find(|(known, _)| known == d) {
            return Some(font.clone());
        }
        if self.direct.len() >= MAX_DIRECT_FONTS {
            return None;
        }
        let font = load(d);
        self.direct.push((d.clone(), font.clone()));
        Some(font)
    }
}
