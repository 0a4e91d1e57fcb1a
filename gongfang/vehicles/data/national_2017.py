"""The national vehicle standard: the 2017 rules and the caps published with them (DESIGN §4.5).

Figures in 元 and 升. ``None`` as a cap: no national figure (特种专业技术用车 are set by the
line ministry with the finance department). Rows marked exceptional apply only "特殊情况" /
"因工作需要" with a stated reason.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

NAME = "党政机关公务用车配备标准（2017 年版）"
REVISION = "2017 年版"
EFFECTIVE_FROM = datetime.date(2017, 12, 1)
SOURCE = "《党政机关公务用车管理办法》（中共中央办公厅、国务院办公厅 2017 年印发）及其配套的公务用车配备标准"
NOTES = (
    "价格、排气量上限按公开的配备标准：机要通信用车 12 万元、1.6 升；一般公务用车、应急保障用车及"
    "其他按规定配备的车辆 18 万元、1.8 升，特殊情况 25 万元、3.0 升（其他小型客车、中型客车）或 45 "
    "万元（大型客车）；执法执勤用车 12 万元、1.6 升，因工作需要 18 万元、1.8 升；特种专业技术用车由"
    "行业主管部门会同财政部门确定。新能源轿车价格不超过 18 万元。"
)

CLAUSE_MAIN = "《党政机关公务用车管理办法》（2017）配套配备标准："
SMALL, MEDIUM, LARGE, SPECIAL = "small", "medium_bus", "large_bus", "special"
W = Decimal(10000)

# (category, body_class, exceptional, price cap 元, displacement cap 升, clause)
ROWS: list[tuple[str, str, bool, Decimal | None, Decimal | None, str]] = [
    (
        "confidential",
        SMALL,
        False,
        12 * W,
        Decimal("1.6"),
        CLAUSE_MAIN
        + "机要通信用车配备价格 12 万元以内、排气量 1.6 升（含）以下的轿车或者其他小型客车。",
    ),
]
_GENERAL_STYLE = {
    "general": "一般公务用车",
    "emergency": "应急保障用车",
    "other": "其他按规定配备的车辆",
}
for _code, _label in _GENERAL_STYLE.items():
    ROWS += [
        (
            _code,
            SMALL,
            False,
            18 * W,
            Decimal("1.8"),
            CLAUSE_MAIN
            + f"{_label}配备价格 18 万元以内、排气量 1.8 升（含）以下的轿车或者其他小型客车。",
        ),
        (
            _code,
            SMALL,
            True,
            25 * W,
            Decimal("3.0"),
            CLAUSE_MAIN
            + f"{_label}特殊情况可配备价格 25 万元以内、排气量 3.0 升（含）以下的其他小型客车。",
        ),
        (
            _code,
            MEDIUM,
            True,
            25 * W,
            Decimal("3.0"),
            CLAUSE_MAIN
            + f"{_label}特殊情况可配备价格 25 万元以内、排气量 3.0 升（含）以下的中型客车。",
        ),
        (
            _code,
            LARGE,
            True,
            45 * W,
            None,
            CLAUSE_MAIN + f"{_label}特殊情况可配备价格 45 万元以内的大型客车。",
        ),
    ]
ROWS += [
    (
        "law_enforcement",
        SMALL,
        False,
        12 * W,
        Decimal("1.6"),
        CLAUSE_MAIN
        + "执法执勤用车配备价格 12 万元以内、排气量 1.6 升（含）以下的轿车或者其他小型客车。",
    ),
    (
        "law_enforcement",
        SMALL,
        True,
        18 * W,
        Decimal("1.8"),
        CLAUSE_MAIN
        + "执法执勤用车因工作需要可配备价格 18 万元以内、排气量 1.8 升（含）以下的轿车或者其他小型客车。",
    ),
    (
        "law_enforcement",
        MEDIUM,
        True,
        25 * W,
        Decimal("3.0"),
        CLAUSE_MAIN
        + "执法执勤用车因工作需要可配备价格 25 万元以内、排气量 3.0 升（含）以下的中型客车。",
    ),
    (
        "law_enforcement",
        LARGE,
        True,
        45 * W,
        None,
        CLAUSE_MAIN + "执法执勤用车因工作需要可配备价格 45 万元以内的大型客车。",
    ),
]
for _body in (SMALL, MEDIUM, LARGE, SPECIAL):
    ROWS.append(
        (
            "special",
            _body,
            False,
            None,
            None,
            CLAUSE_MAIN + "特种专业技术用车的配备标准由行业主管部门会同财政部门按照保障工作需要、"
            "厉行节约的原则确定，无全国统一的价格和排气量上限。",
        )
    )

# (key, value, unit, clause)
PARAMETERS: list[tuple[str, Decimal, str, str]] = [
    (
        "new_energy_price_cap",
        18 * W,
        "元",
        CLAUSE_MAIN + "公务用车配备新能源轿车的，价格不得超过 18 万元（扣除财政补贴后）。",
    ),
    (
        "new_energy_share",
        Decimal("0.30"),
        "比例",
        "《政府机关及公共机构购买新能源汽车实施方案》（国管节能〔2014〕293 号）：购买的新能源汽车"
        "占当年配备更新总量的比例不低于 30%；《党政机关公务用车管理办法》（2017）：优先配备使用新能源汽车。",
    ),
    (
        "new_energy_share_blocks",
        Decimal("0"),
        "",
        "新能源配备比例是考核目标而非配备上限（广西 2016 年约为 15%）：未达到 30% 时提示，"
        "不影响申报（取值 0）；地方标准可规定未达标不能申报（取值 1）。",
    ),
    (
        "renewal_years",
        Decimal("8"),
        "年",
        "《党政机关公务用车管理办法》（2017）：公务用车实行定期更新；各地规定的通行条件为使用满 8 年。",
    ),
    (
        "renewal_km",
        Decimal("250000"),
        "公里",
        "各地公务用车更新规定的通行条件：行驶里程满 25 万公里（与使用年限满足其一）。",
    ),
]
