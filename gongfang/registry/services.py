"""Services of the registry: the rules of each model beyond its own fields (DESIGN §3)."""

from __future__ import annotations

from contextvars import ContextVar
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum

from ..framework.services import ObjectService, register, service_for
from . import plausibility
from .choices import RoomCategory
from .models import (
    Building,
    Canteen,
    Compound,
    Floor,
    LeadershipQuota,
    Occupancy,
    Organization,
    ParkingLot,
    Person,
    Post,
    Region,
    Room,
)
from .sub_provincial import default_standard_level


def _rewrite_subtree_paths(model, old_prefix: str, new_prefix: str) -> None:
    """After a node moves, give every descendant the node's new path as its prefix."""
    if not old_prefix or old_prefix == new_prefix:
        return
    rows = list(model.objects.filter(path__startswith=old_prefix).exclude(path=new_prefix))
    for row in rows:
        row.path = new_prefix + row.path[len(old_prefix) :]
    model.objects.bulk_update(rows, ["path"], batch_size=500)


# Set while renumber_region() runs: the one way to change the code of a region in use.
_renumbering: ContextVar[bool] = ContextVar("region_renumbering", default=False)


def region_dependents(region: Region) -> list[str]:
    """What refers to ``region`` (下级区划, 单位, 院落, 标准版本, 账号 …), by name."""
    names = []
    for relation in Region._meta.related_objects:
        if relation.many_to_many or relation.one_to_one:
            continue
        rows = relation.related_model._base_manager.filter(**{relation.field.name: region.pk})
        if rows.exists():
            name = (
                "下级区划"
                if relation.related_model is Region
                else relation.related_model._meta.verbose_name
            )
            names.append(str(name))
    return names


@register
class RegionService(ObjectService):
    model = Region

    def prepare(self, *, actor, instance: Region) -> None:
        instance._old_path = instance.path
        instance.path = instance.compute_path()

    def validate(self, *, actor, instance: Region, before: dict | None) -> None:
        if (
            instance.parent_id
            and instance._old_path
            and instance.parent.path.startswith(instance._old_path)
        ):
            raise ValidationError({"parent": "上级区划不能是本区划或其下级区划。"})
        if before is not None and before["code"] != instance.code and not _renumbering.get():
            used = region_dependents(instance)
            if used:
                raise ValidationError(
                    {
                        "code": f"区划“{instance.name}”已有{'、'.join(used)}，区划代码不能在此修改；"
                        "国家调整区划代码时请使用“变更区划代码”（renumber_region 命令），"
                        "系统在一个事务中改写其下级区划的路径。"
                    }
                )

    def after_save(self, *, actor, instance: Region, before: dict | None) -> list[str]:
        _rewrite_subtree_paths(Region, instance._old_path, instance.path)
        return []


def renumber_region(
    *, actor, region: Region, code: str, expected_version: int | None = None
) -> tuple[Region, list[str]]:
    """Give a region in use its new GB/T 2260 code (codes do change: a county becomes a district):
    the code and the paths of the whole subtree change in one transaction, with one change-log
    entry and the re-checks every region write triggers."""
    if getattr(actor, "scope_region_id", None) == region.pk:
        # The account's own scope would move under it; the level above renumbers.
        raise ValidationError(
            {"code": f"区划“{region.name}”是您的管辖范围本身，其代码变更须由上级区划的账号办理。"}
        )
    token = _renumbering.set(True)
    try:
        return service_for(Region).update(
            actor=actor, instance=region, data={"code": code}, expected_version=expected_version
        )
    finally:
        _renumbering.reset(token)


@register
class OrganizationService(ObjectService):
    model = Organization

    def prepare(self, *, actor, instance: Organization) -> None:
        # Left empty, the row of 表1 is the default (a 副省级市's 市级 organizations: 省级); a
        # row the user chose stays.
        if not instance.standard_level and instance.region_id and instance.level:
            instance.standard_level = default_standard_level(instance.level, instance.region.path)

    def after_save(self, *, actor, instance: Organization, before: dict | None) -> list[str]:
        old_path, new_path = instance.path, instance.compute_path()
        if old_path != new_path:
            Organization.objects.filter(pk=instance.pk).update(path=new_path)
            instance.path = new_path
            _rewrite_subtree_paths(Organization, old_path, new_path)
        return []


@register
class LeadershipQuotaService(ObjectService):
    model = LeadershipQuota


@register
class CompoundService(ObjectService):
    model = Compound

    def validate(self, *, actor, instance: Compound, before: dict | None) -> None:
        plausibility.check_area_ceilings(
            instance,
            plausibility.region_path_of(instance, "region"),
            {"land_area": plausibility.LAND},
            before,
        )


def building_room_area_notice(building: Building) -> list[str]:
    """A notice when the rooms of a building add up to more than its usable area (DESIGN §3)."""
    total = Room.objects.filter(floor__building=building).aggregate(s=Sum("usable_area"))["s"]
    if total is not None and total > building.usable_area:
        return [
            f"楼座“{building}”各房间使用面积合计 {total} 平方米，已超过楼座使用面积 "
            f"{building.usable_area} 平方米，请核实面积数据。"
        ]
    return []


@register
class BuildingService(ObjectService):
    model = Building

    def validate(self, *, actor, instance: Building, before: dict | None) -> None:
        plausibility.check_area_ceilings(
            instance,
            plausibility.region_path_of(instance, "compound", "region"),
            {"building_area": plausibility.BUILDING, "usable_area": plausibility.BUILDING},
            before,
        )
        if before is None:
            return
        errors = {}
        floors = instance.floors.all()
        highest = max((f.number for f in floors), default=0)
        lowest = min((f.number for f in floors), default=0)
        if highest > instance.floors_above:
            errors["floors_above"] = f"已登记第 {highest} 层，地上层数不能少于 {highest}。"
        if -lowest > instance.floors_below:
            errors["floors_below"] = f"已登记地下第 {-lowest} 层，地下层数不能少于 {-lowest}。"
        if errors:
            raise ValidationError(errors)

    def after_save(self, *, actor, instance: Building, before: dict | None) -> list[str]:
        return building_room_area_notice(instance) if before is not None else []


@register
class FloorService(ObjectService):
    model = Floor


@register
class RoomService(ObjectService):
    model = Room

    def validate(self, *, actor, instance: Room, before: dict | None) -> None:
        key = (
            plausibility.OFFICE_ROOM
            if instance.category == RoomCategory.OFFICE
            else plausibility.ROOM
        )
        changed_category = before is not None and before.get("category") != instance.category
        plausibility.check_area_ceilings(
            instance,
            plausibility.region_path_of(instance, "floor", "building", "compound", "region"),
            {"usable_area": key, "building_area": key},
            None if changed_category else before,
        )

    def after_save(self, *, actor, instance: Room, before: dict | None) -> list[str]:
        changed = before is None or Decimal(before["usable_area"]) != instance.usable_area
        return building_room_area_notice(instance.floor.building) if changed else []


@register
class ParkingLotService(ObjectService):
    model = ParkingLot


@register
class CanteenService(ObjectService):
    model = Canteen

    def validate(self, *, actor, instance: Canteen, before: dict | None) -> None:
        plausibility.check_area_ceilings(
            instance,
            plausibility.region_path_of(instance, "compound", "region"),
            {"usable_area": plausibility.ROOM},
            before,
        )


@register
class PersonService(ObjectService):
    model = Person


@register
class PostService(ObjectService):
    model = Post


@register
class OccupancyService(ObjectService):
    model = Occupancy
    # DESIGN §3: both the person and the room must be inside the writer's scope.
    writable_references = ("person", "room")
