#!/usr/bin/env python3
"""Opens a jixiao dataset the way its readers do and checks every cell.

    spreadsheet_check.py DATASET_DIR [--csv-only]

The truth is the dataset's `jixiao.sqlite` (every table, exact strings, rows in order). The
CSV files and `jixiao.xlsx` are opened with LibreOffice Calc headless (one `soffice` call, its
own temporary profile, CSV read as UTF-8 with filter options 44,34,76,1) and converted to flat
ODF (.fods); every cell of the result is read back. `jixiao.xlsx` is also read with openpyxl, a
second reader that shares no code with LibreOffice.

Exit status 2 when soffice or openpyxl is missing. Fails (exit 1, listing the problems) when any cell is a formula, or any value differs from the
dataset's:
- CSV text fields: LibreOffice's text, with one leading apostrophe taken off (the documented
  `--excel-csv` protection), equals the dataset's; a text that LibreOffice read as a number
  (e.g. "100%" -> 1) must have the dataset's value;
- CSV integer and decimal fields: numbers with the dataset's value;
- xlsx: text cells equal the dataset's text exactly; integer and decimal cells are numbers
  with the dataset's value, and what LibreOffice shows equals the printed string ("20.00"),
  unless the `<column>_printed` cell next to it holds that string; openpyxl sees the same
  values, no formula, the printed scale as number format, a bold frozen header, an autofilter
  and a width for every column.
"""

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from decimal import Decimal, InvalidOperation

try:
    import openpyxl
except ImportError:
    openpyxl = None

TABLES = ["reports", "funding", "indicators", "findings", "files"]
PRINTED = "_printed"
NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}
T = "{%s}" % NS["table"]
O = "{%s}" % NS["office"]
X = "{%s}" % NS["text"]
SOFFICE_TIMEOUT = 600
MAX_SHOWN = int(os.environ.get("JIXIAO_CHECK_SHOWN", "40"))


class Problems:
    def __init__(self):
        self.items = []

    def add(self, where, what):
        self.items.append(f"{where}: {what}")


def truth(dataset):
    """table -> (columns, integer columns, rows) from jixiao.sqlite, rows in insertion order."""
    db = sqlite3.connect(os.path.join(dataset, "jixiao.sqlite"))
    out = {}
    for t in TABLES:
        info = db.execute(f"PRAGMA table_info({t})").fetchall()
        columns = [c[1] for c in info]
        integers = {c[1] for c in info if c[2] == "INTEGER"}
        rows = db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
        out[t] = (columns, integers, rows)
    return out


def convert(files, outdir):
    """Converts `files` to .fods in `outdir` with one soffice call; returns its stderr."""
    profile = tempfile.mkdtemp(prefix="jixiao-soffice-profile-")
    cmd = [
        "soffice",
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--norestore",
        "--infilter=CSV:44,34,76,1",
        "--convert-to",
        "fods",
        "--outdir",
        outdir,
        *files,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=SOFFICE_TIMEOUT)
    if done.returncode != 0:
        sys.exit(f"soffice failed ({done.returncode}): {done.stderr}")
    return done.stderr


def cell_text(cell):
    """What LibreOffice shows in a cell: its paragraphs joined by newlines."""

    def walk(node):
        parts = [node.text or ""]
        for child in node:
            if child.tag == X + "s":
                parts.append(" " * int(child.get(X + "c", "1")))
            elif child.tag == X + "tab":
                parts.append("\t")
            elif child.tag == X + "line-break":
                parts.append("\n")
            elif child.tag == O + "annotation":
                pass
            else:
                parts.append(walk(child))
            parts.append(child.tail or "")
        return "".join(parts)

    return "\n".join(walk(p) for p in cell.findall("text:p", NS))


def fods_sheets(path):
    """sheet name -> rows of cells (value type, value, formula, shown text)."""
    sheets = {}
    for table in ET.parse(path).getroot().iter(T + "table"):
        rows = []
        for row in table.iter(T + "table-row"):
            cells = []
            for cell in row:
                if cell.tag not in (T + "table-cell", T + "covered-table-cell"):
                    continue
                repeat = int(cell.get(T + "number-columns-repeated", "1"))
                kind = cell.get(O + "value-type")
                value = cell.get(O + "value")
                entry = (kind, value, cell.get(T + "formula"), cell_text(cell) if kind else "")
                cells.extend([entry] * min(repeat, 1024))
            while cells and cells[-1][0] is None and cells[-1][2] is None:
                cells.pop()
            repeat = int(row.get(T + "number-rows-repeated", "1"))
            rows.extend([cells] * (1 if not cells else repeat))
        while rows and not rows[-1]:
            rows.pop()
        sheets[table.get(T + "name")] = rows
    return sheets


def as_decimal(s):
    try:
        return Decimal(s)
    except (InvalidOperation, TypeError):
        return None


def number_of_text(s):
    """The number a spreadsheet reads in the text `s` ("100%" -> 1, "-5" -> -5), or None."""
    s = s.strip()
    if s.endswith("%"):
        d = as_decimal(s[:-1])
        return None if d is None else d / 100
    return as_decimal(s.replace(",", ""))


def unprotect(s):
    """Takes off the `--excel-csv` protection: one leading apostrophe."""
    return s[1:] if s.startswith("'") else s


def no_formulas(name, rows, problems):
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if cell[2] is not None:
                problems.add(f"{name} row {r + 1} col {c + 1}", f"formula {cell[2]!r}")


def check_csv(table, rows, expected, problems):
    columns, integers, data = expected
    where = f"{table}.csv"
    header = [cell[3] for cell in rows[0]] if rows else []
    if header != columns:
        problems.add(where, f"header {header} != {columns}")
        return
    if len(rows) - 1 != len(data):
        problems.add(where, f"{len(rows) - 1} rows, the dataset has {len(data)}")
    for r, (row, want) in enumerate(zip(rows[1:], data), start=2):
        for c, (name, value) in enumerate(zip(columns, want)):
            kind, number, _, shown = row[c] if c < len(row) else (None, None, None, "")
            at = f"{where} row {r} {name}"
            if value is None or value == "":
                if kind is not None:
                    problems.add(at, f"{shown!r} where the dataset has nothing")
            elif kind == "string":
                if name in integers or unprotect(shown) != value:
                    problems.add(at, f"{shown!r} != {value!r}")
            elif kind in ("float", "percentage"):
                if as_decimal(number) != number_of_text(str(value)):
                    problems.add(at, f"number {number} != {value!r}")
            else:
                problems.add(at, f"{kind} {shown!r} != {value!r}")


def xlsx_layout(columns, header):
    """Maps the sheet's header to the dataset's columns: [(column, decimal?)]."""
    decimals = {h[: -len(PRINTED)] for h in header if h.endswith(PRINTED)}
    expected = []
    for name in columns:
        expected.append(name)
        if name in decimals:
            expected.append(name + PRINTED)
    return expected, decimals


def sheets_of(sheets, table):
    names = [table] + [f"{table} ({n})" for n in range(2, len(sheets) + 2)]
    return [sheets[n] for n in names if n in sheets]


def check_xlsx_fods(sheets, expected_all, problems):
    for table in TABLES:
        columns, integers, data = expected_all[table]
        parts = sheets_of(sheets, table)
        if not parts:
            problems.add("jixiao.xlsx", f"no sheet {table}")
            continue
        header = [cell[3] for cell in parts[0][0]]
        layout, decimals = xlsx_layout(columns, header)
        if header != layout:
            problems.add(f"xlsx {table}", f"header {header} != {layout}")
            continue
        rows = []
        for part in parts:
            if [cell[3] for cell in part[0]] != header:
                problems.add(f"xlsx {table}", "a continuation sheet has another header")
            rows.extend(part[1:])
        if len(rows) != len(data):
            problems.add(f"xlsx {table}", f"{len(rows)} rows, the dataset has {len(data)}")
        for r, (row, want) in enumerate(zip(rows, data), start=2):
            cells = dict(zip(header, row))
            for name, value in zip(columns, want):
                kind, number, _, shown = cells.get(name, (None, None, None, ""))
                at = f"xlsx {table} row {r} {name}"
                if value is None or value == "":
                    if kind is not None:
                        problems.add(at, f"{shown!r} where the dataset has nothing")
                elif name in integers:
                    if kind != "float" or as_decimal(number) != value or shown != str(value):
                        problems.add(at, f"{kind} {shown!r} != {value!r}")
                elif name in decimals:
                    printed = cells.get(name + PRINTED, (None, None, None, ""))[3]
                    if kind != "float" or as_decimal(number) != as_decimal(value):
                        problems.add(at, f"{kind} {number} != {value!r}")
                    elif shown != value and printed != value:
                        problems.add(at, f"shows {shown!r}, printed {value!r}")
                elif kind != "string" or shown != value:
                    problems.add(at, f"{kind} {shown!r} != {value!r}")


def check_xlsx_openpyxl(path, expected_all, problems):
    book = openpyxl.load_workbook(path)
    for table in TABLES:
        columns, integers, data = expected_all[table]
        names = [n for n in book.sheetnames if n == table or n.startswith(table + " (")]
        if not names:
            problems.add("openpyxl", f"no sheet {table}")
            continue
        rows = []
        header = None
        for name in names:
            sheet = book[name]
            if sheet.freeze_panes != "A2":
                problems.add(f"openpyxl {name}", f"frozen at {sheet.freeze_panes}")
            if not sheet.auto_filter.ref:
                problems.add(f"openpyxl {name}", "no autofilter")
            sheet_rows = list(sheet.iter_rows())
            header = [c.value for c in sheet_rows[0]]
            if not all(c.font.b for c in sheet_rows[0]):
                problems.add(f"openpyxl {name}", "header not bold")
            widths = set()
            for dim in sheet.column_dimensions.values():
                if dim.width:
                    widths.update(range(dim.min, dim.max + 1))
            for i in range(1, len(header) + 1):
                if i not in widths:
                    problems.add(f"openpyxl {name}", f"column {i} has no width")
            rows.extend(sheet_rows[1:])
        layout, decimals = xlsx_layout(columns, header)
        if header != layout:
            problems.add(f"openpyxl {table}", f"header {header} != {layout}")
            continue
        if len(rows) != len(data):
            problems.add(f"openpyxl {table}", f"{len(rows)} rows, dataset {len(data)}")
        for r, (row, want) in enumerate(zip(rows, data), start=2):
            cells = dict(zip(header, row))
            for cell in row:
                if cell.data_type == "f":
                    problems.add(f"openpyxl {table} {cell.coordinate}", f"formula {cell.value!r}")
            for name, value in zip(columns, want):
                cell = cells[name]
                at = f"openpyxl {table} row {r} {name}"
                if value is None or value == "":
                    if cell.value is not None:
                        problems.add(at, f"{cell.value!r} where the dataset has nothing")
                elif name in integers:
                    if cell.data_type != "n" or cell.value != value:
                        problems.add(at, f"{cell.value!r} != {value!r}")
                elif name in decimals:
                    scale = len(value.split(".")[1]) if "." in value else 0
                    fmt = "0" + ("." + "0" * scale if scale else "")
                    near = cell.data_type == "n" and Decimal(repr(cell.value)) == Decimal(value)
                    printed = cells[name + PRINTED].value
                    if not (near or printed == value) or cell.number_format != fmt:
                        problems.add(at, f"{cell.value!r} [{cell.number_format}] != {value!r}")
                elif cell.data_type != "s" or cell.value != value:
                    problems.add(at, f"{cell.value!r} != {value!r}")


def main():
    if shutil.which("soffice") is None or openpyxl is None:
        print("needs soffice (Debian libreoffice-calc-nogui) and Python's openpyxl", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset")
    parser.add_argument("--csv-only", action="store_true")
    args = parser.parse_args()
    expected = truth(args.dataset)
    problems = Problems()
    with tempfile.TemporaryDirectory(prefix="jixiao-spreadsheets-") as out:
        inputs = [os.path.join(args.dataset, f"{t}.csv") for t in TABLES]
        xlsx = os.path.join(args.dataset, "jixiao.xlsx")
        if not args.csv_only:
            inputs.append(xlsx)
        convert(inputs, out)
        for t in TABLES:
            rows = fods_sheets(os.path.join(out, f"{t}.fods"))
            (sheet,) = rows.values()
            no_formulas(f"{t}.csv", sheet, problems)
            check_csv(t, sheet, expected[t], problems)
        if not args.csv_only:
            sheets = fods_sheets(os.path.join(out, "jixiao.fods"))
            for name, rows in sheets.items():
                no_formulas(f"xlsx {name}", rows, problems)
            check_xlsx_fods(sheets, expected, problems)
            check_xlsx_openpyxl(xlsx, expected, problems)
    cells = sum(len(rows) * len(cols) for cols, _, rows in expected.values())
    if problems.items:
        for p in problems.items[:MAX_SHOWN]:
            print(p)
        print(f"{len(problems.items)} problems in {args.dataset}")
        return 1
    print(f"ok: {cells} cells of {args.dataset} read back through LibreOffice"
          + ("" if args.csv_only else " and openpyxl"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
