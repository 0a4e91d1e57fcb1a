"""副省级市 (sub-provincial cities) and the row of 表1 their organizations take by default.

表1 注1 of the national standard puts the 组成部门 of a 副省级市 on the 省级 row (their 正、副局级
staff take the 正、副厅级 figures). Which cities are 副省级 is a fact about administrative divisions,
shipped with the system like the GB/T 2260 list; ``Organization.standard_level`` defaults from it
and stays editable (a user may set any row, e.g. for a 派出机构 under 表1 注2).
"""

from __future__ import annotations

from .choices import AdminLevel

SOURCE = (
    "中央机构编制委员会《关于副省级市若干问题的意见》（中编发〔1995〕5号），据中编〔1994〕1号"
    "将 16 个市的政府机关定为副省级；1997 年重庆市改为直辖市后为 15 个"
)
# GB/T 2260 code -> name.
CITIES: dict[str, str] = {
    "210100": "沈阳市",
    "210200": "大连市",
    "220100": "长春市",
    "230100": "哈尔滨市",
    "320100": "南京市",
    "330100": "杭州市",
    "330200": "宁波市",
    "350200": "厦门市",
    "370100": "济南市",
    "370200": "青岛市",
    "420100": "武汉市",
    "440100": "广州市",
    "440300": "深圳市",
    "510100": "成都市",
    "610100": "西安市",
}


def sub_provincial_city(region_path: str) -> str | None:
    """The code of the 副省级市 a region lies in (itself or an ancestor), or None."""
    return next((code for code in region_path.split("/") if code in CITIES), None)


def default_standard_level(level: str, region_path: str) -> str:
    """The row of 表1 an organization takes unless a user sets another: a 市级 organization of a
    副省级市 takes the 省级 row (表1 注1); every other its own level's row ("" = its level)."""
    if level == AdminLevel.CITY and sub_provincial_city(region_path):
        return AdminLevel.PROVINCE
    return ""
