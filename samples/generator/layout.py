"""A document as a list of blocks, each starting on a new page.

Block kinds: `cover` (centred lines), `prose` (heading and paragraphs), `table` (caption lines
and one bordered table). Producers turn the same blocks into HTML (Chromium) or a flat ODT
(LibreOffice).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tables import Table, report_table, summary_table


@dataclass
class Block:
    """One page-starting block of a document."""

    kind: str
    lines: list[str] = field(default_factory=list)
    table: Table | None = None
    report: dict | None = None


@dataclass
class Style:
    """Typography shared by both producers (fonts are per document)."""

    font: str
    title_pt: float = 16.0
    body_pt: float = 10.5
    margin_mm: float = 15.0


def build_blocks(prelude: list[dict], reports: list[dict]) -> list[Block]:
    """The document's blocks: prelude pages, then one table block per report."""
    blocks: list[Block] = []
    for p in prelude:
        if p["type"] == "cover":
            blocks.append(Block("cover", lines=list(p["lines"])))
        elif p["type"] == "prose":
            blocks.append(Block("prose", lines=[p["heading"], *p["paragraphs"]]))
        elif p["type"] == "summary":
            blocks.append(Block("table", table=summary_table(p["caption"], reports)))
        else:
            raise ValueError(f"unknown prelude block {p['type']!r}")
    for rep in reports:
        blocks.append(Block("table", table=report_table(rep), report=rep))
    return blocks


def tables_of(blocks: list[Block]) -> list[Table]:
    """Every table of the document in order (report and non-report)."""
    return [b.table for b in blocks if b.table is not None]
