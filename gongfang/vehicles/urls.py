"""Pages of vehicles: the overview (``vehicles:overview``), the new-energy share and cost pages,
and the generic pages of every model (``vehicles:vehicle_list``, ``vehicle``, ``vehicle_add`` …)."""

from __future__ import annotations

from django.urls import path

from ..framework.routes import object_urls
from . import views as v
from .dispatch_urls import urlpatterns as dispatch_urlpatterns

app_name = "vehicles"

urlpatterns = [
    path("", v.OverviewView.as_view(), name="overview"),
    path("new-energy/", v.NewEnergyView.as_view(), name="new_energy"),
    path("costs/", v.CostsView.as_view(), name="costs"),
    *object_urls(
        "fleet",
        "vehicle",
        v.VehicleListView,
        v.VehicleView,
        v.VehicleEditView,
        v.VehicleDeleteView,
    ),
    *object_urls(
        "drivers",
        "driver",
        *v.DriverViews,
    ),
    *object_urls(
        "quotas",
        "vehiclequota",
        v.VehicleQuotaListView,
        v.VehicleQuotaView,
        v.VehicleQuotaEditView,
        v.VehicleQuotaDeleteView,
    ),
    *object_urls(
        "standards",
        "vehiclestandard",
        v.VehicleStandardListView,
        v.VehicleStandardView,
        v.VehicleStandardEditView,
        v.VehicleStandardDeleteView,
    ),
    *object_urls(
        "standard-rows",
        "vehiclestandardrow",
        *v.StandardRowViews,
    ),
    *object_urls(
        "standard-parameters",
        "vehiclestandardparameter",
        *v.StandardParameterViews,
    ),
    *object_urls("fuel-cards", "fuelcard", *v.FuelCardViews),
    *object_urls("fuel", "fuelrecord", *v.FuelRecordViews),
    *object_urls(
        "repair-shops",
        "repairshop",
        *v.RepairShopViews,
    ),
    *object_urls("repairs", "repairrecord", *v.RepairRecordViews),
    *object_urls("insurance", "insurancepolicy", *v.InsurancePolicyViews),
    *object_urls("inspections", "annualinspection", *v.AnnualInspectionViews),
]
urlpatterns += dispatch_urlpatterns
