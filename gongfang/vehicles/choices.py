"""Fixed vocabularies of official vehicles (《党政机关公务用车管理办法》, 2017)."""

from __future__ import annotations

from django.db import models


class VehicleCategory(models.TextChoices):
    """The categories of the 2017 rules; the standard's caps are given per category."""

    CONFIDENTIAL = "confidential", "机要通信用车"
    EMERGENCY = "emergency", "应急保障用车"
    LAW_ENFORCEMENT = "law_enforcement", "执法执勤用车"
    SPECIAL = "special", "特种专业技术用车"
    GENERAL = "general", "一般公务用车"
    OTHER = "other", "其他用车"


class VehicleBody(models.TextChoices):
    """The body of a vehicle: the caps differ for small vehicles, medium and large buses."""

    SEDAN = "sedan", "轿车"
    SUV = "suv", "越野车"
    MPV = "mpv", "多用途乘用车"
    MEDIUM_BUS = "medium_bus", "中型客车"
    LARGE_BUS = "large_bus", "大型客车"
    SPECIAL = "special", "专用车"


class BodyClass(models.TextChoices):
    """The classes the standard's caps are given for (轿车或者其他小型客车 / 中型 / 大型客车)."""

    SMALL = "small", "轿车或其他小型客车"
    MEDIUM_BUS = "medium_bus", "中型客车"
    LARGE_BUS = "large_bus", "大型客车"
    SPECIAL = "special", "专用车"


BODY_CLASS: dict[str, str] = {
    VehicleBody.SEDAN: BodyClass.SMALL,
    VehicleBody.SUV: BodyClass.SMALL,
    VehicleBody.MPV: BodyClass.SMALL,
    VehicleBody.MEDIUM_BUS: BodyClass.MEDIUM_BUS,
    VehicleBody.LARGE_BUS: BodyClass.LARGE_BUS,
    VehicleBody.SPECIAL: BodyClass.SPECIAL,
}


class Energy(models.TextChoices):
    PETROL = "petrol", "汽油"
    DIESEL = "diesel", "柴油"
    HYBRID = "hybrid", "混合动力"
    PLUGIN_HYBRID = "plugin_hybrid", "插电式混合动力"
    ELECTRIC = "electric", "纯电动"
    FUEL_CELL = "fuel_cell", "燃料电池"


# 新能源汽车: plug-in hybrids (incl. range extenders), battery electric and fuel cell vehicles;
# a conventional (non plug-in) hybrid is not new-energy.
NEW_ENERGY = frozenset({Energy.PLUGIN_HYBRID, Energy.ELECTRIC, Energy.FUEL_CELL})
# No combustion engine: no displacement.
NO_ENGINE = frozenset({Energy.ELECTRIC, Energy.FUEL_CELL})


class VehicleStatus(models.TextChoices):
    IN_USE = "in_use", "在用"
    REPAIR = "repair", "维修"
    SEALED = "sealed", "封存"
    PENDING_DISPOSAL = "pending_disposal", "待处置"
    DISPOSED = "disposed", "已处置"


# Statuses that hold a place of the quota (编制): everything not yet disposed of.
HOLDS_QUOTA = (
    VehicleStatus.IN_USE,
    VehicleStatus.REPAIR,
    VehicleStatus.SEALED,
    VehicleStatus.PENDING_DISPOSAL,
)


class DisposalKind(models.TextChoices):
    AUCTION = "auction", "拍卖"
    SCRAP = "scrap", "报废"
    TRANSFER = "transfer", "调拨"


class LicenseClass(models.TextChoices):
    A1 = "A1", "A1 大型客车"
    A2 = "A2", "A2 牵引车"
    A3 = "A3", "A3 城市公交车"
    B1 = "B1", "B1 中型客车"
    B2 = "B2", "B2 大型货车"
    C1 = "C1", "C1 小型汽车"
    C2 = "C2", "C2 小型自动挡汽车"


class FuelCardIssuer(models.TextChoices):
    SINOPEC = "sinopec", "中国石化"
    PETROCHINA = "petrochina", "中国石油"
    CNOOC = "cnooc", "中国海油"
    CHARGING = "charging", "充电卡"
    OTHER = "other", "其他"


class RepairKind(models.TextChoices):
    MAINTENANCE = "maintenance", "保养"
    REPAIR = "repair", "维修"
    ACCIDENT = "accident", "事故维修"


class InsuranceKind(models.TextChoices):
    COMPULSORY = "compulsory", "交强险"
    COMMERCIAL = "commercial", "商业险"


class InspectionResult(models.TextChoices):
    PASSED = "passed", "合格"
    FAILED = "failed", "不合格"


class DispatchState(models.TextChoices):
    REQUESTED = "requested", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"
    ASSIGNED = "assigned", "已派车"
    DEPARTED = "departed", "已出车"
    RETURNED = "returned", "已还车"
    CANCELLED = "cancelled", "已取消"


# Dispatches that hold their car and driver for their time (a second booking conflicts).
DISPATCH_HOLDS = (DispatchState.ASSIGNED, DispatchState.DEPARTED)


class StandardParam(models.TextChoices):
    """Parameters of a vehicle standard version (beside its caps per category)."""

    NEW_ENERGY_PRICE_CAP = "new_energy_price_cap", "新能源轿车价格上限"
    NEW_ENERGY_SHARE = "new_energy_share", "新增及更新车辆新能源比例下限"
    NEW_ENERGY_SHARE_BLOCKS = "new_energy_share_blocks", "新能源比例未达标时不能申报"
    RENEWAL_YEARS = "renewal_years", "更新条件：使用年限"
    RENEWAL_KM = "renewal_km", "更新条件：行驶里程"
