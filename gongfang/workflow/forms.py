"""Forms of the approval pages. They parse only: the services decide (who may act, what a
decision needs) and their errors are put back onto the fields.

A case's payload is edited with its kind's own form (``KINDS.get(kind).form_class()``); the
applicant is chosen beside it with :class:`ApplicantForm` (prefixed, so no kind field collides).
"""

from __future__ import annotations

import inspect
from typing import Any

from django import forms

from ..framework.text import is_number
from ..registry.models import Organization
from .choices import DECISIONS, Action, ActorRule, CaseKind
from .kinds import KINDS
from .models import Case, ProcessDefinition

DECISION_LABELS = dict(Action.choices)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the attachments of a decision)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            continue
        if isinstance(widget, forms.RadioSelect):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


def applicant_choices(user):
    """The organizations the account may apply for (its scope)."""
    return Organization.objects.restrict(user, "view").select_related("region").order_by("path")


class ApplicantForm(forms.Form):
    applicant = forms.ModelChoiceField(
        label="申请单位",
        queryset=Organization.objects.none(),
        help_text="以哪个单位的名义申请；单位管理员只能为本单位及下属单位申请。",
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("prefix", "case")
        super().__init__(*args, **kwargs)
        self.fields["applicant"].queryset = applicant_choices(user)
        from ..framework.widgets import APISelect

        self.fields["applicant"].widget = APISelect()
        self.fields["applicant"].widget.choices = self.fields["applicant"].choices


def kind_form(kind: str, *args, user=None, applicant=None, case=None, **kwargs) -> forms.Form:
    """The kind's payload form, styled like every other form. A form whose constructor takes
    ``user`` (or ``actor``), ``applicant`` or ``case`` gets them (to scope its choices)."""
    form_class = KINDS.get(kind).form_class()
    accepted = inspect.signature(form_class.__init__).parameters
    for name, value in (("user", user), ("actor", user), ("applicant", applicant), ("case", case)):
        if name in accepted:
            kwargs[name] = value
    form = form_class(*args, **kwargs)
    _style(form)
    return form


def raw_data(form: forms.Form, data, files=None) -> dict[str, Any]:
    """What the browser sent for ``form``'s fields, as the service takes it (lists for multiple
    choices): the kind validates it again with its own form."""
    result: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = field.widget.value_from_datadict(data, files or {}, form.add_prefix(name))
        if value is not None:
            result[name] = value
    return result


def payload_rows(case: Case) -> list[tuple[str, str]]:
    """The payload as (label, value) rows, named by the kind's form and its choices (the kind's
    own ``describe(case)`` when it has one)."""
    spec = KINDS.specs.get(case.kind)
    describe = getattr(spec, "describe", None)
    if describe is not None:
        return [(str(label), str(value)) for label, value in describe(case)]
    try:
        form_class = KINDS.get(case.kind).form_class()
        fields = form_class.base_fields
    except Exception:  # the kind is not registered (any more): its keys as they are
        fields = {}
    rows = []
    for name, value in (case.payload or {}).items():
        field = fields.get(name)
        label = str(field.label) if field is not None and field.label else name
        rows.append((label, display(field, value)))
    return rows


def display(field: forms.Field | None, value: Any) -> str:
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    values = value if isinstance(value, list) else [value]
    if field is not None and isinstance(field, forms.ModelChoiceField):
        found = {
            str(o.pk): str(o)
            for o in field.queryset.model._default_manager.filter(
                pk__in=[v for v in values if is_number(str(v))]
            )
        }
        return "、".join(found.get(str(v), str(v)) for v in values)
    choices = getattr(field, "choices", None) if field is not None else None
    if choices:
        labels = {str(k): str(v) for k, v in choices if not isinstance(v, list | tuple)}
        return "、".join(labels.get(str(v), str(v)) for v in values)
    if isinstance(value, dict):
        return "；".join(f"{k}：{v}" for k, v in value.items())
    return "、".join(str(v) for v in values)


class DecideForm(forms.Form):
    """An approver's decision; password and 动态口令 when the step needs an e-signature."""

    decision = forms.ChoiceField(label="办理意见", widget=forms.RadioSelect)
    comment = forms.CharField(
        label="意见说明",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="退回修改、不予批准须说明理由。",
    )
    password = forms.CharField(
        label="登录密码",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp = forms.CharField(
        label="动态口令",
        required=False,
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "placeholder": "6 位数字",
            }
        ),
        help_text="身份验证器上显示的 6 位数字。",
    )
    files = MultipleFileField(
        label="附件",
        required=False,
        help_text="可附签批件扫描件等（PDF、JPG、PNG、DOCX、XLSX、OFD，每个不超过 20 MB）。",
    )

    def __init__(self, *args, decisions: list[str], needs_signature: bool, **kwargs):
        kwargs.setdefault("prefix", "decide")
        super().__init__(*args, **kwargs)
        self.needs_signature = needs_signature
        self.fields["decision"].choices = [
            (d, DECISION_LABELS[d]) for d in DECISIONS if d in decisions
        ]
        if not needs_signature:
            del self.fields["password"]
            del self.fields["otp"]
        else:
            self.fields["password"].required = True
            self.fields["otp"].required = True
        _style(self)

    def clean(self):
        data = super().clean()
        if data.get("decision") in (Action.RETURN, Action.REJECT) and not data.get("comment"):
            self.add_error("comment", "退回修改或不予批准时须填写意见说明。")
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "decision": data["decision"],
            "comment": data.get("comment", ""),
            "password": data.get("password", ""),
            "otp": data.get("otp", ""),
            "files": data.get("files") or (),
        }


class BatchSignForm(forms.Form):
    """Several to-do cases approved with one identity confirmation (领导批量签批)."""

    cases = forms.ModelMultipleChoiceField(
        label="待签批事项",
        queryset=Case.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请勾选要签批的事项。"},
    )
    comment = forms.CharField(label="签批意见", required=False, max_length=2000, initial="同意")
    password = forms.CharField(
        label="登录密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp = forms.CharField(
        label="动态口令",
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "placeholder": "6 位数字",
            }
        ),
    )

    def __init__(self, *args, cases, needs_signature: bool = True, **kwargs):
        kwargs.setdefault("prefix", "batch")
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = cases
        if not needs_signature:
            # No step waiting for the account asks for a signature (a countersigning unit
            # administrator, a bureau's review): approving needs no identity confirmation.
            del self.fields["password"]
            del self.fields["otp"]
            self.fields["comment"].label = "办理意见"
        _style(self)


class CommentForm(forms.Form):
    comment = forms.CharField(
        label="说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "withdraw")
        super().__init__(*args, **kwargs)
        _style(self)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="附件",
        help_text="PDF、JPG、PNG、DOCX、XLSX、OFD，不超过 20 MB。",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "attach")
        super().__init__(*args, **kwargs)
        _style(self)


# Process definitions --------------------------------------------------------------------------
class DefinitionForm(forms.ModelForm):
    """The header of a new revision (its steps are :class:`StepForm` rows)."""

    class Meta:
        model = ProcessDefinition
        fields = ("name", "effective_from", "number_prefix", "source")
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class StepForm(forms.Form):
    name = forms.CharField(label="环节名称", max_length=60)
    actors = forms.MultipleChoiceField(
        label="办理人",
        choices=ActorRule.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="选择多个即为会签，须全部同意。",
    )
    actions = forms.MultipleChoiceField(
        label="可选操作",
        choices=[(d, DECISION_LABELS[d]) for d in DECISIONS],
        widget=forms.CheckboxSelectMultiple,
    )
    time_limit_days = forms.IntegerField(label="办理时限（工作日）", min_value=1, max_value=60)
    needs_signature = forms.BooleanField(label="需电子签批", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class BaseStepFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        steps = [f for f in self.forms if f.has_changed() and not self._should_delete_form(f)]
        if not steps:
            raise forms.ValidationError("流程至少需要一个环节。")

    def steps(self) -> list[dict[str, Any]]:
        """The kept steps in order, numbered from 1."""
        result = []
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            result.append({**form.cleaned_data, "order": len(result) + 1})
            result[-1].pop("DELETE", None)
        return result


StepFormSet = forms.formset_factory(
    StepForm, formset=BaseStepFormSet, extra=1, can_delete=True, max_num=12, validate_max=True
)


def kind_label(kind: str) -> str:
    return dict(CaseKind.choices).get(kind, kind)
