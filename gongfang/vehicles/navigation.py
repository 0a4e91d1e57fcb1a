"""The 公务用车 menu group, and the vehicle panels on the registry's organization pages."""

from __future__ import annotations

from ..framework.navigation import MENU, MenuGroup, MenuItem, register_menu

VEHICLES_MENU = MenuGroup(
    "公务用车",
    items=(
        MenuItem("公务用车概况", "vehicles.Vehicle", "vehicles:overview"),
        MenuItem("车辆台账", "vehicles.Vehicle", "vehicles:vehicle_list"),
        # The dispatch pages (vehicles.dispatch_views): the board opens the bureau's region
        # board for a bureau account, the unit's own for a unit.
        MenuItem("派车看板", "vehicles.Dispatch", "vehicles:dispatch_board"),
        MenuItem("派车单", "vehicles.Dispatch", "vehicles:dispatch_list"),
        MenuItem("驾驶员", "vehicles.Driver", "vehicles:driver_list"),
        MenuItem("车辆编制", "vehicles.VehicleQuota", "vehicles:vehiclequota_list"),
        MenuItem("新能源配备比例", "vehicles.Vehicle", "vehicles:new_energy"),
        MenuItem("运行费用", "vehicles.FuelRecord", "vehicles:costs"),
        MenuItem("加油卡", "vehicles.FuelCard", "vehicles:fuelcard_list"),
        MenuItem("加油记录", "vehicles.FuelRecord", "vehicles:fuelrecord_list"),
        MenuItem("维修记录", "vehicles.RepairRecord", "vehicles:repairrecord_list"),
        MenuItem("维修单位", "vehicles.RepairShop", "vehicles:repairshop_list"),
        MenuItem("车辆保险", "vehicles.InsurancePolicy", "vehicles:insurancepolicy_list"),
        MenuItem("年检", "vehicles.AnnualInspection", "vehicles:annualinspection_list"),
        MenuItem("公务用车标准", "vehicles.VehicleStandard", "vehicles:vehiclestandard_list"),
    ),
)


def register() -> None:
    from ..framework.objectactions import register_object_actions

    if VEHICLES_MENU not in MENU:
        register_menu(VEHICLES_MENU)
    register_object_actions(object_actions)


def object_actions(user, obj) -> list:
    """An organization's page links to its vehicles and its quotas."""
    from django.urls import reverse

    from ..framework.objectactions import ObjectAction
    from ..registry.models import Organization
    from .models import Vehicle, VehicleQuota

    if not isinstance(obj, Organization):
        return []
    actions = []
    if user.has_model_perm(Vehicle, "view"):
        url = reverse("vehicles:vehicle_list")
        actions.append(ObjectAction("公务用车", f"{url}?unit={obj.pk}", icon="car"))
    if user.has_model_perm(VehicleQuota, "view"):
        url = reverse("vehicles:vehiclequota_list")
        actions.append(ObjectAction("车辆编制", f"{url}?organization={obj.pk}"))
    return actions
