"""Pages of findings, rectifications, re-checks, urges, referrals and the reports.

Lists and object pages are the generic ones (scoped, 404 outside the scope). Every write is a
POST to a service of :mod:`.findings`; the page offers only the actions the account may take
(the service checks again). The on-site form (``finding_onsite``) is the phone's: one column,
small, a photo straight from the camera.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from ..cases.views import ReadOnly
from ..compliance.models import Warning
from ..framework import clock
from ..framework.changelog import record_event
from ..framework.forms import apply_errors
from ..framework.pdf import pdf_response
from ..framework.text import is_number
from ..framework.versions import StaleObjectError
from ..framework.views import ObjectListView, ObjectView
from ..framework.views.generic import BaseObjectView, safe_return_url
from ..registry.models import Organization
from . import findings as services
from . import findings_filtersets as filtersets
from . import findings_forms as forms
from . import findings_tables as tables
from . import reports
from .documents import CATEGORY_EVIDENCE, CATEGORY_PHOTO, IMAGE_TYPES, documents_of, file_document
from .models import (
    Finding,
    Inspection,
    InspectionPlan,
    Recheck,
    Rectification,
    Referral,
    Tip,
    Urge,
)
from .referrals import package_documents


def _errors(request, exc: Exception) -> None:
    for message in getattr(exc, "messages", None) or [str(exc)]:
        messages.error(request, message)


def attach_files(*, user, finding: Finding, files, category: str, title: str) -> int:
    """File the uploaded ``files`` on ``finding`` (the caller's service authorized ``user``)."""
    for upload in files:
        file_document(
            user=user,
            subject=finding,
            category=category,
            file=upload,
            title=f"{title}（{upload.name}）" if getattr(upload, "name", "") else title,
            authorized=True,
        )
    return len(files)


# Findings --------------------------------------------------------------------------------------
class FindingListView(ObjectListView):
    queryset = Finding.objects.select_related(
        "organization", "item", "warning", "inspection__plan", "region"
    )
    filterset = filtersets.FindingFilterSet
    table = tables.FindingTable
    filter_order = (
        "state",
        "unfinished",
        "overdue",
        "rectification_kind",
        "source",
        "unit",
        "plan",
        "inspection",
        "item",
    )

    def get_extra_context(self) -> dict[str, Any]:
        if services.can_add_finding(self.request.user):
            return {"add_url": reverse("inspections:finding_add"), "can_add": True}
        return {"add_url": "", "can_add": False}


class FindingView(ObjectView):
    queryset = Finding.objects.select_related(
        "organization",
        "region",
        "item",
        "warning",
        "inspection__plan",
        "inspection__organization",
        "tip",
        "created_by",
    )
    template_name = "inspections/finding.html"
    attributes = ("organization", "description", "rectification_kind", "deadline", "region")

    def get_extra_context(self, obj: Finding) -> dict[str, Any]:
        user = self.request.user
        today = clock.today()
        documents = list(documents_of(user, obj))
        story = [
            *(
                {"at": r.responded_at, "kind": "rectification", "row": r}
                for r in obj.rectifications.select_related("responded_by")
            ),
            *(
                {"at": r.created_at, "kind": "recheck", "row": r}
                for r in obj.rechecks.select_related("by")
            ),
            *({"at": u.at, "kind": "urge", "row": u} for u in obj.urges.select_related("by")),
        ]
        story.sort(key=lambda entry: entry["at"])
        may_respond = services.can_respond(user, obj)
        may_recheck = services.can_recheck(user, obj)
        return {
            "can_change": False,
            "can_delete": False,
            "subject": services.subject_of(obj),
            "overdue": services.is_overdue(obj, today),
            "story": story,
            "documents": documents,
            "photos": [d for d in documents if d.content_type in IMAGE_TYPES],
            "referrals": Referral.objects.restrict(user, "view").filter(findings=obj),
            "respond_form": forms.RespondForm(initial={"version": obj.version})
            if may_respond
            else None,
            "recheck_form": forms.RecheckForm(initial={"version": obj.version})
            if may_recheck
            else None,
            "urge_form": forms.UrgeForm() if services.can_urge_finding(user, obj) else None,
            "may_refer": services.can_refer(user) and obj.state != services.REFERRED,
            "may_attach": may_respond or may_recheck,
        }


class FindingAddView(BaseObjectView):
    """登记问题 (bureau, supervisor, an inspection's team): the full form."""

    # Who may act is the findings' services' rule (the team, the supervisor, the bureau), not a
    # model permission: a role that only reads inspections may still raise findings.
    rights_by_service = True

    queryset = Finding.objects.all()
    template_name = "inspections/finding_add.html"

    def prefill(self) -> dict[str, Any]:
        names = ("organization", "inspection", "tip", "item", "room", "person", "building")
        return {k: v for k, v in self.request.GET.items() if k in names and is_number(v)}

    def inspection(self, data) -> Inspection | None:
        pk = data.get("inspection")
        if not is_number(str(pk or "")):
            return None
        return Inspection.objects.restrict(self.request.user, "view").filter(pk=pk).first()

    def render_form(self, form):
        context = {
            **self.base_context(),
            "form": form,
            "return_url": safe_return_url(self.request, reverse("inspections:finding_list")),
        }
        return render(self.request, self.template_name, context)

    def get(self, request):
        initial = self.prefill()
        inspection = self.inspection(initial)
        if inspection is not None:
            initial.setdefault("organization", inspection.organization_id)
        tip = initial.get("tip")
        if tip and "organization" not in initial:
            found = Tip.objects.restrict(request.user, "view").filter(pk=tip).first()
            if found is not None and found.organization_id:
                initial["organization"] = found.organization_id
        return self.render_form(
            forms.FindingForm(initial=initial, user=request.user, inspection=inspection)
        )

    def post(self, request):
        form = forms.FindingForm(
            request.POST, request.FILES, user=request.user, inspection=self.inspection(request.POST)
        )
        if form.is_valid():
            data = form.cleaned_data
            finding = raise_finding(
                request,
                form,
                organization=data["organization"],
                inspection=data.get("inspection"),
                tip=data.get("tip"),
                subject=form.subject(),
            )
            if finding is not None:
                return created(request, finding)
        return self.render_form(form)

    def dispatch(self, request, *args, **kwargs):
        # A supervisor or an inspector may raise findings without the model's "add" right.
        if request.user.is_authenticated and not services.can_add_finding(request.user):
            raise PermissionDenied
        return super(BaseObjectView, self).dispatch(request, *args, **kwargs)


def raise_finding(request, form, **sources) -> Finding | None:
    """Raise the finding the (valid) form describes, with its photos, in one transaction; the
    service's refusal goes onto the form (None then)."""
    data = form.cleaned_data
    try:
        with transaction.atomic():
            finding = services.create_finding(
                user=request.user,
                item=data.get("item"),
                description=data["description"],
                rectification_kind=data["rectification_kind"],
                deadline=data.get("deadline"),
                **sources,
            )
            attach_files(
                user=request.user,
                finding=finding,
                files=data["photos"],
                category=CATEGORY_PHOTO,
                title="现场照片",
            )
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
    except ValidationError as exc:
        apply_errors(form, exc)
    else:
        return finding
    return None


def created(request, finding: Finding, default: str | None = None):
    if getattr(finding, "duplicate", False):
        messages.warning(
            request,
            f"该问题已与预警“{finding.warning}”关联登记，未重复登记；已打开原问题。",
        )
        return HttpResponseRedirect(finding.get_absolute_url())
    note = f"（已关联预警“{finding.warning}”）" if finding.warning_id else ""
    messages.success(request, f"已登记问题{note}。")
    return HttpResponseRedirect(safe_return_url(request, default or finding.get_absolute_url()))


class FindingOnsiteView(BaseObjectView):
    """On site, on a phone: record a finding of the inspection (an item, a room, a photo)."""

    # Who may act is the findings' services' rule (the team, the supervisor, the bureau), not a
    # model permission: a role that only reads inspections may still raise findings.
    rights_by_service = True

    queryset = Finding.objects.all()
    template_name = "inspections/finding_onsite.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super(BaseObjectView, self).dispatch(request, *args, **kwargs)
        pk = request.GET.get("inspection", "")
        self.inspection = (
            Inspection.objects.restrict(request.user, "view")
            .select_related("organization", "plan")
            .filter(pk=pk)
            .first()
            if is_number(pk)
            else None
        )
        if self.inspection is None:
            raise Http404("没有找到该督查检查。")
        if not services.can_add_for_inspection(request.user, self.inspection):
            raise PermissionDenied
        return super(BaseObjectView, self).dispatch(request, *args, **kwargs)

    def render_form(self, form):
        room = self.request.GET.get("room", "")
        context = {
            "form": form,
            "fixed_room": form.fields["room"].queryset.filter(pk=room).first()
            if is_number(room)
            else None,
            "inspection": self.inspection,
            "return_url": safe_return_url(self.request, self.inspection.get_absolute_url()),
            "recent": Finding.objects.restrict(self.request.user, "view")
            .filter(inspection=self.inspection)
            .select_related("item")
            .order_by("-pk")[:5],
        }
        return render(self.request, self.template_name, context)

    def get(self, request):
        initial = {k: v for k, v in request.GET.items() if k in ("item", "room") and is_number(v)}
        return self.render_form(
            forms.OnsiteFindingForm(initial=initial, user=request.user, inspection=self.inspection)
        )

    def post(self, request):
        form = forms.OnsiteFindingForm(
            request.POST, request.FILES, user=request.user, inspection=self.inspection
        )
        if form.is_valid():
            finding = raise_finding(
                request,
                form,
                organization=self.inspection.organization,
                inspection=self.inspection,
                subject=form.cleaned_data.get("room"),
            )
            if finding is not None:
                return created(request, finding, default=request.get_full_path())
        return self.render_form(form)


class FindingActionView(BaseObjectView):
    """Base of the POST-only actions on one finding (visible to the account)."""

    queryset = Finding.objects.select_related("organization", "inspection__plan", "tip")
    http_method_names = ["post"]

    def post(self, request, pk):
        finding = self.get_object(pk)
        try:
            with transaction.atomic():
                message = self.act(request, finding)
        except (PermissionDenied, ValidationError, StaleObjectError) as exc:
            _errors(request, exc)
        else:
            if message:
                messages.success(request, message)
        return HttpResponseRedirect(finding.get_absolute_url())

    def act(self, request, finding: Finding) -> str:
        raise NotImplementedError


class FindingRespondView(FindingActionView):
    def act(self, request, finding: Finding) -> str:
        form = forms.RespondForm(request.POST, request.FILES)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.respond(
            user=request.user,
            finding=finding,
            description=form.cleaned_data["description"],
            expected_version=form.cleaned_data.get("version"),
        )
        n = attach_files(
            user=request.user,
            finding=finding,
            files=form.cleaned_data["evidence"],
            category=CATEGORY_EVIDENCE,
            title="整改证明材料",
        )
        return f"已反馈整改情况{f'，附证明材料 {n} 件' if n else ''}，等待复查。"


class FindingRecheckView(FindingActionView):
    def act(self, request, finding: Finding) -> str:
        form = forms.RecheckForm(request.POST, request.FILES)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        data = form.cleaned_data
        row = services.recheck(
            user=request.user,
            finding=finding,
            result=data["result"],
            note=data.get("note", ""),
            deadline=data.get("deadline"),
            on=data.get("on"),
            expected_version=data.get("version"),
        )
        attach_files(
            user=request.user,
            finding=finding,
            files=data["photos"],
            category=CATEGORY_PHOTO,
            title="复查照片",
        )
        return f"已复查：{row.get_result_display()}。"


class FindingUrgeView(FindingActionView):
    def act(self, request, finding: Finding) -> str:
        form = forms.UrgeForm(request.POST)
        if not form.is_valid():
            raise ValidationError("请填写督办意见。")
        services.urge(user=request.user, finding=finding, message=form.cleaned_data["message"])
        return "已督办，被督查单位已收到提醒。"


class FindingEvidenceView(FindingActionView):
    """More evidence or photos on a finding (the unit while it answers, the team)."""

    def act(self, request, finding: Finding) -> str:
        user = request.user
        if not (services.can_respond(user, finding) or services.can_recheck(user, finding)):
            raise PermissionDenied("您不能为该问题上传材料。")
        files = request.FILES.getlist("evidence")
        if not files:
            raise ValidationError("请选择要上传的文件。")
        n = attach_files(
            user=user, finding=finding, files=files, category=CATEGORY_EVIDENCE, title="证明材料"
        )
        return f"已上传 {n} 件材料。"


# Rectifications, re-checks ---------------------------------------------------------------------
class RectificationListView(ReadOnly, ObjectListView):
    queryset = Rectification.objects.select_related("finding__organization", "responded_by")
    filterset = filtersets.RectificationFilterSet
    table = tables.RectificationTable


class RectificationView(ReadOnly, ObjectView):
    queryset = Rectification.objects.select_related("finding__organization", "responded_by")
    attributes = ("finding", "description", "responded_by", "responded_at")


class RecheckListView(ReadOnly, ObjectListView):
    queryset = Recheck.objects.select_related("finding__organization", "by")
    filterset = filtersets.RecheckFilterSet
    table = tables.RecheckTable


class RecheckView(ReadOnly, ObjectView):
    queryset = Recheck.objects.select_related("finding__organization", "by")
    attributes = ("finding", "on", "result", "note", "by")


# Urges -----------------------------------------------------------------------------------------
class UrgeListView(ReadOnly, ObjectListView):
    queryset = Urge.objects.select_related("finding", "warning", "organization", "by", "region")
    filterset = filtersets.UrgeFilterSet
    table = tables.UrgeTable


class UrgeView(ReadOnly, ObjectView):
    queryset = Urge.objects.select_related("finding", "warning", "organization", "by")
    attributes = ("finding", "warning", "organization", "message", "by", "at")


class WarningUrgeView(BaseObjectView):
    """督办 a compliance warning (from the warning's page)."""

    queryset = Urge.objects.all()
    template_name = "inspections/urge_warning.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.can_urge(request.user):
            raise PermissionDenied
        return super(BaseObjectView, self).dispatch(request, *args, **kwargs)

    def warning(self, pk) -> Warning:
        found = (
            Warning.objects.restrict(self.request.user, "view").filter(pk=pk).first()
            if is_number(str(pk))
            else None
        )
        if found is None:
            raise Http404("没有找到该预警。")
        return found

    def render_form(self, warning, form):
        context = {
            "form": form,
            "warning": warning,
            "urges": Urge.objects.restrict(self.request.user, "view")
            .filter(warning=warning)
            .select_related("by"),
        }
        return render(self.request, self.template_name, context)

    def get(self, request, pk):
        return self.render_form(self.warning(pk), forms.UrgeForm())

    def post(self, request, pk):
        warning = self.warning(pk)
        form = forms.UrgeForm(request.POST)
        if form.is_valid():
            try:
                services.urge(
                    user=request.user, warning=warning, message=form.cleaned_data["message"]
                )
            except (PermissionDenied, ValidationError) as exc:
                apply_errors(
                    form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc))
                )
            else:
                messages.success(request, "已督办，责任单位已收到提醒。")
                return HttpResponseRedirect(warning.get_absolute_url())
        return self.render_form(warning, form)


# Referrals -------------------------------------------------------------------------------------
class ReferralListView(ReadOnly, ObjectListView):
    queryset = Referral.objects.select_related("organization", "region")
    filterset = filtersets.ReferralFilterSet
    table = tables.ReferralTable

    def restricted(self, action=None):
        from django.db.models import Count

        return super().restricted(action).annotate(finding_count=Count("findings"))


class ReferralView(ReadOnly, ObjectView):
    queryset = Referral.objects.select_related("organization", "region", "referred_by")
    template_name = "inspections/referral.html"
    attributes = (
        "organization",
        "referred_on",
        "referred_by",
        "recipient",
        "outcome_on",
        "outcome",
    )

    def get_extra_context(self, obj: Referral) -> dict[str, Any]:
        user = self.request.user
        return {
            "can_change": False,
            "can_delete": False,
            "findings": Finding.objects.restrict(user, "view")
            .filter(referrals=obj)
            .select_related("item"),
            "package": package_documents(user, obj),
            "outcome_form": forms.OutcomeForm(
                initial={
                    "version": obj.version,
                    "outcome": obj.outcome,
                    "outcome_on": obj.outcome_on or clock.today(),
                }
            )
            if services.can_refer(user)
            else None,
        }


class ReferralAddView(BaseObjectView):
    """移交纪检监察: choose the findings (one organization's), the package is generated."""

    # Who may act is the findings' services' rule (the team, the supervisor, the bureau), not a
    # model permission: a role that only reads inspections may still raise findings.
    rights_by_service = True

    queryset = Referral.objects.all()
    template_name = "inspections/referral_add.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.can_refer(request.user):
            raise PermissionDenied
        return super(BaseObjectView, self).dispatch(request, *args, **kwargs)

    def organization(self) -> Organization | None:
        user = self.request.user
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        pk = source.get("organization", "")
        if not is_number(pk) and is_number(source.get("finding", "")):
            finding = Finding.objects.restrict(user, "view").filter(pk=source["finding"]).first()
            return finding.organization if finding is not None else None
        if not is_number(pk):
            return None
        return Organization.objects.restrict(user, "view").filter(pk=pk).first()

    def candidates(self, organization):
        if organization is None:
            return Finding.objects.none()
        return (
            Finding.objects.restrict(self.request.user, "view")
            .filter(organization=organization)
            .exclude(state=services.REFERRED)
            .order_by("-created_at")
        )

    def render_form(self, organization, form):
        return render(
            self.request,
            self.template_name,
            {
                **self.base_context(),
                "form": form,
                "organization": organization,
                "return_url": safe_return_url(self.request, reverse("inspections:referral_list")),
            },
        )

    def get(self, request):
        organization = self.organization()
        initial = {}
        if is_number(request.GET.get("finding", "")):
            initial["findings"] = [int(request.GET["finding"])]
        form = forms.ReferForm(initial=initial, findings=self.candidates(organization))
        return self.render_form(organization, form)

    def post(self, request):
        organization = self.organization()
        form = forms.ReferForm(request.POST, findings=self.candidates(organization))
        if form.is_valid():
            data = form.cleaned_data
            try:
                referral = services.refer(
                    user=request.user,
                    findings=list(data["findings"]),
                    recipient=data["recipient"],
                    on=data.get("referred_on"),
                )
            except (PermissionDenied, ValidationError) as exc:
                apply_errors(
                    form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc))
                )
            else:
                messages.success(
                    request, "已移交纪检监察，移交材料（PDF 及证据压缩包）已生成并归档。"
                )
                return HttpResponseRedirect(referral.get_absolute_url())
        return self.render_form(organization, form)


class ReferralOutcomeView(BaseObjectView):
    queryset = Referral.objects.all()
    http_method_names = ["post"]

    def post(self, request, pk):
        referral = self.get_object(pk)
        form = forms.OutcomeForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请填写处理结果和结果日期。")
            return HttpResponseRedirect(referral.get_absolute_url())
        data = form.cleaned_data
        try:
            services.record_outcome(
                user=request.user,
                referral=referral,
                outcome=data["outcome"],
                outcome_on=data["outcome_on"],
                expected_version=data.get("version"),
            )
        except (PermissionDenied, ValidationError, StaleObjectError) as exc:
            _errors(request, exc)
        else:
            messages.success(request, "已登记处理结果。")
        return HttpResponseRedirect(referral.get_absolute_url())


# Reports ---------------------------------------------------------------------------------------
class PlanReportPDFView(BaseObjectView):
    queryset = InspectionPlan.objects.all()

    def get(self, request, pk):
        plan = self.get_object(pk)
        report = reports.plan_report(request.user, plan)
        record_event(actor=request.user, event="inspection.report_pdf", obj=plan)
        return pdf_response(reports.render_report_pdf(report), f"{plan.title}-问题报告.pdf")


class InspectionReportPDFView(BaseObjectView):
    queryset = Inspection.objects.select_related("plan", "organization")

    def get(self, request, pk):
        inspection = self.get_object(pk)
        report = reports.inspection_report(request.user, inspection)
        record_event(actor=request.user, event="inspection.report_pdf", obj=inspection)
        name = f"{inspection.organization.name}-{inspection.plan.title}-问题报告.pdf"
        return pdf_response(reports.render_report_pdf(report), name)
