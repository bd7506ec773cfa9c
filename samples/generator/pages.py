"""Which pages of a rendered PDF each table covers, read back from the PDF's text layer.

Every block starts on a new page, so a table covers the pages from the page where its caption
and first-row text appear up to the page before the next block starts (or the last page).
Both ends are checked against the text the table must show there.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from layout import Block


def page_texts(pdf: Path) -> list[str]:
    """The text of every page (`pdftotext`), whitespace removed."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, timeout=300)
    pages = out.stdout.decode("utf-8").split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return [re.sub(r"\s+", "", p) for p in pages]


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _start_marker(b: Block) -> list[str]:
    assert b.table is not None
    first_row = [_squash(c.text) for c in b.table.rows()[0] if c.text.strip()]
    return [_squash(b.table.caption[0]), *first_row[:2]]


def _end_marker(b: Block) -> list[str]:
    assert b.table is not None
    last_row = [c.text for c in b.table.rows()[-1]]
    return [_squash(t) for t in last_row if t.strip()]


def _block_start(b: Block) -> list[str]:
    if b.table is not None:
        return _start_marker(b)
    return [_squash(b.lines[0])]


def table_pages(pdf: Path, blocks: list[Block]) -> list[list[int]]:
    """1-based pages of every table block, in block order."""
    texts = page_texts(pdf)
    starts: list[int] = []
    page = 0
    for b in blocks:
        need = _block_start(b)
        while page < len(texts) and not all(n in texts[page] for n in need):
            page += 1
        if page == len(texts):
            raise RuntimeError(f"{pdf}: start of block {b.kind} {need[:2]} not found")
        starts.append(page)
        page += 1
    result = []
    for i, b in enumerate(blocks):
        if b.table is None:
            continue
        end = (starts[i + 1] if i + 1 < len(blocks) else len(texts)) - 1
        if not all(n in texts[end] for n in _end_marker(b)):
            raise RuntimeError(f"{pdf}: last row of table at page {starts[i] + 1} not on page {end + 1}")
        result.append(list(range(starts[i] + 1, end + 2)))
    return result
