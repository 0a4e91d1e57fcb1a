"""Viewsets of vehicles (generic CRUD, scoped; the filtersets of the list pages)."""

from __future__ import annotations

from ...framework.api.viewsets import ObjectViewSet
from .. import filtersets as f
from .. import models as m
from . import serializers as s


def _viewset(model, serializer, filterset, doc: str, *related: str) -> type[ObjectViewSet]:
    return type(
        f"{model.__name__}ViewSet",
        (ObjectViewSet,),
        {
            "__module__": __name__,
            "__doc__": doc,
            "queryset": model.objects.select_related(*related),
            "serializer_class": serializer,
            "filterset_class": filterset,
        },
    )


VehicleViewSet = _viewset(
    m.Vehicle,
    s.VehicleSerializer,
    f.VehicleFilterSet,
    "公务用车台账。",
    "organization",
    "region",
    "parking_compound",
)
DriverViewSet = _viewset(
    m.Driver, s.DriverSerializer, f.DriverFilterSet, "驾驶员。", "organization"
)
VehicleQuotaViewSet = _viewset(
    m.VehicleQuota,
    s.VehicleQuotaSerializer,
    f.VehicleQuotaFilterSet,
    "车辆编制（由机关事务管理局核定）。",
    "organization",
)
VehicleStandardViewSet = _viewset(
    m.VehicleStandard,
    s.VehicleStandardSerializer,
    f.VehicleStandardFilterSet,
    "公务用车标准版本：国家标准只读；地方标准由管辖其区划的机关事务管理员维护。",
    "region",
)
VehicleStandardRowViewSet = _viewset(
    m.VehicleStandardRow,
    s.VehicleStandardRowSerializer,
    f.VehicleStandardRowFilterSet,
    "公务用车配备标准（各类别、车型类别的价格与排气量上限）。",
    "standard",
)
VehicleStandardParameterViewSet = _viewset(
    m.VehicleStandardParameter,
    s.VehicleStandardParameterSerializer,
    f.VehicleStandardParameterFilterSet,
    "公务用车标准参数。",
    "standard",
)
FuelCardViewSet = _viewset(
    m.FuelCard, s.FuelCardSerializer, f.FuelCardFilterSet, "加油卡。", "vehicle"
)
FuelRecordViewSet = _viewset(
    m.FuelRecord, s.FuelRecordSerializer, f.FuelRecordFilterSet, "加油记录。", "vehicle", "card"
)
RepairShopViewSet = _viewset(
    m.RepairShop, s.RepairShopSerializer, f.RepairShopFilterSet, "维修单位。", "region"
)
RepairRecordViewSet = _viewset(
    m.RepairRecord,
    s.RepairRecordSerializer,
    f.RepairRecordFilterSet,
    "维修记录。",
    "vehicle",
    "shop",
)
InsurancePolicyViewSet = _viewset(
    m.InsurancePolicy,
    s.InsurancePolicySerializer,
    f.InsurancePolicyFilterSet,
    "车辆保险。",
    "vehicle",
)
AnnualInspectionViewSet = _viewset(
    m.AnnualInspection,
    s.AnnualInspectionSerializer,
    f.AnnualInspectionFilterSet,
    "车辆年检。",
    "vehicle",
)

ROUTES = (
    ("vehicles", VehicleViewSet),
    ("drivers", DriverViewSet),
    ("quotas", VehicleQuotaViewSet),
    ("standards", VehicleStandardViewSet),
    ("standard-rows", VehicleStandardRowViewSet),
    ("standard-parameters", VehicleStandardParameterViewSet),
    ("fuel-cards", FuelCardViewSet),
    ("fuel-records", FuelRecordViewSet),
    ("repair-shops", RepairShopViewSet),
    ("repair-records", RepairRecordViewSet),
    ("insurance-policies", InsurancePolicyViewSet),
    ("annual-inspections", AnnualInspectionViewSet),
)
