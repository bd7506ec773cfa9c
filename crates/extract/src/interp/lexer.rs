//! A zero-copy, error-tolerant content-stream lexer: operands borrowed from the stream where
//! possible, and a damaged token skipped (and counted) instead of ending the page, so that what
//! follows a bad byte is still read.

use std::borrow::Cow;

use crate::syntax::{
    decode_name, hex_string, is_regular, is_white, literal_string, parse_number, regular_run,
    skip_white,
};

/// Deepest nesting of arrays and dictionaries accepted in an operand.
const MAX_NESTING: usize = 32;
/// Most operands kept before an operator; beyond that the stream is garbage and they are dropped.
const MAX_OPERANDS: usize = 4096;
/// Most elements kept in one array operand.
const MAX_ARRAY: usize = 1 << 16;

/// An operand of a content-stream operator.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand<'a> {
    Number(f64),
    Name(Cow<'a, [u8]>),
    String(Cow<'a, [u8]>),
    Array(Vec<Operand<'a>>),
    /// A dictionary (a marked-content property list): its entries in order, a key without a
    /// readable value dropped.
    Dict(Vec<(Cow<'a, [u8]>, Operand<'a>)>),
    /// `true`, `false`, `null`.
    Keyword,
}

impl Operand<'_> {
    pub(crate) fn number(&self) -> Option<f64> {
        match self {
            Operand::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub(crate) fn name(&self) -> Option<&[u8]> {
        match self {
            Operand::Name(n) => Some(n),
            _ => None,
        }
    }

    /// The value of `key` when this is a dictionary that has it.
    pub(crate) fn get(&self, key: &[u8]) -> Option<&Operand<'_>> {
        match self {
            Operand::Dict(entries) => entries
                .iter()
                .find(|(k, _)| k.as_ref() == key)
                .map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Splits a content stream into operators with their operands.
pub(crate) struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
    /// Bytes or tokens that could not be read and were skipped.
    pub(crate) errors: usize,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Lexer {
            data,
            pos: 0,
            errors: 0,
        }
    }

    fn skip_white(&mut self) {
        skip_white(self.data, &mut self.pos);
    }

    fn regular_run(&mut self) -> &'a [u8] {
        regular_run(self.data, &mut self.pos)
    }

    /// The next operator and its operands (in `operands`, cleared first); `None` at the end.
    pub(crate) fn next_op(&mut self, operands: &mut Vec<Operand<'a>>) -> Option<&'a [u8]> {
        operands.clear();
        loop {
            self.skip_white();
            let &b = self.data.get(self.pos)?;
            if is_regular(b) && !matches!(b, b'0'..=b'9' | b'+' | b'-' | b'.') {
                let word = self.regular_run();
                match word {
                    b"true" | b"false" | b"null" => push(operands, Operand::Keyword),
                    b"BI" => {
                        self.skip_inline_image();
                        operands.clear();
                        return Some(word);
                    }
                    _ => return Some(word),
                }
                continue;
            }
            match self.operand(0) {
                Some(o) => push(operands, o),
                None => self.errors += 1,
            }
        }
    }

    /// One operand starting at the current position; `None` (having skipped at least one
    /// byte) when there is none.
    fn operand(&mut self, depth: usize) -> Option<Operand<'a>> {
        self.skip_white();
        let b = *self.data.get(self.pos)?;
        match b {
            b'/' => {
                self.pos += 1;
                let raw = self.regular_run();
                Some(Operand::Name(decode_name(raw)))
            }
            b'(' => self.literal_string().map(Operand::String),
            b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                self.dict(depth)
            }
            b'<' => self.hex_string().map(Operand::String),
            b'[' => {
                self.pos += 1;
                if depth >= MAX_NESTING {
                    return None;
                }
                let mut items = Vec::new();
                loop {
                    self.skip_white();
                    match self.data.get(self.pos) {
                        None => return Some(Operand::Array(items)),
                        Some(b']') => {
                            self.pos += 1;
                            return Some(Operand::Array(items));
                        }
                        Some(&c)
                            if is_regular(c) && !matches!(c, b'0'..=b'9' | b'+' | b'-' | b'.') =>
                        {
                            // An operator inside an array: the array was not closed.
                            self.errors += 1;
                            return Some(Operand::Array(items));
                        }
                        Some(_) => match self.operand(depth + 1) {
                            Some(o) if items.len() < MAX_ARRAY => items.push(o),
                            Some(_) => {}
                            None => self.errors += 1,
                        },
                    }
                }
            }
            b'0'..=b'9' | b'+' | b'-' | b'.' => {
                let token = self.regular_run();
                parse_number(token).map(Operand::Number)
            }
            _ => {
                // `)`, `>`, `]`, `{`, `}` out of place, or a keyword where an operand was due.
                self.pos += 1;
                None
            }
        }
    }

    fn literal_string(&mut self) -> Option<Cow<'a, [u8]>> {
        let (text, terminated) = literal_string(self.data, &mut self.pos);
        if !terminated {
            self.errors += 1;
        }
        Some(text)
    }

    fn hex_string(&mut self) -> Option<Cow<'a, [u8]>> {
        hex_string(self.data, &mut self.pos).map(Cow::Owned)
    }

    /// Reads a dictionary after its `<<`: keys (names) each followed by a value. A value that
    /// is not a name is read and dropped when no key precedes it; a bare keyword is skipped.
    fn dict(&mut self, depth: usize) -> Option<Operand<'a>> {
        if depth >= MAX_NESTING {
            return None;
        }
        let mut entries = Vec::new();
        let mut key: Option<Cow<'a, [u8]>> = None;
        loop {
            self.skip_white();
            match self.data.get(self.pos) {
                None => return Some(Operand::Dict(entries)),
                Some(b'>') => {
                    self.pos += 1;
                    if self.data.get(self.pos) == Some(&b'>') {
                        self.pos += 1;
                    }
                    return Some(Operand::Dict(entries));
                }
                Some(&c) if is_regular(c) && !matches!(c, b'0'..=b'9' | b'+' | b'-' | b'.') => {
                    let word = self.regular_run();
                    if let Some(k) = key.take() {
                        if matches!(word, b"true" | b"false" | b"null") {
                            Self::add_entry(&mut entries, k, Operand::Keyword);
                        }
                    }
                }
                Some(_) => match (self.operand(depth + 1), key.take()) {
                    (Some(value), Some(k)) => Self::add_entry(&mut entries, k, value),
                    (Some(Operand::Name(k)), None) => key = Some(k),
                    (Some(_), None) => self.errors += 1,
                    (None, _) => self.errors += 1,
                },
            }
        }
    }

    fn add_entry(
        entries: &mut Vec<(Cow<'a, [u8]>, Operand<'a>)>,
        key: Cow<'a, [u8]>,
        value: Operand<'a>,
    ) {
        if entries.len() < MAX_ARRAY {
            entries.push((key, value));
        }
    }

    /// Skips an inline image after `BI`: its parameters, `ID`, the data and `EI`.
    fn skip_inline_image(&mut self) {
        let data = self.data;
        let Some(id) = find_keyword(data, self.pos, b"ID") else {
            self.pos = data.len();
            self.errors += 1;
            return;
        };
        // The data ends at the first `EI` standing alone between whitespace (or at the end).
        let mut i = id + 3;
        while i + 2 <= data.len() {
            if &data[i..i + 2] == b"EI"
                && i > 0
                && is_white(data[i - 1])
                && data.get(i + 2).is_none_or(|&b| is_white(b))
            {
                self.pos = i + 2;
                return;
            }
            i += 1;
        }
        self.errors += 1;
        self.pos = data.len();
    }
}

fn push<'a>(operands: &mut Vec<Operand<'a>>, o: Operand<'a>) {
    if operands.len() < MAX_OPERANDS {
        operands.push(o);
    }
}

/// The position of `keyword` as a whole token at or after `from`.
fn find_keyword(data: &[u8], from: usize, keyword: &[u8]) -> Option<usize> {
    let mut i = from;
    while i + keyword.len() <= data.len() {
        if &data[i..i + keyword.len()] == keyword
            && (i == 0 || !is_regular(data[i - 1]))
            && data.get(i + keyword.len()).is_none_or(|&b| !is_regular(b))
        {
            return Some(i);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(data: &[u8]) -> (Vec<(String, Vec<Operand<'_>>)>, usize) {
        let mut lexer = Lexer::new(data);
        let mut operands = Vec::new();
        let mut out = Vec::new();
        while let Some(op) = lexer.next_op(&mut operands) {
            out.push((String::from_utf8_lossy(op).into_owned(), operands.clone()));
        }
        (out, lexer.errors)
    }

    #[test]
    fn operators_and_operands() {
        let (o, errors) = ops(b"1 -2.5 .5 cm /F#311 12 Tf (a\\(b\\)\\101\\\nc) Tj <4E2d 7> Tj [(x) -250 (y)] TJ % comment\nET");
        assert_eq!(errors, 0);
        assert_eq!(
            o[0],
            (
                "cm".into(),
                vec![
                    Operand::Number(1.0),
                    Operand::Number(-2.5),
                    Operand::Number(0.5)
                ]
            )
        );
        assert_eq!(o[1].1[0], Operand::Name(Cow::Borrowed(b"F11")));
        assert_eq!(o[2].1[0], Operand::String(Cow::Borrowed(b"a(b)Ac")));
        assert_eq!(o[3].1[0], Operand::String(Cow::Borrowed(b"\x4e\x2d\x70")));
        assert_eq!(
            o[4].1[0],
            Operand::Array(vec![
                Operand::String(Cow::Borrowed(b"x")),
                Operand::Number(-250.0),
                Operand::String(Cow::Borrowed(b"y"))
            ])
        );
        assert_eq!(o[5].0, "ET");
        assert_eq!(o.len(), 6);
    }

    #[test]
    fn damage_is_skipped_and_counted() {
        let (o, errors) = ops(b"0 0 m ) ] } 10 0 l S /P <</MCID 0>> BDC EMC");
        let names: Vec<&str> = o.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["m", "l", "S", "BDC", "EMC"]);
        assert_eq!(errors, 3);
        assert_eq!(
            o[3].1,
            vec![
                Operand::Name(Cow::Borrowed(b"P")),
                Operand::Dict(vec![(Cow::Borrowed(&b"MCID"[..]), Operand::Number(0.0))])
            ]
        );
    }

    #[test]
    fn dictionaries_keep_their_entries() {
        let (o, errors) =
            ops(b"/Span <</ActualText <FEFF6237> /Nested <</A [1 2]>> /Flag true>> BDC");
        assert_eq!(errors, 0);
        let dict = &o[0].1[1];
        assert_eq!(
            dict.get(b"ActualText"),
            Some(&Operand::String(Cow::Owned(vec![0xFE, 0xFF, 0x62, 0x37])))
        );
        assert_eq!(
            dict.get(b"Nested").and_then(|n| n.get(b"A")),
            Some(&Operand::Array(vec![
                Operand::Number(1.0),
                Operand::Number(2.0)
            ]))
        );
        assert_eq!(dict.get(b"Flag"), Some(&Operand::Keyword));
        // A value without a key is counted as damage; the rest is kept.
        let (o, errors) = ops(b"/P <<1 /K (v)>> BDC");
        assert_eq!(errors, 1);
        assert_eq!(
            o[0].1[1].get(b"K"),
            Some(&Operand::String(Cow::Borrowed(b"v")))
        );
    }

    #[test]
    fn inline_images_are_skipped() {
        let (o, errors) = ops(b"BI /W 2 /H 1 /BPC 8 /CS /G ID \x00EI\xff EI Q");
        assert_eq!(errors, 0);
        assert_eq!(
            o.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            ["BI", "Q"]
        );
        let (_, errors) = ops(b"BI /W 2 ID abc");
        assert_eq!(errors, 1);
    }

    #[test]
    fn numbers_are_read_leniently() {
        assert_eq!(parse_number(b"--5"), Some(5.0));
        assert_eq!(parse_number(b"-.25"), Some(-0.25));
        assert_eq!(parse_number(b"3.2.1"), Some(3.2));
        assert_eq!(parse_number(b"-"), None);
    }
}
