"""What every kind shares: a form that names its fields in its messages, a JSON payload read
back without the form, room subjects, Change rows and the approval's authority."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from ...framework import clock
from ...framework.widgets import APISelect
from ...registry.choices import RoomStatus
from ...registry.models import Organization, Room
from ...workflow.kinds import Change, Drafted, SubjectRef
from ..services import authority

EMPTY = "—"


class APISelectMultiple(APISelect):
    """The scoped-API select for several objects (rooms of a case)."""

    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        if getter is not None:
            return getter(name)
        value = data.get(name)
        if value in (None, ""):
            return []
        return value if isinstance(value, list | tuple) else [value]

    def format_value(self, value):
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            value = [value]
        return [str(v) for v in value if v not in (None, "")]


class KindForm(forms.Form):
    """A kind's payload form for one account and applicant.

    Every message names its field ("请填写起始日期。"), so an error read away from the form (the
    API, a case refused on approval) still says what to fix. Choices are what the account may
    see; rooms, in addition, those of the applicant where the kind needs its own rooms.
    """

    def __init__(self, *args, user=None, applicant: Organization | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.applicant = applicant
        self.setup()
        for field in self.fields.values():
            label = field.label
            choose = isinstance(field, forms.ChoiceField | forms.ModelChoiceField)
            field.error_messages["required"] = f"请{'选择' if choose else '填写'}{label}。"
            field.error_messages["invalid_choice"] = f"所选{label}不存在或超出您的管辖范围。"
            field.error_messages["invalid_pk_value"] = f"所选{label}不存在或超出您的管辖范围。"
            field.error_messages["invalid_list"] = f"{label}须为所选对象的列表。"
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = f"{label}格式不正确，请按“年-月-日”填写。"
                field.widget = forms.DateInput(
                    attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"
                )
            elif isinstance(field, forms.DecimalField):
                field.error_messages["invalid"] = f"{label}须为数字。"
                field.error_messages["max_digits"] = f"{label}位数过多。"
                field.error_messages["max_decimal_places"] = (
                    f"{label}最多保留 {field.decimal_places} 位小数。"
                )
                field.error_messages["min_value"] = f"{label}须大于 0。"
            elif isinstance(field, forms.IntegerField):
                field.error_messages["invalid"] = f"{label}须为整数。"
                field.error_messages["min_value"] = f"{label}不能小于 %(limit_value)s。"
                field.error_messages["max_value"] = f"{label}不能大于 %(limit_value)s。"
            elif isinstance(field, forms.CharField):
                field.error_messages["max_length"] = (
                    f"{label}最多 %(limit_value)d 个字（现有 %(show_value)d 个）。"
                )
            if isinstance(field, forms.ModelMultipleChoiceField):
                field.widget = APISelectMultiple(attrs=field.widget.attrs)
                field.widget.choices = field.choices
            elif isinstance(field, forms.ModelChoiceField):
                field.widget = APISelect(attrs=field.widget.attrs)
                field.widget.choices = field.choices
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else None
            if css is None:
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def setup(self) -> None:
        """Limit the choices to what ``self.user`` may see (subclasses)."""

    def visible(self, model: type[models.Model]) -> models.QuerySet:
        if self.user is None:
            return model.objects.none()
        return model.objects.restrict(self.user, "view")

    def applicant_rooms(self) -> models.QuerySet:
        rooms = self.visible(Room).select_related("floor__building__compound", "organization")
        if self.applicant is not None:
            rooms = rooms.filter(organization__path__startswith=self.applicant.path)
        return rooms

    def require_applicant_rooms(self, rooms, verb: str) -> None:
        """Each room must be used by the applicant (or one of its sub-units)."""
        if self.applicant is None:
            return
        for room in rooms:
            if room.organization_id is None or not room.organization.path.startswith(
                self.applicant.path
            ):
                holder = room.organization.name if room.organization_id else "无使用单位"
                self.add_error(
                    "rooms",
                    f"房间：“{room}”现由{holder}使用，不属于申请单位“{self.applicant}”，不能{verb}。",
                )

    def require_status(self, rooms, allowed: tuple[str, ...], verb: str) -> None:
        for room in rooms:
            if room.status not in allowed:
                self.add_error(
                    "rooms",
                    f"房间：“{room}”当前为“{room.get_status_display()}”，不能{verb}。",
                )

    def require_term(self, start: str = "starts_on", end: str = "ends_on") -> None:
        data = self.cleaned_data
        if data.get(start) and data.get(end) and data[end] < data[start]:
            self.add_error(end, f"{self.fields[end].label}不能早于{self.fields[start].label}。")


def to_json(value: Any) -> Any:
    """A cleaned value as stored in the payload: objects by id, dates as text, decimals as text."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def date_of(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def decimal_of(value: str | None) -> Decimal | None:
    return Decimal(value) if value not in (None, "") else None


def named_errors(form: forms.Form) -> ValidationError:
    return ValidationError({name: [str(m) for m in errors] for name, errors in form.errors.items()})


class BaseKind:
    """The shared half of a KindSpec (the engine's protocol); a kind adds its form and effects."""

    kind: ClassVar[str]
    form: ClassVar[type[KindForm]]
    # The verb of the kind in messages: 出借, 调配 …
    verb: ClassVar[str] = "办理"

    def form_class(self) -> type[KindForm]:
        return self.form

    def draft(self, *, actor, applicant, data: dict[str, Any]) -> Drafted:
        form = self.form(data=data, user=actor, applicant=applicant)
        if not form.is_valid():
            raise named_errors(form)
        payload = {name: to_json(value) for name, value in form.cleaned_data.items()}
        return self.drafted(form.cleaned_data, payload, applicant)

    def drafted(self, data: dict, payload: dict, applicant) -> Drafted:
        raise NotImplementedError

    def describe(self, case) -> list[tuple[str, str]]:
        """The payload as (label, text) rows, as the form names the fields."""
        form = self.form(user=None)
        rows = []
        for name, field in form.fields.items():
            rows.append((str(field.label), self.display_value(case, name, field)))
        return rows

    def display_value(self, case, name: str, field) -> str:
        value = case.payload.get(name)
        if value in (None, "", []):
            return EMPTY
        if isinstance(field, forms.ModelMultipleChoiceField):
            model = field.queryset.model
            objects = model._base_manager.filter(pk__in=value)
            return "、".join(str(o) for o in objects) or EMPTY
        if isinstance(field, forms.ModelChoiceField):
            obj = field.queryset.model._base_manager.filter(pk=value).first()
            return str(obj) if obj is not None else EMPTY
        if isinstance(field, forms.BooleanField):
            return "是" if value else "否"
        if isinstance(field, forms.ChoiceField):
            return str(dict(field.choices).get(value, value))
        return str(value)

    # Reading a case back -------------------------------------------------------------------
    @staticmethod
    def rooms_of(case) -> list[Room]:
        ids = case.payload.get("rooms") or []
        return list(
            Room.objects.filter(pk__in=ids)
            .select_related("floor__building__compound__region", "organization")
            .order_by("floor__building__compound__name", "floor__building__name", "number")
        )

    @staticmethod
    def seen_versions(case) -> dict[tuple[str, int], int]:
        """{(subject field, id): version seen at submission} (none before submission)."""
        seen = {}
        for subject in case.subjects.all():
            for name in subject.SUBJECT_FIELDS:
                pk = getattr(subject, f"{name}_id")
                if pk and subject.version_seen is not None:
                    seen[(name, pk)] = subject.version_seen
        return seen

    @staticmethod
    def authority(case, actor):
        return authority(case=case, user=actor)

    @staticmethod
    def effect_day(case) -> datetime.date:
        """The day the effects bear: the case's date when it has come, else today."""
        today = clock.today()
        return min(case.effective_on, today) if case.effective_on else today

    def check_problems(self, case) -> None:
        problems = self.problems(case)
        if problems:
            raise ValidationError(problems)

    def problems(self, case) -> list[str]:
        return []


def room_subjects(rooms) -> list[SubjectRef]:
    return [SubjectRef(obj=room, label=str(room)) for room in rooms]


def room_change(room: Room, field: str, before: str, after: str, operation="update") -> Change:
    return Change(
        model="房间",
        label=str(room),
        field=field,
        before=before or EMPTY,
        after=after or EMPTY,
        operation=operation,
        url=room.get_absolute_url(),
    )


def status_label(status: str) -> str:
    return RoomStatus(status).label if status in RoomStatus.values else status
