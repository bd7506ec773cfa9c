//! Marked content (`BMC`/`BDC` … `EMC`) and the `/ActualText` replacement text of a span.
//!
//! While a sequence with an `/ActualText` is open, the glyphs drawn in it (Form XObjects
//! included) are held back; when it closes they are emitted with the ActualText's characters
//! instead of their own:
//! - as many characters as glyphs: one character each, in drawing order;
//! - otherwise (the usual one glyph ↔ whole text case included): one glyph whose box covers
//!   all of them, with the whole text (font size and code of the first glyph);
//! - an empty ActualText (used to hide decorations) or no glyphs: nothing is emitted.
//!
//! The text is a PDF text string (UTF-16BE with its BOM, UTF-8 with its BOM, else
//! PDFDocEncoding), folded with [`crate::text::fold`]. Spans inside an ActualText span are
//! covered by the outer one, as the outer text replaces everything it marks.

use crate::model::{Direction, Rect};
use crate::text::fold;

/// Most glyphs held back in one span; further glyphs in it are dropped.
const MAX_SPAN_GLYPHS: usize = 4096;
/// Most characters of an ActualText kept.
const MAX_ACTUAL_TEXT_CHARS: usize = 1024;

/// A glyph held back in an ActualText span.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct HeldGlyph {
    pub(super) bbox: Rect,
    pub(super) font_size: f64,
    pub(super) code: u32,
    pub(super) direction: Direction,
}

/// An ActualText span: its decoded text and the glyphs drawn in it.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Span {
    text: String,
    glyphs: Vec<HeldGlyph>,
}

impl Span {
    /// The glyphs to emit for this span, each with its folded text (see the module docs).
    pub(super) fn replacements(&self) -> Vec<(HeldGlyph, String)> {
        let chars: Vec<char> = self.text.chars().collect();
        let Some(first) = self.glyphs.first() else {
            return Vec::new();
        };
        if chars.is_empty() {
            return Vec::new();
        }
        if chars.len() == self.glyphs.len() {
            return self
                .glyphs
                .iter()
                .zip(&chars)
                .map(|(g, c)| (*g, fold(c.encode_utf8(&mut [0; 4]))))
                .collect();
        }
        let bbox = self.glyphs[1..]
            .iter()
            .fold(first.bbox, |b, g| b.union(&g.bbox));
        vec![(HeldGlyph { bbox, ..*first }, fold(&self.text))]
    }
}

/// The open marked-content sequences of a page.
#[derive(Debug, Default)]
pub(super) struct Marked {
    /// One entry per open sequence kept: whether it began the ActualText span.
    open: Vec<bool>,
    /// Sequences opened beyond the depth limit (closed by their `EMC` without effect).
    overflow: usize,
    /// Sequences below this depth belong to the content stream that drew the current Form
    /// XObject: an `EMC` of the form does not close them.
    floor: usize,
    /// The open ActualText span.
    span: Option<Span>,
}

impl Marked {
    fn depth(&self) -> usize {
        self.open.len() + self.overflow
    }

    /// `BMC`/`BDC`: opens a sequence, an ActualText span when `actual_text` is given and no
    /// span is open yet. At most `max_depth` sequences are tracked.
    pub(super) fn begin(&mut self, actual_text: Option<&[u8]>, max_depth: usize) {
        if self.overflow > 0 || self.open.len() >= max_depth {
            self.overflow += 1;
            return;
        }
        let starts_span = self.span.is_none() && actual_text.is_some();
        if let Some(bytes) = actual_text.filter(|_| starts_span) {
            self.span = Some(Span {
                text: decode_text_string(bytes),
                glyphs: Vec::new(),
            });
        }
        self.open.push(starts_span);
    }

    /// `EMC`: closes the innermost sequence; returns the span it ends, if any.
    pub(super) fn end(&mut self) -> Option<Span> {
        if self.depth() <= self.floor {
            return None;
        }
        if self.overflow > 0 {
            self.overflow -= 1;
            return None;
        }
        match self.open.pop() {
            Some(true) => self.span.take(),
            _ => None,
        }
    }

    /// Holds a glyph back when a span is open; `false` when it should be drawn as it is.
    pub(super) fn hold(&mut self, glyph: HeldGlyph) -> bool {
        match &mut self.span {
            Some(span) => {
                if span.glyphs.len() < MAX_SPAN_GLYPHS {
                    span.glyphs.push(glyph);
                }
                true
            }
            None => false,
        }
    }

    /// Entering a Form XObject: its `EMC`s cannot close what is open now. Returns the floor to
    /// give back to [`Marked::leave`].
    pub(super) fn enter(&mut self) -> usize {
        let depth = self.depth();
        std::mem::replace(&mut self.floor, depth)
    }

    /// Leaving a Form XObject (or the page, with floor 0 after [`Marked::enter`] was never
    /// called): closes what the form left open and restores `floor`. Returns the span that
    /// closed, if any.
    pub(super) fn leave(&mut self, floor: usize) -> Option<Span> {
        let mut closed = None;
        while self.depth() > self.floor {
            if let Some(span) = self.end() {
                closed = Some(span);
            }
        }
        self.floor = floor;
        closed
    }
}

/// PDFDocEncoding 0x18..=0x1F (diacritics).
const PDF_DOC_18: [char; 8] = ['˘', 'ˇ', 'ˆ', '˙', '˝', '˛', '˚', '˜'];
/// PDFDocEncoding 0x80..=0xA0 (U+FFFD for the undefined 0x9F).
const PDF_DOC_80: [char; 33] = [
    '•', '†', '‡', '…', '—', '–', 'ƒ', '⁄', '‹', '›', '−', '‰', '„', '“', '”', '‘', '’', '‚', '™',
    'ﬁ', 'ﬂ', 'Ł', 'Œ', 'Š', 'Ÿ', 'Ž', 'ı', 'ł', 'œ', 'š', 'ž', '\u{FFFD}', '€',
];

/// Decodes a PDF text string: UTF-16BE or UTF-8 after their byte-order marks, else
/// PDFDocEncoding. Undecodable units become U+FFFD; at most
/// `MAX_ACTUAL_TEXT_CHARS` characters are kept.
fn decode_text_string(bytes: &[u8]) -> String {
    if let Some(utf16) = bytes.strip_prefix(b"\xFE\xFF") {
        let units = utf16
            .chunks_exact(2)
            .map(|u| u16::from_be_bytes([u[0], u[1]]));
        return char::decode_utf16(units)
            .map(|c| c.unwrap_or('\u{FFFD}'))
            .take(MAX_ACTUAL_TEXT_CHARS)
            .collect();
    }
    if let Some(utf8) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(utf8)
            .chars()
            .take(MAX_ACTUAL_TEXT_CHARS)
            .collect();
    }
    bytes
        .iter()
        .take(MAX_ACTUAL_TEXT_CHARS)
        .map(|&b| match b {
            0x18..=0x1F => PDF_DOC_18[usize::from(b - 0x18)],
            0x80..=0xA0 => PDF_DOC_80[usize::from(b - 0x80)],
            0x7F | 0xAD => '\u{FFFD}',
            _ => char::from(b),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyph(x: f64) -> HeldGlyph {
        HeldGlyph {
            bbox: Rect {
                x0: x,
                y0: 0.0,
                x1: x + 10.0,
                y1: 10.0,
            },
            font_size: 10.0,
            code: x as u32,
            direction: Direction::Right,
        }
    }

    #[test]
    fn text_strings() {
        assert_eq!(decode_text_string(b"\xFE\xFF\x62\x37"), "户");
        assert_eq!(decode_text_string(b"\xFE\xFF\xD8\x3D\xDE\x00"), "😀");
        assert_eq!(decode_text_string(b"\xFE\xFF\xDC\x00\x00A"), "\u{FFFD}A");
        assert_eq!(decode_text_string(b"\xEF\xBB\xBF\xE6\x88\xB7"), "户");
        assert_eq!(
            decode_text_string(b"a\x84\x93\x9F\xA0\xE9"),
            "a—ﬁ\u{FFFD}€é"
        );
    }

    #[test]
    fn text_is_distributed_over_the_glyphs() {
        let span = |text: &str, n: usize| Span {
            text: text.into(),
            glyphs: (0..n).map(|i| glyph(i as f64 * 10.0)).collect(),
        };
        assert_eq!(
            span("户", 1).replacements(),
            vec![(glyph(0.0), "户".into())]
        );
        assert_eq!(
            span("ab", 2).replacements(),
            vec![(glyph(0.0), "a".into()), (glyph(10.0), "b".into())]
        );
        let [(g, t)] = &span("ﬁx", 3).replacements()[..] else {
            panic!("one glyph expected");
        };
        assert_eq!(
            (g.bbox.x0, g.bbox.x1, g.code, t.as_str()),
            (0.0, 30.0, 0, "fix")
        );
        assert!(span("", 2).replacements().is_empty());
        assert!(span("x", 0).replacements().is_empty());
    }

    #[test]
    fn sequences_nest_and_forms_are_fenced() {
        let mut m = Marked::default();
        m.begin(None, 4);
        m.begin(Some(b"\xFE\xFF\x62\x37"), 4);
        // An inner span is covered by the outer one.
        m.begin(Some(b"x"), 4);
        assert!(m.hold(glyph(0.0)));
        assert_eq!(m.end(), None);
        // A form cannot close the span; leaving it closes what it opened.
        let floor = m.enter();
        m.begin(None, 4);
        assert!(m.hold(glyph(10.0)));
        assert_eq!(m.end(), None);
        assert_eq!(m.end(), None);
        assert_eq!(m.leave(floor), None);
        let span = m.end().expect("span closes");
        assert_eq!(span.text, "户");
        assert_eq!(span.glyphs.len(), 2);
        assert!(!m.hold(glyph(0.0)));
        assert_eq!(m.end(), None);
        assert_eq!(m.end(), None);
        // Beyond the depth limit sequences are counted, not kept.
        for _ in 0..6 {
            m.begin(Some(b"y"), 2);
        }
        assert!(m.hold(glyph(0.0)));
        assert_eq!(m.leave(0).map(|s| s.text), Some("y".into()));
        assert_eq!(m.depth(), 0);
    }
}
