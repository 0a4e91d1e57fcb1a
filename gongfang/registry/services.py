"""Services of the registry: the rules of each model beyond its own fields (DESIGN §3)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum

from ..framework.services import ObjectService, register
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


def _rewrite_subtree_paths(model, old_prefix: str, new_prefix: str) -> None:
    """After a node moves, give every descendant the node's new path as its prefix."""
    if not old_prefix or old_prefix == new_prefix:
        return
    rows = list(model.objects.filter(path__startswith=old_prefix).exclude(path=new_prefix))
    for row in rows:
        row.path = new_prefix + row.path[len(old_prefix) :]
    model.objects.bulk_update(rows, ["path"], batch_size=500)


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

    def after_save(self, *, actor, instance: Region, before: dict | None) -> list[str]:
        _rewrite_subtree_paths(Region, instance._old_path, instance.path)
        return []


@register
class OrganizationService(ObjectService):
    model = Organization

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

    def after_save(self, *, actor, instance: Room, before: dict | None) -> list[str]:
        changed = before is None or Decimal(before["usable_area"]) != instance.usable_area
        return building_room_area_notice(instance.floor.building) if changed else []


@register
class ParkingLotService(ObjectService):
    model = ParkingLot


@register
class CanteenService(ObjectService):
    model = Canteen


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
