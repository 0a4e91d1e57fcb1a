"""The default form: the five tables of 国管办发〔2019〕22号, with their checks, and the default
evaluation indicators.

The notice's tables are named in public sources (行政区划信息, 办公用房信息, 技术业务用房信息,
办公用房建设项目信息, 省部级领导干部办公室信息 — the last filled by provinces only); their columns
are not published, so the fields here follow the registry's own categories (DESIGN §4.2) and the
figures the 办法 asks about. A province copies this version and edits its copy on pages.
"""

from __future__ import annotations

from django.db import migrations

SOURCE = "国管办发〔2019〕22号（党政机关办公用房信息统计），字段据公开资料与办公用房管理办法整理"


def room(agg: str, field: str | None = None, **flt) -> dict:
    spec = {"model": "room", "agg": agg, "filter": flt}
    if field:
        spec["field"] = field
    return spec


AREA = ("㎡", 2, "number")
COUNT = ("个", 0, "integer")
PEOPLE = ("人", 0, "integer")

# (code, name, filled_by, note, [(code, label, (unit, decimals, kind), prefill, choices)])
TABLES = [
    (
        "A",
        "行政区划信息",
        "bureau",
        "由各级机关事务管理部门填报本级区划情况。",
        [
            ("A01", "行政区划代码", ("", 0, "text"), {"model": "region", "agg": "value", "field": "code"}, []),
            ("A02", "行政区划名称", ("", 0, "text"), {"model": "region", "agg": "value", "field": "name"}, []),
            ("A03", "本级党政机关单位数", COUNT, {"model": "organization", "agg": "count", "filter": {"status": "active"}}, []),
            ("A04", "本级行政编制数", PEOPLE, {"model": "organization", "agg": "sum", "field": "staffing_quota", "filter": {"status": "active"}}, []),
        ],
    ),
    (
        "B",
        "办公用房信息",
        "all",
        "面积单位为平方米，保留两位小数；按统计时点的登记数据预填。",
        [
            ("B01", "院落数", COUNT, {"model": "compound", "agg": "count", "filter": {}}, []),
            ("B02", "办公用房使用面积合计", AREA, room("sum", "usable_area", category=["office", "service", "equipment", "ancillary"]), []),
            ("B03", "办公室使用面积", AREA, room("sum", "usable_area", category="office"), []),
            ("B04", "服务用房使用面积", AREA, room("sum", "usable_area", category="service"), []),
            ("B05", "设备用房使用面积", AREA, room("sum", "usable_area", category="equipment"), []),
            ("B06", "附属用房使用面积", AREA, room("sum", "usable_area", category="ancillary"), []),
            ("B07", "办公室间数", COUNT, room("count", category="office"), []),
            ("B08", "闲置面积", AREA, room("sum", "usable_area", status="idle"), []),
            ("B09", "出租出借面积", AREA, room("sum", "usable_area", status=["lent", "leased_out"]), []),
            ("B10", "租用面积", AREA, room("sum", "usable_area", status="rented"), []),
            ("B11", "实有在职人数", PEOPLE, {"model": "person", "agg": "count", "filter": {"employment_status": "active"}}, []),
            ("B12", "权属状况", ("", 0, "choice"), None, ["权属清晰", "部分不清", "权属不清"]),
        ],
    ),
    (
        "C",
        "技术业务用房信息",
        "all",
        "技术业务用房单独统计，不计入办公用房面积。",
        [
            ("C01", "技术业务用房使用面积", AREA, room("sum", "usable_area", category="technical"), []),
            ("C02", "技术业务用房间数", COUNT, room("count", category="technical"), []),
            ("C03", "主要用途", ("", 0, "text"), None, []),
        ],
    ),
    (
        "D",
        "办公用房建设项目信息",
        "all",
        "填报统计年度内在建或竣工的新建、扩建、购置、维修改造项目。",
        [
            ("D01", "建设项目数", COUNT, None, []),
            ("D02", "项目建筑面积", AREA, None, []),
            ("D03", "项目总投资", ("万元", 2, "number"), None, []),
            ("D04", "批准文号", ("", 0, "text"), None, []),
        ],
    ),
    (
        "E",
        "省部级领导干部办公室信息",
        "province",
        "仅省级填报。",
        [
            ("E01", "省部级领导干部人数", PEOPLE, {"model": "person", "agg": "count", "filter": {"grade": ["minister", "vice_minister"], "employment_status": "active"}}, []),
            ("E02", "办公室间数", COUNT, None, []),
            ("E03", "办公室使用面积", AREA, None, []),
            ("E04", "超标准间数", COUNT, None, []),
        ],
    ),
]

# (code, kind, left, operator, right, importance, message)
RULES = [
    ("R01", "content", "A01", "required", "", "blocking", "行政区划代码必须填写。"),
    ("R02", "format", "A01", "pattern", r"\d{6}(\d{3}(\d{3})?)?", "blocking", "行政区划代码应为 6、9 或 12 位数字。"),
    ("R03", "content", "B12", "required", "", "blocking", "请选择权属状况。"),
    ("R04", "logic", "B02", "==", "B03+B04+B05+B06", "blocking", "办公用房使用面积合计应等于办公室、服务、设备、附属用房面积之和。"),
    ("R05", "logic", "B08+B09", "<=", "B02", "blocking", "闲置与出租出借面积之和不应大于办公用房使用面积合计。"),
    ("R06", "limit", "B03", "<=", "B11*30", "warning", "人均办公室使用面积超过 30 平方米，请核实。"),
    ("R07", "logic", "B07", ">", "0", "warning", "办公室间数为 0，请核实是否漏报。"),
    ("R08", "logic", "D02", "<=", "D01*100000", "warning", "项目建筑面积偏大，请核实单位是否为平方米。"),
    ("R09", "logic", "E03", "<=", "E02*100", "warning", "省部级领导干部办公室平均面积偏大，请核实。"),
]

INDICATORS = [
    ("K1", "按时报送", "on_time", "40.0"),
    ("K2", "一次通过校验", "first_pass", "30.0"),
    ("K3", "未被退回", "no_return", "20.0"),
    ("K4", "接收后无更正", "no_correction", "10.0"),
]


def seed_form(apps, schema_editor) -> None:
    db = schema_editor.connection.alias
    ReportForm = apps.get_model("reporting", "ReportForm")
    ReportTable = apps.get_model("reporting", "ReportTable")
    ReportField = apps.get_model("reporting", "ReportField")
    ValidationRule = apps.get_model("reporting", "ValidationRule")
    form = ReportForm.objects.using(db).create(
        name="党政机关办公用房信息统计表", year=2026, number=1, source=SOURCE
    )
    for t_order, (code, name, filled_by, note, fields) in enumerate(TABLES, start=1):
        table = ReportTable.objects.using(db).create(
            form=form, code=code, name=name, order=t_order, filled_by=filled_by, note=note
        )
        ReportField.objects.using(db).bulk_create(
            ReportField(
                table=table,
                code=f_code,
                label=label,
                unit=unit,
                decimals=decimals,
                kind=kind,
                prefill=prefill,
                choices=choices,
                summable=kind in ("number", "integer"),
                order=f_order,
            )
            for f_order, (f_code, label, (unit, decimals, kind), prefill, choices) in enumerate(
                fields, start=1
            )
        )
    ValidationRule.objects.using(db).bulk_create(
        ValidationRule(
            form=form,
            code=code,
            kind=kind,
            left=left,
            operator=op,
            right=right,
            importance=importance,
            message=message,
        )
        for code, kind, left, op, right, importance, message in RULES
    )


def seed_indicators(apps, schema_editor) -> None:
    db = schema_editor.connection.alias
    Indicator = apps.get_model("reporting", "EvaluationIndicator")
    Indicator.objects.using(db).bulk_create(
        Indicator(code=code, name=name, kind=kind, points=points, order=i)
        for i, (code, name, kind, points) in enumerate(INDICATORS, start=1)
    )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]

    operations = [
        migrations.RunPython(seed_form, migrations.RunPython.noop),
        migrations.RunPython(seed_indicators, migrations.RunPython.noop),
    ]
