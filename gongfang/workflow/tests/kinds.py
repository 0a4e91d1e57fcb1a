"""A small case kind for the engine's tests: change a room's use (用途) — the engine knows no
kind, so its tests bring their own. Which problems it reports and whether its effects fail are
set per test."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F

from ...registry.models import Room
from ..choices import CaseKind
from ..kinds import Change, Drafted, SubjectRef


class RoomUseForm(forms.Form):
    room = forms.IntegerField(label="房间")
    subtype = forms.CharField(label="新用途", max_length=20)
    effective_on = forms.DateField(label="生效日期", required=False)


class RoomUseSpec:
    kind = CaseKind.CHANGE_OF_USE

    def __init__(self) -> None:
        self.issues: list[str] = []
        self.fail_apply = ""
        self.applied: list[int] = []

    def form_class(self):
        return RoomUseForm

    def draft(self, *, actor, applicant, data) -> Drafted:
        form = RoomUseForm(data)
        if not form.is_valid():
            raise ValidationError(form.errors)
        room = (
            Room.objects.restrict(actor, "view")
            .filter(pk=form.cleaned_data["room"], organization=applicant)
            .first()
        )
        if room is None:
            raise ValidationError({"room": "房间不存在、不属于申请单位或超出您的管辖范围。"})
        return Drafted(
            payload={
                "room": room.pk,
                "subtype": form.cleaned_data["subtype"],
                "effective_on": form.cleaned_data["effective_on"],
            },
            title=f"{room.number} 用途变更为{form.cleaned_data['subtype']}",
            subjects=[SubjectRef(room, f"房间 {room.number}")],
            effective_on=form.cleaned_data["effective_on"],
        )

    def preview(self, case) -> list[Change]:
        room = Room.objects.get(pk=case.payload["room"])
        return [Change("房间", room.number, "用途", room.subtype, case.payload["subtype"])]

    def problems(self, case) -> list[str]:
        return list(self.issues)

    def apply(self, *, actor, case) -> dict:
        Room.objects.filter(pk=case.payload["room"]).update(
            subtype=case.payload["subtype"], version=F("version") + 1
        )
        if self.fail_apply:  # after a write: the engine must roll it back
            raise ValidationError(self.fail_apply)
        self.applied.append(case.pk)
        return {"room": case.payload["room"], "subtype": case.payload["subtype"]}
