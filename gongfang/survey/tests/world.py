"""The registry's two-sided world plus a survey batch on side ``a``'s building, the parties'
accounts (each with an authenticator, as signing needs one) and a stand-in drawing reader."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

from ...accounts.otp import provision_device
from ...accounts.roles import Role
from ...registry.demo.accounts import signing_credentials
from ...registry.tests import factories as rf
from ...registry.tests.world import PASSWORD, build_world, make_user
from .. import services
from ..drawings import DrawingResult, DrawnRoom
from ..drawings.samples import office_floor_layout
from ..models import SurveyBatch


def drawn(rooms: list[tuple[str, str, float]]) -> DrawingResult:
    """What a clean drawing of ``rooms`` (number, name, area) reads as."""
    layout = office_floor_layout(rooms)
    return DrawingResult(
        format="dxf",
        units=0.001,
        units_source="insunits",
        outline_layers=["房间"],
        label_layers=["文字"],
        rooms=[
            DrawnRoom(number, name, float(area), layout[number], None, "", "polyline")
            for number, name, area in rooms
        ],
    )


def reading(result: DrawingResult):
    """Patch the drawing reader to return ``result`` whatever the file."""
    return mock.patch.object(services, "_read", return_value=result)


def credentials(user) -> dict[str, str]:
    creds = signing_credentials(user)
    return {"password": PASSWORD, "otp": creds["otp"]}


class SurveyWorldMixin:
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.world = w = build_world()
        a = w.a
        # Side a's floor holds 101 (from the world) and 102, 103 of the same unit.
        cls.room_101 = a.room
        cls.room_102 = rf.RoomFactory(floor=a.floor, number="102", organization=a.org)
        cls.room_103 = rf.RoomFactory(floor=a.floor, number="103", organization=a.org)
        cls.bureau = make_user("bureau_a", [Role.BUREAU_ADMIN], scope_region=a.region)
        cls.bureau_b = make_user("bureau_b", [Role.BUREAU_ADMIN], scope_region=w.b.region)
        cls.unit = make_user("unit_a", [Role.UNIT_ADMIN], scope_organization=a.org)
        cls.unit_b = make_user("unit_b", [Role.UNIT_ADMIN], scope_organization=w.b.org)
        cls.surveyor = make_user("surveyor_a", [Role.SURVEYOR], scope_region=a.region)
        cls.other_surveyor = make_user("surveyor_x", [Role.SURVEYOR], scope_region=a.region)
        cls.surveyor_b = make_user("surveyor_b", [Role.SURVEYOR], scope_region=w.b.region)
        cls.supervisor = make_user("supervisor_a", [Role.SUPERVISOR], scope_region=a.region)
        cls.no_role = make_user("sysadmin", [Role.SYS_ADMIN])
        for user in (cls.bureau, cls.unit, cls.surveyor, cls.other_surveyor):
            provision_device(user=user)
        cls.batch = make_batch(cls.bureau, a, [cls.surveyor], name="滕州市行政中心测绘")
        cls.batch_b = make_batch(cls.bureau_b, w.b, [cls.surveyor_b], name="市中区测绘")


def make_batch(actor, side, surveyors, *, name: str) -> SurveyBatch:
    batch, _ = services.SurveyBatchService().create(
        actor=actor,
        data={
            "name": name,
            "region": side.region,
            "company": "枣庄市测绘院",
            "drawings_by": "枣庄市测绘院",
            "responsible": "王工",
            "planned_start": datetime.date(2026, 11, 1),
            "planned_end": datetime.date(2026, 12, 31),
            "buildings": [side.building],
            "surveyors": surveyors,
        },
    )
    return batch


AREA = Decimal("18.00")
