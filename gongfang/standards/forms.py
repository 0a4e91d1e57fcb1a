"""Create/edit forms of local versions and their rows; the service validates."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone

from ..framework.forms import ScopedModelForm
from ..framework.widgets import APISelect
from ..registry.models import Region
from .models import (
    Clause,
    GradeEquivalence,
    OfficeLimit,
    RuleParameter,
    ServiceAllowance,
    StandardVersion,
)


class StandardVersionForm(ScopedModelForm):
    class Meta:
        model = StandardVersion
        fields = ["name", "region", "source", "effective_from", "effective_to", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].required = True
        self.fields["region"].help_text = "本地方标准适用于该区划及其下级区划；须在您的管辖范围内"


class EditableVersionSelect(APISelect):
    """The version choice loads only versions the account may write (``?editable=true``)."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        url = context["widget"]["attrs"].get("data-api-url")
        if url:
            context["widget"]["attrs"]["data-api-url"] = f"{url}?editable=true"
        return context


class VersionRowForm(ScopedModelForm):
    """A row's version: one the account may write (never a national one)."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        field = self.fields["version"]
        writable = StandardVersion.objects.restrict(user, "change")
        current = self.instance.version_id if self.instance.pk else None
        field.queryset = (
            StandardVersion.objects.filter(Q(pk__in=writable.values("pk")) | Q(pk=current))
            if current
            else writable
        )
        field.widget = EditableVersionSelect(attrs=field.widget.attrs)
        field.widget.choices = field.choices
        field.help_text = "只能选择您可以编辑的地方标准版本"


class OfficeLimitForm(VersionRowForm):
    class Meta:
        model = OfficeLimit
        fields = ["version", "standard_level", "grade", "area", "toilet_allowed", "clause"]
        widgets = {"clause": forms.Textarea(attrs={"rows": 3})}
        # The parameter by its name, not its key (the model's help text names the key).
        help_texts = {
            "toilet_allowed": "表1 注4：可在此面积内配备卫生间（不超过参数“领导办公室卫生间面积上限”）"
        }


class GradeEquivalenceForm(VersionRowForm):
    class Meta:
        model = GradeEquivalence
        fields = ["version", "rank_title", "grade", "clause"]
        widgets = {"clause": forms.Textarea(attrs={"rows": 3})}


class ServiceAllowanceForm(VersionRowForm):
    class Meta:
        model = ServiceAllowance
        fields = ["version", "standard_level", "per_capita", "clause"]
        widgets = {"clause": forms.Textarea(attrs={"rows": 3})}


class RuleParameterForm(VersionRowForm):
    class Meta:
        model = RuleParameter
        fields = ["version", "key", "value", "unit", "clause"]
        widgets = {"clause": forms.Textarea(attrs={"rows": 3})}


class ClauseForm(VersionRowForm):
    class Meta:
        model = Clause
        fields = ["version", "key", "title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}


class EffectiveForm(forms.Form):
    """适用标准查询: a region in the account's scope and a day."""

    region = forms.ModelChoiceField(
        queryset=Region.objects.none(), label="行政区划", widget=APISelect
    )
    on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.restrict(user, "view")
        self.fields["region"].widget.choices = self.fields["region"].choices
        self.fields["region"].widget.attrs["class"] = "form-select"
        self.fields["on"].widget.attrs["class"] = "form-control"
        self.fields["on"].widget.format = "%Y-%m-%d"
        self.fields["on"].initial = timezone.localdate()
