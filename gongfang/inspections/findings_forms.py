"""Forms of findings and what follows them: raise (full page and on site, on a phone), respond,
re-check, urge, refer, record a referral's outcome. They parse; the services decide."""

from __future__ import annotations

from django import forms

from ..framework import clock
from ..framework.widgets import APISelect
from ..registry.models import Building, Organization, Person, Room
from ..workflow.forms import MultipleFileField as WorkflowFileField
from .choices import RecheckResult, RectificationKind
from .models import ChecklistItem, Finding, Inspection, Tip

DATE = {"type": "date"}


class MultipleFileField(WorkflowFileField):
    """Several files in one input (evidence, photos), none required."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


def _scoped_select(field: forms.ModelChoiceField, queryset) -> None:
    field.queryset = queryset
    field.widget = APISelect()
    field.widget.choices = field.choices


def item_choices(inspection: Inspection | None):
    """The items of the inspection's checklist (or of every checklist), organization aspects
    first."""
    qs = ChecklistItem.objects.select_related("checklist").order_by(
        "checklist__revision", "target", "aspect"
    )
    if inspection is not None and inspection.checklist_id:
        qs = qs.filter(checklist_id=inspection.checklist_id)
    return qs


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ChecklistItem) -> str:
        return f"{obj.get_target_display()}第{obj.aspect}项：{obj.title}"


class FindingForm(forms.Form):
    """登记问题: the unit, where it came from, what is wrong, the kind of rectification."""

    organization = forms.ModelChoiceField(Organization.objects.none(), label="责任单位")
    inspection = forms.ModelChoiceField(Inspection.objects.none(), label="督查检查", required=False)
    tip = forms.ModelChoiceField(Tip.objects.none(), label="问题线索", required=False)
    item = ItemChoiceField(ChecklistItem.objects.none(), label="检查内容", required=False)
    room = forms.ModelChoiceField(Room.objects.none(), label="涉及房间", required=False)
    person = forms.ModelChoiceField(Person.objects.none(), label="涉及人员", required=False)
    building = forms.ModelChoiceField(Building.objects.none(), label="涉及楼座", required=False)
    description = forms.CharField(
        label="问题描述", max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    rectification_kind = forms.ChoiceField(
        label="整改方式", choices=RectificationKind.choices, widget=forms.RadioSelect
    )
    deadline = forms.DateField(
        label="整改期限",
        required=False,
        help_text="限期整改须填写；即时备案、当场整改不设期限",
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
    )
    photos = MultipleFileField(label="现场照片", help_text="可多选；手机上可直接拍照")

    def __init__(self, *args, user, inspection: Inspection | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        _scoped_select(self.fields["organization"], Organization.objects.restrict(user, "view"))
        _scoped_select(self.fields["inspection"], Inspection.objects.restrict(user, "view"))
        _scoped_select(self.fields["tip"], Tip.objects.restrict(user, "view"))
        for name, model in (("room", Room), ("person", Person), ("building", Building)):
            _scoped_select(self.fields[name], model.objects.restrict(user, "view"))
        self.fields["item"].queryset = item_choices(inspection)
        self.fields["photos"].widget.attrs.update({"accept": "image/*"})
        _styled(self)

    def clean(self):
        data = super().clean()
        chosen = [n for n in ("room", "person", "building") if data.get(n)]
        if len(chosen) > 1:
            raise forms.ValidationError("涉及对象只能选择一个（房间、人员或楼座）。")
        return data

    def subject(self):
        data = self.cleaned_data
        return data.get("room") or data.get("person") or data.get("building")


class OnsiteFindingForm(forms.Form):
    """On site, on a phone: the inspection is fixed; the item, the room, what is wrong, the kind,
    a photo from the camera."""

    item = ItemChoiceField(ChecklistItem.objects.none(), label="检查内容", required=False)
    room = forms.ModelChoiceField(Room.objects.none(), label="房间", required=False)
    description = forms.CharField(
        label="问题描述", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    rectification_kind = forms.ChoiceField(
        label="整改方式", choices=RectificationKind.choices, widget=forms.RadioSelect
    )
    deadline = forms.DateField(
        label="整改期限（限期整改）",
        required=False,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
    )
    photos = MultipleFileField(label="拍照")

    def __init__(self, *args, user, inspection: Inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.inspection = inspection
        self.fields["item"].queryset = item_choices(inspection)
        rooms = (
            Room.objects.restrict(user, "view")
            .filter(organization__path__startswith=inspection.organization.path)
            .select_related("floor__building")
            .order_by("floor__building__name", "floor__number", "number")
        )
        self.fields["room"].queryset = rooms
        self.fields["room"].label_from_instance = lambda r: (
            f"{r.floor.building.name} {r.number}（{r.usable_area} m²）"
        )
        self.fields["photos"].widget.attrs.update({"accept": "image/*", "capture": "environment"})
        _styled(self)


class RespondForm(forms.Form):
    description = forms.CharField(
        label="整改情况", max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    evidence = MultipleFileField(label="整改证明材料", help_text="照片、文件（可多选）")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class RecheckForm(forms.Form):
    result = forms.ChoiceField(
        label="复查结论", choices=RecheckResult.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="复查意见",
        max_length=4000,
        required=False,
        help_text="未通过时必填",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    deadline = forms.DateField(
        label="新的整改期限",
        required=False,
        help_text="限期整改复查未通过时可重新设定",
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
    )
    on = forms.DateField(
        label="复查日期", required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    photos = MultipleFileField(label="复查照片")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("on", clock.today())
        super().__init__(*args, **kwargs)
        _styled(self)


class UrgeForm(forms.Form):
    message = forms.CharField(
        label="督办意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class ReferForm(forms.Form):
    findings = forms.ModelMultipleChoiceField(
        Finding.objects.none(), label="移交的问题", widget=forms.CheckboxSelectMultiple
    )
    recipient = forms.CharField(label="接收机关", max_length=100, initial="纪委监委")
    referred_on = forms.DateField(
        label="移交日期", required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )

    def __init__(self, *args, findings, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("referred_on", clock.today())
        super().__init__(*args, **kwargs)
        self.fields["findings"].queryset = findings
        self.fields["findings"].label_from_instance = lambda f: (
            f"{f.description[:60]}（{f.get_state_display()}）"
        )
        _styled(self)


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label="处理结果", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcome_on = forms.DateField(
        label="结果日期", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)
