"""Times pdfplumber's table extraction on the born-digital samples, for docs/benchmarks.md.

For every PDF under samples/chromium and samples/libreoffice it runs `page.find_tables()` and
`table.extract()` on each page and prints the CPU time per page (process time, so other load on
the machine counts less), then the figures per producer and for all files.

Run from the repository root:
    python3 -m venv /tmp/plumber && /tmp/plumber/bin/pip install pdfplumber
    /tmp/plumber/bin/python benches/compare/pdfplumber_tables.py [samples-dir]
"""

import glob
import logging
import os
import sys
import time

import pdfplumber


def main() -> None:
    root = sys.argv[1] if len(sys.argv) > 1 else "samples"
    # pdfminer warns once per glyph of a Type3 font without a FontBBox (Chromium's fonts).
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    totals = {}  # producer -> [pages, cpu seconds]
    for producer in ("chromium", "libreoffice"):
        for path in sorted(glob.glob(os.path.join(root, producer, "*.pdf"))):
            start = time.process_time()
            pages = tables = 0
            with pdfplumber.open(path) as pdf:
                for page in pdf.pages:
                    for table in page.find_tables():
                        table.extract()
                        tables += 1
                    pages += 1
            cpu = time.process_time() - start
            total = totals.setdefault(producer, [0, 0.0])
            total[0] += pages
            total[1] += cpu
            per_page = cpu * 1000 / max(pages, 1)
            name = os.path.relpath(path, root)
            print(f"{name}\t{pages} pages\t{tables} tables\t{per_page:.1f} ms/page")
    all_pages = sum(p for p, _ in totals.values())
    all_cpu = sum(c for _, c in totals.values())
    for producer, (pages, cpu) in totals.items():
        print(f"{producer}\t{pages} pages\t{cpu * 1000 / max(pages, 1):.1f} ms/page")
    print(f"ALL\t{all_pages} pages\t{all_cpu * 1000 / max(all_pages, 1):.1f} ms/page")


if __name__ == "__main__":
    main()
