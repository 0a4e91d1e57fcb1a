"""Pages and API beyond the generic CRUD tests: the version page, 适用标准查询 (page and API),
list filters, the menu, the demo version and the OpenAPI description."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from ...accounts.roles import Role
from ...framework.models import ObjectChange
from ...registry.tests.world import make_user
from ..demo import NAME as DEMO_NAME
from ..demo import ensure_demo_versions
from ..models import StandardVersion
from .world import build_standards_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_standards_world()


@pytest.fixture
def hubei_bureau(world):
    return make_user("b_hb", [Role.BUREAU_ADMIN], scope_region=world.hubei)


@pytest.fixture
def tengzhou_supervisor(world):
    return make_user("s_tz", [Role.SUPERVISOR], scope_region=world.registry.a.region)


# Version pages ----------------------------------------------------------------------------------
def test_national_version_page_shows_the_grid_notes_and_rows(world, client, tengzhou_supervisor):
    client.force_login(tengzhou_supervisor)
    content = client.get(world.versions.national.get_absolute_url()).content.decode()
    assert "办公室使用面积（表1" in content
    assert content.count(">54.00</a>") == 2  # 中央 and 省级 省部级正职
    assert "—" in content and "卫</span>" in content
    for text in (
        "一级巡视员",
        "服务用房指标",
        "使用面积系数 K（多层）",
        "表1 注3 休息室",
        "变更记录",
    ):
        assert text in content
    assert "不能在页面或接口中新建、修改或删除" in content


def test_local_version_page_compares_with_the_national_figures(world, client, hubei_bureau):
    client.force_login(hubei_bureau)
    response = client.get(world.versions.hubei.get_absolute_url())
    content = response.content.decode()
    assert "本版本覆盖的面积标准" in content and "与国家标准对比" in content
    assert ">24.00</td>" in content  # its 乡级正职 figure
    assert "国家 18.00" in content  # a county cell it does not set, with the national figure
    assert "未规定" in content  # the national table has no 乡级 row
    assert "R5 闲置收回期限" in content and "183 天" in content  # its parameter vs the national
    assert f"{reverse('standards:officelimit_add')}?version={world.versions.hubei.pk}" in content


def test_version_list_filters(world, client, hubei_bureau):
    client.force_login(hubei_bureau)
    url = reverse("standards:standardversion_list")
    national, hubei = world.versions.national, world.versions.hubei

    def listed(**params) -> set[int]:
        content = client.get(url, params).content.decode()
        return {v.pk for v in (national, hubei) if f'href="{v.get_absolute_url()}"' in content}

    assert listed() == {national.pk, hubei.pk}
    assert listed(kind="local") == {hubei.pk}
    assert listed(kind="national") == {national.pk}
    assert listed(in_force_on="2015-01-01") == {national.pk}
    assert listed(in_force_on="2015-05-11") == {national.pk, hubei.pk}
    assert listed(applies_to=world.hubei_town.code) == {national.pk, hubei.pk}
    assert "国家标准随系统版本发布" in client.get(url).content.decode()


# 适用标准查询 -------------------------------------------------------------------------------------
def test_effective_page_defaults_to_the_accounts_region(world, client, tengzhou_supervisor):
    client.force_login(tengzhou_supervisor)
    response = client.get(reverse("standards:effective"))
    assert response.status_code == 200
    assert response.context["region"] == world.registry.a.region
    content = response.content.decode()
    assert DEMO_NAME in content  # 山东省's version applies to 滕州市
    assert "18.00" in content and "地方标准·山东省" in content


def test_effective_page_for_a_township_of_hubei(world, client, hubei_bureau):
    client.force_login(hubei_bureau)
    response = client.get(
        reverse("standards:effective"), {"region": world.hubei_town.pk, "on": "2025-01-01"}
    )
    result = response.context["result"]
    cell = next(
        c
        for c in result["office_limits"]
        if (c["standard_level"], c["grade"]) == ("township", "section")
    )
    assert cell["area"] == 24 and cell["version"]["id"] == world.versions.hubei.pk
    county = next(
        c
        for c in result["office_limits"]
        if (c["standard_level"], c["grade"]) == ("county", "section")
    )
    assert county["version"]["id"] == world.versions.national.pk
    assert "湖北省乡级机关办公用房建设标准" in response.content.decode()


def test_effective_page_refuses_a_region_outside_scope(world, client, hubei_bureau):
    client.force_login(hubei_bureau)
    response = client.get(
        reverse("standards:effective"), {"region": world.shandong_town.pk, "on": "2025-01-01"}
    )
    assert response.status_code == 200
    assert response.context["result"] is None and response.context["form"].errors["region"]


def test_effective_page_before_the_national_standard(world, client, hubei_bureau):
    client.force_login(hubei_bureau)
    response = client.get(
        reverse("standards:effective"), {"region": world.hubei.pk, "on": "2010-01-01"}
    )
    assert "2010-01-01 没有有效的国家标准版本" in response.content.decode()


def test_effective_page_needs_the_permission(world, client):
    client.force_login(make_user("sys", [Role.SYS_ADMIN]))
    assert client.get(reverse("standards:effective")).status_code == 403


def test_effective_api(world, hubei_bureau):
    api = APIClient()
    api.force_login(hubei_bureau)
    url = reverse("api:standards:effective")
    data = api.get(url, {"region": world.hubei_town.code, "on": "2025-01-01"}).json()
    assert data["region"]["code"] == world.hubei_town.code and data["on"] == "2025-01-01"
    assert [v["id"] for v in data["versions"]] == [
        world.versions.national.pk,
        world.versions.hubei.pk,
    ]
    cells = {(c["standard_level"], c["grade"]): c for c in data["office_limits"]}
    assert cells[("township", "section")]["area"] == "24.00"
    assert cells[("township", "section")]["version"]["name"] == "湖北省乡级机关办公用房建设标准"
    assert cells[("central", "minister")]["toilet_allowed"] is True
    assert ("city", "minister") not in cells
    params = {p["key"]: p for p in data["params"]}
    assert params["r5_idle_days"]["value"] == "120" and params["r3_grace_days"]["value"] == "30"
    assert data["record"]["params"]["k_high"] == "0.6"
    assert {c["key"] for c in data["clauses"]} >= {"R1", "note_toilet"}
    # Outside the scope, unknown, missing, or before any national version.
    assert api.get(url, {"region": world.shandong_town.code}).status_code == 404
    assert api.get(url, {"region": "999999"}).status_code == 404
    assert api.get(url).status_code == 400
    assert api.get(url, {"region": world.hubei.code, "on": "2010-01-01"}).status_code == 404


def test_effective_api_permissions(world):
    api = APIClient()
    url = reverse("api:standards:effective")
    assert api.get(url, {"region": world.hubei.code}).status_code in (401, 403)
    api.force_login(make_user("sys", [Role.SYS_ADMIN]))
    assert api.get(url, {"region": world.hubei.code}).status_code == 403


def test_version_choices_offer_only_writable_versions(world, hubei_bureau):
    api = APIClient()
    api.force_login(hubei_bureau)
    url = reverse("api:standards:standardversion-list")
    ids = {row["id"] for row in api.get(url, {"editable": "true"}).json()["results"]}
    assert ids == {world.versions.hubei.pk}
    ids = {row["id"] for row in api.get(url).json()["results"]}
    assert ids == {world.versions.hubei.pk, world.versions.national.pk}


# Menu, demo, schema -----------------------------------------------------------------------------
def test_menu_group(world, client, tengzhou_supervisor):
    client.force_login(tengzhou_supervisor)
    content = client.get(reverse("standards:standardversion_list")).content.decode()
    assert "标准与参数" in content and reverse("standards:effective") in content
    client.force_login(make_user("sys", [Role.SYS_ADMIN]))
    assert "标准与参数" not in client.get(reverse("home")).content.decode()


def test_demo_version_is_labelled_idempotent_and_logged(world):
    version = StandardVersion.objects.get(name=DEMO_NAME)
    assert "演示数据" in version.source and "演示数据" in version.name
    assert version.region == world.registry.province
    assert sorted(version.office_limits.values_list("grade", "area")) == [
        ("section", 18),
        ("staff", 9),
        ("vice_section", 12),
    ]
    assert ObjectChange.objects.filter(
        changed_object_id=version.pk, object_repr=DEMO_NAME, action="create"
    ).exists()
    assert ensure_demo_versions() == []
    assert StandardVersion.objects.filter(name=DEMO_NAME).count() == 1


def test_schema_lists_the_standards_endpoints(world, hubei_bureau):
    api = APIClient()
    api.force_login(hubei_bureau)
    schema = api.get("/api/schema/", {"format": "json"}).json()
    validate_schema(schema)
    for plural in (
        "versions",
        "office-limits",
        "grade-equivalences",
        "service-allowances",
        "parameters",
        "clauses",
        "effective",
    ):
        assert f"/api/standards/{plural}/" in schema["paths"]


def test_the_effective_day_defaults_to_today(world, hubei_bureau):
    api = APIClient()
    api.force_login(hubei_bureau)
    data = api.get(reverse("api:standards:effective"), {"region": world.hubei.code}).json()
    assert data["on"] == timezone.localdate().isoformat()
