"""The registry's two-sided world with a review on each side.

Each side: a review over its region, a reviewer's finding on the side's room, and a cross-review
pair in which a second unit of the region (财政局, with its own administrator on side ``a``)
reviews 教育局's data. Side ``b`` lies outside side ``a``'s accounts' scope.
"""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType

from ...accounts.roles import Role
from ...registry.choices import AdminLevel
from ...registry.models import Room
from ...registry.tests.factories import OrganizationFactory
from ...registry.tests.world import WorldMixin, make_user
from ..models import Assignment, Finding, Review, Source

START = datetime.date(2026, 3, 1)


def make_review(side, name: str = "") -> Review:
    return Review.objects.create(
        name=name or f"{side.region.name}数据会审",
        region=side.region,
        starts_on=START,
        ends_on=START + datetime.timedelta(days=60),
    )


def make_finding(review: Review, room: Room, **kw) -> Finding:
    values = {
        "review": review,
        "organization": room.organization,
        "region": room.floor.building.compound.region,
        "subject": "room",
        "subject_type": ContentType.objects.get_for_model(Room),
        "subject_id": room.pk,
        "subject_label": f"{room.floor.building.compound.name} {room.floor.building.name} {room.number}",
        "problem": "房间名称与门牌不符",
        "source": Source.MANUAL,
    }
    values.update(kw)
    return Finding.objects.create(**values)


class ReviewWorldMixin(WorldMixin):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        w = cls.world
        for side in (w.a, w.b):
            side.reviewer_org = OrganizationFactory(
                name=f"{side.region.name}财政局", region=side.region, level=AdminLevel.COUNTY
            )
            side.review = make_review(side)
            side.finding = make_finding(side.review, side.room)
            side.assignment = Assignment.objects.create(
                review=side.review,
                reviewed_organization=side.org,
                reviewer_organization=side.reviewer_org,
            )
        cls.user_cross = make_user(
            "finance_a", [Role.UNIT_ADMIN], scope_organization=w.a.reviewer_org
        )
