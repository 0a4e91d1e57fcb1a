"""Dispatch (派车): the state machine, who may act, conflicts of car and driver (touching
intervals allowed), mileage, the boards, the pages and the API."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from ...accounts.roles import Role
from ...registry.tests.world import World, build_world, make_user
from .. import dispatch as services
from .. import dispatch_selectors as selectors
from ..choices import DispatchState, VehicleStatus
from ..models import Dispatch
from .factories import DriverFactory, VehicleFactory

pytestmark = pytest.mark.django_db


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A local time on a day of next month's first week (always in the future)."""
    base = timezone.localdate() + datetime.timedelta(days=40)
    return timezone.make_aware(
        datetime.datetime.combine(base + datetime.timedelta(days=day), datetime.time(hour, minute))
    )


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def clerk(world):
    """The unit account that asks for cars."""
    return make_user("clerk_a", [Role.UNIT_ADMIN], scope_organization=world.a.org)


@pytest.fixture
def approver(world):
    return make_user("approver_a", [Role.UNIT_ADMIN], scope_organization=world.a.org)


@pytest.fixture
def bureau(world):
    return make_user("bureau_a", [Role.BUREAU_ADMIN], scope_region=world.a.region)


@pytest.fixture
def outsider(world):
    return make_user("unit_b", [Role.UNIT_ADMIN], scope_organization=world.b.org)


@pytest.fixture
def car(world):
    return VehicleFactory(organization=world.a.org, mileage=50_000)


@pytest.fixture
def chauffeur(world):
    return DriverFactory(organization=world.a.org, name="王师傅")


def ask(world, clerk, start=None, end=None, **kw) -> Dispatch:
    return services.request_dispatch(
        actor=clerk,
        organization=world.a.org,
        purpose=kw.get("purpose", "赴市政府参加会议"),
        passengers=kw.get("passengers", 2),
        origin="单位",
        destination="市政府",
        start_at=start or at(0, 9),
        end_at=end or at(0, 12),
    )


def approved(world, clerk, approver, **kw) -> Dispatch:
    return services.approve_dispatch(actor=approver, dispatch=ask(world, clerk, **kw))


def test_a_trip_end_to_end_updates_the_mileage(world, clerk, approver, car, chauffeur):
    d = ask(world, clerk)
    assert (d.state, d.requested_by) == (DispatchState.REQUESTED, clerk)
    d = services.approve_dispatch(actor=approver, dispatch=d, expected_version=d.version)
    assert (d.state, d.approved_by) == (DispatchState.APPROVED, approver)
    d = services.assign_dispatch(actor=approver, dispatch=d, vehicle=car, driver=chauffeur)
    assert (d.state, d.vehicle, d.driver) == (DispatchState.ASSIGNED, car, chauffeur)
    with pytest.raises(ValidationError, match="小于车辆"):
        services.depart_dispatch(actor=clerk, dispatch=d, start_mileage=49_999)
    d = services.depart_dispatch(actor=clerk, dispatch=d, start_mileage=50_010)
    assert d.state == DispatchState.DEPARTED and d.departed_at is not None
    with pytest.raises(ValidationError, match="不小于出车里程"):
        services.return_dispatch(actor=clerk, dispatch=d, end_mileage=50_000)
    d = services.return_dispatch(actor=clerk, dispatch=d, end_mileage=50_068)
    assert (d.state, d.distance) == (DispatchState.RETURNED, 58)
    car.refresh_from_db()
    assert car.mileage == 50_068
    assert car.version > 1


def test_the_requester_does_not_approve_their_own_request(world, clerk):
    d = ask(world, clerk)
    with pytest.raises(PermissionDenied, match="本人"):
        services.approve_dispatch(actor=clerk, dispatch=d)


def test_the_bureau_approves_in_its_region_another_unit_does_not(world, clerk, bureau, outsider):
    d = ask(world, clerk)
    with pytest.raises(PermissionDenied):
        services.approve_dispatch(actor=outsider, dispatch=d)
    assert services.approve_dispatch(actor=bureau, dispatch=d).state == DispatchState.APPROVED


def test_read_only_roles_cannot_act(world, clerk):
    leader = make_user("leader_a", [Role.LEADER], scope_region=world.a.region)
    with pytest.raises(PermissionDenied):
        services.approve_dispatch(actor=leader, dispatch=ask(world, clerk))


def test_request_errors_name_the_field(world, clerk):
    with pytest.raises(ValidationError) as ctx:
        services.request_dispatch(
            actor=clerk,
            organization=world.a.org,
            purpose=" ",
            passengers=0,
            origin="单位",
            destination="",
            start_at=at(0, 12),
            end_at=at(0, 9),
        )
    errors = ctx.value.message_dict
    assert set(errors) == {"purpose", "passengers", "destination", "end_at"}
    assert "晚于" in errors["end_at"][0]


# (state reached, verb refused)
WRONG_STEPS = [
    ("requested", "assign"),
    ("requested", "depart"),
    ("approved", "depart"),
    ("assigned", "approve"),
    ("departed", "cancel"),
    ("departed", "assign"),
    ("returned", "return"),
    ("rejected", "approve"),
    ("cancelled", "depart"),
]


def reach(state, world, clerk, approver, car, chauffeur) -> Dispatch:
    d = ask(world, clerk)
    if state == "rejected":
        return services.reject_dispatch(actor=approver, dispatch=d, reason="会议改为视频")
    if state == "cancelled":
        return services.cancel_dispatch(actor=clerk, dispatch=d)
    if state == "requested":
        return d
    d = services.approve_dispatch(actor=approver, dispatch=d)
    if state == "approved":
        return d
    d = services.assign_dispatch(actor=approver, dispatch=d, vehicle=car, driver=chauffeur)
    if state == "assigned":
        return d
    d = services.depart_dispatch(actor=clerk, dispatch=d, start_mileage=car.mileage)
    if state == "departed":
        return d
    return services.return_dispatch(actor=clerk, dispatch=d, end_mileage=car.mileage + 10)


@pytest.mark.parametrize("state,verb", WRONG_STEPS)
def test_steps_out_of_order_are_refused(world, clerk, approver, car, chauffeur, state, verb):
    d = reach(state, world, clerk, approver, car, chauffeur)
    calls = {
        "approve": lambda: services.approve_dispatch(actor=approver, dispatch=d),
        "assign": lambda: services.assign_dispatch(
            actor=approver, dispatch=d, vehicle=car, driver=chauffeur
        ),
        "depart": lambda: services.depart_dispatch(actor=clerk, dispatch=d, start_mileage=10**6),
        "return": lambda: services.return_dispatch(actor=clerk, dispatch=d, end_mileage=10**6),
        "cancel": lambda: services.cancel_dispatch(actor=clerk, dispatch=d),
    }
    with pytest.raises(ValidationError, match="不能"):
        calls[verb]()


def test_reject_needs_a_reason_and_keeps_it(world, clerk, approver):
    d = ask(world, clerk)
    with pytest.raises(ValidationError):
        services.reject_dispatch(actor=approver, dispatch=d, reason=" ")
    d = services.reject_dispatch(actor=approver, dispatch=d, reason="会议改为视频")
    assert (d.state, d.reject_reason) == (DispatchState.REJECTED, "会议改为视频")


def test_cancel_frees_the_car(world, clerk, approver, car, chauffeur):
    first = approved(world, clerk, approver)
    first = services.assign_dispatch(actor=approver, dispatch=first, vehicle=car, driver=chauffeur)
    services.cancel_dispatch(actor=clerk, dispatch=first, reason="行程取消")
    second = approved(world, clerk, approver)
    second = services.assign_dispatch(
        actor=approver, dispatch=second, vehicle=car, driver=chauffeur
    )
    assert second.state == DispatchState.ASSIGNED


# (other trip's hours, conflicts with 09:00–12:00?)
OVERLAPS = [
    ((8, 10), True),
    ((11, 14), True),
    ((9, 12), True),
    ((10, 11), True),
    ((12, 14), False),  # touching after
    ((7, 9), False),  # touching before
    ((13, 15), False),
]


@pytest.mark.parametrize("hours,clash", OVERLAPS)
def test_car_conflicts_over_overlapping_times(world, clerk, approver, car, chauffeur, hours, clash):
    first = approved(world, clerk, approver)
    services.assign_dispatch(actor=approver, dispatch=first, vehicle=car, driver=chauffeur)
    other_driver = DriverFactory(organization=world.a.org)
    second = approved(
        world, clerk, approver, start=at(0, hours[0]), end=at(0, hours[1]), purpose="接待"
    )
    if clash:
        with pytest.raises(ValidationError) as ctx:
            services.assign_dispatch(
                actor=approver, dispatch=second, vehicle=car, driver=other_driver
            )
        message = ctx.value.messages[0]
        assert f"车辆 {car.plate}" in message and f"派车单 #{first.pk}" in message
        assert "赴市政府参加会议" in message
    else:
        second = services.assign_dispatch(
            actor=approver, dispatch=second, vehicle=car, driver=other_driver
        )
        assert second.state == DispatchState.ASSIGNED


def test_driver_conflict_names_the_other_dispatch(world, clerk, approver, car, chauffeur):
    first = approved(world, clerk, approver)
    services.assign_dispatch(actor=approver, dispatch=first, vehicle=car, driver=chauffeur)
    second = approved(world, clerk, approver, start=at(0, 11), end=at(0, 13))
    other_car = VehicleFactory(organization=world.a.org)
    with pytest.raises(ValidationError, match=f"驾驶员 王师傅 在该时段已派给派车单 #{first.pk}"):
        services.assign_dispatch(
            actor=approver, dispatch=second, vehicle=other_car, driver=chauffeur
        )


def test_assignment_checks_the_fleet(world, clerk, approver, car, chauffeur):
    d = approved(world, clerk, approver, passengers=5)
    with pytest.raises(ValidationError, match="超员"):
        services.assign_dispatch(actor=approver, dispatch=d, vehicle=car, driver=chauffeur)
    d = approved(world, clerk, approver)
    foreign = VehicleFactory(organization=world.b.org)
    with pytest.raises(ValidationError):
        services.assign_dispatch(actor=approver, dispatch=d, vehicle=foreign, driver=chauffeur)
    sealed = VehicleFactory(organization=world.a.org, status=VehicleStatus.SEALED)
    with pytest.raises(ValidationError, match="封存"):
        services.assign_dispatch(actor=approver, dispatch=d, vehicle=sealed, driver=chauffeur)
    expired = DriverFactory(organization=world.a.org, license_expires_on=datetime.date(2020, 1, 1))
    with pytest.raises(ValidationError, match="驾驶证"):
        services.assign_dispatch(actor=approver, dispatch=d, vehicle=car, driver=expired)


def test_stale_version_is_refused(world, clerk, approver):
    from ...framework.versions import StaleObjectError

    d = ask(world, clerk)
    with pytest.raises(StaleObjectError):
        services.approve_dispatch(actor=approver, dispatch=d, expected_version=d.version + 1)


def test_assignable_lists_only_free_cars_and_drivers(world, clerk, approver, car, chauffeur):
    first = approved(world, clerk, approver)
    services.assign_dispatch(actor=approver, dispatch=first, vehicle=car, driver=chauffeur)
    spare = VehicleFactory(organization=world.a.org)
    second = approved(world, clerk, approver, start=at(0, 10), end=at(0, 11))
    vehicles, drivers = selectors.assignable(approver, second)
    assert list(vehicles) == [spare]
    assert chauffeur not in drivers


def test_boards(world, clerk, approver, bureau, car, chauffeur, django_assert_max_num_queries):
    from ...framework import clock

    now = clock.now()
    out = approved(
        world,
        clerk,
        approver,
        start=now - datetime.timedelta(hours=1),
        end=now + datetime.timedelta(hours=2),
    )
    out = services.assign_dispatch(actor=approver, dispatch=out, vehicle=car, driver=chauffeur)
    services.depart_dispatch(actor=clerk, dispatch=out, start_mileage=car.mileage)
    ask(
        world, clerk, start=now + datetime.timedelta(hours=3), end=now + datetime.timedelta(hours=4)
    )
    spare = VehicleFactory(organization=world.a.org)
    with django_assert_max_num_queries(12):
        board = selectors.unit_board(approver, world.a.org)
    assert [d.pk for d in board.out] == [out.pk]
    assert board.free == [spare]
    assert board.counts["waiting"] == 1 and board.counts["out"] == 1
    with django_assert_max_num_queries(8):
        region = selectors.region_board(bureau)
    assert region.totals["out"] == 1
    row = next(r for r in region.rows if r.organization_id == world.a.org.pk)
    assert (row.out, row.waiting, row.fleet) == (1, 1, 2)


# Pages and API ----------------------------------------------------------------------------------
def test_pages_run_a_trip(client, world, clerk, approver, car, chauffeur):
    client.force_login(clerk)
    response = client.post(
        reverse("vehicles:dispatch_add"),
        {
            "organization": world.a.org.pk,
            "purpose": "赴乡镇督导",
            "passengers": 2,
            "origin": "单位",
            "destination": "官桥镇",
            "start_at": at(1, 9)
            .astimezone(timezone.get_current_timezone())
            .strftime("%Y-%m-%dT%H:%M"),
            "end_at": at(1, 17)
            .astimezone(timezone.get_current_timezone())
            .strftime("%Y-%m-%dT%H:%M"),
        },
    )
    d = Dispatch.objects.get(purpose="赴乡镇督导")
    assert response.status_code == 302
    page = client.get(d.get_absolute_url()).content.decode()
    assert "同意用车" not in page  # the requester does not approve
    client.force_login(approver)
    url = lambda verb: reverse("vehicles:dispatch_action", args=[d.pk, verb])  # noqa: E731
    assert client.post(url("approve")).status_code == 302
    response = client.post(url("assign"), {"assign-vehicle": car.pk, "assign-driver": chauffeur.pk})
    assert response.status_code == 302
    response = client.post(url("depart"), {"depart-start_mileage": 10})
    assert response.status_code == 400
    assert "小于车辆" in response.content.decode()
    client.post(url("depart"), {"depart-start_mileage": car.mileage})
    client.post(url("return"), {"return-end_mileage": car.mileage + 120})
    d.refresh_from_db()
    assert (d.state, d.distance) == (DispatchState.RETURNED, 120)
    assert client.get(reverse("vehicles:dispatch_list")).status_code == 200
    assert client.get(reverse("vehicles:dispatch_board")).status_code == 200


def test_region_board_page(client, world, bureau):
    client.force_login(bureau)
    assert client.get(reverse("vehicles:dispatch_board")).status_code == 302
    page = client.get(reverse("vehicles:dispatch_region_board"))
    assert page.status_code == 200 and "各单位" in page.content.decode()


def test_api_runs_a_trip_and_refuses_a_conflict(world, clerk, approver, car, chauffeur):
    api = APIClient()
    api.force_login(clerk)
    response = api.post(
        "/api/vehicles/dispatches/",
        {
            "organization": world.a.org.pk,
            "purpose": "送材料",
            "passengers": 1,
            "origin": "单位",
            "destination": "市档案馆",
            "start_at": at(2, 9).isoformat(),
            "end_at": at(2, 10).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert api.post(f"/api/vehicles/dispatches/{pk}/approve/").status_code == 403
    api.force_login(approver)
    assert api.post(f"/api/vehicles/dispatches/{pk}/approve/").status_code == 200
    other = approved(world, clerk, approver, start=at(2, 9, 30), end=at(2, 11))
    services.assign_dispatch(actor=approver, dispatch=other, vehicle=car, driver=chauffeur)
    response = api.post(
        f"/api/vehicles/dispatches/{pk}/assign/",
        {"vehicle": car.pk, "driver": DriverFactory(organization=world.a.org).pk},
        format="json",
    )
    assert response.status_code == 400
    assert f"派车单 #{other.pk}" in str(response.json())
    response = api.post(f"/api/vehicles/dispatches/{pk}/approve/", HTTP_IF_MATCH='"1"')
    assert response.status_code in (400, 412)


def test_api_reject_without_a_reason_is_400(world, clerk, approver):
    api = APIClient()
    api.force_login(approver)
    d = ask(world, clerk)
    response = api.post(f"/api/vehicles/dispatches/{d.pk}/reject/", {}, format="json")
    assert response.status_code == 400
    assert "请填写驳回理由" in str(response.json())
