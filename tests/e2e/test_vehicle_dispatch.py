"""Official vehicles in the browser.

1. A dispatch end to end: the 市教育局 administrator asks for a car, the 枣庄市 bureau approves
   and assigns a car and a driver, the trip departs and is closed with its mileage (the car's
   mileage follows).
2. A purchase over the price cap cannot be submitted (the page says which rule and figures); one
   within it is approved (bureau, leader's signature) and, registered by the unit with its
   plate, the car appears in the registry.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from gongfang.accounts.models import User
from gongfang.vehicles.choices import DispatchState
from gongfang.vehicles.models import Dispatch, Vehicle, VehicleQuota
from gongfang.vehicles.tests.factories import DriverFactory, VehicleFactory, make_plate, make_vin
from gongfang.workflow import services as engine
from gongfang.workflow.choices import CaseState
from gongfang.workflow.models import Case

from .signin import PASSWORD, code, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_city(db):
    call_command("load_demo", profile="small", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


def local_input(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_dispatch_and_purchase(live_server, page, demo_city):
    """Both stories on one demo city (loading it is the slow part)."""
    a_unit_requests_a_car_the_bureau_approves_and_assigns_the_trip_is_closed(live_server, page)
    a_purchase_over_the_cap_is_refused_one_within_is_approved_and_registered(live_server, page)


def a_unit_requests_a_car_the_bureau_approves_and_assigns_the_trip_is_closed(live_server, page):
    unit = User.objects.get(username="unit_admin")
    education = unit.scope_organization
    car = VehicleFactory(
        organization=education, plate=make_plate(98765), vin=make_vin(98765), mileage=30_000
    )
    driver = DriverFactory(organization=education, name="赵师傅")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(9)))

    # 1. The unit asks for a car.
    sign_in(page, live_server.url, "unit_admin")
    page.goto(f"{live_server.url}/vehicles/dispatches/request/")
    page.fill("input[name=purpose]", "赴市政府汇报招生工作")
    page.fill("input[name=origin]", "市教育局")
    page.fill("input[name=destination]", "市政府")
    page.fill("input[name=start_at]", local_input(start))
    page.fill("input[name=end_at]", local_input(start + datetime.timedelta(hours=3)))
    page.fill("input[name=passengers]", "2")
    with page.expect_navigation():
        page.click("button:has-text('提交申请')")
    assert re.search(r"/vehicles/dispatches/\d+/$", page.url), page.content()[:2000]
    dispatch = Dispatch.objects.get(purpose="赴市政府汇报招生工作")
    assert dispatch.state == DispatchState.REQUESTED
    assert "同意用车" not in page.content()  # the requester does not approve

    # 2. The bureau approves and assigns a car and a driver.
    sign_in(page, live_server.url, "zz_bureau")
    page.goto(f"{live_server.url}{dispatch.get_absolute_url()}")
    with page.expect_navigation():
        page.click("button:has-text('同意用车')")
    page.select_option("select[name=assign-vehicle]", str(car.pk))
    page.select_option("select[name=assign-driver]", str(driver.pk))
    with page.expect_navigation():
        page.click("#dispatch-assign button[type=submit]")
    dispatch.refresh_from_db()
    assert (dispatch.state, dispatch.vehicle, dispatch.driver) == (
        DispatchState.ASSIGNED,
        car,
        driver,
    )

    # 3. The unit records the departure and the return with the odometer.
    sign_in(page, live_server.url, "unit_admin")
    page.goto(f"{live_server.url}{dispatch.get_absolute_url()}")
    page.fill("input[name=depart-start_mileage]", "30010")
    with page.expect_navigation():
        page.click("#dispatch-depart button[type=submit]")
    page.fill("input[name=return-end_mileage]", "30000")  # below the departure: refused
    with page.expect_navigation():
        page.click("#dispatch-return button[type=submit]")
    assert "还车里程须不小于出车里程 30010 公里" in page.content()
    page.fill("input[name=return-end_mileage]", "30086")
    with page.expect_navigation():
        page.click("#dispatch-return button[type=submit]")
    dispatch.refresh_from_db()
    assert (dispatch.state, dispatch.distance) == (DispatchState.RETURNED, 76)
    car.refresh_from_db()
    assert car.mileage == 30086
    assert "76 公里" in page.content()
    page.screenshot(path="/tmp/gongfang-e2e-dispatch.png", full_page=True)


def fill_purchase(page, *, price: str) -> None:
    page.select_option("select[name=category]", "general")
    page.select_option("select[name=body]", "sedan")
    page.select_option("select[name=energy]", "electric")
    page.fill("input[name=price]", price)
    page.fill("input[name=seats]", "5")
    page.fill("input[name=brand]", "比亚迪")
    page.fill("input[name=model_name]", "秦PLUS EV")
    page.fill("textarea[name=reason]", "日常公务出行车辆不足。")


def a_purchase_over_the_cap_is_refused_one_within_is_approved_and_registered(live_server, page):
    unit = User.objects.get(username="unit_admin")
    education = unit.scope_organization
    VehicleQuota.objects.update_or_create(
        organization=education, category="general", defaults={"count": 50}
    )
    sign_in(page, live_server.url, "unit_admin")

    # Over the new-energy price cap (18 万元): not submitted, the rule and figures shown.
    page.goto(f"{live_server.url}/cases/new/vehicle_purchase/")
    fill_purchase(page, price="195000")
    with page.expect_navigation():
        page.click("button[name=submit]")
    content = page.content()
    assert "新能源轿车价格上限" in content and "超出上限 1.5 万元" in content
    assert (
        not Case.objects.filter(kind="vehicle_purchase", payload__price="195000.00")
        .exclude(number="")
        .exists()
    )

    # Within it: submitted.
    page.goto(f"{live_server.url}/cases/new/vehicle_purchase/")
    fill_purchase(page, price="158000")
    with page.expect_navigation():
        page.click("button[name=submit]")
    assert re.search(r"/cases/\d+/$", page.url)
    case = Case.objects.get(pk=int(re.search(r"/cases/(\d+)/", page.url)[1]))
    assert case.state == CaseState.SUBMITTED
    assert "标准与编制审查" in page.content()

    # The bureau reviews, the leader signs (the engine's services, as their pages would).
    engine.decide(actor=User.objects.get(username="zz_bureau"), case=case, decision="approve")
    leader = User.objects.get(username="leader")
    case = engine.decide(
        actor=leader,
        case=Case.objects.get(pk=case.pk),
        decision="approve",
        password=PASSWORD,
        otp=code(leader),
    )
    assert case.state == CaseState.APPLIED

    # The unit registers the car bought; it is in the registry.
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    form = page.locator("#register-vehicle")
    plate = make_plate(45678, electric=True)
    form.locator("input[name=plate]").fill(plate)
    form.locator("input[name=vin]").fill(make_vin(45678))
    form.locator("input[name=brand]").fill("比亚迪")
    form.locator("input[name=model_name]").fill("秦PLUS EV")
    form.locator("input[name=price]").fill("156800")
    form.locator("input[name=bought_on]").fill(timezone.localdate().isoformat())
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    vehicle = Vehicle.objects.get(plate=plate)
    assert page.url.endswith(vehicle.get_absolute_url())
    assert (vehicle.organization, vehicle.new_energy) == (education, True)
    page.goto(f"{live_server.url}{reverse('vehicles:vehicle_list')}?q={plate}")
    assert plate in page.content()
    page.screenshot(path="/tmp/gongfang-e2e-purchase.png", full_page=True)
