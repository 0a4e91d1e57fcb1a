"""Services of the vehicle registry, standards and running costs (every write, one transaction).

Dispatches and the purchase, renewal and disposal cases have their own services
(``vehicles.dispatch``, ``vehicles.kinds``). Quotas (编制) are set by a bureau; national standards
are seeded by migration and read-only; a local standard may only be stricter than the national
one. A fuel or repair record whose odometer reads more than the vehicle's mileage raises it.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError

from ..framework.services import ObjectService, register, service_for
from ..standards.models import NATIONAL_READ_ONLY, VersionKind
from .choices import StandardParam
from .models import (
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
from .validators import normalize_plate, normalize_vin

# Parameters a local version may only raise (a higher share or longer use is stricter).
RAISE_ONLY = frozenset(
    {
        StandardParam.NEW_ENERGY_SHARE,
        StandardParam.NEW_ENERGY_SHARE_BLOCKS,
        StandardParam.RENEWAL_YEARS,
        StandardParam.RENEWAL_KM,
    }
)


class OrganizationRegionService(ObjectService):
    """The row's region is its organization's (what the scope filters by)."""

    def prepare(self, *, actor, instance) -> None:
        if instance.organization_id:
            instance.region_id = instance.organization.region_id


@register
class VehicleService(OrganizationRegionService):
    model = Vehicle

    def prepare(self, *, actor, instance: Vehicle) -> None:
        super().prepare(actor=actor, instance=instance)
        instance.plate = normalize_plate(instance.plate)
        instance.vin = normalize_vin(instance.vin)


@register
class DriverService(OrganizationRegionService):
    model = Driver


@register
class VehicleQuotaService(ObjectService):
    model = VehicleQuota

    def validate(self, *, actor, instance: VehicleQuota, before: dict | None) -> None:
        if not getattr(actor, "scope_region_id", None):
            raise PermissionDenied("车辆编制由机关事务管理局核定，单位不能自行修改。")


@register
class VehicleStandardService(ObjectService):
    model = VehicleStandard

    def prepare(self, *, actor, instance: VehicleStandard) -> None:
        if instance.pk is not None and instance.kind == VersionKind.NATIONAL:
            raise ValidationError(NATIONAL_READ_ONLY)
        instance.kind = VersionKind.LOCAL


def national_standard(on) -> VehicleStandard | None:
    return (
        VehicleStandard.objects.filter(kind=VersionKind.NATIONAL, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )


class StandardRowService(ObjectService):
    """Rows of local versions only, never looser than the national version's same cell."""

    def prepare(self, *, actor, instance) -> None:
        if instance.standard_id and instance.standard.kind == VersionKind.NATIONAL:
            raise ValidationError({"standard": NATIONAL_READ_ONLY})


@register
class VehicleStandardRowService(StandardRowService):
    model = VehicleStandardRow

    def validate(self, *, actor, instance: VehicleStandardRow, before: dict | None) -> None:
        national = national_standard(instance.standard.effective_from)
        if national is None:
            return
        row = national.rows.filter(
            category=instance.category,
            body_class=instance.body_class,
            exceptional=instance.exceptional,
        ).first()
        if row is None:
            return
        errors: dict[str, str] = {}
        for name, unit in (("price_cap", "元"), ("displacement_cap", "升")):
            cap = getattr(row, name)
            value = getattr(instance, name)
            if cap is not None and (value is None or value > cap):
                label = instance._meta.get_field(name).verbose_name
                errors[name] = (
                    f"地方标准只能比国家标准更严：“{national.name}”中{label}为 "
                    f"{cap.normalize():f} {unit}。"
                )
        if errors:
            raise ValidationError(errors)


@register
class VehicleStandardParameterService(StandardRowService):
    model = VehicleStandardParameter

    def validate(self, *, actor, instance: VehicleStandardParameter, before: dict | None) -> None:
        national = national_standard(instance.standard.effective_from)
        if national is None:
            return
        parameter = national.parameters.filter(key=instance.key).first()
        if parameter is None:
            return
        value, base = Decimal(instance.value), parameter.value
        looser = value < base if instance.key in RAISE_ONLY else value > base
        if looser:
            bound = "不得低于" if instance.key in RAISE_ONLY else "不得高于"
            raise ValidationError(
                {
                    "value": f"地方标准只能比国家标准更严：{instance.get_key_display()}"
                    f"{bound}国家标准的 {base.normalize():f} {parameter.unit}。"
                }
            )


class OdometerService(ObjectService):
    """A record whose odometer reads past the vehicle's mileage raises the mileage."""

    def after_save(self, *, actor, instance, before: dict | None) -> list[str]:
        reading = instance.odometer
        vehicle = Vehicle.objects.get(pk=instance.vehicle_id)
        if reading is None or reading <= vehicle.mileage:
            return []
        service_for(Vehicle).update(actor=actor, instance=vehicle, data={"mileage": reading})
        return [f"车辆“{vehicle}”的行驶里程已更新为 {reading:,} 公里。"]


@register
class FuelCardService(ObjectService):
    model = FuelCard


@register
class FuelRecordService(OdometerService):
    model = FuelRecord

    def validate(self, *, actor, instance: FuelRecord, before: dict | None) -> None:
        if instance.card_id and instance.card.vehicle_id != instance.vehicle_id:
            raise ValidationError(
                {"card": f"加油卡“{instance.card}”不是本车的加油卡（一车一卡）。"}
            )


@register
class RepairShopService(ObjectService):
    model = RepairShop


@register
class RepairRecordService(OdometerService):
    model = RepairRecord

    def after_save(self, *, actor, instance: RepairRecord, before: dict | None) -> list[str]:
        notices = super().after_save(actor=actor, instance=instance, before=before)
        if instance.shop_id and not instance.shop.designated:
            notices.append(f"“{instance.shop}”不是定点维修单位，请说明原因。")
        return notices


@register
class InsurancePolicyService(ObjectService):
    model = InsurancePolicy


@register
class AnnualInspectionService(ObjectService):
    model = AnnualInspection
