"""Forms of inspections: checklists, plans, tips (generic edit pages) and the on-site steps."""

from __future__ import annotations

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max

from ..accounts.models import User
from ..cases.kinds.base import APISelectMultiple
from ..framework import clock
from ..framework.forms import ScopedModelForm
from ..registry.models import Organization, Person, Room
from . import services
from .choices import ItemResult
from .models import (
    AssessmentDate,
    Checklist,
    ChecklistItem,
    Inspection,
    InspectionPlan,
    Tip,
)


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        roles = "、".join(obj.role_labels)
        return f"{obj.name or obj.username}（{roles}）"


class UserField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.name or obj.username}（{obj.username}）"


def _default(form: forms.Form, **values) -> None:
    """Fill what a new object's form leaves empty (the model's own defaults come first)."""
    for name, value in values.items():
        if form.initial.get(name) in (None, ""):
            form.initial[name] = value


def _user_region(user):
    return getattr(user, "scope_region", None)


class ChecklistForm(ScopedModelForm):
    class Meta:
        model = Checklist
        fields = ["revision", "effective_from", "source", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and not self.is_bound:
            latest = Checklist.objects.aggregate(n=Max("revision"))["n"] or 0
            _default(self, revision=latest + 1, effective_from=clock.today())
        self.fields["revision"].help_text = "新版本从上一版复制全部检查内容，保存后逐项修改"


class RulesField(forms.CharField):
    """Rule codes typed as "R1、R2" or "R1,R2"."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return "、".join(value)
        return value

    def to_python(self, value):
        text = (value or "").upper()
        for sep in ("、", "，", ",", ";", "；"):
            text = text.replace(sep, " ")
        return [code for code in text.split() if code]


class ChecklistItemForm(ScopedModelForm):
    rules = RulesField(
        label="关联规则", required=False, help_text="规则编号，以顿号或逗号分隔，如 R2、R4"
    )

    class Meta:
        model = ChecklistItem
        fields = ["checklist", "target", "aspect", "title", "description", "rules", "source"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class AssessmentDateForm(ScopedModelForm):
    class Meta:
        model = AssessmentDate
        fields = ["region", "year", "assessed_on", "source"]


class InspectionPlanForm(ScopedModelForm):
    team = UserChoiceField(
        label="督查组成员",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="机关事务管理员和纪检监督账号；生成检查时成为各检查的检查人员",
    )

    class Meta:
        model = InspectionPlan
        fields = [
            "kind",
            "year",
            "title",
            "region",
            "all_organizations",
            "organizations",
            "team",
            "checklist",
            "start_on",
            "end_on",
            "deadline",
            "basis",
        ]
        widgets = {"basis": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        region = self.instance.region if self.instance.region_id else _user_region(user)
        self.fields["team"].queryset = services.team_candidates(region)
        self.fields["team"].widget.attrs.pop("class", None)
        organizations = self.fields["organizations"]
        organizations.queryset = Organization.objects.restrict(user, "view")
        organizations.widget = APISelectMultiple(attrs={"class": "form-select"})
        organizations.widget.choices = organizations.choices
        organizations.help_text = "不勾选“区划内全部单位”时必选"
        if self.instance.pk is None and not self.is_bound:
            current = services.current_checklist()
            _default(
                self,
                year=clock.today().year,
                region=getattr(region, "pk", None),
                checklist=getattr(current, "pk", None),
            )
        self.fields[
            "deadline"
        ].help_text = "全面检查不填时，按政府考核日期前一个月计算（见“政府考核日期”）"


class InspectionForm(ScopedModelForm):
    """What the bureau may change of a generated inspection: date, inspectors, summary."""

    inspectors = UserChoiceField(
        label="检查人员",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Inspection
        fields = ["scheduled_on", "inspectors", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        region = self.instance.region if self.instance.region_id else _user_region(user)
        self.fields["inspectors"].queryset = services.team_candidates(region)
        self.fields["inspectors"].widget.attrs.pop("class", None)


class TipForm(ScopedModelForm):
    """A tip's registration; the subject is optionally one room or one person of the unit."""

    subject_room = forms.ModelChoiceField(
        label="涉及房间", queryset=Room.objects.all(), required=False
    )
    subject_person = forms.ModelChoiceField(
        label="涉及人员", queryset=Person.objects.all(), required=False
    )

    class Meta:
        model = Tip
        fields = ["source", "received_on", "content", "organization", "deadline"]
        widgets = {"content": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.order_fields(
            [
                "source",
                "received_on",
                "content",
                "organization",
                "subject_room",
                "subject_person",
                "deadline",
            ]
        )
        if self.instance.pk is None and not self.is_bound:
            _default(self, received_on=clock.today())
        elif self.instance.subject_type_id and not self.is_bound:
            name = self.instance.subject_type.model
            if name in ("room", "person"):
                self.initial[f"subject_{name}"] = self.instance.subject_id

    def clean(self):
        data = super().clean()
        room, person = data.get("subject_room"), data.get("subject_person")
        if room and person:
            raise forms.ValidationError("涉及对象请只选一个：房间或人员。")
        return data

    def service_data(self) -> dict:
        data = super().service_data()
        subject = self.cleaned_data.get("subject_room") or self.cleaned_data.get("subject_person")
        data["subject_type"] = ContentType.objects.get_for_model(subject) if subject else None
        data["subject_id"] = subject.pk if subject else None
        return data


class TipAssignForm(forms.Form):
    assigned_to = UserField(label="承办人", queryset=User.objects.none())
    deadline = forms.DateField(
        label="办理期限", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, tip: Tip, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = services.team_candidates(tip.region)


class TipAnswerForm(forms.Form):
    check_result = forms.CharField(label="核查情况", widget=forms.Textarea(attrs={"rows": 3}))
    substantiated = forms.TypedChoiceField(
        label="反映是否属实",
        choices=(("", "请选择"), ("true", "属实"), ("false", "不属实")),
        coerce=lambda v: v == "true",
    )
    answer = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ItemCheckForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.ChoiceField(
        label="检查结果", choices=ItemResult.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="情况说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class MeasurementForm(forms.Form):
    room = forms.IntegerField(widget=forms.HiddenInput)
    measured_area = forms.DecimalField(
        label="实测使用面积（平方米）", max_digits=12, decimal_places=2, min_value=0.01
    )
    note = forms.CharField(label="备注", required=False, max_length=300)


class RejectMeasurementForm(forms.Form):
    reject_reason = forms.CharField(label="退回理由", max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
