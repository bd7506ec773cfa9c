//! Text recovered from an embedded font program, for codes the PDF itself maps to nothing
//! (no `/ToUnicode`, an Identity CID collection, a symbolic simple font without
//! `/Encoding`).
//!
//! The program is parsed with `read-fonts` (TrueType/OpenType tables, bare CFF, Type 1):
//! - a code reaches a glyph through the PDF (`/CIDToGIDMap` of a CIDFontType2, a CFF CID
//!   font's charset, CID = glyph for name-keyed programs) or, for simple fonts, through the
//!   program's own built-in encoding (TrueType `cmap` (3,0)/(1,0) subtables, CFF and Type 1
//!   encodings);
//! - a glyph reaches Unicode through the program's Unicode `cmap` subtables, inverted, or else
//!   through its glyph name (`post` table, CFF charset, Type 1 CharStrings) read by the Adobe
//!   Glyph List rules (`uniXXXX`, `uXXXX[XX]`, AGL names; see [`super::names`]).

use std::rc::Rc;

use lopdf::{Dictionary, Object};
use read_fonts::ps::cff::CffFontRef;
use read_fonts::ps::type1::Type1Font;
use read_fonts::tables::cmap::{Cmap, PlatformId};
use read_fonts::types::{GlyphId, Tag};
use read_fonts::{FontRef, TableProvider};

use super::names::glyph_name_to_unicode;
use crate::hash::FastMap;
use crate::pdf::{as_name, dict, get, stream_data, Objects};

/// Most glyphs whose text is kept for one program (a full CJK font has ~30,000).
const MAX_GLYPHS: usize = 1 << 16;

/// The text of a font program's glyphs and how the PDF's codes reach them.
pub(super) struct ProgramText {
    /// Glyph id → its text.
    glyph_text: FastMap<u32, Rc<str>>,
    /// Code (CID of a CID font, byte of a simple font) → glyph id.
    to_glyph: ToGlyph,
}

/// How a code (a CID, or a simple font's byte) reaches a glyph of the program.
enum ToGlyph {
    /// The glyph id is the code itself (`/CIDToGIDMap /Identity`, name-keyed CFF).
    Identity,
    /// A table indexed by the code (`/CIDToGIDMap` stream, built-in encodings).
    Table(Vec<Option<u32>>),
    /// A CID-keyed CFF program's charset (CID → glyph).
    Map(FastMap<u32, u32>),
}

impl ProgramText {
    /// The text of the glyph `code` shows, when the program names it.
    pub(super) fn text(&self, code: u32) -> Option<Rc<str>> {
        let glyph = match &self.to_glyph {
            ToGlyph::Identity => Some(code),
            ToGlyph::Table(table) => table.get(code as usize).copied().flatten(),
            ToGlyph::Map(map) => map.get(&code).copied(),
        }?;
        self.glyph_text.get(&glyph).cloned()
    }

    /// For a descendant CID font: its embedded program read with `/CIDToGIDMap`.
    pub(super) fn load_cid(
        doc: &Objects<'_>,
        cid_font: &Dictionary,
        limit: usize,
    ) -> Option<ProgramText> {
        let (kind, data) = embedded_program(doc, cid_font, limit)?;
        match kind {
            ProgramKind::TrueType | ProgramKind::OpenType => {
                let font = FontRef::new(&data).ok()?;
                let glyph_text = sfnt_glyph_text(&font);
                let to_glyph = match (kind, font.cff()) {
                    (ProgramKind::OpenType, Ok(_)) => cff_cid_to_glyph(&font_cff(&font)?),
                    _ => cid_to_gid_map(doc, cid_font, limit),
                };
                Some(ProgramText {
                    glyph_text: glyph_text?,
                    to_glyph,
                })
            }
            ProgramKind::Cff => {
                let cff = CffFontRef::new_cff(&data, 0, None).ok()?;
                Some(ProgramText {
                    glyph_text: cff_glyph_text(&cff),
                    to_glyph: cff_cid_to_glyph(&cff),
                })
            }
            ProgramKind::Type1 => None,
        }
    }

    /// For a simple font: its embedded program read through the program's built-in encoding.
    pub(super) fn load_simple(
        doc: &Objects<'_>,
        font: &Dictionary,
        limit: usize,
    ) -> Option<ProgramText> {
        let (kind, data) = embedded_program(doc, font, limit)?;
        match kind {
            ProgramKind::TrueType | ProgramKind::OpenType => {
                let font = FontRef::new(&data).ok()?;
                let mut glyph_text = sfnt_glyph_text(&font)?;
                if let Some(cff) = font_cff(&font) {
                    for (glyph, text) in cff_glyph_text(&cff) {
                        glyph_text.entry(glyph).or_insert(text);
                    }
                }
                let cmap = font.cmap().ok()?;
                Some(ProgramText {
                    glyph_text,
                    to_glyph: ToGlyph::Table(symbol_codes(&cmap)),
                })
            }
            ProgramKind::Cff => {
                let cff = CffFontRef::new_cff(&data, 0, None).ok()?;
                let encoding = cff.encoding()?;
                let table = (0..=255u8)
                    .map(|c| encoding.map(c).map(GlyphId::to_u32))
                    .collect();
                Some(ProgramText {
                    glyph_text: cff_glyph_text(&cff),
                    to_glyph: ToGlyph::Table(table),
                })
            }
            ProgramKind::Type1 => {
                let program = Type1Font::new(&data).ok()?;
                let encoding = program.encoding()?;
                let mut glyph_text = FastMap::default();
                let table = (0..=255u8)
                    .map(|c| {
                        let text = glyph_name_to_unicode(encoding.glyph_name(c)?.as_bytes())?;
                        glyph_text.insert(u32::from(c), Rc::from(text));
                        Some(u32::from(c))
                    })
                    .collect();
                Some(ProgramText {
                    glyph_text,
                    to_glyph: ToGlyph::Table(table),
                })
            }
        }
    }
}

/// The kind of an embedded font program, from the descriptor key holding it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ProgramKind {
    /// `/FontFile2`.
    TrueType,
    /// `/FontFile3 /Subtype /OpenType`.
    OpenType,
    /// `/FontFile3 /Subtype /Type1C` or `/CIDFontType0C`: a bare CFF.
    Cff,
    /// `/FontFile`.
    Type1,
}

/// The decoded program of a font (or CID font) dictionary's `/FontDescriptor`.
fn embedded_program(
    doc: &Objects<'_>,
    font: &Dictionary,
    limit: usize,
) -> Option<(ProgramKind, Vec<u8>)> {
    let descriptor = dict(doc, get(doc, font, b"FontDescriptor"))?;
    for key in [&b"FontFile2"[..], b"FontFile3", b"FontFile"] {
        let Object::Stream(stream) = get(doc, descriptor, key) else {
            continue;
        };
        let kind = match key {
            b"FontFile2" => ProgramKind::TrueType,
            b"FontFile" => ProgramKind::Type1,
            _ => match as_name(get(doc, &stream.dict, b"Subtype")) {
                Some(b"OpenType") => ProgramKind::OpenType,
                _ => ProgramKind::Cff,
            },
        };
        return Some((kind, stream_data(stream, limit).ok()?));
    }
    None
}

/// The CFF table of an OpenType program.
fn font_cff<'a>(font: &FontRef<'a>) -> Option<CffFontRef<'a>> {
    let data = font.table_data(Tag::new(b"CFF "))?;
    CffFontRef::new_cff(data.as_bytes(), 0, None).ok()
}

/// Glyph → text of a TrueType/OpenType program: its Unicode `cmap` subtables inverted, then
/// its `post` glyph names. `None` when the program has neither table.
fn sfnt_glyph_text(font: &FontRef<'_>) -> Option<FastMap<u32, Rc<str>>> {
    let mut best: FastMap<u32, char> = FastMap::default();
    if let Ok(cmap) = font.cmap() {
        for (index, record) in cmap.encoding_records().iter().enumerate() {
            let unicode = match record.platform_id() {
                PlatformId::Unicode => true,
                PlatformId::Windows => matches!(record.encoding_id(), 1 | 10),
                _ => false,
            };
            let Some(subtable) = unicode.then(|| cmap.subtable(index as u16).ok()).flatten() else {
                continue;
            };
            for (codepoint, glyph) in subtable.iter().take(MAX_GLYPHS) {
                let Some(c) = char::from_u32(codepoint) else {
                    continue;
                };
                let slot = best.entry(glyph.to_u32()).or_insert(c);
                if preference(c) < preference(*slot) {
                    *slot = c;
                }
            }
        }
    }
    let mut out: FastMap<u32, Rc<str>> = best
        .into_iter()
        .filter(|&(glyph, _)| glyph != 0)
        .map(|(glyph, c)| (glyph, Rc::from(c.to_string())))
        .collect();
    if let Ok(post) = font.post() {
        for (glyph, name) in post.glyph_names().take(MAX_GLYPHS) {
            let id = glyph.to_u32();
            if id == 0 || out.contains_key(&id) {
                continue;
            }
            if let Some(text) = glyph_name_to_unicode(name.as_bytes()) {
                out.insert(id, Rc::from(text));
            }
        }
    } else if font.cmap().is_err() {
        return None;
    }
    Some(out)
}

/// Rank of a code point when several map to one glyph (lower wins): an ordinary character
/// before a compatibility or radical form, before a Private Use one.
fn preference(c: char) -> (u8, u32) {
    let cp = u32::from(c);
    let rank = match cp {
        0xE000..=0xF8FF | 0xF0000.. => 3,
        0x2E80..=0x2FDF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF => 1,
        _ => 0,
    };
    (rank, cp)
}

/// Glyph → text of a name-keyed CFF program, from its charset's glyph names.
fn cff_glyph_text(cff: &CffFontRef<'_>) -> FastMap<u32, Rc<str>> {
    let mut out = FastMap::default();
    if cff.is_cid() {
        return out;
    }
    let Some(charset) = cff.charset() else {
        return out;
    };
    for glyph in 1..cff.num_glyphs().min(MAX_GLYPHS as u32) {
        let name = charset
            .string_id(GlyphId::new(glyph))
            .and_then(|sid| cff.string(sid))
            .and_then(glyph_name_to_unicode);
        if let Some(text) = name {
            out.insert(glyph, Rc::from(text));
        }
    }
    out
}

/// CID → glyph of a CFF program: its charset for a CID-keyed program, else the identity.
fn cff_cid_to_glyph(cff: &CffFontRef<'_>) -> ToGlyph {
    let Some(charset) = cff.charset().filter(|_| cff.is_cid()) else {
        return ToGlyph::Identity;
    };
    let map = (0..cff.num_glyphs().min(MAX_GLYPHS as u32))
        .filter_map(|g| {
            let cid = charset.string_id(GlyphId::new(g))?;
            Some((u32::from(cid.to_u16()), g))
        })
        .collect();
    ToGlyph::Map(map)
}

/// CID → glyph from a CIDFontType2's `/CIDToGIDMap` (a stream of big-endian 16-bit glyph ids
/// indexed by CID; `/Identity` or absent: the identity).
fn cid_to_gid_map(doc: &Objects<'_>, cid_font: &Dictionary, limit: usize) -> ToGlyph {
    match get(doc, cid_font, b"CIDToGIDMap") {
        Object::Stream(s) => match stream_data(s, limit) {
            Ok(data) => ToGlyph::Table(
                data.chunks_exact(2)
                    .map(|b| Some(u32::from(u16::from_be_bytes([b[0], b[1]]))))
                    .collect(),
            ),
            Err(_) => ToGlyph::Table(Vec::new()),
        },
        _ => ToGlyph::Identity,
    }
}

/// Byte → glyph of a simple TrueType font without `/Encoding`, from its program's `cmap`:
/// the (3,0) symbol subtable (codes at 0xF000 + byte, or the byte itself), else the (1,0)
/// Macintosh subtable.
fn symbol_codes(cmap: &Cmap<'_>) -> Vec<Option<u32>> {
    let find = |platform: PlatformId, encoding: u16| {
        cmap.encoding_records()
            .iter()
            .position(|r| r.platform_id() == platform && r.encoding_id() == encoding)
            .and_then(|i| cmap.subtable(i as u16).ok())
    };
    if let Some(symbol) = find(PlatformId::Windows, 0) {
        return (0..=255u32)
            .map(|b| {
                symbol
                    .map_codepoint(0xF000 + b)
                    .or_else(|| symbol.map_codepoint(b))
                    .map(GlyphId::to_u32)
            })
            .collect();
    }
    match find(PlatformId::Macintosh, 0) {
        Some(mac) => (0..=255u32)
            .map(|b| mac.map_codepoint(b).map(GlyphId::to_u32))
            .collect(),
        None => Vec::new(),
    }
}
