//! Step 6: text — glyphs into lines, lines into cell text.

use crate::model::{Rect, TextBox};
use crate::settings::TableSettings;

/// One line of text: glyphs that overlap vertically, left to right.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub bbox: Rect,
    /// The glyphs joined by [`line_text`]'s rules.
    pub text: String,
    /// The largest font size of its glyphs.
    pub font_size: f64,
    /// The width of its first glyph that is not a space.
    pub first_width: f64,
    /// The width of its first piece that no line break splits (see [`first_piece`]).
    pub first_piece: f64,
    /// The left and right ends of its glyphs that are not spaces.
    pub ink: (f64, f64),
}

/// Whether `c` is a CJK character or full-width form: no space is ever inserted next to it.
pub fn is_wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F          // Hangul Jamo (wide)
        | 0x2018..=0x201F        // quotation marks, set full-width in CJK text
        | 0x2026 | 0x2014 | 0x2015
        | 0x2E80..=0x2FDF        // radicals
        | 0x3000..=0x303F        // CJK symbols and punctuation
        | 0x3040..=0x33FF        // kana, bopomofo, enclosed and compatibility forms
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0xFE10..=0xFE1F
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFF)
}

/// Groups glyphs into lines: sorted by vertical centre, a glyph joins the current line when
/// its centre lies inside the line's vertical extent or the line's centre inside the glyph's;
/// lines come top-down, glyphs in a line left-right.
pub fn lines(glyphs: &[&TextBox], settings: &TableSettings) -> Vec<Line> {
    let mut sorted: Vec<&TextBox> = glyphs.to_vec();
    sorted.sort_by(|a, b| {
        a.bbox
            .center()
            .1
            .total_cmp(&b.bbox.center().1)
            .then(a.bbox.x0.total_cmp(&b.bbox.x0))
    });
    let mut groups: Vec<(Rect, Vec<&TextBox>)> = Vec::new();
    for g in sorted {
        let cy = g.bbox.center().1;
        match groups.last_mut() {
            Some((band, members))
                if (band.y0 <= cy && cy <= band.y1)
                    || (g.bbox.y0 <= band.center().1 && band.center().1 <= g.bbox.y1) =>
            {
                *band = band.union(&g.bbox);
                members.push(g);
            }
            _ => groups.push((g.bbox, vec![g])),
        }
    }
    groups
        .into_iter()
        .map(|(bbox, mut members)| {
            members.sort_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0));
            let inked = members.iter().filter(|g| !g.text.trim().is_empty());
            let first_width = inked.clone().next().map_or(0.0, |g| g.bbox.width());
            let first_piece = first_piece(&members, settings);
            let ink = inked.fold((bbox.x1, bbox.x0), |(x0, x1), g| {
                (x0.min(g.bbox.x0), x1.max(g.bbox.x1))
            });
            Line {
                bbox,
                text: line_text(&members, settings),
                font_size: members.iter().map(|g| g.font_size).fold(0.0, f64::max),
                first_width,
                first_piece,
                ink,
            }
        })
        .collect()
}

/// Whether `c` cannot begin a line (closing punctuation): a line break before it takes the
/// glyph before it along.
fn cannot_begin_line(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '）'
            | '」'
            | '』'
            | '】'
            | '》'
            | '〉'
            | '〕'
            | '］'
            | '｝'
            | '”'
            | '’'
            | '…'
            | '%'
            | '％'
            | '‰'
            | '.'
            | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | ')'
            | ']'
            | '}'
    )
}

/// The width of the first piece of a line (`glyphs` left to right) that a line break never
/// splits: from its first glyph that is not a space, a word of half-width characters (up to a
/// space, a gap wider than `space_gap_ratio` × the font size, or a wide character), or one wide
/// character, with the punctuation after it that cannot begin a line.
fn first_piece(glyphs: &[&TextBox], settings: &TableSettings) -> f64 {
    let first_char = |g: &TextBox| g.text.chars().next().unwrap_or(' ');
    let mut rest = glyphs.iter().skip_while(|g| g.text.trim().is_empty());
    let Some(first) = rest.next() else {
        return 0.0;
    };
    let word = !is_wide(first_char(first));
    let mut end = first.bbox.x1;
    for g in rest {
        let c = first_char(g);
        let joined =
            !c.is_whitespace() && g.bbox.x0 - end <= settings.space_gap_ratio * g.font_size;
        if !(joined && (cannot_begin_line(c) || (word && !is_wide(c)))) {
            break;
        }
        end = g.bbox.x1;
    }
    end - first.bbox.x0
}

/// Appends `piece` to `out`, never producing two spaces in a row.
fn push_piece(out: &mut String, piece: &str) {
    if out.ends_with(' ') && piece.starts_with(' ') {
        out.push_str(&piece[1..]);
    } else {
        out.push_str(piece);
    }
}

/// The text of one line (glyphs left to right): a space is inserted only where the gap
/// between two glyphs exceeds `space_gap_ratio` × the larger font size and neither
/// neighbour [`is_wide`]; glyphs that are themselves spaces are kept, one space at most.
pub fn line_text(glyphs: &[&TextBox], settings: &TableSettings) -> String {
    let mut out = String::new();
    let mut prev: Option<&TextBox> = None;
    for g in glyphs {
        let mut chars = g
            .text
            .chars()
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .peekable();
        if let (Some(p), Some(&first), Some(last)) = (prev, chars.peek(), out.chars().last()) {
            let gap = g.bbox.x0 - p.bbox.x1;
            let size = p.font_size.max(g.font_size);
            if gap > settings.space_gap_ratio * size
                && !is_wide(first)
                && !is_wide(last)
                && last != ' '
            {
                out.push(' ');
            }
        }
        for c in chars {
            if !(c == ' ' && out.ends_with(' ')) {
                out.push(c);
            }
        }
        prev = Some(g);
    }
    out
}

/// A glyph that is a space (not an empty box).
fn is_space_glyph(t: &TextBox) -> bool {
    !t.text.is_empty() && t.text.chars().all(char::is_whitespace)
}

/// How a page marks the spaces of its text, which decides what a line break stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spacing {
    /// Spaces are drawn as glyphs (Chromium, LibreOffice), a trailing space too when it fits
    /// the line; one that does not fit is dropped. A line break with no space glyph at it is
    /// a break inside a word ("6" + "00" → "600", "≥1000.00" + "(份)"), except where a space
    /// would not have fitted at the end of the line and the break lies between a half-width
    /// letter, digit or `%,;:` and a CJK ideograph (either order): these texts set such a
    /// boundary apart with a space, so it is restored ("75%" + "以上" → "75% 以上",
    /// "活动," + "主题" → "活动, 主题"), and except between two Latin letters where the
    /// next line's first glyph would have fitted at the end of the line (see
    /// [`cell_text`]): the next word did not fit, so the break was at a space
    /// ("Imports" + "Budget" → "Imports Budget").
    Glyphs,
    /// The page draws no space glyph (words are set apart by gaps only): a line break is a
    /// space unless either side of it is [`is_wide`].
    Gaps,
    /// The text was recognised from a scan (every box has a confidence): spaces are read
    /// from gaps, so one at a line end is never seen. A line break is read as under
    /// [`Spacing::Glyphs`] with the space never fitted: a space between a half-width
    /// letter, digit or `%,;:` and an ideograph (either order), none elsewhere.
    Recognised,
}

impl Spacing {
    /// [`Spacing::Glyphs`] when some glyph is a space (recognised text settled on the text
    /// layer's glyphs keeps them), else [`Spacing::Recognised`] when every box of a page
    /// with text has a confidence, else [`Spacing::Glyphs`] when any box holds whitespace.
    pub fn of(text: &[TextBox]) -> Spacing {
        if text.iter().any(is_space_glyph) {
            Spacing::Glyphs
        } else if !text.is_empty() && text.iter().all(|t| t.confidence.is_some()) {
            Spacing::Recognised
        } else if text.iter().any(|t| t.text.chars().any(char::is_whitespace)) {
            Spacing::Glyphs
        } else {
            Spacing::Gaps
        }
    }

    /// The spacing of a table of a page whose spacing is `self`: [`Spacing::Recognised`]
    /// when every box of the table (`text`) was recognised and none is a space glyph (a
    /// scan pasted on a page whose own text layer draws spaces), else the page's.
    pub fn of_table<'a>(self, text: impl IntoIterator<Item = &'a TextBox>) -> Spacing {
        let mut text = text.into_iter().peekable();
        let recognised =
            text.peek().is_some() && text.all(|t| t.confidence.is_some() && !is_space_glyph(t));
        if recognised {
            Spacing::Recognised
        } else {
            self
        }
    }

    /// Whether a line ending in `a` and a line starting with `b` join with a space, given
    /// what the layout shows of the break (see [`Break`]).
    fn space_between(self, a: char, b: char, at: Break) -> bool {
        let half = |c: char| c.is_ascii_alphanumeric() || matches!(c, '%' | ',' | ';' | ':');
        let ideograph = |c: char| is_wide(c) && c.is_alphabetic();
        match self {
            Spacing::Glyphs => {
                (at.between_words && a.is_ascii_alphabetic() && b.is_ascii_alphabetic())
                    || (!at.space_fitted
                        && ((half(a) && ideograph(b))
                            || (ideograph(a) && b.is_ascii_alphanumeric())))
            }
            Spacing::Recognised => Spacing::Glyphs.space_between(
                a,
                b,
                Break {
                    space_fitted: false,
                    ..at
                },
            ),
            Spacing::Gaps => !is_wide(a) && !is_wide(b),
        }
    }
}

/// What the layout of a cell shows about one of its line breaks.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Break {
    /// A space would have fitted at the end of the first line.
    space_fitted: bool,
    /// The break is not inside a Latin word: the next line's first glyph would have fitted
    /// at the end of the first line (a producer that breaks inside a word does so only where
    /// the line is full, leaving less room than a glyph).
    between_words: bool,
}

/// Joins texts that continue one another (the parts of a cell cut by a page break) by
/// `spacing`'s rule, as lines whose ends are full; spaces present are kept but never
/// doubled; the result is trimmed.
pub fn join_lines<'a>(texts: impl IntoIterator<Item = &'a str>, spacing: Spacing) -> String {
    let mut out = String::new();
    for t in texts {
        join_onto(&mut out, t, spacing, Break::default());
    }
    out.trim().to_string()
}

/// A table's cell padding: the median of the paddings of its cells (each its lines and
/// box) whose lines are not all centred (see [`cell_text`]); `None` when there is none.
pub fn cell_padding(cells: &[(Vec<Line>, Rect)]) -> Option<f64> {
    let mut paddings: Vec<f64> = cells
        .iter()
        .filter(|(lines, _)| !lines.is_empty())
        .map(|(lines, cell)| own_padding(lines, cell))
        .filter(|&(_, centred)| !centred)
        .map(|(padding, _)| padding)
        .collect();
    paddings.sort_by(f64::total_cmp);
    paddings.get(paddings.len() / 2).copied()
}

/// A cell's own padding, the smallest distance between a line and a side of the cell, and
/// whether every line is centred (its left and right insets differ by at most [`CENTRED`]
/// of its font size), which hides the padding.
fn own_padding(lines: &[Line], cell: &Rect) -> (f64, bool) {
    let sides = |l: &Line| (l.ink.0 - cell.x0, cell.x1 - l.ink.1);
    let padding = lines
        .iter()
        .map(|l| sides(l).0.min(sides(l).1))
        .fold(f64::INFINITY, f64::min)
        .max(0.0);
    let centred = lines.iter().all(|l| {
        let (left, right) = sides(l);
        (left - right).abs() <= CENTRED * l.font_size
    });
    (padding, centred)
}

/// The text of a cell from its lines (top-down) by `spacing`'s rule. A space would have
/// fitted at the end of a line when the room left to the cell's content edge (the cell's
/// right side less the smallest left inset of its lines) is at least half the font size.
/// The room a line leaves, which tells a break between Latin words from one inside a word,
/// is the cell's content width less the line's width; the content width is the cell's width
/// less its padding on both sides: the smallest distance between a line and a side of the
/// cell, or, when every line is centred (which hides the padding), at most the table's
/// `padding` (see [`cell_padding`]).
pub fn cell_text(lines: &[Line], cell: &Rect, spacing: Spacing, padding: Option<f64>) -> String {
    let inset = lines
        .iter()
        .map(|l| l.bbox.x0 - cell.x0)
        .fold(f64::INFINITY, f64::min)
        .max(0.0);
    let content = content_width(lines, cell, padding);
    let mut out = String::new();
    let mut prev: Option<&Line> = None;
    for l in lines {
        let at = prev.map_or_else(Break::default, |p| Break {
            space_fitted: cell.x1 - inset - p.bbox.x1 >= 0.5 * p.font_size,
            between_words: content - (p.ink.1 - p.ink.0) >= l.first_width + CENTRED * l.font_size,
        });
        join_onto(&mut out, &l.text, spacing, at);
        prev = Some(l);
    }
    out.trim().to_string()
}

/// A cell's content width: its width less its padding on both sides (see [`cell_text`]).
fn content_width(lines: &[Line], cell: &Rect, padding: Option<f64>) -> f64 {
    let (own, centred) = own_padding(lines, cell);
    let padding = match padding {
        Some(p) if centred => own.min(p),
        _ => own,
    };
    cell.width() - 2.0 * padding
}

/// What a cell's text shows at its ends, which tells whether it could go on in the cell
/// below it: the part of one cell cut by a page break fills its last line.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TextEnds {
    /// The room its last line leaves: the content width (see [`cell_text`]) less the line's.
    pub room: f64,
    /// The width of its first line's first piece that no line break splits (a word, or a
    /// wide character, with the punctuation after it that cannot begin a line).
    pub first_piece: f64,
    /// The font size of its last line.
    pub font_size: f64,
}

impl TextEnds {
    /// The ends of a cell's text from its lines (top-down), its box and the table's padding.
    pub fn of(lines: &[Line], cell: &Rect, padding: Option<f64>) -> TextEnds {
        let (Some(first), Some(last)) = (lines.first(), lines.last()) else {
            return TextEnds::default();
        };
        TextEnds {
            room: content_width(lines, cell, padding) - (last.ink.1 - last.ink.0),
            first_piece: first.first_piece,
            font_size: last.font_size,
        }
    }

    /// Whether `next`'s text could be the rest of this one's, wrapped: this one's last line
    /// leaves too little room for `next`'s first piece.
    pub fn flows_into(&self, next: &TextEnds) -> bool {
        self.room < next.first_piece + CENTRED * self.font_size
    }
}

/// A line is centred in its cell when its left and right insets differ by at most this
/// fraction of its font size; a glyph fits in the room a line leaves when the room is
/// larger than its width by this fraction of the font size (measures are that uncertain).
const CENTRED: f64 = 0.1;

/// Appends `next` to `text` by [`Spacing`]'s rule (without trimming).
fn join_onto(text: &mut String, next: &str, spacing: Spacing, at: Break) {
    if let (Some(a), Some(b)) = (text.chars().last(), next.chars().next()) {
        if a != ' ' && b != ' ' && spacing.space_between(a, b, at) {
            text.push(' ');
        }
    }
    push_piece(text, next);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyph(text: &str, x0: f64, y0: f64, w: f64) -> TextBox {
        TextBox {
            text: text.into(),
            bbox: Rect {
                x0,
                y0,
                x1: x0 + w,
                y1: y0 + 10.0,
            },
            font_size: 10.0,
            confidence: None,
            direction: Default::default(),
            source: Default::default(),
            glyph: None,
            alternatives: Default::default(),
        }
    }

    /// Glyphs of `s` set from `x` on baseline row `y`, 10 pt wide for CJK, 5 pt otherwise,
    /// with `gap` between neighbours.
    fn run(s: &str, x: f64, y: f64, gap: f64) -> Vec<TextBox> {
        let mut at = x;
        s.chars()
            .map(|c| {
                let w = if is_wide(c) { 10.0 } else { 5.0 };
                let g = glyph(&c.to_string(), at, y, w);
                at += w + gap;
                g
            })
            .collect()
    }

    fn text_of(glyphs: &[TextBox]) -> Vec<String> {
        let refs: Vec<&TextBox> = glyphs.iter().collect();
        lines(&refs, &TableSettings::default())
            .into_iter()
            .map(|l| l.text)
            .collect()
    }

    #[test]
    fn gap_spaces_only_between_latin_or_digits() {
        let mut g = run("ab", 0.0, 0.0, 0.0);
        g.extend(run("cd", 13.0, 0.0, 0.0)); // 3 pt gap > 0.2 × 10 pt
        g.extend(run("中", 26.0, 0.0, 0.0)); // 3 pt gap, but CJK
        g.extend(run("文", 39.0, 0.0, 0.0));
        g.extend(run("e", 50.0, 0.0, 0.0)); // 1 pt gap: no space
        assert_eq!(text_of(&g), vec!["ab cd中文e"]);
    }

    #[test]
    fn space_glyphs_are_kept_but_never_doubled() {
        let mut g = run("2023", 0.0, 0.0, 0.0);
        g.push(glyph(" ", 20.0, 0.0, 3.0));
        g.push(glyph(" ", 23.0, 0.0, 3.0));
        g.extend(run("年度", 30.0, 0.0, 0.0));
        assert_eq!(text_of(&g), vec!["2023 年度"]);
    }

    #[test]
    fn lines_by_vertical_overlap_in_reading_order() {
        // Second line given first, with glyphs out of order and a slightly lower baseline.
        let mut g = run("标", 0.0, 12.0, 0.0);
        let mut first = run("满意度指", 0.0, 0.0, 0.0);
        first.reverse();
        first[1].bbox.y0 += 1.0;
        first[1].bbox.y1 += 1.0;
        g.extend(first);
        assert_eq!(text_of(&g), vec!["满意度指", "标"]);
    }

    #[test]
    fn line_breaks_with_space_glyphs() {
        let g = Spacing::Glyphs;
        assert_eq!(join_lines(["满意度指", "标"], g), "满意度指标");
        assert_eq!(join_lines(["户厕 6", "00 户。"], g), "户厕 600 户。");
        assert_eq!(join_lines(["≥1000.00", "(份)"], g), "≥1000.00(份)");
        assert_eq!(join_lines(["负责 202", "2“海聚"], g), "负责 2022“海聚");
        assert_eq!(join_lines(["达到 75%", "以上"], g), "达到 75% 以上");
        assert_eq!(join_lines(["活动,", "主题"], g), "活动, 主题");
        assert_eq!(join_lines(["履约率", "93.6%"], g), "履约率 93.6%");
        assert_eq!(join_lines(["要求, ", "拟开展"], g), "要求, 拟开展");
        assert_eq!(join_lines(["(汇", "总)"], g), "(汇总)");
        assert_eq!(join_lines(["“海聚英才”", "全球"], g), "“海聚英才”全球");
        assert_eq!(join_lines([" a ", " b "], g), "a b");
    }

    #[test]
    fn line_breaks_without_space_glyphs() {
        let g = Spacing::Gaps;
        assert_eq!(join_lines(["满意度指", "标"], g), "满意度指标");
        assert_eq!(
            join_lines(["<p>abc</p>", "<p>def</p>"], g),
            "<p>abc</p> <p>def</p>"
        );
        assert_eq!(join_lines(["达到 75%", "以上"], g), "达到 75%以上");
    }

    /// A line of 10 pt text from `x0` to `x1` at `y0`, its first glyph 5 pt wide.
    fn line_at(text: &str, x0: f64, x1: f64, y0: f64) -> Line {
        Line {
            bbox: Rect {
                x0,
                y0,
                x1,
                y1: y0 + 10.0,
            },
            text: text.into(),
            font_size: 10.0,
            first_width: 5.0,
            first_piece: 5.0,
            ink: (x0, x1),
        }
    }

    #[test]
    fn a_space_that_would_have_fitted_was_not_there() {
        let cell = Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 100.0,
            y1: 40.0,
        };
        let line = |text: &str, x1: f64, y0: f64| line_at(text, 3.0, x1, y0);
        // The first line ends 2 pt before the content edge (100 - 3): a space would not fit.
        let full = [line("〔2020〕7", 95.0, 0.0), line("号)", 23.0, 12.0)];
        assert_eq!(
            cell_text(&full, &cell, Spacing::Glyphs, Some(3.0)),
            "〔2020〕7 号)"
        );
        // 12 pt of room: a space would have been drawn, so there was none.
        let short = [line("〔2020〕7", 85.0, 0.0), line("号)", 23.0, 12.0)];
        assert_eq!(
            cell_text(&short, &cell, Spacing::Glyphs, Some(3.0)),
            "〔2020〕7号)"
        );
        assert_eq!(
            cell_text(&short, &cell, Spacing::Gaps, Some(3.0)),
            "〔2020〕7号)"
        );
        // Read from a scan, a space at a line end is never seen, so room proves nothing.
        let r = Spacing::Recognised;
        assert_eq!(cell_text(&short, &cell, r, Some(3.0)), "〔2020〕7 号)");
        let prose = [line("处置率", 45.0, 0.0), line("100%。", 35.0, 12.0)];
        assert_eq!(cell_text(&prose, &cell, r, Some(3.0)), "处置率 100%。");
        let comma = [line("活动,", 60.0, 0.0), line("居住区", 33.0, 12.0)];
        assert_eq!(cell_text(&comma, &cell, r, Some(3.0)), "活动, 居住区");
        let word = [line("满意度指", 60.0, 0.0), line("标", 13.0, 12.0)];
        assert_eq!(cell_text(&word, &cell, r, Some(3.0)), "满意度指标");
    }

    #[test]
    fn latin_words_wrapped_at_a_space_keep_it() {
        let cell = Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 60.0,
            y1: 40.0,
        };
        // Lines of 5 pt glyphs set from x = 3 (content 3..57, 54 pt wide).
        let line =
            |text: &str, y0: f64| line_at(text, 3.0, 3.0 + 5.0 * text.chars().count() as f64, y0);
        let g = Spacing::Glyphs;
        // Room for more on the line: the next word did not fit whole.
        let alone = [line("Budget", 0.0), line("Population", 12.0)];
        assert_eq!(cell_text(&alone, &cell, g, Some(3.0)), "Budget Population");
        // A word broken where the line is full: no space.
        let long = [line("Internatio", 0.0), line("nalisation", 12.0)];
        assert_eq!(
            cell_text(&long, &cell, g, Some(3.0)),
            "Internationalisation"
        );
        let full = [line("Net Popula", 0.0), line("tion", 12.0)];
        assert_eq!(cell_text(&full, &cell, g, Some(3.0)), "Net Population");
        // Digits and CJK keep their rules.
        let digits = [line("户厕 123456789", 0.0), line("00 户", 12.0)];
        assert_eq!(
            cell_text(&digits, &cell, g, Some(3.0)),
            "户厕 12345678900 户"
        );
        // Centred: the room is measured from the table's padding, not this cell's insets.
        let centred = |text: &str, y0: f64| {
            let mut l = line(text, y0);
            let shift = (cell.width() - l.bbox.width()) / 2.0 - 3.0;
            l.bbox.x0 += shift;
            l.bbox.x1 += shift;
            l.ink = (l.bbox.x0, l.bbox.x1);
            l
        };
        let both = [centred("Imports", 0.0), centred("Budget", 12.0)];
        assert_eq!(cell_padding(&[(both.to_vec(), cell)]), None);
        let table = [(both.to_vec(), cell), (alone.to_vec(), cell)];
        assert_eq!(cell_padding(&table), Some(3.0));
        assert_eq!(cell_text(&both, &cell, g, None), "ImportsBudget");
        assert_eq!(cell_text(&both, &cell, g, Some(3.0)), "Imports Budget");
    }

    #[test]
    fn a_text_flows_on_only_from_a_full_last_line() {
        let settings = TableSettings::default();
        let line_of = |g: &[TextBox]| {
            let refs: Vec<&TextBox> = g.iter().collect();
            lines(&refs, &settings).remove(0)
        };
        // The first piece: an ideograph with the punctuation that cannot begin a line, or a
        // word up to a space.
        let cjk = line_of(&run("政；约", 3.0, 12.0, 0.0));
        assert_eq!(cjk.first_piece, 20.0);
        let number = line_of(&run("250 户", 3.0, 12.0, 0.0));
        assert_eq!(number.first_piece, 15.0);
        let cell = Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 60.0,
            y1: 40.0,
        };
        // Content 3..57: a last line of four ideographs leaves 14 pt, of two 34 pt.
        let ends = |s: &str| {
            let last = line_of(&run(s, 3.0, 0.0, 0.0));
            TextEnds::of(&[last], &cell, Some(3.0))
        };
        let next = |l: Line| TextEnds::of(&[l], &cell, Some(3.0));
        assert!(ends("采购建设").flows_into(&next(cjk.clone())));
        assert!(ends("采购建设").flows_into(&next(number.clone())));
        assert!(!ends("采购").flows_into(&next(cjk)));
        assert!(!ends("采购").flows_into(&next(number)));
    }

    #[test]
    fn spacing_follows_the_page() {
        let mut g = run("ab", 0.0, 0.0, 0.0);
        assert_eq!(Spacing::of(&g), Spacing::Gaps);
        g.push(glyph(" ", 10.0, 0.0, 3.0));
        assert_eq!(Spacing::of(&g), Spacing::Glyphs);
        g.iter_mut().for_each(|t| t.confidence = Some(0.9));
        // Recognised text settled on the text layer's glyphs keeps its space glyphs.
        assert_eq!(Spacing::of(&g), Spacing::Glyphs);
        g.pop();
        g.push(glyph("c d", 10.0, 0.0, 3.0));
        g.iter_mut().for_each(|t| t.confidence = Some(0.9));
        assert_eq!(Spacing::of(&g), Spacing::Recognised);
        assert_eq!(Spacing::of(&[]), Spacing::Gaps);
    }
}
