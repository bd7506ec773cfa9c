"""Blocks → HTML for Chromium's print-to-PDF.

A4 portrait, one block per page (`break-before: page`), bordered tables with real
`rowspan`/`colspan`, no `<thead>` (so nothing repeats after a page break) and rows allowed to
split across pages. Every printed string is HTML-escaped: literal `<p>` shows as text.
"""

from __future__ import annotations

from html import escape

from layout import Block, Style
from tables import Table


def _text(s: str) -> str:
    return escape(s, quote=False)


def _table(t: Table) -> str:
    cols = "".join(f'<col style="width:{w}mm">' for w in t.col_widths_mm)
    rows = []
    for row in t.rows():
        cells = []
        for c in row:
            attrs = ""
            if c.rowspan > 1:
                attrs += f' rowspan="{c.rowspan}"'
            if c.colspan > 1:
                attrs += f' colspan="{c.colspan}"'
            cells.append(f'<td{attrs} class="{c.align}">{_text(c.text)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    width = sum(t.col_widths_mm)
    return (
        f'<table style="width:{width}mm"><colgroup>{cols}</colgroup><tbody>\n' + "\n".join(rows) + "\n</tbody></table>"
    )


def _css(style: Style) -> str:
    return f"""
@page {{ size: A4 portrait; margin: {style.margin_mm}mm; }}
html, body {{ margin: 0; padding: 0; }}
body {{ font-family: '{style.font}'; font-size: {style.body_pt}pt; color: #000; }}
.page {{ break-before: page; }}
.page:first-child {{ break-before: auto; }}
.title {{ font-size: {style.title_pt}pt; font-weight: bold; text-align: center; margin: 0 0 2mm 0; }}
.year {{ font-size: 10.5pt; text-align: center; margin: 0 0 3mm 0; }}
.cover p {{ text-align: center; font-size: 18pt; margin: 0 0 10mm 0; }}
.cover p:first-child {{ margin-top: 70mm; }}
.prose h2 {{ font-size: 14pt; text-align: center; margin: 0 0 5mm 0; }}
.prose p {{ font-size: 11pt; text-indent: 2em; line-height: 1.7; margin: 0 0 3mm 0; }}
table {{ border-collapse: collapse; table-layout: fixed; }}
tr {{ break-inside: auto; }}
td {{ orphans: 1; widows: 1; }}
td {{ border: 0.6pt solid #000; padding: 1.2mm 1.2mm; vertical-align: middle; line-height: 1.35;
      white-space: pre-wrap; overflow-wrap: anywhere; }}
td.left {{ text-align: left; }}
td.center {{ text-align: center; }}
td.right {{ text-align: right; }}
"""


def render_html(blocks: list[Block], style: Style) -> str:
    """The whole document as one HTML page."""
    body = []
    for b in blocks:
        if b.kind == "cover":
            inner = "".join(f"<p>{_text(s)}</p>" for s in b.lines)
            body.append(f'<div class="page cover">{inner}</div>')
        elif b.kind == "prose":
            head, *paras = b.lines
            inner = f"<h2>{_text(head)}</h2>" + "".join(f"<p>{_text(p)}</p>" for p in paras)
            body.append(f'<div class="page prose">{inner}</div>')
        else:
            assert b.table is not None
            caption = b.table.caption
            head = f'<p class="title">{_text(caption[0])}</p>'
            head += "".join(f'<p class="year">{_text(s)}</p>' for s in caption[1:])
            body.append(f'<div class="page">{head}{_table(b.table)}</div>')
    css = _css(style)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>jixiao sample</title><style>{css}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
