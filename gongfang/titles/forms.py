"""Forms of titles (edited through the generic pages) and of use certificates (issue, revoke)."""

from __future__ import annotations

from django import forms

from ..framework import clock
from ..framework.forms import ScopedModelForm
from ..framework.text import is_number
from ..framework.widgets import APISelect
from ..registry.models import Organization, Room
from .choices import CertificateState
from .models import Title
from .services import UNCERTIFIABLE_STATUSES


class TitleForm(ScopedModelForm):
    class Meta:
        model = Title
        fields = [
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
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class RoomChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Room) -> str:
        return f"{obj}（{obj.get_category_display()}，{obj.usable_area} 平方米）"


def certifiable_rooms(user, organization: Organization | None):
    """Rooms the account sees that ``organization`` uses, in use and on no valid certificate."""
    if organization is None:
        return Room.objects.none()
    return (
        Room.objects.restrict(user, "view")
        .filter(organization=organization)
        .exclude(status__in=UNCERTIFIABLE_STATUSES)
        .exclude(use_certificates__state=CertificateState.VALID)
        .select_related("floor__building__compound")
        .order_by("floor__building__compound__name", "floor__building__name", "number")
    )


class IssueCertificateForm(forms.Form):
    """签发使用权证：选择使用单位及其在用房间。"""

    organization = forms.ModelChoiceField(label="使用单位", queryset=Organization.objects.none())
    rooms = RoomChoiceField(
        label="房间",
        queryset=Room.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="只列出该单位在用、尚未列入有效使用权证的房间",
    )
    issued_on = forms.DateField(
        label="发证日期",
        required=False,
        help_text="留空为今天",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label="备注", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, organization: Organization | None = None, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("issued_on", clock.today())
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["organization"]
        field.queryset = Organization.objects.restrict(user, "view")
        field.widget = APISelect()
        field.widget.choices = field.choices
        if organization is None and self.is_bound:
            pk = self.data.get("organization")
            organization = field.queryset.filter(pk=pk).first() if is_number(str(pk)) else None
        self.organization = organization
        # Any room in scope parses; the service says why one cannot be certified.
        self.fields["rooms"].queryset = (
            Room.objects.restrict(user, "view").select_related("floor__building__compound")
            if self.is_bound
            else certifiable_rooms(user, organization)
        )
        if not self.is_bound and organization is not None:
            self.initial.setdefault("organization", organization.pk)
            self.initial.setdefault("rooms", [r.pk for r in self.fields["rooms"].queryset])
        for name in ("issued_on", "note"):
            self.fields[name].widget.attrs.setdefault("class", "form-control")


class RevokeCertificateForm(forms.Form):
    revoke_reason = forms.CharField(
        label="注销原因", max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revoke_reason"].widget.attrs.setdefault("class", "form-control")
