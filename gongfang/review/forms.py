"""Forms of the data review: the generic edit forms and the finding's own actions."""

from __future__ import annotations

from django import forms
from django.db import models

from ..accounts.models import User
from ..framework.forms import ScopedModelForm
from ..registry.models import Organization
from .checks import SUBJECTS
from .models import Assignment, RequiredField, Review, Severity, Subject

TEXT = forms.Textarea(attrs={"rows": 3, "class": "form-control"})


def _condition_fields() -> list[tuple[str, str, models.Field]]:
    """The fields a condition may test: those of each subject with a fixed list of values."""
    found = []
    for subject, label in Subject.choices:
        for field in SUBJECTS[subject].model._meta.concrete_fields:
            if field.choices or isinstance(field, models.BooleanField):
                found.append((f"{subject}.{field.name}", f"{label}·{field.verbose_name}", field))
    return found


def _fillable_fields() -> list[tuple[str, list[tuple[str, str]]]]:
    """The fields a rule may require, grouped by subject ("room.usable_area" → 使用面积)."""
    groups = []
    for subject, label in Subject.choices:
        model = SUBJECTS[subject].model
        fields = [
            (f"{subject}.{f.name}", f"{label}·{f.verbose_name}")
            for f in model._meta.concrete_fields
            if f.editable and not f.primary_key
        ]
        groups.append((label, fields))
    return groups


def _values_of(field: models.Field) -> list[tuple[str, str]]:
    if isinstance(field, models.BooleanField):
        return [("true", "是"), ("false", "否")]
    return [(str(value), str(text)) for value, text in field.flatchoices]


def _typed(field: models.Field, value: str):
    return value == "true" if isinstance(field, models.BooleanField) else value


class RequiredFieldForm(ScopedModelForm):
    """The rule's particulars and its condition: which rows it applies to, chosen as one field
    with a list of values (stored as field lookups, ``{"status": "active"}`` or
    ``{"category__in": [...]}``). A condition written otherwise through the API is kept as it
    is and shown, not offered for editing here."""

    field = forms.ChoiceField(label="字段", help_text="须填写的字段，须属于所选的对象类型。")
    condition_field = forms.ChoiceField(
        label="适用条件字段", required=False, help_text="不选则对该类对象的全部记录适用。"
    )
    condition_values = forms.MultipleChoiceField(
        label="适用条件取值",
        required=False,
        help_text="所选字段取这些值之一的记录才须填写该字段（可多选）。",
    )

    class Meta:
        model = RequiredField
        fields = [
            "model",
            "field",
            "label",
            "condition_label",
            "version",
            "source",
            "effective_from",
            "effective_to",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.order_fields(["model", "field", "label", "condition_field", "condition_values"])
        self.fields["field"].choices = [("", "---------"), *_fillable_fields()]
        if self.instance.pk is not None:
            self.initial["field"] = f"{self.instance.model}.{self.instance.field}"
        self.testable = {key: field for key, _, field in _condition_fields()}
        self.fields["condition_field"].choices = [("", "全部记录（不设条件）")] + [
            (key, label) for key, label, _ in _condition_fields()
        ]
        self.fields["condition_values"].choices = [
            (label, [(f"{key}={v}", f"{label}：{text}") for v, text in _values_of(field)])
            for key, label, field in _condition_fields()
        ]
        self.fields["condition_values"].widget.attrs["size"] = 8
        self.custom = self._initial_condition()
        self.condition: dict = {}

    def _initial_condition(self) -> bool:
        """Fill the two fields from the stored condition; True when it cannot be shown so."""
        condition = self.instance.condition or {}
        if not condition:
            return False
        [(lookup, value)] = condition.items() if len(condition) == 1 else [("", None)]
        name = lookup.removesuffix("__in")
        key = f"{self.instance.model}.{name}"
        values = value if lookup.endswith("__in") and isinstance(value, list) else [value]
        if key not in self.testable:
            for name in ("condition_field", "condition_values"):
                self.fields[name].disabled = True
                self.fields[name].help_text = f"当前条件通过接口设定（{condition}），此处不修改。"
            return True
        self.initial["condition_field"] = key
        self.initial["condition_values"] = [
            f"{key}={str(v).lower() if isinstance(v, bool) else v}" for v in values
        ]
        return False

    def clean(self):
        data = super().clean()
        subject, _, name = (data.get("field") or "").partition(".")
        if name:
            if subject != data.get("model"):
                self.add_error("field", "字段须属于所选的对象类型。")
            else:
                data["field"] = name
        if self.custom:
            return data
        key = data.get("condition_field") or ""
        picked = data.get("condition_values") or []
        if not key:
            if picked:
                self.add_error("condition_field", "选择了取值，请同时选择适用条件字段。")
            else:
                self.condition = {}
            return data
        if key.split(".", 1)[0] != data.get("model"):
            self.add_error("condition_field", "适用条件字段须属于所选的对象类型。")
            return data
        values = [v.split("=", 1)[1] for v in picked if v.split("=", 1)[0] == key]
        if not values or len(values) != len(picked):
            self.add_error("condition_values", "请只选择所选条件字段的取值。")
            return data
        field = self.testable[key]
        typed = [_typed(field, v) for v in values]
        self.condition = {field.name: typed[0]} if len(typed) == 1 else {f"{field.name}__in": typed}
        return data

    def service_data(self) -> dict:
        data = super().service_data()
        if not self.custom:
            data["condition"] = self.condition
        return data


class ReviewForm(ScopedModelForm):
    organizations = forms.ModelMultipleChoiceField(
        label="会审单位",
        queryset=Organization.objects.none(),
        required=False,
        help_text="不选则为区划内全部单位。",
    )
    reviewers = forms.ModelMultipleChoiceField(
        label="会审人员", queryset=User.objects.none(), required=False
    )

    class Meta:
        model = Review
        fields = ["name", "region", "starts_on", "ends_on", "organizations", "reviewers", "note"]
        widgets = {"note": TEXT}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["organizations"].queryset = Organization.objects.restrict(user, "view")
        region = getattr(user, "scope_region", None)
        self.fields["reviewers"].queryset = (
            User.objects.filter(is_active=True, scope_region__path__startswith=region.path)
            if region is not None
            else User.objects.none()
        )
        for name in ("organizations", "reviewers"):
            self.fields[name].widget.attrs["class"] = "form-select"
            self.fields[name].widget.attrs["size"] = 6


class AssignmentForm(ScopedModelForm):
    reviewer = forms.ModelChoiceField(label="审核人", queryset=User.objects.none(), required=False)

    class Meta:
        model = Assignment
        fields = ["review", "reviewed_organization", "reviewer_organization", "reviewer"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["reviewer"].queryset = User.objects.filter(
            is_active=True,
            scope_organization__in=Organization.objects.restrict(user, "view").values("pk"),
        )
        self.fields["reviewer"].widget.attrs["class"] = "form-select"


class FindingAddForm(forms.Form):
    """A reviewer's finding on one object of the review."""

    problem = forms.CharField(label="问题", widget=TEXT, max_length=2000)
    field_label = forms.CharField(label="涉及字段", max_length=60, required=False)
    severity = forms.ChoiceField(
        label="严重程度",
        choices=Severity.choices,
        initial=Severity.MINOR,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("problem", "field_label"):
            self.fields[name].widget.attrs.setdefault("class", "form-control")


class RectifyForm(forms.Form):
    note = forms.CharField(label="整改说明", widget=TEXT, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RecheckForm(forms.Form):
    passed = forms.TypedChoiceField(
        label="复核结论",
        choices=(("1", "整改到位，销号"), ("0", "未整改到位，退回")),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="复核意见", widget=TEXT, max_length=2000, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
