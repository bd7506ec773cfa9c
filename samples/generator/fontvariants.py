"""Text-layer variants: rendered PDFs post-processed the way real converters leave them.

Each variant starts from a committed producer PDF (`source` = `<producer>/<document>`) and
changes only how its fonts map codes to Unicode, or which pages are images, so its tables and
golden records are those of its source (written from the data, like every other sample).
Transforms (pikepdf for the PDF objects, fontTools for the font programs):

- `drop-tounicode`: every `/ToUnicode` removed (a CIDFontType2 Identity-H font then maps only
  through its embedded TrueType `cmap`; LibreOffice's simple TrueType subsets through nothing);
- `cff-opentype`: every CIDFontType2 turned into a CIDFontType0 whose program is a CFF-outline
  OpenType font (fontTools: outlines converted to Type 2 charstrings, glyphs named `uniXXXX`),
  `/CIDToGIDMap` and `/ToUnicode` removed;
- `truetype-unicode-cmap`: every simple TrueType font's program given a Windows Unicode (3,1)
  `cmap` subtable built from its `/ToUnicode`, then `/ToUnicode` removed (what converters that
  embed whole cmaps leave);
- `drop-tounicode-fonts`: the `/ToUnicode` of each font whose `/BaseFont` contains one of
  the variant's `fonts` removed (a converter that lost some embedded subsets' maps: the other
  fonts still read, so only the text set in those fonts is unreadable, in cells or outside);
- `pua-tounicode`: every `/ToUnicode` rewritten to map each code into the Private Use Area;
- `mixed`: the pages of `source`, then those of `append` (a scanned variant): one document
  whose tables are the two sources' tables in order;
- `vector-header`: every page of `source` (a scanned variant: one image drawn over the page)
  made `margin` points taller, with a line of vector text in that top margin (a scanned body
  under a vector header: the page has a usable text layer, its tables are in the image).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables._c_m_a_p import CmapSubtable


def _fonts(pdf: pikepdf.Pdf):
    """Every font dictionary of the document, once."""
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font":
            yield obj


def _to_unicode(stream: pikepdf.Stream) -> dict[int, str]:
    """Code → text of a ToUnicode CMap (bfchar and bfrange with a start value)."""
    data = stream.read_bytes().decode("latin-1")
    out: dict[int, str] = {}

    def utf16(hexs: str) -> str:
        return bytes.fromhex(hexs).decode("utf-16-be")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for code, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(code, 16)] = utf16(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            base = utf16(dst)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = base[:-1] + chr(ord(base[-1]) + i)
    return out


def drop_to_unicode(pdf: pikepdf.Pdf) -> None:
    for font in _fonts(pdf):
        if "/ToUnicode" in font:
            del font["/ToUnicode"]


def drop_some_to_unicode(pdf: pikepdf.Pdf, fonts: list[str]) -> None:
    for name in fonts:
        (only,) = [f for f in _fonts(pdf) if "/ToUnicode" in f and name in str(f.get("/BaseFont"))]
        del only["/ToUnicode"]


def pua_to_unicode(pdf: pikepdf.Pdf) -> None:
    """Each code of every ToUnicode mapped to U+E000 + a running number instead."""
    for font in _fonts(pdf):
        if "/ToUnicode" not in font:
            continue
        codes = sorted(_to_unicode(font.ToUnicode))
        width = 4 if font.get("/Subtype") == "/Type0" else 2
        lines = "".join(f"<{c:0{width}X}> <{0xE000 + i:04X}>\n" for i, c in enumerate(codes))
        cmap = (
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CMapName /PUA def\n/CMapType 2 def\n1 begincodespacerange\n"
            f"<{0:0{width}X}> <{(1 << (8 * width // 2)) - 1:0{width}X}>\nendcodespacerange\n"
            f"{len(codes)} beginbfchar\n{lines}endbfchar\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
        )
        font.ToUnicode = pdf.make_stream(cmap.encode("ascii"))


def _descendant(font: pikepdf.Dictionary) -> pikepdf.Dictionary | None:
    if font.get("/Subtype") != "/Type0":
        return None
    return font.DescendantFonts[0]


def cff_opentype(pdf: pikepdf.Pdf) -> None:
    """CIDFontType2 (TrueType) → CIDFontType0 with a CFF-outline OpenType program."""
    for font in _fonts(pdf):
        cid = _descendant(font)
        if cid is None or cid.get("/Subtype") != "/CIDFontType2":
            continue
        desc = cid.FontDescriptor
        tt = TTFont(io.BytesIO(desc.FontFile2.read_bytes()), recalcTimestamp=False)
        unicode_of = {}
        for table in tt["cmap"].tables:
            if table.isUnicode():
                for cp, name in table.cmap.items():
                    unicode_of.setdefault(name, cp)
        order = tt.getGlyphOrder()
        names = [".notdef"] + [
            f"uni{unicode_of[g]:04X}" if g in unicode_of and unicode_of[g] <= 0xFFFF else f"glyph{i:05d}"
            for i, g in enumerate(order)
            if i > 0
        ]
        glyph_set = tt.getGlyphSet()
        charstrings = {}
        for old, new in zip(order, names):
            pen = T2CharStringPen(glyph_set[old].width, glyph_set)
            glyph_set[old].draw(pen)
            charstrings[new] = pen.getCharString()
        fb = FontBuilder(tt["head"].unitsPerEm, isTTF=False)
        fb.font.recalcTimestamp = False
        fb.updateHead(created=tt["head"].created, modified=tt["head"].modified)
        fb.setupGlyphOrder(names)
        fb.setupCharacterMap({cp: f"uni{cp:04X}" for cp in unicode_of.values() if f"uni{cp:04X}" in charstrings})
        fb.setupCFF(str(cid.BaseFont)[1:], {"FullName": str(cid.BaseFont)[1:]}, charstrings, {})
        fb.setupHorizontalMetrics({n: (glyph_set[o].width, 0) for o, n in zip(order, names)})
        fb.setupHorizontalHeader(ascent=tt["hhea"].ascent, descent=tt["hhea"].descent)
        fb.setupNameTable({"familyName": str(cid.BaseFont)[1:], "styleName": "Regular"})
        fb.setupOS2()
        fb.setupPost()
        out = io.BytesIO()
        fb.save(out)
        program = pdf.make_stream(out.getvalue())
        program.Subtype = pikepdf.Name("/OpenType")
        del desc["/FontFile2"]
        desc.FontFile3 = program
        cid.Subtype = pikepdf.Name("/CIDFontType0")
        for key in ("/CIDToGIDMap",):
            if key in cid:
                del cid[key]
        if "/ToUnicode" in font:
            del font["/ToUnicode"]


def truetype_unicode_cmap(pdf: pikepdf.Pdf) -> None:
    """Simple TrueType fonts: a (3,1) cmap from the ToUnicode, then no ToUnicode."""
    for font in _fonts(pdf):
        if font.get("/Subtype") != "/TrueType" or "/ToUnicode" not in font:
            continue
        desc = font.FontDescriptor
        tt = TTFont(io.BytesIO(desc.FontFile2.read_bytes()), recalcTimestamp=False)
        by_code = {}
        for table in tt["cmap"].tables:
            if (table.platformID, table.platEncID) in ((1, 0), (3, 0)):
                for code, name in table.cmap.items():
                    by_code.setdefault(code & 0xFF, name)
        unicode_map = {}
        for code, text in _to_unicode(font.ToUnicode).items():
            if len(text) == 1 and code in by_code:
                unicode_map.setdefault(ord(text), by_code[code])
        sub = CmapSubtable.newSubtable(4)
        sub.platformID, sub.platEncID, sub.language = 3, 1, 0
        sub.cmap = unicode_map
        tt["cmap"].tables.append(sub)
        out = io.BytesIO()
        tt.save(out)
        desc.FontFile2 = pdf.make_stream(out.getvalue())
        del font["/ToUnicode"]


def vector_header(pdf: pikepdf.Pdf, margin: float) -> None:
    """Each page made `margin` points taller, a line of text in the new top margin."""
    font = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    )
    for number, page in enumerate(pdf.pages, start=1):
        height = float(page.MediaBox[3])
        page.MediaBox = pikepdf.Array([0, 0, page.MediaBox[2], height + margin])
        page.Resources.Font = pikepdf.Dictionary(F1=font)
        header = f"Attachment {number}: performance self-evaluation (scanned copy)"
        text = f"\nBT /F1 11 Tf 56 {height + margin / 2 - 4:.2f} Td ({header}) Tj ET\n"
        page.Contents = pdf.make_stream(page.Contents.read_bytes() + text.encode("ascii"))


TRANSFORMS = {
    "drop-tounicode": drop_to_unicode,
    "pua-tounicode": pua_to_unicode,
    "cff-opentype": cff_opentype,
    "truetype-unicode-cmap": truetype_unicode_cmap,
}


def make_variant(samples: Path, spec: dict, out: Path) -> None:
    """Writes the variant `spec` of `samples/<source>.pdf` to `out`, deterministically."""
    pdf = pikepdf.open(samples / f"{spec['source']}.pdf")
    if spec["transform"] == "mixed":
        extra = pikepdf.open(samples / f"{spec['append']}.pdf")
        pdf.pages.extend(extra.pages)
    elif spec["transform"] == "vector-header":
        vector_header(pdf, spec["margin"])
    elif spec["transform"] == "drop-tounicode-fonts":
        drop_some_to_unicode(pdf, spec["fonts"])
    else:
        TRANSFORMS[spec["transform"]](pdf)
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.remove_unreferenced_resources()
    pdf.save(
        out,
        deterministic_id=True,
        compress_streams=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        recompress_flate=True,
    )
