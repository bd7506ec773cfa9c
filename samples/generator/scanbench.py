#!/usr/bin/env python3
"""Accuracy and speed of jixiao on the degraded-scan corpus made by `scanset.py`.

For every OUT/samples/*.pdf: `jixiao extract` (tables) compared with
samples/expected/<name>.tables.json — a table is *structure exact* when its size and every
cell's position and span match — and `jixiao parse` compared with golden/<name>.json leaf by
leaf (a record field is exact when equal; findings are not compared). Wall and CPU seconds of
each `jixiao parse` run (the whole pipeline) are summed. Each table and each record is
attributed to the degradation labels of the pages it covers, for the breakdown. Honest status:
the files reported `partial`, and those reported `ok` although a page holding a report (in
the golden) is covered by no report read — which must never happen.

Usage: scanbench.py OUT [--jixiao target/release/jixiao] [--only SUBSTRING] [--no-parse]
Prints a Markdown report; `--json FILE` also writes the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path


def run(cmd: list[str]) -> tuple[dict | None, float, float, str]:
    """Runs a jixiao command; (parsed JSON stdout or None, wall s, CPU s of the child, stderr)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, timeout=1800, check=False)
    wall = time.monotonic() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    try:
        out = json.loads(p.stdout)
    except ValueError:
        out = None
    return out, wall, cpu, p.stderr.decode("utf-8", "replace")


def table_structure_ok(found: dict | None, want: dict) -> bool:
    if found is None or (found["n_rows"], found["n_cols"]) != (want["n_rows"], want["n_cols"]):
        return False
    spans = {(c["row"], c["col"]): (c["rowspan"], c["colspan"]) for c in found["cells"]}
    return all(spans.get((c["row"], c["col"])) == (c["rowspan"], c["colspan"]) for c in want["cells"]) and len(
        spans
    ) == len(want["cells"])


def leaves(v, path=""):
    """(path, value) of every leaf of a JSON value."""
    if isinstance(v, dict):
        for k, x in v.items():
            yield from leaves(x, f"{path}.{k}")
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from leaves(x, f"{path}[{i}]")
    else:
        yield path, v


def record_fields(found: dict | None, want: dict) -> tuple[int, int, list[str]]:
    """(exact, total, differing paths) over a golden record's fields (source excluded)."""
    want = {k: v for k, v in want.items() if k not in ("source", "findings")}
    got = dict(leaves({k: v for k, v in (found or {}).items() if k not in ("source", "findings")}))
    total, exact, bad = 0, 0, []
    for path, v in leaves(want):
        total += 1
        if path in got and got[path] == v:
            exact += 1
        else:
            bad.append(path)
    return exact, total, bad


def tables_of_extract(out: dict | None) -> list[dict]:
    return (out or {}).get("tables", [])


def match(found: list[dict], pages: list[int] | None, pages_of) -> dict | None:
    """The found table (or record) covering exactly `pages`, else the first one starting on
    its first page (a table found in pieces counts as wrong, not as shifting the others)."""
    if not pages:
        return None
    exact = [f for f in found if pages_of(f) == pages]
    if exact:
        return exact[0]
    return next((f for f in found if pages_of(f)[:1] == pages[:1]), None)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--jixiao", default="target/release/jixiao")
    ap.add_argument("--only", default="")
    ap.add_argument("--no-parse", action="store_true", help="tables only (faster)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    pdfs = sorted(p for p in (args.out / "samples").glob("*.pdf") if args.only in p.name)
    by_label: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # tables ok, tables, fields ok, fields
    pages_total, wall_total, cpu_total = 0, 0.0, 0.0
    failures: list[str] = []
    # Files reported `ok` although a page holding a report gave none (the honest-status bar),
    # and files reported `partial`.
    dishonest: list[str] = []
    partial = 0
    for pdf in pdfs:
        name = pdf.stem
        params = json.loads((args.out / "params" / f"{name}.json").read_text())["pages"]
        expected = json.loads((args.out / "samples" / "expected" / f"{name}.tables.json").read_text())["tables"]
        golden = json.loads((args.out / "golden" / f"{name}.json").read_text())
        extracted, _, _, _ = run([args.jixiao, "extract", str(pdf)])
        tables = tables_of_extract(extracted)
        # Pages of every table, from the golden (report tables) or unknown (summary tables).
        table_pages = {r["source"]["table"]: r["source"]["pages"] for r in golden["reports"]}
        for i, want in enumerate(expected):
            if i not in table_pages:
                continue  # a non-report table: its pages are not in the golden
            got = match(tables, table_pages[i], lambda t: t.get("pages", []))
            ok = table_structure_ok(got, want)
            labels = {lab for pg in table_pages.get(i, []) for lab in params[pg - 1]["labels"]}
            for lab in labels | {"all"}:
                by_label[lab][0] += ok
                by_label[lab][1] += 1
            if not ok:
                dims = f"{got['n_rows']}x{got['n_cols']}" if got else "missing"
                failures.append(
                    f"{name} table {i} (pages {table_pages.get(i)}): {dims}, expected {want['n_rows']}x{want['n_cols']}"
                    f" ({len(tables)} tables found, {len(expected)} expected)"
                )
        if not args.no_parse:
            parsed, wall, cpu, _ = run([args.jixiao, "parse", str(pdf)])
            pages_total += len(params)
            wall_total += wall
            cpu_total += cpu
            found = (parsed or {}).get("reports", [])
            read = {pg for r in found for pg in r["source"]["pages"]}
            unread = sorted({pg for r in golden["reports"] for pg in r["source"]["pages"]} - read)
            complete = (
                parsed is not None
                and not any(p["severity"] == "loss" for p in parsed.get("problems", []))
                and not any(t["holds_report_part"] for t in parsed.get("skipped", []))
            )
            partial += not complete
            if unread and complete:
                dishonest.append(f"{name} (pages {unread})")
            for rec in golden["reports"]:
                t = rec["source"]["table"]
                got = match(found, rec["source"]["pages"], lambda r: r["source"]["pages"])
                ex, tot, bad = record_fields(got, rec)
                labels = {lab for pg in rec["source"]["pages"] for lab in params[pg - 1]["labels"]}
                for lab in labels | {"all"}:
                    by_label[lab][2] += ex
                    by_label[lab][3] += tot
                if bad and args.verbose:
                    failures.append(f"{name} table {t}: {len(bad)} fields differ, e.g. {bad[:3]}")
        print(f"{name}: done", file=sys.stderr, flush=True)

    def pct(a: int, b: int) -> str:
        return f"{100 * a / b:.1f} %" if b else "–"

    print(
        f"{len(pdfs)} files, {sum(len(json.loads((args.out / 'params' / f'{p.stem}.json').read_text())['pages']) for p in pdfs)} pages"
    )
    print()
    print("| degradation | tables | structure exact | record fields | fields exact |")
    print("|---|---|---|---|---|")
    for lab in sorted(by_label, key=lambda k: (k != "all", k)):
        t_ok, t_n, f_ok, f_n = by_label[lab]
        print(f"| {lab} | {t_n} | {pct(t_ok, t_n)} | {f_n} | {pct(f_ok, f_n)} |")
    if pages_total:
        print()
        print(
            f"`jixiao parse`, one file at a time: {wall_total / pages_total:.2f} s wall, "
            f"{cpu_total / pages_total:.2f} s CPU per page over {pages_total} pages; load {os.getloadavg()[0]:.1f}"
        )
    if not args.no_parse:
        print()
        print(
            f"Files `partial`: {partial} of {len(pdfs)}; reported `ok` with a report page that gave no "
            f"report: {len(dishonest)}" + (f" ({', '.join(dishonest)})" if dishonest else "")
        )
    if failures:
        print("\nfailures:", file=sys.stderr)
        for f in failures:
            print(f"  {f}", file=sys.stderr)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "by_label": by_label,
                    "pages": pages_total,
                    "wall": wall_total,
                    "cpu": cpu_total,
                    "partial": partial,
                    "dishonest": dishonest,
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
