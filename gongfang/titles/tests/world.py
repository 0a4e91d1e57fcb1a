"""The registry's two-sided world with titles and use certificates on each side.

Side ``a`` (滕州市) and side ``b`` (市中区) each get a building title, a spare room of their
organization and a use certificate for their first room; ``bureau_city`` (枣庄市) issued the
certificates of both sides.
"""

from __future__ import annotations

import datetime

from ...accounts.roles import Role
from ...framework.services import service_for
from ...registry.tests import factories as f
from ...registry.tests.world import WorldMixin, make_user
from ..models import Title
from ..services import issue_certificate

ISSUED_ON = datetime.date(2026, 3, 2)


class TitlesWorldMixin(WorldMixin):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        w = cls.world
        cls.city_bureau = make_user("bureau_city", [Role.BUREAU_ADMIN], scope_region=w.city)
        for side in (w.a, w.b):
            side.title, _ = service_for(Title).create(
                actor=cls.city_bureau,
                data={
                    "building": side.building,
                    "kind": "certificate",
                    "certificate_number": f"鲁（2025）{side.region.name}不动产权第000{side.region.pk}号",
                    "holder": side.org,
                    "area": "1200.00",
                    "issued_on": datetime.date(2025, 5, 6),
                },
            )
            side.spare_room = f.RoomFactory(floor=side.floor, number="102", organization=side.org)
            side.other_room = f.RoomFactory(
                floor=side.floor, number="103", organization=side.sub_org
            )
            side.certificate = issue_certificate(
                actor=cls.city_bureau,
                organization=side.org,
                rooms=[side.room],
                issued_on=ISSUED_ON,
            )
