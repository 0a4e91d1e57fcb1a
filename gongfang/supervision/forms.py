"""Forms of supervision: a finding's handling, a rule's revision, a region's area."""

from __future__ import annotations

from django import forms

from ..framework.forms import ScopedModelForm
from .models import RegionArea, RuleVersion
from .rules import PARAMETERS


class MoveForm(forms.Form):
    reason = forms.CharField(
        label="说明或理由",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="单位说明情况、排除或重新核实时必填",
    )


class ReviseForm(forms.Form):
    """A new version of a rule: its parameters (one field each), whether it is on, its source."""

    enabled = forms.BooleanField(label="启用", required=False)
    effective_from = forms.DateField(label="生效日期", required=False, help_text="不填为今天")
    source = forms.CharField(label="依据", max_length=300, help_text="文件名称与文号或会议纪要")
    notes = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, version: RuleVersion, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        self.keys = list(PARAMETERS[version.rule])
        for key in reversed(self.keys):
            label, unit, _ = PARAMETERS[version.rule][key]
            self.fields = {
                f"p_{key}": forms.FloatField(
                    label=f"{label}（{unit}）",
                    min_value=0,
                    initial=version.parameters.get(key),
                ),
                **self.fields,
            }
        self.fields["enabled"].initial = version.enabled
        self.fields["source"].initial = version.source

    def parameters(self) -> dict:
        return {key: self.cleaned_data[f"p_{key}"] for key in self.keys}


class RegionAreaForm(ScopedModelForm):
    class Meta:
        model = RegionArea
        fields = ["region", "kind", "south", "west", "north", "east", "polygon", "source", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def clean_polygon(self):
        return self.cleaned_data.get("polygon") or []
