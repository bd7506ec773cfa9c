//! The PDF object syntax → [`lopdf::Object`]: direct objects (references included), the
//! `N G obj` header of an indirect object, and where a stream's data starts.
//!
//! Strict where lopdf's lenient loader would also give up (an unreadable token fails the whole
//! object), bounded everywhere: nesting depth, and every loop consumes input.

use lopdf::{Dictionary, Object, StringFormat};

use crate::syntax::{
    decode_name, hex_string, is_regular, literal_string, parse_number, regular_run, skip_white,
};

/// Deepest nesting of arrays and dictionaries accepted in one object.
const MAX_NESTING: usize = 64;

/// Memory an object of the tree takes besides its own bytes: an [`Object`] and as much again
/// for the slack of the growing array holding it (and a dictionary entry's share of the
/// map's index).
const OBJECT_COST: usize = 2 * std::mem::size_of::<Object>();
const ENTRY_COST: usize = 2 * std::mem::size_of::<Object>() + 16;

/// Reads objects from `data` starting at `pos`.
pub(crate) struct Parser<'a> {
    data: &'a [u8],
    pub(crate) pos: usize,
    /// Memory the objects read so far take (an estimate from their parts).
    pub(crate) cost: usize,
    /// The most `cost` may reach: past it the object being read fails.
    max_cost: usize,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(data: &'a [u8], pos: usize) -> Self {
        Parser::capped(data, pos, usize::MAX)
    }

    /// A parser whose objects may take at most `max_cost` bytes of memory (a 13 MB array of
    /// numbers takes hundreds of MB as objects).
    pub(crate) fn capped(data: &'a [u8], pos: usize, max_cost: usize) -> Self {
        Parser {
            data,
            pos,
            cost: 0,
            max_cost,
        }
    }

    /// Whether reading stopped because the objects would take more than the cap.
    pub(crate) fn over_cap(&self) -> bool {
        self.cost > self.max_cost
    }

    /// Adds `bytes` to the cost; `None` once past the cap.
    fn charge(&mut self, bytes: usize) -> Option<()> {
        self.cost = self.cost.saturating_add(bytes);
        (self.cost <= self.max_cost).then_some(())
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    /// Whether the next token is `keyword` (white space before it skipped); consumes it when so.
    pub(crate) fn keyword(&mut self, keyword: &[u8]) -> bool {
        skip_white(self.data, &mut self.pos);
        let end = self.pos + keyword.len();
        let matches = self.data.get(self.pos..end) == Some(keyword)
            && self.data.get(end).is_none_or(|&b| !is_regular(b));
        if matches {
            self.pos = end;
        }
        matches
    }

    /// An unsigned integer of at most `max_digits` digits (white space before it skipped).
    pub(crate) fn unsigned(&mut self, max_digits: usize) -> Option<u64> {
        let mut pos = self.pos;
        skip_white(self.data, &mut pos);
        let digits = self.data[pos.min(self.data.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 || digits > max_digits {
            return None;
        }
        let value = self.data[pos..pos + digits]
            .iter()
            .fold(0u64, |v, &d| v * 10 + u64::from(d - b'0'));
        self.pos = pos + digits;
        Some(value)
    }

    /// The `N G obj` header of an indirect object: its number and generation.
    pub(crate) fn object_header(&mut self) -> Option<(u32, u16)> {
        let number = u32::try_from(self.unsigned(10)?).ok()?;
        let generation = u16::try_from(self.unsigned(5)?).ok()?;
        self.keyword(b"obj").then_some((number, generation))
    }

    /// After a stream's dictionary: when the `stream` keyword follows, the offset of its first
    /// data byte (past the end-of-line marker).
    pub(crate) fn stream_start(&mut self) -> Option<usize> {
        if !self.keyword(b"stream") {
            return None;
        }
        match self.data.get(self.pos..self.pos + 2) {
            Some(b"\r\n") => self.pos += 2,
            Some([b'\n' | b'\r', ..]) => self.pos += 1,
            _ => {}
        }
        Some(self.pos)
    }

    /// One direct object.
    pub(crate) fn object(&mut self) -> Option<Object> {
        self.value(0)
    }

    fn value(&mut self, depth: usize) -> Option<Object> {
        skip_white(self.data, &mut self.pos);
        self.charge(OBJECT_COST)?;
        match self.peek()? {
            b'/' => {
                self.pos += 1;
                let raw = regular_run(self.data, &mut self.pos);
                self.charge(raw.len())?;
                Some(Object::Name(decode_name(raw).into_owned()))
            }
            b'(' => match literal_string(self.data, &mut self.pos) {
                (text, true) => {
                    self.charge(text.len())?;
                    Some(Object::String(text.into_owned(), StringFormat::Literal))
                }
                (_, false) => None,
            },
            b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                self.dictionary(depth).map(Object::Dictionary)
            }
            b'<' => {
                let bytes = hex_string(self.data, &mut self.pos)?;
                self.charge(bytes.len())?;
                Some(Object::String(bytes, StringFormat::Hexadecimal))
            }
            b'[' => {
                self.pos += 1;
                self.array(depth)
            }
            b'0'..=b'9' | b'+' | b'-' | b'.' => self.number(),
            _ => match regular_run(self.data, &mut self.pos) {
                b"true" => Some(Object::Boolean(true)),
                b"false" => Some(Object::Boolean(false)),
                b"null" => Some(Object::Null),
                _ => None,
            },
        }
    }

    /// A number, or a reference `N G R` when an unsigned integer starts one.
    fn number(&mut self) -> Option<Object> {
        let token = regular_run(self.data, &mut self.pos);
        let Some(integer) = parse_integer(token) else {
            return parse_number(token).map(|n| Object::Real(n as f32));
        };
        if token[0].is_ascii_digit() {
            let after = self.pos;
            if let Some(reference) = self.reference_tail(integer) {
                return Some(reference);
            }
            self.pos = after;
        }
        Some(Object::Integer(integer))
    }

    /// `G R` after the object number `number`.
    fn reference_tail(&mut self, number: i64) -> Option<Object> {
        let number = u32::try_from(number).ok()?;
        let generation = u16::try_from(self.unsigned(5)?).ok()?;
        self.keyword(b"R")
            .then_some(Object::Reference((number, generation)))
    }

    fn array(&mut self, depth: usize) -> Option<Object> {
        if depth >= MAX_NESTING {
            return None;
        }
        let mut items = Vec::new();
        loop {
            skip_white(self.data, &mut self.pos);
            if self.peek()? == b']' {
                self.pos += 1;
                return Some(Object::Array(items));
            }
            items.push(self.value(depth + 1)?);
        }
    }

    /// A dictionary after its `<<`.
    fn dictionary(&mut self, depth: usize) -> Option<Dictionary> {
        if depth >= MAX_NESTING {
            return None;
        }
        let mut dict = Dictionary::new();
        loop {
            skip_white(self.data, &mut self.pos);
            match self.peek()? {
                b'>' if self.data.get(self.pos + 1) == Some(&b'>') => {
                    self.pos += 2;
                    return Some(dict);
                }
                b'/' => {
                    self.pos += 1;
                    let key = decode_name(regular_run(self.data, &mut self.pos)).into_owned();
                    self.charge(ENTRY_COST + key.len())?;
                    let value = self.value(depth + 1)?;
                    dict.set(key, value);
                }
                _ => return None,
            }
        }
    }
}

/// A token of digits with an optional sign, when it fits an `i64`.
fn parse_integer(token: &[u8]) -> Option<i64> {
    let (negative, digits) = match token.split_first()? {
        (b'-', rest) => (true, rest),
        (b'+', rest) => (false, rest),
        _ => (false, token),
    };
    if digits.is_empty() || digits.len() > 18 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = digits
        .iter()
        .fold(0i64, |v, &d| v * 10 + i64::from(d - b'0'));
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &[u8]) -> Option<Object> {
        Parser::new(text, 0).object()
    }

    #[test]
    fn direct_objects() {
        let o = parse(b"<</Type /Page /Kids [1 0 R 2 0 R] /N -3 /R 1.5 /S (a\\)b) /H <4E2> /B true /Z null /D <</X 7>>>>")
            .unwrap();
        let d = o.as_dict().unwrap();
        assert_eq!(d.get(b"Type").unwrap(), &Object::Name(b"Page".to_vec()));
        assert_eq!(
            d.get(b"Kids").unwrap(),
            &Object::Array(vec![Object::Reference((1, 0)), Object::Reference((2, 0))])
        );
        assert_eq!(d.get(b"N").unwrap(), &Object::Integer(-3));
        assert_eq!(d.get(b"R").unwrap(), &Object::Real(1.5));
        assert_eq!(
            d.get(b"S").unwrap(),
            &Object::String(b"a)b".to_vec(), StringFormat::Literal)
        );
        assert_eq!(
            d.get(b"H").unwrap(),
            &Object::String(vec![0x4E, 0x20], StringFormat::Hexadecimal)
        );
        assert_eq!(d.get(b"B").unwrap(), &Object::Boolean(true));
        assert_eq!(d.get(b"Z").unwrap(), &Object::Null);
        assert_eq!(
            d.get(b"D").unwrap().as_dict().unwrap().get(b"X").unwrap(),
            &Object::Integer(7)
        );
    }

    #[test]
    fn integers_that_are_not_references() {
        assert_eq!(
            parse(b"[1 2 3 R]"),
            Some(Object::Array(vec![
                Object::Integer(1),
                Object::Reference((2, 3))
            ]))
        );
        assert_eq!(
            parse(b"[-1 0 R]"),
            None,
            "a negative number is no reference and R alone is no object"
        );
        assert_eq!(
            parse(b"[4 0 Rx]"),
            None,
            "`Rx` is a keyword, not the R of a reference"
        );
    }

    #[test]
    fn damage_fails_the_object() {
        assert_eq!(parse(b"<</A 1 /B >>"), None);
        assert_eq!(parse(b"<</A (open"), None);
        assert_eq!(parse(b"[1 2"), None);
        assert_eq!(parse(b"<</A 1 2>>"), None);
        let deep = [b"[".repeat(100), b"]".repeat(100)].concat();
        assert_eq!(parse(&deep), None);
    }

    #[test]
    fn header_and_stream_start() {
        let data = b"  12 0 obj\n<</Length 3>>\nstream\r\nabc\nendstream";
        let mut p = Parser::new(data, 0);
        assert_eq!(p.object_header(), Some((12, 0)));
        assert!(p.object().is_some());
        let start = p.stream_start().unwrap();
        assert_eq!(&data[start..start + 3], b"abc");
        assert_eq!(Parser::new(b"12 0 ob", 0).object_header(), None);
        assert_eq!(Parser::new(b"-1 0 obj", 0).object_header(), None);
        assert_eq!(parse(b"-0017"), Some(Object::Integer(-17)));
        // Beyond 18 digits an integer reads as a real.
        assert_eq!(parse(b"2000000000000000000"), Some(Object::Real(2e18)));
        assert_eq!(parse(b"--3"), Some(Object::Real(3.0)));
    }

    #[test]
    fn objects_over_the_memory_cap_fail() {
        let array = [&b"["[..], &b"1 ".repeat(1000), b"]"].concat();
        let mut capped = Parser::capped(&array, 0, 100 * OBJECT_COST);
        assert_eq!(capped.object(), None);
        assert!(capped.over_cap());
        let mut roomy = Parser::capped(&array, 0, 2000 * OBJECT_COST);
        assert!(roomy.object().is_some());
        assert!(!roomy.over_cap());
        assert_eq!(roomy.cost, 1001 * OBJECT_COST);
    }
}
