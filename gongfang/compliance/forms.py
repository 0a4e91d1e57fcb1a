"""The forms of the warning life cycle: one per transition, with only the fields it takes.

Business rules (which mode needs a deadline, who may approve) are the service's; the form only
parses, and the service's errors are put back onto its fields.
"""

from __future__ import annotations

from django import forms

from ..accounts.roles import Role
from . import hooks
from .models import Mode
from .services import Transition, eligible_approvers

REASON_LABELS = {
    "rectify": "整改措施",
    "complete": "整改情况说明",
    "defer": "暂不整改理由",
    "file": "备案理由",
    "reopen": "重新打开原因",
}


class ApproverField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        roles = "、".join(obj.role_labels)
        return f"{obj.name or obj.username}（{obj.username}，{roles}，{obj.scope_label}）"


class TransitionForm(forms.Form):
    def __init__(self, *args, transition: Transition, warning, user, **kwargs):
        kwargs.setdefault("prefix", transition.name)
        super().__init__(*args, **kwargs)
        self.transition = transition
        if transition.name == "rectify":
            self.fields["mode"] = forms.ChoiceField(
                label="整改方式", choices=[("", "请选择"), *Mode.choices]
            )
            self.fields["deadline"] = forms.DateField(
                label="整改期限",
                required=False,
                help_text="限期整改须填写，须晚于今天",
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
        needs_reason = transition.needs_approval
        self.fields["reason"] = forms.CharField(
            label=REASON_LABELS.get(transition.name, "说明"),
            required=needs_reason,
            widget=forms.Textarea(attrs={"rows": 2}),
            max_length=2000,
        )
        # A bureau admin's 暂不整改 / 备案 is a request sent to approval (the engine's process
        # names the approver); without an engine he names one here.
        self.goes_to_approval = (
            transition.needs_approval
            and Role.BUREAU_ADMIN in (user.roles or ())
            and hooks.waiver_handler() is not None
        )
        if (
            transition.needs_approval
            and Role.BUREAU_ADMIN in (user.roles or ())
            and not self.goes_to_approval
        ):
            approvers = [u.pk for u in eligible_approvers(warning, exclude=user)]
            from ..accounts.models import User

            self.fields["approver"] = ApproverField(
                label="审批人",
                queryset=User.objects.filter(pk__in=approvers)
                .select_related("scope_region", "scope_organization")
                .order_by("username"),
                help_text="管辖范围包含该预警的审批领导或其他机关事务管理员",
            )
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "mode": data.get("mode", ""),
            "deadline": data.get("deadline"),
            "reason": data.get("reason", ""),
            "approver": data.get("approver"),
        }
