//! Printed values to canonical ones: decimal numbers, goal texts and the parsed form of
//! 年度指标值 / 实际完成值 (CONTRACTS.md, "Printed vs canonical values" and "Parsing …").

use std::borrow::Cow;
use std::str::FromStr;
use std::sync::LazyLock;

use regex::Regex;
use rust_decimal::Decimal;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

use crate::record::{Comparison, ParsedValue};

/// A number as printed: optional thousands separators, ASCII digits after NFKC.
const NUM: &str = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?";
/// A unit: "%", a parenthesised group without digits, or a trailing run without digits,
/// parentheses or spaces.
const UNIT: &str = r"(?P<pct>%)|\((?P<paren>[^0-9()]+)\)|(?P<run>[^0-9()\s]+)";

static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^[+-]?(?:{NUM})$")).expect("static regex"));
static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?P<low>{NUM})\s*[-~～至]\s*(?P<high>{NUM})\s*(?:{UNIT})?$"
    ))
    .expect("static regex")
});
static QUANTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?:(?P<op>>=|<=|≥|≤|≧|≦|=|>|<|约)\s*)?(?P<num>{NUM})\s*(?:{UNIT})?\s*(?:\((?P<note>.*)\))?$"
    ))
    .expect("static regex")
});
static MARKUP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)<\s*/?\s*p\b[^>]*>|<\s*br\s*/?\s*>").expect("static regex"));

/// NFKC-normalised: borrowed when the quick check shows `text` is already in NFKC (most
/// cells are), which skips decomposing and recomposing every character.
pub fn nfkc(text: &str) -> Cow<'_, str> {
    // ASCII and the CJK Unified Ideographs block are NFKC whatever surrounds them: no
    // decomposition and combining class 0, so no table lookup is needed for them.
    let plain = |c: char| c.is_ascii() || ('\u{4E00}'..='\u{9FFF}').contains(&c);
    if text.chars().all(plain) || is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfkc().collect())
    }
}

/// NFKC-normalised and trimmed.
pub fn nfkc_trim(text: &str) -> String {
    nfkc(text).trim().to_string()
}

/// Whether a printed value means "no value": after NFKC and trimming, empty or one of the
/// dashes "-", "—", "–".
pub fn is_blank(text: &str) -> bool {
    matches!(nfkc_trim(text).as_str(), "" | "-" | "—" | "–")
}

/// A printed text as a record field: trimmed, `None` when blank.
pub fn field_text(text: &str) -> Option<String> {
    if is_blank(text) {
        None
    } else {
        Some(text.trim().to_string())
    }
}

/// A printed number that could not be read as one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a number: {0:?}")]
pub struct UnreadableNumber(pub String);

/// Reads a printed number: NFKC, thousands separators removed, printed scale kept
/// ("1,663.27" → 1663.27, "10.00" → 10.00). Blank → `Ok(None)`. One of `suffixes` (e.g. "%"
/// for a rate) may follow the number.
pub fn number(text: &str, suffixes: &[&str]) -> Result<Option<Decimal>, UnreadableNumber> {
    if is_blank(text) {
        return Ok(None);
    }
    let t = nfkc_trim(text);
    let bare = suffixes
        .iter()
        .find_map(|s| t.strip_suffix(s))
        .map_or(t.as_str(), str::trim_end);
    if !NUMBER.is_match(bare) {
        return Err(UnreadableNumber(text.trim().to_string()));
    }
    decimal(bare)
        .map(Some)
        .ok_or_else(|| UnreadableNumber(text.trim().to_string()))
}

/// A decimal from digits with optional thousands separators; `None` when out of range.
fn decimal(digits: &str) -> Option<Decimal> {
    Decimal::from_str(&digits.replace(',', "")).ok()
}

/// A goal text: `<p>`/`</p>`/`<br>` markup removed, paragraphs trimmed and joined with "\n".
/// `None` when nothing is left.
pub fn goal_text(text: &str) -> Option<String> {
    let joined = MARKUP
        .split(text)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    field_text(&joined)
}

/// Parses a 年度指标值 / 实际完成值 by the contract's rules; `None` for a blank value.
pub fn parse_value(text: &str) -> Option<ParsedValue> {
    if is_blank(text) {
        return None;
    }
    let t = nfkc_trim(text);
    if let Some(c) = RANGE.captures(&t) {
        if let (Some(low), Some(high)) = (decimal(&c["low"]), decimal(&c["high"])) {
            return Some(ParsedValue::Range {
                low,
                high,
                unit: unit(&c),
            });
        }
    }
    if let Some(c) = QUANTITY.captures(&t) {
        if let Some(value) = decimal(&c["num"]) {
            let op = c.name("op").map(|m| comparison(m.as_str()));
            let note = c.name("note").map(|m| m.as_str().trim().to_string());
            return Some(ParsedValue::Quantity {
                op,
                value,
                unit: unit(&c),
                note,
            });
        }
    }
    Some(ParsedValue::Qualitative { text: t })
}

fn unit(c: &regex::Captures<'_>) -> Option<String> {
    if c.name("pct").is_some() {
        return Some("%".to_string());
    }
    c.name("paren")
        .or_else(|| c.name("run"))
        .map(|m| m.as_str().trim().to_string())
        .filter(|u| !u.is_empty())
}

fn comparison(op: &str) -> Comparison {
    match op {
        "≥" | ">=" | "≧" => Comparison::Ge,
        "≤" | "<=" | "≦" => Comparison::Le,
        ">" => Comparison::Gt,
        "<" => Comparison::Lt,
        "约" => Comparison::Approx,
        _ => Comparison::Eq,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfkc_borrows_normalised_text_and_folds_the_rest() {
        assert!(matches!(nfkc("项目名称 2023 (万元)"), Cow::Borrowed(_)));
        assert!(matches!(nfkc("满意度≥95%"), Cow::Borrowed(_)));
        assert_eq!(nfkc("项目资金（万元）１２３．５"), "项目资金(万元)123.5");
        assert_eq!(nfkc("⾦额"), "金额", "Kangxi radical");
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn qty(
        op: Option<Comparison>,
        value: &str,
        unit: Option<&str>,
        note: Option<&str>,
    ) -> ParsedValue {
        ParsedValue::Quantity {
            op,
            value: d(value),
            unit: unit.map(String::from),
            note: note.map(String::from),
        }
    }

    #[test]
    fn numbers_keep_scale_and_drop_separators() {
        assert_eq!(
            number("1,663.27", &[]).unwrap().unwrap().to_string(),
            "1663.27"
        );
        assert_eq!(number("10.00", &[]).unwrap().unwrap().to_string(), "10.00");
        assert_eq!(
            number("１２．５０", &[]).unwrap().unwrap().to_string(),
            "12.50"
        );
        assert_eq!(
            number(" 99.04% ", &["%"]).unwrap().unwrap().to_string(),
            "99.04"
        );
        assert_eq!(number("-", &[]), Ok(None));
        assert_eq!(number("—", &[]), Ok(None));
        assert_eq!(number("", &[]), Ok(None));
        assert_eq!(
            number("99.04%", &[]),
            Err(UnreadableNumber("99.04%".into()))
        );
        assert_eq!(
            number("1,66.3", &[]),
            Err(UnreadableNumber("1,66.3".into()))
        );
        assert_eq!(number("abc", &[]), Err(UnreadableNumber("abc".into())));
    }

    #[test]
    fn goal_markup_removed() {
        assert_eq!(
            goal_text("<p>甲。</p> <p>乙。</p>").as_deref(),
            Some("甲。\n乙。")
        );
        assert_eq!(goal_text("一<br>二<BR/>三").as_deref(), Some("一\n二\n三"));
        assert_eq!(goal_text("  只有一段。 ").as_deref(), Some("只有一段。"));
        assert_eq!(goal_text("<p></p>"), None);
        assert_eq!(goal_text("<p class=\"x\">甲</p>").as_deref(), Some("甲"));
    }

    #[test]
    fn every_seed_value_form() {
        use Comparison::*;
        assert_eq!(
            parse_value("=100(%)"),
            Some(qty(Some(Eq), "100", Some("%"), None))
        );
        assert_eq!(
            parse_value("≥1000.00(份)"),
            Some(qty(Some(Ge), "1000.00", Some("份"), None))
        );
        assert_eq!(
            parse_value("约 30 人"),
            Some(qty(Some(Approx), "30", Some("人"), None))
        );
        assert_eq!(
            parse_value("1-2 批次"),
            Some(ParsedValue::Range {
                low: d("1"),
                high: d("2"),
                unit: Some("批次".into())
            })
        );
        assert_eq!(
            parse_value("100% (2023 年 12 月)"),
            Some(qty(None, "100", Some("%"), Some("2023 年 12 月")))
        );
        assert_eq!(
            parse_value("≤0.00(次数)"),
            Some(qty(Some(Le), "0.00", Some("次数"), None))
        );
        assert_eq!(
            parse_value(">95(%)"),
            Some(qty(Some(Gt), "95", Some("%"), None))
        );
        assert_eq!(
            parse_value("=0.00(%)"),
            Some(qty(Some(Eq), "0.00", Some("%"), None))
        );
        assert_eq!(
            parse_value("25 篇"),
            Some(qty(None, "25", Some("篇"), None))
        );
        assert_eq!(parse_value("100%"), Some(qty(None, "100", Some("%"), None)));
        assert_eq!(
            parse_value("95.00(%)"),
            Some(qty(None, "95.00", Some("%"), None))
        );
        assert_eq!(
            parse_value("0 履职事故"),
            Some(qty(None, "0", Some("履职事故"), None))
        );
        assert_eq!(
            parse_value("≥60(人次)"),
            Some(qty(Some(Ge), "60", Some("人次"), None))
        );
        assert_eq!(
            parse_value("1,200 人"),
            Some(qty(None, "1200", Some("人"), None))
        );
        assert_eq!(
            parse_value("＞９５（％）"),
            Some(qty(Some(Gt), "95", Some("%"), None))
        );
        assert_eq!(
            parse_value(">=90%"),
            Some(qty(Some(Ge), "90", Some("%"), None))
        );
        assert_eq!(parse_value("8"), Some(qty(None, "8", None, None)));
        for word in ["具有可持续性", "健全", "达成指标", "及时", "年底前完成"] {
            assert_eq!(
                parse_value(word),
                Some(ParsedValue::Qualitative { text: word.into() })
            );
        }
        assert_eq!(
            parse_value("2023年12月前完成"),
            Some(ParsedValue::Qualitative {
                text: "2023年12月前完成".into()
            })
        );
        assert_eq!(
            parse_value(">=1,200（人）"),
            Some(qty(Some(Ge), "1200", Some("人"), None))
        );
        assert_eq!(
            parse_value("３～５ 天"),
            Some(ParsedValue::Range {
                low: d("3"),
                high: d("5"),
                unit: Some("天".into())
            })
        );
        assert_eq!(
            parse_value("≧90 (%)"),
            Some(qty(Some(Ge), "90", Some("%"), None))
        );
        assert_eq!(
            parse_value("100%(备注(一))"),
            Some(qty(None, "100", Some("%"), Some("备注(一)")))
        );
        assert_eq!(
            parse_value("--"),
            Some(ParsedValue::Qualitative { text: "--".into() })
        );
        assert_eq!(parse_value("-"), None);
        assert_eq!(parse_value("  "), None);
    }
}
