"""Who sees and who writes which version: national ones everywhere and by nobody, a local one
inside and above its region, written only from a region scope that contains it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from ...accounts.roles import Role
from ...registry.tests.world import make_user
from ..models import OfficeLimit, StandardVersion, VersionKind
from .world import build_standards_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = build_standards_world()
    r = w.registry
    # Local versions of a city and a county of 山东省, one row each.
    for name, region in (("zaozhuang", r.city), ("tengzhou", r.a.region)):
        version = StandardVersion.objects.create(
            name=f"{region.name}标准（测试）",
            kind=VersionKind.LOCAL,
            region=region,
            source="测试",
            effective_from=datetime.date(2020, 1, 1),
        )
        OfficeLimit.objects.create(
            version=version, standard_level="township", grade="staff", area=Decimal("8")
        )
        setattr(w.versions, name, version)
    return w


@pytest.fixture
def accounts(world):
    r = world.registry
    return {
        "shandong": make_user("b_sd", [Role.BUREAU_ADMIN], scope_region=r.province),
        "zaozhuang_supervisor": make_user("s_zz", [Role.SUPERVISOR], scope_region=r.city),
        "tengzhou": make_user("b_tz", [Role.BUREAU_ADMIN], scope_region=r.a.region),
        "shizhong": make_user("b_szq", [Role.BUREAU_ADMIN], scope_region=r.b.region),
        "tengzhou_unit": make_user("u_tz", [Role.UNIT_ADMIN], scope_organization=r.a.org),
        "leader_tengzhou": make_user("l_tz", [Role.LEADER], scope_region=r.a.region),
        "hubei": make_user("b_hb", [Role.BUREAU_ADMIN], scope_region=world.hubei),
        "surveyor": make_user("sv", [Role.SURVEYOR], scope_region=r.province),
        "sys_admin": make_user("sys", [Role.SYS_ADMIN]),
    }


VERSIONS = ("national", "shandong", "zaozhuang", "tengzhou", "hubei")
# account -> versions it sees; versions it may change.
MATRIX = {
    "shandong": (
        {"national", "shandong", "zaozhuang", "tengzhou"},
        {"shandong", "zaozhuang", "tengzhou"},
    ),
    "zaozhuang_supervisor": ({"national", "shandong", "zaozhuang", "tengzhou"}, set()),
    "tengzhou": ({"national", "shandong", "zaozhuang", "tengzhou"}, {"tengzhou"}),
    "shizhong": ({"national", "shandong", "zaozhuang"}, set()),
    "tengzhou_unit": ({"national", "shandong", "zaozhuang", "tengzhou"}, set()),
    "leader_tengzhou": ({"national", "shandong", "zaozhuang", "tengzhou"}, set()),
    "hubei": ({"national", "hubei"}, {"hubei"}),
    "surveyor": (set(), set()),
    "sys_admin": (set(), set()),
}


def names(world, queryset, row: bool = False) -> set[str]:
    ids = set(queryset.values_list("version_id" if row else "pk", flat=True))
    return {n for n in VERSIONS if getattr(world.versions, n).pk in ids}


@pytest.mark.parametrize("account", list(MATRIX))
def test_who_sees_and_writes_which_version(world, accounts, account):
    user = accounts[account]
    sees, writes = MATRIX[account]
    assert names(world, StandardVersion.objects.restrict(user, "view")) == sees
    assert names(world, StandardVersion.objects.restrict(user, "change")) == writes
    assert names(world, StandardVersion.objects.restrict(user, "delete")) == writes
    # Rows follow their version.
    assert names(world, OfficeLimit.objects.restrict(user, "view"), row=True) == sees
    assert names(world, OfficeLimit.objects.restrict(user, "change"), row=True) == writes


def test_the_edit_page_of_a_version_above_ones_scope_is_404(world, accounts, client):
    client.force_login(accounts["tengzhou"])
    shandong = world.versions.shandong
    page = client.get(shandong.get_absolute_url())
    assert page.status_code == 200
    assert (
        reverse("standards:standardversion_edit", args=[shandong.pk]) not in page.content.decode()
    )
    assert (
        client.get(reverse("standards:standardversion_edit", args=[shandong.pk])).status_code == 404
    )
    own = world.versions.tengzhou
    page = client.get(own.get_absolute_url())
    assert reverse("standards:standardversion_edit", args=[own.pk]) in page.content.decode()
    assert f"{reverse('standards:officelimit_add')}?version={own.pk}" in page.content.decode()


def test_national_versions_are_read_only_in_pages(world, accounts, client):
    client.force_login(accounts["shandong"])
    national = world.versions.national
    page = client.get(national.get_absolute_url())
    content = page.content.decode()
    assert "不能在页面或接口中新建、修改或删除" in content
    assert reverse("standards:standardversion_edit", args=[national.pk]) not in content
    assert "officelimit_add" not in content and "?version=" not in content
    edit = reverse("standards:standardversion_edit", args=[national.pk])
    assert client.post(edit, {"name": "改名"}).status_code == 404
    row = national.office_limits.first()
    assert client.post(reverse("standards:officelimit_delete", args=[row.pk])).status_code == 404
    row_page = client.get(row.get_absolute_url()).content.decode()
    assert reverse("standards:officelimit_edit", args=[row.pk]) not in row_page
    # A row cannot be added to the national version either: it is not among the choices.
    response = client.post(
        reverse("standards:officelimit_add"),
        {"version": national.pk, "standard_level": "township", "grade": "staff", "area": "9"},
    )
    assert response.status_code == 200 and response.context["form"].errors["version"]
    national.refresh_from_db()
    assert national.name != "改名"


def test_national_versions_are_read_only_in_the_api(world, accounts):
    api = APIClient()
    api.force_login(accounts["shandong"])
    national = world.versions.national
    url = reverse("api:standards:standardversion-detail", args=[national.pk])
    assert api.get(url).status_code == 200
    assert api.patch(url, {"name": "改名"}, format="json").status_code == 404
    assert api.delete(url).status_code == 404
    row = national.parameters.get(key="r3_grace_days")
    row_url = reverse("api:standards:ruleparameter-detail", args=[row.pk])
    assert api.patch(row_url, {"value": "10"}, format="json").status_code == 404
    response = api.post(
        reverse("api:standards:ruleparameter-list"),
        {"version": national.pk, "key": "r5_idle_days", "value": "10"},
        format="json",
    )
    assert response.status_code == 400
    assert "不能在页面或接口中新建、修改或删除" in str(response.json())
    # "kind" is read-only: a version cannot be posted as national (refused, naming the field).
    response = api.post(
        reverse("api:standards:standardversion-list"),
        {"name": "伪国家标准", "kind": "national", "source": "x", "effective_from": "2025-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "“类别”（kind）是只读字段" in str(response.json())
    assert not StandardVersion.objects.filter(name="伪国家标准").exists()


def test_a_bureau_cannot_write_a_version_above_its_region(world, accounts):
    api = APIClient()
    api.force_login(accounts["tengzhou"])
    shandong = world.versions.shandong
    url = reverse("api:standards:standardversion-detail", args=[shandong.pk])
    assert api.patch(url, {"notes": "x"}, format="json").status_code == 404
    response = api.post(
        reverse("api:standards:officelimit-list"),
        {"version": shandong.pk, "standard_level": "township", "grade": "vice_division",
         "area": "10"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert not shandong.office_limits.filter(grade="vice_division").exists()
    # Nor create one for a region above its scope.
    response = api.post(
        reverse("api:standards:standardversion-list"),
        {"name": "x", "region": world.registry.province.pk, "source": "x",
         "effective_from": "2025-01-01"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
