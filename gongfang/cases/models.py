"""What approved cases leave behind besides the registry rows they change.

``ApprovedUse``: the approval of one room's 出借 / 出租 / 租用 / 用途变更 for a term, with the
other party, rent and agreement — what R8 reads (``compliance.hooks``) to tell an approved loan
from an unapproved one, and what the term-end reminders read. ``ConstructionProject``: the record
of an approved 新建 / 购置 / 装修 project. Both are written only by the kinds' ``apply()``
through their services (change-logged), never edited by hand.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from ..framework.models import PrimaryModel
from ..framework.scope import Scope


class Use(models.TextChoices):
    LENT = "lent", "出借"
    LEASED_OUT = "leased_out", "出租"
    RENTED = "rented", "租用"
    CHANGED_USE = "changed_use", "用途变更"


class ApprovedUse(PrimaryModel):
    """One room's use approved by a case, for a term (no end: until changed again)."""

    case = models.ForeignKey(
        "workflow.Case", verbose_name="审批事项", on_delete=models.PROTECT, related_name="uses"
    )
    room = models.ForeignKey(
        "registry.Room", verbose_name="房间", on_delete=models.CASCADE, related_name="approved_uses"
    )
    use = models.CharField("批准用途", max_length=12, choices=Use.choices)
    # The borrower of a loan (an organization of the registry).
    counterparty = models.ForeignKey(
        "registry.Organization",
        verbose_name="借用单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The tenant of a lease-out, the landlord of a lease-in (outside the registry).
    party = models.CharField("承租方 / 出租方", max_length=100, blank=True)
    rent = models.DecimalField(
        "年租金（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("截止日期", null=True, blank=True)
    agreement_number = models.CharField("协议 / 合同编号", max_length=60, blank=True)
    bidding_record = models.CharField("公开招租记录", max_length=300, blank=True)
    # Set when a later case (vacate, disposal, another approval) ends the use before its term.
    ended_on = models.DateField("提前终止日期", null=True, blank=True)
    reminded_on = models.DateField("最近到期提醒", null=True, blank=True)

    scope = Scope(
        region="room__floor__building__compound__region",
        organization="room__organization",
        organization_read=("counterparty",),
    )

    class Meta:
        verbose_name = "经批准的用途"
        verbose_name_plural = "经批准的用途"
        ordering = ["room", "-starts_on"]
        indexes = [models.Index(fields=["room", "use"]), models.Index(fields=["ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="approveduse_term_ordered",
                violation_error_message="截止日期不能早于起始日期。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.room} {self.get_use_display()}（{self.term}）"

    @property
    def term(self) -> str:
        end = f"{self.ends_on:%Y-%m-%d}" if self.ends_on else "长期"
        return f"{self.starts_on:%Y-%m-%d} 至 {end}"

    @property
    def last_day(self):
        """The last day the approval covers (the earlier of its end and its early end)."""
        if self.ended_on is not None:
            return min(self.ended_on, self.ends_on) if self.ends_on else self.ended_on
        return self.ends_on


class ProjectKind(models.TextChoices):
    NEW = "new", "新建"
    PURCHASE = "purchase", "购置"
    RENOVATION = "renovation", "装修"


class ConstructionProject(PrimaryModel):
    """An approved 新建 / 购置 / 装修 project of an organization (办法 forbids most: the strict
    limits it was approved under are kept in its note)."""

    case = models.OneToOneField(
        "workflow.Case", verbose_name="审批事项", on_delete=models.PROTECT, related_name="project"
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="建设单位",
        on_delete=models.PROTECT,
        related_name="construction_projects",
    )
    kind = models.CharField("项目类型", max_length=12, choices=ProjectKind.choices)
    name = models.CharField("项目名称", max_length=100)
    location = models.CharField("建设地点", max_length=200, blank=True)
    building = models.ForeignKey(
        "registry.Building",
        verbose_name="涉及楼座",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="construction_projects",
    )
    building_area = models.DecimalField(
        "建筑面积（平方米）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    budget = models.DecimalField("概算投资（万元）", max_digits=14, decimal_places=2)
    funding = models.CharField("资金来源", max_length=100)
    starts_on = models.DateField("计划开工日期", null=True, blank=True)
    note = models.TextField("严格控制说明", blank=True)

    scope = Scope(region="organization__region", organization="organization")

    class Meta:
        verbose_name = "建设项目"
        verbose_name_plural = "建设项目"
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.name}"
