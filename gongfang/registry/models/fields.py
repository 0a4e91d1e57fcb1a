"""Field and constraint helpers shared by the registry models."""

from __future__ import annotations

from django.db import models

from ..validators import validate_positive_area


def area_field(verbose_name: str, *, required: bool = True, **kwargs) -> models.DecimalField:
    """An area in m², two decimal places, > 0 (DESIGN §3)."""
    return models.DecimalField(
        verbose_name,
        max_digits=12,
        decimal_places=2,
        validators=[validate_positive_area],
        null=not required,
        blank=not required,
        help_text="平方米，保留两位小数",
        **kwargs,
    )


def positive_area_constraint(model_name: str, field: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__gt": 0}) | models.Q(**{f"{field}__isnull": True}),
        name=f"{model_name}_{field}_positive",
        violation_error_message="面积必须大于 0 平方米。",
    )
