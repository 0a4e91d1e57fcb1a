"""No lost update (DESIGN §7 "Concurrency"): versions, If-Match, row locks, changed fields only.

The first tests replay a race step by step (two edits read the same row, then save one after the
other); the last ones run real concurrent clients in threads, each with its own database
connection, on whichever database the suite runs on (SQLite in WAL with immediate transactions,
or PostgreSQL).
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from django.test import RequestFactory, TestCase, override_settings
from django.urls import reverse
from rest_framework.request import Request
from rest_framework.test import APIClient

from ...registry import models as m
from ...registry.tests import factories as f
from ...registry.tests.world import WorldMixin, build_world, make_user
from ...standards.models import OfficeLimit
from ..api.viewsets import PreconditionRequired, expected_version
from ..services import service_for
from ..testing.base import post_data
from ..versions import StaleObjectError


def api_url(room: m.Room) -> str:
    return reverse("api:registry:room-detail", args=[room.pk])


class ServiceVersionTests(WorldMixin, TestCase):
    def setUp(self):
        self.room = self.world.a.room
        self.service = service_for(m.Room)

    def stale_copy(self) -> m.Room:
        return m.Room.objects.get(pk=self.room.pk)

    def test_every_write_raises_the_version_once(self):
        first = self.room.version
        self.service.update(actor=self.user_with_perm, instance=self.room, data={"name": "甲"})
        self.room.refresh_from_db()
        assert self.room.version == first + 1
        # Saving the same values again changes nothing: no new version, no change-log row.
        self.service.update(actor=self.user_with_perm, instance=self.room, data={"name": "甲"})
        self.room.refresh_from_db()
        assert self.room.version == first + 1

    def test_two_edits_of_different_fields_both_survive(self):
        # Both read version 1; each changes one field. Before row re-reading and changed-field
        # saves, the second save wrote its stale copy of every field and undid the first.
        one, two = self.stale_copy(), self.stale_copy()
        self.service.update(actor=self.user_with_perm, instance=one, data={"name": "会议室"})
        self.service.update(
            actor=self.user_with_perm, instance=two, data={"usable_area": Decimal("17.50")}
        )
        self.room.refresh_from_db()
        assert self.room.name == "会议室"
        assert self.room.usable_area == Decimal("17.50")
        assert two.name == "会议室"  # the caller's instance holds what was saved

    def test_an_edit_based_on_an_older_version_is_refused_with_what_changed(self):
        base = self.room.version
        self.service.update(actor=self.user_with_perm, instance=self.room, data={"name": "档案室"})
        stale = self.stale_copy()
        with pytest.raises(StaleObjectError) as exc:
            self.service.update(
                actor=self.user_with_perm,
                instance=stale,
                data={"name": "资料室"},
                expected_version=base,
            )
        message = exc.value.messages[0]
        assert "bureau_a" in message
        assert "房间名称" in message and "档案室" in message
        assert f"第 {base} 版" in message and f"第 {base + 1} 版" in message
        self.room.refresh_from_db()
        assert self.room.name == "档案室"

    def test_a_stale_delete_is_refused(self):
        base = self.room.version
        empty_room = f.RoomFactory(floor=self.room.floor, number="X-1")
        self.service.update(actor=self.user_with_perm, instance=empty_room, data={"name": "新"})
        with pytest.raises(StaleObjectError):
            self.service.delete(
                actor=self.user_with_perm, instance=empty_room, expected_version=base
            )
        assert m.Room.objects.filter(pk=empty_room.pk).exists()

    def test_the_change_log_hides_the_version(self):
        self.service.update(actor=self.user_with_perm, instance=self.room, data={"name": "乙"})
        self.client.force_login(self.user_with_perm)
        page = self.client.get(self.room.get_absolute_url()).content.decode()
        assert '<span class="gf-diff-field">房间名称</span>' in page
        assert '<span class="gf-diff-field">版本</span>' not in page


class APIVersionTests(WorldMixin, TestCase):
    def setUp(self):
        self.room = self.world.a.room
        self.client = APIClient()
        self.client.force_login(self.user_with_perm)

    def test_an_object_carries_its_version_as_etag(self):
        response = self.client.get(api_url(self.room))
        assert response.status_code == 200
        assert response["ETag"] == f'"{self.room.version}"'
        assert response.json()["version"] == self.room.version

    def test_if_match_current_version_saves_and_answers_the_new_etag(self):
        etag = self.client.get(api_url(self.room))["ETag"]
        response = self.client.patch(
            api_url(self.room), {"name": "甲"}, format="json", HTTP_IF_MATCH=etag
        )
        assert response.status_code == 200, response.json()
        assert response["ETag"] == f'"{self.room.version + 1}"'

    def test_if_match_an_older_version_is_412_and_saves_nothing(self):
        etag = self.client.get(api_url(self.room))["ETag"]
        assert (
            self.client.patch(api_url(self.room), {"name": "甲"}, format="json").status_code == 200
        )
        response = self.client.patch(
            api_url(self.room), {"name": "乙"}, format="json", HTTP_IF_MATCH=etag
        )
        assert response.status_code == 412
        assert "房间名称" in response.json()["detail"]
        self.room.refresh_from_db()
        assert self.room.name == "甲"

    def test_stale_delete_is_412(self):
        room = f.RoomFactory(floor=self.room.floor, number="X-2")
        etag = self.client.get(api_url(room))["ETag"]
        self.client.patch(api_url(room), {"name": "甲"}, format="json")
        response = self.client.delete(api_url(room), HTTP_IF_MATCH=etag)
        assert response.status_code == 412
        assert m.Room.objects.filter(pk=room.pk).exists()

    def test_a_malformed_if_match_is_412_in_chinese(self):
        response = self.client.patch(
            api_url(self.room), {"name": "乙"}, format="json", HTTP_IF_MATCH="abc"
        )
        assert response.status_code == 412
        assert "版本标记" in response.json()["detail"]

    def test_star_matches_any_version(self):
        response = self.client.patch(
            api_url(self.room), {"name": "乙"}, format="json", HTTP_IF_MATCH="*"
        )
        assert response.status_code == 200

    @override_settings(API_REQUIRE_IF_MATCH=True)
    def test_if_match_may_be_required(self):
        response = self.client.patch(api_url(self.room), {"name": "乙"}, format="json")
        assert response.status_code == 428
        assert "If-Match" in response.json()["detail"]
        assert self.client.delete(api_url(self.room)).status_code == 428

    @override_settings(API_REQUIRE_IF_MATCH=True)
    def test_rows_without_a_version_are_not_asked_for_one(self):
        # A standard's rows name their standard version "version" and carry none of their own.
        request = Request(RequestFactory().patch("/"))
        assert expected_version(request, OfficeLimit) is None
        with pytest.raises(PreconditionRequired):
            expected_version(request, m.Room)


class FormVersionTests(WorldMixin, TestCase):
    def test_a_stale_form_is_refused_with_what_changed_meanwhile(self):
        room = self.world.a.room
        self.client.force_login(self.user_with_perm)
        edit_url = reverse("registry:room_edit", args=[room.pk])
        page = self.client.get(edit_url).content.decode()
        assert f'name="version" value="{room.version}"' in page
        # Someone else saves first.
        service_for(m.Room).update(
            actor=make_user("other", ["bureau_admin"], scope_region=self.world.a.region),
            instance=room,
            data={"name": "他人改的名称"},
        )
        data = post_data(room, {"name": "我的名称", "version": room.version - 1})
        response = self.client.post(edit_url, data)
        assert response.status_code == 200
        body = response.content.decode()
        assert "在您打开后已被修改" in body and "他人改的名称" in body and "other" in body
        room.refresh_from_db()
        assert room.name == "他人改的名称"

    def test_a_current_form_saves(self):
        room = self.world.a.room
        self.client.force_login(self.user_with_perm)
        edit_url = reverse("registry:room_edit", args=[room.pk])
        data = post_data(room, {"name": "新名称", "version": room.version})
        response = self.client.post(edit_url, data)
        assert response.status_code == 302
        room.refresh_from_db()
        assert room.name == "新名称"


# Real concurrent clients -------------------------------------------------------------------------
def run_together(jobs) -> list:
    """Run the callables in threads released at once; return their results (or exceptions)."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait()
            results[i] = job()
        except Exception as exc:  # reported by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    close_old_connections()
    return results


@pytest.fixture
def concurrent_world():
    world = build_world()
    user = make_user("bureau_c", ["bureau_admin"], scope_region=world.a.region)
    rooms = [world.a.room] + [
        f.RoomFactory(floor=world.a.floor, organization=world.a.org, number=f"C-{i}")
        for i in range(19)
    ]
    return user, rooms


def patch_job(user, room, data, headers=None):
    def job():
        client = APIClient()
        client.force_login(user)
        response = client.patch(api_url(room), data, format="json", **(headers or {}))
        return response.status_code

    return job


@pytest.mark.django_db(transaction=True)
def test_twenty_clients_writing_at_once_all_succeed(concurrent_world):
    user, rooms = concurrent_world
    jobs = [patch_job(user, room, {"name": f"并发-{i}"}) for i, room in enumerate(rooms)]
    results = run_together(jobs)
    assert results == [200] * len(rooms), results
    names = dict(m.Room.objects.filter(pk__in=[r.pk for r in rooms]).values_list("pk", "name"))
    assert all(names[room.pk] == f"并发-{i}" for i, room in enumerate(rooms))


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_different_fields_of_one_room_all_survive(concurrent_world):
    user, rooms = concurrent_world
    room = rooms[0]
    changes = [
        {"name": "并发名称"},
        {"usable_area": "15.25"},
        {"building_area": "30.50"},
        {"number": "C-99"},
    ]
    for _ in range(3):
        results = run_together([patch_job(user, room, data) for data in changes])
        assert results == [200] * len(changes), results
    room.refresh_from_db()
    assert room.name == "并发名称"
    assert room.usable_area == Decimal("15.25")
    assert room.building_area == Decimal("30.50")
    assert room.number == "C-99"


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_based_on_one_version_one_wins_the_rest_get_412(concurrent_world):
    user, rooms = concurrent_world
    room = rooms[0]
    tag = f'"{room.version}"'
    results = run_together(
        [patch_job(user, room, {"name": f"版本-{i}"}, {"HTTP_IF_MATCH": tag}) for i in range(6)]
    )
    assert sorted(results) == [200] + [412] * 5, results
    room.refresh_from_db()
    assert room.version == 2
