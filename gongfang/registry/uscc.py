"""统一社会信用代码 (GB 32100-2015) and its embedded 组织机构代码 (GB 11714).

Pure functions, no Django: the importer, the forms and the property tests share them.
"""

from __future__ import annotations

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    total = sum(
        ORG_CODE_ALPHABET.index(c) * w for c, w in zip(first8, ORG_CODE_WEIGHTS, strict=True)
    )
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def uscc_errors(code: str) -> list[str]:
    """Why ``code`` is not a valid 统一社会信用代码; empty when it is."""
    if len(code) != 18:
        return [f"应为 18 位，实际 {len(code)} 位。"]
    bad = sorted({c for c in code if c not in USCC_ALPHABET})
    if bad:
        return [
            f"含有不允许的字符：{'、'.join(bad)}（只能使用数字和除 I、O、Z、S、V 外的大写字母）。"
        ]
    errors = []
    org_code = code[8:17]
    if any(c not in ORG_CODE_ALPHABET for c in org_code[:8]):
        errors.append("第 9–16 位组织机构代码本体含有不允许的字符。")
    elif org_code_check_char(org_code[:8]) != org_code[8]:
        errors.append(
            f"第 9–17 位组织机构代码校验位错误（第 17 位应为 {org_code_check_char(org_code[:8])}）。"
        )
    expected = uscc_check_char(code[:17])
    if expected != code[17]:
        errors.append(f"第 18 位校验码错误（应为 {expected}）。")
    return errors


def make_uscc(prefix: str, region_code: str, org_body: str) -> str:
    """Build a valid code from its parts: 2-char registration type, 6-digit region, 8-char body."""
    org_code = org_body + org_code_check_char(org_body)
    first17 = prefix + region_code + org_code
    return first17 + uscc_check_char(first17)
