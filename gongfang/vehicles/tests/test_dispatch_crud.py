"""Generic page and API tests of dispatches (framework.testing): list, detail and request with
scope; a dispatch is never edited or deleted as such, only moved on by its steps."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from ...accounts.roles import Role
from ...framework.testing import APITestCases, ViewTestCases
from ...registry.tests.world import make_user
from .. import dispatch as services
from ..models import Dispatch
from .world import VehiclesWorldMixin

START = timezone.make_aware(datetime.datetime(2026, 5, 6, 9, 0))


def trip(user, side) -> Dispatch:
    return services.request_dispatch(
        actor=user,
        organization=side.org,
        purpose=f"{side.region.name}公务接待",
        passengers=2,
        origin="单位",
        destination="高铁站",
        start_at=START,
        end_at=START + datetime.timedelta(hours=2),
    )


class DispatchData(VehiclesWorldMixin):
    model = Dispatch

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.trip_a = trip(cls.user_with_perm, cls.world.a)
        bureau_b = make_user("bureau_b", [Role.BUREAU_ADMIN], scope_region=cls.world.b.region)
        cls.trip_b = trip(bureau_b, cls.world.b)

    def in_scope_object(self):
        return self.trip_a

    def out_of_scope_object(self):
        return self.trip_b

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        side = self.world.a if in_scope else self.world.b
        return {
            "organization": side.org.pk,
            "purpose": "赴市里汇报",
            "passengers": 1,
            "origin": "单位",
            "destination": "市政府",
            "start_at": "2026-05-07T09:00",
            "end_at": "2026-05-07T11:00",
        }


class TestDispatchViews(
    DispatchData,
    ViewTestCases.ListViewTestCase,
    ViewTestCases.DetailViewTestCase,
    ViewTestCases.CreateViewTestCase,
):
    """Requested through its form; moved on only by its steps (no edit or delete pages)."""


class TestDispatchAPI(DispatchData, APITestCases.APIViewTestCase):
    """Requested by POST; no PUT/PATCH/DELETE (405, nothing changed): the steps are actions."""

    def refused(self, method: str, obj: Dispatch, user, statuses: tuple[int, ...]) -> None:
        self.client.force_login(user)
        response = getattr(self.client, method)(
            self.detail_url(obj), {"purpose": "改"}, format="json"
        )
        self.assertIn(response.status_code, statuses)
        self.assertTrue(Dispatch.objects.filter(pk=obj.pk).exclude(purpose="改").exists())

    def test_api_update_with_permission(self):
        self.refused("patch", self.trip_a, self.user_with_perm, (405,))

    def test_api_update_out_of_scope_is_404(self):
        self.refused("patch", self.trip_b, self.user_with_perm, (404, 405))

    def test_api_update_without_permission_is_forbidden(self):
        self.refused("patch", self.trip_a, self.user_view_only, (403, 405))

    def test_api_delete_with_permission(self):
        self.refused("delete", self.trip_a, self.user_with_perm, (405,))

    def test_api_delete_out_of_scope_is_404(self):
        self.refused("delete", self.trip_b, self.user_with_perm, (404, 405))

    def test_api_delete_without_permission_is_forbidden(self):
        self.refused("delete", self.trip_a, self.user_view_only, (403, 405))
