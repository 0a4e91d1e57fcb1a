"""Pages of supervision: the overview (counts by rule and organization, the monthly export), the
findings (list, page, handling), the fleet map, a vehicle's day played back, the rules' versions
(revised by saving a new one), the regions' areas and the trips no rule could judge."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from ..framework import clock
from ..framework.forms import apply_errors
from ..framework.text import is_number
from ..framework.views import ObjectDeleteView, ObjectEditView, ObjectListView, ObjectView
from ..framework.workdays import day_status
from ..vehicles.models import Dispatch, Vehicle
from . import filtersets, forms, selectors, services, tables
from .models import Anomaly, AnomalyState, RegionArea, RuleVersion, ScanNote
from .rules import day_text, local


def _month(request) -> str:
    value = request.GET.get("month", "")
    try:
        filtersets.month_bounds(value)
    except ValidationError:
        return ""
    return value


def _perm(user, model) -> None:
    if not user.has_model_perm(model, "view"):
        raise PermissionDenied


class OverviewView(LoginRequiredMixin, View):
    """Counts by rule and by organization for a month (all months when none is chosen)."""

    def get(self, request):
        _perm(request.user, Anomaly)
        month = _month(request)
        today = clock.today()
        months = []
        first = today.replace(day=1)
        for _ in range(12):
            months.append(first.strftime("%Y-%m"))
            first = (first - datetime.timedelta(days=1)).replace(day=1)
        spec = selectors.counts_chart(request.user, month=month)
        bars = len(spec["option"]["yAxis"]["data"])
        notes = ScanNote.objects.restrict(request.user, "view").count()
        return render(
            request,
            "supervision/overview.html",
            {
                "month": month,
                "months": months,
                "totals": selectors.rule_totals(request.user, month=month),
                "spec": spec,
                "height": max(200, 26 * bars + 90),
                "has_bars": bars > 0,
                "notes": notes,
                "export_url": selectors.list_url(month=month, export="xlsx"),
            },
        )


class AnomalyListView(ObjectListView):
    queryset = Anomaly.objects.select_related("vehicle", "organization")
    filterset = filtersets.AnomalyFilterSet
    table = tables.AnomalyTable
    filter_order = ("month", "rule", "state", "region", "unit", "organization", "vehicle", "day")


class AnomalyView(ObjectView):
    queryset = Anomaly.objects.select_related(
        "vehicle__parking_compound",
        "organization",
        "trip",
        "fuel_record",
        "rule_version",
        "decided_by",
    )
    template_name = "supervision/anomaly.html"
    attributes = (
        "rule",
        "vehicle",
        "organization",
        "occurred_at",
        "state",
        "reason",
        "decided_by",
        "decided_at",
        "found_at",
    )

    def get_extra_context(self, obj: Anomaly) -> dict[str, Any]:
        return anomaly_context(self.request.user, obj)


def anomaly_context(user, obj: Anomaly, form=None) -> dict[str, Any]:
    moves = services.allowed_moves(user, obj)
    day = local(obj.occurred_at).date()
    dispatches = None
    if obj.trip_id and user.has_model_perm(Dispatch, "view"):
        dispatches = list(
            Dispatch.objects.restrict(user, "view")
            .filter(vehicle_id=obj.vehicle_id, start_at__date__lte=day, end_at__date__gte=day)
            .order_by("start_at")
        )
    return {
        "can_change": False,
        "can_delete": False,
        "moves": moves,
        "form": form or forms.MoveForm(),
        "day_text": day_text(day_status(day)),
        "dispatches": dispatches,
        "playback_url": reverse("supervision:playback", args=[obj.vehicle_id])
        + f"?day={day:%Y-%m-%d}",
    }


class AnomalyMoveView(AnomalyView):
    """POST: move a finding (confirm, explain, dismiss, reopen); the service checks who may."""

    http_method_names = ["post"]

    def post(self, request, pk, to: str):
        anomaly = self.get_object(pk)
        if to not in AnomalyState.values:
            raise Http404("没有这项操作。")
        form = forms.MoveForm(request.POST)
        version = request.POST.get("version", "")
        if form.is_valid():
            try:
                services.move(
                    actor=request.user,
                    anomaly=anomaly,
                    to=to,
                    reason=form.cleaned_data["reason"],
                    expected_version=int(version) if is_number(version) else None,
                )
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, ValidationError):
                    apply_errors(form, exc)
                else:
                    form.add_error(None, str(exc))
            else:
                messages.success(
                    request, f"异常线索 #{anomaly.pk} 已{anomaly.get_state_display()}。"
                )
                return HttpResponseRedirect(anomaly.get_absolute_url())
        context = {
            **self.base_context(),
            "object": anomaly,
            "attributes": self.attributes,
            "changes": [],
            **anomaly_context(request.user, anomaly, form),
        }
        return render(request, self.template_name, context, status=400)


class FleetMapView(LoginRequiredMixin, View):
    def get(self, request):
        _perm(request.user, Vehicle)
        spec = selectors.fleet_spec(request.user)
        return render(
            request, "supervision/fleet_map.html", {"spec": spec, "points": spec["points"]}
        )


class PlaybackView(LoginRequiredMixin, View):
    """A vehicle's day on the map: its trips with a time slider, their findings marked."""

    def get(self, request, pk):
        _perm(request.user, Vehicle)
        try:
            vehicle = (
                Vehicle.objects.restrict(request.user, "view")
                .select_related("organization", "parking_compound")
                .get(pk=pk)
            )
        except Vehicle.DoesNotExist as exc:
            raise Http404("车辆不存在或超出您的管辖范围。") from exc
        value = request.GET.get("day", "")
        try:
            day = datetime.date.fromisoformat(value) if value else None
        except ValueError:
            day = None
        if day is None:
            last = selectors.vehicle_days(vehicle, clock.today() + datetime.timedelta(days=1))[0]
            day = last or clock.today()
        data = selectors.playback(vehicle, day, request.user)
        before, after = selectors.vehicle_days(vehicle, day)
        return render(
            request,
            "supervision/playback.html",
            {
                "vehicle": vehicle,
                "day": day,
                "day_text": day_text(day_status(day)),
                "before": before,
                "after": after,
                **data,
                "total_km": sum(t.distance_km for t in data["trips"]),
            },
        )


class RuleVersionListView(ObjectListView):
    queryset = RuleVersion.objects.select_related("region")
    filterset = filtersets.RuleVersionFilterSet
    table = tables.RuleVersionTable
    filter_order = ("rule", "kind", "enabled")


class RuleVersionView(ObjectView):
    queryset = RuleVersion.objects.select_related("region")
    template_name = "supervision/ruleversion.html"
    attributes = (
        "rule",
        "kind",
        "region",
        "number",
        "enabled",
        "source",
        "effective_from",
        "effective_to",
        "notes",
    )

    def get_extra_context(self, obj: RuleVersion) -> dict[str, Any]:
        user = self.request.user
        return {
            "can_change": False,
            "can_delete": False,
            "can_revise": bool(getattr(user, "scope_region_id", None))
            and user.has_model_perm(RuleVersion, "add"),
            "history": RuleVersion.objects.restrict(user, "view")
            .filter(rule=obj.rule)
            .select_related("region")
            .order_by("-effective_from", "-number"),
        }


class RuleReviseView(RuleVersionView):
    """The form of a new version of a rule (the parameters of the version it starts from)."""

    action = "add"
    # A bureau revises a national version it cannot change (the revision is its own region's
    # new version): the service decides, not the change right on the version shown.
    rights_by_service = True

    def get_object(self, pk) -> RuleVersion:
        """The version revised from: any the account sees (a national one too)."""
        version = RuleVersion.objects.restrict(self.request.user, "view").filter(pk=pk).first()
        if version is None:
            raise Http404("规则版本不存在或超出您的管辖范围。")
        return version

    def get(self, request, pk):
        version = self.get_object(pk)
        return self.show(version, forms.ReviseForm(version=version))

    def show(self, version, form, status=200):
        return render(
            request=self.request,
            template_name="supervision/rule_revise.html",
            context={
                "object": version,
                "form": form,
                "list_url": reverse("supervision:ruleversion_list"),
            },
            status=status,
        )

    def post(self, request, pk):
        version = self.get_object(pk)
        form = forms.ReviseForm(request.POST, version=version)
        if form.is_valid():
            try:
                new = services.revise_rule(
                    actor=request.user,
                    version=version,
                    parameters=form.parameters(),
                    enabled=form.cleaned_data["enabled"],
                    source=form.cleaned_data["source"],
                    notes=form.cleaned_data["notes"],
                    effective_from=form.cleaned_data["effective_from"],
                )
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, ValidationError):
                    if hasattr(exc, "error_dict"):
                        exc = ValidationError(
                            {
                                (
                                    k
                                    if k in form.fields
                                    else f"p_{k}"
                                    if f"p_{k}" in form.fields
                                    else NON_FIELD_ERRORS
                                ): v
                                for k, v in exc.error_dict.items()
                            }
                        )
                    apply_errors(form, exc)
                else:
                    form.add_error(None, str(exc))
            else:
                messages.success(request, f"已保存{new}。")
                return HttpResponseRedirect(new.get_absolute_url())
        return self.show(version, form, status=400)


class RegionAreaListView(ObjectListView):
    queryset = RegionArea.objects.select_related("region")
    filterset = filtersets.RegionAreaFilterSet
    table = tables.RegionAreaTable


class RegionAreaView(ObjectView):
    queryset = RegionArea.objects.select_related("region")


class RegionAreaEditView(ObjectEditView):
    queryset = RegionArea.objects.all()
    form = forms.RegionAreaForm


class RegionAreaDeleteView(ObjectDeleteView):
    queryset = RegionArea.objects.all()


class ScanNoteListView(ObjectListView):
    queryset = ScanNote.objects.select_related("vehicle", "organization")
    filterset = filtersets.ScanNoteFilterSet
    table = tables.ScanNoteTable
