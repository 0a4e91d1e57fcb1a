"""API behaviour beyond the generic CRUD and scope tests: schema, docs offline, tokens,
pagination, search and filters, field conventions, scope errors as field errors."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient, APIRequestFactory

from ...accounts.roles import Role
from ...accounts.testing import ensure_device, totp_code
from ...framework.models import ObjectChange
from ..models import Room
from . import factories as f
from .world import PASSWORD, build_world, make_user

PLURALS = {
    "region": "regions",
    "organization": "organizations",
    "leadershipquota": "leadership-quotas",
    "compound": "compounds",
    "building": "buildings",
    "floor": "floors",
    "room": "rooms",
    "person": "persons",
    "post": "posts",
    "occupancy": "occupancies",
    "parkinglot": "parking-lots",
    "canteen": "canteens",
}


def list_url(model_name: str) -> str:
    return reverse(f"api:registry:{model_name}-list")


def detail_url(model_name: str, pk: int) -> str:
    return reverse(f"api:registry:{model_name}-detail", args=[pk])


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def bureau_a(world):
    return make_user("bureau_a", [Role.BUREAU_ADMIN], scope_region=world.a.region)


@pytest.fixture
def api(bureau_a) -> APIClient:
    client = APIClient()
    client.force_login(bureau_a)
    return client


# Routes --------------------------------------------------------------------------------------
def test_url_names_and_plurals():
    for model_name, plural in PLURALS.items():
        assert list_url(model_name) == f"/api/registry/{plural}/"
        assert detail_url(model_name, 7) == f"/api/registry/{plural}/7/"
    assert reverse("api:framework:objectchange-list") == "/api/framework/changes/"


@pytest.mark.django_db
def test_root_lists_every_endpoint(api):
    response = api.get("/api/")
    assert response.status_code == 200
    data = response.json()
    assert set(data["registry"]) == set(PLURALS.values())
    assert data["registry"]["rooms"].endswith("/api/registry/rooms/")
    assert data["framework"]["changes"].endswith("/api/framework/changes/")
    assert {"schema", "docs", "token"} <= set(data)


# Schema and docs -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_schema_is_valid_openapi_with_every_registry_path(api):
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    for plural in PLURALS.values():
        assert f"/api/registry/{plural}/" in schema["paths"]
        assert f"/api/registry/{plural}/{{id}}/" in schema["paths"]
    assert "/api/framework/changes/" in schema["paths"]
    assert "/api/token/" in schema["paths"]
    room = schema["components"]["schemas"]["Room"]["properties"]
    assert {"id", "url", "display", "floor", "floor_display", "category_display"} <= set(room)


@pytest.mark.django_db
def test_schema_and_docs_need_a_signed_in_account(world):
    client = APIClient()
    assert client.get("/api/schema/").status_code in (401, 403)
    response = client.get("/api/docs/")
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_docs_page_loads_nothing_from_another_site(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "/static/vendor/swagger-ui/swagger-ui.css" in html
    assert not re.search(r"https?://", html), re.findall(r"https?://\S+", html)
    # No validator badge from validator.swagger.io.
    assert '"validatorUrl": null' in html


# Token authentication ------------------------------------------------------------------------
@pytest.mark.django_db
def test_token_obtained_with_password_authenticates(bureau_a):
    # A bureau account needs its second factor too (accounts/tests/test_auth_tokens.py).
    otp = totp_code(ensure_device(bureau_a))
    client = APIClient()
    response = client.post(
        "/api/token/", {"username": "bureau_a", "password": PASSWORD, "otp": otp}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(list_url("room")).status_code == 200

    wrong = APIClient().post("/api/token/", {"username": "bureau_a", "password": "x"})
    assert wrong.status_code == 400
    assert "token" not in wrong.json()


@pytest.mark.django_db
def test_token_of_inactive_account_fails(bureau_a):
    otp = totp_code(ensure_device(bureau_a))
    client = APIClient()
    token = client.post(
        "/api/token/", {"username": "bureau_a", "password": PASSWORD, "otp": otp}
    ).json()["token"]
    bureau_a.is_active = False
    bureau_a.save(update_fields=["is_active"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(list_url("room")).status_code in (401, 403)
    again = APIClient().post("/api/token/", {"username": "bureau_a", "password": PASSWORD})
    assert again.status_code == 400


# Pagination ----------------------------------------------------------------------------------
def _more_rooms(world, n: int) -> None:
    for i in range(n):
        f.RoomFactory(floor=world.a.floor, number=f"2{i:02d}", organization=world.a.org)


@pytest.mark.django_db
def test_limit_offset_pagination(world, api):
    _more_rooms(world, 11)  # 12 rooms in scope a with the world's 101
    response = api.get(list_url("room"), {"limit": 5, "offset": 5})
    data = response.json()
    assert data["count"] == 12
    assert len(data["results"]) == 5
    assert "limit=5" in data["next"] and "offset=10" in data["next"]
    assert "offset" not in data["previous"] or "offset=0" in data["previous"]
    assert len(api.get(list_url("room")).json()["results"]) == 12  # default 50


@pytest.mark.django_db
def test_page_number_pagination(world, api):
    _more_rooms(world, 11)
    data = api.get(list_url("room"), {"page": 2, "page_size": 5}).json()
    assert data["count"] == 12
    assert len(data["results"]) == 5
    assert "page=3" in data["next"] and "page_size=5" in data["next"]
    assert api.get(list_url("room"), {"page": 9}).status_code == 404


@pytest.mark.django_db
def test_page_size_does_not_change_query_count(world, api):
    _more_rooms(world, 11)

    def queries(limit: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(list_url("room"), {"limit": limit})
        assert len(response.json()["results"]) == min(limit, 12)
        return len(ctx.captured_queries)

    assert queries(2) == queries(12)


@pytest.mark.django_db
@pytest.mark.parametrize("model_name", list(PLURALS))
def test_every_list_serves_the_select_widget(world, api, django_assert_max_num_queries, model_name):
    """tom-select calls ``?q=<text>&limit=20`` and reads ``results[].id`` and ``.display``."""
    # 9: session, account, the session's second-factor device (django-otp), then the list.
    with django_assert_max_num_queries(9):
        response = api.get(list_url(model_name), {"q": "", "limit": 20})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results
    for row in results:
        assert isinstance(row["id"], int) and row["display"]
    assert api.get(list_url(model_name), {"q": "不存在的名称zzz", "limit": 20}).json()["count"] == 0


# Search, filters, ordering -------------------------------------------------------------------
@pytest.mark.django_db
def test_room_search(world, api):
    f.RoomFactory(floor=world.a.floor, number="305", name="第一会议室", organization=world.a.org)
    by_number = api.get(list_url("room"), {"q": "30", "limit": 20}).json()
    assert [r["display"] for r in by_number["results"]] == ["滕州市行政中心 1号楼 305"]
    by_name = api.get(list_url("room"), {"q": "会议"}).json()
    assert by_name["count"] == 1
    # Out-of-scope rooms are never found (side b also has a room 101).
    assert api.get(list_url("room"), {"q": "101"}).json()["count"] == 1


@pytest.mark.django_db
def test_room_filters_and_ordering(world, api):
    f.RoomFactory(
        floor=world.a.floor,
        number="102",
        category="service",
        subtype="会议室",
        usable_area=Decimal("60.00"),
        building_area=Decimal("70.00"),
        organization=world.a.org,
    )
    rows = api.get(list_url("room"), {"category": "service"}).json()["results"]
    assert [r["number"] for r in rows] == ["102"]
    rows = api.get(list_url("room"), {"usable_area_min": 50}).json()["results"]
    assert [r["number"] for r in rows] == ["102"]
    rows = api.get(list_url("room"), {"ordering": "-usable_area"}).json()["results"]
    assert [r["number"] for r in rows] == ["102", "101"]
    rows = api.get(list_url("room"), {"region": world.a.region.code}).json()["results"]
    assert len(rows) == 2
    assert api.get(list_url("room"), {"region": world.b.region.code}).json()["count"] == 0


# Field conventions ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_room_representation(world, api):
    room = world.a.room
    data = api.get(detail_url("room", room.pk)).json()
    assert data["id"] == room.pk
    assert data["url"] == f"http://testserver{detail_url('room', room.pk)}"
    assert data["display"] == str(room)
    assert data["floor"] == room.floor_id
    assert data["floor_display"] == {
        "id": room.floor_id,
        "url": f"http://testserver{detail_url('floor', room.floor_id)}",
        "display": str(room.floor),
    }
    assert data["organization_display"]["display"] == world.a.org.name
    assert data["category"] == "office"
    assert data["category_display"] == "办公室"
    assert data["status_display"] == "在用"
    assert data["notices"] == []


# Scope and validation ------------------------------------------------------------------------
def _room_data(floor, **extra) -> dict:
    return {
        "floor": floor.pk,
        "number": "501",
        "category": "office",
        "subtype": "一般工作人员办公室",
        "usable_area": "16.50",
        **extra,
    }


@pytest.mark.django_db
def test_other_region_is_404_and_not_a_valid_reference(world, api):
    b = world.b
    assert api.get(detail_url("room", b.room.pk)).status_code == 404
    assert api.patch(detail_url("room", b.room.pk), {"name": "x"}).status_code == 404
    assert api.delete(detail_url("room", b.room.pk)).status_code == 404

    before = Room.objects.count()
    response = api.post(list_url("room"), _room_data(b.floor), format="json")
    assert response.status_code == 400
    assert response.json()["floor"] == ["所选楼层不存在或超出您的管辖范围。"]
    assert Room.objects.count() == before

    # Moving an own room onto the other side's floor is refused the same way.
    response = api.patch(detail_url("room", world.a.room.pk), {"floor": b.floor.pk}, format="json")
    assert response.status_code == 400
    assert "超出您的管辖范围" in response.json()["floor"][0]


@pytest.mark.django_db
def test_create_goes_through_the_service(world, api):
    response = api.post(list_url("room"), _room_data(world.a.floor), format="json")
    assert response.status_code == 201, response.content.decode()
    data = response.json()
    assert response["Location"] == data["url"]
    assert data["floor_display"]["id"] == world.a.floor.pk
    assert ObjectChange.objects.filter(
        changed_object_id=data["id"], action=ObjectChange.Action.CREATE
    ).exists()


@pytest.mark.django_db
def test_model_validation_errors_are_chinese_and_keyed_by_field(world, api):
    a = world.a
    # A model rule (usable area within building area): the field's key.
    response = api.post(list_url("room"), _room_data(a.floor, building_area="10.00"), format="json")
    assert response.status_code == 400
    assert "不能大于" in response.json()["usable_area"][0]
    # Uniqueness comes from the service's full_clean, with the model's message.
    response = api.post(list_url("room"), _room_data(a.floor, number="101"), format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["该楼层已有此房间号。"]}
    # A floor number outside the building's floors (a clean() rule of Floor).
    response = api.post(list_url("floor"), {"building": a.building.pk, "number": 9}, format="json")
    assert response.status_code == 400
    assert "超出楼座" in response.json()["number"][0]
    # Type parsing stays with the serializer, in Chinese.
    response = api.post(list_url("room"), _room_data(a.floor, usable_area="abc"), format="json")
    assert response.status_code == 400
    assert re.search(r"[\u4e00-\u9fff]", response.json()["usable_area"][0])


@pytest.mark.django_db
def test_protected_delete_is_a_400_with_a_chinese_message(world, api):
    response = api.delete(detail_url("organization", world.a.org.pk))
    assert response.status_code == 400
    assert "无法删除" in response.json()["non_field_errors"][0]


@pytest.mark.django_db
def test_view_only_role_gets_403_on_write(world):
    supervisor = make_user("supervisor_a", [Role.SUPERVISOR], scope_region=world.a.region)
    client = APIClient()
    client.force_login(supervisor)
    assert client.get(list_url("room")).status_code == 200
    response = client.post(list_url("room"), _room_data(world.a.floor), format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "您没有新建房间的权限。"


# Change log ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_change_log_only_for_audit_admin(world, api):
    room_id = api.post(list_url("room"), _room_data(world.a.floor), format="json").json()["id"]
    url = reverse("api:framework:objectchange-list")
    assert api.get(url).status_code == 403

    auditor = make_user("auditor", [Role.AUDIT_ADMIN])
    client = APIClient()
    client.force_login(auditor)
    data = client.get(url, {"changed_object_id": room_id, "action": "create"}).json()
    assert data["count"] == 1
    row = data["results"][0]
    assert row["changed_object_model"] == "registry.room"
    assert row["changed_object_url"].endswith(detail_url("room", room_id))
    assert row["action_display"] == "新建"
    assert row["user_name"] == "bureau_a"
    assert client.get(row["url"]).status_code == 200
    assert client.delete(row["url"]).status_code in (403, 405)


@pytest.mark.django_db
def test_full_update_keeps_a_current_reference_outside_the_scope(world, api):
    """滕州市's parent 枣庄市 lies outside the account's scope; a PUT may still name it."""
    region = world.a.region
    data = {"code": region.code, "name": "滕州市", "level": "county", "parent": world.city.pk}
    response = api.put(detail_url("region", region.pk), data, format="json")
    assert response.status_code == 200, response.content.decode()
    assert response.json()["parent_display"]["display"] == "枣庄市"
    # Choosing it anew for another object is refused.
    response = api.post(
        list_url("region"),
        {"code": "370481001", "name": "北辛街道", "level": "township", "parent": world.city.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "超出您的管辖范围" in response.json()["parent"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("model_name", list(PLURALS))
def test_representation_needs_no_query_per_row(world, bureau_a, model_name):
    """The viewset's select_related covers ``display`` and every ``<fk>_display``."""
    viewset_class = resolve(list_url(model_name)).func.cls
    request = APIRequestFactory().get(list_url(model_name))
    request.user = bureau_a
    rows = list(viewset_class.queryset.all())
    assert len(rows) >= 2
    serializer = viewset_class.serializer_class(rows, many=True, context={"request": request})
    with CaptureQueriesContext(connection) as ctx:
        data = serializer.data
    assert len(data) == len(rows)
    assert ctx.captured_queries == []


@pytest.mark.django_db
def test_the_schema_is_built_once_per_process(api):
    from unittest import mock

    from drf_spectacular.generators import SchemaGenerator

    from ...framework.api import views

    views._SCHEMAS.clear()
    with mock.patch.object(
        SchemaGenerator, "get_schema", autospec=True, side_effect=SchemaGenerator.get_schema
    ) as built:
        first = api.get("/api/schema/", {"format": "json"})
        second = api.get("/api/schema/", {"format": "json"})
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert built.call_count == 1
