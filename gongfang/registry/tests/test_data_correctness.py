"""Issue 10, data correctness: overlapping occupancies, plausibility ceilings of areas, region
codes and their renumbering, control characters in text, 副省级市 organizations' standard row —
through the service (which pages, API and imports share), and through a page and the API."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from ...accounts.roles import Role
from ...framework.models import ObjectChange
from ...framework.services import service_for
from ...framework.testing.base import post_data
from ...standards.models import RuleParameter, StandardVersion, VersionKind
from .. import models as m
from ..choices import AdminLevel, RegionLevel
from ..services import renumber_region
from . import factories as f
from .world import WorldMixin, make_user

START = datetime.date(2024, 1, 1)


class DataCorrectnessCase(WorldMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.province_user = make_user(
            "bureau_sd", [Role.BUREAU_ADMIN], scope_region=cls.world.province
        )

    def create(self, model, **data):
        return service_for(model).create(actor=self.user_with_perm, data=data)[0]

    def update(self, obj, **data):
        return service_for(type(obj)).update(actor=self.user_with_perm, instance=obj, data=data)[0]

    def refused(self, fn, *args, **kwargs) -> dict[str, list[str]]:
        """The field errors of a refused write, after checking nothing was written."""
        changes = ObjectChange.objects.count()
        with pytest.raises(ValidationError) as exc:
            fn(*args, **kwargs)
        assert ObjectChange.objects.count() == changes
        return exc.value.message_dict

    def api(self) -> APIClient:
        client = APIClient()
        client.force_login(self.user_with_perm)
        return client


# 1. One person, one room, one period --------------------------------------------------------------
class OccupancyOverlapTests(DataCorrectnessCase):
    def occupancy(self, **data):
        a = self.world.a  # a.person already occupies a.room from 2024-01-01, open, primary
        return self.create(m.Occupancy, **{"person": a.person, "room": a.room, **data})

    def test_second_open_occupancy_of_the_same_room_is_refused_naming_person_and_room(self):
        errors = self.refused(
            self.occupancy, started_on=datetime.date(2025, 3, 1), is_primary=False
        )
        message = errors["room"][0]
        assert "滕州市张三" in message and "1号楼 101" in message
        assert "2024-01-01 起至今" in message
        assert m.Occupancy.objects.filter(person=self.world.a.person).count() == 1

    def test_a_closed_period_overlapping_is_refused_a_separate_one_accepted(self):
        errors = self.refused(
            self.occupancy,
            started_on=datetime.date(2023, 6, 1),
            ended_on=datetime.date(2024, 1, 1),
            is_primary=False,
        )
        assert "时间重叠" in errors["room"][0]
        earlier = self.occupancy(
            started_on=datetime.date(2023, 6, 1),
            ended_on=datetime.date(2023, 12, 31),
            is_primary=False,
        )
        # Editing a row does not collide with itself; moving it into the other period does.
        self.update(earlier, ended_on=datetime.date(2023, 11, 30))
        assert (
            "时间重叠"
            in self.refused(self.update, earlier, ended_on=datetime.date(2024, 2, 1))["room"][0]
        )

    def test_ending_the_first_lets_a_new_period_start(self):
        a = self.world.a
        self.update(a.occupancy, ended_on=datetime.date(2025, 1, 31))
        later = self.occupancy(started_on=datetime.date(2025, 2, 1), is_primary=True)
        assert later.pk

    def test_database_refuses_two_open_occupancies_of_one_person_in_one_room(self):
        a = self.world.a
        with pytest.raises(IntegrityError), transaction.atomic():
            m.Occupancy.objects.bulk_create(
                [m.Occupancy(person=a.person, room=a.room, started_on=START, is_primary=False)]
            )

    def test_api_answers_400_naming_the_room(self):
        a = self.world.a
        response = self.api().post(
            reverse("api:registry:occupancy-list"),
            {
                "person": a.person.pk,
                "room": a.room.pk,
                "started_on": "2025-03-01",
                "is_primary": False,
            },
            format="json",
        )
        assert response.status_code == 400, response.content
        assert "时间重叠" in response.json()["room"][0]


# 2. Plausibility ceilings -------------------------------------------------------------------------
class AreaCeilingTests(DataCorrectnessCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        m.Room.objects.update(building_area=None)  # the rooms' usable area may grow

    def test_a_room_of_1e9_square_metres_is_refused_naming_field_and_ceiling(self):
        errors = self.refused(self.update, self.world.a.room, usable_area=Decimal("1000000000"))
        message = errors["usable_area"][0]
        assert "使用面积" in message and "合理上限 300 平方米" in message
        assert "办公室房间面积合理上限" in message and "2014" in message

    def test_office_and_other_rooms_have_their_own_ceilings(self):
        room = self.world.a.room  # an office
        assert (
            "300" in self.refused(self.update, room, usable_area=Decimal("301"))["usable_area"][0]
        )
        self.update(room, category="other", subtype="", usable_area=Decimal("301"))
        assert (
            "10000"
            in self.refused(self.update, room, usable_area=Decimal("10001"))["usable_area"][0]
        )
        # A category change re-checks the area kept from before.
        assert "300" in self.refused(self.update, room, category="office")["usable_area"][0]

    def test_building_compound_and_canteen(self):
        a = self.world.a
        errors = self.refused(
            self.update,
            a.building,
            building_area=Decimal("2000000"),
            usable_area=Decimal("1500000"),
        )
        assert "建筑面积" in errors["building_area"][0] and "1000000" in errors["building_area"][0]
        assert "楼座面积合理上限" in errors["usable_area"][0]
        land = self.refused(self.update, a.compound, land_area=Decimal("20000000"))["land_area"]
        assert "土地面积" in land[0] and "10000000" in land[0]
        assert "usable_area" in self.refused(self.update, a.canteen, usable_area=Decimal("20000"))

    def test_a_local_version_sets_its_own_ceiling(self):
        a = self.world.a
        version = StandardVersion.objects.create(
            name="滕州市合理性参数（测试）",
            kind=VersionKind.LOCAL,
            region=a.region,
            source="滕州市机关事务服务中心文件（测试）",
            effective_from=datetime.date(2020, 1, 1),
        )
        RuleParameter.objects.create(
            version=version, key="max_office_room_m2", value=Decimal("60"), unit="m²"
        )
        message = self.refused(self.update, a.room, usable_area=Decimal("61"))["usable_area"][0]
        assert "合理上限 60 平方米" in message and "滕州市合理性参数" in message
        # Side b keeps the national figure.
        service_for(m.Room).update(
            actor=self.province_user,
            instance=self.world.b.room,
            data={"usable_area": Decimal("61")},
        )

    def test_unchanged_area_above_a_lowered_ceiling_does_not_block_other_edits(self):
        room = self.world.a.room
        m.Room.objects.filter(pk=room.pk).update(usable_area=Decimal("500"), building_area=None)
        room.refresh_from_db()
        self.update(room, name="大办公室")

    def test_api_refuses_1e9_with_400(self):
        a = self.world.a
        response = self.api().post(
            reverse("api:registry:room-list"),
            {
                "floor": a.floor.pk,
                "number": "999",
                "category": "office",
                "usable_area": "1000000000",
                "organization": a.org.pk,
            },
            format="json",
        )
        assert response.status_code == 400, response.content
        assert "合理上限" in response.json()["usable_area"][0]


# 3. Region codes ---------------------------------------------------------------------------------
class RegionCodeTests(DataCorrectnessCase):
    def update(self, obj, **data):
        return service_for(type(obj)).update(actor=self.province_user, instance=obj, data=data)[0]

    def new_region(self, code, level=RegionLevel.TOWNSHIP, name="新街道"):
        return self.create(m.Region, code=code, name=name, level=level, parent=self.world.a.region)

    def test_codes_follow_design_5(self):
        for code in ("hello", "37048", "3704810010", "37048100a", "370481\x01"):
            assert "code" in self.refused(self.new_region, code), code
        assert "应为 9 位或 12 位" in self.refused(self.new_region, "370481")["code"][0]
        county = (
            "应为 6 位"
            in self.refused(self.new_region, "370481001", level=RegionLevel.COUNTY)["code"][0]
        )
        assert county
        assert self.new_region("370481001").path.endswith("370481/370481001/")
        assert self.new_region("370481002003", name="某村").pk

    def test_code_of_a_region_in_use_is_not_editable(self):
        a = self.world.a
        message = self.refused(self.update, a.region, code="370485")["code"][0]
        assert "滕州市" in message and "单位" in message and "renumber_region" in message
        city = self.world.city
        assert "下级区划" in self.refused(self.update, city, code="370500")["code"][0]
        # Through the API as well.
        client = APIClient()
        client.force_login(self.user_with_perm)
        response = client.patch(
            reverse("api:registry:region-detail", args=[a.region.pk]),
            {"code": "370485"},
            format="json",
        )
        assert response.status_code == 400, response.content
        a.region.refresh_from_db()
        assert a.region.code == "370481"

    def test_an_account_does_not_renumber_its_own_scope(self):
        errors = self.refused(
            renumber_region, actor=self.user_with_perm, region=self.world.a.region, code="370485"
        )
        assert "上级区划" in errors["code"][0]

    def test_code_of_an_unused_region_can_be_corrected(self):
        town = self.new_region("370481001")
        assert self.update(town, code="370481002").path.endswith("370481/370481002/")

    def test_renumbering_rewrites_the_subtree_in_one_transaction(self):
        a = self.world.a
        town = self.new_region("370481001")
        region, _ = renumber_region(actor=self.province_user, region=a.region, code="370485")
        assert region.code == "370485" and region.path == "370000/370400/370485/"
        town.refresh_from_db()
        assert town.path == "370000/370400/370485/370481001/"
        change = ObjectChange.objects.filter(changed_object_id=a.region.pk).latest("pk")
        assert change.prechange_data["code"] == "370481"
        assert change.postchange_data["code"] == "370485"
        # An invalid or taken code changes nothing.
        assert "code" in self.refused(
            renumber_region, actor=self.province_user, region=region, code="37040"
        )
        assert "code" in self.refused(
            renumber_region, actor=self.province_user, region=region, code="370402"
        )
        town.refresh_from_db()
        assert town.path == "370000/370400/370485/370481001/"

    def test_renumber_through_the_api(self):
        a = self.world.a
        client = APIClient()
        client.force_login(self.province_user)
        url = reverse("api:registry:region-renumber", args=[a.region.pk])
        response = client.post(url, {"code": "hello"}, format="json")
        assert response.status_code == 400 and "区划代码" in response.json()["code"][0]
        response = client.post(url, {"code": "370485"}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["code"] == "370485"
        assert m.Region.objects.get(pk=a.region.pk).path == "370000/370400/370485/"

    def test_renumber_command(self):
        out = io.StringIO()
        call_command("renumber_region", "370481", "370485", by="bureau_sd", stdout=out)
        assert "370485" in out.getvalue()
        assert m.Region.objects.get(code="370485").organizations.count() == 2
        with pytest.raises(CommandError, match="不存在"):
            call_command("renumber_region", "999999", "370486", by="bureau_sd")
        with pytest.raises(CommandError, match="区划代码"):
            call_command("renumber_region", "370485", "hello", by="bureau_sd")


# 4. Control characters ----------------------------------------------------------------------------
class ControlCharacterTests(DataCorrectnessCase):
    def test_service_refuses_them_naming_the_field(self):
        message = self.refused(self.update, self.world.a.room, name="档案\x01室")["name"][0]
        assert "房间名称" in message and "U+0001" in message
        assert "U+001F" in self.refused(self.update, self.world.a.org, name="教育局\x1f")["name"][0]
        # Line breaks in a text area and tabs are text, not control characters.
        self.update(self.world.a.compound, address="荆河中路\n1号")

    def test_page_form_shows_the_message_on_the_field(self):
        room = self.world.a.room
        self.client.force_login(self.user_with_perm)
        response = self.client.post(
            reverse("registry:room_edit", args=[room.pk]), post_data(room, {"name": "档案\x01室"})
        )
        assert response.status_code == 200
        assert "U+0001" in response.context["form"].errors["name"][0]
        room.refresh_from_db()
        assert room.name == ""

    def test_api_answers_400(self):
        room = self.world.a.room
        response = self.api().patch(
            reverse("api:registry:room-detail", args=[room.pk]),
            {"name": "档案\x01室"},
            format="json",
        )
        assert response.status_code == 400, response.content
        assert "房间名称含有不可见的控制字符" in response.json()["name"][0]


# 5. 副省级市 --------------------------------------------------------------------------------------
class SubProvincialTests(DataCorrectnessCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.jinan = f.RegionFactory(
            code="370100", name="济南市", level=RegionLevel.CITY, parent=cls.world.province
        )
        cls.lixia = f.RegionFactory(
            code="370102", name="历下区", level=RegionLevel.COUNTY, parent=cls.jinan
        )

    def organization(self, region, level, **data):
        return service_for(m.Organization).create(
            actor=self.province_user,
            data={"name": "测试局", "kind": "government", "level": level, "region": region, **data},
        )[0]

    def test_a_department_of_jinan_takes_the_province_row(self):
        org = self.organization(self.jinan, AdminLevel.CITY)
        assert org.standard_level == AdminLevel.PROVINCE
        assert org.effective_standard_level == AdminLevel.PROVINCE

    def test_other_organizations_keep_their_own_level(self):
        assert self.organization(self.lixia, AdminLevel.COUNTY).standard_level == ""
        assert self.organization(self.world.city, AdminLevel.CITY).standard_level == ""

    def test_existing_organizations_get_the_default_by_migration(self):
        from importlib import import_module

        from django.apps import apps

        migration = import_module(
            "gongfang.registry.migrations.0006_occupancy_overlap_region_code_standard_level"
        )
        department = f.OrganizationFactory(region=self.jinan, level=AdminLevel.CITY)
        district = f.OrganizationFactory(region=self.lixia, level=AdminLevel.COUNTY)
        migration.default_standard_levels(apps, None)
        department.refresh_from_db()
        district.refresh_from_db()
        assert (department.standard_level, district.standard_level) == (AdminLevel.PROVINCE, "")

    def test_a_user_can_still_choose_the_row(self):
        org = self.organization(self.jinan, AdminLevel.CITY, standard_level=AdminLevel.CITY)
        assert org.effective_standard_level == AdminLevel.CITY
