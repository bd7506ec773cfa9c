"""Random tables with known truth: the grid of merged cells, every cell's text, and how the
table is drawn (rules, borders, shading, font size, padding, column widths).

Everything is drawn from one `random.Random`, so a seed gives the same tables every run.
The truth of a table is its grid as `jixiao extract` prints it: 0-based row-major cells, one
per merged cell, empty cells included.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

# Words of the reports and of general prose; the pool of the Chinese text.
CJK_WORDS = [
    "项目",
    "资金",
    "预算",
    "执行",
    "绩效",
    "目标",
    "完成",
    "情况",
    "指标",
    "产出",
    "效益",
    "满意度",
    "数量",
    "质量",
    "时效",
    "成本",
    "社会",
    "经济",
    "生态",
    "可持续",
    "影响",
    "服务",
    "对象",
    "群众",
    "单位",
    "部门",
    "年度",
    "总体",
    "实际",
    "偏差",
    "原因",
    "分析",
    "改进",
    "措施",
    "计划",
    "管理",
    "制度",
    "健全",
    "有效",
    "及时",
    "率",
    "达到",
    "以上",
    "以下",
    "覆盖",
    "培训",
    "人次",
    "设备",
    "采购",
    "维护",
    "建设",
    "改造",
    "工程",
    "验收",
    "合格",
    "街道",
    "社区",
    "医疗",
    "教育",
    "卫生",
    "文化",
    "体育",
    "交通",
    "环境",
    "保护",
    "治理",
    "安全",
    "监督",
    "检查",
    "评价",
    "考核",
    "结果",
    "应用",
    "财政",
    "拨款",
    "结转",
    "其他",
    "收入",
    "支出",
    "合计",
    "小计",
    "总计",
    "本年",
    "上年",
    "增长",
    "减少",
    "比例",
    "人数",
    "户数",
    "面积",
    "公里",
    "宣传",
    "活动",
    "场次",
    "覆盖面",
    "知晓率",
    "投诉",
    "处理",
    "办结",
    "数据",
    "平台",
    "系统",
    "运行",
    "稳定",
    "信息化",
    "档案",
    "规范",
]
CJK_PUNCT = "，、。；：（）“”《》"
LATIN_WORDS = [
    "Total",
    "revenue",
    "Butter",
    "Cheese",
    "Milk",
    "Eggs",
    "Wheat",
    "Rice",
    "Beef",
    "Pork",
    "Exports",
    "Imports",
    "Balance",
    "Net",
    "Gross",
    "Region",
    "North",
    "South",
    "East",
    "West",
    "Central",
    "Other",
    "Index",
    "Rate",
    "Share",
    "Change",
    "Value",
    "Volume",
    "Quarter",
    "Annual",
    "Budget",
    "Actual",
    "Target",
    "Score",
    "Weight",
    "Grade",
    "Project",
    "Unit",
    "Department",
    "Survey",
    "Households",
    "Population",
    "Employment",
    "Output",
    "Input",
    "Services",
    "Manufacturing",
    "Agriculture",
]
UNITS = ["人", "人次", "户", "篇", "批次", "个", "项", "次", "份", "万元", "元", "公里", "平方米", "天", "%"]
OPS = ["≥", "≤", ">", "<", "=", "约", "≧", ">=", ""]


def _number(rng: random.Random) -> str:
    """A number in one of the printed forms of statistical and report tables."""
    kind = rng.randrange(16)
    big = rng.choice([rng.randint(0, 99), rng.randint(100, 9999), rng.randint(10_000, 99_999_999)])
    frac = f"{rng.randint(0, 99):02d}"
    if kind == 0:
        return f"{big:,}.{frac}"  # 1,663.27
    if kind == 1:
        return f"{rng.randint(0, 100)}%"  # 100%
    if kind == 2:
        return f"{rng.choice(OPS)}{rng.randint(0, 100)}(%)"  # ≥95(%)
    if kind == 3:
        return rng.choice(["-", "—", "–", "/", "--", "－"])
    if kind == 4:
        return f"{rng.choice(OPS)}{rng.randint(1, 5000)}{rng.choice(['.00', ''])}({rng.choice(UNITS)})"
    if kind == 5:
        return f"{rng.randint(1, 9)}-{rng.randint(10, 99)} {rng.choice(UNITS)}"  # 1-2 批次
    if kind == 6:
        return f"约 {rng.randint(2, 500)} {rng.choice(UNITS)}"
    if kind == 7:
        return f"{big:,}"  # 3,769,000
    if kind == 8:
        return f"({rng.randint(1, 999)}.{frac})"  # negative in accounting form
    if kind == 9:
        return f"−{rng.randint(1, 999)}.{frac[0]}"  # U+2212 minus
    if kind == 10:
        return f"{rng.randint(0, 99)}.{frac}%"
    if kind == 11:
        return f"{rng.randint(2000, 2030)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if kind == 12:
        return f"{rng.randint(2015, 2030)} 年 {rng.randint(1, 12)} 月"
    if kind == 13:
        return "".join(chr(ord(d) + 0xFEE0) for d in str(rng.randint(1, 99999)))  # full-width digits
    if kind == 14:
        return f"{rng.randint(0, 100)}.{frac[0]}"
    return f"{rng.choice(OPS)}{rng.randint(0, 100)}%以上"


def _cjk(rng: random.Random, lo: int, hi: int) -> str:
    """Chinese text of `lo`..`hi` words, with punctuation inside now and then."""
    words = [rng.choice(CJK_WORDS) for _ in range(rng.randint(lo, hi))]
    out = ""
    for i, w in enumerate(words):
        out += w
        if i < len(words) - 1 and rng.random() < 0.12:
            out += rng.choice(CJK_PUNCT[:3])
    if rng.random() < 0.2:
        out += rng.choice("。；")
    return out


def _latin(rng: random.Random, lo: int, hi: int) -> str:
    return " ".join(rng.choice(LATIN_WORDS) for _ in range(rng.randint(lo, hi)))


def _text(rng: random.Random, long_text: float) -> str:
    """One cell's printed text."""
    kind = rng.random()
    if kind < 0.06:
        return ""
    if kind < 0.40:
        return _number(rng)
    if kind < 0.70:
        return _cjk(rng, 1, 12 if rng.random() < long_text else 3)
    if kind < 0.85:  # mixed: Chinese around numbers and Latin words
        parts = [_cjk(rng, 1, 3), _number(rng), rng.choice(["", _cjk(rng, 1, 2), _latin(rng, 1, 2)])]
        return " ".join(p for p in parts if p) if rng.random() < 0.5 else "".join(parts)
    return _latin(rng, 1, 8 if rng.random() < long_text else 2)


@dataclass
class Cell:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str


@dataclass
class Look:
    """How a table is drawn. Every producer draws what it can of it."""

    rules: str  # full | three-line | box-only | horizontal | fills
    border_style: str  # solid | double | dashed | dotted | mixed
    border_width: float  # pt, the inner rules
    outer: str  # same | thick | none
    colour: str  # black | grey | colour | mixed
    shading: str  # none | header | stripes | cells | all
    font_pt: float
    padding_mm: float
    line_height: float
    header_rows: int
    bold_header: bool
    align: list[str] = field(default_factory=list)  # per column: left | center | right
    valign: str = "middle"


@dataclass
class Table:
    n_rows: int
    n_cols: int
    cells: list[Cell]
    col_weights: list[float]
    look: Look
    width_frac: float  # of the text area's width

    def truth(self) -> dict:
        """The table as `jixiao extract` prints it (without pages and boxes)."""
        cells = sorted(self.cells, key=lambda c: (c.row, c.col))
        return {
            "n_rows": self.n_rows,
            "n_cols": self.n_cols,
            "cells": [
                {"row": c.row, "col": c.col, "rowspan": c.rowspan, "colspan": c.colspan, "text": c.text} for c in cells
            ],
        }

    def top_left(self) -> dict[tuple[int, int], Cell]:
        return {(c.row, c.col): c for c in self.cells}

    def owner(self) -> list[list[Cell]]:
        """The cell covering every slot."""
        grid: list[list[Cell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for c in self.cells:
            for r in range(c.row, c.row + c.rowspan):
                for k in range(c.col, c.col + c.colspan):
                    grid[r][k] = c
        return grid  # type: ignore[return-value]


def _merges(rng: random.Random, n_rows: int, n_cols: int, header_rows: int, full: bool) -> list[Cell]:
    """Random non-overlapping merged cells; every row and column boundary stays drawn by at
    least one cell (else the grid would not be recoverable from the page, nor its truth)."""
    taken = [[False] * n_cols for _ in range(n_rows)]
    merges: list[tuple[int, int, int, int]] = []
    tries = rng.randint(0, max(1, n_rows * n_cols // 6)) if full else rng.randint(0, 2)
    for _ in range(tries):
        if full:
            r, k = rng.randrange(n_rows), rng.randrange(n_cols)
            rs = rng.choice([1, 1, 2, 2, 3, 4, 6])
            cs = rng.choice([1, 1, 2, 2, 3])
        else:  # partially ruled: colspans in the header only
            r, k = rng.randrange(header_rows), rng.randrange(n_cols)
            rs, cs = 1, rng.choice([2, 3])
        rs, cs = min(rs, n_rows - r), min(cs, n_cols - k)
        if rs * cs == 1 or any(taken[y][x] for y in range(r, r + rs) for x in range(k, k + cs)):
            continue
        trial = merges + [(r, k, rs, cs)]
        if not _boundaries_drawn(trial, n_rows, n_cols):
            continue
        merges = trial
        for y in range(r, r + rs):
            for x in range(k, k + cs):
                taken[y][x] = True
    cells = []
    big = {(m[0], m[1]): m for m in merges}
    for r in range(n_rows):
        for k in range(n_cols):
            if (r, k) in big:
                cells.append(Cell(r, k, big[(r, k)][2], big[(r, k)][3], ""))
            elif not taken[r][k]:
                cells.append(Cell(r, k, 1, 1, ""))
    return cells


def _boundaries_drawn(merges: list[tuple[int, int, int, int]], n_rows: int, n_cols: int) -> bool:
    """Every row boundary is crossed by at least one column not merged across it, and every
    column boundary by a row not merged across it."""
    for b in range(1, n_rows):
        spanned = {x for (r, k, rs, cs) in merges if r < b < r + rs for x in range(k, k + cs)}
        if len(spanned) == n_cols:
            return False
    for b in range(1, n_cols):
        spanned = {y for (r, k, rs, cs) in merges if k < b < k + cs for y in range(r, r + rs)}
        if len(spanned) == n_rows:
            return False
    return True


def random_look(rng: random.Random, partial: bool) -> Look:
    rules = rng.choice(["three-line", "box-only", "horizontal"]) if partial else rng.choice(["full"] * 9 + ["fills"])
    return Look(
        rules=rules,
        border_style=rng.choice(["solid"] * 4 + ["double", "dashed", "dotted", "mixed"]),
        border_width=rng.choice([0.25, 0.4, 0.5, 0.75, 1.0, 1.5, 2.25]),
        outer=rng.choice(["same", "same", "thick", "none"]),
        colour=rng.choice(["black", "black", "grey", "colour", "mixed"]),
        shading=rng.choice(["none", "none", "header", "stripes", "cells", "all"]),
        font_pt=rng.choice([7, 8, 9, 9.5, 10, 10.5, 11, 12, 14]),
        padding_mm=rng.choice([0.3, 0.6, 1.0, 1.5, 2.5]),
        line_height=rng.choice([1.0, 1.15, 1.3, 1.6]),
        header_rows=rng.choice([1, 1, 1, 2]),
        bold_header=rng.random() < 0.5,
        valign=rng.choice(["top", "middle", "middle", "bottom"]),
    )


def random_table(rng: random.Random, partial: bool, long_rows: bool) -> Table:
    """One random table; `partial`: partially ruled (三线表, outer box only, horizontal rules),
    `long_rows`: many rows, so that page breaks fall inside it."""
    look = random_look(rng, partial)
    n_cols = rng.randint(2, 10)
    n_rows = rng.randint(12, 45) if long_rows else rng.randint(2, 14)
    look.header_rows = min(look.header_rows, n_rows - 1)
    look.align = [rng.choice(["left", "center", "right"]) for _ in range(n_cols)]
    cells = _merges(rng, n_rows, n_cols, look.header_rows, look.rules == "full")
    long_text = rng.choice([0.0, 0.1, 0.3])
    for c in cells:
        if c.row < look.header_rows:
            c.text = rng.choice([_cjk(rng, 1, 3), _latin(rng, 1, 2), _cjk(rng, 1, 2) + "(万元)"])
        else:
            c.text = _text(rng, long_text)
    if partial:
        _fill_partial(rng, cells, look)
    weights = [rng.uniform(0.5, 3.0) for _ in range(n_cols)]
    return Table(n_rows, n_cols, cells, weights, look, rng.uniform(0.55, 1.0))


def _fill_partial(rng: random.Random, cells: list[Cell], look: Look) -> None:
    """Partially ruled tables: no empty header cell and no empty first column (an empty
    column or header would leave nothing to infer the column from)."""
    for c in cells:
        if not c.text and (c.row < look.header_rows or c.col == 0):
            c.text = _cjk(rng, 1, 2)
