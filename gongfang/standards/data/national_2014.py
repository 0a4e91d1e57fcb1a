"""The national standard of 2014 as data (DESIGN §4.1–4.4): seeded by migration 0002.

Source: 《党政机关办公用房建设标准》, issued by 国家发展改革委 and 住房城乡建设部 with
发改投资〔2014〕2674号. Its date, 2014-11-24, is the 制发日期 on the NDRC disclosure page
(zfxxgk.ndrc.gov.cn, 索引号 000013039-2014-00781) and the date under the notice itself; we take it
as the day the standard came into force.

表1 gives the usable office area per person by organization level (the table's rows) and grade
(its columns); a cell the table leaves empty ("—") is absent here, and the 乡级 row is left to each
province (``note_township``). The notes of 表1 are kept as clause texts. Grade equivalences follow
《公务员职务与职级并行规定》(2019); the service-room allowances and the rule parameters of
DESIGN §4.4 are this system's defaults, to be confirmed by each bureau, and their clauses say so.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

NAME = "党政机关办公用房建设标准（2014 年版）"
SOURCE = "《党政机关办公用房建设标准》（国家发展改革委、住房城乡建设部，发改投资〔2014〕2674号）"
EFFECTIVE_FROM = datetime.date(2014, 11, 24)
NOTES = (
    "国家发展改革委、住房城乡建设部 2014 年 11 月 24 日印发（发改投资〔2014〕2674号），"
    "修订 1999 年版标准（计投资〔1999〕2250号）。表1 规定各级工作人员办公室使用面积上限；"
    "乡级机关由各省规定。职级对照依《公务员职务与职级并行规定》（2019 年）；"
    "服务用房人均指标与各项规则参数为本系统默认值，待机关事务管理局确认。"
)

LEVELS = ("central", "province", "city", "county", "township")
GRADES = (
    "minister",
    "vice_minister",
    "bureau",
    "vice_bureau",
    "division",
    "vice_division",
    "section",
    "vice_section",
    "staff",
)
LEVEL_NAMES = {
    "central": "中央机关",
    "province": "省级机关",
    "city": "市级机关",
    "county": "县级机关",
    "township": "乡级机关",
}

# 表1, usable m² per person; None where the table has no such post ("—").
TABLE_1: dict[str, tuple[int | None, ...]] = {
    #            省部正 省部副 厅局正 厅局副 县处正 县处副 乡科正 乡科副 以下
    "central":  (54,    42,    24,    18,    12,    12,    9,     9,     9),
    "province": (54,    42,    30,    24,    18,    12,    9,     9,     9),
    "city":     (None,  None,  42,    30,    24,    18,    9,     9,     9),
    "county":   (None,  None,  None,  None,  30,    24,    18,    12,    9),
    "township": (None,) * 9,
}  # fmt: skip

# The post each cell stands for, in the standard's own words (for the cell's clause).
POSTS: dict[str, tuple[str | None, ...]] = {
    "central": ("部级正职", "部级副职", "正司（局）级", "副司（局）级", "处级", "处级",
                "处级以下", "处级以下", "处级以下"),
    "province": ("省级正职", "省级副职", "正厅（局）级", "副厅（局）级", "正处级", "副处级",
                 "处级以下", "处级以下", "处级以下"),
    "city": (None, None, "市级正职", "市级副职", "正局（处）级", "副局（处）级",
             "局（处）级以下", "局（处）级以下", "局（处）级以下"),
    "county": (None, None, None, None, "县级正职", "县级副职", "正科级", "副科级", "科级以下"),
    "township": (None,) * 9,
}  # fmt: skip

# 表1 注4: cells whose 卫生间 (≤ toilet_max_m2) may lie inside the limit. The note also names the
# 正职 of provincial departments and the 党政正职 of cities and counties: posts, not grades (a
# city's 厅局级正职 row holds the heads of 人大 and 政协 too), so they are not flagged here.
TOILET_CELLS = frozenset(
    {
        ("central", "minister"),
        ("central", "vice_minister"),
        ("province", "minister"),
        ("province", "vice_minister"),
    }
)


def office_clause(level: str, grade: str, area: int) -> str:
    post = POSTS[level][GRADES.index(grade)]
    text = f"《党政机关办公用房建设标准》表1：{LEVEL_NAMES[level]}{post}，每人使用面积不超过 {area} 平方米。"
    if level in ("central", "province") and grade in ("minister", "vice_minister"):
        text += "可在此面积内配备不超过 6 平方米的卫生间（表1 注4）。"
    if grade not in ("section", "vice_section", "staff"):
        text += "领导人员可在此面积内配备休息室（表1 注3）。"
    return text


def office_limits() -> list[tuple[str, str, Decimal, bool, str]]:
    """(standard_level, grade, area, toilet_allowed, clause) of every cell 表1 fills."""
    rows = []
    for level, figures in TABLE_1.items():
        for grade, area in zip(GRADES, figures, strict=True):
            if area is None:
                continue
            rows.append(
                (
                    level,
                    grade,
                    Decimal(area),
                    (level, grade) in TOILET_CELLS,
                    office_clause(level, grade, area),
                )
            )
    return rows


EQUIVALENCE_CLAUSE = "《公务员职务与职级并行规定》（2019 年）：{title}与{grade_name}相对应，按该职务层次确定办公室面积标准。"
GRADE_NAMES = {
    "bureau": "厅局级正职",
    "vice_bureau": "厅局级副职",
    "division": "县处级正职",
    "vice_division": "县处级副职",
    "section": "乡科级正职",
    "vice_section": "乡科级副职",
    "staff": "科员及以下",
}
# 职级 title -> grade (2019 公务员职务与职级并行规定).
GRADE_EQUIVALENCE: tuple[tuple[str, str], ...] = (
    ("一级巡视员", "bureau"),
    ("二级巡视员", "vice_bureau"),
    ("一级调研员", "division"),
    ("二级调研员", "division"),
    ("三级调研员", "vice_division"),
    ("四级调研员", "vice_division"),
    ("一级主任科员", "section"),
    ("二级主任科员", "section"),
    ("三级主任科员", "vice_section"),
    ("四级主任科员", "vice_section"),
    ("一级科员", "staff"),
    ("二级科员", "staff"),
)


def grade_equivalences() -> list[tuple[str, str, str]]:
    """(rank_title, grade, clause) of every 职级."""
    return [
        (title, grade, EQUIVALENCE_CLAUSE.format(title=title, grade_name=GRADE_NAMES[grade]))
        for title, grade in GRADE_EQUIVALENCE
    ]


DEFAULT_NOTE = "本系统默认值，待机关事务管理局确认。"
# 服务用房 (B of §4.3), usable m² per head of 编制定员, by level.
SERVICE_ALLOWANCES: dict[str, int] = {
    "central": 8,
    "province": 8,
    "city": 7,
    "county": 6,
    "township": 6,
}


def service_allowances() -> list[tuple[str, Decimal, str]]:
    return [
        (
            level,
            Decimal(value),
            f"{LEVEL_NAMES[level]}服务用房（会议室、接待室、档案室等）编制定员人均使用面积 {value} 平方米，"
            f"用于核定总面积公式中的 B（《党政机关办公用房建设标准》服务用房指标）。{DEFAULT_NOTE}",
        )
        for level, value in SERVICE_ALLOWANCES.items()
    ]


MANAGEMENT_RULES = "《党政机关办公用房管理办法》（中共中央办公厅、国务院办公厅 2017 年印发）"
# key -> (value, unit, clause): §4.3 coefficients and the §4.4 rule parameters.
PARAMETERS: dict[str, tuple[str, str, str]] = {
    "r1_tolerance_m2": (
        "0",
        "m²",
        "R1 一间不超：办公室使用面积超过使用人标准之和多少平方米以内不预警。默认 0，即不允许超出。"
        + DEFAULT_NOTE,
    ),
    "r3_grace_days": (
        "30",
        "天",
        f"R3 {MANAGEMENT_RULES}第十九条：工作人员调离或者退休的，使用单位应当在办理调离或者退休"
        "手续后 1 个月内收回其办公用房。按 30 天计。",
    ),
    "r4_grace_days": (
        "60",
        "天",
        f"R4 {MANAGEMENT_RULES}第十九条：兼职单位安排的办公用房应在免去兼任职务后 2 个月内腾退。"
        "按 60 天计。",
    ),
    "r5_idle_days": (
        "183",
        "天",
        "R5 办公用房、服务用房无正当理由闲置超过此天数的，由机关事务管理部门收回调剂。"
        "默认 183 天（6 个月）。" + DEFAULT_NOTE,
    ),
    "r7_grace_days": (
        "90",
        "天",
        "R7 单位撤销或合并后，其使用的办公用房应在此天数内移交或腾退。默认 90 天。" + DEFAULT_NOTE,
    ),
    "r9_area_tolerance": (
        "0.03",
        "比例",
        "R9 数据质量：房间面积合计与楼座面积、测绘面积或图纸面积相差超过此比例时提示核实。"
        "默认 3%。" + DEFAULT_NOTE,
    ),
    "equipment_ratio": (
        "0.09",
        "比例",
        "《党政机关办公用房建设标准》总建筑面积公式 S=[A+B+(A+B)×9%]/K+C 中设备用房所占比例 9%。",
    ),
    "k_multi": (
        "0.65",
        "系数",
        "《党政机关办公用房建设标准》：基本办公用房建筑总使用面积系数，多层建筑不应低于 65%（公式中的 K）。",
    ),
    "k_high": (
        "0.60",
        "系数",
        "《党政机关办公用房建设标准》：基本办公用房建筑总使用面积系数，高层建筑不应低于 60%（公式中的 K）。",
    ),
    "toilet_max_m2": (
        "6",
        "m²",
        "《党政机关办公用房建设标准》表1 注4：规定的领导人员办公室可在使用面积范围内配备不超过 "
        "6 平方米的卫生间。",
    ),
}


PLAUSIBILITY_NOTE = (
    "合理性上限，不是面积标准：超过此值的面积视为录入错误（如把平方厘米当平方米填写）而拒绝保存；"
    "确属实情的，由有权限的用户在地方标准中调高此参数。" + DEFAULT_NOTE
)
# key -> (value, unit, clause): plausibility ceilings of areas (registry.plausibility). Kept apart
# from PARAMETERS: migration 0002 wrote those into a column too narrow for these figures, and
# seed.ensure_area_ceilings adds these to the version in every database.
AREA_CEILINGS: dict[str, tuple[str, str, str]] = {
    "max_office_room_m2": (
        "300",
        "m²",
        "一间办公室（用房类别“办公室”）的使用面积、建筑面积上限。表1 最高为每人 54 m²，一般工作"
        "人员每人 9 m²，300 m² 可容三十余人合用。" + PLAUSIBILITY_NOTE,
    ),
    "max_room_m2": (
        "10000",
        "m²",
        "其他一间房间（会议室、档案室、礼堂等）和一处食堂的使用面积、建筑面积上限。"
        + PLAUSIBILITY_NOTE,
    ),
    "max_building_m2": (
        "1000000",
        "m²",
        "一座楼的建筑面积、使用面积上限（100 万 m²，大于已知最大的办公建筑）。" + PLAUSIBILITY_NOTE,
    ),
    "max_land_m2": (
        "10000000",
        "m²",
        "一处院落的土地面积上限（1000 万 m²，即 10 平方公里）。" + PLAUSIBILITY_NOTE,
    ),
}


def area_ceilings() -> list[tuple[str, Decimal, str, str]]:
    """(key, value, unit, clause) of every plausibility ceiling."""
    return [
        (key, Decimal(value), unit, clause) for key, (value, unit, clause) in AREA_CEILINGS.items()
    ]


def parameters() -> list[tuple[str, Decimal, str, str]]:
    """(key, value, unit, clause) of every parameter."""
    return [
        (key, Decimal(value), unit, clause) for key, (value, unit, clause) in PARAMETERS.items()
    ]


# key -> (title, text): the rules of DESIGN §4.4 by id, the notes of 表1, the §4.3 formula.
CLAUSES: dict[str, tuple[str, str]] = {
    "table1": (
        "表1 各级工作人员办公室使用面积",
        "各级工作人员办公室使用面积不应超过表1 的规定（中央、省、市、县四级按职务层次规定；"
        "乡级由各省规定）。",
    ),
    "note_sub_provincial": (
        "表1 注1 副省级城市、副部级单位",
        "副省级城市、副部级单位副职办公室面积指标按不超过省（部）级副职标准执行，其组成部门的正、"
        "副局（司）级人员办公室面积指标按不超过省级机关或中央机关相应的正、副厅（局、司）级标准执行。"
        "副市（厅）、副县（处）级单位以此类推。本系统通过单位的“适用标准层级”执行。",
    ),
    "note_dispatched": (
        "表1 注2 派出机构、事业单位",
        "中央机关司（局）级派出机构、事业单位按省级机关厅（局）级单位标准执行，处级派出机构、"
        "事业单位按市级机关局（处）级单位标准执行；省级机关处级直属机构、派出机构、事业单位按市级"
        "机关局（处）级单位标准执行，科级派出机构、事业单位按县级机关科级单位标准执行。其他以此类推。"
        "本系统通过单位的“适用标准层级”执行。",
    ),
    "note_rest_room": (
        "表1 注3 休息室",
        "各级党政机关领导人员办公室可在规定的办公室使用面积范围内配备休息室；休息室面积计入办公室"
        "使用面积，不另行增加。",
    ),
    "note_toilet": (
        "表1 注4 卫生间",
        "省部级领导人员、省（自治区、直辖市）所属厅（局）正职和市（地、州、盟）、县（市、区、旗）"
        "党政正职办公室可在规定的办公室使用面积范围内配备不超过 6 平方米的卫生间。本版本按职级标记"
        "省部级正职、副职；其余按职务认定的人员由各地在地方标准中标记。",
    ),
    "note_township": (
        "乡级机关",
        "乡级机关工作人员办公室使用面积由省级人民政府按照中央规定和精神自行规定，原则上不得超过"
        "县级机关副职的标准（24 平方米）。未制定地方标准的省份，乡级机关没有适用的面积标准。",
    ),
    "formula": (
        "总建筑面积核定公式",
        "S=[A+B+(A+B)×9%]/K+C。A 为各级工作人员办公室总使用面积，B 为服务用房总使用面积，9% 为"
        "设备用房，K 为基本办公用房建筑总使用面积系数（多层 0.65、高层 0.60），C 为附属用房总建筑"
        "面积。既有用房以使用面积核对：A+B 与实际办公室、服务用房使用面积比较。",
    ),
    "R1": (
        "R1 办公室面积（一间不超）",
        "办公室使用面积不得超过其在用人员标准之和；一人独用的不得超过本人标准（《党政机关办公用房"
        "建设标准》表1）。",
    ),
    "R2": (
        "R2 一人一处",
        f"{MANAGEMENT_RULES}第十九条：领导干部在不同单位同时任职的，应当在主要任职单位安排 1 处办公用房；"
        "经严格审批后，可以由兼职单位再安排 1 处小于标准面积的办公用房。",
    ),
    "R3": (
        "R3 调离、退休人员腾退",
        f"{MANAGEMENT_RULES}第十九条：工作人员调离或者退休的，使用单位应当在办理调离或者退休手续后 "
        "1 个月内收回其办公用房。",
    ),
    "R4": (
        "R4 兼职办公室腾退",
        f"{MANAGEMENT_RULES}第十九条：兼职单位安排的办公用房，应在免去兼任职务后 2 个月内腾退。",
    ),
    "R5": (
        "R5 闲置用房收回",
        "办公室、服务用房无正当理由长期闲置的，由机关事务管理部门收回调剂使用。"
        "闲置期限见参数“R5 闲置收回期限”。" + DEFAULT_NOTE,
    ),
    "R6": (
        "R6 单位总面积",
        "单位办公室与服务用房使用面积之和不应超过按《党政机关办公用房建设标准》核定的面积（A+B）。",
    ),
    "R7": (
        "R7 撤并单位用房",
        "单位撤销或者合并的，其办公用房由机关事务管理部门收回或调剂，不得继续占用。"
        "期限见参数“R7 撤并单位腾退期限”。" + DEFAULT_NOTE,
    ),
    "R8": (
        "R8 出租、出借和改变用途",
        f"{MANAGEMENT_RULES}第十八条、第十九条：办公用房分配使用凭证不得用于出租、出借、经营；使用单位"
        "不得擅自改变办公用房使用功能，不得调整给其他单位使用。须有经批准的业务事项。",
    ),
    "R9": (
        "R9 数据质量",
        "必填项缺失、房间面积合计超过楼座面积、房间面积与测绘或图纸面积相差超过容差（参数“R9 面积核对容差”）时"
        "提示核实。" + DEFAULT_NOTE,
    ),
}


def clauses() -> list[tuple[str, str, str]]:
    """(key, title, text) of every clause."""
    return [(key, title, text) for key, (title, text) in CLAUSES.items()]
