"""A three-level world for reporting: 枣庄市 (city) → 滕州市 (county) → 荆河街道 (township).

Each region has one organization with an office room; the city's bureau opens the period.
Accounts: the bureau of each level, the township organization's unit admin.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.test import TestCase

from ...accounts.otp import current_code, provision_device
from ...accounts.roles import Role
from ...registry.choices import AdminLevel, RegionLevel, RoomCategory
from ...registry.tests import factories as f
from ...registry.tests.world import PASSWORD, make_user
from .. import services
from ..choices import SubmissionState
from ..models import ReportForm, Submission

AS_OF = datetime.date(2026, 6, 30)
DEADLINE = datetime.date(2026, 12, 31)
PDF = b"%PDF-1.4\n% signed page\n"


def sign_kwargs(user) -> dict:
    """Password and a fresh authenticator code (the device reset as if a minute later)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = provision_device(user=user)
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    device.refresh_from_db()
    return {
        "password": PASSWORD,
        "otp": current_code(device),
        "signer_name": "王局长",
        "signer_title": "局长",
        "scan": PDF,
    }


class ReportingWorld(TestCase):
    @classmethod
    def setUpTestData(cls):
        province = f.RegionFactory(code="370000", name="山东省", level=RegionLevel.PROVINCE)
        cls.city = f.RegionFactory(
            code="370400", name="枣庄市", level=RegionLevel.CITY, parent=province
        )
        cls.county = f.RegionFactory(
            code="370481", name="滕州市", level=RegionLevel.COUNTY, parent=cls.city
        )
        cls.town = f.RegionFactory(
            code="370481001", name="荆河街道", level=RegionLevel.TOWNSHIP, parent=cls.county
        )
        cls.orgs = {}
        for region, level, name in (
            (cls.city, AdminLevel.CITY, "枣庄市教育局"),
            (cls.county, AdminLevel.COUNTY, "滕州市教育局"),
            (cls.town, AdminLevel.TOWNSHIP, "荆河街道党政办"),
        ):
            org = f.OrganizationFactory(name=name, region=region, level=level)
            compound = f.CompoundFactory(name=f"{name}院", region=region, owner_org=org)
            floor = f.FloorFactory(
                building=f.BuildingFactory(compound=compound, name="1号楼"), number=1
            )
            f.RoomFactory(floor=floor, number="101", organization=org, usable_area=Decimal("18.00"))
            f.RoomFactory(
                floor=floor,
                number="102",
                organization=org,
                category=RoomCategory.SERVICE,
                subtype="会议室",
                usable_area=Decimal("40.00"),
                building_area=Decimal("50.00"),
            )
            f.PersonFactory(organization=org, number="001", name=f"{name}张三")
            cls.orgs[region.pk] = org
        cls.city_bureau = make_user("city_bureau", [Role.BUREAU_ADMIN], scope_region=cls.city)
        cls.county_bureau = make_user("county_bureau", [Role.BUREAU_ADMIN], scope_region=cls.county)
        cls.town_bureau = make_user("town_bureau", [Role.BUREAU_ADMIN], scope_region=cls.town)
        cls.town_unit = make_user(
            "town_unit", [Role.UNIT_ADMIN], scope_organization=cls.orgs[cls.town.pk]
        )
        cls.city_unit = make_user(
            "city_unit", [Role.UNIT_ADMIN], scope_organization=cls.orgs[cls.city.pk]
        )
        cls.county_unit = make_user(
            "county_unit", [Role.UNIT_ADMIN], scope_organization=cls.orgs[cls.county.pk]
        )
        cls.form = ReportForm.objects.get(region__isnull=True)
        cls.period = services.do_open_period(
            form=cls.form,
            region=cls.city,
            year=2026,
            as_of=AS_OF,
            deadline=DEADLINE,
            actor=cls.city_bureau,
        )

    # Helpers ------------------------------------------------------------------------------------
    def sub(self, region, *, org: bool) -> Submission:
        key = f"org:{self.orgs[region.pk].pk}" if org else f"region:{region.pk}"
        return Submission.objects.get(period=self.period, unit_key=key, is_current=True)

    def complete(self, submission: Submission) -> None:
        """Fill what the pre-fill leaves open (ownership, bureaus' tables) so checks pass."""
        values = {"B12": "权属清晰"}
        services.do_save(submission=submission, values=values, actor=self.filler(submission))

    def filler(self, submission: Submission):
        if submission.organization_id:
            return {
                self.town.pk: self.town_unit,
                self.county.pk: self.county_unit,
                self.city.pk: self.city_unit,
            }[submission.region_id]
        return {
            self.city.pk: self.city_bureau,
            self.county.pk: self.county_bureau,
            self.town.pk: self.town_bureau,
        }[submission.region_id]

    def send(self, submission: Submission) -> Submission:
        """Fill, check, sign and submit."""
        actor = self.filler(submission)
        self.complete(submission)
        checked = services.do_check(submission=submission, actor=actor)
        self.assertEqual(checked.state, SubmissionState.CHECKED, checked.check_results)
        services.do_sign(submission=submission, actor=actor, **sign_kwargs(actor))
        return services.do_submit(submission=submission, actor=actor)
