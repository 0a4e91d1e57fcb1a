"""Services of the standards: writes of local versions and their rows (national ones are seeded
by migration and refused here); a local office limit may only be stricter than what applies above
its region (DESIGN §4.1)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from ..framework.services import ObjectService, register
from .models import (
    NATIONAL_READ_ONLY,
    Clause,
    GradeEquivalence,
    OfficeLimit,
    RuleParameter,
    ServiceAllowance,
    StandardVersion,
    VersionKind,
)
from .selectors import office_limit_errors


@register
class StandardVersionService(ObjectService):
    model = StandardVersion

    def prepare(self, *, actor, instance: StandardVersion) -> None:
        if instance.pk is not None and instance.kind == VersionKind.NATIONAL:
            raise ValidationError(NATIONAL_READ_ONLY)
        # Pages and the API only ever write local versions.
        instance.kind = VersionKind.LOCAL

    def validate(self, *, actor, instance: StandardVersion, before: dict | None) -> None:
        if before is None:
            return
        moved = (before.get("region"), before.get("effective_from")) != (
            instance.region_id,
            instance.effective_from.isoformat(),
        )
        if moved:
            # Its office limits must still fit under what applies at the new place and date.
            errors = office_limit_errors(instance, instance.office_limits.all())
            if errors:
                raise ValidationError(
                    ["本版本已有的面积标准在新的区划或生效日期下超出上限：", *errors]
                )


class VersionRowService(ObjectService):
    """Rows are written only in local versions (checked first: no other message hides it)."""

    def prepare(self, *, actor, instance) -> None:
        if instance.version_id and instance.version.kind == VersionKind.NATIONAL:
            raise ValidationError({"version": NATIONAL_READ_ONLY})


@register
class OfficeLimitService(VersionRowService):
    model = OfficeLimit

    def validate(self, *, actor, instance: OfficeLimit, before: dict | None) -> None:
        errors = office_limit_errors(instance.version, [instance])
        if errors:
            raise ValidationError({"area": errors})


@register
class GradeEquivalenceService(VersionRowService):
    model = GradeEquivalence


@register
class ServiceAllowanceService(VersionRowService):
    model = ServiceAllowance


@register
class RuleParameterService(VersionRowService):
    model = RuleParameter


@register
class ClauseService(VersionRowService):
    model = Clause
