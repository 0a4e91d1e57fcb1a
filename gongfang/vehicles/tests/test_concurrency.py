"""Two writers at the same moment: two assignments of one car over overlapping times, and two
approvals of purchases for the last place of a quota. Exactly one of each passes."""

from __future__ import annotations

import datetime
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.utils import timezone

from ...accounts.otp import provision_device
from ...accounts.roles import Role
from ...cases.tests.conftest import Driver, signature
from ...framework.tests.test_concurrency import run_together
from ...registry.tests.world import build_world, make_user
from ...workflow import services as engine
from ...workflow.choices import CaseKind, CaseState
from ...workflow.models import Case
from ...workflow.tests.conftest import TWO_STEPS, make_definition
from .. import dispatch as services
from ..choices import DispatchState
from ..models import Dispatch, VehicleQuota
from .factories import DriverFactory, VehicleFactory

# The national standard's seed, as its migration runs it (a transactional test starts empty).
seed = importlib.import_module("gongfang.vehicles.migrations.0003_seed_national_2017").seed


def later(hours: int) -> datetime.datetime:
    base = timezone.now().replace(minute=0, second=0, microsecond=0)
    return base + datetime.timedelta(days=3, hours=hours)


@pytest.mark.django_db(transaction=True)
def test_two_assignments_of_one_car_at_once_only_one_passes():
    world = build_world()
    clerk = make_user("clerk", [Role.UNIT_ADMIN], scope_organization=world.a.org)
    boss = make_user("boss", [Role.UNIT_ADMIN], scope_organization=world.a.org)
    car = VehicleFactory(organization=world.a.org)
    drivers = [DriverFactory(organization=world.a.org) for _ in range(2)]
    trips = []
    for hours in ((9, 12), (10, 13)):
        d = services.request_dispatch(
            actor=clerk,
            organization=world.a.org,
            purpose=f"公务 {hours[0]} 点",
            passengers=1,
            origin="单位",
            destination="市区",
            start_at=later(hours[0]),
            end_at=later(hours[1]),
        )
        trips.append(services.approve_dispatch(actor=boss, dispatch=d))
    jobs = [
        lambda d=d, who=who: (
            services.assign_dispatch(actor=boss, dispatch=d, vehicle=car, driver=who).pk
        )
        for d, who in zip(trips, drivers, strict=True)
    ]
    results = run_together(jobs)
    close_old_connections()
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1, results
    assert isinstance(refused[0], ValidationError) and "时间重叠" in refused[0].messages[0]
    assert Dispatch.objects.filter(vehicle=car, state=DispatchState.ASSIGNED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_approvals_for_the_last_quota_place_only_one_passes():
    world = build_world()
    unit = make_user("unit_a", [Role.UNIT_ADMIN], scope_organization=world.a.org)
    bureau = make_user("bureau_a", [Role.BUREAU_ADMIN], scope_region=world.a.region)
    leaders = []
    for name in ("leader_1", "leader_2"):
        leader = make_user(name, [Role.LEADER], scope_region=world.a.region)
        provision_device(user=leader)
        leaders.append(leader)
    VehicleQuota.objects.create(organization=world.a.org, category="general", count=1)
    # A transactional test starts from an empty database: the migration's definition is gone.
    make_definition(world.city, TWO_STEPS, kind=CaseKind.VEHICLE_PURCHASE, prefix="枣机管车配")
    seed(django_apps, SimpleNamespace(connection=connection))
    runner = Driver([unit, bureau])
    data = {
        "category": "general",
        "body": "sedan",
        "energy": "electric",
        "price": "150000",
        "seats": "5",
        "reason": "工作需要",
    }
    cases = []
    for _ in range(2):
        case = runner.submit(
            actor=unit, kind=CaseKind.VEHICLE_PURCHASE, applicant=world.a.org, data=data
        )
        cases.append(runner.step(case))  # the bureau's review; the leader's signature remains
    signed = [signature(leader) for leader in leaders]
    jobs = [
        lambda case=case, leader=leader, sign=sign: (
            engine.decide(actor=leader, case=case, decision="approve", **sign).pk
        )
        for case, leader, sign in zip(cases, leaders, signed, strict=True)
    ]
    results = run_together(jobs)
    close_old_connections()
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1, results
    assert "超编" in " ".join(getattr(refused[0], "messages", [str(refused[0])]))
    states = sorted(
        Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("state", flat=True)
    )
    assert states == sorted([CaseState.APPLIED, CaseState.IN_REVIEW])
