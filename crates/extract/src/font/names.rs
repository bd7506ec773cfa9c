//! Glyph names and the standard single-byte encodings, read through lopdf's tables (the Adobe
//! Glyph List and the Standard, WinAnsi, MacRoman and MacExpert encodings).

use std::sync::OnceLock;

use lopdf::{Dictionary, Document, Object};

/// A code → character table of a single-byte encoding.
pub(super) type ByteTable = [Option<char>; 256];

/// The characters lopdf decodes `codes` to for a font whose `/Encoding` is `encoding`.
fn lopdf_decode(encoding: Object, codes: std::ops::RangeInclusive<u8>) -> Vec<Option<char>> {
    let doc = Document::new();
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Encoding", encoding);
    let Ok(decoder) = font.get_font_encoding(&doc) else {
        return codes.map(|_| None).collect();
    };
    codes
        .map(|code| {
            let text = decoder.bytes_to_string(&[code]).unwrap_or_default();
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Some(c),
                _ => None,
            }
        })
        .collect()
}

/// The table of a base encoding by name; unknown names read as StandardEncoding.
pub(super) fn base_encoding(name: &[u8]) -> &'static ByteTable {
    static TABLES: [OnceLock<ByteTable>; 4] = [const { OnceLock::new() }; 4];
    let (slot, name): (usize, &[u8]) = match name {
        b"WinAnsiEncoding" => (1, b"WinAnsiEncoding"),
        b"MacRomanEncoding" => (2, b"MacRomanEncoding"),
        b"MacExpertEncoding" => (3, b"MacExpertEncoding"),
        _ => (0, b"StandardEncoding"),
    };
    TABLES[slot].get_or_init(|| {
        let mut table = [None; 256];
        table.copy_from_slice(&lopdf_decode(Object::Name(name.to_vec()), 0..=255));
        table
    })
}

/// The text a glyph name stands for: `uniXXXX…`, `uXXXX[XX]`, Adobe Glyph List names, and
/// ligature (`f_i`) and suffixed (`a.sc`) forms of them.
pub(super) fn glyph_name_to_unicode(name: &[u8]) -> Option<String> {
    let base = name.split(|&b| b == b'.').next().unwrap_or_default();
    if base.is_empty() {
        return None;
    }
    let mut out = String::new();
    for part in base.split(|&b| b == b'_') {
        out.push_str(&component(part)?);
    }
    Some(out)
}

fn component(name: &[u8]) -> Option<String> {
    let hex = |s: &[u8]| {
        std::str::from_utf8(s)
            .ok()
            .and_then(|s| u32::from_str_radix(s, 16).ok())
    };
    let all_hex = |s: &[u8]| s.iter().all(u8::is_ascii_hexdigit);
    if let Some(rest) = name.strip_prefix(b"uni") {
        if !rest.is_empty() && rest.len() % 4 == 0 && all_hex(rest) {
            let units: Vec<u16> = rest
                .chunks(4)
                .filter_map(|c| hex(c).map(|v| v as u16))
                .collect();
            return String::from_utf16(&units).ok();
        }
    }
    if let Some(rest) = name.strip_prefix(b"u") {
        if (4..=6).contains(&rest.len()) && all_hex(rest) {
            return hex(rest).and_then(char::from_u32).map(String::from);
        }
    }
    // Producers' glyph-index names (g12, cid345, glyph7) name no character.
    for prefix in [&b"g"[..], b"cid", b"glyph"] {
        if name
            .strip_prefix(prefix)
            .is_some_and(|d| !d.is_empty() && d.iter().all(u8::is_ascii_digit))
        {
            return None;
        }
    }
    // An Adobe Glyph List name: ask lopdf's table through a one-entry /Differences.
    let mut differences = Dictionary::new();
    differences.set(
        "Differences",
        Object::Array(vec![Object::Integer(0), Object::Name(name.to_vec())]),
    );
    lopdf_decode(Object::Dictionary(differences), 0..=0)[0].map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glyph_names() {
        assert_eq!(glyph_name_to_unicode(b"A").as_deref(), Some("A"));
        assert_eq!(glyph_name_to_unicode(b"percent").as_deref(), Some("%"));
        assert_eq!(glyph_name_to_unicode(b"uni76EE").as_deref(), Some("目"));
        assert_eq!(glyph_name_to_unicode(b"uni00660069").as_deref(), Some("fi"));
        assert_eq!(
            glyph_name_to_unicode(b"u1F600").as_deref(),
            Some("\u{1F600}")
        );
        assert_eq!(glyph_name_to_unicode(b"f_i").as_deref(), Some("fi"));
        assert_eq!(glyph_name_to_unicode(b"a.sc").as_deref(), Some("a"));
        assert_eq!(glyph_name_to_unicode(b"g123"), None);
    }

    #[test]
    fn base_encodings_differ_where_they_should() {
        assert_eq!(base_encoding(b"WinAnsiEncoding")[0x80], Some('€'));
        assert_eq!(base_encoding(b"StandardEncoding")[0x27], Some('’'));
        assert_eq!(base_encoding(b"WinAnsiEncoding")[b'7' as usize], Some('7'));
    }
}
