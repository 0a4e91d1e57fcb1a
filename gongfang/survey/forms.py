"""Forms of survey: the batch plan (generic edit page) and the steps on a batch's page."""

from __future__ import annotations

from django import forms

from ..accounts.models import User
from ..cases.kinds.base import APISelectMultiple
from ..framework.forms import ScopedModelForm
from ..registry.models import Building, Region
from . import services
from .models import Decision, Party, SurveyBatch


class SurveyorField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.name or obj.username}（{obj.username}）"


class SurveyBatchForm(ScopedModelForm):
    surveyors = SurveyorField(
        label="测绘单位账号",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="只有这些账号能看到并办理本批次",
    )

    class Meta:
        model = SurveyBatch
        fields = [
            "name",
            "region",
            "company",
            "surveyors",
            "buildings",
            "drawings_by",
            "responsible",
            "responsible_phone",
            "planned_start",
            "planned_end",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["surveyors"].queryset = services.surveyor_candidates()
        self.fields["surveyors"].widget.attrs.pop("class", None)
        buildings = self.fields["buildings"]
        buildings.queryset = Building.objects.restrict(user, "view")
        buildings.widget = APISelectMultiple(attrs={"class": "form-select"})
        buildings.widget.choices = buildings.choices
        if self.instance.pk is None and not self.is_bound and user.scope_region_id:
            self.initial.setdefault("region", user.scope_region_id)
        self.fields["region"].queryset = Region.objects.restrict(user, "view")


class ChineseForm(forms.Form):
    """Messages name their field; widgets carry Tabler's classes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            choose = isinstance(field, forms.ChoiceField)
            field.error_messages["required"] = f"请{'选择' if choose else '填写'}{field.label}。"
            field.error_messages["invalid"] = f"{field.label}格式不正确。"
            field.error_messages["invalid_choice"] = f"所选{field.label}不存在或已不可用。"
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class UploadForm(ChineseForm):
    floor = forms.TypedChoiceField(label="楼层", coerce=int)
    file = forms.FileField(label="图纸文件（DXF 或 IFC）")
    units = forms.FloatField(
        label="图纸单位（米）",
        required=False,
        min_value=0.000001,
        help_text="毫米图纸填 0.001；留空按图纸自身的单位",
    )

    def __init__(self, *args, floors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["floor"].choices = [(f.pk, str(f)) for f in floors]
        self.fields["file"].widget.attrs["accept"] = ".dxf,.ifc"


class LayersForm(ChineseForm):
    units = forms.FloatField(label="图纸单位（米）", required=False, min_value=0.000001)
    outline_layers = forms.MultipleChoiceField(
        label="房间轮廓图层", required=False, widget=forms.CheckboxSelectMultiple
    )
    label_layers = forms.MultipleChoiceField(
        label="房间标注图层", required=False, widget=forms.CheckboxSelectMultiple
    )
    storey = forms.ChoiceField(label="IFC 楼层", required=False)

    def __init__(self, *args, drawing=None, **kwargs):
        super().__init__(*args, **kwargs)
        result = drawing.result if drawing is not None else {}
        layers = [(layer["name"], layer["name"]) for layer in result.get("layers", [])]
        self.fields["outline_layers"].choices = layers
        self.fields["label_layers"].choices = layers
        storeys = result.get("storeys", [])
        self.fields["storey"].choices = [("", "全部")] + [(s, s) for s in storeys]
        if not storeys:
            del self.fields["storey"]
        if not layers:
            del self.fields["outline_layers"]
            del self.fields["label_layers"]


class DecideForm(ChineseForm):
    party = forms.ChoiceField(label="身份", choices=Party.choices, widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label="意见",
        choices=[(Decision.CONFIRMED, "确认"), (Decision.DISPUTED, "提出异议")],
        widget=forms.HiddenInput,
    )
    items = forms.MultipleChoiceField(label="房间", required=False)
    reason = forms.CharField(label="异议理由", max_length=300, required=False)

    def __init__(self, *args, item_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(str(pk), str(pk)) for pk in item_choices]


class SignForm(ChineseForm):
    party = forms.ChoiceField(label="签字方", choices=Party.choices, widget=forms.HiddenInput)
    password = forms.CharField(
        label="登录密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    otp = forms.CharField(
        label="动态口令",
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
