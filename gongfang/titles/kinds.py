"""The title-filing case kind (权属登记 / 备案): a Title created or changed on approval.

Registered into the engine's kind registry by ``TitlesConfig.ready``. The payload holds the
title's fields as the form parsed them (ids for objects); a change names the title and the
version it was based on, so a title edited meanwhile stops the effect with a clear message.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from ..framework import clock
from ..framework.services import service_for
from ..registry.models import Building, Compound, Organization
from ..workflow.choices import CaseKind
from ..workflow.kinds import Change, Drafted, SubjectRef
from .choices import BUILDING_TITLE_STATUS, TitleKind
from .models import Title

# Payload keys that are the title's own fields, in the order a preview lists them.
TITLE_FIELDS = (
    "compound",
    "building",
    "kind",
    "certificate_number",
    "holder",
    "held_centrally",
    "area",
    "issued_on",
    "source_document",
    "note",
)
FOREIGN_KEYS = {"compound": Compound, "building": Building, "holder": Organization}
# A change of an existing title keeps the title's value of these when left empty.
KEPT_WHEN_EMPTY = frozenset(
    {"certificate_number", "holder", "area", "issued_on", "source_document", "note"}
)


class TitleFilingForm(forms.Form):
    """权属登记 / 备案：新登记一项权属，或变更已有的权属登记。"""

    title = forms.ModelChoiceField(
        label="变更的权属登记",
        queryset=Title.objects.none(),
        required=False,
        help_text="留空为新登记；选择已有登记则按下列内容变更，留空的项保持原值",
    )
    title_version = forms.IntegerField(
        label="所依据的登记版本", required=False, widget=forms.HiddenInput
    )
    compound = forms.ModelChoiceField(
        label="院落", queryset=Compound.objects.none(), required=False, help_text="与楼座二选一"
    )
    building = forms.ModelChoiceField(
        label="楼座", queryset=Building.objects.none(), required=False, help_text="与院落二选一"
    )
    kind = forms.ChoiceField(label="权属类型", choices=TitleKind.choices)
    certificate_number = forms.CharField(
        label="证号", max_length=60, required=False, help_text="不动产权证号或备案编号"
    )
    holder = forms.ModelChoiceField(
        label="权利人",
        queryset=Organization.objects.none(),
        required=False,
        help_text="留空为申请单位",
    )
    held_centrally = forms.BooleanField(label="由机关事务管理局集中持有", required=False)
    area = forms.DecimalField(
        label="证载面积（平方米）",
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
    )
    issued_on = forms.DateField(
        label="发证/备案日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    source_document = forms.CharField(label="来源文件", max_length=200, required=False)
    note = forms.CharField(
        label="备注", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, user=None, applicant=None, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.user = user
        self.applicant = applicant
        for name, model in (("title", Title), *FOREIGN_KEYS.items()):
            queryset = (
                model.objects.restrict(user, "view") if user is not None else model.objects.all()
            )
            self.fields[name].queryset = queryset

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        title = data.get("title")
        compound, building = data.get("compound"), data.get("building")
        if title is not None and not compound and not building:
            data["compound"], data["building"] = title.compound, title.building
        elif bool(compound) == bool(building):
            self.add_error("compound", "院落和楼座须填写且只填写其中一项。")
        number = (data.get("certificate_number") or "").strip() or (
            title.certificate_number if title is not None else ""
        )
        if data.get("kind") == TitleKind.CERTIFICATE and not number:
            self.add_error("certificate_number", "权属类型为“不动产权证”时必须填写证号。")
        issued_on = data.get("issued_on")
        if issued_on and issued_on > clock.today():
            self.add_error("issued_on", "发证/备案日期不能晚于今天。")
        if title is not None:
            # The change is of the title as it is now (its values are the applicant's whole
            # intent); a write between this and the approval stops the effect.
            data["title_version"] = title.version
        return data


def _payload(cleaned: dict[str, Any], applicant) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    title = cleaned.get("title")
    if title is not None:  # a change: the title and the version it was based on
        payload["title"] = title.pk
        payload["title_version"] = cleaned.get("title_version")
    for name in TITLE_FIELDS:
        value = cleaned.get(name)
        if title is not None and name in KEPT_WHEN_EMPTY and value in (None, ""):
            value = getattr(title, name)  # a change keeps what it leaves empty
        if name == "holder" and value is None:
            value = applicant
        if hasattr(value, "pk"):
            value = value.pk
        elif isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        elif isinstance(value, str):
            value = value.strip()
        payload[name] = value
    return payload


def _model_values(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as the Title service takes it (objects, decimals, dates)."""
    data: dict[str, Any] = {}
    for name in TITLE_FIELDS:
        value = payload.get(name)
        if name in FOREIGN_KEYS:
            data[f"{name}_id"] = value
        elif name == "area":
            data[name] = Decimal(value) if value not in (None, "") else None
        elif name == "issued_on":
            data[name] = datetime.date.fromisoformat(value) if value else None
        elif name == "held_centrally":
            data[name] = bool(value)
        else:
            data[name] = value or ""
    return data


def _shown(name: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if name in FOREIGN_KEYS:
        obj = FOREIGN_KEYS[name]._base_manager.filter(pk=value).first()
        return str(obj) if obj is not None else "（已删除）"
    if name == "kind":
        return TitleKind(value).label
    if name == "held_centrally":
        return "是" if value else "否"
    return str(value)


def _label(name: str) -> str:
    return str(Title._meta.get_field(name).verbose_name)


class TitleFilingKind:
    kind = CaseKind.TITLE_FILING

    def form_class(self) -> type[forms.Form]:
        return TitleFilingForm

    def draft(self, *, actor, applicant, data: dict[str, Any]) -> Drafted:
        form = TitleFilingForm(data, user=actor, applicant=applicant)
        if not form.is_valid():
            errors = {}
            for name, messages in form.errors.items():
                field = form.fields.get(name)
                label = f"{field.label}：" if field is not None and field.label else ""
                errors[name] = [f"{label}{m}" for m in messages]
            raise ValidationError(errors)
        payload = _payload(form.cleaned_data, applicant)
        target = form.cleaned_data.get("building") or form.cleaned_data.get("compound")
        verb = "变更" if payload.get("title") else "登记"
        kind_label = TitleKind(payload["kind"]).label
        return Drafted(
            payload=payload,
            title=f"{target}：权属{verb}（{kind_label}）",
            subjects=[SubjectRef(obj=target, label=str(target))],
        )

    def _title(self, case) -> Title | None:
        pk = (case.payload or {}).get("title")
        return Title.objects.filter(pk=pk).first() if pk else None

    def preview(self, case) -> list[Change]:
        payload = case.payload or {}
        title = self._title(case)
        target_label = (
            _shown("building", payload.get("building"))
            if payload.get("building")
            else _shown("compound", payload.get("compound"))
        )
        changes: list[Change] = []
        new_values = _model_values(payload)
        for name in TITLE_FIELDS:
            after = _shown(name, payload.get(name))
            if title is None:
                if payload.get(name) in (None, "", False) and name not in ("kind",):
                    continue
                changes.append(
                    Change("权属登记", target_label, _label(name), "", after, operation="create")
                )
                continue
            current = getattr(title, f"{name}_id" if name in FOREIGN_KEYS else name)
            key = f"{name}_id" if name in FOREIGN_KEYS else name
            if current == new_values[key]:
                continue
            before = _shown(
                name, current.isoformat() if isinstance(current, datetime.date) else current
            )
            changes.append(
                Change(
                    "权属登记",
                    str(title),
                    _label(name),
                    before,
                    after,
                    url=title.get_absolute_url(),
                )
            )
        building_id = payload.get("building")
        if building_id:
            building = Building.objects.filter(pk=building_id).first()
            status = BUILDING_TITLE_STATUS[payload["kind"]]
            if building is not None and building.title_status != status:
                field = Building._meta.get_field("title_status")
                labels = dict(field.choices)
                changes.append(
                    Change(
                        "楼座",
                        str(building),
                        str(field.verbose_name),
                        str(labels.get(building.title_status, building.title_status)),
                        str(labels.get(status, status)),
                        url=building.get_absolute_url(),
                    )
                )
        return changes

    def problems(self, case) -> list[str]:
        payload = case.payload or {}
        out: list[str] = []
        if payload.get("title"):
            title = self._title(case)
            if title is None:
                out.append("要变更的权属登记已被删除，无法办理。")
            elif payload.get("title_version") and title.version != payload["title_version"]:
                out.append(
                    f"权属登记“{title}”在提交后已被修改（第 {payload['title_version']} 版 → "
                    f"第 {title.version} 版），请退回申请人核实后重新提交。"
                )
        for name in ("compound", "building", "holder"):
            pk = payload.get(name)
            if pk and not FOREIGN_KEYS[name]._base_manager.filter(pk=pk).exists():
                out.append(f"{_label(name)}已被删除，无法办理。")
        number = payload.get("certificate_number")
        if payload.get("kind") == TitleKind.CERTIFICATE and number:
            clash = Title.objects.filter(kind=TitleKind.CERTIFICATE, certificate_number=number)
            if payload.get("title"):
                clash = clash.exclude(pk=payload["title"])
            other = clash.first()
            if other is not None:
                out.append(f"不动产权证号 {number} 已登记于“{other.property_label}”。")
        return out

    def apply(self, *, actor, case) -> dict[str, Any]:
        problems = self.problems(case)
        if problems:
            raise ValidationError(problems)
        payload = case.payload or {}
        data = _model_values(payload)
        service = service_for(Title)
        title = self._title(case)
        if title is None:
            title, notices = service.create(actor=actor, data=data)
            operation = "create"
        else:
            title, notices = service.update(
                actor=actor,
                instance=title,
                data=data,
                expected_version=payload.get("title_version"),
            )
            operation = "update"
        return {"title": title.pk, "operation": operation, "label": str(title), "notices": notices}
