"""Forms of reporting: form versions' fields and rules, periods, the fill page's dialogs."""

from __future__ import annotations

import json

from django import forms

from ..framework.forms import ScopedModelForm
from .models import EvaluationIndicator, ReportField, ReportForm, ReportTable, ValidationRule
from .prefill import validate_spec


class ReportFieldForm(ScopedModelForm):
    choices_text = forms.CharField(
        label="下拉选项", required=False, help_text="每行一项；类型为下拉选项时必填"
    )
    prefill_text = forms.CharField(
        label="预填表达式",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='JSON，如 {"model": "room", "agg": "sum", "field": "usable_area", '
        '"filter": {"category": "office"}}；留空为手工填报',
    )

    class Meta:
        model = ReportField
        fields = ["table", "code", "label", "unit", "decimals", "kind", "summable", "order"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _editable_choices(
            self, "table", ReportTable.objects.filter(form__in=_editable_forms(self.user))
        )
        instance = self.instance
        if instance.pk:
            self.fields["choices_text"].initial = "\n".join(instance.choices or [])
            self.fields["prefill_text"].initial = (
                json.dumps(instance.prefill, ensure_ascii=False) if instance.prefill else ""
            )

    def clean_choices_text(self) -> list[str]:
        return [c.strip() for c in self.cleaned_data["choices_text"].splitlines() if c.strip()]

    def clean_prefill_text(self):
        text = self.cleaned_data["prefill_text"].strip()
        if not text:
            return None
        try:
            spec = json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError("预填表达式不是有效的 JSON。") from exc
        errors = validate_spec(spec)
        if errors:
            raise forms.ValidationError(errors)
        return spec

    def service_data(self) -> dict:
        data = super().service_data()
        data["choices"] = self.cleaned_data.get("choices_text") or []
        data["prefill"] = self.cleaned_data.get("prefill_text")
        return data


class ValidationRuleForm(ScopedModelForm):
    class Meta:
        model = ValidationRule
        fields = ["form", "code", "kind", "left", "operator", "right", "importance", "message"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _editable_choices(self, "form", _editable_forms(self.user))


def _editable_forms(user):
    """The form versions of the account's own region that no period uses yet."""
    region_id = getattr(user, "scope_region_id", None)
    return ReportForm.objects.filter(region_id=region_id, periods__isnull=True).select_related(
        "region"
    )


def _editable_choices(form: forms.Form, name: str, queryset) -> None:
    """A plain select of the rows the account may edit (these models have no lookup API)."""
    field = form.fields[name]
    field.queryset = queryset
    field.widget = forms.Select(attrs={"class": "form-select"})
    field.widget.choices = field.choices


class EvaluationIndicatorForm(ScopedModelForm):
    class Meta:
        model = EvaluationIndicator
        fields = ["code", "name", "kind", "points", "active", "order"]


class PeriodOpenForm(forms.Form):
    form = forms.ModelChoiceField(label="报表", queryset=ReportForm.objects.none())
    year = forms.IntegerField(label="统计年度", min_value=2000, max_value=2100)
    as_of = forms.DateField(label="统计时点", widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.DateField(label="报送截止日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, region=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from django.db.models import Q

        paths = [c for c in (region.path if region else "").split("/") if c]
        self.fields["form"].queryset = ReportForm.objects.filter(
            Q(region__isnull=True) | Q(region__code__in=paths)
        ).select_related("region")


class SignForm(forms.Form):
    signer_name = forms.CharField(label="签批领导姓名", max_length=50)
    signer_title = forms.CharField(label="职务", max_length=60, required=False)
    scan = forms.FileField(label="签批页扫描件", help_text="PDF、PNG 或 JPG，不超过 10 MB")
    password = forms.CharField(label="登录密码", widget=forms.PasswordInput)
    otp = forms.CharField(label="动态口令", max_length=10)


class ReasonForm(forms.Form):
    reasons = forms.CharField(
        label="原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )


class ImportForm(forms.Form):
    file = forms.FileField(label="报表文件（.xlsx）")
