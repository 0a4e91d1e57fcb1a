"""Pages of vehicles: the overview (``vehicles:overview``), the new-energy share and cost pages,
and the generic pages of every model (``vehicles:vehicle_list``, ``vehicle``, ``vehicle_add`` …)."""

from __future__ import annotations

from django.urls import path

from . import views as v
from .dispatch_urls import urlpatterns as dispatch_urlpatterns

app_name = "vehicles"

urlpatterns = [
    path("", v.OverviewView.as_view(), name="overview"),
    path("new-energy/", v.NewEnergyView.as_view(), name="new_energy"),
    path("costs/", v.CostsView.as_view(), name="costs"),
    *v.object_urls(
        "fleet",
        "vehicle",
        (v.VehicleListView, v.VehicleView, v.VehicleEditView, v.VehicleDeleteView),
    ),
    *v.object_urls(
        "drivers",
        "driver",
        v.DriverViews,
    ),
    *v.object_urls(
        "quotas",
        "vehiclequota",
        (
            v.VehicleQuotaListView,
            v.VehicleQuotaView,
            v.VehicleQuotaEditView,
            v.VehicleQuotaDeleteView,
        ),
    ),
    *v.object_urls(
        "standards",
        "vehiclestandard",
        (
            v.VehicleStandardListView,
            v.VehicleStandardView,
            v.VehicleStandardEditView,
            v.VehicleStandardDeleteView,
        ),
    ),
    *v.object_urls(
        "standard-rows",
        "vehiclestandardrow",
        v.StandardRowViews,
    ),
    *v.object_urls(
        "standard-parameters",
        "vehiclestandardparameter",
        v.StandardParameterViews,
    ),
    *v.object_urls("fuel-cards", "fuelcard", v.FuelCardViews),
    *v.object_urls("fuel", "fuelrecord", v.FuelRecordViews),
    *v.object_urls(
        "repair-shops",
        "repairshop",
        v.RepairShopViews,
    ),
    *v.object_urls("repairs", "repairrecord", v.RepairRecordViews),
    *v.object_urls("insurance", "insurancepolicy", v.InsurancePolicyViews),
    *v.object_urls("inspections", "annualinspection", v.AnnualInspectionViews),
]
urlpatterns += dispatch_urlpatterns
