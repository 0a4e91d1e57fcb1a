from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from ...framework.models import PrimaryModel
from ...framework.scope import Scope
from ...framework.text import is_number
from ..choices import RegionLevel
from ..validators import region_code_lengths, validate_region_code


class Region(PrimaryModel):
    """An administrative division (GB/T 2260; townships by their 9-digit statistical code)."""

    code = models.CharField(
        "区划代码",
        max_length=12,
        unique=True,
        validators=[validate_region_code],
        help_text="6 位数字（GB/T 2260）；乡级为 9 位或 12 位统计用区划代码",
    )
    name = models.CharField("名称", max_length=60)
    level = models.CharField("层级", max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区划",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # The chain of codes from the province down, "370000/370400/370481/": a subtree is one
    # path__startswith filter. Maintained by the service, never edited.
    path = models.CharField("路径", max_length=120, db_index=True, editable=False, blank=True)

    scope = Scope(region="", organization=None, organization_read=("organizations",))

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        """The name with its ancestors, e.g. 山东省 枣庄市 滕州市."""
        return " ".join(r.name for r in self.ancestors(include_self=True))

    def ancestors(self, *, include_self: bool = False) -> list[Region]:
        codes = [c for c in self.path.split("/") if c]
        if not include_self:
            codes = codes[:-1]
        by_code = {r.code: r for r in Region.objects.filter(code__in=codes)}
        return [by_code[c] for c in codes if c in by_code]

    def clean(self) -> None:
        lengths = region_code_lengths(self.level)
        if self.code and is_number(self.code) and len(self.code) not in lengths:
            wanted = " 位或 ".join(str(n) for n in lengths)
            raise ValidationError(
                {
                    "code": f"{self.get_level_display()}区划“{self.name}”的代码“{self.code}”"
                    f"有 {len(self.code)} 位，应为 {wanted} 位数字。"
                }
            )

    def compute_path(self) -> str:
        return (self.parent.path if self.parent else "") + f"{self.code}/"
