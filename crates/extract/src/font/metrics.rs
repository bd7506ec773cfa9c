//! Glyph advances that a font dictionary does not give itself: the standard 14 fonts (and
//! the aliases PDF readers accept for them: Arial, TimesNewRoman, CourierNew with `,Bold`,
//! `-BoldMT` … suffixes) take Adobe's AFM metrics, shipped by `pdf-core-14-font-afms`.

use std::sync::OnceLock;

use pdf_core_14_font_afms as afms;

use super::names::glyph_name_to_unicode;
use crate::hash::FastMap;

/// The metrics of one standard font, read from its AFM file.
pub(super) struct Afm {
    /// Advance (glyph units) of each glyph by the character its name stands for.
    by_char: FastMap<char, f64>,
    /// Advance by code in the font's built-in encoding (`C` field).
    by_code: [Option<f64>; 256],
    /// Whether the font is symbolic (Symbol, ZapfDingbats): codes are read by the built-in
    /// encoding, not by characters.
    pub(super) symbolic: bool,
}

impl Afm {
    fn parse(text: &str, symbolic: bool) -> Afm {
        let mut by_char = FastMap::default();
        let mut by_code = [None; 256];
        for line in text.lines().filter(|l| l.starts_with("C ")) {
            let (mut code, mut width, mut name) = (None, None, None);
            for field in line.split(';') {
                let mut words = field.split_whitespace();
                match (words.next(), words.next()) {
                    (Some("C"), Some(v)) => code = v.parse::<i32>().ok(),
                    (Some("WX"), Some(v)) => width = v.parse::<f64>().ok(),
                    (Some("N"), Some(v)) => name = Some(v),
                    _ => {}
                }
            }
            let Some(width) = width else { continue };
            if let Some(slot) = code
                .and_then(|c| usize::try_from(c).ok())
                .and_then(|c| by_code.get_mut(c))
            {
                *slot = Some(width);
            }
            let text = name.and_then(|n| glyph_name_to_unicode(n.as_bytes()));
            let mut chars = text.iter().flat_map(|t| t.chars());
            if let (Some(c), None) = (chars.next(), chars.next()) {
                by_char.entry(c).or_insert(width);
            }
        }
        Afm {
            by_char,
            by_code,
            symbolic,
        }
    }

    /// The advance (glyph units) of a code whose text under the font's encoding is `text`.
    pub(super) fn advance(&self, code: u8, text: Option<&str>) -> Option<f64> {
        if self.symbolic {
            return self.by_code[usize::from(code)];
        }
        let mut chars = text?.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => self.by_char.get(&c).copied(),
            _ => None,
        }
    }
}

/// The standard 14 fonts, in the order of [`standard_index`].
const AFMS: [&str; 14] = [
    afms::COURIER,
    afms::COURIER_BOLD,
    afms::COURIER_OBLIQUE,
    afms::COURIER_BOLD_OBLIQUE,
    afms::HELVETICA,
    afms::HELVETICA_BOLD,
    afms::HELVETICA_OBLIQUE,
    afms::HELVETICA_BOLD_OBLIQUE,
    afms::TIMES_ROMAN,
    afms::TIMES_BOLD,
    afms::TIMES_ITALIC,
    afms::TIMES_BOLD_ITALIC,
    afms::SYMBOL,
    afms::ZAPF_DINGBATS,
];

/// Which standard font a `/BaseFont` names, by family and style, accepting a subset prefix
/// (`ABCDEF+`), the common aliases (Arial → Helvetica, TimesNewRoman → Times, CourierNew →
/// Courier) and style suffixes in any spelling (`,Bold`, `-BoldItalicMT`, `-Oblique`).
fn standard_index(base_font: &[u8]) -> Option<usize> {
    let name = match base_font.iter().position(|&b| b == b'+') {
        Some(6) => &base_font[7..],
        _ => base_font,
    };
    let name: String = name
        .iter()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(|b| b.to_ascii_lowercase() as char)
        .collect();
    let families: [(&[&str], usize); 5] = [
        (&["couriernew", "courier"], 0),
        (&["helvetica", "arial"], 4),
        (&["timesnewroman", "times"], 8),
        (&["symbol"], 12),
        (&["zapfdingbats", "dingbats"], 13),
    ];
    let (style, first) = families.iter().find_map(|(prefixes, first)| {
        prefixes
            .iter()
            .find_map(|p| name.strip_prefix(p))
            .map(|rest| (rest, *first))
    })?;
    if first >= 12 {
        return style.is_empty().then_some(first);
    }
    // What may follow the family: a style, and the producers' "MT"/"PS"/"Roman" marks.
    let mut rest = style.to_string();
    let bold = take(&mut rest, "bold");
    let italic = take(&mut rest, "italic") | take(&mut rest, "oblique");
    for mark in ["psmt", "mt", "ps", "roman", "regular", "normal"] {
        take(&mut rest, mark);
    }
    rest.is_empty()
        .then_some(first + usize::from(bold) + 2 * usize::from(italic))
}

/// Removes `word` from `s`; whether it was there.
fn take(s: &mut String, word: &str) -> bool {
    match s.find(word) {
        Some(i) => {
            s.replace_range(i..i + word.len(), "");
            true
        }
        None => false,
    }
}

/// The AFM metrics of the standard font a `/BaseFont` names (see [`standard_index`]),
/// parsed once per process.
pub(super) fn standard_metrics(base_font: &[u8]) -> Option<&'static Afm> {
    static PARSED: [OnceLock<Afm>; 14] = [const { OnceLock::new() }; 14];
    let i = standard_index(base_font)?;
    Some(PARSED[i].get_or_init(|| Afm::parse(AFMS[i], i >= 12)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_find_their_standard_font() {
        let cases: [(&[u8], Option<usize>); 14] = [
            (b"Helvetica", Some(4)),
            (b"Helvetica-Bold", Some(5)),
            (b"Helvetica-BoldOblique", Some(7)),
            (b"Arial", Some(4)),
            (b"ABCDEF+Arial,Bold", Some(5)),
            (b"Arial-BoldItalicMT", Some(7)),
            (b"ArialMT", Some(4)),
            (b"TimesNewRoman", Some(8)),
            (b"TimesNewRomanPS-BoldMT", Some(9)),
            (b"Times-Italic", Some(10)),
            (b"CourierNewPSMT", Some(0)),
            (b"Symbol", Some(12)),
            (b"ArialNarrow", None),
            (b"SimSun", None),
        ];
        for (name, want) in cases {
            assert_eq!(
                standard_index(name),
                want,
                "{}",
                String::from_utf8_lossy(name)
            );
        }
    }

    #[test]
    fn advances_come_from_the_afm() {
        // Adobe's Helvetica.afm: space 278, B 667, zero 556; Times-Roman: B 667, i 278.
        let helvetica = standard_metrics(b"Helvetica").unwrap();
        assert_eq!(helvetica.advance(32, Some(" ")), Some(278.0));
        assert_eq!(helvetica.advance(66, Some("B")), Some(667.0));
        assert_eq!(helvetica.advance(48, Some("0")), Some(556.0));
        let times = standard_metrics(b"Times-Roman").unwrap();
        assert_eq!(times.advance(105, Some("i")), Some(278.0));
        assert_eq!(times.advance(0, None), None);
        // Symbol reads its built-in codes: 0x61 is alpha, 631 wide.
        assert_eq!(
            standard_metrics(b"Symbol").unwrap().advance(0x61, None),
            Some(631.0)
        );
    }
}
