"""Survey batches (测绘批次): the buildings a surveying company measures, the drawings it brings
per floor, the reconciled items, the three parties' confirmations and the principals' signatures.

A batch moves ``surveying → confirming → signing → applied (→ reverted)``; a dispute sends it
to ``returned`` (the surveyor corrects and submits again). ``survey.services`` holds every write.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ..framework.models import PrimaryModel
from ..framework.querysets import RestrictedQuerySet
from ..framework.scope import Scope
from ..registry.models.fields import area_field


class BatchState(models.TextChoices):
    SURVEYING = "surveying", "测绘中"
    CONFIRMING = "confirming", "三方确认中"
    RETURNED = "returned", "退回修改"
    SIGNING = "signing", "待签字"
    APPLIED = "applied", "已入账"
    REVERTED = "reverted", "已撤销"


class Party(models.TextChoices):
    UNIT = "unit", "使用单位"
    SURVEYOR = "surveyor", "测绘单位"
    BUREAU = "bureau", "机关事务管理局"


class ItemKind(models.TextChoices):
    MATCHED = "matched", "已匹配"
    NEW = "new", "新增房间"
    MISSING = "missing", "图纸中缺少"


class MatchedBy(models.TextChoices):
    """How a drawn room found its registered one (survey.reconcile)."""

    NONE = "", "—"
    NUMBER = "number", "按房间号"
    POSITION = "position", "按位置"


class Decision(models.TextChoices):
    PENDING = "", "待确认"
    CONFIRMED = "confirmed", "确认"
    DISPUTED = "disputed", "有异议"


class SurveyQuerySet(RestrictedQuerySet):
    """A surveyor reaches only the batches assigned to it (and their drawings and items)."""

    batch_lookup = ""

    def restrict(self, user, action: str = "view") -> SurveyQuerySet:
        rows = super().restrict(user, action)
        if user is not None and user.is_authenticated and surveyor_only(user):
            prefix = f"{self.batch_lookup}__" if self.batch_lookup else ""
            rows = rows.filter(**{f"{prefix}surveyors": user}).distinct()
        return rows


def surveyor_only(user) -> bool:
    """An account working as a surveying company (no bureau role besides)."""
    from ..accounts.roles import Role

    return user.has_role(Role.SURVEYOR) and not user.has_role(Role.BUREAU_ADMIN)


class BatchChildQuerySet(SurveyQuerySet):
    batch_lookup = "batch"


class SurveyBatch(PrimaryModel):
    """One survey assignment: 三明确 — the buildings, who delivers the drawings, who answers."""

    name = models.CharField("批次名称", max_length=100)
    region = models.ForeignKey(
        "registry.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+"
    )
    company = models.CharField("测绘单位", max_length=100)
    surveyors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="测绘单位账号",
        related_name="survey_batches",
        blank=True,
        help_text="承担本批次测绘的测绘单位账号，只有这些账号能看到并办理本批次",
    )
    buildings = models.ManyToManyField(
        "registry.Building", verbose_name="测绘楼座", related_name="survey_batches"
    )
    drawings_by = models.CharField(
        "图纸提供方", max_length=100, help_text="三明确之一：由谁提交测绘图纸"
    )
    responsible = models.CharField("责任人", max_length=50, help_text="三明确之一：谁对数据负责")
    responsible_phone = models.CharField("责任人电话", max_length=30, blank=True)
    planned_start = models.DateField("计划开始日期")
    planned_end = models.DateField("计划完成日期")
    state = models.CharField(
        "状态", max_length=12, choices=BatchState.choices, default=BatchState.SURVEYING
    )
    tolerance = models.DecimalField(
        "面积核对容差",
        max_digits=6,
        decimal_places=4,
        null=True,
        blank=True,
        editable=False,
        help_text="标准参数“R9 面积核对容差”（比例），核对时取用",
    )
    tolerance_source = models.CharField("容差依据", max_length=200, blank=True, editable=False)
    submitted_at = models.DateTimeField("提交确认时间", null=True, blank=True, editable=False)
    content_hash = models.CharField("内容摘要", max_length=128, blank=True, editable=False)
    hash_algorithm = models.CharField("摘要算法", max_length=20, blank=True, editable=False)
    # The request id of every change-log row the apply writes: found by it to show and revert.
    apply_id = models.UUIDField("入账批次号", null=True, blank=True, editable=False)
    applied_at = models.DateTimeField("入账时间", null=True, blank=True, editable=False)
    reverted_at = models.DateTimeField("撤销时间", null=True, blank=True, editable=False)
    note = models.TextField("备注", blank=True)

    objects = SurveyQuerySet.as_manager()
    # The apply id is in the apply's event (a UUID is no JSON value of the change log).
    changelog_exclude = ("created_at", "updated_at", "apply_id")

    scope = Scope(
        region="region",
        organization=None,
        organization_read=("buildings__compound__owner_org", "items__organization"),
    )

    class Meta:
        verbose_name = "测绘批次"
        verbose_name_plural = "测绘批次"
        ordering = ["-planned_start", "-id"]

    def __str__(self) -> str:
        return self.name


class SurveyDrawing(models.Model):
    """The drawing (DXF/IFC) of one floor in a batch: the file (an archives document on the
    floor), what was read from it and the layers and units the surveyor confirmed."""

    batch = models.ForeignKey(
        SurveyBatch, verbose_name="测绘批次", on_delete=models.CASCADE, related_name="drawings"
    )
    floor = models.ForeignKey(
        "registry.Floor", verbose_name="楼层", on_delete=models.CASCADE, related_name="+"
    )
    document = models.ForeignKey(
        "archives.Document",
        verbose_name="图纸文件",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    filename = models.CharField("文件名", max_length=255)
    format = models.CharField("格式", max_length=4, blank=True)
    units = models.FloatField("单位（米/图纸单位）", null=True, blank=True)
    outline_layers = models.JSONField("房间轮廓图层", default=list, blank=True)
    label_layers = models.JSONField("房间标注图层", default=list, blank=True)
    storey = models.CharField("IFC 楼层", max_length=100, blank=True)
    result = models.JSONField("识别结果", default=dict, blank=True)
    room_count = models.PositiveIntegerField("识别房间数", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    warning_count = models.PositiveIntegerField("警告数", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = BatchChildQuerySet.as_manager()

    scope = Scope(
        region="batch__region",
        organization=None,
        organization_read=("floor__rooms__organization",),
    )
    changelog_exclude = ("uploaded_at", "updated_at", "result")

    class Meta:
        verbose_name = "测绘图纸"
        verbose_name_plural = "测绘图纸"
        ordering = ["batch", "floor"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "floor"],
                name="surveydrawing_one_per_floor",
                violation_error_message="本批次已有该楼层的图纸，请重新上传以替换。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.floor} · {self.filename}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("survey:surveydrawing", args=[self.pk])

    @property
    def created_at(self):
        return self.uploaded_at

    @property
    def usable(self) -> bool:
        return self.error_count == 0 and self.room_count > 0


class SurveyItem(models.Model):
    """One reconciled room of a floor: matched, new (drawn only) or missing (registered only),
    and each party's decision on it."""

    batch = models.ForeignKey(
        SurveyBatch, verbose_name="测绘批次", on_delete=models.CASCADE, related_name="items"
    )
    drawing = models.ForeignKey(
        SurveyDrawing, verbose_name="图纸", on_delete=models.CASCADE, related_name="items"
    )
    floor = models.ForeignKey(
        "registry.Floor", verbose_name="楼层", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("核对结果", max_length=8, choices=ItemKind.choices)
    room = models.ForeignKey(
        "registry.Room",
        verbose_name="台账房间",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_items",
    )
    # The room's version when reconciled: the apply refuses a room edited since.
    room_version = models.PositiveIntegerField("房间版本", null=True, blank=True)
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="确认单位",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_items",
        help_text="代表使用单位确认该房间的单位：房间的使用单位（新增房间为院落的产权单位），"
        "须已开通单位管理员账号；未开通账号的单位由管理局一并确认",
    )
    number = models.CharField("房间号", max_length=20)
    name = models.CharField("房间名称", max_length=60, blank=True)
    registered_area = area_field("台账面积", required=False)
    drawn_area = area_field("测绘面积", required=False)
    stated_area = area_field("图纸标注面积", required=False)
    difference = models.DecimalField("差额（㎡）", max_digits=12, decimal_places=2, null=True)
    ratio = models.DecimalField("差异比例", max_digits=9, decimal_places=4, null=True)
    beyond_tolerance = models.BooleanField("超出容差", default=False)
    matched_by = models.CharField("匹配方式", max_length=10, blank=True, choices=MatchedBy.choices)
    geometry = models.JSONField("平面图形", null=True, blank=True)
    occupants = models.CharField("使用人", max_length=300, blank=True)
    use = models.CharField("用途", max_length=60, blank=True)
    unit_decision = models.CharField(
        "单位意见", max_length=10, choices=Decision.choices, default="", blank=True
    )
    surveyor_decision = models.CharField(
        "测绘单位意见", max_length=10, choices=Decision.choices, default="", blank=True
    )
    bureau_decision = models.CharField(
        "管理局意见", max_length=10, choices=Decision.choices, default="", blank=True
    )
    dispute_reason = models.CharField("异议理由", max_length=300, blank=True)

    objects = BatchChildQuerySet.as_manager()

    # A unit reads only the items of its own rooms.
    scope = Scope(region="batch__region", organization=None, organization_read=("organization",))

    class Meta:
        verbose_name = "核对房间"
        verbose_name_plural = "核对房间"
        ordering = ["batch", "floor", "number", "id"]

    def __str__(self) -> str:
        return f"{self.floor} {self.number or '（无编号）'}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("survey:surveyitem", args=[self.pk])

    @property
    def created_at(self):
        return self.drawing.uploaded_at

    @property
    def updated_at(self):
        return self.drawing.updated_at

    def decision(self, party: str) -> str:
        return getattr(self, f"{party}_decision")

    @property
    def disputed(self) -> bool:
        return Decision.DISPUTED in (
            self.unit_decision,
            self.surveyor_decision,
            self.bureau_decision,
        )


class SurveyConfirmation(models.Model):
    """One party's decision on items of a batch (the history of the three-party confirmation)."""

    batch = models.ForeignKey(
        SurveyBatch, verbose_name="测绘批次", on_delete=models.CASCADE, related_name="confirmations"
    )
    party = models.CharField("确认方", max_length=10, choices=Party.choices)
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="单位",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision = models.CharField("意见", max_length=10, choices=Decision.choices)
    items = models.ManyToManyField(SurveyItem, verbose_name="房间", related_name="confirmations")
    item_count = models.PositiveIntegerField("房间数", default=0)
    reason = models.CharField("理由", max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField("时间", auto_now_add=True)

    objects = BatchChildQuerySet.as_manager()

    scope = Scope(
        region="batch__region",
        organization=None,
        organization_read=("organization", "batch__items__organization"),
    )

    class Meta:
        verbose_name = "确认意见"
        verbose_name_plural = "确认意见"
        ordering = ["batch", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_party_display()} {self.get_decision_display()}（{self.item_count} 间）"


class SurveySignature(models.Model):
    """A principal's e-signature (签字确认) on a batch: who, when, how and the content hash."""

    batch = models.ForeignKey(
        SurveyBatch, verbose_name="测绘批次", on_delete=models.CASCADE, related_name="signatures"
    )
    party = models.CharField("签字方", max_length=10, choices=Party.choices)
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="单位",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签字人", on_delete=models.PROTECT, related_name="+"
    )
    signer_name = models.CharField("签字人姓名", max_length=100)
    signed_at = models.DateTimeField("签字时间")
    method = models.CharField("确认方式", max_length=30)
    content_hash = models.CharField("内容摘要", max_length=128)
    algorithm = models.CharField("摘要算法", max_length=20)
    # Set when a later dispute voids the signature (the data signed no longer stands).
    voided = models.BooleanField("已作废", default=False)

    objects = BatchChildQuerySet.as_manager()

    scope = Scope(
        region="batch__region",
        organization=None,
        organization_read=("batch__items__organization",),
    )

    class Meta:
        verbose_name = "签字确认"
        verbose_name_plural = "签字确认"
        ordering = ["batch", "signed_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_party_display()} {self.signer_name}"
