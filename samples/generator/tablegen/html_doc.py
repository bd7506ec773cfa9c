"""A random document → HTML for Chromium's print-to-PDF (collapsed borders, or separate
coloured cells with white gaps for the `fills` look)."""

from __future__ import annotations

from html import escape

from draw import CellLook, Doc, Placed, Rule


def _rule(r: Rule | None) -> str:
    if r is None:
        return "none"
    return f"{r.width_pt}pt {r.style} {r.colour}"


def _cell_css(lk: CellLook) -> str:
    css = ";".join(f"border-{side}:{_rule(getattr(lk, side))}" for side in ("top", "bottom", "left", "right"))
    if lk.background:
        css += f";background:{lk.background}"
    if lk.bold:
        css += ";font-weight:bold"
    return css


def _table(doc: Doc, p: Placed) -> str:
    t, look = p.table, p.table.look
    widths = doc.col_widths_mm(t)
    cols = "".join(f'<col style="width:{w}mm">' for w in widths)
    tops = t.top_left()
    rows = []
    for r in range(t.n_rows):
        cells = []
        for k in range(t.n_cols):
            c = tops.get((r, k))
            if c is None:
                continue
            attrs = ""
            if c.rowspan > 1:
                attrs += f' rowspan="{c.rowspan}"'
            if c.colspan > 1:
                attrs += f' colspan="{c.colspan}"'
            style = _cell_css(p.looks[(r, k)]) + f";text-align:{look.align[k]}"
            cells.append(f'<td{attrs} style="{style}">{escape(c.text, quote=False)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    if look.rules == "fills":
        model = f"border-collapse:separate;border-spacing:{0.75 + (p.index % 3) * 0.75}pt"
    else:
        model = "border-collapse:collapse"
    style = (
        f"width:{sum(widths)}mm;{model};table-layout:fixed;font-size:{look.font_pt}pt;line-height:{look.line_height}"
    )
    td = f"padding:{look.padding_mm}mm;vertical-align:{look.valign}"
    return (
        f'<table style="{style}"><colgroup>{cols}</colgroup><tbody class="b{p.index}">\n'
        + "\n".join(rows)
        + f"\n</tbody></table><style>.b{p.index} td {{{td}}}</style>"
    )


def render_html(doc: Doc) -> str:
    """The whole document as one HTML page."""
    w, h = doc.page_mm
    fonts = ", ".join(f"'{f}'" for f in (doc.latin_font, doc.cjk_font) if f)
    css = f"""
@page {{ size: {w}mm {h}mm; margin: {doc.margin_mm:.1f}mm; }}
html, body {{ margin: 0; padding: 0; }}
body {{ font-family: {fonts}; font-size: 10pt; color: #000; }}
p.cap {{ margin: 0 0 2mm 0; font-size: 10pt; }}
p.end {{ margin: 1mm 0 4mm 0; font-size: 8pt; }}
tr {{ break-inside: auto; }}
td {{ orphans: 1; widows: 1; white-space: pre-wrap; overflow-wrap: anywhere; }}
"""
    body = []
    for p in doc.tables:
        brk = "break-before:page;" if p.new_page else ""
        body.append(f'<div style="{brk}height:{p.space_before_mm:.1f}mm"></div>')
        body.append(f'<p class="cap">{p.marker} 表{p.index + 1}</p>')
        body.append(_table(doc, p))
        body.append(f'<p class="end">{p.end_marker}</p>')
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>jixiao tablegen</title><style>{css}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
