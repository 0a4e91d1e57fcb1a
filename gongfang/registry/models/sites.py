"""Where the space is: compound → building → floor → room, with parking and canteens."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from ...framework.models import PrimaryModel
from ...framework.scope import Scope
from ..choices import (
    ROOM_SUBTYPES,
    HeightClass,
    ParkingKind,
    RoomCategory,
    RoomStatus,
    TitleStatus,
)
from ..validators import validate_not_future, validate_year_built
from .fields import area_field, positive_area_constraint


class Compound(PrimaryModel):
    """A site (院落): one address, one plot of land, one or more buildings."""

    name = models.CharField("院落名称", max_length=100)
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="所在区划",
        on_delete=models.PROTECT,
        related_name="compounds",
    )
    address = models.CharField("地址", max_length=200, blank=True)
    lng = models.DecimalField(
        "经度",
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("73")), MaxValueValidator(Decimal("136"))],
        help_text="WGS84，境内 73–136",
    )
    lat = models.DecimalField(
        "纬度",
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("3")), MaxValueValidator(Decimal("54"))],
        help_text="WGS84，境内 3–54",
    )
    land_area = area_field("土地面积", required=False)
    land_certificate = models.CharField("土地证号", max_length=60, blank=True)
    owner_org = models.ForeignKey(
        "registry.Organization",
        verbose_name="产权/管理单位",
        on_delete=models.PROTECT,
        related_name="compounds",
    )

    scope = Scope(
        region="region",
        organization="owner_org",
        organization_read=("buildings__floors__rooms__organization",),
    )

    class Meta:
        verbose_name = "院落"
        verbose_name_plural = "院落"
        ordering = ["region", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="compound_unique_name",
                violation_error_message="同一区划内已有同名院落。",
            ),
            positive_area_constraint("compound", "land_area"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (self.lng is None) != (self.lat is None):
            raise ValidationError({"lat": "经度和纬度须同时填写或同时留空。"})


class Building(PrimaryModel):
    """A building (楼座) inside a compound."""

    compound = models.ForeignKey(
        Compound, verbose_name="院落", on_delete=models.PROTECT, related_name="buildings"
    )
    name = models.CharField("楼座名称", max_length=100)
    floors_above = models.PositiveSmallIntegerField(
        "地上层数", validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    floors_below = models.PositiveSmallIntegerField(
        "地下层数", default=0, validators=[MaxValueValidator(20)]
    )
    building_area = area_field("建筑面积")
    usable_area = area_field("使用面积")
    year_built = models.PositiveSmallIntegerField(
        "建成年份", null=True, blank=True, validators=[validate_year_built]
    )
    height_class = models.CharField("建筑类型", max_length=10, choices=HeightClass.choices)
    title_status = models.CharField(
        "权属状态", max_length=10, choices=TitleStatus.choices, default=TitleStatus.UNCLEAR
    )

    scope = Scope(
        region="compound__region",
        organization="compound__owner_org",
        organization_read=("floors__rooms__organization",),
    )

    class Meta:
        verbose_name = "楼座"
        verbose_name_plural = "楼座"
        ordering = ["compound", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "name"],
                name="building_unique_name",
                violation_error_message="该院落内已有同名楼座。",
            ),
            positive_area_constraint("building", "building_area"),
            positive_area_constraint("building", "usable_area"),
            models.CheckConstraint(
                condition=models.Q(usable_area__lte=models.F("building_area")),
                name="building_usable_within_building_area",
                violation_error_message="使用面积不能大于建筑面积。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.compound.name} {self.name}"

    def clean(self) -> None:
        if self.usable_area and self.building_area and self.usable_area > self.building_area:
            raise ValidationError(
                {
                    "usable_area": f"使用面积 {self.usable_area} 平方米不能大于建筑面积 "
                    f"{self.building_area} 平方米。"
                }
            )


class Floor(PrimaryModel):
    """A storey of a building; basements are negative numbers, there is no floor 0."""

    building = models.ForeignKey(
        Building, verbose_name="楼座", on_delete=models.CASCADE, related_name="floors"
    )
    number = models.SmallIntegerField("楼层号", help_text="地上为正数，地下为负数（-1 为地下一层）")
    name = models.CharField("楼层名称", max_length=40, blank=True)
    # The floor plan is a document of category 平面图 (archives), shown by the archives' panel.

    scope = Scope(
        region="building__compound__region",
        organization="building__compound__owner_org",
        organization_read=("rooms__organization",),
    )

    class Meta:
        verbose_name = "楼层"
        verbose_name_plural = "楼层"
        ordering = ["building", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "number"],
                name="floor_unique_number",
                violation_error_message="该楼座已有此楼层号。",
            ),
            models.CheckConstraint(
                condition=~models.Q(number=0),
                name="floor_number_not_zero",
                violation_error_message="楼层号不能为 0。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.building} {self.label}"

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        return f"{self.number}层" if self.number > 0 else f"地下{-self.number}层"

    def clean(self) -> None:
        if self.number is None or not self.building_id:
            return
        b = self.building
        if self.number == 0:
            raise ValidationError({"number": "楼层号不能为 0（地上从 1 起，地下从 -1 起）。"})
        if self.number > b.floors_above or self.number < -b.floors_below:
            below = f"地下 {b.floors_below} 层" if b.floors_below else "无地下层"
            raise ValidationError(
                {
                    "number": f"楼层号 {self.number} 超出楼座“{b.name}”的层数"
                    f"（地上 {b.floors_above} 层，{below}）。"
                }
            )


class Room(PrimaryModel):
    """A room (房间): the unit in which space is counted, used and checked."""

    floor = models.ForeignKey(
        Floor, verbose_name="楼层", on_delete=models.CASCADE, related_name="rooms"
    )
    number = models.CharField("房间号", max_length=20)
    name = models.CharField("房间名称", max_length=60, blank=True)
    category = models.CharField("用房类别", max_length=12, choices=RoomCategory.choices)
    subtype = models.CharField("用途", max_length=20, blank=True)
    usable_area = area_field("使用面积")
    building_area = area_field("建筑面积", required=False)
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="使用单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rooms",
    )
    status = models.CharField(
        "使用状态", max_length=20, choices=RoomStatus.choices, default=RoomStatus.IN_USE
    )
    status_since = models.DateField(
        "状态起始日期", null=True, blank=True, validators=[validate_not_future]
    )
    geometry = models.JSONField(
        "平面图形", null=True, blank=True, help_text="楼层平面图上的多边形坐标"
    )
    # Written only by an applied survey batch (app survey): the area the surveyors measured, kept
    # beside the registered one so a later edit far from it is caught (R9).
    surveyed_area = area_field("测绘面积", required=False, editable=False)
    surveyed_on = models.DateField("测绘日期", null=True, blank=True, editable=False)

    scope = Scope(
        region="floor__building__compound__region",
        organization="organization",
        organization_read=("floor__building__compound__owner_org",),
    )

    class Meta:
        verbose_name = "房间"
        verbose_name_plural = "房间"
        ordering = ["floor", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["floor", "number"],
                name="room_unique_number",
                violation_error_message="该楼层已有此房间号。",
            ),
            positive_area_constraint("room", "usable_area"),
            positive_area_constraint("room", "building_area"),
            models.CheckConstraint(
                condition=models.Q(building_area__isnull=True)
                | models.Q(usable_area__lte=models.F("building_area")),
                name="room_usable_within_building_area",
                violation_error_message="房间使用面积不能大于其建筑面积。",
            ),
        ]
        indexes = [models.Index(fields=["organization", "category"])]

    def __str__(self) -> str:
        return f"{self.floor.building} {self.number}"

    def clean(self) -> None:
        errors = {}
        if self.usable_area and self.building_area and self.usable_area > self.building_area:
            errors["usable_area"] = (
                f"使用面积 {self.usable_area} 平方米不能大于该房间的建筑面积 {self.building_area} 平方米。"
            )
        allowed = ROOM_SUBTYPES.get(self.category, ())
        if self.subtype and allowed and self.subtype not in allowed:
            errors["subtype"] = (
                f"用途“{self.subtype}”不属于“{RoomCategory(self.category).label}”，"
                f"可选：{'、'.join(allowed)}。"
            )
        if errors:
            raise ValidationError(errors)


class ParkingLot(PrimaryModel):
    compound = models.ForeignKey(
        Compound, verbose_name="院落", on_delete=models.CASCADE, related_name="parking_lots"
    )
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类型", max_length=12, choices=ParkingKind.choices)
    spaces = models.PositiveIntegerField("车位数", validators=[MinValueValidator(1)])

    scope = Scope(region="compound__region", organization="compound__owner_org")

    class Meta:
        verbose_name = "停车场"
        verbose_name_plural = "停车场"
        ordering = ["compound", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "name"],
                name="parkinglot_unique_name",
                violation_error_message="该院落内已有同名停车场。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.compound.name} {self.name}"


class Canteen(PrimaryModel):
    compound = models.ForeignKey(
        Compound, verbose_name="院落", on_delete=models.CASCADE, related_name="canteens"
    )
    name = models.CharField("名称", max_length=60)
    usable_area = area_field("使用面积")
    seats = models.PositiveIntegerField("座位数", default=0)

    scope = Scope(region="compound__region", organization="compound__owner_org")

    class Meta:
        verbose_name = "食堂"
        verbose_name_plural = "食堂"
        ordering = ["compound", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "name"],
                name="canteen_unique_name",
                violation_error_message="该院落内已有同名食堂。",
            ),
            positive_area_constraint("canteen", "usable_area"),
        ]

    def __str__(self) -> str:
        return f"{self.compound.name} {self.name}"
