"""Pages of inspections: checklists, assessment dates, plans, inspections (with the on-site phone
page), measurements and tip-offs.

Checklists, assessment dates, plans and tips use the generic pages; inspections are generated
from a plan and change state through their steps; item results and measured areas are recorded on
the phone page (``inspection_site``), a small page of its own (no framework CSS or scripts) for a
slow connection.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from ..framework.views import ObjectDeleteView, ObjectEditView, ObjectListView, ObjectView
from ..framework.views.generic import BaseObjectView, url_name
from ..registry.models import Room
from . import filtersets, forms, selectors, services, tables
from .choices import InspectionState, ItemResult, MeasurementState, TipState
from .models import (
    AssessmentDate,
    Checklist,
    ChecklistItem,
    Inspection,
    InspectionPlan,
    ItemCheck,
    Measurement,
    Tip,
)


def _messages(request, exc: Exception) -> None:
    for message in getattr(exc, "messages", None) or [str(exc)]:
        messages.error(request, message)


class NoGenericAddMixin:
    """Models created by a step, not by a generic form: no 新增 button, no edit/delete links."""

    def base_context(self) -> dict[str, Any]:
        user = self.request.user
        return {
            "model": self.model,
            "verbose_name": self.model._meta.verbose_name,
            "app_verbose_name": self.model._meta.app_config.verbose_name,
            "list_url": reverse(url_name(self.model, "_list")),
            "add_url": "",
            "can_add": False,
            "can_change": False,
            "can_delete": False,
            "user_can_change": user.has_model_perm(self.model, "change"),
        }


# Checklists ------------------------------------------------------------------------------------
class ChecklistListView(ObjectListView):
    queryset = Checklist.objects.prefetch_related("items")
    filterset = filtersets.ChecklistFilterSet
    table = tables.ChecklistTable


class ChecklistView(ObjectView):
    queryset = Checklist.objects.all()
    template_name = "inspections/checklist.html"
    attributes = ("revision", "effective_from", "source", "note")

    def get_extra_context(self, obj) -> dict[str, Any]:
        items = sorted(obj.items.all(), key=selectors.item_order)
        in_use = services.checklist_in_use(obj)
        return {
            "organization_items": [i for i in items if i.target == "organization"],
            "leader_items": [i for i in items if i.target == "leader"],
            "in_use": in_use,
            "plan_count": obj.plans.count(),
            # A revision a plan runs on is kept.
            "can_delete": self.request.user.has_model_perm(Checklist, "delete") and not in_use,
        }


class ChecklistEditView(ObjectEditView):
    queryset = Checklist.objects.all()
    form = forms.ChecklistForm


class ChecklistDeleteView(ObjectDeleteView):
    queryset = Checklist.objects.all()


class ChecklistItemListView(ObjectListView):
    queryset = ChecklistItem.objects.select_related("checklist")
    filterset = filtersets.ChecklistItemFilterSet
    table = tables.ChecklistItemTable


class ChecklistItemView(ObjectView):
    queryset = ChecklistItem.objects.select_related("checklist")
    attributes = ("checklist", "target", "aspect", "title", "description", "rules", "source")


class ChecklistItemEditView(ObjectEditView):
    queryset = ChecklistItem.objects.all()
    form = forms.ChecklistItemForm


class ChecklistItemDeleteView(ObjectDeleteView):
    queryset = ChecklistItem.objects.all()


# Assessment dates ---------------------------------------------------------------------------------
class AssessmentDateListView(ObjectListView):
    queryset = AssessmentDate.objects.select_related("region")
    filterset = filtersets.AssessmentDateFilterSet
    table = tables.AssessmentDateTable


class AssessmentDateView(ObjectView):
    queryset = AssessmentDate.objects.select_related("region")
    attributes = ("region", "year", "assessed_on", "source")


class AssessmentDateEditView(ObjectEditView):
    queryset = AssessmentDate.objects.all()
    form = forms.AssessmentDateForm


class AssessmentDateDeleteView(ObjectDeleteView):
    queryset = AssessmentDate.objects.all()


# Plans ---------------------------------------------------------------------------------------------------
class InspectionPlanListView(ObjectListView):
    queryset = InspectionPlan.objects.select_related("region", "checklist")
    filterset = filtersets.InspectionPlanFilterSet
    table = tables.InspectionPlanTable
    filter_order = ("region", "year", "kind", "state", "mine")


class InspectionPlanView(ObjectView):
    queryset = InspectionPlan.objects.select_related("region", "checklist")
    template_name = "inspections/inspectionplan.html"
    attributes = (
        "kind",
        "year",
        "region",
        "all_organizations",
        "checklist",
        "start_on",
        "end_on",
        "deadline",
        "state",
        "basis",
    )

    def get_extra_context(self, obj) -> dict[str, Any]:
        user = self.request.user
        inspections = (
            Inspection.objects.restrict(user, "view")
            .filter(plan=obj)
            .select_related("organization")
            .order_by("organization__path")
        )
        bureau = services.is_bureau(user, obj.region)
        open_plan = obj.state not in ("done", "cancelled")
        return {
            "inspections": inspections,
            "summary": selectors.plan_summary(obj, inspections),
            "team": obj.team.order_by("username"),
            "chosen_organizations": obj.organizations.order_by("path")[:50],
            "may_generate": bureau and open_plan,
            "may_cancel": bureau and obj.state == "planned",
            "can_change": bureau and open_plan,
            "can_delete": bureau and obj.state in ("planned", "cancelled"),
            "assessment": services.assessment_for(obj.region, obj.year),
        }


class InspectionPlanEditView(ObjectEditView):
    queryset = InspectionPlan.objects.all()
    form = forms.InspectionPlanForm


class InspectionPlanDeleteView(ObjectDeleteView):
    queryset = InspectionPlan.objects.all()


class InspectionPlanGenerateView(BaseObjectView):
    queryset = InspectionPlan.objects.all()
    action = "change"

    def post(self, request, pk):
        plan = self.get_object(pk)
        try:
            created = services.generate_inspections(actor=request.user, plan=plan)
        except (PermissionDenied, ValidationError) as exc:
            _messages(request, exc)
        else:
            if created:
                messages.success(request, f"已生成 {len(created)} 项督查检查。")
            else:
                messages.info(request, "计划范围内的单位都已有检查，没有新生成。")
        return HttpResponseRedirect(plan.get_absolute_url())


class InspectionPlanCancelView(BaseObjectView):
    queryset = InspectionPlan.objects.all()
    action = "change"

    def post(self, request, pk):
        plan = self.get_object(pk)
        try:
            services.cancel_plan(actor=request.user, plan=plan)
        except (PermissionDenied, ValidationError) as exc:
            _messages(request, exc)
        else:
            messages.success(request, "督查计划已取消。")
        return HttpResponseRedirect(plan.get_absolute_url())


# Inspections -----------------------------------------------------------------------------------------
INSPECTION_RELATED = ("plan__region", "organization", "region", "checklist")


class InspectionListView(NoGenericAddMixin, ObjectListView):
    queryset = Inspection.objects.select_related("plan", "organization", "region")
    filterset = filtersets.InspectionFilterSet
    table = tables.InspectionTable
    filter_order = ("region", "unit", "plan", "kind", "year", "state", "mine")


class InspectionView(NoGenericAddMixin, ObjectView):
    queryset = Inspection.objects.select_related(*INSPECTION_RELATED)
    template_name = "inspections/inspection.html"
    attributes = ("plan", "organization", "checklist", "scheduled_on", "summary")

    def get_extra_context(self, obj) -> dict[str, Any]:
        user = self.request.user
        context = selectors.inspection_page(user, obj)
        bureau = context["is_bureau"]
        context.update(
            {
                "inspectors": obj.inspectors.order_by("username"),
                "may_edit": bureau and obj.state != InspectionState.DONE,
                "may_start": context["may_inspect"] and obj.state == InspectionState.PLANNED,
                "may_finish": context["may_inspect"] and obj.state == InspectionState.IN_PROGRESS,
                "may_decide": bureau and user.has_model_perm(Room, "change"),
                "reject_form": forms.RejectMeasurementForm(),
            }
        )
        return context


class InspectionEditView(ObjectEditView):
    queryset = Inspection.objects.select_related(*INSPECTION_RELATED)
    form = forms.InspectionForm

    def dispatch(self, request, *args, **kwargs):
        if not kwargs.get("pk"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class InspectionStepView(BaseObjectView):
    """开始检查 / 完成检查 from the inspection page or the phone page."""

    queryset = Inspection.objects.select_related(*INSPECTION_RELATED)

    def post(self, request, pk, step: str):
        inspection = self.get_object(pk)
        try:
            if step == "start":
                services.start_inspection(actor=request.user, inspection=inspection)
                messages.success(request, "已开始检查。")
            else:
                services.finish_inspection(
                    actor=request.user,
                    inspection=inspection,
                    summary=request.POST.get("summary", "")[:4000],
                )
                messages.success(request, "检查已完成。")
        except (PermissionDenied, ValidationError) as exc:
            _messages(request, exc)
        back = request.POST.get("next") == "site"
        return HttpResponseRedirect(
            reverse("inspections:inspection_site", args=[pk])
            if back
            else inspection.get_absolute_url()
        )


def finding_link(inspection: Inspection, *, item=None, room=None, back: str = "") -> str:
    """H7's on-site finding form for this inspection (and item or room), if it is installed."""
    try:
        url = reverse("inspections:finding_onsite")
    except NoReverseMatch:
        return ""
    query = {"inspection": inspection.pk}
    if item is not None:
        query["item"] = item.pk
    if room is not None:
        query["room"] = room.pk
    if back:
        query["return_url"] = back
    return f"{url}?{urlencode(query)}"


class InspectionSiteView(BaseObjectView):
    """The phone page: the unit's checklist (result + note per item), its rooms (measured area)
    and people, searchable by room number. Small: no framework stylesheet, no script."""

    queryset = Inspection.objects.select_related(*INSPECTION_RELATED)
    template_name = "inspections/site.html"
    ROOMS_SHOWN = 30

    def context(self, inspection: Inspection, **extra) -> dict[str, Any]:
        user = self.request.user
        query = self.request.GET.get("q", "")
        tab = self.request.GET.get("tab", "items")
        back = reverse("inspections:inspection_site", args=[inspection.pk])
        rows = selectors.item_rows(user, inspection) if tab == "items" else []
        for row in rows:
            row.finding_url = finding_link(inspection, item=row.item, back=back)
        rooms = selectors.site_rooms(user, inspection, query) if tab == "rooms" else None
        room_list = list(rooms[: self.ROOMS_SHOWN]) if rooms is not None else []
        last = {}
        if room_list:
            for m in inspection.measurements.filter(room__in=room_list).order_by("measured_at"):
                last[m.room_id] = m
        for room in room_list:
            room.last_measurement = last.get(room.pk)
            room.finding_url = finding_link(inspection, room=room, back=f"{back}?tab=rooms")
        people = selectors.site_people(user, inspection, query) if tab == "people" else None
        return {
            "inspection": inspection,
            "tab": tab,
            "q": query,
            "rows": rows,
            "results": ItemResult.choices,
            "rooms": room_list,
            "room_count": rooms.count() if rooms is not None else 0,
            "people": list(people[:50]) if people is not None else [],
            "people_count": people.count() if people is not None else 0,
            "may_inspect": services.may_inspect(user, inspection),
            "finding_url": finding_link(inspection, back=back),
            "done": inspection.state == InspectionState.DONE,
            "checked": sum(1 for r in rows if r.check is not None),
            **extra,
        }

    def get(self, request, pk):
        inspection = self.get_object(pk)
        return render(request, self.template_name, self.context(inspection))

    def post(self, request, pk):
        inspection = self.get_object(pk)
        kind = request.POST.get("kind")
        tab = "rooms" if kind == "measurement" else "items"
        try:
            if kind == "photo":
                photo = request.FILES.get("photo")
                if photo is None:
                    raise ValidationError("请拍摄或选择一张照片。")
                services.add_photo(
                    actor=request.user,
                    inspection=inspection,
                    file=photo,
                    title=request.POST.get("title", ""),
                )
                messages.success(request, "照片已上传，存入本次检查的档案资料（照片）。")
            elif kind == "measurement":
                form = forms.MeasurementForm(request.POST)
                if not form.is_valid():
                    raise ValidationError("请填写大于 0 的实测面积（平方米，最多两位小数）。")
                room = selectors.site_rooms(request.user, inspection).filter(
                    pk=form.cleaned_data["room"]
                )
                if not room:
                    raise ValidationError("所选房间不由被检查单位使用。")
                m = services.record_measurement(
                    actor=request.user,
                    inspection=inspection,
                    room=room.get(),
                    measured_area=form.cleaned_data["measured_area"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, f"已记录 {m.room.number} 实测 {m.measured_area} 平方米。")
            else:
                form = forms.ItemCheckForm(request.POST)
                if not form.is_valid():
                    raise ValidationError("请选择检查结果。")
                item = inspection.checklist.items.filter(pk=form.cleaned_data["item"]).first()
                if item is None:
                    raise ValidationError("该检查内容不属于本次检查所用的清单。")
                services.record_item_check(
                    actor=request.user,
                    inspection=inspection,
                    item=item,
                    result=form.cleaned_data["result"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, f"已记录：{item.title}。")
        except (PermissionDenied, ValidationError) as exc:
            _messages(request, exc)
        url = reverse("inspections:inspection_site", args=[pk])
        query = {"tab": tab}
        if request.POST.get("q"):
            query["q"] = request.POST["q"][:20]
        anchor = f"#i{request.POST.get('item')}" if tab == "items" else ""
        return HttpResponseRedirect(f"{url}?{urlencode(query)}{anchor}")


# Item checks and measurements --------------------------------------------------------------------------
class ItemCheckListView(NoGenericAddMixin, ObjectListView):
    queryset = ItemCheck.objects.select_related(
        "inspection__plan", "inspection__organization", "item"
    )
    filterset = filtersets.ItemCheckFilterSet
    table = tables.ItemCheckTable


class ItemCheckView(NoGenericAddMixin, ObjectView):
    queryset = ItemCheck.objects.select_related("inspection__plan", "item", "checked_by")
    attributes = ("inspection", "item", "result", "note", "checked_by", "checked_at")


class MeasurementListView(NoGenericAddMixin, ObjectListView):
    queryset = Measurement.objects.select_related(
        "room__floor__building", "inspection__plan", "inspection__organization"
    )
    filterset = filtersets.MeasurementFilterSet
    table = tables.MeasurementTable
    filter_order = ("region", "unit", "inspection", "state", "room")


class MeasurementView(NoGenericAddMixin, ObjectView):
    queryset = Measurement.objects.select_related(
        "room__floor__building", "inspection__plan", "inspection__region", "accepted_change"
    )
    template_name = "inspections/measurement.html"
    attributes = (
        "inspection",
        "room",
        "registered_area",
        "measured_area",
        "measured_by",
        "measured_at",
        "note",
        "state",
        "decided_by",
        "decided_at",
        "reject_reason",
    )

    def get_extra_context(self, obj) -> dict[str, Any]:
        may = obj.state == MeasurementState.RECORDED and services.may_decide_measurement(
            self.request.user, obj
        )
        return {
            "may_decide": may,
            "reject_form": forms.RejectMeasurementForm(initial={"version": obj.version}),
        }


class MeasurementDecideView(BaseObjectView):
    """采纳 (into the registry, source 实地测量) or 退回 (with a reason)."""

    queryset = Measurement.objects.select_related("inspection__region", "room")

    def post(self, request, pk, decision: str):
        measurement = self.get_object(pk)
        try:
            if decision == "accept":
                services.accept_measurement(actor=request.user, measurement=measurement)
                messages.success(
                    request, f"已采纳实测面积，房间“{measurement.room}”的使用面积已更新。"
                )
            else:
                form = forms.RejectMeasurementForm(request.POST)
                reason = form.data.get("reject_reason", "")
                services.reject_measurement(
                    actor=request.user, measurement=measurement, reason=reason
                )
                messages.success(request, "已退回该测量，房间面积未变。")
        except (PermissionDenied, ValidationError) as exc:
            _messages(request, exc)
        back = request.POST.get("next")
        if back == "inspection":
            return HttpResponseRedirect(measurement.inspection.get_absolute_url())
        return HttpResponseRedirect(measurement.get_absolute_url())


# Tips ------------------------------------------------------------------------------------------------------
class TipListView(ObjectListView):
    queryset = Tip.objects.select_related("organization", "region", "assigned_to")
    filterset = filtersets.TipFilterSet
    table = tables.TipTable
    filter_order = ("region", "unit", "source", "state", "overdue", "assigned_to_me")


class TipView(ObjectView):
    queryset = Tip.objects.select_related("organization", "region", "assigned_to", "subject_type")
    template_name = "inspections/tip.html"
    attributes = (
        "source",
        "received_on",
        "organization",
        "subject_label",
        "content",
        "assigned_to",
        "deadline",
        "state",
        "check_result",
        "substantiated",
        "answer",
        "answered_on",
        "closed_on",
    )

    def get_extra_context(self, obj) -> dict[str, Any]:
        user = self.request.user
        actions = services.tip_actions(user, obj)
        subject = None
        if obj.subject_type_id:
            model = obj.subject_type.model_class()
            if hasattr(model, "scope"):
                subject = model.objects.restrict(user, "view").filter(pk=obj.subject_id).first()
        editable = obj.state not in (TipState.ANSWERED, TipState.CLOSED)
        return {
            "actions": actions,
            "assign_form": forms.TipAssignForm(
                tip=obj, initial={"version": obj.version, "deadline": obj.deadline}
            )
            if "assign" in actions
            else None,
            "answer_form": forms.TipAnswerForm(initial={"version": obj.version})
            if "answer" in actions
            else None,
            "subject": subject,
            "can_change": editable and services.is_bureau(user, obj.region),
            "can_delete": obj.state == TipState.RECEIVED and services.is_bureau(user, obj.region),
            "findings_url": _findings_of_tip(obj),
            "finding_add_url": _finding_add_for_tip(obj)
            if services.is_bureau(user, obj.region) or obj.assigned_to_id == user.pk
            else "",
        }


def _findings_of_tip(tip: Tip) -> str:
    try:
        return f"{reverse('inspections:finding_list')}?tip={tip.pk}"
    except NoReverseMatch:
        return ""


def _finding_add_for_tip(tip: Tip) -> str:
    try:
        return (
            f"{reverse('inspections:finding_add')}?tip={tip.pk}&organization={tip.organization_id}"
        )
    except NoReverseMatch:
        return ""


class TipEditView(ObjectEditView):
    queryset = Tip.objects.all()
    form = forms.TipForm


class TipDeleteView(ObjectDeleteView):
    queryset = Tip.objects.all()


class TipStepView(BaseObjectView):
    """交办 / 开始核查 / 答复 / 办结 / 退回重新核查."""

    queryset = Tip.objects.select_related("region")

    def post(self, request, pk, step: str):
        tip = self.get_object(pk)
        kwargs: dict[str, Any] = {}
        try:
            if step == "assign":
                form = forms.TipAssignForm(request.POST, tip=tip)
                if not form.is_valid():
                    raise ValidationError("请选择承办人（须为可督查该单位的账号）。")
                kwargs = {
                    "assigned_to": form.cleaned_data["assigned_to"],
                    "deadline": form.cleaned_data["deadline"],
                }
            elif step == "answer":
                form = forms.TipAnswerForm(request.POST)
                if not form.is_valid():
                    raise ValidationError("请填写核查情况、是否属实和答复内容。")
                kwargs = {
                    name: form.cleaned_data[name]
                    for name in ("check_result", "substantiated", "answer")
                }
            services.tip_transition(actor=request.user, tip=tip, action=step, **kwargs)
        except (PermissionDenied, ValidationError) as exc:
            _messages(request, exc)
        else:
            messages.success(request, f"线索已{services.TIP_STEPS[step][2]}。")
        return HttpResponseRedirect(tip.get_absolute_url())
