"""Official vehicles (公务用车): the fleet, its drivers and quotas, the standards, running costs and
dispatches.

A ``Vehicle`` belongs to an organization; its ``region`` is the organization's, kept by the
service, and is what the scope filters by. Costs (fuel cards and records, repairs, insurance,
annual inspections) hang on a vehicle and follow its scope. ``VehicleStandard`` is versioned data
like the area standards (``standards.models.StandardVersion``): the national version is seeded by
a migration, a province may add a local one; its rows give the price and displacement caps per
category and body class, its parameters the new-energy price cap and share and the renewal
conditions. ``Dispatch`` is a request for a car (派车) through approval, assignment and return.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from ..framework.models import PrimaryModel
from ..framework.querysets import RestrictedQuerySet
from ..framework.scope import NOTHING, Scope
from ..registry.validators import validate_not_future, validate_phone
from ..standards.models import VersionKind, VersionQuerySet, region_prefixes
from .choices import (
    NEW_ENERGY,
    NO_ENGINE,
    BodyClass,
    DispatchState,
    DisposalKind,
    Energy,
    FuelCardIssuer,
    InspectionResult,
    InsuranceKind,
    LicenseClass,
    RepairKind,
    StandardParam,
    VehicleBody,
    VehicleCategory,
    VehicleStatus,
)
from .validators import normalize_plate, normalize_vin, parse_plate, validate_plate, validate_vin

MONEY = {"max_digits": 12, "decimal_places": 2}
NON_NEGATIVE = MinValueValidator(Decimal("0"), "金额不能为负数。")


def money_field(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, **MONEY, validators=[NON_NEGATIVE], **kwargs)


def _organization_fk(related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        "registry.Organization",
        verbose_name="所属单位",
        on_delete=models.PROTECT,
        related_name=related_name,
    )


def _region_fk() -> models.ForeignKey:
    # The organization's region, kept by the service: what the scope filters by.
    return models.ForeignKey(
        "registry.Region",
        verbose_name="所在区划",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )


def _vehicle_fk(related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        "Vehicle", verbose_name="车辆", on_delete=models.CASCADE, related_name=related_name
    )


VEHICLE_SCOPE = Scope(region="vehicle__region", organization="vehicle__organization")


class Vehicle(PrimaryModel):
    """One official vehicle of an organization."""

    organization = _organization_fk("vehicles")
    region = _region_fk()
    plate = models.CharField(
        "号牌号码",
        max_length=10,
        unique=True,
        validators=[validate_plate],
        help_text="如 桂A12345；新能源号牌 8 位，如 桂AD12345",
    )
    vin = models.CharField(
        "车辆识别代号",
        max_length=17,
        unique=True,
        validators=[validate_vin],
        help_text="17 位 VIN，第 9 位为校验位",
    )
    category = models.CharField("车辆类别", max_length=20, choices=VehicleCategory.choices)
    body = models.CharField(
        "车型", max_length=12, choices=VehicleBody.choices, default=VehicleBody.SEDAN
    )
    brand = models.CharField("品牌", max_length=40)
    model_name = models.CharField("型号", max_length=60)
    energy = models.CharField("能源类型", max_length=16, choices=Energy.choices)
    new_energy = models.BooleanField("新能源", default=False, editable=False)
    displacement = models.DecimalField(
        "排气量（升）",
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(Decimal("0.5"), "排气量不应小于 0.5 升。"),
            MaxValueValidator(Decimal("20"), "排气量不应大于 20 升。"),
        ],
        help_text="纯电动、燃料电池汽车不填",
    )
    price = money_field("购置价格（元）", help_text="含税价格，新能源汽车为扣除补贴后的价格")
    seats = models.PositiveSmallIntegerField(
        "核定座位数",
        validators=[MinValueValidator(1, "座位数至少为 1。"), MaxValueValidator(80)],
    )
    bought_on = models.DateField("购置日期", validators=[validate_not_future])
    mileage = models.PositiveIntegerField("行驶里程（公里）", default=0)
    marked = models.BooleanField("喷涂标识", default=False, help_text="车身喷涂公务用车标识")
    terminal = models.CharField(
        "北斗终端号", max_length=20, blank=True, help_text="车载卫星定位终端的终端手机号"
    )
    fuel_norm = models.DecimalField(
        "百公里油耗定额（升）",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"), "油耗定额不能为负数。")],
    )
    parking_compound = models.ForeignKey(
        "registry.Compound",
        verbose_name="定点停放院落",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parked_vehicles",
    )
    status = models.CharField(
        "状态", max_length=20, choices=VehicleStatus.choices, default=VehicleStatus.IN_USE
    )
    disposed_on = models.DateField("处置日期", null=True, blank=True, editable=False)
    disposal_kind = models.CharField(
        "处置方式", max_length=10, choices=DisposalKind.choices, blank=True, editable=False
    )
    note = models.TextField("备注", blank=True)

    scope = Scope(region="region", organization="organization")

    class Meta:
        verbose_name = "公务用车"
        verbose_name_plural = "公务用车"
        ordering = ["organization", "plate"]
        indexes = [
            models.Index(fields=["region", "category"]),
            models.Index(fields=["organization", "category", "status"]),
            models.Index(fields=["bought_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="vehicle_price_not_negative"),
            models.CheckConstraint(
                condition=~Q(energy__in=sorted(NO_ENGINE)) | Q(displacement__isnull=True),
                name="vehicle_no_engine_no_displacement",
                violation_error_message="纯电动、燃料电池汽车没有排气量，请不要填写。",
            ),
        ]

    def __str__(self) -> str:
        return self.plate

    def save(self, *args, **kwargs) -> None:
        self.new_energy = self.energy in NEW_ENERGY
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """Normal forms, and what the plate says must match the energy (D: pure electric)."""
        self.plate = normalize_plate(self.plate)
        self.vin = normalize_vin(self.vin)
        self.new_energy = self.energy in NEW_ENERGY
        errors: dict[str, str] = {}
        if self.energy in NO_ENGINE and self.displacement is not None:
            errors["displacement"] = "纯电动、燃料电池汽车没有排气量，请不要填写。"
        if self.energy and self.energy not in NO_ENGINE and self.displacement is None:
            errors["displacement"] = "燃油及混合动力汽车须填写排气量。"
        info, _ = parse_plate(self.plate)
        if info is not None and info.kind == "new_energy" and self.energy:
            if self.energy not in NEW_ENERGY:
                errors["plate"] = "8 位新能源号牌只发给新能源汽车；本车能源类型不是新能源。"
            elif info.new_energy_letter == "D" and self.energy != Energy.ELECTRIC:
                errors["plate"] = "号牌含“D”表示纯电动汽车，与能源类型不符（非纯电动为“F”）。"
            elif info.new_energy_letter == "F" and self.energy == Energy.ELECTRIC:
                errors["plate"] = "号牌含“F”表示非纯电动汽车，纯电动汽车为“D”。"
        if self.status == VehicleStatus.DISPOSED and not self.disposed_on:
            errors["status"] = "“已处置”须经处置审批办理，不能直接选择。"
        if errors:
            raise ValidationError(errors)


class Driver(PrimaryModel):
    """A driver of an organization's vehicles."""

    organization = _organization_fk("drivers")
    region = _region_fk()
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("联系电话", max_length=20, validators=[validate_phone])
    license_class = models.CharField(
        "准驾车型", max_length=4, choices=LicenseClass.choices, default=LicenseClass.C1
    )
    license_expires_on = models.DateField("驾驶证有效期至")
    active = models.BooleanField("在岗", default=True)
    note = models.TextField("备注", blank=True)

    scope = Scope(region="region", organization="organization")

    class Meta:
        verbose_name = "驾驶员"
        verbose_name_plural = "驾驶员"
        ordering = ["organization", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class VehicleQuota(PrimaryModel):
    """编制: how many vehicles of a category an organization may hold."""

    organization = _organization_fk("vehicle_quotas")
    category = models.CharField("车辆类别", max_length=20, choices=VehicleCategory.choices)
    count = models.PositiveSmallIntegerField("编制数（辆）")
    approved_by_document = models.CharField(
        "核定文件", max_length=200, blank=True, help_text="编制核定的文件名称与文号"
    )
    note = models.TextField("备注", blank=True)

    scope = Scope(
        region="organization__region", organization=None, organization_read=("organization",)
    )

    class Meta:
        verbose_name = "车辆编制"
        verbose_name_plural = "车辆编制"
        ordering = ["organization", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "category"],
                name="vehiclequota_unique_category",
                violation_error_message="该单位已有此类别的车辆编制。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.get_category_display()} {self.count} 辆"


class VehicleStandard(PrimaryModel):
    """A version of the vehicle standards: national (seeded) or a province's local one."""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField(
        "类别", max_length=10, choices=VersionKind.choices, default=VersionKind.LOCAL
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="适用区划",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vehicle_standards",
        help_text="地方标准适用于该区划及其下级区划；国家标准不填",
    )
    source = models.CharField(
        "来源", max_length=300, help_text="文件名称与文号，如《党政机关公务用车管理办法》"
    )
    revision = models.CharField("版次", max_length=30, blank=True, help_text="如 2017 年版")
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField(
        "有效期至", null=True, blank=True, help_text="最后一天有效的日期；不填为长期有效"
    )
    notes = models.TextField("说明", blank=True)

    objects = VersionQuerySet.as_manager()
    # Scope is decided by VersionQuerySet.restrict (national versions are seen everywhere).
    scope = None
    version_lookup: ClassVar[str] = ""

    class Meta:
        verbose_name = "公务用车标准"
        verbose_name_plural = "公务用车标准"
        ordering = ["-effective_from", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="vehiclestandard_unique_name",
                violation_error_message="该区划已有同名的公务用车标准。",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(region__isnull=True),
                name="vehiclestandard_unique_national_name",
                violation_error_message="已有同名的国家公务用车标准。",
            ),
            models.CheckConstraint(
                condition=Q(kind="national", region__isnull=True)
                | Q(kind="local", region__isnull=False),
                name="vehiclestandard_kind_region",
                violation_error_message="地方标准须指定适用区划，国家标准不指定区划。",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_national(self) -> bool:
        return self.kind == VersionKind.NATIONAL

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == VersionKind.LOCAL and not self.region_id:
            errors["region"] = "地方标准须指定适用区划。"
        if self.kind == VersionKind.NATIONAL and self.region_id:
            errors["region"] = "国家标准适用于全国，不指定区划。"
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            errors["effective_to"] = "有效期至不能早于生效日期。"
        if errors:
            raise ValidationError(errors)


class StandardRowBase(PrimaryModel):
    """A row of a vehicle standard: scoped and read-only like its version."""

    objects = VersionQuerySet.as_manager()
    scope = None
    version_lookup: ClassVar[str] = "standard__"

    class Meta:
        abstract = True


class VehicleStandardRow(StandardRowBase):
    """The caps for one category and body class; ``exceptional`` rows apply only with a reason
    ("特殊情况" / "因工作需要")."""

    standard = models.ForeignKey(
        VehicleStandard, verbose_name="标准版本", on_delete=models.CASCADE, related_name="rows"
    )
    category = models.CharField("车辆类别", max_length=20, choices=VehicleCategory.choices)
    body_class = models.CharField(
        "车型类别", max_length=12, choices=BodyClass.choices, default=BodyClass.SMALL
    )
    exceptional = models.BooleanField(
        "特殊情况", default=False, help_text="仅在特殊情况、因工作需要并说明理由时适用"
    )
    price_cap = money_field(
        "价格上限（元）", null=True, blank=True, help_text="不填表示由行业主管部门另行确定"
    )
    displacement_cap = models.DecimalField(
        "排气量上限（升）", max_digits=4, decimal_places=2, null=True, blank=True
    )
    clause = models.TextField("条款依据", blank=True, help_text="文件名称、条款和原文要点")

    class Meta:
        verbose_name = "公务用车配备标准"
        verbose_name_plural = "公务用车配备标准"
        ordering = ["standard", "category", "body_class", "exceptional"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "category", "body_class", "exceptional"],
                name="vehiclestandardrow_unique_cell",
                violation_error_message="该标准版本已有此类别、车型的配备标准。",
            )
        ]

    def __str__(self) -> str:
        cap = (
            f"{(Decimal(self.price_cap) / 10000).normalize():f} 万元"
            if self.price_cap is not None
            else "不限"
        )
        return f"{self.get_category_display()} {self.get_body_class_display()} {cap}"


class VehicleStandardParameter(StandardRowBase):
    """A parameter of a vehicle standard version (new-energy price cap, share, renewal)."""

    standard = models.ForeignKey(
        VehicleStandard,
        verbose_name="标准版本",
        on_delete=models.CASCADE,
        related_name="parameters",
    )
    key = models.CharField("参数", max_length=30, choices=StandardParam.choices)
    value = models.DecimalField("取值", max_digits=14, decimal_places=4)
    unit = models.CharField("单位", max_length=10, blank=True, help_text="如 元、比例、年、公里")
    clause = models.TextField("条款依据", blank=True, help_text="文件名称、条款和原文要点")

    class Meta:
        verbose_name = "公务用车标准参数"
        verbose_name_plural = "公务用车标准参数"
        ordering = ["standard", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "key"],
                name="vehiclestandardparameter_unique_key",
                violation_error_message="该标准版本已有此参数。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_key_display()} = {self.shown} {self.unit}".strip()

    @property
    def shown(self) -> str:
        """The value as a reader takes it: a yes/no parameter in words, else the figure."""
        if self.key == StandardParam.NEW_ENERGY_SHARE_BLOCKS:
            return "是（未达标不能申报）" if self.value else "否（仅提示，不影响申报）"
        return f"{self.value.normalize():f}"

    def clean(self) -> None:
        if self.value is None or not self.key:
            return
        if self.value < 0:
            raise ValidationError({"value": "参数取值不能为负数。"})
        if self.key == StandardParam.NEW_ENERGY_SHARE and self.value > 1:
            raise ValidationError({"value": "比例应在 0 到 1 之间（如 0.3 表示 30%）。"})
        if self.key == StandardParam.NEW_ENERGY_SHARE_BLOCKS and self.value not in (0, 1):
            raise ValidationError({"value": "取值 1 表示未达标不能申报，0 表示仅提示。"})


class FuelCard(PrimaryModel):
    """A fuel (or charging) card: one card per vehicle (一车一卡)."""

    vehicle = _vehicle_fk("fuel_cards")
    number = models.CharField("卡号", max_length=30, unique=True)
    issuer = models.CharField(
        "发卡单位", max_length=12, choices=FuelCardIssuer.choices, default=FuelCardIssuer.SINOPEC
    )
    issued_on = models.DateField(
        "办卡日期", null=True, blank=True, validators=[validate_not_future]
    )
    active = models.BooleanField("有效", default=True)
    note = models.TextField("备注", blank=True)

    scope = VEHICLE_SCOPE

    class Meta:
        verbose_name = "加油卡"
        verbose_name_plural = "加油卡"
        ordering = ["vehicle", "number"]

    def __str__(self) -> str:
        return f"{self.get_issuer_display()} {self.number}"


class FuelRecord(PrimaryModel):
    """One refuelling (or charge) paid for a vehicle."""

    vehicle = _vehicle_fk("fuel_records")
    card = models.ForeignKey(
        FuelCard,
        verbose_name="加油卡",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
    )
    filled_on = models.DateField("加油日期", validators=[validate_not_future])
    litres = models.DecimalField(
        "加油量（升）/ 充电量（千瓦时）",
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"), "加油量必须大于 0。")],
    )
    amount = money_field("金额（元）")
    odometer = models.PositiveIntegerField("里程表读数（公里）", null=True, blank=True)
    station = models.CharField("加油站", max_length=100, blank=True)

    scope = VEHICLE_SCOPE

    class Meta:
        verbose_name = "加油记录"
        verbose_name_plural = "加油记录"
        ordering = ["-filled_on", "-pk"]
        indexes = [models.Index(fields=["vehicle", "filled_on"])]

    def __str__(self) -> str:
        return f"{self.vehicle} {self.filled_on:%Y-%m-%d} {self.amount} 元"


class RepairShopQuerySet(RestrictedQuerySet):
    """Shops are designated by a region's bureau: seen by accounts of that region (above or
    below it, units included); written by bureaus whose region contains the shop's."""

    def restrict(self, user, action: str = "view") -> RepairShopQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if not user.has_model_perm(self.model, action):
            return self.none()
        region = getattr(user, "scope_region", None)
        if region is not None:
            if action == "view":
                return self.filter(
                    Q(region__path__startswith=region.path)
                    | Q(region__path__in=region_prefixes(region.path))
                )
            return self.filter(region__path__startswith=region.path)
        organization = getattr(user, "scope_organization", None)
        if organization is None or action != "view":
            return self.filter(NOTHING)
        return self.filter(region__path__in=region_prefixes(organization.region.path))


class RepairShop(PrimaryModel):
    """A repair shop; the bureau designates shops (定点维修) for its region."""

    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="所在区划",
        on_delete=models.PROTECT,
        related_name="repair_shops",
    )
    designated = models.BooleanField("定点维修单位", default=True)
    designated_until = models.DateField("定点有效期至", null=True, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True, validators=[validate_phone])
    note = models.TextField("备注", blank=True)

    objects = RepairShopQuerySet.as_manager()
    scope = Scope(region="region", organization=None)

    class Meta:
        verbose_name = "维修单位"
        verbose_name_plural = "维修单位"
        ordering = ["region", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="repairshop_unique_name",
                violation_error_message="该区划已有同名的维修单位。",
            )
        ]

    def __str__(self) -> str:
        return self.name


class RepairRecord(PrimaryModel):
    """A repair or service of a vehicle."""

    vehicle = _vehicle_fk("repairs")
    shop = models.ForeignKey(
        RepairShop,
        verbose_name="维修单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
    )
    kind = models.CharField(
        "类型", max_length=12, choices=RepairKind.choices, default=RepairKind.MAINTENANCE
    )
    repaired_on = models.DateField("维修日期", validators=[validate_not_future])
    amount = money_field("金额（元）")
    odometer = models.PositiveIntegerField("里程表读数（公里）", null=True, blank=True)
    description = models.TextField("维修内容")

    scope = VEHICLE_SCOPE

    class Meta:
        verbose_name = "维修记录"
        verbose_name_plural = "维修记录"
        ordering = ["-repaired_on", "-pk"]
        indexes = [models.Index(fields=["vehicle", "repaired_on"])]

    def __str__(self) -> str:
        return f"{self.vehicle} {self.repaired_on:%Y-%m-%d} {self.get_kind_display()}"


class InsurancePolicy(PrimaryModel):
    """An insurance policy of a vehicle (交强险 or 商业险)."""

    vehicle = _vehicle_fk("insurance_policies")
    kind = models.CharField(
        "险种", max_length=12, choices=InsuranceKind.choices, default=InsuranceKind.COMPULSORY
    )
    insurer = models.CharField("保险公司", max_length=100)
    policy_number = models.CharField("保单号", max_length=40, blank=True)
    start_on = models.DateField("保险起期")
    end_on = models.DateField("保险止期")
    premium = money_field("保费（元）")

    scope = VEHICLE_SCOPE

    class Meta:
        verbose_name = "车辆保险"
        verbose_name_plural = "车辆保险"
        ordering = ["-end_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__gte=models.F("start_on")),
                name="insurancepolicy_dates",
                violation_error_message="保险止期不能早于起期。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.vehicle} {self.get_kind_display()} {self.end_on:%Y-%m-%d}"

    def clean(self) -> None:
        if self.start_on and self.end_on and self.end_on < self.start_on:
            raise ValidationError({"end_on": "保险止期不能早于起期。"})


class AnnualInspection(PrimaryModel):
    """An annual inspection (年检) of a vehicle: when it is due and when it was done."""

    vehicle = _vehicle_fk("annual_inspections")
    due_on = models.DateField("应检日期")
    done_on = models.DateField("检验日期", null=True, blank=True, validators=[validate_not_future])
    result = models.CharField(
        "检验结果", max_length=10, choices=InspectionResult.choices, blank=True
    )
    station = models.CharField("检验机构", max_length=100, blank=True)
    reminded_on = models.DateField("最近提醒日期", null=True, blank=True, editable=False)
    note = models.TextField("备注", blank=True)

    scope = VEHICLE_SCOPE
    changelog_exclude = ("created_at", "updated_at", "reminded_on")

    class Meta:
        verbose_name = "年检"
        verbose_name_plural = "年检"
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["done_on", "due_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle", "due_on"],
                name="annualinspection_unique_due",
                violation_error_message="该车辆已有此应检日期的年检记录。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.vehicle} 年检 {self.due_on:%Y-%m-%d}"

    def clean(self) -> None:
        if bool(self.done_on) != bool(self.result):
            raise ValidationError({"result": "检验日期和检验结果须同时填写。"})


class Dispatch(PrimaryModel):
    """A request for a car (派车单): approval, assignment of car and driver, departure, return."""

    organization = _organization_fk("dispatches")
    region = _region_fk()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    purpose = models.CharField("用车事由", max_length=200)
    passengers = models.PositiveSmallIntegerField(
        "乘车人数", validators=[MinValueValidator(1, "乘车人数至少为 1。")]
    )
    origin = models.CharField("出发地", max_length=100)
    destination = models.CharField("目的地", max_length=100)
    start_at = models.DateTimeField("用车开始时间")
    end_at = models.DateTimeField("预计结束时间")
    state = models.CharField(
        "状态",
        max_length=12,
        choices=DispatchState.choices,
        default=DispatchState.REQUESTED,
        editable=False,
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True, editable=False)
    reject_reason = models.CharField("驳回理由", max_length=300, blank=True, editable=False)
    vehicle = models.ForeignKey(
        Vehicle,
        verbose_name="车辆",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispatches",
        editable=False,
    )
    driver = models.ForeignKey(
        Driver,
        verbose_name="驾驶员",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispatches",
        editable=False,
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="派车人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    assigned_at = models.DateTimeField("派车时间", null=True, blank=True, editable=False)
    departed_at = models.DateTimeField("出车时间", null=True, blank=True, editable=False)
    start_mileage = models.PositiveIntegerField(
        "出车里程（公里）", null=True, blank=True, editable=False
    )
    end_mileage = models.PositiveIntegerField(
        "还车里程（公里）", null=True, blank=True, editable=False
    )
    returned_at = models.DateTimeField("还车时间", null=True, blank=True, editable=False)
    cancel_reason = models.CharField("取消原因", max_length=300, blank=True, editable=False)
    note = models.TextField("备注", blank=True)

    scope = Scope(region="region", organization="organization")

    class Meta:
        verbose_name = "派车单"
        verbose_name_plural = "派车单"
        ordering = ["-start_at", "-pk"]
        indexes = [
            # The bureau's board counts the open dispatches and a week's trips per organization
            # from these two indexes alone (the lists filter by state and sort by start).
            models.Index(fields=["region", "state", "start_at", "organization"]),
            models.Index(fields=["region", "start_at", "state", "organization"]),
            models.Index(fields=["vehicle", "start_at"]),
            models.Index(fields=["driver", "start_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_at__gt=models.F("start_at")),
                name="dispatch_times",
                violation_error_message="预计结束时间须晚于用车开始时间。",
            ),
            models.CheckConstraint(
                condition=Q(end_mileage__isnull=True)
                | Q(start_mileage__isnull=True)
                | Q(end_mileage__gte=models.F("start_mileage")),
                name="dispatch_mileage",
                violation_error_message="还车里程不能小于出车里程。",
            ),
        ]

    def __str__(self) -> str:
        return f"派车单 {self.pk or ''} {self.purpose}".strip()

    @property
    def distance(self) -> int | None:
        if self.start_mileage is None or self.end_mileage is None:
            return None
        return self.end_mileage - self.start_mileage

    def clean(self) -> None:
        if self.start_at and self.end_at and self.end_at <= self.start_at:
            raise ValidationError({"end_at": "预计结束时间须晚于用车开始时间。"})
