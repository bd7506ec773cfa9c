//! Reading the cross-reference data of a well-formed PDF: classic tables and cross-reference
//! streams, incremental updates (`/Prev`, `/XRefStm`) newest first. Anything unusual gives
//! `None`, and the caller falls back to lopdf's loader, which repairs what it can.

use std::collections::HashSet;

use lopdf::xref::{decode_xref_stream_with_limit, XrefEntry};
use lopdf::{Dictionary, Object, Stream};

use super::parse::Parser;
use crate::budget::Budget;
use crate::hash::FastMap;

/// How far before the end of the file `startxref` is looked for.
const TAIL_WINDOW: usize = 2048;
/// Most cross-reference sections followed through `/Prev` and `/XRefStm`.
const MAX_SECTIONS: usize = 64;
/// Memory one cross-reference entry takes while read (lopdf's map, then ours), at most; an
/// entry takes at least one byte of a decoded stream.
const ENTRY_COST: usize = 64;

/// Where an object is stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Location {
    /// At a byte offset of the file, with its generation number.
    Offset { offset: usize, generation: u16 },
    /// The `index`-th object of the object stream `container`.
    Compressed { container: u32, index: u32 },
}

/// The cross-reference data of a file: where each object in use is, and the trailer.
pub(crate) struct CrossReference {
    pub(crate) objects: FastMap<u32, Location>,
    pub(crate) trailer: Dictionary,
}

/// Reads the cross-reference data of `data` (whose `%PDF-` header is at offset 0), within
/// what `budget` has left. `None` when it is damaged, missing, or the file is encrypted.
pub(crate) fn read(data: &[u8], limit: usize, budget: &Budget) -> Option<CrossReference> {
    let tail_start = data.len().saturating_sub(TAIL_WINDOW);
    let keyword = data[tail_start..]
        .windows(9)
        .rposition(|w| w == b"startxref")?;
    let mut parser = Parser::new(data, tail_start + keyword + 9);
    let Some(Object::Integer(first)) = parser.object() else {
        return None;
    };
    // Newest section first; an object's first entry wins (a free one hides older ones).
    let mut entries: FastMap<u32, Option<Location>> = FastMap::default();
    let mut trailer: Option<Dictionary> = None;
    let mut pending = vec![usize::try_from(first).ok()?];
    let mut seen = HashSet::new();
    while let Some(offset) = pending.pop() {
        if !seen.insert(offset) || seen.len() > MAX_SECTIONS {
            return None;
        }
        let (section, dict) = read_section(data, offset, limit, budget)?;
        for (number, location) in section {
            entries.entry(number).or_insert(location);
        }
        // `/Prev` after `/XRefStm`: the stream of a hybrid section comes before older sections.
        for key in [&b"Prev"[..], b"XRefStm"] {
            if let Ok(&Object::Integer(at)) = dict.get(key) {
                pending.push(usize::try_from(at).ok()?);
            }
        }
        trailer.get_or_insert(dict);
    }
    let trailer = trailer?;
    if trailer.has(b"Encrypt") || !matches!(trailer.get(b"Root"), Ok(Object::Reference(_))) {
        return None;
    }
    let objects = entries
        .into_iter()
        .filter_map(|(number, location)| Some((number, location?)))
        .collect();
    Some(CrossReference { objects, trailer })
}

type Section = (Vec<(u32, Option<Location>)>, Dictionary);

/// One section at `offset`: its entries (`None` for free ones) and its trailer dictionary.
fn read_section(data: &[u8], offset: usize, limit: usize, budget: &Budget) -> Option<Section> {
    let available = budget.available();
    let mut parser = Parser::capped(data, offset, available);
    if parser.keyword(b"xref") {
        return read_table(parser);
    }
    parser.object_header()?;
    let Some(Object::Dictionary(dict)) = parser.object() else {
        return None;
    };
    let limit = limit.min(available / ENTRY_COST);
    let start = parser.stream_start()?;
    let length = match dict.get(b"Length") {
        Ok(&Object::Integer(n)) => usize::try_from(n).ok()?,
        _ => return None,
    };
    let content = data.get(start..start.checked_add(length)?)?.to_vec();
    let (xref, dict) =
        decode_xref_stream_with_limit(Stream::new(dict, content), Some(limit)).ok()?;
    let entries = xref
        .entries
        .into_iter()
        .map(|(number, entry)| {
            let location = match entry {
                XrefEntry::Normal { offset, generation } => Some(Location::Offset {
                    offset: offset as usize,
                    generation,
                }),
                XrefEntry::Compressed { container, index } => Some(Location::Compressed {
                    container,
                    index: u32::from(index),
                }),
                XrefEntry::Free | XrefEntry::UnusableFree => None,
            };
            (number, location)
        })
        .collect();
    Some((entries, dict))
}

/// A classic table after its `xref` keyword, up to and including the trailer dictionary.
fn read_table(mut parser: Parser<'_>) -> Option<Section> {
    let mut entries = Vec::new();
    while !parser.keyword(b"trailer") {
        let first = u32::try_from(parser.unsigned(10)?).ok()?;
        let count = u32::try_from(parser.unsigned(10)?).ok()?;
        for k in 0..count {
            let offset = usize::try_from(parser.unsigned(10)?).ok()?;
            let generation = u16::try_from(parser.unsigned(5)?).ok()?;
            let location = if parser.keyword(b"n") {
                Some(Location::Offset { offset, generation })
            } else if parser.keyword(b"f") {
                None
            } else {
                return None;
            };
            entries.push((first.checked_add(k)?, location));
        }
    }
    match parser.object() {
        Some(Object::Dictionary(dict)) => Some((entries, dict)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file with one object and a classic table at the given offsets.
    fn classic(body: &str, table: &str) -> Vec<u8> {
        let mut file = format!("%PDF-1.4\n{body}");
        let at = file.len();
        file.push_str(table);
        file.push_str(&format!("\nstartxref\n{at}\n%%EOF\n"));
        file.into_bytes()
    }

    #[test]
    fn classic_table_with_free_and_used_entries() {
        let file = classic(
            "1 0 obj\n<</Type /Catalog>>\nendobj\n",
            "xref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<</Size 2 /Root 1 0 R>>",
        );
        let xref = read(&file, 1 << 20, &Budget::unlimited()).unwrap();
        assert_eq!(xref.objects.len(), 1);
        assert_eq!(
            xref.objects[&1],
            Location::Offset {
                offset: 9,
                generation: 0
            }
        );
        assert!(xref.trailer.has(b"Root"));
    }

    #[test]
    fn damaged_or_encrypted_files_are_left_to_lopdf() {
        let table = "xref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n";
        let body = "1 0 obj\n<<>>\nendobj\n";
        let ok = classic(body, &format!("{table}<</Root 1 0 R>>"));
        assert!(read(&ok, 1 << 20, &Budget::unlimited()).is_some());
        assert!(read(
            &classic(body, &format!("{table}<</Root 1 0 R /Encrypt 5 0 R>>")),
            1 << 20,
            &Budget::unlimited()
        )
        .is_none());
        assert!(read(
            &classic(body, &format!("{table}<</Size 2>>")),
            1 << 20,
            &Budget::unlimited()
        )
        .is_none());
        assert!(read(
            &classic(
                body,
                "xref\n0 2\n0000000000 65535 f \ntrailer\n<</Root 1 0 R>>"
            ),
            1 << 20,
            &Budget::unlimited()
        )
        .is_none());
        assert!(read(&ok[..ok.len() - 20], 1 << 20, &Budget::unlimited()).is_none());
        // A /Prev pointing at itself.
        let looped = classic(body, &format!("{table}<</Root 1 0 R /Prev 29>>"));
        assert!(read(&looped, 1 << 20, &Budget::unlimited()).is_none());
    }
}
