"""Serializers of the registry models; the field conventions are those of
:mod:`gongfang.framework.api.serializers` (``id``, ``url``, ``display``, foreign keys by id with
``<fk>_display`` = ``{id, url, display}``, ``<choice>_display`` = Chinese label)."""

from __future__ import annotations

from rest_framework import serializers

from ...framework.api.serializers import ObjectSerializer, ScopedPrimaryKeyRelatedField
from ...framework.masking import MaskedSerializerMixin
from ..models import (
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


class RegionSerializer(ObjectSerializer):
    """行政区划（GB/T 2260 代码；path 为自省级起的代码链，只读）。"""

    class Meta(ObjectSerializer.Meta):
        model = Region


class OrganizationSerializer(ObjectSerializer):
    """单位（党政机关、事业单位、群团）；path 为自顶层单位起的编号链，只读。"""

    class Meta(ObjectSerializer.Meta):
        model = Organization


class LeadershipQuotaSerializer(ObjectSerializer):
    """领导职数：某单位某职级核定的领导职数。"""

    class Meta(ObjectSerializer.Meta):
        model = LeadershipQuota


class CompoundSerializer(ObjectSerializer):
    """院落：一处地址、一宗土地，含一栋或多栋楼座。"""

    class Meta(ObjectSerializer.Meta):
        model = Compound


class BuildingSerializer(ObjectSerializer):
    """楼座。"""

    class Meta(ObjectSerializer.Meta):
        model = Building


class FloorSerializer(ObjectSerializer):
    """楼层：地上为正数，地下为负数，没有 0 层。"""

    class Meta(ObjectSerializer.Meta):
        model = Floor


class RoomOccupantSerializer(serializers.ModelSerializer):
    """新建房间时一并登记的使用人（办公室使用）。"""

    serializer_related_field = ScopedPrimaryKeyRelatedField

    class Meta:
        model = Occupancy
        fields = ["person", "started_on", "ended_on", "is_primary"]
        extra_kwargs = {"ended_on": {"required": False}, "is_primary": {"required": False}}


class RoomSerializer(ObjectSerializer):
    """房间：面积计算、使用与核查的基本单位。新建时可在 occupants 中一并登记使用人（与房间同一事务，
    任何一人出错则都不保存）。"""

    occupants = RoomOccupantSerializer(
        many=True,
        write_only=True,
        required=False,
        label="使用人",
        help_text="仅新建时有效：[{person, started_on, ended_on, is_primary}]；person 可用编号或"
        "自然键 {organization, number}",
    )

    class Meta(ObjectSerializer.Meta):
        model = Room

    def to_internal_value(self, data):
        if self.instance is not None and isinstance(data, dict) and "occupants" in data:
            raise serializers.ValidationError(
                {"occupants": ["使用人只能在新建房间时一并登记；已有房间请新建办公室使用记录。"]}
            )
        return super().to_internal_value(data)


class PersonSerializer(MaskedSerializerMixin, ObjectSerializer):
    """人员。联系电话在列表中脱敏（如 138****1234）；单个人员仅机关事务管理员、单位系统管理员可见全文。"""

    class Meta(ObjectSerializer.Meta):
        model = Person


class PostSerializer(ObjectSerializer):
    """兼职：人员在其他单位兼任的职务。"""

    class Meta(ObjectSerializer.Meta):
        model = Post


class OccupancySerializer(ObjectSerializer):
    """办公室使用：人员在某一期间使用某一房间。"""

    class Meta(ObjectSerializer.Meta):
        model = Occupancy


class ParkingLotSerializer(ObjectSerializer):
    """停车场。"""

    class Meta(ObjectSerializer.Meta):
        model = ParkingLot


class CanteenSerializer(ObjectSerializer):
    """食堂。"""

    class Meta(ObjectSerializer.Meta):
        model = Canteen
