"""Pages of dispatch (派车): the list, a dispatch's page with the actions its viewer may take,
the request form, the unit's board and the bureau's board; and registering a purchased car on
its approved case. Every write goes through ``dispatch`` (or ``kinds.register_vehicle``)."""

from __future__ import annotations

import datetime
from typing import Any

import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from ..framework.tables import BaseTable, LinkedColumn, RelatedColumn
from ..framework.text import is_number
from ..framework.views.generic import BaseObjectView, ObjectListView, ObjectView
from ..registry.models import Organization
from ..workflow.models import Case
from . import dispatch as services
from . import dispatch_selectors as selectors
from .choices import DispatchState
from .kinds import RegisterForm, register_vehicle
from .models import Dispatch, Driver, Vehicle

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


# Forms ------------------------------------------------------------------------------------------
class ChineseForm(forms.Form):
    """Messages name their field; widgets carry Tabler's classes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            choose = isinstance(field, forms.ChoiceField | forms.ModelChoiceField)
            field.error_messages["required"] = f"请{'选择' if choose else '填写'}{field.label}。"
            field.error_messages["invalid"] = f"{field.label}格式不正确。"
            field.error_messages["invalid_choice"] = f"所选{field.label}不存在或已不可用。"
            if isinstance(field, forms.IntegerField):
                field.error_messages["min_value"] = f"{field.label}不能小于 %(limit_value)s。"
                field.error_messages["max_value"] = f"{field.label}不能大于 %(limit_value)s。"
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


def datetime_field(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


class RequestForm(ChineseForm):
    organization = forms.ModelChoiceField(label="用车单位", queryset=Organization.objects.none())
    purpose = forms.CharField(label="用车事由", max_length=200)
    passengers = forms.IntegerField(label="乘车人数", min_value=1, max_value=60)
    origin = forms.CharField(label="出发地", max_length=100)
    destination = forms.CharField(label="目的地", max_length=100)
    start_at = datetime_field("用车开始时间")
    end_at = datetime_field("预计结束时间")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.restrict(user, "view").order_by(
            "path"
        )


class RejectForm(ChineseForm):
    reason = forms.CharField(label="驳回理由", max_length=300)


class CancelForm(ChineseForm):
    reason = forms.CharField(label="取消原因", max_length=300, required=False)


class PlateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Vehicle) -> str:
        return f"{obj.plate} {obj.brand}{obj.model_name}（{obj.seats} 座）"


class AssignForm(ChineseForm):
    vehicle = PlateChoiceField(label="车辆", queryset=Vehicle.objects.none())
    driver = forms.ModelChoiceField(label="驾驶员", queryset=Driver.objects.none())

    def __init__(self, *args, user=None, dispatch: Dispatch | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if dispatch is not None:
            vehicles, drivers = selectors.assignable(user, dispatch)
            if dispatch.vehicle_id:  # re-assigning: its own car and driver stay choices
                vehicles = vehicles | Vehicle.objects.filter(pk=dispatch.vehicle_id)
                drivers = drivers | Driver.objects.filter(pk=dispatch.driver_id)
            self.fields["vehicle"].queryset = vehicles
            self.fields["driver"].queryset = drivers


class DepartForm(ChineseForm):
    start_mileage = forms.IntegerField(label="出车里程（公里）", min_value=0)


class ReturnForm(ChineseForm):
    end_mileage = forms.IntegerField(label="还车里程（公里）", min_value=0)


# Table ------------------------------------------------------------------------------------------
class StateColumn(tables.Column):
    CSS = {
        DispatchState.REQUESTED: "bg-yellow-lt",
        DispatchState.APPROVED: "bg-azure-lt",
        DispatchState.ASSIGNED: "bg-blue-lt",
        DispatchState.DEPARTED: "bg-orange-lt",
        DispatchState.RETURNED: "bg-green-lt",
        DispatchState.REJECTED: "bg-red-lt",
        DispatchState.CANCELLED: "bg-secondary-lt",
    }

    def render(self, value, record):
        return format_html(
            '<span class="badge {}">{}</span>', self.CSS.get(record.state, ""), value
        )


class DispatchTable(BaseTable):
    id = LinkedColumn(verbose_name="派车单")
    purpose = LinkedColumn(verbose_name="用车事由")
    organization = RelatedColumn(verbose_name="用车单位", order_by="organization__name")
    start_at = tables.DateTimeColumn(verbose_name="用车开始", format="Y-m-d H:i")
    end_at = tables.DateTimeColumn(verbose_name="预计结束", format="Y-m-d H:i")
    destination = tables.Column(verbose_name="目的地")
    passengers = tables.Column(verbose_name="人数")
    state = StateColumn(verbose_name="状态")
    vehicle = RelatedColumn(verbose_name="车辆", order_by="vehicle__plate")
    driver = tables.Column(verbose_name="驾驶员", order_by="driver__name")
    distance = tables.Column(verbose_name="行驶（公里）", orderable=False, empty_values=())

    default_columns = (
        "id",
        "purpose",
        "organization",
        "start_at",
        "end_at",
        "destination",
        "state",
        "vehicle",
        "driver",
    )

    class Meta(BaseTable.Meta):
        model = Dispatch
        fields = ()
        sequence = (
            "id",
            "purpose",
            "organization",
            "start_at",
            "end_at",
            "destination",
            "passengers",
            "state",
            "vehicle",
            "driver",
            "distance",
        )

    def render_distance(self, record) -> str:
        return "—" if record.distance is None else f"{record.distance:,}"


# Views ------------------------------------------------------------------------------------------
class DispatchListView(ObjectListView):
    queryset = Dispatch.objects.select_related("organization", "vehicle", "driver")
    filterset = selectors.DispatchFilterSet
    table = DispatchTable
    filter_order = ("state", "unit", "vehicle", "driver", "start_after", "start_before")

    def get_extra_context(self) -> dict[str, Any]:
        return {"verbose_name": "派车单"}


def viewer_actions(user, dispatch: Dispatch) -> list[str]:
    """What ``user`` may do with ``dispatch`` now (the services check again)."""
    if not user.has_model_perm(Dispatch, "change"):
        return []
    if not Dispatch.objects.restrict(user, "change").filter(pk=dispatch.pk).exists():
        return []
    own = dispatch.requested_by_id == user.pk
    state = dispatch.state
    actions = []
    if state == DispatchState.REQUESTED and not own:
        actions += ["approve", "reject"]
    if state == DispatchState.APPROVED:
        actions += ["assign"] + ([] if own else ["reject"])
    if state == DispatchState.ASSIGNED:
        actions += ["assign", "depart"]
    if state == DispatchState.DEPARTED:
        actions.append("return")
    if state in services.CANCELLABLE:
        actions.append("cancel")
    return actions


def action_forms(user, dispatch: Dispatch, bound: dict | None = None) -> dict[str, forms.Form]:
    actions = viewer_actions(user, dispatch)
    bound = bound or {}
    made: dict[str, forms.Form] = {}
    # The step forward first, then refusing or cancelling.
    if "assign" in actions:
        initial = {"vehicle": dispatch.vehicle_id, "driver": dispatch.driver_id}
        made["assign"] = bound.get("assign") or AssignForm(
            prefix="assign", user=user, dispatch=dispatch, initial=initial
        )
    if "depart" in actions:
        made["depart"] = bound.get("depart") or DepartForm(
            prefix="depart", initial={"start_mileage": dispatch.vehicle.mileage}
        )
    if "return" in actions:
        made["return"] = bound.get("return") or ReturnForm(
            prefix="return", initial={"end_mileage": dispatch.start_mileage}
        )
    if "reject" in actions:
        made["reject"] = bound.get("reject") or RejectForm(prefix="reject")
    if "cancel" in actions:
        made["cancel"] = bound.get("cancel") or CancelForm(prefix="cancel")
    return made


class DispatchView(ObjectView):
    queryset = Dispatch.objects.select_related(
        "organization", "vehicle", "driver", "requested_by", "approved_by", "assigned_by"
    )
    template_name = "vehicles/dispatch.html"
    attributes = (
        "organization",
        "purpose",
        "passengers",
        "origin",
        "destination",
        "start_at",
        "end_at",
        "requested_by",
        "approved_by",
        "approved_at",
        "vehicle",
        "driver",
        "assigned_at",
        "departed_at",
        "start_mileage",
        "returned_at",
        "end_mileage",
        "reject_reason",
        "cancel_reason",
    )

    def get_extra_context(self, obj: Dispatch) -> dict[str, Any]:
        return dispatch_context(self.request.user, obj)


def dispatch_context(user, obj: Dispatch, bound: dict | None = None) -> dict[str, Any]:
    return {
        "can_change": False,
        "can_delete": False,
        "viewer_actions": viewer_actions(user, obj),
        "forms": action_forms(user, obj, bound),
        "board_url": reverse("vehicles:dispatch_board") + f"?organization={obj.organization_id}",
    }


class DispatchRequestView(BaseObjectView):
    """申请用车: a unit account asks for a car (its own unit preset)."""

    queryset = Dispatch.objects.all()
    action = "add"
    template_name = "vehicles/dispatch_request.html"

    def render_form(self, form, status=200):
        context = {**self.base_context(), "form": form, "verbose_name": "派车单"}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
        initial = {
            "organization": request.user.scope_organization_id,
            "passengers": 1,
            "start_at": now + datetime.timedelta(hours=1),
            "end_at": now + datetime.timedelta(hours=3),
        }
        return self.render_form(RequestForm(user=request.user, initial=initial))

    def post(self, request):
        form = RequestForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                dispatch = services.request_dispatch(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"已提交用车申请：派车单 #{dispatch.pk}，等待审批。")
                return HttpResponseRedirect(dispatch.get_absolute_url())
        return self.render_form(form)


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class DispatchActionView(BaseObjectView):
    """POST one action on a dispatch; errors re-render its page with the form and messages."""

    queryset = DispatchView.queryset
    action = "change"
    http_method_names = ["post"]
    FORMS = {
        "reject": RejectForm,
        "assign": AssignForm,
        "depart": DepartForm,
        "return": ReturnForm,
        "cancel": CancelForm,
    }

    def post(self, request, pk: int, verb: str):
        dispatch = self.get_object(pk)
        if verb not in ("approve", *self.FORMS):
            raise Http404("没有这项操作。")
        form = None
        if verb in self.FORMS:
            kwargs = {"user": request.user, "dispatch": dispatch} if verb == "assign" else {}
            form = self.FORMS[verb](request.POST, prefix=verb, **kwargs)
            if not form.is_valid():
                return self.refused(dispatch, verb, form)
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        data = form.cleaned_data if form is not None else {}
        try:
            self.run(verb, dispatch, data, version)
        except (ValidationError, PermissionDenied) as exc:
            if form is None:
                form = forms.Form()
            if isinstance(exc, ValidationError):
                apply_errors(form, exc)
            else:
                form.add_error(None, str(exc))
            if verb == "approve":
                for message in form.non_field_errors():
                    messages.error(request, message)
                return HttpResponseRedirect(dispatch.get_absolute_url())
            return self.refused(dispatch, verb, form)
        messages.success(request, DONE[verb].format(pk=dispatch.pk))
        return HttpResponseRedirect(dispatch.get_absolute_url())

    def run(self, verb: str, dispatch: Dispatch, data: dict, version: int | None) -> None:
        actor = self.request.user
        common = {"actor": actor, "dispatch": dispatch, "expected_version": version}
        if verb == "approve":
            services.approve_dispatch(**common)
        elif verb == "reject":
            services.reject_dispatch(**common, reason=data["reason"])
        elif verb == "assign":
            services.assign_dispatch(**common, vehicle=data["vehicle"], driver=data["driver"])
        elif verb == "depart":
            services.depart_dispatch(**common, start_mileage=data["start_mileage"])
        elif verb == "return":
            services.return_dispatch(**common, end_mileage=data["end_mileage"])
        else:
            services.cancel_dispatch(**common, reason=data.get("reason", ""))

    def refused(self, dispatch: Dispatch, verb: str, form: forms.Form):
        dispatch.refresh_from_db()
        view = DispatchView()
        view.request = self.request
        context = {
            **view.base_context(),
            "object": dispatch,
            "attributes": DispatchView.attributes,
            "changes": [],
            **dispatch_context(self.request.user, dispatch, {verb: form}),
            "open_action": verb,
        }
        return render(self.request, DispatchView.template_name, context, status=400)


DONE = {
    "approve": "派车单 #{pk} 已批准，请派车。",
    "reject": "派车单 #{pk} 已驳回。",
    "assign": "派车单 #{pk} 已派车。",
    "depart": "派车单 #{pk} 已出车。",
    "return": "派车单 #{pk} 已还车，车辆里程已更新。",
    "cancel": "派车单 #{pk} 已取消。",
}


class DispatchBoardView(BaseObjectView):
    """The unit's dispatch board: its own unit, or ``?organization=`` for the bureau."""

    queryset = Dispatch.objects.all()
    template_name = "vehicles/dispatch_board.html"

    def get(self, request):
        user = request.user
        organizations = Organization.objects.restrict(user, "view")
        pk = request.GET.get("organization") or user.scope_organization_id
        organization = organizations.filter(pk=pk).first() if is_number(str(pk or "")) else None
        if organization is None:
            if user.scope_region_id:
                return HttpResponseRedirect(reverse("vehicles:dispatch_region_board"))
            raise Http404("没有找到该单位。")
        board = selectors.unit_board(user, organization)
        context = {**self.base_context(), "board": board, "organization": organization}
        return render(request, self.template_name, context)


class DispatchRegionBoardView(BaseObjectView):
    """The bureau's board over its region (any account reading dispatches in a region)."""

    queryset = Dispatch.objects.all()
    template_name = "vehicles/dispatch_region_board.html"

    def get(self, request):
        if not request.user.scope_region_id:
            return HttpResponseRedirect(reverse("vehicles:dispatch_board"))
        board = selectors.region_board(request.user)
        context = {**self.base_context(), "board": board, "region": request.user.scope_region}
        return render(request, self.template_name, context)


class RegisterVehicleView(BaseObjectView):
    """Register the car an approved purchase or renewal bought (a POST from the case page)."""

    queryset = Vehicle.objects.all()
    action = "add"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        case = Case.objects.restrict(request.user, "view").filter(pk=pk).first()
        if case is None:
            raise Http404("没有找到该审批事项。")
        form = RegisterForm(request.POST)
        if form.is_valid():
            try:
                vehicle = register_vehicle(actor=request.user, case=case, data=form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"车辆 {vehicle.plate} 已登记，进入公务用车台账。")
                return HttpResponseRedirect(vehicle.get_absolute_url())
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
        return HttpResponseRedirect(case.get_absolute_url() + "#register-vehicle")
