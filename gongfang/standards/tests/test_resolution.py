"""Which figures apply where and when: effective dates, local overlays, ceilings, query count."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ...accounts.roles import Role
from ...framework.services import service_for
from ...registry.choices import RegionLevel
from ...registry.tests import factories as f
from ...registry.tests.world import make_user
from ..models import OfficeLimit, RuleParameter, StandardVersion, VersionKind
from ..ruleset import office_key
from ..selectors import NoStandardInForce, ruleset_for, rulesets_for
from .world import build_standards_world

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 30)


@pytest.fixture
def world():
    return build_standards_world()


@pytest.fixture
def hubei_bureau(world):
    return make_user("bureau_hb", [Role.BUREAU_ADMIN], scope_region=world.hubei)


@pytest.fixture
def shandong_bureau(world):
    return make_user("bureau_sd", [Role.BUREAU_ADMIN], scope_region=world.registry.province)


# Effective dates --------------------------------------------------------------------------------
def new_national(effective_from: datetime.date, county_section: str) -> StandardVersion:
    """A newer national version (written as a migration would: pages cannot)."""
    version = StandardVersion.objects.create(
        name=f"国家标准（{effective_from.year} 年版，测试）",
        kind=VersionKind.NATIONAL,
        source="测试文件",
        effective_from=effective_from,
    )
    OfficeLimit.objects.create(
        version=version, standard_level="county", grade="section", area=Decimal(county_section)
    )
    return version


def test_a_newer_national_version_applies_from_its_date_only(world):
    newer = new_national(datetime.date(2030, 1, 1), "16")
    path = world.registry.a.region.path
    before = ruleset_for(path, datetime.date(2029, 12, 31))
    after = ruleset_for(path, datetime.date(2030, 1, 1))
    assert before.office_limit("county", "section") == Decimal("18")
    assert after.office_limit("county", "section") == Decimal("16")
    assert before.versions[0][0] == world.versions.national.pk
    assert after.versions[0][0] == newer.pk
    # The newer version is the whole national table: what it leaves out no longer applies.
    assert after.office_limit("central", "minister") is None
    assert before.office_limit("central", "minister") == Decimal("54")


def test_an_ended_national_version_no_longer_applies(world):
    national = world.versions.national
    national.effective_to = datetime.date(2020, 12, 31)
    national.save()
    assert ruleset_for("", datetime.date(2020, 12, 31)).office_limit("city", "bureau") == 42
    with pytest.raises(NoStandardInForce, match="没有有效的国家标准"):
        ruleset_for("", datetime.date(2021, 1, 1))


def test_no_national_version_before_2014_11_24(world):
    assert ruleset_for("", datetime.date(2014, 11, 24)).office_limit("county", "division") == 30
    with pytest.raises(NoStandardInForce):
        ruleset_for("", datetime.date(2014, 11, 23))


def test_a_local_version_applies_from_its_date(world):
    path = world.hubei_town.path
    assert ruleset_for(path, datetime.date(2015, 5, 10)).office_limit("township", "section") is None
    assert ruleset_for(path, datetime.date(2015, 5, 11)).office_limit("township", "section") == 24


# Local overlays ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ("hubei", ("24", "18", "9")),
        ("wuhan", ("24", "18", "9")),
        ("jiangan", ("24", "18", "9")),
        ("hubei_town", ("24", "18", "9")),
        ("shandong_town", ("18", "12", "9")),  # 山东省's demo version, not 湖北省's
    ],
)
def test_a_local_township_row_applies_in_its_subtree(world, place, expected):
    rs = ruleset_for(getattr(world, place).path, TODAY)
    got = tuple(rs.office_limit("township", g) for g in ("section", "vice_section", "staff"))
    assert got == tuple(Decimal(x) for x in expected)


def test_a_local_version_changes_nothing_outside_its_subtree(world):
    guangdong = f.RegionFactory(code="440000", name="广东省", level=RegionLevel.PROVINCE)
    rs = ruleset_for(guangdong.path, TODAY)
    assert [v[0] for v in rs.versions] == [world.versions.national.pk]
    assert all(rs.office_limit("township", g) is None for g in ("section", "vice_section"))
    # 湖北省 keeps every national figure it does not set.
    hubei = ruleset_for(world.hubei_town.path, TODAY)
    assert hubei.office_limit("county", "section") == Decimal("18")
    assert hubei.params["r3_grace_days"] == Decimal("30")
    assert hubei.params["r5_idle_days"] == Decimal("120")  # its own parameter row
    assert hubei.sources[office_key("township", "section")] == world.versions.hubei.pk
    assert hubei.sources[office_key("county", "section")] == world.versions.national.pk
    assert "湖北省乡级机关办公用房建设标准" in hubei.clause(office_key("township", "section"))
    assert [v[0] for v in hubei.versions] == [world.versions.national.pk, world.versions.hubei.pk]


def test_done_when_a_local_township_version_changes_verdicts_in_its_province_only(world):
    """The figure a 乡级 organization's staff are judged by, in three provinces, before and
    after 湖北省's 乡级 version is removed."""
    guangdong = f.RegionFactory(code="440000", name="广东省", level=RegionLevel.PROVINCE)
    guangdong_town = f.RegionFactory(
        code="440103001", name="测试街道", level=RegionLevel.TOWNSHIP, parent=guangdong
    )
    orgs = {
        name: f.OrganizationFactory(name=f"{name}乡镇政府", region=region, level="township")
        for name, region in (
            ("湖北", world.hubei_town),
            ("山东", world.shandong_town),
            ("广东", guangdong_town),
        )
    }

    def limits() -> dict[str, Decimal | None]:
        sets = rulesets_for([o.region.path for o in orgs.values()], TODAY)
        return {
            name: sets[o.region.path].office_limit(o.effective_standard_level, "section")
            for name, o in orgs.items()
        }

    assert limits() == {"湖北": Decimal("24"), "山东": Decimal("18"), "广东": None}
    world.versions.hubei.delete()
    assert limits() == {"湖北": None, "山东": Decimal("18"), "广东": None}


def test_the_most_specific_version_wins(world, shandong_bureau):
    zaozhuang = world.registry.city
    version, _ = service_for(StandardVersion).create(
        actor=shandong_bureau,
        data={
            "name": "枣庄市乡级标准（测试）",
            "region": zaozhuang,
            "source": "测试",
            "effective_from": datetime.date(2020, 1, 1),
        },
    )
    service_for(OfficeLimit).create(
        actor=shandong_bureau,
        data={"version": version, "standard_level": "township", "grade": "section",
              "area": Decimal("15")},
    )  # fmt: skip
    tengzhou = ruleset_for(world.shandong_town.path, TODAY)
    assert tengzhou.office_limit("township", "section") == Decimal("15")
    assert tengzhou.office_limit("township", "vice_section") == Decimal("12")  # from 山东省
    assert [v[0] for v in tengzhou.versions] == [
        world.versions.national.pk,
        world.versions.shandong.pk,
        version.pk,
    ]
    other_city = f.RegionFactory(
        code="370100", name="济南市", level="city", parent=world.registry.province
    )
    assert ruleset_for(other_city.path, TODAY).office_limit("township", "section") == Decimal("18")


def test_for_one_region_the_later_version_wins_and_an_ended_one_drops_out(world):
    hubei = world.versions.hubei
    revised = StandardVersion.objects.create(
        name="湖北省乡级标准（修订，测试）",
        kind=VersionKind.LOCAL,
        region=world.hubei,
        source="测试",
        effective_from=datetime.date(2024, 1, 1),
    )
    OfficeLimit.objects.create(
        version=revised, standard_level="township", grade="section", area=Decimal("20")
    )
    path = world.hubei_town.path
    assert ruleset_for(path, datetime.date(2023, 12, 31)).office_limit("township", "section") == 24
    now = ruleset_for(path, TODAY)
    assert now.office_limit("township", "section") == Decimal("20")
    assert now.office_limit("township", "vice_section") == Decimal("18")  # still 2015's
    hubei.effective_to = datetime.date(2023, 12, 31)
    hubei.save()
    assert ruleset_for(path, TODAY).office_limit("township", "vice_section") is None


# Ceilings ---------------------------------------------------------------------------------------
def create_limit(actor, version, level, grade, area):
    return service_for(OfficeLimit).create(
        actor=actor,
        data={"version": version, "standard_level": level, "grade": grade, "area": Decimal(area)},
    )


def test_a_township_limit_above_the_county_deputy_figure_is_refused(world, hubei_bureau):
    with pytest.raises(ValidationError) as exc:
        create_limit(hubei_bureau, world.versions.hubei, "township", "vice_division", "24.01")
    message = " ".join(exc.value.messages)
    assert "乡级机关的面积标准不得超过国家标准县级副职的 24.00 平方米" in message
    assert not OfficeLimit.objects.filter(grade="vice_division", version=world.versions.hubei)
    # At the figure itself it is accepted.
    limit, _ = create_limit(hubei_bureau, world.versions.hubei, "township", "vice_division", "24")
    assert limit.pk


def test_a_local_version_may_only_be_stricter_than_what_applies_above(world, shandong_bureau):
    version, _ = service_for(StandardVersion).create(
        actor=shandong_bureau,
        data={
            "name": "枣庄市补充标准（测试）",
            "region": world.registry.city,
            "source": "测试",
            "effective_from": datetime.date(2020, 1, 1),
        },
    )
    # 山东省's township row is 18: 枣庄市 may not go above it, though 24 is the national cap.
    with pytest.raises(ValidationError, match="只能比上级适用的标准更严"):
        create_limit(shandong_bureau, version, "township", "section", "20")
    # Above the national figure of another row.
    with pytest.raises(ValidationError, match=r"24\.00 平方米"):
        create_limit(shandong_bureau, version, "city", "division", "25")
    # A post the national table does not have.
    with pytest.raises(ValidationError, match="不能增设"):
        create_limit(shandong_bureau, version, "city", "minister", "40")
    create_limit(shandong_bureau, version, "city", "division", "20")
    assert ruleset_for(world.registry.a.region.path, TODAY).office_limit("city", "division") == 20


def test_moving_a_version_rechecks_its_limits(world, shandong_bureau):
    version, _ = service_for(StandardVersion).create(
        actor=shandong_bureau,
        data={
            "name": "滕州市乡级标准（测试）",
            "region": world.registry.a.region,
            "source": "测试",
            "effective_from": datetime.date(2015, 1, 1),  # before 山东省's demo version
        },
    )
    create_limit(shandong_bureau, version, "township", "section", "22")
    with pytest.raises(ValidationError, match="超出上限"):
        service_for(StandardVersion).update(
            actor=shandong_bureau,
            instance=version,
            data={"effective_from": datetime.date(2020, 1, 1)},  # 山东省's 18 now applies above
        )


def test_a_local_version_needs_a_region_and_a_national_one_none(world, shandong_bureau):
    with pytest.raises(ValidationError) as exc:
        service_for(StandardVersion).create(
            actor=shandong_bureau,
            data={"name": "无区划", "source": "测试", "effective_from": TODAY},
        )
    assert exc.value.message_dict["region"] == ["地方标准须指定适用区划。"]
    national = StandardVersion(
        name="x", kind=VersionKind.NATIONAL, region=world.hubei, source="x", effective_from=TODAY
    )
    with pytest.raises(ValidationError) as exc:
        national.full_clean()
    assert exc.value.message_dict["region"] == ["国家标准适用于全国，不指定区划。"]


def test_parameter_values_are_checked(world, shandong_bureau):
    service = service_for(RuleParameter)
    base = {"version": world.versions.shandong, "unit": "比例"}
    with pytest.raises(ValidationError, match="0 到 1 之间"):
        service.create(actor=shandong_bureau, data={**base, "key": "k_multi", "value": Decimal(65)})
    with pytest.raises(ValidationError, match="天数应为整数"):
        service.create(
            actor=shandong_bureau, data={**base, "key": "r3_grace_days", "value": Decimal("1.5")}
        )
    with pytest.raises(ValidationError, match="该标准版本已有此参数"):
        service.create(
            actor=shandong_bureau, data={**base, "key": "r5_idle_days", "value": Decimal(90)}
        )


# Cost -------------------------------------------------------------------------------------------
def test_rulesets_for_costs_the_same_queries_for_one_or_many_regions(world):
    paths = [world.hubei_town.path, world.shandong_town.path]
    for i in range(300):
        paths.append(f"{'420000/' if i % 2 else '370000/370400/'}{i:06d}/")
    with CaptureQueriesContext(connection) as one:
        rulesets_for(paths[:1], TODAY)
    with CaptureQueriesContext(connection) as many:
        sets = rulesets_for(paths, TODAY)
    assert len(many) == len(one) <= 6
    assert len(sets) == len(paths)
    # Places with the same local versions share one RuleSet.
    assert len({id(rs) for rs in sets.values()}) == 2
    assert sets[paths[2]] is sets[world.shandong_town.path]
