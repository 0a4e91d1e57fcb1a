"""The registry's two-sided world with an inspection on each side, for findings' tests.

Side ``a`` (滕州市) and side ``b`` (市中区) each get a plan of 2026 and an inspection of their
organization (checklist revision 1, seeded), a warning R1 on their room, and one open finding
(限期整改). Accounts (besides the world's ``bureau_a``, ``supervisor_a``, ``unit_a``,
``sysadmin``): ``inspector_b`` (a supervisor of side b, on no team unless a test adds him),
``unit_b`` and ``leader_a``.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ...accounts.roles import Role
from ...compliance.models import Rule, Subject, Warning
from ...framework import clock
from ...registry.tests.world import WorldMixin, make_user
from .. import findings_setup
from ..findings import create_finding
from ..models import Checklist, ChecklistItem, Inspection, InspectionPlan

DEADLINE = datetime.timedelta(days=30)


@pytest.fixture(autouse=True, scope="session")
def private_media_root(tmp_path_factory):
    """Evidence and packages go to a temporary private directory, never var/private."""
    from django.test.utils import override_settings

    with override_settings(PRIVATE_MEDIA_ROOT=str(tmp_path_factory.mktemp("private"))):
        yield


def png_bytes(color: str = "#4a90d9", size: tuple[int, int] = (60, 40)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def photo(name: str = "现场.png", color: str = "#4a90d9") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(color), content_type="image/png")


def item_with(rule: str) -> ChecklistItem:
    return next(i for i in ChecklistItem.objects.filter(checklist__revision=1) if rule in i.rules)


def plan_for(side, *, title: str, team=()) -> InspectionPlan:
    today = clock.today()
    plan = InspectionPlan.objects.create(
        kind="special",
        year=today.year,
        title=title,
        region=side.region,
        checklist=Checklist.objects.get(revision=1),
        start_on=today.replace(month=1, day=1),
        end_on=today.replace(month=12, day=31),
    )
    plan.team.set(team)
    return plan


def inspection_for(plan: InspectionPlan, organization, inspectors=()) -> Inspection:
    inspection = Inspection.objects.create(
        plan=plan,
        organization=organization,
        region=organization.region,
        checklist=plan.checklist,
        scheduled_on=clock.today(),
        state="in_progress",
    )
    inspection.inspectors.set(inspectors)
    return inspection


def warning_on(room, rule: str = Rule.R1) -> Warning:
    return Warning.objects.create(
        rule=rule,
        key=f"{rule}:room:{room.pk}",
        subject=Subject.ROOM,
        region=room.organization.region,
        organization=room.organization,
        room=room,
        subject_label=str(room),
        summary="办公室使用面积 30.00 m²，超过标准 18.00 m²",
    )


class FindingsWorldMixin(WorldMixin):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        findings_setup.ready()
        w = cls.world
        cls.inspector_b = make_user("inspector_b", [Role.SUPERVISOR], scope_region=w.b.region)
        cls.unit_b = make_user("unit_b", [Role.UNIT_ADMIN], scope_organization=w.b.org)
        cls.leader_a = make_user("leader_a", [Role.LEADER], scope_region=w.a.region)
        cls.item_r1 = item_with(Rule.R1)
        cls.item_r8 = item_with(Rule.R8)
        for side, bureau in ((w.a, cls.user_with_perm), (w.b, None)):
            side.plan = plan_for(side, title=f"{side.region.name}2026年专项检查")
            side.inspection = inspection_for(
                side.plan, side.org, inspectors=[bureau] if bureau else []
            )
            side.warning = warning_on(side.room)
        cls.bureau_b = make_user("bureau_b", [Role.BUREAU_ADMIN], scope_region=w.b.region)
        w.a.finding = create_finding(
            user=cls.user_with_perm,
            organization=w.a.org,
            inspection=w.a.inspection,
            item=cls.item_r8,
            subject=w.a.room,
            description="101 室出借给其他单位使用，未经批准",
            rectification_kind="deadline",
            deadline=clock.today() + DEADLINE,
        )
        w.b.finding = create_finding(
            user=cls.bureau_b,
            organization=w.b.org,
            inspection=w.b.inspection,
            description="办公用房台账未及时更新",
            rectification_kind="deadline",
            deadline=clock.today() + DEADLINE,
        )
