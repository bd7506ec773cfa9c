//! The text of one recognised line, settled against its ink.
//!
//! The recogniser returns characters and where they sit; the binarised band of the page
//! says where the ink is. Rules, in order ([`line_text`]):
//!
//! 1. **Unread ink**: ink farther than half an em from every character read is a glyph the
//!    decoder passed over (a ")" or "。" at a line end, a "一" between ideographs): the
//!    most probable runner-up character over that ink is put in.
//! 2. **Punctuation forms**: full-width brackets, colon and semicolon as ASCII.
//! 3. **Commas**: "，" or "," + space, from the blank after the comma and, where that does
//!    not tell, from how high the comma sits on the line.
//! 4. **Colon or semicolon** from the glyph: two marks of one height are a colon, a lower
//!    mark (the comma of ";") clearly taller than the dot above it a semicolon.
//! 5. **Full stops**: a ring read as "°" not after a digit is the centred "。" of Ming faces.
//! 6. **Spaces**: recovered from ink gaps.

use crate::binarize::Binary;
use crate::bitmap::PixelRect;
use crate::engine::{Recognized, RunnerUp};
use jixiao_extract::grid::is_wide;
use jixiao_extract::readable::is_ideograph;
use jixiao_extract::Alternatives;

/// A recognised line's place on the page.
#[derive(Debug, Clone, Copy)]
pub struct LineInk<'a> {
    /// The page's ink.
    pub ink: &'a Binary,
    /// The line's ink box.
    pub band: PixelRect,
    /// The image given to the recogniser (positions are fractions of its width).
    pub crop: PixelRect,
    /// The text size in pixels (the line height).
    pub em: u32,
}

impl LineInk<'_> {
    /// Page column of a position given as a fraction of the crop's width.
    fn x_of(&self, position: f32) -> u32 {
        self.crop.x0 + (position * self.crop.width() as f32).round() as u32
    }

    /// Whether column `x` holds ink inside the band.
    fn column_has_ink(&self, x: u32) -> bool {
        (self.band.y0..self.band.y1).any(|y| self.ink.row(y)[x as usize])
    }

    /// The first and last rows with ink in columns `x0..x1` of the band.
    fn ink_rows(&self, x0: u32, x1: u32) -> Option<(u32, u32)> {
        let (x0, x1) = (x0.max(self.band.x0), x1.min(self.band.x1));
        let has = |y: u32| self.ink.row(y)[x0 as usize..x1 as usize].contains(&true);
        let top = (self.band.y0..self.band.y1).find(|&y| has(y))?;
        let bottom = (self.band.y0..self.band.y1).rev().find(|&y| has(y))?;
        Some((top, bottom + 1))
    }
}

/// The line's text after all the rules of this module, with the recogniser's alternatives
/// for each of its CJK ideographs, in order (none when the recogniser gave none).
pub fn line_text(r: &Recognized, line: &LineInk) -> (String, Vec<Alternatives>) {
    let mut chars: Vec<char> = r.text.chars().collect();
    if r.positions.len() != chars.len() {
        return (r.text.chars().map(fold_punctuation).collect(), Vec::new());
    }
    let mut alternatives = if r.alternatives.len() == chars.len() {
        r.alternatives.clone()
    } else {
        vec![Alternatives::default(); chars.len()]
    };
    let mut xs: Vec<u32> = r.positions.iter().map(|&p| line.x_of(p)).collect();
    fill_unread_ink(&mut chars, &mut xs, &mut alternatives, &r.runners_up, line);
    for c in &mut chars {
        *c = fold_punctuation(*c);
    }
    let latin_commas = latin_commas(&chars, &xs, line);
    for (c, &x) in chars.iter_mut().zip(&xs) {
        if matches!(*c, ':' | ';') {
            *c = colon_or_semicolon(line, x).unwrap_or(*c);
        }
    }
    for i in 0..chars.len() {
        if chars[i] == '°' && !(i > 0 && chars[i - 1].is_ascii_digit()) {
            chars[i] = '。';
        }
    }
    let text = insert_spaces(&chars, &xs, &latin_commas, line);
    let ideographs = chars
        .iter()
        .zip(alternatives)
        .filter(|(c, _)| is_ideograph(**c));
    let alternatives = ideographs.map(|(_, a)| a).collect::<Vec<_>>();
    let given = alternatives.iter().any(|a| !a.is_empty());
    (text, if given { alternatives } else { Vec::new() })
}

/// Least probability for a runner-up to fill unread ink.
const MIN_RUNNER_UP: f32 = 0.1;

/// Puts a runner-up character in every stretch of ink (at least a tenth of an em of ink
/// columns) that lies more than half an em from every character read: the most probable
/// runner-up placed over that stretch, if it reaches [`MIN_RUNNER_UP`] (its alternatives:
/// itself).
fn fill_unread_ink(
    chars: &mut Vec<char>,
    xs: &mut Vec<u32>,
    alternatives: &mut Vec<Alternatives>,
    runners: &[RunnerUp],
    line: &LineInk,
) {
    let em = line.em.max(1);
    let reach = em / 2;
    let read = |x: u32, xs: &[u32]| xs.iter().any(|&c| x + reach >= c && x <= c + reach);
    let mut stretches: Vec<(u32, u32, u32)> = Vec::new(); // (first, last, ink columns)
    for x in line.band.x0..line.band.x1 {
        if read(x, xs) {
            continue;
        }
        let ink = u32::from(line.column_has_ink(x));
        match stretches.last_mut() {
            Some(s) if s.1 + 1 == x => {
                s.1 = x;
                s.2 += ink;
            }
            _ => stretches.push((x, x, ink)),
        }
    }
    for (first, last, ink) in stretches {
        if ink * 10 < em {
            continue;
        }
        let slack = em / 4;
        let best = runners
            .iter()
            .filter(|u| u.probability >= MIN_RUNNER_UP && u.text.chars().count() == 1)
            .map(|u| (line.x_of(u.position), u))
            .filter(|&(x, _)| x + slack >= first && x <= last + slack)
            .max_by(|a, b| a.1.probability.total_cmp(&b.1.probability));
        if let Some((x, u)) = best {
            let at = xs.partition_point(|&c| c < x);
            let c = u.text.chars().next().unwrap_or(' ');
            chars.insert(at, c);
            xs.insert(at, x);
            alternatives.insert(at, Box::new([(c, u.probability)]));
        }
    }
}

/// Full-width brackets, colon and semicolon as ASCII: the recognisers pick either form
/// for the same glyph, so OCR text uses one (the ASCII form the reports print).
fn fold_punctuation(c: char) -> char {
    match c {
        '（' => '(',
        '）' => ')',
        '：' => ':',
        '；' => ';',
        _ => c,
    }
}

/// Which of the line's "，" are a Latin comma followed by a space (the recognisers read
/// both as "，").
///
/// - "，" fills an em with its blank after the ink; where the Latin comma and a space are
///   narrower (most fonts), a blank after the comma under 0.55 em means Latin.
/// - In Ming/Song faces the Latin comma and space are half an em each, so the blank does
///   not tell; there the Latin comma sits on the baseline while "，" hangs lower: a comma
///   whose ink ends more than 0.03 em above the ideographs' baseline and starts more than
///   0.25 em above it is Latin (the full-width comma starts lower, about 0.2 em above).
fn latin_commas(chars: &[char], xs: &[u32], line: &LineInk) -> Vec<bool> {
    let em = line.em.max(1);
    let baseline = ideograph_baseline(chars, xs, line);
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if c != '，' {
                return false;
            }
            if let Some(&next) = xs.get(i + 1) {
                if chars[i + 1] != ' ' && widest_blank(line, xs[i], next) * 20 < em * 11 {
                    return true;
                }
            }
            let Some((x0, x1)) = ink_run_near(line, xs[i], em * 7 / 20) else {
                return false;
            };
            match (baseline, line.ink_rows(x0, x1)) {
                (Some(base), Some((top, bottom))) => {
                    let above =
                        |y: u32, share: f64| f64::from(base) - f64::from(y) > share * f64::from(em);
                    above(bottom, 0.03) && above(top, 0.25)
                }
                _ => false,
            }
        })
        .collect()
}

/// ":" or ";" from the glyph's ink near column `x`: two marks stacked, the lower one at
/// most 1.2 times as tall as the upper (two dots) or at least 1.45 times (the comma under
/// the dot of a semicolon); `None` when the ink is not two marks or the ratio in between.
fn colon_or_semicolon(line: &LineInk, x: u32) -> Option<char> {
    let (x0, x1) = ink_run_near(line, x, line.em * 7 / 20)?;
    let (x0, x1) = (x0 as usize, x1 as usize);
    let mut marks: Vec<u32> = Vec::new();
    let mut run = 0;
    for y in line.band.y0..=line.band.y1 {
        if y < line.band.y1 && line.ink.row(y)[x0..x1].contains(&true) {
            run += 1;
        } else if run > 0 {
            marks.push(run);
            run = 0;
        }
    }
    match marks[..] {
        [upper, lower] if lower * 5 <= upper * 6 => Some(':'),
        [upper, lower] if lower * 20 >= upper * 29 => Some(';'),
        _ => None,
    }
}

/// The median bottom row of the ideographs' ink (each within 0.4 em of its centre).
fn ideograph_baseline(chars: &[char], xs: &[u32], line: &LineInk) -> Option<u32> {
    let half = line.em * 2 / 5;
    let mut bottoms: Vec<u32> = chars
        .iter()
        .zip(xs)
        .filter(|(c, _)| is_ideograph(**c))
        .filter_map(|(_, &x)| line.ink_rows(x.saturating_sub(half), x + half + 1))
        .map(|(_, bottom)| bottom)
        .collect();
    if bottoms.len() < 2 {
        return None;
    }
    bottoms.sort_unstable();
    Some(bottoms[bottoms.len() / 2])
}

/// The run of ink columns (inside the band) nearest to column `x`, within `reach` of it.
fn ink_run_near(line: &LineInk, x: u32, reach: u32) -> Option<(u32, u32)> {
    let lo = x.saturating_sub(reach).max(line.band.x0);
    let hi = (x + reach + 1).min(line.band.x1);
    let mut best: Option<(u32, u32)> = None;
    let mut start = None;
    for c in lo..=hi {
        let inked = c < hi && line.column_has_ink(c);
        match (inked, start) {
            (true, None) => start = Some(c),
            (false, Some(s)) => {
                let dist = |(a, b): (u32, u32)| (a + b).abs_diff(2 * x);
                if best.is_none_or(|b| dist((s, c)) < dist(b)) {
                    best = Some((s, c));
                }
                start = None;
            }
            _ => {}
        }
    }
    best
}

/// The recogniser rarely emits spaces; the printed ones are recovered from the ink: a space
/// goes between two characters when the widest ink-free gap between their centres is at
/// least 0.3 em, unless both are ideographs (justified CJK has no spaces), either is CJK
/// punctuation or a full-width form (their glyphs carry their own blank), both belong to a
/// number, or the pair is a sign and its number or a bracket and its content. A "，"
/// marked in `latin` becomes ", ".
fn insert_spaces(chars: &[char], xs: &[u32], latin: &[bool], line: &LineInk) -> String {
    let spaceable = |c: char| !is_wide(c) || is_ideograph(c);
    let min_gap = (line.em * 3).div_ceil(10);
    let in_number = |c: char| c.is_ascii_digit() || matches!(c, '.' | ',' | '%');
    let mut out = String::with_capacity(chars.len() * 3 + 4);
    for (i, &c) in chars.iter().enumerate() {
        if i > 0 {
            let a = chars[i - 1];
            let eligible = a != ' '
                && c != ' '
                && spaceable(a)
                && spaceable(c)
                && !(is_ideograph(a) && is_ideograph(c))
                && !(in_number(a) && in_number(c))
                && !matches!(a, '≥' | '≤' | '<' | '>' | '=' | '~' | '(' | '/')
                && !matches!(c, ')' | '/' | '%' | ':' | ';' | ',');
            if eligible && widest_blank(line, xs[i - 1], xs[i]) >= min_gap {
                out.push(' ');
            }
            if latin[i - 1] && c != ' ' {
                out.push(' ');
            }
        }
        out.push(if latin[i] { ',' } else { c });
    }
    out
}

/// The widest run of ink-free columns of the band between columns `from` and `to`.
fn widest_blank(line: &LineInk, from: u32, to: u32) -> u32 {
    let (mut best, mut run) = (0, 0);
    for x in from.max(line.band.x0)..to.min(line.band.x1) {
        if line.column_has_ink(x) {
            run = 0;
        } else {
            run += 1;
            best = best.max(run);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    const EM: u32 = 20;
    const WIDTH: u32 = 200;
    /// The ideographs' baseline (their ink ends on the row above).
    const BASE: u32 = 30;

    /// A line image: filled rectangles `(x0, x1, y0, y1)` of ink.
    fn ink(boxes: &[(u32, u32, u32, u32)]) -> Binary {
        let mut b = Binary {
            width: WIDTH,
            height: 40,
            ink: vec![false; (WIDTH * 40) as usize],
        };
        for &(x0, x1, y0, y1) in boxes {
            for y in y0..y1 {
                for x in x0..x1 {
                    b.ink[(y * WIDTH + x) as usize] = true;
                }
            }
        }
        b
    }

    /// An ideograph's ink centred on column `x`.
    fn ideograph(x: u32) -> (u32, u32, u32, u32) {
        (x - 8, x + 8, BASE - 19, BASE)
    }

    fn line(ink: &Binary) -> LineInk<'_> {
        let whole = PixelRect {
            x0: 0,
            y0: 0,
            x1: WIDTH,
            y1: 40,
        };
        let (mut x0, mut x1, mut y0, mut y1) = (WIDTH, 0, 40, 0);
        for y in 0..40 {
            for x in 0..WIDTH {
                if ink.ink[(y * WIDTH + x) as usize] {
                    (x0, x1, y0, y1) = (x0.min(x), x1.max(x + 1), y0.min(y), y1.max(y + 1));
                }
            }
        }
        LineInk {
            ink,
            band: PixelRect { x0, y0, x1, y1 },
            crop: whole,
            em: EM,
        }
    }

    /// What the recogniser returned: characters at columns, runner-ups `(text, column, p)`.
    fn read(chars: &[(char, u32)], runners: &[(&str, u32, f32)]) -> Recognized {
        let at = |x: u32| x as f32 / WIDTH as f32;
        Recognized {
            text: chars.iter().map(|c| c.0).collect(),
            confidence: 0.9,
            positions: chars.iter().map(|c| at(c.1)).collect(),
            runners_up: runners
                .iter()
                .map(|&(text, x, probability)| RunnerUp {
                    text: text.into(),
                    position: at(x),
                    probability,
                })
                .collect(),
            alternatives: Vec::new(),
        }
    }

    #[test]
    fn unread_ink_takes_the_runner_up_over_it() {
        // "千人" read, a closing bracket's ink after them left unread.
        let b = ink(&[ideograph(20), ideograph(40), (55, 59, BASE - 19, BASE + 2)]);
        let runners = [("）", 57, 0.3), ("一", 30, 0.4)];
        let r = read(&[('千', 20), ('人', 40)], &runners);
        assert_eq!(line_text(&r, &line(&b)).0, "千人)");
        // Too unlikely, or no ink under it: nothing is added.
        let r = read(&[('千', 20), ('人', 40)], &[("）", 57, 0.05)]);
        assert_eq!(line_text(&r, &line(&b)).0, "千人");
        let b = ink(&[ideograph(20), ideograph(40)]);
        let r = read(&[('千', 20), ('人', 40)], &runners);
        assert_eq!(line_text(&r, &line(&b)).0, "千人");
    }

    #[test]
    fn comma_followed_by_a_narrow_blank_is_latin() {
        let comma = (50, 53, BASE - 3, BASE + 2);
        let b = ink(&[ideograph(20), ideograph(40), comma, ideograph(66)]);
        let r = read(&[('计', 20), ('划', 40), ('，', 51), ('完', 66)], &[]);
        assert_eq!(line_text(&r, &line(&b)).0, "计划, 完");
    }

    #[test]
    fn comma_height_tells_latin_from_full_width_in_ming_faces() {
        // A blank of a whole em after both; the Latin comma sits on the baseline.
        for (comma, want) in [
            ((50, 53, BASE - 6, BASE - 1), "计划, 完"),
            ((50, 53, BASE - 4, BASE + 1), "计划，完"),
        ] {
            let b = ink(&[ideograph(20), ideograph(40), comma, ideograph(78)]);
            let r = read(&[('计', 20), ('划', 40), ('，', 51), ('完', 78)], &[]);
            assert_eq!(line_text(&r, &line(&b)).0, want);
        }
    }

    #[test]
    fn colon_and_semicolon_from_their_marks() {
        let dot = (36, 39, BASE - 14, BASE - 11);
        for (lower, read_as, want) in [
            ((36, 39, BASE - 3, BASE), ';', "标: 下"),
            ((36, 39, BASE - 3, BASE + 2), ':', "标; 下"),
            ((36, 39, BASE - 3, BASE + 1), ':', "标: 下"), // 4 over 3 rows: as read
        ] {
            let b = ink(&[ideograph(20), dot, lower, ideograph(56)]);
            let r = read(&[('标', 20), (read_as, 37), ('下', 56)], &[]);
            assert_eq!(line_text(&r, &line(&b)).0, want);
        }
    }

    #[test]
    fn degree_sign_is_a_full_stop_unless_after_a_digit() {
        let b = ink(&[ideograph(20), (36, 40, 20, 24)]);
        let r = read(&[('位', 20), ('°', 38)], &[]);
        assert_eq!(line_text(&r, &line(&b)).0, "位。");
        let b = ink(&[(16, 24, 14, 30), (26, 30, 14, 18)]);
        let r = read(&[('5', 20), ('°', 28)], &[]);
        assert_eq!(line_text(&r, &line(&b)).0, "5°");
    }

    #[test]
    fn spaces_from_gaps_between_latin_and_ideographs() {
        // "检 4 批": 7 px (> 0.3 em) blank on both sides of the digit.
        let b = ink(&[ideograph(20), (35, 41, 14, 30), ideograph(56)]);
        let r = read(&[('检', 20), ('4', 38), ('批', 56)], &[]);
        assert_eq!(line_text(&r, &line(&b)).0, "检 4 批");
        // Full-width brackets and colon fold to ASCII, with no space inside brackets.
        let b = ink(&[(10, 14, 11, 30), ideograph(30), (46, 50, 11, 30)]);
        let r = read(&[('（', 12), ('次', 30), ('）', 48)], &[]);
        assert_eq!(line_text(&r, &line(&b)).0, "(次)");
    }
}
