"""预警暂不整改 / 备案 (warning_waiver): a warning is deferred or filed only when the case's
approver signs; until then it stays as it is."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from ...compliance.models import ACTIVE_STATES, State, Warning
from ...compliance.services import apply_waiver
from ...workflow.choices import CaseKind
from ...workflow.kinds import Change, Drafted, SubjectRef
from .base import BaseKind, KindForm

ACTIONS = (("defer", "暂不整改"), ("file", "备案"))
TARGETS = {"defer": State.DEFERRED, "file": State.FILED}


class WarningChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Warning) -> str:
        return f"{obj.get_rule_display()}：{obj.subject_label}"


class WaiverForm(KindForm):
    warning = WarningChoiceField(label="预警", queryset=Warning.objects.none())
    action = forms.ChoiceField(label="申请事项", choices=[("", "请选择"), *ACTIONS])
    reason = forms.CharField(
        label="理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def setup(self) -> None:
        self.fields["warning"].queryset = self.visible(Warning).filter(state__in=ACTIVE_STATES)


def applicant_of(warning: Warning):
    """The organization a waiver of ``warning`` is on behalf of: the warning's own, else the
    holder of the compound its room or building stands in."""
    if warning.organization_id:
        return warning.organization
    if warning.room_id:
        return warning.room.floor.building.compound.owner_org
    if warning.building_id:
        return warning.building.compound.owner_org
    return None


class WaiverKind(BaseKind):
    kind = CaseKind.WARNING_WAIVER
    form = WaiverForm
    verb = "暂不整改或备案"

    def drafted(self, data, payload, applicant) -> Drafted:
        warning = data["warning"]
        label = dict(ACTIONS)[data["action"]]
        return Drafted(
            payload=payload,
            title=f"预警{label}：{warning.get_rule_display()} {warning.subject_label}"[:200],
            subjects=[SubjectRef(obj=warning, label=f"{warning.rule} {warning.subject_label}")],
        )

    def warning_of(self, case) -> Warning | None:
        return Warning.objects.filter(pk=case.payload.get("warning")).first()

    def problems(self, case) -> list[str]:
        warning = self.warning_of(case)
        if warning is None:
            return ["预警已不存在（其对象已被删除），无需暂不整改或备案。"]
        if warning.state not in ACTIVE_STATES:
            label = dict(ACTIONS)[case.payload["action"]]
            return [
                f"预警“{warning.subject_label}”当前状态为“{warning.get_state_display()}”，"
                f"无法{label}。"
            ]
        return []

    def preview(self, case) -> list[Change]:
        warning = self.warning_of(case)
        if warning is None:
            return []
        target = TARGETS[case.payload["action"]]
        return [
            Change(
                model="超标预警",
                label=f"{warning.get_rule_display()}：{warning.subject_label}",
                field="处理状态",
                before=warning.get_state_display(),
                after=State(target).label,
                url=warning.get_absolute_url(),
            ),
            Change(
                model="超标预警",
                label=f"{warning.get_rule_display()}：{warning.subject_label}",
                field="审批人",
                before=str(warning.approver) if warning.approver_id else "—",
                after="签批人",
                url=warning.get_absolute_url(),
            ),
        ]

    def apply(self, *, actor, case) -> dict[str, Any]:
        self.check_problems(case)
        signature = case.signatures.select_related("signer").order_by("-signed_at", "-pk").first()
        signer = signature.signer if signature is not None else actor
        if signer is None:
            raise ValidationError("暂不整改或备案须由审批人签批后生效。")
        warning = apply_waiver(
            warning=self.warning_of(case),
            action=case.payload["action"],
            reason=case.payload["reason"],
            approver=signer,
            reference=case.number,
        )
        return {"warning": warning.pk, "state": warning.state, "approver": signer.pk}


WARNING_WAIVER = WaiverKind()
