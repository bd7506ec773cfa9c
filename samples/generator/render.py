#!/usr/bin/env python3
"""Renders the sample corpus listed in `samples/documents.json`.

For every document and producer: the PDF (`samples/<producer>/<doc>.pdf`), its expected
logical tables (`samples/expected/<producer>/<doc>.tables.json`) and its golden parse output
(`golden/<producer>/<doc>.json`); then the scanned variants (`samples/scanned/<doc>.pdf`,
`samples/expected/scanned/…`, `golden/scanned/…`) and the text-layer variants
(`samples/<dir>/<name>.pdf`, see `fontvariants.py`). Expected tables and golden records are
written from the source data, never from jixiao's output.

Usage: render.py [--only NAME ...] [--keep-sources DIR]
       render.py --check      (no producers needed: is the committed corpus up to date?)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from golden import report_record
from layout import Block, Style, build_blocks, tables_of
from pages import table_pages
from pdfcheck import break_stats, missing_cells
from producers import check_producers, render_pdf
from scan import scan_pdf

try:  # pikepdf and fontTools are needed only to make the text-layer variants
    from fontvariants import make_variant
except ImportError:
    make_variant = None

SAMPLES = Path(__file__).resolve().parent.parent
ROOT = SAMPLES.parent
GOLDEN = ROOT / "golden"


def load_sets() -> dict[str, dict]:
    """Every report set in `samples/data/*.json`, by its `set` name."""
    sets = {}
    for f in sorted((SAMPLES / "data").glob("*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        sets[d["set"]] = d
    return sets


def select_reports(spec: list[dict], sets: dict[str, dict]) -> list[dict]:
    """The reports a document lists: whole sets or chosen ids, in the order given."""
    out = []
    for part in spec:
        reports = sets[part["set"]]["reports"]
        if "ids" in part:
            by_id = {r["id"]: r for r in reports}
            out.extend(by_id[i] for i in part["ids"])
        else:
            out.extend(reports)
    return out


def json_text(value: dict) -> str:
    """Pretty, stable JSON with a trailing newline."""
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def expectations(rel: str, pdf: Path, blocks: list[Block], pages: list[list[int]]) -> dict[Path, dict]:
    """`expected/<rel>.tables.json` and `golden/<rel>.json` for the PDF at `samples/<rel>.pdf`."""
    file = f"{rel}.pdf"
    digest = sha256(pdf)
    reports = []
    skipped = 0
    table_index = 0
    for b in blocks:
        if b.table is None:
            continue
        if b.report is None:
            skipped += 1
        else:
            reports.append(report_record(b.report, file, digest, pages[table_index], table_index))
        table_index += 1
    return {
        SAMPLES / "expected" / f"{rel}.tables.json": {
            "file": file,
            "tables": [t.expected() for t in tables_of(blocks)],
        },
        GOLDEN / f"{rel}.json": {"file": file, "reports": reports, "skipped_tables": skipped},
    }


def write_or_compare(files: dict[Path, dict], check: bool) -> list[Path]:
    """Writes the files, or with `check` only lists those whose content would change."""
    stale = []
    for path, value in files.items():
        text = json_text(value)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return stale


def read_back(rel: str, blocks: list[Block], style: Style) -> list[list[int]]:
    """Pages of every table of `samples/<rel>.pdf`, after checking that it shows every cell."""
    pdf = SAMPLES / f"{rel}.pdf"
    pages = table_pages(pdf, blocks)
    unshown = missing_cells(pdf, blocks, pages, style)
    if unshown:
        raise RuntimeError(f"{pdf}: text not shown as expected: {unshown[:5]}")
    return pages


def render_document(rel: str, blocks: list[Block], style: Style, keep_sources: Path | None) -> None:
    """Renders one document with one producer, checks it, writes its expectations."""
    pdf = SAMPLES / f"{rel}.pdf"
    if keep_sources:
        keep_sources.mkdir(parents=True, exist_ok=True)
    render_pdf(rel.split("/")[0], blocks, style, pdf, keep_sources)
    pages = read_back(rel, blocks, style)
    write_or_compare(expectations(rel, pdf, blocks, pages), check=False)
    st = break_stats(pdf, blocks, pages, style)
    n = sum(b.report is not None for b in blocks)
    print(
        f"{rel}.pdf: {n} reports, {sum(len(p) for p in pages)} table pages; page breaks inside tables: "
        f"{st.breaks}, inside a merged 一级/二级 cell: {st.in_merged}, cutting a row: {st.cut_rows}"
    )


def render_scan(sc: dict, blocks: list[Block]) -> None:
    """Writes one scanned variant of the rendered PDF `sc["source"]` and its expectations."""
    src_rel = sc["source"]
    pages = table_pages(SAMPLES / f"{src_rel}.pdf", blocks)
    out = SAMPLES / "scanned" / f"{sc['name']}.pdf"
    scan_pdf(
        SAMPLES / f"{src_rel}.pdf", out, sc["dpi"], sc["quality"], sc["max_rotate"], sc["noise"], sc["gray"], sc["seed"]
    )
    write_or_compare(expectations(f"scanned/{sc['name']}", out, blocks, pages), check=False)
    print(f"scanned/{sc['name']}.pdf: from {src_rel}.pdf at {sc['dpi']} dpi")


def variant_expectations(v: dict, sources: dict[str, tuple[list[Block], list[list[int]]]]) -> dict[Path, dict]:
    """A text-layer variant's expectations: its source's tables (then those of `append`)."""
    blocks, pages = sources[v["source"]]
    if "append" in v:
        more_blocks, more_pages = sources[v["append"]]
        offset = max((p for ps in pages for p in ps), default=0)
        blocks = blocks + more_blocks
        pages = pages + [[p + offset for p in ps] for ps in more_pages]
    rel = f"{v['dir']}/{v['name']}"
    return expectations(rel, SAMPLES / f"{rel}.pdf", blocks, pages)


def render_variant(v: dict, sources: dict[str, tuple[list[Block], list[list[int]]]]) -> None:
    """Writes one text-layer variant and its expectations."""
    if make_variant is None:
        raise RuntimeError("text-layer variants need pikepdf and fontTools (pip install -r requirements.txt)")
    rel = f"{v['dir']}/{v['name']}"
    make_variant(SAMPLES, v, SAMPLES / f"{rel}.pdf")
    write_or_compare(variant_expectations(v, sources), check=False)
    print(f"{rel}.pdf: {v['transform']} of {v['source']}.pdf")


def check_corpus(spec: dict, sets: dict[str, dict]) -> int:
    """Without producers: are the committed PDFs, expected tables and golden files up to date
    with the data? Prints every stale file; returns the process exit code."""
    stale: list[Path] = []
    sources: dict[str, tuple[list[Block], list[list[int]]]] = {}
    for doc in spec["documents"]:
        blocks = build_blocks(doc.get("prelude", []), select_reports(doc["reports"], sets))
        for producer, opts in doc["producers"].items():
            rel = f"{producer}/{doc['name']}"
            pages = read_back(rel, blocks, Style(opts["font"]))
            sources[rel] = (blocks, pages)
            stale += write_or_compare(expectations(rel, SAMPLES / f"{rel}.pdf", blocks, pages), check=True)
    for sc in spec.get("scans", []):
        blocks, pages = sources[sc["source"]]
        rel = f"scanned/{sc['name']}"
        stale += write_or_compare(expectations(rel, SAMPLES / f"{rel}.pdf", blocks, pages), check=True)
        sources[rel] = (blocks, pages)
    for v in spec.get("variants", []):
        stale += write_or_compare(variant_expectations(v, sources), check=True)
    for path in stale:
        print(f"stale: {path.relative_to(ROOT)}", file=sys.stderr)
    return 1 if stale else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="*", help="document or scan names to render (default: all)")
    ap.add_argument("--keep-sources", type=Path, help="also keep the generated HTML/FODT here")
    ap.add_argument(
        "--check", action="store_true", help="render nothing; fail if the committed corpus is stale against the data"
    )
    args = ap.parse_args()

    spec = json.loads((SAMPLES / "documents.json").read_text(encoding="utf-8"))
    sets = load_sets()
    if args.check:
        return check_corpus(spec, sets)
    wanted = set(args.only or [])
    variant_names = {v["name"] for v in spec.get("variants", [])}
    needs_producers = not wanted or bool(wanted - variant_names)
    missing = check_producers(sorted({p for d in spec["documents"] for p in d["producers"]})) if needs_producers else []
    if missing:
        print("\n".join(missing), file=sys.stderr)
        return 2
    rendered: dict[str, list[Block]] = {}
    for doc in spec["documents"]:
        blocks = build_blocks(doc.get("prelude", []), select_reports(doc["reports"], sets))
        for producer, opts in doc["producers"].items():
            rel = f"{producer}/{doc['name']}"
            if not wanted or doc["name"] in wanted:
                render_document(rel, blocks, Style(opts["font"]), args.keep_sources)
            rendered[rel] = blocks
    for sc in spec.get("scans", []):
        if not wanted or sc["name"] in wanted:
            render_scan(sc, rendered[sc["source"]])
        rendered[f"scanned/{sc['name']}"] = rendered[sc["source"]]
    variants = [v for v in spec.get("variants", []) if not wanted or v["name"] in wanted]
    if variants:
        sources = {}
        for rel in {v["source"] for v in variants} | {v["append"] for v in variants if "append" in v}:
            src = rel if not rel.startswith("scanned/") else next(
                sc["source"] for sc in spec["scans"] if f"scanned/{sc['name']}" == rel
            )
            sources[rel] = (rendered[rel], table_pages(SAMPLES / f"{src}.pdf", rendered[rel]))
        for v in variants:
            render_variant(v, sources)
    return 0


if __name__ == "__main__":
    sys.exit(main())
