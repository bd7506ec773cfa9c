#!/usr/bin/env python3
"""Check the sample truth data: the format of FORMAT.md and the arithmetic of domain-rules.md.

Usage: check_data.py [FILE.json ...]
Without arguments every seed-reports.json / synthetic-*.json next to this script is checked.
Prints each problem found; a report's problems whose codes are listed in its `expect` are
printed as expected. Exit status 0 when everything holds (or fails exactly as expected), else 1.
Standard library only; all arithmetic is exact (`decimal`).
"""
import json
import re
import sys
import unicodedata
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

ROUNDING = {"truncate": ROUND_DOWN, "half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}
CENT = Decimal("0.01")

# Finding codes a report may list in `expect` (one per arithmetic rule below).
CODES = {
    "execution_rate_mismatch": "a funding row's 执行率 is not executed/annual×100 under the set's rate rounding",
    "budget_score_mismatch": "年度资金总额 得分 is not 分数×executed/annual (score rounding, capped at 分数)",
    "funding_subrows_sum": "当年财政拨款 + 上年结转资金 + 其他资金 differ from 年度资金总额 in an amount column",
    "weights_sum_mismatch": "分数 + Σ indicator 分值 differ from the total 分值, or the total is not 100",
    "total_score_mismatch": "总分 得分 is not the budget 得分 + Σ indicator 得分",
    "indicator_score_exceeds_weight": "an indicator's 得分 is above its 分值",
    "grade_mismatch": "评分等级 does not match the 总分 band (优 ≥90, 良 ≥80, 中 ≥60, 差 <60)",
    "unmet_target_full_score": "a quantitative target is not met by the actual value but scored full",
    "missing_deviation_reason": "an indicator scored below its 分值 with an empty 偏差原因分析及改进措施",
}

HIERARCHY = {
    2020: {
        "产出指标": ["数量指标", "质量指标", "时效指标", "成本指标"],
        "效益指标": ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"],
        "满意度指标": ["服务对象满意度指标"],
    },
    2021: {
        "产出指标": ["数量指标", "质量指标", "时效指标"],
        "成本指标": ["经济成本指标", "社会成本指标", "生态环境成本指标"],
        "效益指标": ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"],
        "满意度指标": ["服务对象满意度指标"],
    },
}
FUNDING_HEADER = [{"年初预算数"}, {"全年预算数"}, {"全年执行数"}, {"分数", "分值"},
                  {"执行率(%)", "执行率", "执行率（%）"}, {"得分"}]
SUB_ROWS = {"当年财政拨款": {"当年财政拨款", "本年财政拨款"}, "上年结转资金": {"上年结转资金"},
            "其他资金": {"其他资金"}}
INDICATOR_HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                    "偏差原因分析及改进措施"]
GRADES = [(Decimal(90), "优"), (Decimal(80), "良"), (Decimal(60), "中"), (Decimal(0), "差")]

TOP_KEYS = {"set": str, "source": str, "rounding": dict, "reports": list}
REPORT_KEYS = {"id": str, "title": str, "year_line": str, "year": int, "template": int,
               "project_name": str, "department": str, "implementing_unit": str,
               "funding_header": list, "funding": list, "goal_expected": str, "goal_actual": str,
               "indicator_header": list, "indicators": list, "total_weight": str,
               "total_score": str, "grade": str}
OPTIONAL_REPORT_KEYS = {"notes": str, "expect": list}
INDICATOR_KEYS = {"level1": str, "level2": str, "name": str, "target": str, "actual": str,
                  "weight": str, "score": str, "deviation_reason": str}

AMOUNT = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
SCORE = re.compile(r"^\d+(\.\d+)?$")


class Problems:
    """Problems of one report: format errors (always unexpected) and rule findings (codes)."""

    def __init__(self):
        self.items = []

    def add(self, code, field, message):
        self.items.append((code, field, message))


def amount(text):
    """A printed amount or rate ("1,663.27", "99.04", "99.04%") as a Decimal, else None."""
    t = text.strip()
    if t.endswith("%"):
        t = t[:-1]
    if not AMOUNT.match(t):
        return None
    return Decimal(t.replace(",", ""))


def score_value(text):
    """A printed 分值/得分 ("10.00") as a Decimal, else None."""
    return Decimal(text) if SCORE.match(text) else None


# --- 年度指标值 / 实际完成值 parsing, as CONTRACTS.md states it ---------------------------------
NUMBER = r"(\d+(?:\.\d+)?)"
RANGE = re.compile(rf"^{NUMBER}\s*[-~～至]\s*{NUMBER}\s*(\S+)?$")
QUANTITY = re.compile(
    rf"^(=|≥|≤|>|<|约)?\s*(\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(%|\([^()\d]+\)|[^\d()\s]+)?\s*(\([^()]*\))?$"
)


def parse_value(text):
    """("quantity", op, value, unit) / ("range", low, high, unit) / ("qualitative", text) / None."""
    t = unicodedata.normalize("NFKC", text).strip()
    t = t.replace(">=", "≥").replace("<=", "≤").replace("≧", "≥").replace("≦", "≤")
    if t in ("", "-", "—", "–"):
        return None
    m = RANGE.match(t)
    if m:
        return ("range", Decimal(m[1]), Decimal(m[2]), m[3])
    m = QUANTITY.match(t)
    if m:
        unit = m[3]
        if unit and unit.startswith("("):
            unit = unit[1:-1].strip()
        return ("quantity", m[1], Decimal(m[2].replace(",", "")), unit)
    return ("qualitative", t)


def target_met(target, actual):
    """True/False when a quantitative target and actual value can be compared, else None."""
    t, a = parse_value(target), parse_value(actual)
    if not t or not a or a[0] != "quantity" or t[0] == "qualitative":
        return None
    if t[0] == "range":
        if t[3] != a[3]:
            return None
        return a[2] >= t[1]
    op, value, unit = t[1], t[2], t[3]
    if unit != a[3] or op == "约":
        return None
    got = a[2]
    return {None: got >= value, "=": got >= value, "≥": got >= value, ">": got > value,
            "≤": got <= value, "<": got < value}[op]


# --- format ----------------------------------------------------------------------------------
def check_text(p, field, value):
    if value != value.strip() or "  " in value or "\t" in value or "\n" in value:
        p.add("format", field, f"untrimmed or uncollapsed whitespace: {value!r}")


def check_keys(p, field, obj, required, optional=None):
    optional = optional or {}
    if not isinstance(obj, dict):
        p.add("format", field, "not an object")
        return False
    ok = True
    for k, t in required.items():
        if k not in obj:
            p.add("format", field, f"missing key {k!r}")
            ok = False
        elif not isinstance(obj[k], t) or isinstance(obj[k], bool):
            p.add("format", f"{field}.{k}", f"not a {t.__name__}")
            ok = False
    for k, t in optional.items():
        if k in obj and not isinstance(obj[k], t):
            p.add("format", f"{field}.{k}", f"not a {t.__name__}")
            ok = False
    for k in obj:
        if k not in required and k not in optional:
            p.add("format", field, f"unknown key {k!r}")
    return ok


def check_format(p, r):
    """Format of one report; True when the arithmetic checks can run."""
    if not check_keys(p, "report", r, REPORT_KEYS, OPTIONAL_REPORT_KEYS):
        return False
    for k, t in REPORT_KEYS.items():
        if t is str:
            check_text(p, k, r[k])
    if str(r["year"]) not in r["year_line"]:
        p.add("format", "year_line", f"{r['year_line']!r} does not show year {r['year']}")
    if r["template"] not in HIERARCHY:
        p.add("format", "template", f"unknown template {r['template']}")
        return False
    ok = True
    hdr = r["funding_header"]
    if len(hdr) != 6 or any(h not in allowed for h, allowed in zip(hdr, FUNDING_HEADER)):
        p.add("format", "funding_header", f"unexpected header {hdr}")
        ok = False
    rows = r["funding"]
    names = [row.get("row") if isinstance(row, dict) and isinstance(row.get("row"), str) else None
             for row in rows]
    if not names or names[0] != "年度资金总额" or len(set(names)) != len(names) \
            or any(n not in SUB_ROWS for n in names[1:]):
        p.add("format", "funding", f"rows must be 年度资金总额 then distinct sub-rows, got {names}")
        ok = False
    for i, row in enumerate(rows):
        f = f"funding[{i}]"
        if not check_keys(p, f, row, {"label": str, "row": str, "values": list}):
            ok = False
            continue
        check_text(p, f"{f}.label", row["label"])
        variants = SUB_ROWS.get(row["row"], {row["row"]})
        if not any(v in row["label"] for v in variants):
            p.add("format", f"{f}.label", f"label {row['label']!r} does not name row {row['row']!r}")
        vals = row["values"]
        if len(vals) != 6 or not all(isinstance(v, str) for v in vals):
            p.add("format", f"{f}.values", "needs 6 strings")
            ok = False
            continue
        for j in (0, 1, 2, 4):
            if amount(vals[j]) is None:
                p.add("format", f"{f}.values[{j}]", f"not an amount: {vals[j]!r}")
                ok = False
        if i == 0:
            for j in (3, 5):
                if amount(vals[j]) is None:
                    p.add("format", f"{f}.values[{j}]", f"not a number: {vals[j]!r}")
                    ok = False
        elif vals[3] != "-" or vals[5] != "-":
            p.add("format", f"{f}.values", "sub-rows print '-' for 分数 and 得分")
    if r["indicator_header"] != INDICATOR_HEADER:
        p.add("format", "indicator_header", f"unexpected header {r['indicator_header']}")
    tree = HIERARCHY[r["template"]]
    seen_l1 = []
    for i, ind in enumerate(r["indicators"]):
        f = f"indicators[{i}]"
        if not check_keys(p, f, ind, INDICATOR_KEYS, {"print": dict}):
            ok = False
            continue
        for k in INDICATOR_KEYS:
            check_text(p, f"{f}.{k}", ind[k])
        if ind["level1"] not in tree or ind["level2"] not in tree[ind["level1"]]:
            p.add("format", f, f"{ind['level1']}/{ind['level2']} is not in the {r['template']} hierarchy")
        if not seen_l1 or seen_l1[-1] != ind["level1"]:
            if ind["level1"] in seen_l1:
                p.add("format", f, f"{ind['level1']} rows are not contiguous")
            seen_l1.append(ind["level1"])
        if not ind["name"]:
            p.add("format", f"{f}.name", "empty 三级指标")
        if "print" in ind:
            pr = ind["print"]
            if not pr or set(pr) - {"level1", "level2"} or not all(isinstance(v, str) for v in pr.values()):
                p.add("format", f"{f}.print", "print takes only string level1/level2")
        for k in ("weight", "score"):
            if score_value(ind[k]) is None:
                p.add("format", f"{f}.{k}", f"not a score: {ind[k]!r}")
                ok = False
    if not r["indicators"]:
        p.add("format", "indicators", "no indicators")
    for k in ("total_weight", "total_score"):
        if score_value(r[k]) is None:
            p.add("format", k, f"not a score: {r[k]!r}")
            ok = False
    if r["grade"] not in {g for _, g in GRADES}:
        p.add("format", "grade", f"unknown grade {r['grade']!r}")
        ok = False
    for code in r.get("expect", []) if isinstance(r.get("expect"), list) else []:
        if not isinstance(code, str) or code not in CODES:
            p.add("format", "expect", f"unknown code {code!r}")
    return ok


# --- arithmetic --------------------------------------------------------------------------------
def check_rules(p, r, rounding):
    rate_mode, score_mode = ROUNDING[rounding["rate"]], ROUNDING[rounding["score"]]
    rows = r["funding"]
    for i, row in enumerate(rows):
        annual, executed, printed = (amount(row["values"][j]) for j in (1, 2, 4))
        if annual == 0:
            want = Decimal(0) if executed == 0 else None
        else:
            want = (executed / annual * 100).quantize(CENT, rate_mode)
        if want is not None and want != printed:
            p.add("execution_rate_mismatch", f"funding[{i}].execution_rate",
                  f"printed {row['values'][4]}, recomputed {want}")
    total = rows[0]["values"]
    weight, annual, executed, b_score = amount(total[3]), amount(total[1]), amount(total[2]), amount(total[5])
    if annual:
        want = min(weight, (weight * executed / annual).quantize(CENT, score_mode))
    else:
        want = Decimal(0)
    if want != b_score:
        p.add("budget_score_mismatch", "funding[0].score", f"printed {total[5]}, recomputed {want}")
    if len(rows) > 1:
        for j, col in ((0, "年初预算数"), (1, "全年预算数"), (2, "全年执行数")):
            s = sum(amount(row["values"][j]) for row in rows[1:])
            if s != amount(total[j]):
                p.add("funding_subrows_sum", f"funding.{col}", f"sub-rows sum to {s}, total {total[j]}")
    inds = r["indicators"]
    weights = weight + sum(Decimal(i["weight"]) for i in inds)
    total_weight = Decimal(r["total_weight"])
    if weights != total_weight or total_weight != 100:
        p.add("weights_sum_mismatch", "total_weight", f"分数 + Σ 分值 = {weights}, total {r['total_weight']}")
    scores = b_score + sum(Decimal(i["score"]) for i in inds)
    total_score = Decimal(r["total_score"])
    if scores != total_score:
        p.add("total_score_mismatch", "total_score", f"printed {r['total_score']}, recomputed {scores}")
    band = next(g for floor, g in GRADES if total_score >= floor)
    if band != r["grade"]:
        p.add("grade_mismatch", "grade", f"printed {r['grade']}, 总分 {r['total_score']} is {band}")
    for k, ind in enumerate(inds):
        w, s = Decimal(ind["weight"]), Decimal(ind["score"])
        f = f"indicators[{k}]"
        if s > w:
            p.add("indicator_score_exceeds_weight", f"{f}.score", f"得分 {ind['score']} > 分值 {ind['weight']}")
        if s < w and not ind["deviation_reason"]:
            p.add("missing_deviation_reason", f"{f}.deviation_reason",
                  f"得分 {ind['score']} < 分值 {ind['weight']} with no 偏差原因")
        if s == w and target_met(ind["target"], ind["actual"]) is False:
            p.add("unmet_target_full_score", f"{f}.score",
                  f"target {ind['target']!r}, actual {ind['actual']!r}, full score")


def check_file(path, ids):
    """Check one data file; returns the number of unexpected problems."""
    bad = 0
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        print(f"{path}: cannot read: {e}")
        return 1
    top = Problems()
    if check_keys(top, "file", doc, TOP_KEYS):
        rd = doc["rounding"]
        if set(rd) != {"rate", "score"} or any(not isinstance(v, str) or v not in ROUNDING for v in rd.values()):
            top.add("format", "rounding", f"rounding must be {{rate, score}} of {sorted(ROUNDING)}")
    for _, field, msg in top.items:
        print(f"{path}: {field}: {msg}")
    if top.items:
        return len(top.items)
    ok_reports = 0
    for n, r in enumerate(doc["reports"]):
        p = Problems()
        rid = r.get("id", f"#{n}") if isinstance(r, dict) else f"#{n}"
        if isinstance(r, dict) and "id" in r:
            if rid in ids:
                p.add("format", "id", f"duplicate id (also in {ids[rid]})")
            ids[rid] = path
        if check_format(p, r):
            try:
                check_rules(p, r, doc["rounding"])
            except (InvalidOperation, TypeError) as e:
                p.add("format", "report", f"arithmetic failed: {e}")
        listed = r.get("expect", []) if isinstance(r, dict) else []
        expect = {c for c in listed if isinstance(c, str)} if isinstance(listed, list) else set()
        found = {code for code, _, _ in p.items}
        unexpected = [it for it in p.items if it[0] not in expect]
        for code, field, msg in p.items:
            tag = "expected" if code in expect else "ERROR"
            print(f"{path}: {rid}: {tag} {code}: {field}: {msg}")
        for code in sorted(expect - found):
            print(f"{path}: {rid}: ERROR missing expected {code}")
        if unexpected or expect - found:
            bad += len(unexpected) + len(expect - found)
        else:
            ok_reports += 1
    print(f"{path}: {len(doc['reports'])} reports, {ok_reports} as expected")
    return bad


def main(argv):
    here = Path(__file__).resolve().parent
    files = argv or [str(f) for f in [here / "seed-reports.json", *sorted(here.glob("synthetic-*.json"))]
                     if f.exists()]
    ids = {}
    bad = sum(check_file(f, ids) for f in files)
    print("all data holds" if not bad else f"{bad} unexpected problem(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
