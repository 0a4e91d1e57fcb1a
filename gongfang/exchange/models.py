"""Models of exchange: the other deployments we trade signed packages with, their keys, and
every package sent or received with its verification result."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ..framework.models import PrimaryModel
from ..framework.scope import Scope


class Direction(models.TextChoices):
    LOWER = "lower", "下级系统（向本系统报送）"
    UPPER = "upper", "上级系统（本系统向其报送）"


class Peer(PrimaryModel):
    """Another gongfang deployment: a county or city below that submits to us, or the level
    above we submit to. Its unit is the region (its bureau) or organization it reports as."""

    name = models.CharField("系统名称", max_length=100)
    direction = models.CharField("方向", max_length=10, choices=Direction.choices)
    region = models.ForeignKey(
        "registry.Region", verbose_name="对方区划", on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="对方单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="以单位身份报送时填写；以区划机关事务管理部门身份报送时留空",
    )
    contact = models.CharField("联系人及电话", max_length=100, blank=True)

    scope = Scope(region="region", organization=None)

    class Meta:
        verbose_name = "交换对象"
        verbose_name_plural = "交换对象"
        ordering = ["region__code", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def unit(self):
        return self.organization or self.region


class PeerKey(PrimaryModel):
    """A peer's public key, exchanged once (in person or by letter) and registered here: a
    package verifies only against a registered, unrevoked key."""

    peer = models.ForeignKey(
        Peer, verbose_name="交换对象", on_delete=models.CASCADE, related_name="keys"
    )
    algorithm = models.CharField("签名算法", max_length=16)
    public_key = models.CharField("公钥", max_length=256)
    fingerprint = models.CharField("指纹", max_length=64, unique=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField("停用时间", null=True, blank=True)

    scope = Scope(region="peer__region", organization=None)

    class Meta:
        verbose_name = "交换密钥"
        verbose_name_plural = "交换密钥"
        ordering = ["peer", "-created_at"]

    def __str__(self) -> str:
        return f"{self.peer} {self.fingerprint[:16]}"


class PackageKind(models.TextChoices):
    SUBMISSION = "submission", "报送包"
    RETURN = "return", "退回包"


class PackageDirection(models.TextChoices):
    IN = "in", "收到"
    OUT = "out", "发出"


class Package(PrimaryModel):
    """One package made or received, kept as its exact bytes with what checking it found."""

    direction = models.CharField("收发", max_length=4, choices=PackageDirection.choices)
    kind = models.CharField("类型", max_length=12, choices=PackageKind.choices)
    region = models.ForeignKey(
        "registry.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+"
    )
    peer = models.ForeignKey(
        Peer,
        verbose_name="交换对象",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="packages",
    )
    submission = models.ForeignKey(
        "reporting.Submission",
        verbose_name="报送",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit_name = models.CharField("报送单位", max_length=120, blank=True)
    data = models.TextField("包内容")
    sha256 = models.CharField("文件摘要", max_length=64)
    fingerprint = models.CharField("签名密钥指纹", max_length=64, blank=True)
    verified = models.BooleanField("验签通过", default=False)
    accepted = models.BooleanField("已导入", default=False)
    result = models.CharField("处理结果", max_length=500)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    scope = Scope(region="region", organization=None)

    class Meta:
        verbose_name = "交换包"
        verbose_name_plural = "交换包"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}{self.get_kind_display()} {self.unit_name}".strip()
