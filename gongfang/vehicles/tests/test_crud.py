"""Page and API tests of every vehicles model from the generic mixins (framework.testing), with
the scope of the registry's two-sided world, and what is particular to each model."""

from __future__ import annotations

from typing import Any

from django.test import TestCase
from django.urls import reverse

from ...framework.services import service_for
from ...framework.testing import APITestCases, ViewTestCases
from ..models import (
    AnnualInspection,
    Driver,
    FuelCard,
    FuelRecord,
    InsurancePolicy,
    RepairRecord,
    RepairShop,
    Vehicle,
    VehicleQuota,
    VehicleStandard,
    VehicleStandardParameter,
    VehicleStandardRow,
)
from ..selectors import quotas_with_use
from .factories import make_vin
from .world import VehiclesWorldMixin


class Data(VehiclesWorldMixin):
    """In scope: side ``a``'s object (the attribute ``name``); out of scope: side ``b``'s."""

    name: str

    def in_scope_object(self):
        return getattr(self.world.a, self.name)

    def out_of_scope_object(self):
        return getattr(self.world.b, self.name)

    def side(self, in_scope: bool):
        return self.world.a if in_scope else self.world.b

    def deletable_object(self):
        data = {}
        for name, value in self.create_data().items():
            field = self.model._meta.get_field(name)
            if field.is_relation and not isinstance(value, field.related_model):
                value = field.related_model.objects.get(pk=value)
            data[name] = value
        obj, _ = service_for(self.model).create(actor=self.user_with_perm, data=data)
        return obj


class VehicleData(Data):
    model = Vehicle
    name = "vehicle"

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        return {
            "organization": self.side(in_scope).org.pk,
            "plate": "鲁DD12345",
            "vin": make_vin(777),
            "category": "general",
            "body": "sedan",
            "brand": "比亚迪",
            "model_name": "秦 PLUS EV",
            "energy": "electric",
            "price": "149800.00",
            "seats": 5,
            "bought_on": "2025-11-03",
            "mileage": 1200,
            "status": "in_use",
        }

    def update_data(self) -> dict[str, Any]:
        return {"mileage": 61000}


class DriverData(Data):
    model = Driver
    name = "driver"

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        return {
            "organization": self.side(in_scope).org.pk,
            "name": "李师傅",
            "phone": "13800138000",
            "license_class": "B1",
            "license_expires_on": "2031-05-01",
            "active": True,
        }

    def update_data(self) -> dict[str, Any]:
        return {"license_class": "A1"}


class QuotaData(Data):
    model = VehicleQuota
    name = "vehicle_quota"

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        return {
            "organization": self.side(in_scope).org.pk,
            "category": "law_enforcement",
            "count": 4,
            "approved_by_document": "枣机管发〔2025〕12号",
        }

    def update_data(self) -> dict[str, Any]:
        return {"count": 3}


class StandardData(Data):
    model = VehicleStandard
    name = "standard"

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        return {
            "name": "补充标准",
            "region": self.side(in_scope).region.pk,
            "source": "县政府文件",
            "effective_from": "2026-01-01",
        }

    def update_data(self) -> dict[str, Any]:
        return {"source": "县机关事务管理局文件"}


class StandardRowData(Data):
    model = VehicleStandardRow
    name = "standard_row"

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        return {
            "standard": self.side(in_scope).standard.pk,
            "category": "law_enforcement",
            "body_class": "small",
            "price_cap": "100000.00",
            "displacement_cap": "1.5",
        }

    def update_data(self) -> dict[str, Any]:
        return {"price_cap": "150000.00"}


class StandardParameterData(Data):
    model = VehicleStandardParameter
    name = "standard_parameter"

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        return {
            "standard": self.side(in_scope).standard.pk,
            "key": "renewal_years",
            "value": "10",
            "unit": "年",
        }

    def update_data(self) -> dict[str, Any]:
        return {"value": "0.5"}


class FuelCardData(Data):
    model = FuelCard
    name = "fuel_card"

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        return {
            "vehicle": self.side(in_scope).vehicle.pk,
            "number": "9000123456",
            "issuer": "petrochina",
            "active": True,
        }

    def update_data(self) -> dict[str, Any]:
        return {"issuer": "cnooc"}


class FuelRecordData(Data):
    model = FuelRecord
    name = "fuel_record"

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        side = self.side(in_scope)
        return {
            "vehicle": side.vehicle.pk,
            "card": side.fuel_card.pk,
            "filled_on": "2026-01-20",
            "litres": "40.00",
            "amount": "312.00",
            "odometer": 50_300,
        }

    def update_data(self) -> dict[str, Any]:
        return {"amount": "300.00"}


class RepairShopData(Data):
    model = RepairShop
    name = "shop"

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        return {"name": "新开汽修", "region": self.side(in_scope).region.pk, "designated": True}

    def update_data(self) -> dict[str, Any]:
        return {"address": "北京路 9 号"}


class RepairRecordData(Data):
    model = RepairRecord
    name = "repair"

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        side = self.side(in_scope)
        return {
            "vehicle": side.vehicle.pk,
            "shop": side.shop.pk,
            "kind": "repair",
            "repaired_on": "2026-01-22",
            "amount": "1200.00",
            "description": "更换刹车片",
        }

    def update_data(self) -> dict[str, Any]:
        return {"amount": "1100.00"}


class InsuranceData(Data):
    model = InsurancePolicy
    name = "policy"

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        return {
            "vehicle": self.side(in_scope).vehicle.pk,
            "kind": "commercial",
            "insurer": "中国平安财产保险",
            "start_on": "2026-01-01",
            "end_on": "2026-12-31",
            "premium": "2300.00",
        }

    def update_data(self) -> dict[str, Any]:
        return {"premium": "2200.00"}


class InspectionData(Data):
    model = AnnualInspection
    name = "inspection"

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        return {"vehicle": self.side(in_scope).vehicle.pk, "due_on": "2027-06-01"}

    def update_data(self) -> dict[str, Any]:
        return {"station": "滕州市机动车检测站"}


DATA = (
    VehicleData,
    DriverData,
    QuotaData,
    StandardData,
    StandardRowData,
    StandardParameterData,
    FuelCardData,
    FuelRecordData,
    RepairShopData,
    RepairRecordData,
    InsuranceData,
    InspectionData,
)


class TestVehicleViews(VehicleData, ViewTestCases.PrimaryObjectViewTestCase):
    def test_vehicle_page_shows_costs_quota_and_renewal(self):
        self.client.force_login(self.user_with_perm)
        response = self.client.get(self.world.a.vehicle.get_absolute_url())
        content = response.content.decode()
        self.assertIn("近 30 天燃油费", content)
        self.assertIn("车辆编制：一般公务用车", content)
        self.assertIn("更新条件", content)
        self.assertIn(self.world.a.fuel_record.get_absolute_url(), content)
        self.assertIn(self.world.a.inspection.get_absolute_url(), content)

    def test_bad_plate_and_vin_are_refused_with_the_reason(self):
        self.client.force_login(self.user_with_perm)
        data = {**self.create_data(), "plate": "WJ鲁12345", "vin": make_vin(777)[:8] + "0X"}
        response = self.client.post(reverse("vehicles:vehicle_add"), data)
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        self.assertIn("武警", "".join(errors["plate"]))
        self.assertIn("17 位", "".join(errors["vin"]))

    def test_new_energy_plate_must_fit_the_energy(self):
        self.client.force_login(self.user_with_perm)
        data = {**self.create_data(), "energy": "petrol", "displacement": "1.5"}
        response = self.client.post(reverse("vehicles:vehicle_add"), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("新能源号牌", "".join(response.context["form"].errors["plate"]))

    def test_region_and_new_energy_are_derived(self):
        vehicle, _ = service_for(Vehicle).create(
            actor=self.user_with_perm,
            data={
                **self.create_data(),
                "organization": self.world.a.org,
                "plate": "鲁d·d54321",
                "vin": make_vin(778).lower(),
            },
        )
        self.assertEqual(vehicle.region, self.world.a.region)
        self.assertTrue(vehicle.new_energy)
        self.assertEqual((vehicle.plate, vehicle.vin), ("鲁DD54321", make_vin(778)))

    def test_a_vehicle_carries_archive_documents_in_its_scope(self):
        from ...archives.subjects import can_see_subject, subject_region

        a, b = self.world.a, self.world.b
        self.assertEqual(subject_region(a.vehicle), a.region)
        self.assertTrue(can_see_subject(self.user_org_scoped, a.vehicle))
        self.assertFalse(can_see_subject(self.user_org_scoped, b.vehicle))
        self.client.force_login(self.user_with_perm)
        self.assertContains(self.client.get(a.vehicle.get_absolute_url()), "档案资料")


class TestVehicleAPI(VehicleData, APITestCases.APIViewTestCase):
    pass


class TestDriverViews(DriverData, ViewTestCases.PrimaryObjectViewTestCase):
    def test_phone_masked_in_the_list_and_shown_on_the_page(self):
        self.client.force_login(self.user_with_perm)
        driver = self.world.a.driver
        listing = self.client.get(reverse("vehicles:driver_list")).content.decode()
        self.assertNotIn(driver.phone, listing)
        self.assertIn(driver.phone[:3] + "****" + driver.phone[-4:], listing)
        page = self.client.get(driver.get_absolute_url()).content.decode()
        self.assertIn(driver.phone, page)


class TestDriverAPI(DriverData, APITestCases.APIViewTestCase):
    def test_phone_masked_in_the_api_list(self):
        self.client.force_login(self.user_with_perm)
        rows = self.client.get(self.list_url()).json()["results"]
        self.assertTrue(rows)
        self.assertTrue(all("****" in row["phone"] for row in rows))


class TestQuotaViews(QuotaData, ViewTestCases.PrimaryObjectViewTestCase):
    def test_list_shows_used_and_free(self):
        self.client.force_login(self.user_with_perm)
        response = self.client.get(reverse("vehicles:vehiclequota_list"))
        self.assertContains(response, "在编车辆")
        quota = quotas_with_use(VehicleQuota.objects.filter(pk=self.world.a.vehicle_quota.pk)).get()
        self.assertEqual((quota.used, quota.free), (1, 1))

    def test_a_unit_reads_its_quota_but_cannot_set_it(self):
        self.client.force_login(self.user_org_scoped)
        quota = self.world.a.vehicle_quota
        self.assertEqual(self.client.get(quota.get_absolute_url()).status_code, 200)
        response = self.client.post(reverse("vehicles:vehiclequota_add"), self.create_data())
        self.assertEqual(response.status_code, 403)
        self.assertFalse(VehicleQuota.objects.filter(category="law_enforcement").exists())


class TestQuotaAPI(QuotaData, APITestCases.APIViewTestCase):
    pass


class TestStandardViews(StandardData, ViewTestCases.PrimaryObjectViewTestCase):
    def test_national_standard_is_shown_read_only(self):
        self.client.force_login(self.user_with_perm)
        national = VehicleStandard.objects.get(kind="national")
        response = self.client.get(national.get_absolute_url())
        self.assertContains(response, "机要通信用车")
        self.assertNotContains(
            response, reverse("vehicles:vehiclestandard_edit", args=[national.pk])
        )


class TestStandardAPI(StandardData, APITestCases.APIViewTestCase):
    pass


class TestStandardRowViews(StandardRowData, ViewTestCases.PrimaryObjectViewTestCase):
    pass


class TestStandardRowAPI(StandardRowData, APITestCases.APIViewTestCase):
    def test_looser_than_national_is_refused(self):
        self.client.force_login(self.user_with_perm)
        data = {**self.create_data(), "price_cap": "190000.00"}
        response = self.client.post(self.list_url(), data, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("只能比国家标准更严", response.content.decode())


class TestStandardParameterViews(StandardParameterData, ViewTestCases.PrimaryObjectViewTestCase):
    pass


class TestStandardParameterAPI(StandardParameterData, APITestCases.APIViewTestCase):
    pass


class TestFuelCardViews(FuelCardData, ViewTestCases.PrimaryObjectViewTestCase):
    pass


class TestFuelCardAPI(FuelCardData, APITestCases.APIViewTestCase):
    pass


class TestFuelRecordViews(FuelRecordData, ViewTestCases.PrimaryObjectViewTestCase):
    def test_odometer_raises_the_mileage_and_card_must_be_the_cars(self):
        vehicle = self.world.a.vehicle
        service_for(FuelRecord).create(
            actor=self.user_with_perm,
            data={
                "vehicle": vehicle,
                "filled_on": "2026-01-21",
                "litres": "30",
                "amount": "240",
                "odometer": 52_000,
            },
        )
        vehicle.refresh_from_db()
        self.assertEqual(vehicle.mileage, 52_000)
        self.client.force_login(self.user_with_perm)
        data = {**self.create_data(), "card": self.world.b.fuel_card.pk}
        response = self.client.post(reverse("vehicles:fuelrecord_add"), data)
        self.assertEqual(response.status_code, 200)


class TestFuelRecordAPI(FuelRecordData, APITestCases.APIViewTestCase):
    pass


class TestRepairShopViews(RepairShopData, ViewTestCases.PrimaryObjectViewTestCase):
    def test_a_unit_sees_its_regions_shops_but_cannot_add_one(self):
        self.client.force_login(self.user_org_scoped)
        content = self.client.get(reverse("vehicles:repairshop_list")).content.decode()
        self.assertIn(self.world.a.shop.name, content)
        self.assertNotIn(self.world.b.shop.name, content)
        self.client.post(reverse("vehicles:repairshop_add"), self.create_data())
        self.assertFalse(RepairShop.objects.filter(name="新开汽修").exists())


class TestRepairShopAPI(RepairShopData, APITestCases.APIViewTestCase):
    pass


class TestRepairRecordViews(RepairRecordData, ViewTestCases.PrimaryObjectViewTestCase):
    pass


class TestRepairRecordAPI(RepairRecordData, APITestCases.APIViewTestCase):
    pass


class TestInsuranceViews(InsuranceData, ViewTestCases.PrimaryObjectViewTestCase):
    pass


class TestInsuranceAPI(InsuranceData, APITestCases.APIViewTestCase):
    pass


class TestInspectionViews(InspectionData, ViewTestCases.PrimaryObjectViewTestCase):
    pass


class TestInspectionAPI(InspectionData, APITestCases.APIViewTestCase):
    pass


class TestSummaryPages(VehiclesWorldMixin, TestCase):
    def test_overview_new_energy_and_costs_pages(self):
        self.client.force_login(self.user_with_perm)
        for name in ("overview", "new_energy", "costs"):
            response = self.client.get(reverse(f"vehicles:{name}"), {"year": "2020"})
            self.assertEqual(response.status_code, 200, name)
        self.client.force_login(self.user_no_role)
        self.assertEqual(self.client.get(reverse("vehicles:overview")).status_code, 403)
