"""The ledger's sheets: for each registry model, its Chinese columns, natural key and references.

One declaration per model serves the importer (which column sets which field, how a row finds
the objects it refers to), the exporter (the same columns, in the same order, from the
database), the templates (headers, dropdowns, the explanation sheet) and the sample row.
A reference is written as the natural key of what it refers to — a region's code, a compound's
name, a room's number — never as an id, so a ledger moves between databases.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db import models

from ..registry.choices import (
    ROOM_SUBTYPES,
    AdminLevel,
    EmploymentStatus,
    Grade,
    HeightClass,
    OrganizationKind,
    OrganizationStatus,
    ParkingKind,
    RoomCategory,
    RoomStatus,
    StaffingKind,
    TitleStatus,
)
from ..registry.models import (
    Building,
    Canteen,
    Compound,
    Floor,
    LeadershipQuota,
    Occupancy,
    Organization,
    ParkingLot,
    Person,
    Post,
    Region,
    Room,
)


class Kind(StrEnum):
    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"
    DATE = "date"
    BOOL = "bool"
    CHOICE = "choice"
    # A reference to an organization: its 统一社会信用代码, or its name when it has none.
    ORG = "org"


KIND_LABELS = {
    Kind.TEXT: "文本",
    Kind.INT: "整数",
    Kind.DECIMAL: "数字（平方米，最多两位小数）",
    Kind.DATE: "日期，如 2024-03-01",
    Kind.BOOL: "是 / 否",
    Kind.CHOICE: "从下拉列表中选择",
    Kind.ORG: "统一社会信用代码（无代码的单位填单位全称）",
}


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    ``field``: the model field the column sets (None for a column that only names a
    referenced object). ``path``: where the exporter reads the value (an ORM lookup; for an
    organization reference the lookup of the organization itself).
    """

    header: str
    kind: Kind
    path: str
    field: str | None = None
    required: bool = False
    help: str = ""
    example: Any = ""
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int | None = None
    places: int = 2

    @property
    def choice_labels(self) -> list[str]:
        return [label for _, label in self.choices]


@dataclass(frozen=True)
class Ref:
    """A foreign key set from columns that hold the natural key of the target sheet's model."""

    field: str
    target: str  # the key of the target sheet ("region" for regions, which have no sheet)
    headers: tuple[str, ...]
    required: bool = True
    # What the target's str() needs, so writing the change log costs no query per row.
    select_related: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sheet:
    key: str  # stable identifier, also the URL slug
    title: str  # the Chinese sheet name
    model: type[models.Model]
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]  # headers
    refs: tuple[Ref, ...] = ()
    description: str = ""
    # Organizations without a code are matched by name.
    key_fallback: str | None = None
    order_by: tuple[str, ...] = ("pk",)
    _by_header: dict[str, Column] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_header.update({c.header: c for c in self.columns})

    def column(self, header: str) -> Column:
        return self._by_header[header]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def required_headers(self) -> list[str]:
        """Columns a file must have: the key, required fields and required references."""
        needed = set(self.natural_key)
        needed |= {c.header for c in self.columns if c.required}
        for ref in self.refs:
            if ref.required:
                needed |= set(ref.headers)
        return [h for h in self.headers if h in needed]

    def sample_row(self) -> list[Any]:
        return [c.example for c in self.columns]


def _text(header, path, *, field=None, required=False, help="", example="", max_length=None):
    return Column(
        header,
        Kind.TEXT,
        path,
        field=field,
        required=required,
        help=help,
        example=example,
        max_length=max_length,
    )


def _field_text(model, name, header=None, **kwargs) -> Column:
    f = model._meta.get_field(name)
    kwargs.setdefault("required", not f.blank)
    kwargs.setdefault("help", f.help_text or "")
    return _text(header or str(f.verbose_name), name, field=name, max_length=f.max_length, **kwargs)


def _field(model, name, kind: Kind, header=None, **kwargs) -> Column:
    f = model._meta.get_field(name)
    kwargs.setdefault("required", not f.blank and not f.has_default())
    kwargs.setdefault("help", f.help_text or "")
    if kind is Kind.CHOICE and "choices" not in kwargs:
        kwargs["choices"] = tuple((str(v), str(label)) for v, label in f.choices)
    return Column(header or str(f.verbose_name), kind, name, field=name, **kwargs)


def _org(header, path, *, required=False, help="", example="") -> Column:
    return Column(header, Kind.ORG, path, required=required, help=help, example=example)


REGION = "区划代码"
COMPOUND = "院落名称"
BUILDING = "楼座名称"
FLOOR = "楼层号"
ROOM = "房间号"
UNIT = "所在单位"
PERSON_NO = "人员编号"

EXAMPLE_USCC = "11370400MB0000000X"
EXAMPLE_REGION = "370402"


def _site_columns(prefix: str, *, upto: str) -> list[Column]:
    """The key columns that name a compound, building, floor or room, read through ``prefix``."""
    cols = [
        _text(
            REGION,
            f"{prefix}region__code",
            required=True,
            help="院落所在区划的 6 位或 9 位代码",
            example=EXAMPLE_REGION,
        ),
        _text(COMPOUND, f"{prefix}name", required=True, example="市直机关一号院"),
    ]
    if upto == COMPOUND:
        return cols
    cols = [
        _text(
            REGION,
            f"{prefix}compound__region__code",
            required=True,
            help="院落所在区划的代码",
            example=EXAMPLE_REGION,
        ),
        _text(COMPOUND, f"{prefix}compound__name", required=True, example="市直机关一号院"),
        _text(BUILDING, f"{prefix}name", required=True, example="1号楼"),
    ]
    if upto == BUILDING:
        return cols
    cols = [
        Column(c.header, c.kind, c.path.replace(prefix, f"{prefix}building__", 1), **_rest(c))
        for c in cols
    ]
    cols.append(
        Column(
            FLOOR,
            Kind.INT,
            f"{prefix}number",
            required=True,
            help="地上为正数，地下为负数（-1 为地下一层）",
            example=3,
        )
    )
    if upto == FLOOR:
        return cols
    cols = [
        Column(c.header, c.kind, c.path.replace(prefix, f"{prefix}floor__", 1), **_rest(c))
        for c in cols
    ]
    cols.append(_text(ROOM, f"{prefix}number", required=True, example="301"))
    return cols


def _own_site_columns(upto: str) -> list[Column]:
    """The key columns of a site sheet: the last one is the row's own name or number."""
    cols = _site_columns("", upto=upto)
    cols[-1] = replace(cols[-1], field=cols[-1].path)
    return cols


def _rest(c: Column) -> dict:
    return {"required": c.required, "help": c.help, "example": c.example}


ORGANIZATION = Sheet(
    key="organization",
    title="单位",
    model=Organization,
    description="党政机关、事业单位等使用办公用房的单位；其他工作表通过统一社会信用代码引用单位。",
    columns=(
        _field_text(Organization, "uscc", required=False, example=EXAMPLE_USCC),
        _field_text(Organization, "name", example="枣庄市示例局"),
        _field_text(Organization, "short_name", example="示例局"),
        _field(Organization, "kind", Kind.CHOICE, example=OrganizationKind.GOVERNMENT.label),
        _field(Organization, "level", Kind.CHOICE, example=AdminLevel.COUNTY.label),
        _field(Organization, "standard_level", Kind.CHOICE, required=False),
        _org("主管部门", "parent", help="主管部门的统一社会信用代码；无主管部门的留空"),
        _text(
            REGION, "region__code", required=True, help="单位所在区划代码", example=EXAMPLE_REGION
        ),
        _field(Organization, "staffing_quota", Kind.INT, required=False, example=40),
        _field(Organization, "institution_staffing_quota", Kind.INT, required=False, example=0),
        _field(
            Organization,
            "status",
            Kind.CHOICE,
            required=False,
            example=OrganizationStatus.ACTIVE.label,
        ),
        _field(Organization, "abolished_on", Kind.DATE),
        _org("承继单位", "successor", help="已合并的单位填写承继单位的统一社会信用代码"),
    ),
    natural_key=("统一社会信用代码",),
    key_fallback="单位名称",
    refs=(
        Ref("parent", "organization", ("主管部门",), required=False),
        Ref("region", "region", (REGION,)),
        Ref("successor", "organization", ("承继单位",), required=False),
    ),
    order_by=("path",),
)

LEADERSHIP_QUOTA = Sheet(
    key="leadershipquota",
    title="领导职数",
    model=LeadershipQuota,
    description="各单位核定的领导职数，每个单位每个职级一行。",
    columns=(
        _org("单位", "organization", required=True, example=EXAMPLE_USCC),
        _field(LeadershipQuota, "grade", Kind.CHOICE, example=Grade.DIVISION.label),
        _field(LeadershipQuota, "count", Kind.INT, example=1),
    ),
    natural_key=("单位", "职级"),
    refs=(Ref("organization", "organization", ("单位",)),),
)

COMPOUND_SHEET = Sheet(
    key="compound",
    title="院落",
    model=Compound,
    description="办公用房所在的院落；同一区划内院落名称不重复。",
    columns=(
        *_own_site_columns(upto=COMPOUND),
        _field_text(Compound, "address", example="市中区示例路 1 号"),
        _field(Compound, "lng", Kind.DECIMAL, places=6, example=Decimal("117.557000")),
        _field(Compound, "lat", Kind.DECIMAL, places=6, example=Decimal("34.856000")),
        _field(Compound, "land_area", Kind.DECIMAL, example=Decimal("12000.00")),
        _field_text(Compound, "land_certificate", example="枣国用（2010）第 001 号"),
        _org("产权/管理单位", "owner_org", required=True, example=EXAMPLE_USCC),
    ),
    natural_key=(REGION, COMPOUND),
    refs=(
        Ref("region", "region", (REGION,)),
        Ref("owner_org", "organization", ("产权/管理单位",)),
    ),
)

BUILDING_SHEET = Sheet(
    key="building",
    title="楼座",
    model=Building,
    description="院落内的楼座；同一院落内楼座名称不重复。",
    columns=(
        *_own_site_columns(upto=BUILDING),
        _field(Building, "floors_above", Kind.INT, example=6),
        _field(Building, "floors_below", Kind.INT, required=False, example=1),
        _field(Building, "building_area", Kind.DECIMAL, example=Decimal("6800.00")),
        _field(Building, "usable_area", Kind.DECIMAL, example=Decimal("4420.00")),
        _field(Building, "year_built", Kind.INT, example=2008),
        _field(Building, "height_class", Kind.CHOICE, example=HeightClass.choices[0][1]),
        _field(
            Building, "title_status", Kind.CHOICE, required=False, example=TitleStatus.choices[0][1]
        ),
    ),
    natural_key=(REGION, COMPOUND, BUILDING),
    refs=(Ref("compound", "compound", (REGION, COMPOUND)),),
)

FLOOR_SHEET = Sheet(
    key="floor",
    title="楼层",
    model=Floor,
    description="楼座的楼层；平面图请在系统中逐层上传。",
    columns=(
        *_own_site_columns(upto=FLOOR),
        _field_text(Floor, "name", example=""),
    ),
    natural_key=(REGION, COMPOUND, BUILDING, FLOOR),
    refs=(Ref("building", "building", (REGION, COMPOUND, BUILDING), select_related=("compound",)),),
)

ALL_SUBTYPES = tuple((s, s) for subs in ROOM_SUBTYPES.values() for s in subs)

ROOM_SHEET = Sheet(
    key="room",
    title="房间",
    model=Room,
    description="房间是统计、使用和核查面积的单元；同一楼层内房间号不重复。",
    columns=(
        *_own_site_columns(upto=ROOM),
        _field_text(Room, "name", example="办公室"),
        _field(Room, "category", Kind.CHOICE, example=RoomCategory.OFFICE.label),
        _field(
            Room,
            "subtype",
            Kind.CHOICE,
            choices=ALL_SUBTYPES,
            required=False,
            help="须属于所填用房类别",
            example=ROOM_SUBTYPES[RoomCategory.OFFICE][0],
        ),
        _field(Room, "usable_area", Kind.DECIMAL, example=Decimal("18.00")),
        _field(Room, "building_area", Kind.DECIMAL, example=Decimal("25.50")),
        _org(
            "使用单位",
            "organization",
            help="使用单位的统一社会信用代码；空置房间留空",
            example=EXAMPLE_USCC,
        ),
        _field(Room, "status", Kind.CHOICE, required=False, example=RoomStatus.IN_USE.label),
        _field(Room, "status_since", Kind.DATE, example=datetime.date(2020, 1, 1)),
    ),
    natural_key=(REGION, COMPOUND, BUILDING, FLOOR, ROOM),
    refs=(
        Ref(
            "floor",
            "floor",
            (REGION, COMPOUND, BUILDING, FLOOR),
            select_related=("building__compound",),
        ),
        Ref("organization", "organization", ("使用单位",), required=False),
    ),
)

PERSON_SHEET = Sheet(
    key="person",
    title="人员",
    model=Person,
    description="各单位工作人员；人员编号在单位内唯一。",
    columns=(
        _org(UNIT, "organization", required=True, example=EXAMPLE_USCC),
        _field_text(Person, "number", header=PERSON_NO, example="0001"),
        _field_text(Person, "name", example="张三"),
        _field_text(Person, "position", example="科长"),
        _field(Person, "grade", Kind.CHOICE, required=False, example=Grade.SECTION.label),
        _field_text(Person, "rank_title", example="四级调研员"),
        _field(
            Person,
            "staffing_kind",
            Kind.CHOICE,
            required=False,
            example=StaffingKind.ADMINISTRATIVE.label,
        ),
        _field(
            Person,
            "employment_status",
            Kind.CHOICE,
            required=False,
            example=EmploymentStatus.ACTIVE.label,
        ),
        _field(Person, "status_changed_on", Kind.DATE),
        _field_text(Person, "phone", example="13800000000"),
    ),
    natural_key=(UNIT, PERSON_NO),
    refs=(Ref("organization", "organization", (UNIT,)),),
)

PERSON_UNIT = "人员所在单位"


def _person_columns(prefix: str) -> list[Column]:
    return [
        _org(PERSON_UNIT, f"{prefix}organization", required=True, example=EXAMPLE_USCC),
        _text(PERSON_NO, f"{prefix}number", required=True, example="0001"),
    ]


POST_SHEET = Sheet(
    key="post",
    title="兼职",
    model=Post,
    description="在其他单位的兼职（用于核查第二办公室）。",
    columns=(
        *_person_columns("person__"),
        _org("兼职单位", "organization", required=True, example="11370400MB0000001X"),
        _field_text(Post, "position", example="副主任"),
        _field(Post, "grade", Kind.CHOICE, example=Grade.VICE_DIVISION.label),
        _field(Post, "started_on", Kind.DATE, example=datetime.date(2023, 1, 1)),
        _field(Post, "ended_on", Kind.DATE),
    ),
    natural_key=(PERSON_UNIT, PERSON_NO, "兼职单位", "兼任职务", "起始日期"),
    refs=(
        Ref("person", "person", (PERSON_UNIT, PERSON_NO), select_related=("organization",)),
        Ref("organization", "organization", ("兼职单位",)),
    ),
)

OCCUPANCY_SHEET = Sheet(
    key="occupancy",
    title="办公室使用",
    model=Occupancy,
    description="人员使用办公室的记录；在用的记录终止日期留空。",
    columns=(
        *_person_columns("person__"),
        *_site_columns("room__", upto=ROOM),
        _field(Occupancy, "started_on", Kind.DATE, example=datetime.date(2020, 1, 1)),
        _field(Occupancy, "ended_on", Kind.DATE),
        _field(Occupancy, "is_primary", Kind.BOOL, required=False, example="是"),
    ),
    natural_key=(PERSON_UNIT, PERSON_NO, REGION, COMPOUND, BUILDING, FLOOR, ROOM, "起始日期"),
    refs=(
        Ref("person", "person", (PERSON_UNIT, PERSON_NO)),
        Ref(
            "room",
            "room",
            (REGION, COMPOUND, BUILDING, FLOOR, ROOM),
            select_related=("floor__building__compound",),
        ),
    ),
)

PARKING_SHEET = Sheet(
    key="parkinglot",
    title="停车场",
    model=ParkingLot,
    description="院落内的停车场（库）；同一院落内名称不重复。",
    columns=(
        *_site_columns("compound__", upto=COMPOUND),
        _field_text(ParkingLot, "name", header="停车场名称", example="地面停车场"),
        _field(ParkingLot, "kind", Kind.CHOICE, example=ParkingKind.SURFACE.label),
        _field(ParkingLot, "spaces", Kind.INT, example=60),
    ),
    natural_key=(REGION, COMPOUND, "停车场名称"),
    refs=(Ref("compound", "compound", (REGION, COMPOUND)),),
)

CANTEEN_SHEET = Sheet(
    key="canteen",
    title="食堂",
    model=Canteen,
    description="院落内的机关食堂；同一院落内名称不重复。",
    columns=(
        *_site_columns("compound__", upto=COMPOUND),
        _field_text(Canteen, "name", header="食堂名称", example="职工食堂"),
        _field(Canteen, "usable_area", Kind.DECIMAL, example=Decimal("320.00")),
        _field(Canteen, "seats", Kind.INT, required=False, example=120),
    ),
    natural_key=(REGION, COMPOUND, "食堂名称"),
    refs=(Ref("compound", "compound", (REGION, COMPOUND)),),
)

# Dependency order: a sheet refers only to the sheets before it.
SHEETS: tuple[Sheet, ...] = (
    ORGANIZATION,
    LEADERSHIP_QUOTA,
    COMPOUND_SHEET,
    BUILDING_SHEET,
    FLOOR_SHEET,
    ROOM_SHEET,
    PERSON_SHEET,
    POST_SHEET,
    OCCUPANCY_SHEET,
    PARKING_SHEET,
    CANTEEN_SHEET,
)
BY_KEY: dict[str, Sheet] = {s.key: s for s in SHEETS}
BY_TITLE: dict[str, Sheet] = {s.title: s for s in SHEETS}
BY_MODEL: dict[type[models.Model], Sheet] = {s.model: s for s in SHEETS}

# Every target of a reference: the sheets' models, and regions (referred to by code).
TARGET_MODELS: dict[str, type[models.Model]] = {"region": Region} | {s.key: s.model for s in SHEETS}


def sheet_for_model(model: type[models.Model]) -> Sheet | None:
    return BY_MODEL.get(model)
