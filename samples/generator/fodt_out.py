"""Blocks → flat ODT (`.fodt`) for LibreOffice Writer.

Full control over the layout: A4 page style, real table borders on every cell, real merges
(`number-rows-spanned` / `number-columns-spanned` with covered cells), no header rows, rows
allowed to break across pages, each block starting on a new page.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

from layout import Block, Style
from tables import Table

NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"'
)

# Paragraph style of a cell by its alignment.
CELL_PARA = {"left": "PL", "center": "PC", "right": "PR"}


def _span(s: str) -> str:
    """Escapes text for a text:p, keeping runs of spaces, tabs and line breaks."""
    out = []
    for part in re.split(r"( {2,}|\t|\n)", s):
        if not part:
            continue
        if part == "\t":
            out.append("<text:tab/>")
        elif part == "\n":
            out.append("<text:line-break/>")
        elif part.startswith("  "):
            out.append(f' <text:s text:c="{len(part) - 1}"/>')
        else:
            out.append(escape(part))
    text = "".join(out)
    if text.startswith(" "):
        text = "<text:s/>" + text[1:]
    return text


def _styles(style: Style, tables: list[Table]) -> str:
    font = quoteattr(style.font)
    cols = []
    for ti, t in enumerate(tables):
        width = sum(t.col_widths_mm)
        cols.append(
            f'<style:style style:name="T{ti}" style:family="table">'
            f'<style:table-properties style:width="{width}mm" table:align="left" '
            f'style:may-break-between-rows="true"/></style:style>'
        )
        for ci, w in enumerate(t.col_widths_mm):
            cols.append(
                f'<style:style style:name="T{ti}C{ci}" style:family="table-column">'
                f'<style:table-column-properties style:column-width="{w}mm"/></style:style>'
            )
    return f"""<office:font-face-decls>
<style:font-face style:name="CJK" svg:font-family={font}/>
</office:font-face-decls>
<office:styles>
<style:default-style style:family="paragraph">
<style:paragraph-properties fo:margin-top="0mm" fo:margin-bottom="0mm" fo:line-height="125%"/>
<style:text-properties style:font-name="CJK" style:font-name-asian="CJK" style:font-name-complex="CJK"
 fo:font-size="{style.body_pt}pt" style:font-size-asian="{style.body_pt}pt" style:font-size-complex="{style.body_pt}pt"
 fo:language="zh" fo:country="CN" style:language-asian="zh" style:country-asian="CN"/>
</style:default-style>
</office:styles>
<office:automatic-styles>
<style:page-layout style:name="PM"><style:page-layout-properties fo:page-width="210mm" fo:page-height="297mm"
 style:print-orientation="portrait" fo:margin-top="{style.margin_mm}mm" fo:margin-bottom="{style.margin_mm}mm"
 fo:margin-left="{style.margin_mm}mm" fo:margin-right="{style.margin_mm}mm"/></style:page-layout>
<style:style style:name="Title0" style:family="paragraph"><style:paragraph-properties fo:text-align="center" fo:margin-bottom="2mm"/>
<style:text-properties fo:font-size="{style.title_pt}pt" style:font-size-asian="{style.title_pt}pt" fo:font-weight="bold" style:font-weight-asian="bold"/></style:style>
<style:style style:name="Title" style:family="paragraph" style:parent-style-name="Title0"><style:paragraph-properties fo:break-before="page" fo:text-align="center" fo:margin-bottom="2mm"/>
<style:text-properties fo:font-size="{style.title_pt}pt" style:font-size-asian="{style.title_pt}pt" fo:font-weight="bold" style:font-weight-asian="bold"/></style:style>
<style:style style:name="Year" style:family="paragraph"><style:paragraph-properties fo:text-align="center" fo:margin-bottom="3mm"/>
<style:text-properties fo:font-size="10.5pt" style:font-size-asian="10.5pt"/></style:style>
<style:style style:name="Cover0" style:family="paragraph"><style:paragraph-properties fo:text-align="center" fo:margin-top="70mm" fo:margin-bottom="10mm"/>
<style:text-properties fo:font-size="18pt" style:font-size-asian="18pt"/></style:style>
<style:style style:name="Cover" style:family="paragraph"><style:paragraph-properties fo:text-align="center" fo:margin-bottom="10mm"/>
<style:text-properties fo:font-size="18pt" style:font-size-asian="18pt"/></style:style>
<style:style style:name="Head" style:family="paragraph"><style:paragraph-properties fo:break-before="page" fo:text-align="center" fo:margin-bottom="5mm"/>
<style:text-properties fo:font-size="14pt" style:font-size-asian="14pt" fo:font-weight="bold" style:font-weight-asian="bold"/></style:style>
<style:style style:name="Prose" style:family="paragraph"><style:paragraph-properties fo:text-indent="22pt" fo:line-height="170%" fo:margin-bottom="3mm"/>
<style:text-properties fo:font-size="11pt" style:font-size-asian="11pt"/></style:style>
<style:style style:name="PL" style:family="paragraph"><style:paragraph-properties fo:text-align="start"/></style:style>
<style:style style:name="PC" style:family="paragraph"><style:paragraph-properties fo:text-align="center"/></style:style>
<style:style style:name="PR" style:family="paragraph"><style:paragraph-properties fo:text-align="end"/></style:style>
<style:style style:name="Row" style:family="table-row"><style:table-row-properties fo:keep-together="auto"/></style:style>
<style:style style:name="RowKeep" style:family="table-row"><style:table-row-properties fo:keep-together="always"/></style:style>
<style:style style:name="Cell" style:family="table-cell"><style:table-cell-properties fo:border="0.6pt solid #000000"
 fo:padding-top="1.2mm" fo:padding-bottom="1.2mm" fo:padding-left="1.2mm" fo:padding-right="1.2mm" style:vertical-align="middle"/></style:style>
{chr(10).join(cols)}
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="PM"/></office:master-styles>"""


# A row may split across pages only if one of its cells wraps to at least this many lines:
# LibreOffice otherwise sometimes splits a short row inside its bottom padding, leaving an
# empty bordered sliver on the next page.
SPLIT_MIN_LINES = 2
PT_MM = 25.4 / 72.0


def _lines(text: str, width_mm: float, style: Style) -> int:
    """Estimated wrapped line count of `text` in a cell `width_mm` wide (CJK glyphs = 1 em)."""
    per_line = max(1.0, (width_mm - 2.4) / (style.body_pt * PT_MM))
    ems = sum(1.0 if ord(ch) > 0x2E80 else 0.5 for ch in text)
    return max(1, -int(-ems // per_line))


def _splittable(t: Table, style: Style) -> set[int]:
    rows = set()
    for c in t.cells:
        width = sum(t.col_widths_mm[c.col : c.col + c.colspan])
        if c.rowspan == 1 and _lines(c.text, width, style) >= SPLIT_MIN_LINES:
            rows.add(c.row)
    return rows


def _table(t: Table, ti: int, style: Style) -> str:
    out = [f'<table:table table:name="Table{ti + 1}" table:style-name="T{ti}">']
    for ci in range(t.n_cols):
        out.append(f'<table:table-column table:style-name="T{ti}C{ci}"/>')
    tops = {(c.row, c.col): c for c in t.cells}
    splittable = _splittable(t, style)
    for r in range(t.n_rows):
        out.append(f'<table:table-row table:style-name="{"Row" if r in splittable else "RowKeep"}">')
        for k in range(t.n_cols):
            c = tops.get((r, k))
            if c is None:
                out.append("<table:covered-table-cell/>")
                continue
            spans = ""
            if c.rowspan > 1:
                spans += f' table:number-rows-spanned="{c.rowspan}"'
            if c.colspan > 1:
                spans += f' table:number-columns-spanned="{c.colspan}"'
            para = CELL_PARA[c.align]
            out.append(
                f'<table:table-cell table:style-name="Cell" office:value-type="string"{spans}>'
                f'<text:p text:style-name="{para}">{_span(c.text)}</text:p></table:table-cell>'
            )
        out.append("</table:table-row>")
    out.append("</table:table>")
    return "\n".join(out)


def render_fodt(blocks: list[Block], style: Style) -> str:
    """The whole document as a flat ODT text document."""
    tables = [b.table for b in blocks if b.table is not None]
    body = []
    ti = 0
    for i, b in enumerate(blocks):
        if b.kind == "cover":
            for j, s in enumerate(b.lines):
                name = "Cover0" if j == 0 else "Cover"
                body.append(f'<text:p text:style-name="{name}">{_span(s)}</text:p>')
        elif b.kind == "prose":
            head, *paras = b.lines
            body.append(f'<text:p text:style-name="Head">{_span(head)}</text:p>')
            body.extend(f'<text:p text:style-name="Prose">{_span(p)}</text:p>' for p in paras)
        else:
            assert b.table is not None
            cap = b.table.caption
            body.append(f'<text:p text:style-name="{"Title0" if i == 0 else "Title"}">{_span(cap[0])}</text:p>')
            body.extend(f'<text:p text:style-name="Year">{_span(s)}</text:p>' for s in cap[1:])
            body.append(_table(b.table, ti, style))
            ti += 1
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document {NS} office:version="1.3" '
        'office:mimetype="application/vnd.oasis.opendocument.text">\n'
        + _styles(style, tables)
        + "\n<office:body><office:text>\n"
        + "\n".join(body)
        + "\n</office:text></office:body></office:document>\n"
    )
