"""Vehicle-use supervision in the browser: a trip on a public holiday without a dispatch is a
finding that names the calendar day and the missing dispatch; the 枣庄市 bureau confirms it.

The demo's terminals part plants such a trip; should it be missing (a demo without terminals),
the test writes one on 2026-10-01 (国庆节, a Thursday) for a car of the city and scans it.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from gongfang.supervision.models import Anomaly
from gongfang.supervision.rules import LOCAL
from gongfang.supervision.scan import scan_trips
from gongfang.terminals.models import Trip
from gongfang.vehicles.models import Vehicle

from .test_vehicle_dispatch import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_city(db):
    call_command("load_demo", profile="small", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


def holiday_finding() -> Anomaly:
    """An open V4 finding whose trip is also a V1 finding (the demo's planted rest-day trip)."""
    for v4 in Anomaly.objects.filter(rule="V4", state="open", trip__isnull=False).order_by("pk"):
        if Anomaly.objects.filter(rule="V1", trip=v4.trip_id).exists():
            return v4
    vehicle = Vehicle.objects.filter(region__path__startswith="370000/370400/").order_by("pk")[0]
    start = datetime.datetime(2026, 10, 1, 15, 0, tzinfo=LOCAL)
    trip = Trip.objects.create(
        vehicle=vehicle,
        start_at=start,
        end_at=start + datetime.timedelta(hours=2),
        start_lat=34.81,
        start_lng=117.32,
        end_lat=34.81,
        end_lng=117.32,
        distance_km=46.0,
        closed=True,
    )
    scan_trips([trip])
    return Anomaly.objects.get(rule="V4", trip=trip)


def test_holiday_trip_without_dispatch_is_confirmed(live_server, page, demo_city):
    finding = holiday_finding()
    v1 = Anomaly.objects.get(rule="V1", trip=finding.trip_id)
    day = v1.occurred_at.astimezone(LOCAL).date()

    sign_in(page, live_server.url, "zz_bureau")
    page.goto(
        f"{live_server.url}{reverse('supervision:anomaly_list')}?rule=V1&vehicle={v1.vehicle_id}"
    )
    page.get_by_role("link", name=v1.summary).first.click()
    page.wait_for_load_state("networkidle")
    explanation = page.locator("#anomaly-explanation").inner_text()
    # The calendar day by name: “2026-10-01 国庆节 法定节假日” or “2026-11-28 周末”.
    assert re.search(rf"{day:%Y-%m-%d} (\S+ )?(法定节假日|周末)", explanation), explanation

    page.goto(f"{live_server.url}{finding.get_absolute_url()}")
    text = page.locator("#anomaly-explanation").inner_text()
    assert "无经批准的派车单" in page.content()
    assert "派车单" in text and ("没有任何派车单" in text or "未覆盖" in text or "未获批准" in text)
    assert re.search(rf"当日日历：{day:%Y-%m-%d} (\S+ )?(法定节假日|周末)", text), text

    page.get_by_role("button", name="确认违规").click()
    page.wait_for_load_state("networkidle")
    assert "已确认违规" in page.content()
    finding.refresh_from_db()
    assert finding.state == "confirmed"
    assert finding.decided_by.username == "zz_bureau"
