"""Serializers of vehicles (conventions of framework.api.serializers): foreign keys by id with a
``<field>_display``, choices with their Chinese names; a driver's phone is masked in lists."""

from __future__ import annotations

from ...framework.api.serializers import ObjectSerializer
from ...framework.masking import MaskedSerializerMixin
from .. import models as m


class VehicleSerializer(ObjectSerializer):
    """公务用车：号牌（GA 36 格式，含新能源号牌）、车辆识别代号（17 位，校验第 9 位）、类别、能源类型等；
    region（单位所在区划）与 new_energy（由能源类型判定）由系统填写；处置信息经处置审批写入。"""

    class Meta(ObjectSerializer.Meta):
        model = m.Vehicle


class DriverSerializer(MaskedSerializerMixin, ObjectSerializer):
    """驾驶员：联系电话在列表中脱敏。"""

    class Meta(ObjectSerializer.Meta):
        model = m.Driver


class VehicleQuotaSerializer(ObjectSerializer):
    """车辆编制：单位某类别可配备的车辆数，由机关事务管理局核定。"""

    class Meta(ObjectSerializer.Meta):
        model = m.VehicleQuota


class VehicleStandardSerializer(ObjectSerializer):
    """公务用车标准版本：国家标准（只读）或某区划的地方标准（只能比国家标准更严）。"""

    class Meta(ObjectSerializer.Meta):
        model = m.VehicleStandard
        read_only_fields = ("kind",)


class VehicleStandardRowSerializer(ObjectSerializer):
    """配备标准：某类别、车型类别的价格与排气量上限（特殊情况行须说明理由方可适用）。"""

    class Meta(ObjectSerializer.Meta):
        model = m.VehicleStandardRow


class VehicleStandardParameterSerializer(ObjectSerializer):
    """标准参数：新能源轿车价格上限、新能源配备比例下限、更新年限与里程。"""

    class Meta(ObjectSerializer.Meta):
        model = m.VehicleStandardParameter


class FuelCardSerializer(ObjectSerializer):
    """加油卡（一车一卡）。"""

    class Meta(ObjectSerializer.Meta):
        model = m.FuelCard


class FuelRecordSerializer(ObjectSerializer):
    """加油记录；里程表读数大于车辆里程时同步更新车辆里程。"""

    class Meta(ObjectSerializer.Meta):
        model = m.FuelRecord


class RepairShopSerializer(ObjectSerializer):
    """维修单位（定点维修由机关事务管理局确定）。"""

    class Meta(ObjectSerializer.Meta):
        model = m.RepairShop


class RepairRecordSerializer(ObjectSerializer):
    """维修、保养记录。"""

    class Meta(ObjectSerializer.Meta):
        model = m.RepairRecord


class InsurancePolicySerializer(ObjectSerializer):
    """车辆保险（交强险、商业险）。"""

    class Meta(ObjectSerializer.Meta):
        model = m.InsurancePolicy


class AnnualInspectionSerializer(ObjectSerializer):
    """年检：应检日期、检验日期与结果（检验日期与结果须同时填写）。"""

    class Meta(ObjectSerializer.Meta):
        model = m.AnnualInspection
