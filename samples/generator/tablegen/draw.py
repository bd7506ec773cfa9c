"""A table's look resolved per cell (each side's rule, the background) and the random
document around the tables (producer, font, page, orientation, spacing), shared by every
producer's writer."""

from __future__ import annotations

import random
from dataclasses import dataclass

from model import Cell, Look, Table, random_table

INK = {"black": ["#000000"], "grey": ["#7f7f7f", "#a6a6a6"], "colour": ["#1f4e79", "#c00000", "#2e7d32", "#7030a0"]}
INK["mixed"] = INK["black"] + INK["grey"] + INK["colour"]
FILLS = ["#d9d9d9", "#f2f2f2", "#dde8f5", "#fff2cc", "#e2efda", "#fbe5d6", "#bfbfbf", "#9dc3e6", "#c6e0b4"]
STYLES = ["solid", "double", "dashed", "dotted"]

# Fonts per producer: (CJK family or ReportLab font, Latin family or None = the CJK one).
CJK_FAMILIES = [
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "AR PL UMing CN",
    "AR PL UKai CN",
]
LATIN_FAMILIES = [None, None, "DejaVu Sans", "Liberation Serif", "Liberation Sans", "DejaVu Serif"]
RL_CJK = ["STSong-Light", "STSong-Light", "wqy-zenhei", "uming"]
RL_LATIN = ["Helvetica", "Times-Roman", "Courier", None]


@dataclass(frozen=True)
class Rule:
    width_pt: float
    style: str  # solid | double | dashed | dotted
    colour: str


@dataclass
class CellLook:
    top: Rule | None
    bottom: Rule | None
    left: Rule | None
    right: Rule | None
    background: str | None
    bold: bool


def cell_looks(t: Table, rng: random.Random) -> dict[tuple[int, int], CellLook]:
    """Each cell's sides and background, keyed by its top-left slot."""
    lk: Look = t.look
    ink = INK[lk.colour]
    base_ink = rng.choice(ink)
    base_style = rng.choice(STYLES) if lk.border_style == "mixed" else lk.border_style
    out = {}
    stripe = rng.choice(FILLS)
    header_fill = rng.choice(FILLS)
    for c in t.cells:
        style = rng.choice(STYLES) if lk.border_style == "mixed" else base_style
        colour = rng.choice(ink) if lk.colour == "mixed" else base_ink
        width = lk.border_width
        if style == "double":
            width = max(width, 1.5)
        inner = Rule(width, style, colour)
        outer = {"same": inner, "thick": Rule(max(1.5, 2.5 * lk.border_width), "solid", base_ink), "none": None}[
            lk.outer
        ]
        at = {
            "top": c.row == 0,
            "bottom": c.row + c.rowspan == t.n_rows,
            "left": c.col == 0,
            "right": c.col + c.colspan == t.n_cols,
        }
        sides: dict[str, Rule | None] = {}
        for side, edge in at.items():
            if lk.rules == "full":
                sides[side] = outer if edge else inner
            elif lk.rules == "box-only":
                sides[side] = Rule(lk.border_width, "solid", base_ink) if edge else None
            elif lk.rules == "horizontal":
                sides[side] = Rule(lk.border_width, "solid", base_ink) if side in ("top", "bottom") else None
            elif lk.rules == "three-line":
                thick = Rule(max(1.0, lk.border_width), "solid", base_ink)
                if side == "top" and edge or side == "bottom" and edge:
                    sides[side] = thick
                elif (
                    side == "bottom"
                    and c.row + c.rowspan == lk.header_rows
                    or side == "top"
                    and c.row == lk.header_rows
                ):
                    sides[side] = Rule(0.5, "solid", base_ink)
                else:
                    sides[side] = None
            else:  # fills: no rules, the gaps between coloured cells are white
                sides[side] = None
        background = None
        header = c.row < lk.header_rows
        if lk.rules == "fills":
            background = header_fill if header else stripe if c.row % 2 else rng.choice(FILLS[:3])
        elif lk.shading == "header" and header:
            background = header_fill
        elif lk.shading == "stripes" and not header and c.row % 2 == 1:
            background = stripe
        elif lk.shading == "cells" and rng.random() < 0.3 or lk.shading == "all":
            background = rng.choice(FILLS)
        out[(c.row, c.col)] = CellLook(
            sides["top"], sides["bottom"], sides["left"], sides["right"], background, header and lk.bold_header
        )
    return out


@dataclass
class Placed:
    """A table in a document: what is before it, and its resolved look."""

    index: int
    table: Table
    looks: dict[tuple[int, int], CellLook]
    space_before_mm: float
    new_page: bool

    @property
    def marker(self) -> str:
        return f"[T{self.index + 1}]"

    @property
    def end_marker(self) -> str:
        return f"[T{self.index + 1} end]"


@dataclass
class Doc:
    name: str
    producer: str  # chromium | libreoffice | reportlab
    cjk_font: str
    latin_font: str | None
    orientation: str  # upright | rotate | landscape | sideways
    rotate: int  # 0, 90, 180, 270
    page_landscape: bool  # the page the producer lays out
    margin_mm: float
    partial: bool
    tables: list[Placed]

    @property
    def page_mm(self) -> tuple[float, float]:
        return (297.0, 210.0) if self.page_landscape else (210.0, 297.0)

    @property
    def text_width_mm(self) -> float:
        return self.page_mm[0] - 2 * self.margin_mm

    def col_widths_mm(self, t: Table) -> list[float]:
        """Column widths: the weights' share of the table's width, each at least about three
        characters wide plus padding where the text area allows it."""
        total = self.text_width_mm * t.width_frac
        s = sum(t.col_weights)
        least = 3 * t.look.font_pt * 25.4 / 72 + 2 * t.look.padding_mm
        widths = [max(least, total * w / s) for w in t.col_weights]
        scale = min(1.0, self.text_width_mm / sum(widths))
        return [round(w * scale, 2) for w in widths]


def random_doc(rng: random.Random, name: str, producer: str, n_tables: int, partial: bool) -> Doc:
    """A document of `n_tables` random tables for `producer`."""
    if producer == "reportlab":
        cjk, latin = rng.choice(RL_CJK), rng.choice(RL_LATIN)
    else:
        cjk, latin = rng.choice(CJK_FAMILIES), rng.choice(LATIN_FAMILIES)
    orientation = rng.choice(["upright", "upright", "rotate", "landscape", "sideways"])
    rotate = {
        "upright": 0,
        "rotate": rng.choice([90, 180, 270]),
        "landscape": rng.choice([90, 180, 270]),
        "sideways": rng.choice([90, 270]),
    }[orientation]
    # Content turned by a quarter: laid out on a landscape page, turned onto a portrait one.
    page_landscape = orientation in ("landscape", "sideways") and rotate in (90, 270)
    doc = Doc(name, producer, cjk, latin, orientation, rotate, page_landscape, rng.uniform(10, 25), partial, [])
    for i in range(n_tables):
        t = random_table(rng, partial, long_rows=rng.random() < 0.3)
        doc.tables.append(
            Placed(
                i,
                t,
                cell_looks(t, rng),
                space_before_mm=rng.choice([0, 0, 5, rng.uniform(0, 180)]),
                new_page=rng.random() < 0.2,
            )
        )
    return doc


def header(c: Cell, t: Table) -> bool:
    return c.row < t.look.header_rows
