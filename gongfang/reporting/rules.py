"""Validation rules as data: ``left operator right`` over a submission's cells.

``left`` and ``right`` are arithmetic over field codes and numbers (``B05+B06``, ``B13*30``),
parsed by a whitelist of Python's own expression grammar — names, numbers, + - * / and brackets,
nothing else — so a rule a province types on a page can never run code. ``required`` checks the
left cell is filled, ``pattern`` matches it against the regular expression on the right.
"""

from __future__ import annotations

import ast
import re
from dataclasses import asdict, dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation

from .choices import FieldKind, Importance, RuleOperator

_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}
_COMPARE = {
    RuleOperator.EQ: lambda a, b: a == b,
    RuleOperator.NE: lambda a, b: a != b,
    RuleOperator.LT: lambda a, b: a < b,
    RuleOperator.LE: lambda a, b: a <= b,
    RuleOperator.GT: lambda a, b: a > b,
    RuleOperator.GE: lambda a, b: a >= b,
}


class ExpressionError(ValueError):
    """An expression outside the whitelist (message in Chinese)."""


@dataclass(frozen=True)
class Finding:
    rule: str
    cells: tuple[str, ...]
    importance: str
    kind: str
    message: str

    def to_json(self) -> dict:
        data = asdict(self)
        data["cells"] = list(self.cells)
        return data


def parse(expression: str) -> ast.expr:
    """The expression's tree, or ExpressionError when it steps outside the whitelist."""
    try:
        tree = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ExpressionError(f"算式“{expression}”无法识别。") from exc
    for node in ast.walk(tree):
        allowed = (ast.BinOp, ast.UnaryOp, ast.Name, ast.Constant, ast.Load, ast.USub, ast.UAdd)
        if isinstance(node, ast.operator) and type(node) in _BINARY:
            continue
        if not isinstance(node, allowed):
            raise ExpressionError(f"算式“{expression}”只能使用指标代码、数字和 + - * / ( )。")
        if isinstance(node, ast.Constant) and (
            isinstance(node.value, bool) or not isinstance(node.value, int | float)
        ):
            raise ExpressionError(f"算式“{expression}”中只能出现数字常量。")
    return tree


def names(expression: str) -> tuple[str, ...]:
    """The field codes an expression reads."""
    return tuple(
        dict.fromkeys(n.id for n in ast.walk(parse(expression)) if isinstance(n, ast.Name))
    )


def number(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return None


def evaluate(expression: str, values: dict) -> Decimal:
    """The expression's value; an empty cell counts as 0."""

    def walk(node: ast.expr) -> Decimal:
        if isinstance(node, ast.Constant):
            return Decimal(str(node.value))
        if isinstance(node, ast.Name):
            return number(values.get(node.id)) or Decimal(0)
        if isinstance(node, ast.UnaryOp):
            value = walk(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        return _BINARY[type(node.op)](walk(node.left), walk(node.right))

    return walk(parse(expression))


def check_rule(rule, values: dict) -> Finding | None:
    """The rule's finding on ``values``, or None when it holds (or cannot be judged: a division
    by an empty cell)."""
    left = rule.left.strip()
    failed = False
    if rule.operator == RuleOperator.REQUIRED:
        failed = values.get(left) in (None, "")
    elif rule.operator == RuleOperator.PATTERN:
        value = values.get(left)
        failed = value not in (None, "") and not re.fullmatch(rule.right, str(value))
    else:
        try:
            failed = not _COMPARE[rule.operator](
                evaluate(rule.left, values), evaluate(rule.right, values)
            )
        except (DivisionByZero, InvalidOperation, ZeroDivisionError):
            return None
    if not failed:
        return None
    cells = names(rule.left) if rule.operator not in (RuleOperator.PATTERN,) else (left,)
    if rule.operator not in (RuleOperator.REQUIRED, RuleOperator.PATTERN):
        cells = tuple(dict.fromkeys([*cells, *names(rule.right)]))
    return Finding(rule.code, cells, rule.importance, rule.kind, rule.message)


def format_findings(fields, values: dict) -> list[Finding]:
    """The cells' own format checks (a number where a number belongs, decimals, a listed
    choice): what every field's type implies, before any rule."""
    found = []
    for field in fields:
        value = values.get(field.code)
        if value in (None, ""):
            continue
        label = f"{field.code} {field.label}"
        if field.kind in (FieldKind.NUMBER, FieldKind.INTEGER):
            parsed = number(value)
            if parsed is None:
                message = f"“{label}”应填数字，现为“{value}”。"
            elif parsed < 0:
                message = f"“{label}”不能为负数。"
            elif field.kind == FieldKind.INTEGER and parsed != parsed.to_integral_value():
                message = f"“{label}”应为整数。"
            elif -parsed.as_tuple().exponent > field.decimals and field.kind == FieldKind.NUMBER:
                message = f"“{label}”最多保留 {field.decimals} 位小数。"
            else:
                continue
        elif field.kind == FieldKind.CHOICE and field.choices and value not in field.choices:
            message = f"“{label}”应从下拉选项中选择：{'、'.join(field.choices)}。"
        elif field.kind == FieldKind.DATE and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
            message = f"“{label}”应为日期（如 2026-12-31）。"
        else:
            continue
        found.append(
            Finding(f"格式-{field.code}", (field.code,), Importance.BLOCKING, "format", message)
        )
    return found


def run_checks(fields, rules, values: dict) -> list[Finding]:
    """Every finding of the cells' formats and the form's rules on ``values``."""
    found = format_findings(fields, values)
    for rule in rules:
        try:
            finding = check_rule(rule, values)
        except (ExpressionError, re.error):
            finding = Finding(
                rule.code,
                (),
                Importance.WARNING,
                rule.kind,
                f"规则“{rule.code}”无法执行，请联系报表管理员。",
            )
        if finding is not None:
            found.append(finding)
    return found


def blocking(findings) -> list:
    return [
        f
        for f in findings
        if (f["importance"] if isinstance(f, dict) else f.importance) == Importance.BLOCKING
    ]
