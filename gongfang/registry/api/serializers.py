"""Serializers of the registry models; the field conventions are those of
:mod:`gongfang.framework.api.serializers` (``id``, ``url``, ``display``, foreign keys by id with
``<fk>_display`` = ``{id, url, display}``, ``<choice>_display`` = Chinese label)."""

from __future__ import annotations

from ...framework.api.serializers import ObjectSerializer
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


class RoomSerializer(ObjectSerializer):
    """房间：面积计算、使用与核查的基本单位。"""

    class Meta(ObjectSerializer.Meta):
        model = Room


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
