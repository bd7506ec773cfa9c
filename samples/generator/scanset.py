#!/usr/bin/env python3
"""The degraded-scan corpus: every rendered sample PDF (both producers) scanned again and
again, each page with its own random degradation (`degrade.py`), until at least `--pages`
pages are made.

Writes under OUT:
  samples/<name>.pdf                     image-only PDF (no text layer, no /Rotate)
  samples/expected/<name>.tables.json    the logical tables, from the source data
  golden/<name>.json                     the golden `jixiao parse` output, from the source data
  params/<name>.json                     every page's degradation and its labels

Truth comes from the same data as the committed goldens (`render.expectations`), never from
jixiao. Needs poppler-utils, Pillow, numpy, img2pdf; no producers (it scans the committed PDFs).

Usage: scanset.py OUT [--pages 320] [--seed 1] [--only minhang-2023 ...] [--prefix DIR]

`--prefix DIR` puts the files one directory down (samples/DIR/, golden/DIR/, the records'
`file` being DIR/<name>.pdf): how the committed subset `samples/scanned-degraded/` is made.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from degrade import draw_params, encode, params_json, scan_page, write_pdf
from layout import build_blocks
from pages import table_pages
from render import SAMPLES, expectations, json_text, load_sets, select_reports


def degraded_pdf(src: Path, out: Path, seed: int) -> list[dict]:
    """Scans every page of `src` with its own seeded degradation; returns the parameters."""
    n = len(table_pages_count(src))
    rng = np.random.default_rng(seed)
    images, params = [], []
    for page in range(1, n + 1):
        p = draw_params(rng)
        img = scan_page(src, page, p, rng)
        images.append(encode(img, p))
        params.append(params_json(p))
    write_pdf(images, out)
    return params


def table_pages_count(src: Path) -> list[int]:
    """1-based page numbers of `src`."""
    import subprocess

    info = subprocess.run(["pdfinfo", str(src)], check=True, capture_output=True, timeout=60).stdout.decode()
    n = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return list(range(1, n + 1))


def sources() -> list[tuple[str, list]]:
    """(`<producer>/<doc>`, blocks) of every rendered document, in documents.json order."""
    spec = json.loads((SAMPLES / "documents.json").read_text(encoding="utf-8"))
    sets = load_sets()
    out = []
    for doc in spec["documents"]:
        blocks = build_blocks(doc.get("prelude", []), select_reports(doc["reports"], sets))
        out.extend((f"{producer}/{doc['name']}", blocks) for producer in doc["producers"])
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--pages", type=int, default=320, help="at least this many pages (default 320)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", nargs="*", help="document names to use (default: all)")
    ap.add_argument("--prefix", default="", help="subdirectory of samples/ and golden/ (default: none)")
    args = ap.parse_args()
    docs = [(rel, b) for rel, b in sources() if not args.only or rel.split("/")[1] in args.only]
    made, variant = 0, 0
    while made < args.pages:
        for rel, blocks in docs:
            if made >= args.pages:
                break
            src = SAMPLES / f"{rel}.pdf"
            name = f"{args.prefix}/" * bool(args.prefix) + f"{rel.replace('/', '-')}-v{variant}"
            pdf = args.out / "samples" / f"{name}.pdf"
            seed = args.seed * 1_000_003 + made
            params = degraded_pdf(src, pdf, seed)
            pages = table_pages(src, blocks)
            for path, value in expectations(name, pdf, blocks, pages).items():
                # expectations() names the committed corpus' places; keep the same layout under OUT.
                rel_out = path.relative_to(SAMPLES.parent)
                rel_out = Path("samples") / rel_out.relative_to("samples") if rel_out.parts[0] == "samples" else rel_out
                (args.out / rel_out).parent.mkdir(parents=True, exist_ok=True)
                (args.out / rel_out).write_text(json_text(value), encoding="utf-8")
            (args.out / "params" / f"{name}.json").parent.mkdir(parents=True, exist_ok=True)
            (args.out / "params" / f"{name}.json").write_text(
                json_text({"source": f"{rel}.pdf", "seed": seed, "pages": params}), encoding="utf-8"
            )
            made += len(params)
            print(f"{name}.pdf: {len(params)} pages ({made} so far)", flush=True)
        variant += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
