"""Writes of supervision (each one transaction, rows locked, change log written).

The life cycle of a finding, like a compliance warning's: open → confirmed (the bureau or the
supervisor finds it a violation) / explained (the unit gives its reason: an emergency, a mission
approved by telephone …) / dismissed with a reason (bureau or supervisor). An explained finding is
still confirmed or dismissed by the bureau or supervisor; a decided one may be reopened by them.
A rule's parameters are revised by saving a new version for the editor's region.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ..accounts.roles import Role
from ..framework import clock
from ..framework.changelog import record_change, record_event, serialize_object
from ..framework.models import ObjectChange
from ..framework.services import ObjectService, register
from ..framework.versions import check_version
from ..standards.models import VersionKind
from .models import Anomaly, AnomalyState, RegionArea, RuleVersion
from .rules import PARAMETERS

REVIEWERS = frozenset({Role.BUREAU_ADMIN, Role.SUPERVISOR})
NOT_IN_SCOPE = "该异常线索不存在或超出您的管辖范围。"

# state -> (verb, states it may come from, roles)
TRANSITIONS = {
    AnomalyState.CONFIRMED: ("确认违规", (AnomalyState.OPEN, AnomalyState.EXPLAINED), REVIEWERS),
    AnomalyState.DISMISSED: ("排除", (AnomalyState.OPEN, AnomalyState.EXPLAINED), REVIEWERS),
    AnomalyState.EXPLAINED: ("说明情况", (AnomalyState.OPEN,), frozenset({Role.UNIT_ADMIN})),
    AnomalyState.OPEN: (
        "重新核实",
        (AnomalyState.CONFIRMED, AnomalyState.DISMISSED, AnomalyState.EXPLAINED),
        REVIEWERS,
    ),
}


def allowed_moves(user, anomaly: Anomaly) -> list[tuple[str, str]]:
    """(state, verb) the account may move the finding to (buttons on its page)."""
    roles = set(getattr(user, "roles", None) or ())
    return [
        (state, verb)
        for state, (verb, sources, who) in TRANSITIONS.items()
        if anomaly.state in sources and roles & who
    ]


def move(
    *, actor, anomaly: Anomaly, to: str, reason: str = "", expected_version: int | None = None
) -> Anomaly:
    """Move a finding along its life cycle; a dismissal, an explanation and a reopening need a
    reason."""
    if to not in TRANSITIONS:
        raise ValidationError("无效的处理方式。")
    verb, sources, who = TRANSITIONS[to]
    reason = (reason or "").strip()
    with transaction.atomic():
        current = Anomaly.objects.select_for_update().filter(pk=anomaly.pk).first()
        if current is None or not (
            Anomaly.objects.restrict(actor, "view").filter(pk=anomaly.pk).exists()
        ):
            raise PermissionDenied(NOT_IN_SCOPE)
        if not set(getattr(actor, "roles", None) or ()) & who:
            raise PermissionDenied(f"您不能对异常线索“{verb}”。")
        check_version(current, expected_version)
        if current.state not in sources:
            raise ValidationError(f"该异常线索当前为“{current.get_state_display()}”，不能{verb}。")
        if to != AnomalyState.CONFIRMED and not reason:
            raise ValidationError({"reason": f"{verb}须填写理由。"})
        before = serialize_object(current)
        current.state = to
        current.reason = reason
        current.decided_by = actor
        current.decided_at = clock.now()
        current.version += 1
        current.save(
            update_fields=["state", "reason", "decided_by", "decided_at", "version", "updated_at"]
        )
        record_change(
            actor=actor, instance=current, action=ObjectChange.Action.UPDATE, before=before
        )
        record_event(
            actor=actor, event=f"anomaly.{to}", obj=current, data={"reason": reason, "verb": verb}
        )
    anomaly.__dict__.update(
        {k: v for k, v in current.__dict__.items() if not k.startswith("_") or k == "_state"}
    )
    return anomaly


def revise_rule(
    *,
    actor,
    version: RuleVersion,
    parameters: dict,
    enabled: bool,
    source: str,
    notes: str = "",
    effective_from: datetime.date | None = None,
) -> RuleVersion:
    """Save a new version of ``version``'s rule for the actor's region; the region's previous
    version in force ends the day before the new one starts."""
    region = getattr(actor, "scope_region", None)
    if region is None or not actor.has_model_perm(RuleVersion, "add"):
        raise PermissionDenied("监督规则由机关事务管理局设定。")
    expected = set(PARAMETERS[version.rule])
    if set(parameters) != expected:
        raise ValidationError("参数项与规则不符。")
    for key, value in parameters.items():
        if not isinstance(value, int | float) or value < 0:
            raise ValidationError({key: f"{PARAMETERS[version.rule][key][0]}须为不小于 0 的数。"})
    if not (source or "").strip():
        raise ValidationError({"source": "请填写依据（文件名称与文号或会议纪要）。"})
    start = effective_from or clock.today()
    with transaction.atomic():
        own = list(RuleVersion.objects.select_for_update().filter(rule=version.rule, region=region))
        for old in own:
            if old.effective_to is None or old.effective_to >= start:
                if old.effective_from >= start:
                    raise ValidationError(
                        {
                            "effective_from": f"生效日期须晚于本区划现行版本的生效日期 {old.effective_from:%Y-%m-%d}。"
                        }
                    )
                before = serialize_object(old)
                old.effective_to = start - datetime.timedelta(days=1)
                old.version += 1
                old.save(update_fields=["effective_to", "version", "updated_at"])
                record_change(
                    actor=actor, instance=old, action=ObjectChange.Action.UPDATE, before=before
                )
        new = RuleVersion(
            rule=version.rule,
            kind=VersionKind.LOCAL,
            region=region,
            number=max([v.number for v in own] + [0]) + 1,
            enabled=enabled,
            parameters=parameters,
            source=source.strip(),
            effective_from=start,
            notes=notes,
        )
        new.full_clean()
        new.save()
        record_change(actor=actor, instance=new, action=ObjectChange.Action.CREATE, before=None)
    return new


@register
class RegionAreaService(ObjectService):
    """Areas are set by the bureau of the region (or above it)."""

    model = RegionArea

    def validate(self, *, actor, instance: RegionArea, before: dict | None) -> None:
        region = getattr(actor, "scope_region", None)
        if region is None or not instance.region.path.startswith(region.path):
            raise PermissionDenied("区域范围由该区划或上级的机关事务管理局设定。")


@register
class RuleVersionService(ObjectService):
    """Versions are never edited in place: the pages' edit saves a new one (``revise_rule``)."""

    model = RuleVersion

    def validate(self, *, actor, instance: RuleVersion, before: dict | None) -> None:
        raise PermissionDenied("规则版本不能直接修改，请通过“修订参数”保存新版本。")
