//! Clean-up of recognised text in numeric cells: CJK look-alikes read inside numbers map
//! back to digits and number punctuation, and a lone dash ("-", "—", or "一" as the models
//! read it) becomes "-", which the normaliser turns into null.

/// Characters a recogniser returns for number glyphs, with what they stand for.
const LOOK_ALIKES: &[(char, char)] = &[
    ('一', '-'),
    ('—', '-'),
    ('–', '-'),
    ('－', '-'),
    ('−', '-'),
    ('_', '-'),
    ('。', '.'),
    (':', '.'),
    ('：', '.'),
    ('·', '.'),
    ('．', '.'),
    ('，', ','),
    ('、', ','),
    ('〇', '0'),
    ('○', '0'),
    ('O', '0'),
    ('o', '0'),
    ('D', '0'),
    ('l', '1'),
    ('I', '1'),
    ('|', '1'),
    ('％', '%'),
    ('（', '('),
    ('）', ')'),
    ('＝', '='),
    ('＞', '>'),
    ('＜', '<'),
];

/// Characters a number cell may hold besides digits: decimal point, separators, percent,
/// comparison signs and the parentheses of "(%)".
const NUMBER_PUNCTUATION: &str = ".,%-+()=<>≥≤~ ";

/// What a text line of a table cell reads as, once number look-alikes are settled.
///
/// - "-", "—", "–", "一" (and repeats or look-alike runs of them) alone → "-";
/// - text with at least two ASCII/full-width digits whose every other character is number
///   punctuation or a look-alike → look-alikes replaced ("99。04" → "99.04",
///   "1O0.00" → "100.00", "=95（%）" → "=95(%)"), except a final "。" (the end of a
///   sentence wrapped onto this line: "45.63%。"); a dot after the last digit is dropped
///   ("10.00." → "10.00": a number does not end with its decimal point);
/// - anything else (words, units, dates) → unchanged.
pub fn fold_number_text(text: &str) -> String {
    let trimmed = text.trim();
    if !trimmed.is_empty()
        && trimmed
            .chars()
            .all(|c| matches!(c, '-' | '—' | '–' | '一' | '－' | '−' | '_'))
    {
        return "-".into();
    }
    let digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    let look_alike = |c: char| LOOK_ALIKES.iter().any(|&(l, _)| l == c);
    let digits = trimmed.chars().filter(|&c| digit(c)).count();
    let numeric = digits >= 2
        && trimmed.chars().all(|c| digit(c) || NUMBER_PUNCTUATION.contains(c) || look_alike(c))
        // Letters that look like digits only count when digits are the majority.
        && trimmed.chars().filter(|c| c.is_ascii_alphabetic()).count() * 2 < digits;
    if !numeric {
        return text.to_string();
    }
    // A full stop ending the text ends a sentence (a wrapped line of prose), not a number.
    let (body, stop) = match trimmed.strip_suffix('。') {
        Some(body) => (body, "。"),
        None => (trimmed, ""),
    };
    let mut folded: String = body
        .chars()
        .map(|c| {
            if ('０'..='９').contains(&c) {
                char::from(b'0' + (c as u32 - '０' as u32) as u8)
            } else {
                LOOK_ALIKES
                    .iter()
                    .find(|&&(l, _)| l == c)
                    .map_or(c, |&(_, r)| r)
            }
        })
        .filter(|&c| c != ' ')
        .collect();
    // A number never ends with its decimal point: a dot after the last digit is a speck.
    if stop.is_empty()
        && folded.ends_with('.')
        && folded[..folded.len() - 1].ends_with(|c: char| c.is_ascii_digit())
    {
        folded.pop();
    }
    folded + stop
}

#[cfg(test)]
mod tests {
    use super::fold_number_text;

    #[test]
    fn lone_dashes_become_minus() {
        for s in ["一", "—", "-", "–", " 一 ", "——", "－"] {
            assert_eq!(fold_number_text(s), "-", "{s:?}");
        }
    }

    #[test]
    fn look_alikes_inside_numbers() {
        assert_eq!(fold_number_text("99。04"), "99.04");
        assert_eq!(fold_number_text("1O0.00"), "100.00");
        assert_eq!(fold_number_text("1,663.27"), "1,663.27");
        assert_eq!(fold_number_text("=95（%）"), "=95(%)");
        assert_eq!(fold_number_text("４３７６０．７５"), "43760.75");
        assert_eq!(fold_number_text("1一2"), "1-2");
        assert_eq!(fold_number_text("20:00"), "20.00");
        assert_eq!(fold_number_text("10: 00"), "10.00");
    }

    #[test]
    fn sentence_end_is_kept_and_trailing_dot_dropped() {
        assert_eq!(fold_number_text("45.63%。"), "45.63%。");
        assert_eq!(fold_number_text("１００%。"), "100%。");
        assert_eq!(fold_number_text("10.00."), "10.00");
        assert_eq!(fold_number_text("1,663."), "1,663");
        assert_eq!(fold_number_text("95%."), "95%.");
    }

    #[test]
    fn words_and_units_are_kept() {
        assert_eq!(fold_number_text("一级指标"), "一级指标");
        assert_eq!(fold_number_text("25 篇"), "25 篇");
        assert_eq!(fold_number_text("达成指标"), "达成指标");
        assert_eq!(fold_number_text("(2023 年度)"), "(2023 年度)");
        assert_eq!(fold_number_text("ISO"), "ISO");
    }
}
