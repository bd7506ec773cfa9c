"""Printed → canonical values (CONTRACTS.md "Printed vs canonical values" and "Parsing
年度指标值 / 实际完成值"). The Rust normaliser implements the same rules; the README of this
directory states them precisely.
"""

from __future__ import annotations

import re
import unicodedata

NULLS = {"", "-", "—", "–"}

# A number as printed: optional thousands separators, optional decimals.
NUM = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
# A unit: "%", "(X)" with X free of digits and parentheses, or a trailing run of characters
# without digits, parentheses or spaces.
UNIT = r"(?:(%)|\(([^\d()]+?)\)|([^\d()\s]+))"
OPS = {"=": "=", "≥": "≥", "≤": "≤", ">": ">", "<": "<", "约": "约", ">=": "≥", "≧": "≥", "<=": "≤", "≦": "≤"}
OP = r"(>=|<=|≧|≦|=|≥|≤|>|<|约)"

RANGE_RE = re.compile(rf"^{NUM}\s*[-~～至]\s*{NUM}\s*{UNIT}?$")
QUANTITY_RE = re.compile(rf"^{OP}?\s*{NUM}\s*{UNIT}?\s*(?:\((.*)\))?$")


def nfkc(s: str) -> str:
    """NFKC-normalised and trimmed."""
    return unicodedata.normalize("NFKC", s).strip()


def number(s: str) -> str | None:
    """A printed number in canonical form ("1,663.27" → "1663.27", "99.04%" → "99.04");
    null forms → None."""
    t = nfkc(s)
    if t in NULLS:
        return None
    t = t.replace(",", "").removesuffix("%").strip()
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", t):
        raise ValueError(f"not a number: {s!r}")
    return t


def text(s: str) -> str | None:
    """A printed text field: trimmed, null forms → None."""
    t = s.strip()
    return None if t in NULLS else t


_MARKUP = re.compile(r"<\s*/?\s*p\b[^>]*>|<\s*br\s*/?\s*>", re.IGNORECASE)


def paragraphs(s: str) -> str | None:
    """`<p>`/`<br>` markup removed: pieces between tags trimmed, empty ones dropped, joined by "\\n"."""
    pieces = [p.strip() for p in _MARKUP.split(s)]
    joined = "\n".join(p for p in pieces if p)
    return None if joined in NULLS else joined


def _unit(groups: tuple) -> str | None:
    pct, paren, run = groups
    return pct or (paren.strip() if paren is not None else None) or run


def parse_value(s: str) -> dict | None:
    """A 年度指标值 / 实际完成值 as a ParsedValue (serde form), None for a null value."""
    t = nfkc(s)
    if t in NULLS:
        return None
    m = RANGE_RE.match(t)
    if m:
        return {
            "kind": "range",
            "low": m.group(1).replace(",", ""),
            "high": m.group(2).replace(",", ""),
            "unit": _unit(m.group(3, 4, 5)),
        }
    m = QUANTITY_RE.match(t)
    if m:
        note = m.group(6)
        return {
            "kind": "quantity",
            "op": OPS[m.group(1)] if m.group(1) else None,
            "value": m.group(2).replace(",", ""),
            "unit": _unit(m.group(3, 4, 5)),
            "note": note.strip() if note is not None else None,
        }
    return {"kind": "qualitative", "text": t}
