"""Logical table model: one report (or one non-report table) as a grid of merged cells.

The same model drives the HTML that the producers render and the expected
`*.tables.json`, so what is drawn and what is expected cannot drift apart.

Report grid (8 columns; every column boundary is drawn by the indicator rows):

    col   0        1          2          3          4          5       6         7
          一级     二级       三级       年度指标值  实际完成值  分值    得分      偏差原因…
    项目名称 (0-1)          | project name (2-7)
    主管部门 (0-1)          | department (2-3)      | 实施单位 (4-5)   | unit (6-7)
    项目资金(万元) (0, rowspan 5) | "" | 年初预算数 … 得分        (funding header)
                   | funding label | 6 values                         (x 4 rows)
    年度总体目标 (0, rowspan 2) | 预期目标 (1-3) | 实际完成情况 (4-7)
                   | goal_expected (1-3) | goal_actual (4-7)
    indicator header: 8 cells
    indicator rows: merged 一级 (col 0) / 二级 (col 1) cells, then 6 single cells
    总分 (0-4) | total weight (5) | total score (6) | "" (7)
    评分等级 (0) | grade (1-7)
"""

from __future__ import annotations

from dataclasses import dataclass, field

N_COLS = 8
FUNDING_LABEL = "项目资金(万元)"
GOAL_LABEL = "年度总体目标"
GOAL_HEADERS = ("预期目标", "实际完成情况")
TOTAL_LABEL = "总分"
GRADE_LABEL = "评分等级"


# Horizontal alignment of a cell's text by its kind (anything else is left-aligned).
ALIGN = {"num": "right", "head": "center", "label": "center", "h1": "center", "h2": "center", "val": "center"}


@dataclass
class Cell:
    """One merged cell; `kind` selects the rendering style (label, head, flabel, num, val,
    goal, h1, h2, text)."""

    row: int
    col: int
    rowspan: int
    colspan: int
    text: str
    kind: str = "text"

    @property
    def align(self) -> str:
        """`left`, `center` or `right`."""
        return ALIGN.get(self.kind, "left")

    def expected(self) -> dict:
        """The cell as written to `*.tables.json`."""
        return {
            "row": self.row,
            "col": self.col,
            "rowspan": self.rowspan,
            "colspan": self.colspan,
            "text": self.text,
        }


@dataclass
class Table:
    """A bordered table with its caption lines and column widths (mm)."""

    caption: list[str]
    n_cols: int
    col_widths_mm: list[float]
    cells: list[Cell] = field(default_factory=list)
    n_rows: int = 0

    def add(
        self, col: int, text: str, kind: str = "text", rowspan: int = 1, colspan: int = 1, row: int | None = None
    ) -> None:
        """Adds a cell on the current last row (or on `row`)."""
        r = self.n_rows - 1 if row is None else row
        self.cells.append(Cell(r, col, rowspan, colspan, text, kind))

    def new_row(self) -> int:
        """Starts a row and returns its index."""
        self.n_rows += 1
        return self.n_rows - 1

    def check(self) -> None:
        """Raises ValueError unless every slot is covered exactly once (a generator bug)."""
        seen: set[tuple[int, int]] = set()
        for c in self.cells:
            for r in range(c.row, c.row + c.rowspan):
                for k in range(c.col, c.col + c.colspan):
                    if (r, k) in seen or r >= self.n_rows or k >= self.n_cols:
                        raise ValueError(f"slot {(r, k)} covered twice or out of range")
                    seen.add((r, k))
        if len(seen) != self.n_rows * self.n_cols:
            raise ValueError("table has uncovered slots")

    def rows(self) -> list[list[Cell]]:
        """Cells grouped by their top row, in column order."""
        out: list[list[Cell]] = [[] for _ in range(self.n_rows)]
        for c in sorted(self.cells, key=lambda c: (c.row, c.col)):
            out[c.row].append(c)
        return out

    def expected(self) -> dict:
        """The table as written to `*.tables.json` (row-major cells)."""
        return {
            "caption": list(self.caption),
            "n_rows": self.n_rows,
            "n_cols": self.n_cols,
            "cells": [c.expected() for c in sorted(self.cells, key=lambda c: (c.row, c.col))],
        }


# Column widths in mm (A4 portrait, 15 mm side margins leave 180 mm). 一级 and 二级 are
# about 4 and 5 CJK characters wide at 10.5 pt so "满意度指标" and "服务对象满意度指标" wrap.
REPORT_WIDTHS_MM = [18.0, 20.0, 34.0, 23.0, 23.0, 16.0, 17.0, 29.0]


def printed_hierarchy(ind: dict) -> tuple[str, str]:
    """The printed 一级/二级 texts of an indicator (FORMAT.md, "How the hierarchy is printed")."""
    pr = ind.get("print") or {}
    return pr.get("level1", ind["level1"]), pr.get("level2", ind["level2"])


def runs(keys: list) -> list[tuple[int, int]]:
    """Maximal runs of equal consecutive keys as (start, length)."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(keys):
        j = i
        while j < len(keys) and keys[j] == keys[i]:
            j += 1
        out.append((i, j - i))
        i = j
    return out


def report_table(rep: dict) -> Table:
    """Builds the logical table of one report from its printed strings."""
    t = Table([rep["title"], rep["year_line"]], N_COLS, REPORT_WIDTHS_MM)
    t.new_row()
    t.add(0, "项目名称", "label", colspan=2)
    t.add(2, rep["project_name"], colspan=6)
    t.new_row()
    t.add(0, "主管部门", "label", colspan=2)
    t.add(2, rep["department"], colspan=2)
    t.add(4, "实施单位", "label", colspan=2)
    t.add(6, rep["implementing_unit"], colspan=2)

    funding = rep["funding"]
    t.new_row()
    t.add(0, FUNDING_LABEL, "label", rowspan=1 + len(funding))
    t.add(1, "", "label")
    for k, h in enumerate(rep["funding_header"]):
        t.add(2 + k, h, "head")
    for f in funding:
        t.new_row()
        t.add(1, f["label"], "flabel")
        for k, v in enumerate(f["values"]):
            t.add(2 + k, v, "num")

    t.new_row()
    t.add(0, GOAL_LABEL, "label", rowspan=2)
    t.add(1, GOAL_HEADERS[0], "head", colspan=3)
    t.add(4, GOAL_HEADERS[1], "head", colspan=4)
    t.new_row()
    t.add(1, rep["goal_expected"], "goal", colspan=3)
    t.add(4, rep["goal_actual"], "goal", colspan=4)

    t.new_row()
    for k, h in enumerate(rep["indicator_header"]):
        t.add(k, h, "head")

    inds = rep["indicators"]
    start = t.n_rows
    for ind in inds:
        t.new_row()
        t.add(2, ind["name"])
        t.add(3, ind["target"], "val")
        t.add(4, ind["actual"], "val")
        t.add(5, ind["weight"], "num")
        t.add(6, ind["score"], "num")
        t.add(7, ind["deviation_reason"])
    printed = [printed_hierarchy(i) for i in inds]
    for s1, n1 in runs([p[0] for p in printed]):
        t.add(0, printed[s1][0], "h1", rowspan=n1, row=start + s1)
        for s2, n2 in runs([p[1] for p in printed[s1 : s1 + n1]]):
            t.add(1, printed[s1 + s2][1], "h2", rowspan=n2, row=start + s1 + s2)

    t.new_row()
    t.add(0, TOTAL_LABEL, "label", colspan=5)
    t.add(5, rep["total_weight"], "num")
    t.add(6, rep["total_score"], "num")
    t.add(7, "")
    t.new_row()
    t.add(0, GRADE_LABEL, "label")
    t.add(1, rep["grade"], colspan=7)
    t.check()
    return t


SUMMARY_HEADER = ["序号", "项目名称", "全年预算数(万元)", "全年执行数(万元)", "自评得分", "评分等级"]
SUMMARY_WIDTHS_MM = [14.0, 70.0, 28.0, 28.0, 20.0, 20.0]


def summary_table(caption: str, reports: list[dict]) -> Table:
    """A bordered non-report table (汇总表) listing the reports of a document."""
    t = Table([caption], len(SUMMARY_HEADER), SUMMARY_WIDTHS_MM)
    t.new_row()
    for k, h in enumerate(SUMMARY_HEADER):
        t.add(k, h, "head")
    for n, rep in enumerate(reports, 1):
        total = rep["funding"][0]["values"]
        t.new_row()
        for k, v in enumerate([str(n), rep["project_name"], total[1], total[2], rep["total_score"], rep["grade"]]):
            t.add(k, v, "text" if k == 1 else "num")
    t.check()
    return t
