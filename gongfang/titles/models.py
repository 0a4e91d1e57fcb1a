"""Titles (权属登记) of compounds and buildings, and use certificates (使用权证) of rooms.

A ``Title`` records what proves (or fails to prove) who owns a compound or a building: a
不动产权证 with its number, a 备案, or that the title is unclear or disputed; the bureau may hold
the paper centrally (Guangxi moved 189 titles to its bureau). A ``UseCertificate`` is issued by
the bureau to an organization for the rooms it uses; it is numbered per region and year, printed
as PDF with a QR code opening a public verification page (by ``verify_token``), and revoked —
automatically — when one of its rooms moves to another organization, leaves use or is deleted.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from ..framework.models import PrimaryModel
from ..framework.scope import Scope
from ..registry.choices import RoomCategory
from ..registry.models.fields import area_field, positive_area_constraint
from ..registry.validators import validate_not_future
from .choices import CertificateState, TitleKind


class Title(PrimaryModel):
    """The title of one compound or one building (exactly one of the two)."""

    compound = models.ForeignKey(
        "registry.Compound",
        verbose_name="院落",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="titles",
        help_text="整个院落的权属；与楼座二选一",
    )
    building = models.ForeignKey(
        "registry.Building",
        verbose_name="楼座",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="titles",
        help_text="单栋楼座的权属；与院落二选一",
    )
    # The property's region, kept by the service: what the scope filters by.
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="所在区划",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    kind = models.CharField("权属类型", max_length=12, choices=TitleKind.choices)
    certificate_number = models.CharField(
        "证号", max_length=60, blank=True, help_text="不动产权证号或备案编号"
    )
    holder = models.ForeignKey(
        "registry.Organization",
        verbose_name="权利人",
        on_delete=models.PROTECT,
        related_name="titles",
    )
    held_centrally = models.BooleanField(
        "由机关事务管理局集中持有", default=False, help_text="证书原件由机关事务管理局统一保管"
    )
    area = area_field("证载面积", required=False)
    issued_on = models.DateField(
        "发证/备案日期", null=True, blank=True, validators=[validate_not_future]
    )
    source_document = models.CharField(
        "来源文件", max_length=200, blank=True, help_text="如划转文件、登记簿编号"
    )
    note = models.TextField("备注", blank=True)

    scope = Scope(
        region="region",
        organization="holder",
        organization_read=("compound__owner_org", "building__compound__owner_org"),
    )

    class Meta:
        verbose_name = "权属登记"
        verbose_name_plural = "权属登记"
        ordering = ["region", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(compound__isnull=False, building__isnull=True)
                | Q(compound__isnull=True, building__isnull=False),
                name="title_one_property",
                violation_error_message="院落和楼座须填写且只填写其中一项。",
            ),
            models.UniqueConstraint(
                fields=["certificate_number"],
                condition=Q(kind="certificate"),
                name="title_unique_certificate_number",
                violation_error_message="已登记此不动产权证号。",
            ),
            positive_area_constraint("title", "area"),
        ]

    def __str__(self) -> str:
        number = f" {self.certificate_number}" if self.certificate_number else ""
        return f"{self.property_label} {self.get_kind_display()}{number}"

    @property
    def target(self) -> models.Model | None:
        """The compound or building the title is of."""
        return self.building if self.building_id else self.compound

    @property
    def property_label(self) -> str:
        target = self.target
        return str(target) if target is not None else "—"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if bool(self.compound_id) == bool(self.building_id):
            errors["compound"] = "院落和楼座须填写且只填写其中一项。"
        if self.kind == TitleKind.CERTIFICATE and not self.certificate_number.strip():
            errors["certificate_number"] = "权属类型为“不动产权证”时必须填写证号。"
        if errors:
            raise ValidationError(errors)


def new_verify_token() -> str:
    """An unguessable token for the public verification address (QR code)."""
    return secrets.token_urlsafe(24)


class UseCertificate(PrimaryModel):
    """A use certificate (使用权证): the rooms an organization uses, certified by the bureau."""

    number = models.CharField("证号", max_length=60, unique=True, editable=False)
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="使用单位",
        on_delete=models.PROTECT,
        related_name="use_certificates",
    )
    # The organization's region when issued: the number series and the scope.
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="所在区划",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    rooms = models.ManyToManyField(
        "registry.Room",
        verbose_name="房间",
        through="CertifiedRoom",
        related_name="use_certificates",
    )
    issued_on = models.DateField("发证日期", validators=[validate_not_future])
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签发人",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    state = models.CharField(
        "状态",
        max_length=10,
        choices=CertificateState.choices,
        default=CertificateState.VALID,
        editable=False,
    )
    revoked_on = models.DateField("注销日期", null=True, blank=True, editable=False)
    revoke_reason = models.CharField("注销原因", max_length=300, blank=True, editable=False)
    # Counted when issued (the rooms may change later; the certificate says what it certified).
    room_count = models.PositiveIntegerField("房间数", default=0, editable=False)
    total_area = models.DecimalField(
        "使用面积合计", max_digits=12, decimal_places=2, default=0, editable=False
    )
    verify_token = models.CharField(
        "核验码", max_length=64, unique=True, default=new_verify_token, editable=False
    )
    note = models.TextField("备注", blank=True)

    scope = Scope(region="region", organization="organization")
    changelog_exclude = ("created_at", "updated_at", "verify_token")

    class Meta:
        verbose_name = "使用权证"
        verbose_name_plural = "使用权证"
        ordering = ["-issued_on", "-pk"]
        indexes = [models.Index(fields=["state", "organization"])]

    def __str__(self) -> str:
        return self.number or "使用权证（未编号）"

    @property
    def is_valid(self) -> bool:
        return self.state == CertificateState.VALID


class CertifiedRoom(models.Model):
    """One room of a certificate, with what it was when certified. A deleted room leaves its
    line (room empty) so the certificate still reads as issued."""

    certificate = models.ForeignKey(
        UseCertificate, on_delete=models.CASCADE, related_name="certified_rooms"
    )
    room = models.ForeignKey(
        "registry.Room", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    label = models.CharField("房间", max_length=200)
    category = models.CharField("用房类别", max_length=20, blank=True, choices=RoomCategory.choices)
    usable_area = models.DecimalField("使用面积", max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = "使用权证房间"
        verbose_name_plural = "使用权证房间"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "room"], name="certifiedroom_unique_room"
            )
        ]

    def __str__(self) -> str:
        return self.label
