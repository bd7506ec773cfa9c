"""A random document → PDF with ReportLab: a third font handling. Chinese in the
non-embedded Adobe CID font STSong-Light (UniGB-UCS2-H) or in embedded TrueType subsets
(WenQuanYi Zen Hei, AR PL UMing); Latin-only cells in a standard-14 font (Helvetica,
Times-Roman, Courier: no embedded program, no `/Widths`). Rules are drawn per cell side
(`LINEABOVE`/`LINEBELOW`/`LINEBEFORE`/`LINEAFTER`, double lines as two strokes, dashes as
dash patterns); the `fills` look is coloured cells under white grid lines."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from xml.sax.saxutils import escape

from draw import Doc, Placed, Rule
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.doctemplate import LayoutError

TTF = {
    "wqy-zenhei": "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "uming": "/usr/share/fonts/truetype/arphic/uming.ttc",
}
ALIGN = {"left": 0, "center": 1, "right": 2}
# What ReportLab raises for a flowable taller than a page (5.x: its LayoutError message
# builder fails with a TypeError on tables with unsized rows).
LAYOUT_ERRORS = (LayoutError, TypeError)


def _register(name: str) -> None:
    if name in pdfmetrics.getRegisteredFontNames():
        return
    if name in TTF:
        pdfmetrics.registerFont(TTFont(name, TTF[name], subfontIndex=0))
    else:
        pdfmetrics.registerFont(UnicodeCIDFont(name))


# Characters a font lacks are set in this one (DejaVu Sans has every character the generator
# prints; AR PL UMing, WenQuanYi Zen Hei and Adobe-GB1 lack U+2212 MINUS SIGN).
FALLBACK = ("DejaVuSans", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
GB1_CMAP = Path("/usr/share/poppler/cMap/Adobe-GB1/UniGB-UCS2-H")


@functools.cache
def _covered(name: str) -> frozenset[int]:
    """The code points font `name` has a glyph for (a CID font: those its CMap maps, read
    from poppler-data)."""
    if name in TTF:
        return frozenset(pdfmetrics.getFont(name).face.charToGlyph)
    out: set[int] = set()
    text = GB1_CMAP.read_text(encoding="latin-1")
    for a, b in re.findall(r"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]{4})>\s*\d+", text):
        out.update(range(int(a, 16), int(b, 16) + 1))
    out.update(int(a, 16) for a in re.findall(r"^<([0-9a-fA-F]{4})>\s+\d+\s*$", text, re.MULTILINE))
    return frozenset(out)


def _markup(text: str, font: str) -> str:
    """`text` as Paragraph markup, characters `font` lacks set in the fallback font."""
    if font not in TTF and font != "STSong-Light":
        return escape(text)  # a standard-14 font: only cp1252 text is given to it
    have = _covered(font)
    return "".join(
        escape(ch) if ord(ch) in have or ch.isspace() else f'<font name="{FALLBACK[0]}">{escape(ch)}</font>'
        for ch in text
    )


def _latin_only(s: str) -> bool:
    try:
        s.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _line_cmds(op: str, start: tuple[int, int], stop: tuple[int, int], r: Rule) -> list[tuple]:
    colour = colors.HexColor(r.colour)
    if r.style == "double":
        return [(op, start, stop, r.width_pt / 3, colour, 1, None, 1, 2, r.width_pt * 2 / 3)]
    dash = {"dashed": (3, 2), "dotted": (0.8, 1.2)}.get(r.style)
    return [(op, start, stop, r.width_pt, colour, 1, dash)]


def _table(doc: Doc, p: Placed) -> Table:
    t, look = p.table, p.table.look
    widths = [w * mm for w in doc.col_widths_mm(t)]
    tops = t.top_left()
    data: list[list] = [[""] * t.n_cols for _ in range(t.n_rows)]
    cmds: list[tuple] = [
        ("VALIGN", (0, 0), (-1, -1), look.valign.upper()),
        ("LEFTPADDING", (0, 0), (-1, -1), look.padding_mm * mm),
        ("RIGHTPADDING", (0, 0), (-1, -1), look.padding_mm * mm),
        ("TOPPADDING", (0, 0), (-1, -1), look.padding_mm * mm),
        ("BOTTOMPADDING", (0, 0), (-1, -1), look.padding_mm * mm),
    ]
    for (r, k), c in sorted(tops.items()):
        lk = p.looks[(r, k)]
        font = doc.latin_font if doc.latin_font and _latin_only(c.text) else doc.cjk_font
        style = ParagraphStyle(
            f"s{r}_{k}",
            fontName=font,
            fontSize=look.font_pt,
            leading=look.font_pt * max(1.1, look.line_height),
            alignment=ALIGN[look.align[k]],
            wordWrap="CJK" if font == doc.cjk_font else None,
        )
        text = _markup(c.text, font)
        if lk.bold and font in ("Helvetica", "Times-Roman", "Courier"):
            text = f"<b>{text}</b>"
        data[r][k] = Paragraph(text, style)
        end = (k + c.colspan - 1, r + c.rowspan - 1)
        if c.rowspan > 1 or c.colspan > 1:
            cmds.append(("SPAN", (k, r), end))
        if lk.background:
            cmds.append(("BACKGROUND", (k, r), end, colors.HexColor(lk.background)))
        for side, op, a, b in (
            ("top", "LINEABOVE", (k, r), (end[0], r)),
            ("bottom", "LINEBELOW", (k, end[1]), end),
            ("left", "LINEBEFORE", (k, r), (k, end[1])),
            ("right", "LINEAFTER", (end[0], r), end),
        ):
            rule = getattr(lk, side)
            if rule is not None:
                cmds.extend(_line_cmds(op, a, b, rule))
    if look.rules == "fills":
        cmds.append(("INNERGRID", (0, 0), (-1, -1), 0.75 + (p.index % 3) * 0.75, colors.white))
    # Whole rows move to the next page (ReportLab's default): ReportLab 5.1's `splitInRow`
    # draws a part of a cut row centred whatever `hAlign` (its `_splitRows` builds the split
    # table without it) and leaves an empty sliver of the next part below the frame, so a
    # reader cannot tell which column a moved line belongs to. Cut rows come from Chromium and
    # LibreOffice.
    return Table(data, colWidths=widths, style=TableStyle(cmds), hAlign="LEFT", splitByRow=1)


def render_reportlab(doc: Doc, out: Path) -> None:
    """Writes the document to `out`."""
    _register(doc.cjk_font)
    if FALLBACK[0] not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(*FALLBACK))
    w, h = doc.page_mm
    cap = ParagraphStyle("cap", fontName=doc.cjk_font, fontSize=10, leading=13, spaceAfter=2 * mm)
    end = ParagraphStyle("end", fontName=doc.cjk_font, fontSize=8, leading=10, spaceBefore=1 * mm, spaceAfter=4 * mm)
    story: list = []
    for p in doc.tables:
        if p.new_page and story:
            story.append(PageBreak())
        if p.space_before_mm:  # at most most of a frame: a taller spacer cannot be placed
            story.append(Spacer(1, min(p.space_before_mm, 0.8 * (h - 2 * doc.margin_mm)) * mm))
        story.append(Paragraph(f"{escape(p.marker)} 表{p.index + 1}", cap))
        story.append(_table(doc, p))
        story.append(Paragraph(escape(p.end_marker), end))
    m = doc.margin_mm * mm
    SimpleDocTemplate(
        str(out),
        pagesize=(w * mm, h * mm),
        leftMargin=m,
        rightMargin=m,
        topMargin=m,
        bottomMargin=m,
        invariant=1,
        title="jixiao tablegen",
    ).build(story)
