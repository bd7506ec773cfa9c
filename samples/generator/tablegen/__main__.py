"""Seeded random tables with known truth, rendered by Chromium, LibreOffice and ReportLab.

    python3 samples/generator/tablegen --out DIR [--seed N] [--tables N] [--partial F]
        [--producers chromium,libreoffice,reportlab] [--only PRODUCERS] [--jobs N]

Writes `DIR/<doc>.pdf` and `DIR/<doc>.truth.json` for each document (several tables each):
`{"file", "producer", "font", "latin_font", "orientation", "rotate", "tables": [{"n_rows",
"n_cols", "cells": [{"row", "col", "rowspan", "colspan", "text"}], "tags": {...}}]}` — the
tables as `jixiao extract` prints them, in document order, with the tags the report breaks
the figures down by. The same seed and tool versions give the same files.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.append(str(HERE.parent))  # the sample generator's producers and fodt_out

from draw import Doc, random_doc
from fodt_doc import render_fodt
from html_doc import render_html
from rotate import orient

from producers import chromium_pdf, libreoffice_pdf, stabilise

PRODUCERS = ["chromium", "libreoffice", "reportlab"]
LO_BATCH = 25


def _pages(pdf: Path, doc: Doc) -> list[str]:
    """Per table, the number of pages it covers ("1", "2", "3+"), from its start and end
    markers in the PDF's text (`pdftotext`); "?" when a marker is not found."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = text.split("\f")

    def page_of(pattern: str) -> int | None:
        rx = re.compile(pattern)
        # Text upside down (a page turned by 180°) comes out reversed.
        return next((i for i, p in enumerate(pages) if rx.search(p) or rx.search(p[::-1])), None)

    out = []
    for p in doc.tables:
        n = p.index + 1
        a, b = page_of(rf"\[\s*T\s*{n}\s*\]"), page_of(rf"\[\s*T\s*{n}\s+end\s*\]")
        out.append("?" if a is None or b is None else str(b - a + 1) if b - a < 2 else "3+")
    return out


def _unseen(pdf: Path, doc: Doc) -> str:
    """The characters of the truth's cells that the PDF's text (`pdftotext`) lacks, with
    counts: a glyph the font lacks, text clipped by its cell, a cell lost by the producer.
    Empty when the page shows every character the truth says it does."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    shown = Counter(unicodedata.normalize("NFKC", text))
    want = Counter(
        ch
        for p in doc.tables
        for c in p.table.cells
        for ch in unicodedata.normalize("NFKC", c.text)
        if not ch.isspace()
    )
    # pdftotext drops a hyphen that ends a line (it de-hyphenates): "-" is not counted.
    return "".join(f"{ch}×{n - shown[ch]} " for ch, n in sorted(want.items()) if n > shown[ch] and ch != "-")


def _tags(doc: Doc, p, pages: str) -> dict[str, str]:
    t, look = p.table, p.table.look
    orientation = doc.orientation if doc.orientation == "upright" else f"{doc.orientation}-{doc.rotate}"
    return {
        "producer": doc.producer,
        "font": doc.cjk_font,
        "latin_font": doc.latin_font or "-",
        "orientation": orientation,
        "rules": look.rules,
        "border": look.border_style if look.rules == "full" else "-",
        "border_width": str(look.border_width),
        "outer": look.outer if look.rules == "full" else "-",
        "colour": look.colour,
        "shading": "fills" if look.rules == "fills" else look.shading,
        "pages": pages,
        "spans": "yes" if any(c.rowspan > 1 or c.colspan > 1 for c in t.cells) else "no",
        "font_pt": str(look.font_pt),
    }


def dump_truth(truth: dict) -> str:
    """The truth as compact JSON, one table's head and then one cell per line."""

    def dumps(v: object) -> str:
        return json.dumps(v, ensure_ascii=False, separators=(",", ":"))

    tables = []
    for t in truth["tables"]:
        head = dumps({k: v for k, v in t.items() if k != "cells"})[:-1]
        cells = ",\n".join(dumps(c) for c in t["cells"])
        tables.append(f'{head},"cells":[\n{cells}]}}')
    top = dumps({k: v for k, v in truth.items() if k != "tables"})[:-1]
    return f'{top},"tables":[\n' + ",\n".join(tables) + "]}\n"


def _fit(docs: list[Doc], out: Path, max_mb: float, producers: list[str]) -> list[Doc]:
    """Keeps, per producer, the smallest documents whose PDFs fit in an equal share of
    `max_mb` among `producers` (a committed subset); deletes the others."""
    size = {d.name: (out / f"{d.name}.pdf").stat().st_size for d in docs}
    kept = set()
    for producer in sorted({d.producer for d in docs}):
        budget = max_mb * 1e6 / len(producers)
        for d in sorted((d for d in docs if d.producer == producer), key=lambda d: (size[d.name], d.name)):
            if size[d.name] <= budget:
                kept.add(d.name)
                budget -= size[d.name]
            else:
                (out / f"{d.name}.pdf").unlink()
    return [d for d in docs if d.name in kept]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tables", type=int, default=200, help="at least this many tables")
    ap.add_argument("--partial", type=float, default=0.2, help="share of partially ruled documents")
    ap.add_argument("--producers", default=",".join(PRODUCERS))
    ap.add_argument("--per-doc", default="3-7", help="tables per document, LO-HI")
    ap.add_argument(
        "--only",
        help="render only these producers' documents, the same ones as without it (regenerates their share of a corpus)",
    )
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--max-mb", type=float, help="drop the largest documents until the PDFs fit in this size")
    args = ap.parse_args()
    producers = args.producers.split(",")
    for exe, prod in (("chromium", "chromium"), ("soffice", "libreoffice"), ("pdftotext", None)):
        if (prod is None or prod in producers) and shutil.which(exe) is None:
            print(f"missing: {exe} (see samples/generator/tablegen/README.md)", file=sys.stderr)
            return 2
    rng = random.Random(args.seed)
    docs: list[Doc] = []
    total = 0
    while total < args.tables:
        i = len(docs)
        producer = producers[i % len(producers)]
        n = rng.randint(*map(int, args.per_doc.split("-")))
        docs.append(random_doc(rng, f"s{args.seed}-{i:04d}-{producer}", producer, n, rng.random() < args.partial))
        total += n
    if args.only:
        docs = [d for d in docs if d.producer in args.only.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jixiao-tablegen-") as tmp:
        work = Path(tmp)
        lo = [d for d in docs if d.producer == "libreoffice"]
        for d in lo:
            (work / f"{d.name}.fodt").write_text(render_fodt(d), encoding="utf-8")
        batches = [lo[i : i + LO_BATCH] for i in range(0, len(lo), LO_BATCH)]

        def lo_batch(k: int) -> None:
            srcs = [work / f"{d.name}.fodt" for d in batches[k]]
            libreoffice_pdf(srcs, args.out, work / f"lo-profile-{k % args.jobs}")

        def chromium(d: Doc) -> None:
            src = work / f"{d.name}.html"
            src.write_text(render_html(d), encoding="utf-8")
            chromium_pdf(src, (args.out / f"{d.name}.pdf").resolve(), work / f"chrome-{d.name}")

        with ThreadPoolExecutor(args.jobs) as pool:
            # LibreOffice profiles are per worker slot: batches k and k+jobs never overlap.
            for start in range(0, len(batches), args.jobs):
                list(pool.map(lo_batch, range(start, min(start + args.jobs, len(batches)))))
            list(pool.map(chromium, [d for d in docs if d.producer == "chromium"]))
        rl = [d for d in docs if d.producer == "reportlab"]
        failed: set[str] = set()
        if rl:
            from rl_doc import LAYOUT_ERRORS, render_reportlab  # ReportLab is needed only for its documents

            for d in rl:  # ReportLab's font registry is global: one document at a time
                try:
                    render_reportlab(d, args.out / f"{d.name}.pdf")
                except LAYOUT_ERRORS as e:  # a cell taller than a page
                    print(f"{d.name}: skipped, ReportLab cannot lay it out: {e!r:.200}", file=sys.stderr)
                    (args.out / f"{d.name}.pdf").unlink(missing_ok=True)
                    failed.add(d.name)
            docs = [d for d in docs if d.name not in failed]
    if args.max_mb is not None:
        docs = _fit(docs, args.out, args.max_mb, producers)
    n_tables = n_docs = 0
    for d in docs:
        out = args.out / f"{d.name}.pdf"
        orient(out, d.orientation, d.rotate, random.Random(d.name))
        out.write_bytes(stabilise(out.read_bytes()))
        if unseen := _unseen(out, d):  # the producer did not show the truth: no truth to give
            print(f"{d.name}: skipped, characters of the truth not in the PDF's text: {unseen}", file=sys.stderr)
            out.unlink()
            continue
        pages = _pages(out, d)
        truth = {
            "file": out.name,
            "producer": d.producer,
            "font": d.cjk_font,
            "latin_font": d.latin_font,
            "orientation": d.orientation,
            "rotate": d.rotate,
            "tables": [p.table.truth() | {"tags": _tags(d, p, pages[p.index])} for p in d.tables],
        }
        (args.out / f"{d.name}.truth.json").write_text(dump_truth(truth))
        n_tables += len(d.tables)
        n_docs += 1
    print(f"{n_docs} documents, {n_tables} tables in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
