"""Pages of the data review: reviews with their counts per unit, cross-review workspaces,
findings with their rectification and re-check, and the required fields (generic pages)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from ..framework.text import is_number
from ..framework.views.generic import (
    ModelReadersMixin,
    ObjectListView,
    ObjectView,
    generic_views,
)
from . import filtersets, forms, selectors, services, tables
from .checks import SUBJECTS, in_review, label_of
from .models import Assignment, Finding, RequiredField, Review, ReviewState, Subject

RequiredFieldViews = generic_views(
    RequiredField,
    filtersets.RequiredFieldFilterSet,
    tables.RequiredFieldTable,
    forms.RequiredFieldForm,
)
ReviewListView, _ReviewView, ReviewEditView, ReviewDeleteView = generic_views(
    Review, filtersets.ReviewFilterSet, tables.ReviewTable, forms.ReviewForm, related=("region",)
)
AssignmentListView, _AssignmentView, AssignmentEditView, AssignmentDeleteView = generic_views(
    Assignment,
    filtersets.AssignmentFilterSet,
    tables.AssignmentTable,
    forms.AssignmentForm,
    related=("review", "reviewed_organization", "reviewer_organization", "reviewer"),
)


class ReviewView(_ReviewView):
    template_name = "review/review.html"
    attributes = ("name", "region", "starts_on", "ends_on", "state", "note")

    def get_extra_context(self, obj: Review) -> dict[str, Any]:
        user = self.request.user
        findings = Finding.objects.restrict(user, "view").filter(review=obj)
        return {
            "units": selectors.counts_per_unit(obj, user),
            "totals": selectors.counts(findings),
            "assignments": selectors.visible_assignments(obj, user),
            "organizations": obj.organizations.all()[:100],
            "reviewer_names": [u.name for u in obj.reviewers.all()],
            "can_run": services.is_bureau(user)
            and obj.state == ReviewState.OPEN
            and Review.objects.restrict(user, "change").filter(pk=obj.pk).exists(),
            "findings_url": f"{reverse('review:finding_list')}?review={obj.pk}",
        }


class AssignmentView(_AssignmentView):
    """The cross reviewer's workspace: the reviewed unit's rooms and people in this review."""

    template_name = "review/assignment.html"
    attributes = ("review", "reviewed_organization", "reviewer_organization", "reviewer")

    def get_extra_context(self, obj: Assignment) -> dict[str, Any]:
        user = self.request.user
        allowed = services.can_review(user, obj.review, obj.reviewed_organization)
        return {
            "may_add": bool(allowed) and obj.review.state == ReviewState.OPEN,
            "rooms": selectors.assigned_objects(obj, Subject.ROOM),
            "persons": selectors.assigned_objects(obj, Subject.PERSON),
            "findings": Finding.objects.restrict(user, "view")
            .filter(assignment=obj)
            .select_related("organization")[:100],
        }


class RunChecksView(ModelReadersMixin, View):
    reader_model = Review

    def post(self, request, pk):
        review = _get(Review.objects.restrict(request.user, "view"), pk)
        try:
            found = services.do_run_checks(review=review, actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _message(exc))
        else:
            messages.success(
                request, f"自动核查完成：新发现问题 {found['new']} 个，更新 {found['updated']} 个。"
            )
        return HttpResponseRedirect(review.get_absolute_url())


class CloseReviewView(ModelReadersMixin, View):
    reader_model = Review

    def post(self, request, pk):
        review = _get(Review.objects.restrict(request.user, "view"), pk)
        try:
            services.close_review(review=review, actor=request.user)
        except (ValidationError, PermissionDenied, Review.DoesNotExist) as exc:
            messages.error(request, _message(exc))
        else:
            messages.success(request, "该数据会审已结束。")
        return HttpResponseRedirect(review.get_absolute_url())


def _get(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Http404("没有找到该对象。") from None


def _message(exc) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or "您没有办理该事项的权限。"


# Findings -----------------------------------------------------------------------------------------
class FindingListView(ObjectListView):
    queryset = Finding.objects.select_related("organization", "review")
    filterset = filtersets.FindingFilterSet
    table = tables.FindingTable
    filter_order = ("review", "state", "unrectified", "source", "unit", "organization", "region")


class FindingView(ObjectView):
    queryset = Finding.objects.select_related(
        "organization", "review", "assignment", "found_by", "rectified_by", "rechecked_by"
    )
    template_name = "review/finding.html"
    attributes = (
        "review",
        "organization",
        "subject_label",
        "field_label",
        "problem",
        "severity",
        "source",
        "state",
        "found_by",
        "assignment",
        "rectification",
        "rectified_by",
        "rectified_at",
        "recheck_note",
        "rechecked_by",
        "closed_at",
        "returned_count",
    )

    def get_extra_context(self, obj: Finding) -> dict[str, Any]:
        user = self.request.user
        subject_url = ""
        model = SUBJECTS[obj.subject].model
        if model.objects.restrict(user, "view").filter(pk=obj.subject_id).exists():
            subject_url = reverse(f"registry:{model._meta.model_name}", args=[obj.subject_id])
        return {
            "can_change": False,
            "can_delete": False,
            "subject_url": subject_url,
            "rectify_form": forms.RectifyForm(initial={"version": obj.version})
            if services.can_rectify(user, obj)
            else None,
            "recheck_form": forms.RecheckForm(initial={"version": obj.version})
            if services.can_recheck(user, obj)
            else None,
        }


class FindingActionView(ModelReadersMixin, View):
    reader_model = Finding
    form_class: type
    success: str

    def post(self, request, pk):
        finding = _get(Finding.objects.restrict(request.user, "view"), pk)
        form = self.form_class(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
            return HttpResponseRedirect(finding.get_absolute_url())
        try:
            self.act(finding, form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _message(exc))
        else:
            messages.success(request, self.success)
        return HttpResponseRedirect(finding.get_absolute_url())


class FindingRectifyView(FindingActionView):
    form_class = forms.RectifyForm
    success = "已提交整改说明，等待复核。"

    def act(self, finding, data) -> None:
        services.rectify(
            finding=finding,
            actor=self.request.user,
            note=data["note"],
            expected_version=data.get("version"),
        )


class FindingRecheckView(FindingActionView):
    form_class = forms.RecheckForm
    success = "已办理复核。"

    def act(self, finding, data) -> None:
        services.recheck(
            finding=finding,
            actor=self.request.user,
            passed=data["passed"],
            note=data["note"],
            expected_version=data.get("version"),
        )


class FindingAddView(LoginRequiredMixin, View):
    """A reviewer's finding on an object: ``?subject=room&id=12`` (a bureau or a cross reviewer)."""

    template_name = "review/finding_add.html"

    def target(self, request, pk):
        review = _get(Review.objects.restrict(request.user, "view"), pk)
        subject = request.GET.get("subject", "")
        object_id = request.GET.get("id", "")
        if subject not in SUBJECTS or not is_number(object_id):
            raise Http404("没有找到该对象。")
        obj = in_review(review, subject, [int(object_id)]).first()
        if obj is None:
            raise Http404("该对象不在本次会审范围内。")
        return review, subject, obj

    def render(self, request, review, subject, obj, form, status=200):
        context = {
            "review": review,
            "subject_label": label_of(subject, obj),
            "form": form,
            "verbose_name": "会审问题",
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk):
        review, subject, obj = self.target(request, pk)
        return self.render(request, review, subject, obj, forms.FindingAddForm())

    def post(self, request, pk):
        review, subject, obj = self.target(request, pk)
        form = forms.FindingAddForm(request.POST)
        if form.is_valid():
            try:
                finding = services.add_finding(
                    review=review,
                    actor=request.user,
                    obj=obj,
                    problem=form.cleaned_data["problem"],
                    severity=form.cleaned_data["severity"],
                    field_label=form.cleaned_data["field_label"],
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, _message(exc))
            else:
                messages.success(request, "已提出会审问题，已送责任单位整改。")
                return HttpResponseRedirect(finding.get_absolute_url())
        return self.render(request, review, subject, obj, form)
