"""List pages of titles and certificates cost the same number of queries whatever their size."""

from __future__ import annotations

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ...framework.services import service_for
from ...registry.tests import factories as f
from ..models import Title
from ..services import issue_certificate
from .world import TitlesWorldMixin


class ListQueryTests(TitlesWorldMixin, TestCase):
    def count(self, url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(ctx.captured_queries)

    def test_lists_do_not_grow_with_rows(self):
        a = self.world.a
        self.client.force_login(self.user_with_perm)
        urls = [reverse("titles:title_list"), reverse("titles:usecertificate_list")]
        before = [self.count(url) for url in urls]
        for n in range(6):
            compound = f.CompoundFactory(name=f"院落{n}", region=a.region, owner_org=a.org)
            service_for(Title).create(
                actor=self.user_with_perm,
                data={"compound": compound, "kind": "filing", "holder": a.sub_org},
            )
            room = f.RoomFactory(floor=a.floor, number=f"2{n:02d}", organization=a.sub_org)
            issue_certificate(actor=self.user_with_perm, organization=a.sub_org, rooms=[room])
        after = [self.count(url) for url in urls]
        self.assertEqual(before, after)
