"""A random document → flat ODT for LibreOffice Writer: real merges (covered cells), one
automatic cell style per cell (its four sides and background), rows that wrap allowed to
split across pages. The `fills` look is coloured cells with white borders as the gaps."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from draw import CellLook, Doc, Placed, Rule

from fodt_out import NS  # the sample generator's

ALIGN = {"left": "start", "center": "center", "right": "end"}
PT_MM = 25.4 / 72.0


def _side(name: str, r: Rule | None) -> str:
    if r is None:
        return f' fo:border-{name}="none"'
    out = f' fo:border-{name}="{r.width_pt}pt {r.style} {r.colour}"'
    if r.style == "double":
        w = round(r.width_pt / 3, 2)
        out += f' style:border-line-width-{name}="{w}pt {w}pt {w}pt"'
    return out


def _cell_style(name: str, lk: CellLook, p: Placed, gap: float) -> str:
    look = p.table.look
    sides = "".join(_side(s, getattr(lk, s)) for s in ("top", "bottom", "left", "right"))
    if look.rules == "fills":
        sides = "".join(f' fo:border-{s}="{gap}pt solid #ffffff"' for s in ("top", "bottom", "left", "right"))
    bg = f' fo:background-color="{lk.background}"' if lk.background else ""
    pad = f"{look.padding_mm}mm"
    valign = {"top": "top", "middle": "middle", "bottom": "bottom"}[look.valign]
    return (
        f'<style:style style:name="{name}" style:family="table-cell"><style:table-cell-properties{sides}{bg}'
        f' fo:padding="{pad}" style:vertical-align="{valign}"/></style:style>'
    )


def _lines(text: str, width_mm: float, font_pt: float, pad_mm: float) -> float:
    per_line = max(1.0, (width_mm - 2 * pad_mm) / (font_pt * PT_MM))
    return sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in text) / per_line


def render_fodt(doc: Doc) -> str:
    """The whole document as a flat ODT text document."""
    styles, body = [], []
    w, h = doc.page_mm
    for p in doc.tables:
        t, look, ti = p.table, p.table.look, p.index
        widths = doc.col_widths_mm(t)
        styles.append(
            f'<style:style style:name="T{ti}" style:family="table"><style:table-properties style:width="{sum(widths)}mm"'
            f' table:align="left" style:may-break-between-rows="true"/></style:style>'
        )
        styles.extend(
            f'<style:style style:name="T{ti}C{k}" style:family="table-column">'
            f'<style:table-column-properties style:column-width="{cw}mm"/></style:style>'
            for k, cw in enumerate(widths)
        )
        for a, fo in ALIGN.items():
            for bold in ("", "B"):
                weight = ' fo:font-weight="bold" style:font-weight-asian="bold"' if bold else ""
                styles.append(
                    f'<style:style style:name="P{ti}{a}{bold}" style:family="paragraph">'
                    f'<style:paragraph-properties fo:text-align="{fo}" fo:line-height="{int(look.line_height * 100)}%"/>'
                    f'<style:text-properties fo:font-size="{look.font_pt}pt" style:font-size-asian="{look.font_pt}pt"'
                    f"{weight}/></style:style>"
                )
        gap = 0.75 + (ti % 3) * 0.75
        tops = t.top_left()
        split_rows = {
            c.row
            for c in t.cells
            if c.rowspan == 1
            and _lines(c.text, sum(widths[c.col : c.col + c.colspan]), look.font_pt, look.padding_mm) > 1.5
        }
        brk = "PB" if p.new_page else "P0"
        body.append(f'<text:p text:style-name="{brk}"/>')
        body.append(f'<text:p text:style-name="Space{ti}"/>')
        styles.append(
            f'<style:style style:name="Space{ti}" style:family="paragraph"><style:paragraph-properties'
            f' fo:margin-top="{p.space_before_mm:.1f}mm" fo:margin-bottom="0mm"/>'
            '<style:text-properties fo:font-size="2pt"/></style:style>'
        )
        body.append(f'<text:p text:style-name="Cap">{escape(p.marker)} 表{ti + 1}</text:p>')
        rows = [f'<table:table table:name="Table{ti + 1}" table:style-name="T{ti}">']
        rows.extend(f'<table:table-column table:style-name="T{ti}C{k}"/>' for k in range(t.n_cols))
        for r in range(t.n_rows):
            rows.append(f'<table:table-row table:style-name="{"Row" if r in split_rows else "RowKeep"}">')
            for k in range(t.n_cols):
                c = tops.get((r, k))
                if c is None:
                    rows.append("<table:covered-table-cell/>")
                    continue
                name = f"C{ti}_{r}_{k}"
                lk = p.looks[(r, k)]
                styles.append(_cell_style(name, lk, p, gap))
                spans = ""
                if c.rowspan > 1:
                    spans += f' table:number-rows-spanned="{c.rowspan}"'
                if c.colspan > 1:
                    spans += f' table:number-columns-spanned="{c.colspan}"'
                para = f"P{ti}{look.align[k]}{'B' if lk.bold else ''}"
                rows.append(
                    f'<table:table-cell table:style-name="{name}" office:value-type="string"{spans}>'
                    f'<text:p text:style-name="{para}">{escape(c.text)}</text:p></table:table-cell>'
                )
            rows.append("</table:table-row>")
        rows.append("</table:table>")
        body.append("\n".join(rows))
        body.append(f'<text:p text:style-name="End">{escape(p.end_marker)}</text:p>')
    western = quoteattr(doc.latin_font or doc.cjk_font)
    asian = quoteattr(doc.cjk_font)
    m = f"{doc.margin_mm:.1f}mm"
    head = f"""<office:font-face-decls>
<style:font-face style:name="W" svg:font-family={western}/>
<style:font-face style:name="A" svg:font-family={asian}/>
</office:font-face-decls>
<office:styles>
<style:default-style style:family="paragraph">
<style:paragraph-properties fo:margin-top="0mm" fo:margin-bottom="0mm"/>
<style:text-properties style:font-name="W" style:font-name-asian="A" style:font-name-complex="A"
 fo:font-size="10pt" style:font-size-asian="10pt" fo:language="zh" fo:country="CN" style:language-asian="zh"
 style:country-asian="CN" fo:hyphenate="false"/>
</style:default-style>
</office:styles>
<office:automatic-styles>
<style:page-layout style:name="PM"><style:page-layout-properties fo:page-width="{w}mm" fo:page-height="{h}mm"
 fo:margin-top="{m}" fo:margin-bottom="{m}" fo:margin-left="{m}" fo:margin-right="{m}"/></style:page-layout>
<style:style style:name="P0" style:family="paragraph"><style:text-properties fo:font-size="2pt"/></style:style>
<style:style style:name="PB" style:family="paragraph"><style:paragraph-properties fo:break-before="page"/>
<style:text-properties fo:font-size="2pt"/></style:style>
<style:style style:name="Cap" style:family="paragraph"><style:paragraph-properties fo:margin-bottom="2mm"/></style:style>
<style:style style:name="End" style:family="paragraph"><style:paragraph-properties fo:margin-top="1mm" fo:margin-bottom="4mm"/>
<style:text-properties fo:font-size="8pt"/></style:style>
<style:style style:name="Row" style:family="table-row"><style:table-row-properties fo:keep-together="auto"/></style:style>
<style:style style:name="RowKeep" style:family="table-row"><style:table-row-properties fo:keep-together="always"/></style:style>
{chr(10).join(styles)}
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="PM"/></office:master-styles>"""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document {NS} office:version="1.3" '
        'office:mimetype="application/vnd.oasis.opendocument.text">\n'
        + head
        + "\n<office:body><office:text>\n"
        + "\n".join(body)
        + "\n</office:text></office:body></office:document>\n"
    )
