"""Golden records (`crates/normalize/src/record.rs`, serde form) derived from the source data.

Never from what jixiao prints: every field comes from the printed strings of the data set by
the canonical rules in `values.py`; `source.pages` comes from the rendered PDF's text
(`pages.py`).
"""

from __future__ import annotations

from values import number, paragraphs, parse_value, text

FUNDING_FIELDS = ("initial_budget", "annual_budget", "executed", "weight", "execution_rate", "score")


def _funding(rows: list[dict]) -> list[dict]:
    out = []
    for f in rows:
        rec = {"row": f["row"]}
        rec.update({k: number(v) for k, v in zip(FUNDING_FIELDS, f["values"])})
        out.append(rec)
    return out


def _indicator(ind: dict) -> dict:
    target = text(ind["target"])
    actual = text(ind["actual"])
    return {
        "level1": ind["level1"],
        "level2": ind["level2"],
        "name": ind["name"].strip(),
        "target": target,
        "actual": actual,
        "weight": number(ind["weight"]),
        "score": number(ind["score"]),
        "deviation_reason": ind["deviation_reason"].strip(),
        "target_parsed": parse_value(ind["target"]) if target is not None else None,
        "actual_parsed": parse_value(ind["actual"]) if actual is not None else None,
    }


def report_record(rep: dict, file: str, sha256: str, pages: list[int], table: int) -> dict:
    """The expected `Report` of one report rendered in `file` as table number `table`."""
    return {
        "source": {"file": file, "sha256": sha256, "pages": pages, "table": table},
        "title": text(rep["title"]),
        "year": rep["year"],
        "project_name": text(rep["project_name"]),
        "department": text(rep["department"]),
        "implementing_unit": text(rep["implementing_unit"]),
        "funding": _funding(rep["funding"]),
        "goal_expected": paragraphs(rep["goal_expected"]),
        "goal_actual": paragraphs(rep["goal_actual"]),
        "indicators": [_indicator(i) for i in rep["indicators"]],
        "total_weight": number(rep["total_weight"]),
        "total_score": number(rep["total_score"]),
        "grade": text(rep["grade"]),
    }
