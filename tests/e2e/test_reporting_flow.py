"""Statistics reporting in the browser: a township's bureau fills its own figures and submits
them (signed, with the scanned page), the county returns them with a reason, the township fixes
and resubmits, the county accepts, and the county — all its children accepted — submits up."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongfang.accounts.models import User
from gongfang.accounts.otp import current_code, provision_device
from gongfang.accounts.roles import Role
from gongfang.registry.choices import AdminLevel, RegionLevel
from gongfang.registry.tests import factories as f
from gongfang.reporting import services
from gongfang.reporting.choices import SubmissionState
from gongfang.reporting.models import ReportForm, Submission

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Test@2026pass"


def code(user: User) -> str:
    """A fresh authenticator code (the last used step forgotten, as a minute later)."""
    device = provision_device(user=user)
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    device.refresh_from_db()
    return current_code(device)


def sign_in(page, url: str, user: User) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    if user.second_factor_required:
        page.wait_for_url(re.compile(r"/accounts/2fa/verify/"))
        page.fill("input[name=token]", code(user))
        page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url


def state(sub: Submission) -> str:
    sub.refresh_from_db()
    return sub.state


@pytest.fixture
def world(db, tmp_path):
    province = f.RegionFactory(code="370000", name="山东省", level=RegionLevel.PROVINCE)
    city = f.RegionFactory(code="370400", name="枣庄市", level=RegionLevel.CITY, parent=province)
    county = f.RegionFactory(code="370481", name="滕州市", level=RegionLevel.COUNTY, parent=city)
    town = f.RegionFactory(
        code="370481001", name="荆河街道", level=RegionLevel.TOWNSHIP, parent=county
    )
    orgs = {}
    for region, level, name in (
        (county, AdminLevel.COUNTY, "滕州市教育局"),
        (town, AdminLevel.TOWNSHIP, "荆河街道办事处"),
    ):
        org = f.OrganizationFactory(name=name, region=region, level=level)
        compound = f.CompoundFactory(name=f"{name}院", region=region, owner_org=org)
        floor = f.FloorFactory(
            building=f.BuildingFactory(compound=compound, name="1号楼"), number=1
        )
        f.RoomFactory(floor=floor, number="101", organization=org, usable_area=Decimal("18.00"))
        f.PersonFactory(organization=org, number="001", name=f"{name}张三")
        orgs[region.pk] = org

    def user(name, role, **scope):
        u = User.objects.create_user(name, PASSWORD, name=name, roles=[role], **scope)
        provision_device(user=u)
        return u

    users = {
        "city": user("city_bureau", Role.BUREAU_ADMIN, scope_region=city),
        "county": user("county_bureau", Role.BUREAU_ADMIN, scope_region=county),
        "town": user("town_bureau", Role.BUREAU_ADMIN, scope_region=town),
        "town_unit": user("town_unit", Role.UNIT_ADMIN, scope_organization=orgs[town.pk]),
        "county_unit": user("county_unit", Role.UNIT_ADMIN, scope_organization=orgs[county.pk]),
    }
    period = services.do_open_period(
        form=ReportForm.objects.get(region__isnull=True),
        region=city,
        year=2026,
        as_of=datetime.date(2026, 6, 30),
        deadline=datetime.date(2026, 12, 31),
        actor=users["city"],
    )
    # The organizations' own figures are in and accepted (by services: not what is shown here).
    for region, filler, receiver in (
        (town, users["town_unit"], users["town"]),
        (county, users["county_unit"], users["county"]),
    ):
        sub = Submission.objects.get(period=period, unit_key=f"org:{orgs[region.pk].pk}")
        services.do_save(submission=sub, values={"B12": "权属清晰"}, actor=filler)
        services.do_check(submission=sub, actor=filler)
        services.do_sign(
            submission=sub,
            actor=filler,
            password=PASSWORD,
            otp=code(filler),
            signer_name="负责人",
            signer_title="",
            scan=b"%PDF-1.4\n",
        )
        services.do_submit(submission=sub, actor=filler)
        services.do_accept(submission=sub, actor=receiver)
    scan = tmp_path / "签批页.pdf"
    scan.write_bytes(b"%PDF-1.4\n% signed\n")
    town_sub = Submission.objects.get(period=period, unit_key=f"region:{town.pk}")
    county_sub = Submission.objects.get(period=period, unit_key=f"region:{county.pk}")
    return {"users": users, "town_sub": town_sub, "county_sub": county_sub, "scan": scan}


def fill_check_sign_submit(page, url: str, sub: Submission, user: User, scan, **cells) -> None:
    page.goto(f"{url}{sub.get_absolute_url()}")
    for name, value in cells.items():
        page.fill(f"input[name=cell_{name}]", value)
    page.select_option("select[name=cell_B12]", "权属清晰")
    page.click("button[name=then][value=check]")
    page.wait_for_load_state("networkidle")
    assert "校验通过" in page.content(), page.content()[:2000]
    page.fill("input[name=signer_name]", "王主任")
    page.fill("input[name=signer_title]", "主任")
    page.set_input_files("input[name=scan]", str(scan))
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=otp]", code(user))
    page.click("text=确认签批")
    page.wait_for_load_state("networkidle")
    assert "已签批" in page.content()
    page.click("button:has-text('报送')")
    page.wait_for_load_state("networkidle")


def test_township_submits_county_returns_then_accepts_and_submits_up(live_server, page, world):
    url = live_server.url
    users, town_sub, county_sub = world["users"], world["town_sub"], world["county_sub"]

    # 1. The township's bureau fills, checks, signs and submits its own figures.
    sign_in(page, url, users["town"])
    fill_check_sign_submit(page, url, town_sub, users["town"], world["scan"])
    assert state(town_sub) == SubmissionState.SUBMITTED
    assert page.locator("a:has-text('报送回执')").count() == 1

    # 2. The county returns it with a reason.
    sign_in(page, url, users["county"])
    page.goto(f"{url}{county_sub.period.get_absolute_url()}")
    page.click(f"a[href='{town_sub.get_absolute_url()}']")
    page.fill("textarea[name=reasons]", "请补充技术业务用房的主要用途")
    page.click("button:has-text('退回')")
    page.wait_for_load_state("networkidle")
    assert state(town_sub) == SubmissionState.RETURNED

    # 3. The township reads the reason, fixes and resubmits.
    sign_in(page, url, users["town"])
    page.goto(f"{url}{town_sub.get_absolute_url()}")
    assert "请补充技术业务用房的主要用途" in page.content()
    fill_check_sign_submit(page, url, town_sub, users["town"], world["scan"], C03="档案库房")
    assert state(town_sub) == SubmissionState.SUBMITTED
    assert town_sub.values["C03"] == "档案库房"

    # 4. The county accepts, then submits its own figures up to the city.
    sign_in(page, url, users["county"])
    page.goto(f"{url}{town_sub.get_absolute_url()}")
    page.click("button:has-text('接收')")
    page.wait_for_load_state("networkidle")
    assert state(town_sub) == SubmissionState.ACCEPTED
    fill_check_sign_submit(page, url, county_sub, users["county"], world["scan"])
    assert state(county_sub) == SubmissionState.SUBMITTED
    assert "报送至枣庄市" not in page.content()  # sent: the button is gone
    page.goto(f"{url}{county_sub.period.get_absolute_url()}")
    assert "下级报送已全部接收" in page.content()
