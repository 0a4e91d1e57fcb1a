"""The standards test world: the registry's two-sided world plus 湖北省, and versions.

The registry world (``registry.tests.world``) gives 山东省 › 枣庄市 › 滕州市 (side a) and 市中区
(side b). Added here: a township under 滕州市, 湖北省 › 武汉市 › 江岸区 › a township, 湖北省's
seeded 乡级 version and 山东省's demo version, each local version with one row of every kind.

Accounts for the generic tests: a bureau admin of 山东省 (writes 山东省's version), a supervisor of
滕州市 (sees 山东省's version, which applies to it, and writes nothing), a unit admin of a 滕州市
unit (sees it too) and an account without business role. 湖北省's version is outside them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.test import override_settings

from ...accounts.roles import Role
from ...registry.choices import RegionLevel
from ...registry.models import Region
from ...registry.tests import factories as f
from ...registry.tests.world import World, build_world, make_user
from ..data import national_2014
from ..demo import ensure_demo_versions
from ..models import (
    Clause,
    GradeEquivalence,
    OfficeLimit,
    RuleParameter,
    ServiceAllowance,
    StandardVersion,
    VersionKind,
)
from ..seed import ensure_hubei_2015

# Accounts are made by the hundred in these tests: a fast hasher keeps them quick.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Versions:
    national: StandardVersion
    shandong: StandardVersion
    hubei: StandardVersion


@dataclass
class StandardsWorld:
    registry: World
    shandong_town: Region
    hubei: Region
    wuhan: Region
    jiangan: Region
    hubei_town: Region
    versions: Versions
    # One row of each kind per local version: {"OfficeLimit": (shandong_row, hubei_row), …}
    rows: dict[str, tuple]


def national_version() -> StandardVersion:
    return StandardVersion.objects.get(kind=VersionKind.NATIONAL, name=national_2014.NAME)


def _rows_of(version: StandardVersion, *, grade: str, days: str, per_capita: str) -> list:
    """A row of every kind but office limits (those come with the version)."""
    return [
        GradeEquivalence.objects.create(version=version, rank_title="乡镇专职委员", grade=grade),
        ServiceAllowance.objects.create(
            version=version, standard_level="township", per_capita=Decimal(per_capita)
        ),
        RuleParameter.objects.create(
            version=version, key="r5_idle_days", value=Decimal(days), unit="天"
        ),
        Clause.objects.create(version=version, key="note_township", title="乡级", text="本省规定"),
    ]


def build_standards_world() -> StandardsWorld:
    registry = build_world()
    shandong_town = f.RegionFactory(
        code="370481001", name="荆河街道", level=RegionLevel.TOWNSHIP, parent=registry.a.region
    )
    hubei = f.RegionFactory(code="420000", name="湖北省", level=RegionLevel.PROVINCE)
    wuhan = f.RegionFactory(code="420100", name="武汉市", level=RegionLevel.CITY, parent=hubei)
    jiangan = f.RegionFactory(code="420102", name="江岸区", level=RegionLevel.COUNTY, parent=wuhan)
    hubei_town = f.RegionFactory(
        code="420102002", name="大智街道", level=RegionLevel.TOWNSHIP, parent=jiangan
    )
    hubei_version = ensure_hubei_2015()
    ensure_demo_versions()
    shandong_version = StandardVersion.objects.get(region=registry.province)
    rows: dict[str, tuple] = {
        "OfficeLimit": (
            OfficeLimit.objects.get(version=shandong_version, grade="section"),
            OfficeLimit.objects.get(version=hubei_version, grade="section"),
        )
    }
    sd = _rows_of(shandong_version, grade="vice_section", days="150", per_capita="5")
    hb = _rows_of(hubei_version, grade="section", days="120", per_capita="7")
    for a, b in zip(sd, hb, strict=True):
        rows[type(a).__name__] = (a, b)
    return StandardsWorld(
        registry=registry,
        shandong_town=shandong_town,
        hubei=hubei,
        wuhan=wuhan,
        jiangan=jiangan,
        hubei_town=hubei_town,
        versions=Versions(national_version(), shandong_version, hubei_version),
        rows=rows,
    )


class StandardsWorldMixin:
    """Test-case mixin: the world and its accounts, built once per class."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            cls._build()

    @classmethod
    def _build(cls):
        cls.world = build_standards_world()
        registry = cls.world.registry
        cls.user_with_perm = make_user(
            "bureau_sd", [Role.BUREAU_ADMIN], scope_region=registry.province
        )
        cls.user_view_only = make_user(
            "supervisor_tz", [Role.SUPERVISOR], scope_region=registry.a.region
        )
        cls.user_org_scoped = make_user(
            "unit_tz", [Role.UNIT_ADMIN], scope_organization=registry.a.org
        )
        cls.user_no_role = make_user("sysadmin", [Role.SYS_ADMIN])
