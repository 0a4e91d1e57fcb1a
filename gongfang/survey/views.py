"""Pages of survey: the generic pages of batches, drawings and items; the batch page with its
floors, reconciliation, confirmation and signatures; the drawing page (layers, units, problems);
and one POST per step, each through ``survey.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect

from ..accounts.roles import Role
from ..framework.forms import apply_errors
from ..framework.text import is_number
from ..framework.versions import parse_version
from ..framework.views import ObjectDeleteView, ObjectEditView, ObjectListView, ObjectView
from ..framework.views.generic import BaseObjectView
from ..registry.models import Floor
from . import filtersets, forms, selectors, services, tables
from .models import BatchState, Decision, Party, SurveyBatch, SurveyDrawing, SurveyItem


# Batches ----------------------------------------------------------------------------------------
class SurveyBatchListView(ObjectListView):
    queryset = SurveyBatch.objects.select_related("region")
    filterset = filtersets.SurveyBatchFilterSet
    table = tables.SurveyBatchTable
    filter_order = ("state", "region")
    template_name = "survey/surveybatch_list.html"

    def get_extra_context(self) -> dict[str, Any]:
        # What waits for the account, above the list (a surveyor has no 我的待办 page).
        return {"survey_rows": selectors.waiting_for(self.request.user)}


class SurveyBatchEditView(ObjectEditView):
    queryset = SurveyBatch.objects.all()
    form = forms.SurveyBatchForm

    def dispatch(self, request, *args, **kwargs):
        # The plan is the bureau's: a surveyor changes its batches only through their steps.
        if request.user.is_authenticated and not request.user.has_role(Role.BUREAU_ADMIN):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class SurveyBatchDeleteView(ObjectDeleteView):
    queryset = SurveyBatch.objects.all()


class SurveyBatchView(ObjectView):
    queryset = SurveyBatch.objects.select_related("region")
    template_name = "survey/surveybatch.html"
    attributes = (
        "name",
        "region",
        "company",
        "drawings_by",
        "responsible",
        "responsible_phone",
        "planned_start",
        "planned_end",
        "state",
        "tolerance_source",
        "submitted_at",
        "applied_at",
        "reverted_at",
        "note",
    )

    def get_extra_context(self, obj: SurveyBatch) -> dict[str, Any]:
        return batch_context(self.request.user, obj)


def batch_context(user, batch: SurveyBatch, bound: dict | None = None) -> dict[str, Any]:
    bound = bound or {}
    roles = services.roles_of(user, batch)
    parties = {r.party for r in roles}
    items = selectors.visible_items(user, batch)
    surveyor = Party.SURVEYOR in parties
    editable = batch.state in services.EDITABLE_STATES
    floors = selectors.floor_rows(batch)
    decide_roles = []
    if batch.state in (BatchState.CONFIRMING, BatchState.SIGNING):
        for role in roles:
            mine = services.party_items(user, batch, role.party)
            pending = mine.exclude(**{f"{role.party}_decision": Decision.CONFIRMED}).count()
            decide_roles.append(
                {
                    "role": role,
                    "pending": pending,
                    "can_confirm": batch.state == BatchState.CONFIRMING and pending > 0,
                }
            )
    signatures_due = services.pending_signatures(user, batch)
    return {
        "can_change": batch.state in services.EDITABLE_STATES
        and user.has_model_perm(SurveyBatch, "change")
        and services.is_bureau_of(user, batch),
        "can_delete": batch.state == BatchState.SURVEYING and services.is_bureau_of(user, batch),
        "roles": roles,
        "floors": floors,
        "items": list(items.order_by("floor__building__name", "-floor__number", "number", "id")),
        "summary": selectors.item_summary(items),
        "surveyor": surveyor,
        "editable": editable,
        "upload_form": bound.get("upload")
        or (
            forms.UploadForm(floors=[r.floor for r in floors], prefix="upload")
            if surveyor and editable
            else None
        ),
        "can_submit": surveyor and editable and bool(floors),
        "decide_roles": decide_roles,
        "decide_error": bound.get("decide_error", ""),
        "sign_parties": sorted({p for p, _ in signatures_due}),
        "sign_form": bound.get("sign") or forms.SignForm(prefix="sign"),
        "signatures": list(batch.signatures.select_related("organization", "signer")),
        "required_signatures": services.required_signatures(batch)
        if batch.state in (BatchState.SIGNING, BatchState.APPLIED)
        else [],
        "confirmations": list(
            batch.confirmations.select_related("organization", "actor").order_by("-at")[:30]
        ),
        "can_revert": batch.state == BatchState.APPLIED and services.is_bureau_of(user, batch),
        "revert_conflicts": services.revert_conflicts(batch)
        if batch.state == BatchState.APPLIED
        else [],
        "open_action": bound.get("open", ""),
    }


class BatchActionView(BaseObjectView):
    """POST one step on a batch: upload, submit, decide, sign, revert. A refusal comes back
    as messages on the batch's page (the form's fields keep their errors there)."""

    queryset = SurveyBatch.objects.select_related("region")
    action = "view"
    http_method_names = ["post"]
    VERBS = ("upload", "submit", "decide", "sign", "revert")

    def post(self, request, pk: int, verb: str):
        batch = self.get_object(pk)
        if verb not in self.VERBS:
            raise Http404("没有这项操作。")
        version = parse_version(request.POST.get("version"))
        try:
            done = getattr(self, verb)(batch, version)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "您没有办理该操作的权限。")
        except ValidationError as exc:
            for message in _messages(exc):
                messages.error(request, message)
        else:
            if done:
                messages.success(request, done)
        return HttpResponseRedirect(batch.get_absolute_url() + ANCHORS.get(verb, ""))

    def upload(self, batch: SurveyBatch, version: int | None) -> str:
        floors = [r.floor for r in selectors.floor_rows(batch)]
        form = forms.UploadForm(
            self.request.POST, self.request.FILES, floors=floors, prefix="upload"
        )
        if not form.is_valid():
            raise ValidationError(_form_messages(form))
        floor = next(f for f in floors if f.pk == form.cleaned_data["floor"])
        drawing = services.upload_drawing(
            actor=self.request.user,
            batch=batch,
            floor=floor,
            file=form.cleaned_data["file"],
            units=form.cleaned_data.get("units"),
            expected_version=version,
        )
        if not drawing.usable:
            messages.warning(
                self.request,
                f"图纸“{drawing.filename}”有 {drawing.error_count} 个错误，不能使用；请查看问题清单。",
            )
            return ""
        return f"已上传 {floor} 的图纸，识别出 {drawing.room_count} 个房间并与台账核对。"

    def submit(self, batch: SurveyBatch, version: int | None) -> str:
        services.submit(actor=self.request.user, batch=batch, expected_version=version)
        return "已提交三方确认：请使用单位、测绘单位和机关事务管理局逐间确认。"

    def decide(self, batch: SurveyBatch, version: int | None) -> str:
        ids = [i for i in self.request.POST.getlist("items") if is_number(i)]
        form = forms.DecideForm(self.request.POST, item_choices=ids)
        if not form.is_valid():
            raise ValidationError(_form_messages(form))
        data = form.cleaned_data
        chosen = list(SurveyItem.objects.filter(batch=batch, pk__in=ids)) if ids else None
        if data["decision"] == Decision.DISPUTED and not chosen:
            raise ValidationError("请先勾选有异议的房间。")
        if self.request.POST.get("scope") == "selected" and not chosen:
            raise ValidationError("请先勾选要确认的房间。")
        batch = services.decide(
            actor=self.request.user,
            batch=batch,
            party=data["party"],
            decision=data["decision"],
            items=chosen,
            reason=data["reason"],
            expected_version=version,
        )
        if data["decision"] == Decision.DISPUTED:
            return "已提出异议，批次退回测绘单位修改。"
        if batch.state == BatchState.SIGNING:
            return "已确认。三方均已确认全部房间，请各方负责人签字。"
        return "已确认。"

    def sign(self, batch: SurveyBatch, version: int | None) -> str:
        form = forms.SignForm(self.request.POST, prefix="sign")
        if not form.is_valid():
            raise ValidationError(_form_messages(form))
        batch = services.sign(
            actor=self.request.user,
            batch=batch,
            party=form.cleaned_data["party"],
            password=form.cleaned_data["password"],
            otp=form.cleaned_data["otp"],
            expected_version=version,
        )
        if batch.state == BatchState.APPLIED:
            return "已签字。三方均已签字，测绘成果已入账：房间面积与平面图形已更新。"
        return "已签字。"

    def revert(self, batch: SurveyBatch, version: int | None) -> str:
        services.revert(actor=self.request.user, batch=batch, expected_version=version)
        return "已撤销本批次的入账，房间恢复为入账前的面积和图形。"


ANCHORS = {
    "upload": "#floors",
    "submit": "#floors",
    "decide": "#items",
    "sign": "#signatures",
    "revert": "#signatures",
}


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for errors in exc.message_dict.values() for m in errors]
    return list(exc.messages)


def _form_messages(form) -> list[str]:
    out = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        out += [f"{label}：{e}" if label else e for e in errors]
    return out


class SampleDrawingView(BaseObjectView):
    """A generated DXF/IFC of one of the batch's floors, with the registered rooms (for trying
    the import; 样例图纸)."""

    queryset = SurveyBatch.objects.all()

    def get(self, request, pk: int, floor: int, fmt: str):
        from .drawings import samples

        batch = self.get_object(pk)
        found = Floor.objects.filter(pk=floor, building__in=batch.buildings.all()).first()
        if found is None or fmt not in ("dxf", "ifc"):
            raise Http404("没有找到该楼层。")
        rooms = [
            (r.number, r.name or r.number, float(r.usable_area))
            for r in found.rooms.order_by("number")
        ]
        if not rooms:
            raise Http404("该楼层没有登记房间，无法生成样例图纸。")
        if fmt == "dxf":
            data = samples.office_floor_dxf(rooms)
        else:
            data = samples.office_building_ifc([rooms])
        name = f"floor-{found.pk}.{fmt}"
        response = HttpResponse(data, content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


# Drawings ---------------------------------------------------------------------------------------
class SurveyDrawingListView(ObjectListView):
    queryset = SurveyDrawing.objects.select_related("batch", "floor__building")
    filterset = filtersets.SurveyDrawingFilterSet
    table = tables.SurveyDrawingTable


class SurveyDrawingView(ObjectView):
    queryset = SurveyDrawing.objects.select_related("batch", "floor__building", "document")
    template_name = "survey/surveydrawing.html"
    attributes = (
        "batch",
        "floor",
        "filename",
        "format",
        "units",
        "room_count",
        "error_count",
        "warning_count",
        "uploaded_by",
        "uploaded_at",
    )

    def get_extra_context(self, obj: SurveyDrawing) -> dict[str, Any]:
        return drawing_context(self.request.user, obj)


def drawing_context(user, drawing: SurveyDrawing, form=None) -> dict[str, Any]:
    result = drawing.result or {}
    editable = drawing.batch.state in services.EDITABLE_STATES and services.is_surveyor_of(
        user, drawing.batch
    )
    initial = {
        "units": drawing.units,
        "outline_layers": drawing.outline_layers,
        "label_layers": drawing.label_layers,
        "storey": drawing.storey,
    }
    roles = {layer["name"]: layer.get("role") for layer in result.get("layers", [])}
    return {
        "can_change": False,
        "can_delete": False,
        "layers": result.get("layers", []),
        "layer_roles": roles,
        "problems": result.get("problems", []),
        "rooms": result.get("rooms", []),
        "units_source": result.get("units_source", ""),
        "layers_form": form
        or (forms.LayersForm(drawing=drawing, initial=initial) if editable else None),
        "items": list(drawing.items.select_related("room").order_by("number", "id")),
    }


class DrawingConfigureView(BaseObjectView):
    queryset = SurveyDrawing.objects.select_related("batch", "floor")
    http_method_names = ["post"]

    def post(self, request, pk: int):
        drawing = self.get_object(pk)
        form = forms.LayersForm(request.POST, drawing=drawing)
        if form.is_valid():
            data = form.cleaned_data
            try:
                drawing = services.configure_drawing(
                    actor=request.user,
                    drawing=drawing,
                    units=data.get("units"),
                    outline_layers=data.get("outline_layers") or [],
                    label_layers=data.get("label_layers") or [],
                    storey=data.get("storey") or "",
                )
            except PermissionDenied as exc:
                messages.error(request, str(exc))
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                state = "可以使用" if drawing.usable else "仍有错误，不能使用"
                messages.success(
                    request, f"已按所选图层重新识别：{drawing.room_count} 个房间，{state}。"
                )
                return HttpResponseRedirect(drawing.get_absolute_url())
        for message in _form_messages(form):
            messages.error(request, message)
        return HttpResponseRedirect(drawing.get_absolute_url())


# Items ------------------------------------------------------------------------------------------
class SurveyItemListView(ObjectListView):
    queryset = SurveyItem.objects.select_related("batch", "floor__building", "organization")
    filterset = filtersets.SurveyItemFilterSet
    table = tables.SurveyItemTable
    filter_order = ("batch", "kind", "beyond_tolerance", "disputed", "organization")


class SurveyItemView(ObjectView):
    queryset = SurveyItem.objects.select_related("batch", "floor__building", "organization", "room")
    template_name = "survey/surveyitem.html"
    attributes = (
        "batch",
        "floor",
        "kind",
        "room",
        "number",
        "name",
        "organization",
        "registered_area",
        "drawn_area",
        "stated_area",
        "difference",
        "ratio",
        "beyond_tolerance",
        "matched_by",
        "occupants",
        "use",
        "unit_decision",
        "surveyor_decision",
        "bureau_decision",
        "dispute_reason",
    )

    def get_extra_context(self, obj: SurveyItem) -> dict[str, Any]:
        return {"can_change": False, "can_delete": False}
