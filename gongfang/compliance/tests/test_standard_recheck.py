"""An edit of a standard re-judges, on the queue, the places it applies to — and only those —
with its progress on the version's page."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from ...framework.services import service_for
from ...ledger.tests.helpers import run_worker
from ...registry.choices import EmploymentStatus
from ...registry.models import Person
from ...standards.models import RuleParameter, StandardVersion
from ...standards.selectors import recheck_progress
from ..models import State, Warning

pytestmark = pytest.mark.django_db


def retire(bureau, person: Person, days_ago: int, today: datetime.date) -> None:
    service_for(Person).update(
        actor=bureau,
        instance=Person.objects.get(pk=person.pk),
        data={
            "employment_status": EmploymentStatus.RETIRED,
            "status_changed_on": today - datetime.timedelta(days=days_ago),
        },
    )


@pytest.fixture
def county_version(world, city_bureau):
    """A local version for 滕州市 (side a) with no parameter yet."""
    version, _ = service_for(StandardVersion).create(
        actor=city_bureau,
        data={
            "name": "滕州市补充标准",
            "region": world.a.region,
            "source": "滕州市机关事务管理局文件",
            "effective_from": datetime.date(2020, 1, 1),
        },
    )
    return version


@pytest.fixture
def city_bureau(world):
    from ...registry.tests.world import make_user

    return make_user("city_bureau", ["bureau_admin"], scope_region=world.city)


def test_a_parameter_edit_rejudges_exactly_the_places_of_its_version(
    world, city_bureau, county_version, clock, django_capture_on_commit_callbacks
):
    today = clock.today()
    retire(city_bureau, world.a.person, 20, today)
    retire(city_bureau, world.b.person, 20, today)
    r3_a, r3_b = (f"R3:person:{s.person.pk}" for s in (world.a, world.b))
    assert not Warning.objects.filter(key__in=[r3_a, r3_b]).exists()  # 30 days' grace
    b_checked = Warning.objects.get(key=f"R1:room:{world.b.room.pk}").last_checked_at

    with django_capture_on_commit_callbacks(execute=True):
        service_for(RuleParameter).create(
            actor=city_bureau,
            data={
                "version": county_version,
                "key": "r3_grace_days",
                "value": Decimal("10"),
                "unit": "天",
            },
        )
    assert recheck_progress(county_version)["state"] == "queued"
    assert not Warning.objects.filter(key=r3_a).exists()  # in the background, not the request
    run_worker()

    assert Warning.objects.get(key=r3_a).state == State.OPEN  # 20 days > 10
    assert not Warning.objects.filter(key=r3_b).exists()  # 市中区 keeps the national 30 days
    assert Warning.objects.get(key=f"R1:room:{world.b.room.pk}").last_checked_at == b_checked
    progress = recheck_progress(county_version)
    assert progress["state"] == "done" and progress["places"] == "滕州市"
    assert progress["done"] == progress["total"] > 0 and progress["opened"] == 1


def test_the_versions_page_shows_the_recheck(
    world, city_bureau, county_version, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        service_for(StandardVersion).update(
            actor=city_bureau, instance=county_version, data={"source": "新文号"}
        )
    client.force_login(city_bureau)
    page = client.get(county_version.get_absolute_url()).content.decode()
    assert "等待后台重新核查" in page and "滕州市" in page
    run_worker()
    card = client.get(reverse("standards:standardversion_recheck", args=[county_version.pk]))
    text = card.content.decode()
    assert "已重新核查适用区划（滕州市）" in text and "hx-trigger" not in text
