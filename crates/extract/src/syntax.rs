//! Byte-level PDF syntax shared by the content-stream lexer and the object parser: character
//! classes, white space and comments, numbers, names and strings.

use std::borrow::Cow;

pub(crate) fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'\x0c' | b'\0')
}

pub(crate) fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

pub(crate) fn is_regular(b: u8) -> bool {
    !is_white(b) && !is_delimiter(b)
}

/// A PDF number, read leniently (repeated signs combine, trailing junk is ignored); `None`
/// without digits.
pub(crate) fn parse_number(token: &[u8]) -> Option<f64> {
    let mut i = 0;
    let mut negative = false;
    while i < token.len() && matches!(token[i], b'+' | b'-') {
        negative ^= token[i] == b'-';
        i += 1;
    }
    let (mut value, mut scale, mut digits, mut fraction) = (0.0f64, 1.0f64, 0usize, false);
    while i < token.len() {
        match token[i] {
            d @ b'0'..=b'9' => {
                digits += 1;
                if fraction {
                    scale /= 10.0;
                    value += f64::from(d - b'0') * scale;
                } else {
                    value = value * 10.0 + f64::from(d - b'0');
                }
            }
            b'.' if !fraction => fraction = true,
            _ => break,
        }
        i += 1;
    }
    (digits > 0 && value.is_finite()).then_some(if negative { -value } else { value })
}

/// Moves `*pos` past white space and comments.
pub(crate) fn skip_white(data: &[u8], pos: &mut usize) {
    while let Some(&b) = data.get(*pos) {
        if is_white(b) {
            *pos += 1;
        } else if b == b'%' {
            while data.get(*pos).is_some_and(|&b| b != b'\n' && b != b'\r') {
                *pos += 1;
            }
        } else {
            break;
        }
    }
}

/// The run of regular characters at `*pos` (a number, a keyword, a name's body); `*pos` moves
/// past it.
pub(crate) fn regular_run<'a>(data: &'a [u8], pos: &mut usize) -> &'a [u8] {
    let start = *pos;
    while data.get(*pos).is_some_and(|&b| is_regular(b)) {
        *pos += 1;
    }
    &data[start..*pos]
}

/// The literal string whose `(` is at `*pos`, escapes resolved, and whether its `)` was found
/// (unterminated, it runs to the end). `*pos` moves past it.
pub(crate) fn literal_string<'a>(data: &'a [u8], pos: &mut usize) -> (Cow<'a, [u8]>, bool) {
    *pos += 1;
    let start = *pos;
    let mut depth = 1usize;
    let mut escaped = false;
    while let Some(&b) = data.get(*pos) {
        *pos += 1;
        match b {
            b'\\' => {
                escaped = true;
                *pos += 1;
            }
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    let raw = &data[start..*pos - 1];
                    let text = if escaped {
                        Cow::Owned(unescape(raw))
                    } else {
                        Cow::Borrowed(raw)
                    };
                    return (text, true);
                }
            }
            _ => {}
        }
    }
    *pos = data.len();
    (Cow::Owned(unescape(&data[start..])), false)
}

/// The hexadecimal string whose `<` is at `*pos` (an odd last digit counts as `d0`); `None`
/// at a byte that is neither a digit nor white space, or without its `>`. `*pos` moves past
/// it (or to the offending byte).
pub(crate) fn hex_string(data: &[u8], pos: &mut usize) -> Option<Vec<u8>> {
    *pos += 1;
    let mut out = Vec::new();
    let mut high: Option<u8> = None;
    while let Some(&b) = data.get(*pos) {
        *pos += 1;
        let v = match b {
            b'>' => {
                out.extend(high.map(|h| h << 4));
                return Some(out);
            }
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ if is_white(b) => continue,
            _ => {
                *pos -= 1;
                return None;
            }
        };
        match high.take() {
            Some(h) => out.push(h << 4 | v),
            None => high = Some(v),
        }
    }
    None
}

pub(crate) fn decode_name(raw: &[u8]) -> Cow<'_, [u8]> {
    if !raw.contains(&b'#') {
        return Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let hex = raw
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (raw[i], hex) {
            (b'#', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    Cow::Owned(out)
}

/// Resolves the escapes of a literal string's body.
pub(crate) fn unescape(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        i += 1;
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let Some(&e) = raw.get(i) else { break };
        i += 1;
        match e {
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    match raw.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push(v as u8);
            }
            b'\r' => {
                if raw.get(i) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\n' => {}
            other => out.push(other),
        }
    }
    out
}
