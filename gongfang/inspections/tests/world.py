"""The registry's two-sided world with an inspection plan on each side.

Side ``a`` (滕州市) and side ``b`` (市中区) each get a special plan of their bureau (``bureau_a``
for a, ``bureau_b`` for b) with one inspection of the side's organization, a recorded item
check, a recorded measurement of its room and a tip. ``supervisor_a`` (纪检监督, region a) sits
on a's team; ``unit_a`` administers a's organization.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from ...accounts.roles import Role
from ...framework.services import service_for
from ...registry.tests.world import WorldMixin, make_user
from .. import services
from ..choices import ItemResult, PlanKind
from ..models import AssessmentDate, Checklist, InspectionPlan, Tip

START = datetime.date(2026, 3, 2)


def make_plan(actor, side, *, team=(), kind=PlanKind.SPECIAL, title="办公用房专项检查"):
    plan, _ = service_for(InspectionPlan).create(
        actor=actor,
        data={
            "kind": kind,
            "year": START.year,
            "title": f"{side.region.name}{title}",
            "region": side.region,
            "all_organizations": False,
            "organizations": [side.org],
            "team": list(team),
            "checklist": Checklist.objects.get(revision=1),
            "start_on": START,
            "end_on": START + datetime.timedelta(days=30),
        },
    )
    return plan


class InspectionsWorldMixin(WorldMixin):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        w = cls.world
        cls.bureau_b = make_user("bureau_b", [Role.BUREAU_ADMIN], scope_region=w.b.region)
        bureaus = {id(w.a): cls.user_with_perm, id(w.b): cls.bureau_b}
        cls.checklist = Checklist.objects.get(revision=1)
        cls.org_item = cls.checklist.items.get(target="organization", aspect=5)  # R5 idle
        for side in (w.a, w.b):
            bureau = bureaus[id(side)]
            team = [cls.user_view_only] if side is w.a else []
            side.plan = make_plan(bureau, side, team=team)
            (side.inspection,) = services.generate_inspections(actor=bureau, plan=side.plan)
            side.item_check = services.record_item_check(
                actor=bureau,
                inspection=side.inspection,
                item=cls.org_item,
                result=ItemResult.PASS,
            )
            side.measurement = services.record_measurement(
                actor=bureau,
                inspection=side.inspection,
                room=side.room,
                measured_area=Decimal("19.50"),
            )
            side.tip, _ = service_for(Tip).create(
                actor=bureau,
                data={
                    "source": "12345",
                    "received_on": START,
                    "content": f"{side.org.name}有办公室长期空置",
                    "organization": side.org,
                },
            )
            side.assessment, _ = service_for(AssessmentDate).create(
                actor=bureau,
                data={
                    "region": side.region,
                    "year": 2025,
                    "assessed_on": datetime.date(2025, 12, 31),
                },
            )
