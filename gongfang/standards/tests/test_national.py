"""The seeded national version against DESIGN §4.1–4.4, figure by figure.

The expected figures are written out here from the design's table, not read from
``standards.data``: a typo in the seed data must fail a test.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from ..data import national_2014
from ..models import OfficeLimit, StandardVersion, VersionKind
from ..ruleset import CLAUSE_KEYS, PARAM_KEYS, office_key, rank_key, service_key
from ..selectors import ruleset_for

pytestmark = pytest.mark.django_db

ON = datetime.date(2025, 6, 30)
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
# DESIGN §4.1 表1 (None = "—"); the 乡级 row is set by each province.
DESIGN_TABLE = {
    "central": (54, 42, 24, 18, 12, 12, 9, 9, 9),
    "province": (54, 42, 30, 24, 18, 12, 9, 9, 9),
    "city": (None, None, 42, 30, 24, 18, 9, 9, 9),
    "county": (None, None, None, None, 30, 24, 18, 12, 9),
    "township": (None,) * 9,
}
CELLS = [
    (level, grade, figures[i])
    for level, figures in DESIGN_TABLE.items()
    for i, grade in enumerate(GRADES)
]


@pytest.fixture(scope="module")
def national(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return ruleset_for("", ON)


def test_every_cell_is_declared_once():
    assert len(CELLS) == 45


@pytest.mark.parametrize(("level", "grade", "expected"), CELLS)
def test_office_limit_cell(national, level, grade, expected):
    got = national.office_limit(level, grade)
    if expected is None:
        assert got is None
        assert office_key(level, grade) not in national.clauses
    else:
        assert got == Decimal(expected)
        assert "表1" in national.clause(office_key(level, grade))


def test_the_national_version_is_seeded_with_its_source_and_date():
    version = StandardVersion.objects.get(kind=VersionKind.NATIONAL)
    assert version.region is None
    assert "发改投资〔2014〕2674号" in version.source
    assert version.effective_from == datetime.date(2014, 11, 24)
    assert version.effective_to is None
    assert OfficeLimit.objects.filter(version=version).count() == 30


def test_a_ruleset_names_the_versions_it_combines(national):
    version = StandardVersion.objects.get(kind=VersionKind.NATIONAL)
    assert national.versions == ((version.pk, version.name, version.source),)
    record = national.as_record()
    assert record["versions"][0]["source"] == version.source
    assert record["params"]["k_multi"] == "0.65"


def test_toilet_note_named_leaders_and_maximum(national):
    assert national.toilet_grades == frozenset({"minister", "vice_minister"})
    assert national.toilet_cells == frozenset(
        {
            ("central", "minister"),
            ("central", "vice_minister"),
            ("province", "minister"),
            ("province", "vice_minister"),
        }
    )
    assert national.toilet_allowed("province", "vice_minister")
    assert not national.toilet_allowed("province", "bureau")
    assert not national.toilet_allowed("city", "bureau")
    assert national.param("toilet_max_m2") == Decimal("6")
    assert "6 平方米的卫生间" in national.clause("note_toilet")


def test_notes_of_table_1_are_clauses(national):
    assert "副省级城市" in national.clause("note_sub_provincial")
    assert "适用标准层级" in national.clause("note_sub_provincial")
    assert "休息室" in national.clause("note_rest_room")
    assert "派出机构" in national.clause("note_dispatched")
    assert "不得超过县级机关副职" in national.clause("note_township")
    # The rest room lies inside the limit: the leaders' cells say so.
    assert "休息室" in national.clause(office_key("county", "division"))
    assert set(CLAUSE_KEYS) <= set(national.clauses)


@pytest.mark.parametrize(
    ("title", "grade"),
    [
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
    ],
)
def test_grade_equivalence(national, title, grade):
    assert national.grade_equivalence[title] == grade
    assert national.grade_of(None, f" {title} ") == grade
    assert national.grade_of("bureau", title) == "bureau"  # the person's own grade first
    assert "职务与职级并行规定" in national.clause(rank_key(title))


def test_equivalence_table_has_exactly_the_2019_titles(national):
    assert len(national.grade_equivalence) == 12
    assert national.grade_of(None, "巡视员") is None


@pytest.mark.parametrize(
    ("level", "per_capita"),
    [("central", 8), ("province", 8), ("city", 7), ("county", 6), ("township", 6)],
)
def test_service_allowance_defaults(national, level, per_capita):
    assert national.service_allowance[level] == Decimal(per_capita)
    assert "待机关事务管理局确认" in national.clause(service_key(level))


@pytest.mark.parametrize(
    ("key", "value", "unit"),
    [
        ("equipment_ratio", "0.09", "比例"),
        ("k_multi", "0.65", "系数"),
        ("k_high", "0.60", "系数"),
        ("r1_tolerance_m2", "0", "m²"),
        ("r3_grace_days", "30", "天"),
        ("r4_grace_days", "60", "天"),
        ("r5_idle_days", "183", "天"),
        ("r7_grace_days", "90", "天"),
        ("r9_area_tolerance", "0.03", "比例"),
        ("toilet_max_m2", "6", "m²"),
    ],
)
def test_parameters(national, key, value, unit):
    assert national.param(key) == Decimal(value)
    assert national.units[key] == unit
    assert national.clause(key)


def test_every_parameter_key_has_a_value(national):
    assert set(national.params) == set(PARAM_KEYS)


def test_rule_clauses_cite_their_sources(national):
    assert "第十九条" in national.clause("R3") and "1 个月" in national.clause("R3")
    assert "2 个月" in national.clause("R4")
    assert "9%" in national.clause("formula") and "0.65" in national.clause("formula")


def test_seed_data_module_matches_the_design_table():
    for level, figures in DESIGN_TABLE.items():
        assert national_2014.TABLE_1[level] == figures
