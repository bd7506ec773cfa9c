//! Text a reader cannot trust: per cell, whether its text layer says something other than
//! what is printed, and why.
//!
//! Signs: U+FFFD (a code no mapping knew), Private Use Area code points (a `/ToUnicode` into
//! the PUA), control characters, glyph-name leftovers (`g123`, `cid456`, `glyph7`) and, in a
//! document written in Chinese, cells in Latin-1 or Latin Extended letters with no ideograph
//! (a Chinese encoding read as Latin-1: "ÏîÄ¿Ãû³Æ" for 项目名称).

use serde::{Deserialize, Serialize};

use crate::model::PageContent;

/// Why a cell's text cannot be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unreadable {
    /// U+FFFD: a character code no mapping of the PDF or its font program knew.
    Replacement,
    /// A Private Use Area code point.
    PrivateUse,
    /// A control character.
    Control,
    /// A producer's glyph name standing for a glyph (`g123`, `cid456`).
    GlyphName,
    /// Letters of a script that makes no sense in the document (Latin-1 mojibake).
    Script,
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Unreadable::Replacement => "unmapped character codes",
            Unreadable::PrivateUse => "Private Use Area characters",
            Unreadable::Control => "control characters",
            Unreadable::GlyphName => "glyph names instead of text",
            Unreadable::Script => "characters foreign to the document's script (mojibake)",
        })
    }
}

/// The script a document is written in, as far as unreadable text is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DocumentScript {
    /// Most of the document's letters are CJK ideographs.
    pub cjk: bool,
}

impl DocumentScript {
    /// The script of the text of `pages` (every glyph and OCR box).
    pub fn of(pages: &[PageContent]) -> DocumentScript {
        let mut count = ScriptCount::default();
        pages.iter().for_each(|page| count.add(page));
        count.script()
    }
}

/// The letters of a document counted page after page, to tell its script from the pages
/// read so far without holding them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScriptCount {
    ideographs: usize,
    letters: usize,
}

impl ScriptCount {
    /// Counts the letters of `page` (every glyph and OCR box).
    pub fn add(&mut self, page: &PageContent) {
        for c in page.text.iter().flat_map(|t| t.text.chars()) {
            if is_ideograph(c) {
                self.ideographs += 1;
                self.letters += 1;
            } else if c.is_alphabetic() {
                self.letters += 1;
            }
        }
    }

    /// The script of the pages counted so far.
    pub fn script(&self) -> DocumentScript {
        DocumentScript {
            cjk: self.ideographs * 2 > self.letters,
        }
    }
}

/// Why `text` cannot be trusted in a document written in `script`, if it cannot.
pub fn unreadable(text: &str, script: DocumentScript) -> Option<Unreadable> {
    for c in text.chars() {
        match c {
            '\u{FFFD}' => return Some(Unreadable::Replacement),
            '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{10FFFF}' => {
                return Some(Unreadable::PrivateUse)
            }
            c if c.is_control() && !c.is_whitespace() => return Some(Unreadable::Control),
            _ => {}
        }
    }
    if text.split_whitespace().any(is_glyph_name) {
        return Some(Unreadable::GlyphName);
    }
    if script.cjk
        && !text.chars().any(is_ideograph)
        && text.chars().filter(|&c| is_mojibake(c)).count() >= 2
    {
        return Some(Unreadable::Script);
    }
    None
}

/// A producer's name for a glyph by its index: `g123`, `gid12`, `glyph7`, `cid456`.
pub(crate) fn is_glyph_name(word: &str) -> bool {
    ["glyph", "gid", "cid", "g"].iter().any(|p| {
        word.strip_prefix(p)
            .is_some_and(|d| (1..=5).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// A CJK unified or compatibility ideograph.
pub fn is_ideograph(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}')
}

/// A character that text in a Chinese encoding read as Latin-1 or Windows-1252 is made of:
/// Latin-1 Supplement and Latin Extended letters and signs, less the signs Chinese forms
/// print themselves (° ± × ÷ · ² ³ µ § ¥ © ®).
pub(crate) fn is_mojibake(c: char) -> bool {
    matches!(c, '\u{80}'..='\u{24F}')
        && !matches!(
            c,
            '°' | '±' | '×' | '÷' | '·' | '²' | '³' | 'µ' | '§' | '¥' | '©' | '®' | '\u{A0}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    const CJK: DocumentScript = DocumentScript { cjk: true };

    #[test]
    fn signs_of_unreadable_text() {
        assert_eq!(
            unreadable("项目\u{FFFD}", CJK),
            Some(Unreadable::Replacement)
        );
        assert_eq!(
            unreadable("\u{E012}\u{E013}", CJK),
            Some(Unreadable::PrivateUse)
        );
        assert_eq!(unreadable("a\u{1}b", CJK), Some(Unreadable::Control));
        assert_eq!(unreadable("g123 g77", CJK), Some(Unreadable::GlyphName));
        assert_eq!(unreadable("ÏîÄ¿Ãû³Æ", CJK), Some(Unreadable::Script));
        // The same letters in a Latin document are words.
        assert_eq!(unreadable("Café Müller", DocumentScript::default()), None);
    }

    #[test]
    fn clean_text_is_readable() {
        for s in [
            "项目名称",
            "≥1000.00(份)",
            "25°C ±2",
            "100%",
            "",
            "1,663.27",
            "g/L",
            "Cafe",
            "10×20 m²",
            "良 (≥80分)",
        ] {
            assert_eq!(unreadable(s, CJK), None, "{s}");
        }
    }
}
