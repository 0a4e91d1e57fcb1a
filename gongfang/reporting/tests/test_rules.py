"""Validation rules as data: the safe expression evaluator and the cells' format checks."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from django.test import SimpleTestCase

from ..rules import ExpressionError, check_rule, evaluate, format_findings, parse


def rule(left, op, right="", importance="blocking"):
    return SimpleNamespace(
        code="T1",
        kind="logic",
        left=left,
        operator=op,
        right=right,
        importance=importance,
        message="测试",
    )


def field(code, kind="number", decimals=2, choices=()):
    return SimpleNamespace(
        code=code, label="面积", kind=kind, decimals=decimals, choices=list(choices)
    )


class EvaluatorTests(SimpleTestCase):
    def test_arithmetic_over_codes(self):
        self.assertEqual(
            evaluate("B03+B04*2-(B05/2)", {"B03": "1.5", "B04": "2", "B05": "4"}), Decimal("3.5")
        )
        self.assertEqual(evaluate("B03", {}), 0)

    def test_only_the_whitelist(self):
        for bad in (
            "__import__('os')",
            "B03.real",
            "[1]",
            "B03 if 1 else 2",
            "'a'",
            "B03**2",
            "True",
        ):
            with self.subTest(bad=bad), self.assertRaises(ExpressionError):
                parse(bad)

    def test_comparisons_and_cells(self):
        values = {"B02": "10", "B03": "4", "B04": "5"}
        finding = check_rule(rule("B02", "==", "B03+B04"), values)
        self.assertEqual(finding.cells, ("B02", "B03", "B04"))
        self.assertIsNone(check_rule(rule("B02", ">=", "B03+B04"), values))
        self.assertIsNone(check_rule(rule("B02", "<=", "B03/0"), values))  # cannot judge

    def test_required_and_pattern(self):
        self.assertIsNotNone(check_rule(rule("A01", "required"), {"A01": ""}))
        self.assertIsNone(check_rule(rule("A01", "required"), {"A01": "370400"}))
        pattern = r"\d{6}(\d{3}(\d{3})?)?"
        self.assertIsNotNone(check_rule(rule("A01", "pattern", pattern), {"A01": "37040"}))
        self.assertIsNone(check_rule(rule("A01", "pattern", pattern), {"A01": "370481001"}))

    def test_formats(self):
        fields = [field("B03"), field("B07", "integer", 0), field("B12", "choice", 0, ["是", "否"])]
        found = format_findings(fields, {"B03": "1.234", "B07": "2.5", "B12": "也许"})
        self.assertEqual([f.cells[0] for f in found], ["B03", "B07", "B12"])
        self.assertEqual(format_findings(fields, {"B03": "1.23", "B07": "2", "B12": "是"}), [])
        self.assertIn("数字", format_findings(fields, {"B03": "abc"})[0].message)
