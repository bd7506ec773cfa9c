"""Checks on a rendered PDF, read back through `pdftotext -bbox`.

`missing_cells`: every non-empty cell's text must appear, whitespace aside, in the text of its
column span over the table's pages (words assigned to columns by x), so what the expected
tables say is what the PDF shows.

`break_stats`: how the page breaks fall inside the tables. For every table continued on a next page, the text of each column is read per page
(`pdftotext -bbox`, words assigned to columns by x) and matched against the cells:
- a break *inside a merged cell*: a 一级/二级 cell with rowspan > 1 whose rows (located by
  their 三级 text) lie on both sides of the break;
- a *cut row*: a cell whose text starts at the bottom of one page and ends at the top of
  the next.
"""

from __future__ import annotations

import html
import itertools
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from layout import Block, Style
from tables import Table

MM = 72.0 / 25.4
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


@dataclass
class BreakStats:
    """Counts over all page breaks that fall inside a table."""

    breaks: int = 0
    in_merged: int = 0
    cut_rows: int = 0


def _words(pdf: Path) -> list[list[tuple[float, float, str]]]:
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, timeout=300)
    pages = []
    for page in out.stdout.decode("utf-8").split("<page ")[1:]:
        pages.append([(float(m[1]), float(m[2]), html.unescape(m[5])) for m in WORD.finditer(page)])
    return pages


def _edges(t: Table, style: Style) -> list[float]:
    edges = [style.margin_mm * MM]
    for w in t.col_widths_mm:
        edges.append(edges[-1] + w * MM)
    return edges


def _span_text(words: list[tuple[float, float, str]], x0: float, x1: float) -> str:
    """The words whose left edge lies in [x0, x1), top to bottom, whitespace removed."""
    return "".join(s for _, _, s in sorted((round(y), x, s) for x, y, s in words if x0 <= x < x1))


def _columns(words: list[tuple[float, float, str]], t: Table, style: Style) -> list[str]:
    """The text of each table column on one page, top to bottom, whitespace removed."""
    e = _edges(t, style)
    return [_span_text(words, e[k], e[k + 1]) for k in range(t.n_cols)]


def missing_cells(pdf: Path, blocks: list[Block], pages: list[list[int]], style: Style) -> list[str]:
    """Cells whose text the PDF does not show in their column span (empty when all is well)."""
    words = _words(pdf)
    tables = [b.table for b in blocks if b.table is not None]
    missing = []
    for ti, (t, pp) in enumerate(zip(tables, pages)):
        e = _edges(t, style)
        for c in t.cells:
            s = _squash(c.text)
            shown = "".join(_span_text(words[p - 1], e[c.col], e[c.col + c.colspan]) for p in pp)
            if s and s not in shown:
                missing.append(f"table {ti} cell ({c.row}, {c.col}): {c.text[:30]!r}")
    return missing


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def break_stats(pdf: Path, blocks: list[Block], pages: list[list[int]], style: Style) -> BreakStats:
    """Counts breaks inside merged cells and cut rows over every multi-page table."""
    words = _words(pdf)
    stats = BreakStats()
    tables = [b.table for b in blocks if b.table is not None]
    for t, pp in zip(tables, pages):
        for a, b in itertools.pairwise(pp):
            stats.breaks += 1
            top, bottom = _columns(words[a - 1], t, style), _columns(words[b - 1], t, style)
            cut = False
            on_a: set[int] = set()
            on_b: set[int] = set()
            for c in t.cells:
                s = _squash(c.text)
                if len(s) < 2 or c.colspan > 1:
                    continue
                col_a, col_b = top[c.col], bottom[c.col]
                whole_a, whole_b = s in col_a, s in col_b
                split = (
                    not whole_a
                    and not whole_b
                    and any(col_a.endswith(s[:i]) and col_b.startswith(s[i:]) for i in range(1, len(s)))
                )
                cut |= split
                if c.col == 2:
                    if whole_a or split:
                        on_a.add(c.row)
                    if whole_b or split:
                        on_b.add(c.row)
            stats.cut_rows += cut
            stats.in_merged += any(
                c.col in (0, 1)
                and c.rowspan > 1
                and any(r in on_a for r in range(c.row, c.row + c.rowspan))
                and any(r in on_b for r in range(c.row, c.row + c.rowspan))
                for c in t.cells
            )
    return stats
