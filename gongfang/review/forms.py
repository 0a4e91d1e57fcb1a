"""Forms of the data review: the generic edit forms and the finding's own actions."""

from __future__ import annotations

from django import forms

from ..accounts.models import User
from ..framework.forms import ScopedModelForm
from ..registry.models import Organization
from .models import Assignment, RequiredField, Review, Severity

TEXT = forms.Textarea(attrs={"rows": 3, "class": "form-control"})


class RequiredFieldForm(ScopedModelForm):
    """The rule's particulars. Its condition (which rows it applies to, as field lookups) is kept
    as seeded or set through the API: a page of codes is no place to type it."""

    class Meta:
        model = RequiredField
        fields = [
            "model",
            "field",
            "label",
            "condition_label",
            "version",
            "source",
            "effective_from",
            "effective_to",
        ]


class ReviewForm(ScopedModelForm):
    organizations = forms.ModelMultipleChoiceField(
        label="会审单位",
        queryset=Organization.objects.none(),
        required=False,
        help_text="不选则为区划内全部单位。",
    )
    reviewers = forms.ModelMultipleChoiceField(
        label="会审人员", queryset=User.objects.none(), required=False
    )

    class Meta:
        model = Review
        fields = ["name", "region", "starts_on", "ends_on", "organizations", "reviewers", "note"]
        widgets = {"note": TEXT}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["organizations"].queryset = Organization.objects.restrict(user, "view")
        region = getattr(user, "scope_region", None)
        self.fields["reviewers"].queryset = (
            User.objects.filter(is_active=True, scope_region__path__startswith=region.path)
            if region is not None
            else User.objects.none()
        )
        for name in ("organizations", "reviewers"):
            self.fields[name].widget.attrs["class"] = "form-select"
            self.fields[name].widget.attrs["size"] = 6


class AssignmentForm(ScopedModelForm):
    reviewer = forms.ModelChoiceField(label="审核人", queryset=User.objects.none(), required=False)

    class Meta:
        model = Assignment
        fields = ["review", "reviewed_organization", "reviewer_organization", "reviewer"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["reviewer"].queryset = User.objects.filter(
            is_active=True,
            scope_organization__in=Organization.objects.restrict(user, "view").values("pk"),
        )
        self.fields["reviewer"].widget.attrs["class"] = "form-select"


class FindingAddForm(forms.Form):
    """A reviewer's finding on one object of the review."""

    problem = forms.CharField(label="问题", widget=TEXT, max_length=2000)
    field_label = forms.CharField(label="涉及字段", max_length=60, required=False)
    severity = forms.ChoiceField(
        label="严重程度",
        choices=Severity.choices,
        initial=Severity.MINOR,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("problem", "field_label"):
            self.fields[name].widget.attrs.setdefault("class", "form-control")


class RectifyForm(forms.Form):
    note = forms.CharField(label="整改说明", widget=TEXT, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RecheckForm(forms.Form):
    passed = forms.TypedChoiceField(
        label="复核结论",
        choices=(("1", "整改到位，销号"), ("0", "未整改到位，退回")),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="复核意见", widget=TEXT, max_length=2000, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
