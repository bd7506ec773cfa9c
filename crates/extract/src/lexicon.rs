//! How well a character forms Chinese words with its neighbours: the prior on Chinese text
//! that settles a glyph code the recogniser cannot tell from a look-alike (see
//! `reread::GlyphVotes`). The words and their frequencies are jieba's general dictionary
//! (349,045 words counted over general Chinese text; the `jieba-rs` crate embeds it),
//! nothing taken from the documents read here.

use std::sync::OnceLock;

use jieba_rs::Jieba;

/// Longest word looked up, in characters.
const MAX_WORD: usize = 4;

/// The dictionary, with the log of its total count (what a word's frequency is over).
struct Dictionary {
    jieba: Jieba,
    log_total: f64,
}

fn dictionary() -> &'static Dictionary {
    static DICTIONARY: OnceLock<Dictionary> = OnceLock::new();
    DICTIONARY.get_or_init(|| {
        let jieba = Jieba::new();
        // The total is not exposed; `suggest_freq` of a string that is no word is the product
        // of its words' frequencies over the total (plus one): "的的" is two of the commonest
        // word, 的, whose square over the total (about 1,700) leaves the rounding negligible.
        let common = (jieba.suggest_freq("的").saturating_sub(1) as f64).max(1.0);
        let pair = (jieba.suggest_freq("的的").saturating_sub(1) as f64).max(1.0);
        let log_total = 2.0 * common.ln() - pair.ln();
        Dictionary { jieba, log_total }
    })
}

/// Frequency of `word` in the dictionary (0 when it is not a word there).
fn frequency(jieba: &Jieba, word: &str) -> u64 {
    if !jieba.has_word(word) {
        return 0;
    }
    // For a word of the dictionary, `suggest_freq` is its frequency plus one.
    jieba.suggest_freq(word).saturating_sub(1) as u64
}

/// The log-probability of the text `left` (nearest first) · `c` · `right` (nearest first)
/// under the dictionary's unigram word model, as jieba segments: the most probable split
/// into words of up to [`MAX_WORD`] characters, each word `w` costing `ln(f(w) / total)`,
/// a character that is no word counting once. Of two candidates for `c`, the one that forms
/// words with its neighbours (修缮: one word) beats one that leaves characters alone
/// (修 · 鳝: two words, one of them rare).
fn text_log_probability(left: &[char], c: char, right: &[char]) -> f64 {
    let Dictionary { jieba, log_total } = dictionary();
    let left = &left[..left.len().min(MAX_WORD - 1)];
    let right = &right[..right.len().min(MAX_WORD - 1)];
    let text: Vec<char> = left
        .iter()
        .rev()
        .chain([&c])
        .chain(right)
        .copied()
        .collect();
    // best[i]: the most probable split of text[i..].
    let mut best = vec![0.0f64; text.len() + 1];
    for i in (0..text.len()).rev() {
        best[i] = (1..=MAX_WORD.min(text.len() - i))
            .filter_map(|len| {
                let word: String = text[i..i + len].iter().collect();
                let f = match frequency(jieba, &word) {
                    0 if len == 1 => 1,
                    0 => return None,
                    f => f,
                };
                Some((f as f64).ln() - log_total + best[i + len])
            })
            .fold(f64::NEG_INFINITY, f64::max);
    }
    best[0]
}

/// How much more probable the text `left` · `c` · `right` makes `c` than `c` alone:
/// `ln P(text) − ln P(c)` (see [`text_log_probability`]), the log of `p(c | context) / p(c)`
/// up to a term that is the same for every `c`. Only the words `c` forms count, not how
/// common it is.
pub(crate) fn context_log_gain(left: &[char], c: char, right: &[char]) -> f64 {
    text_log_probability(left, c, right) - text_log_probability(&[], c, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_that_forms_a_word_outscores_its_look_alike() {
        let p = |l: &str, c: char, r: &str| {
            context_log_gain(
                &l.chars().rev().collect::<Vec<_>>(),
                c,
                &r.chars().collect::<Vec<_>>(),
            )
        };
        // 修缮 (to repair) is a word, 修鳝 nothing.
        assert!(p("修", '缮', "事务") > p("修", '鳝', "事务") + 5.0);
        // 竣工 (completed) against 峻工.
        assert!(p("", '竣', "工") > p("", '峻', "工") + 2.0);
        // Alone, every character gains nothing, common (一) or rare (丶).
        assert_eq!(p("", '一', ""), 0.0);
        assert_eq!(p("", '丶', ""), 0.0);
        // The total the frequencies are over: jieba's dictionary counts about 60 million.
        let total = dictionary().log_total.exp();
        assert!((5e7..7e7).contains(&total), "{total}");
    }
}
