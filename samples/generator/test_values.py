"""Checks values.py against the examples written in CONTRACTS.md and README.md.

Run: python3 -m unittest discover -s samples/generator
"""

import unittest

from values import number, paragraphs, parse_value


def q(op, value, unit, note=None):
    return {"kind": "quantity", "op": op, "value": value, "unit": unit, "note": note}


class ParseValue(unittest.TestCase):
    def test_contract_examples(self):
        cases = {
            "=100(%)": q("=", "100", "%"),
            "≥1000.00(份)": q("≥", "1000.00", "份"),
            "约 30 人": q("约", "30", "人"),
            "1-2 批次": {"kind": "range", "low": "1", "high": "2", "unit": "批次"},
            "≤0.00(次数)": q("≤", "0.00", "次数"),
            ">95(%)": q(">", "95", "%"),
            "25 篇": q(None, "25", "篇"),
            "100%": q(None, "100", "%"),
            "100% (2023 年 12 月)": q(None, "100", "%", "2023 年 12 月"),
            "0 履职事故": q(None, "0", "履职事故"),
            "健全": {"kind": "qualitative", "text": "健全"},
            "年底前完成": {"kind": "qualitative", "text": "年底前完成"},
        }
        for printed, parsed in cases.items():
            with self.subTest(printed=printed):
                self.assertEqual(parse_value(printed), parsed)

    def test_nulls_and_folding(self):
        for blank in ["", " ", "-", "—", "–"]:
            self.assertIsNone(parse_value(blank))
        self.assertEqual(parse_value(">=1,200（人）"), q("≥", "1200", "人"))
        self.assertEqual(parse_value("３～５ 天"), {"kind": "range", "low": "3", "high": "5", "unit": "天"})
        self.assertEqual(parse_value("≧90 (%)"), q("≥", "90", "%"))

    def test_numbers_and_paragraphs(self):
        self.assertEqual(number("1,663.27"), "1663.27")
        self.assertEqual(number("99.04%"), "99.04")
        self.assertIsNone(number("-"))
        self.assertEqual(paragraphs("<p>甲。</p> <p>乙。</p>"), "甲。\n乙。")
        self.assertEqual(paragraphs("甲<br/>乙<BR>"), "甲\n乙")
        self.assertEqual(paragraphs("  丙  "), "丙")


if __name__ == "__main__":
    unittest.main()
