"""Pages of the approval engine (网上办理): the case list, a case's page with the viewer's
actions, the new-case wizard, the to-do list with batch signing, notifications and the bureau's
process definitions.

Reads come from ``selectors``, writes go through ``services`` (who may act is theirs to decide);
a case outside the account's reach answers 404 (``Case.objects.restrict``).
"""

from __future__ import annotations

import mimetypes
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views import View

from ..accounts.roles import Role
from ..framework import clock
from ..framework.forms import apply_errors
from ..framework.objectactions import ObjectAction
from ..framework.text import is_number
from ..framework.views import ObjectListView, ObjectView
from ..framework.views.generic import BaseObjectView
from . import selectors, services
from .choices import (
    EDITABLE_STATES,
    PENDING_STATES,
    Action,
    ActorRule,
    CaseKind,
    CaseState,
    TaskState,
)
from .filtersets import CaseFilterSet, NotificationFilterSet, ProcessDefinitionFilterSet
from .forms import (
    ApplicantForm,
    AttachmentForm,
    BatchSignForm,
    CommentForm,
    DecideForm,
    DefinitionForm,
    StepFormSet,
    kind_form,
    payload_rows,
    raw_data,
)
from .kinds import KINDS
from .models import Attachment, Case, Notification, ProcessDefinition, Task
from .tables import CaseTable, ProcessDefinitionTable, is_overdue
from .todo import render_todo_panels

# The query parameters that preset a new case (from a room's, building's, organization's or
# warning's page) and the kind form fields they fill.
PREFILL = {
    "room": ("room", "rooms"),
    "building": ("building", "buildings"),
    "organization": ("organization", "counterparty"),
    "warning": ("warning", "warnings"),
}

# Short descriptions of the kinds for the wizard's first step.
KIND_HELP = {
    CaseKind.ALLOCATION: "房间调配给其他单位使用，批准后使用单位变更。",
    CaseKind.VACATE: "单位腾退房间，批准后使用结束、房间转为闲置。",
    CaseKind.LEND: "房间出借给其他单位使用，须有期限和协议。",
    CaseKind.LEASE_IN: "租用外部房产办公的备案，面积计入单位核定面积。",
    CaseKind.LEASE_OUT: "房间对外出租，须有公开招租记录。",
    CaseKind.DISPOSAL: "出售、拆除、置换、划转或封存房产。",
    CaseKind.CHANGE_OF_USE: "变更房间的用途类别。",
    CaseKind.TITLE_FILING: "不动产权证登记或权属备案。",
    CaseKind.WARNING_WAIVER: "超标预警暂不整改或备案的审批。",
    CaseKind.CONSTRUCTION: "新建、购置或装修办公用房（从严控制）。",
    CaseKind.VEHICLE_PURCHASE: "新增公务用车：须在编制以内、不超过价格和排气量标准。",
    CaseKind.VEHICLE_RENEWAL: "达到使用年限或行驶里程的车辆更新，原车转为待处置。",
    CaseKind.VEHICLE_DISPOSAL: "公务用车拍卖、报废或调拨给其他单位。",
}


class CaseMixin:
    """Cases are created by the wizard and changed by the case's actions, never by the generic
    edit and delete pages."""

    def base_context(self) -> dict[str, Any]:
        user = self.request.user
        can_add = user.has_model_perm(Case, "add")
        return {
            "model": Case,
            "verbose_name": Case._meta.verbose_name,
            "app_verbose_name": "网上办理",
            "list_url": reverse("workflow:case_list"),
            "add_url": reverse("workflow:case_add") if can_add else "",
            "can_add": can_add,
            "can_change": False,
            "can_delete": False,
        }


class CaseListView(CaseMixin, ObjectListView):
    queryset = Case.objects.select_related("applicant", "counterparty", "region")
    filterset = CaseFilterSet
    table = CaseTable
    template_name = "workflow/case_list.html"
    filter_order = (
        "kind",
        "state",
        "pending",
        "overdue",
        "unit",
        "applicant",
        "counterparty",
        "region",
        "submitted_after",
        "submitted_before",
    )


def case_page_context(user, case: Case, *, decide_form=None, open_dialog: str = "") -> dict:
    """Everything a case's page shows, for its viewer."""
    actions = selectors.viewer_actions(user, case)
    decisions = [a for a in actions if a in (Action.APPROVE, Action.RETURN, Action.REJECT)]
    needs_signature = bool(decisions) and selectors.needs_signature(user, case)
    if decisions and decide_form is None:
        decide_form = DecideForm(
            decisions=decisions, needs_signature=needs_signature, initial={"decision": decisions[0]}
        )
    problems: list[str] = []
    preview = []
    if case.state == CaseState.APPLIED:
        # What the effects changed, as recorded when they were applied (the data has moved on).
        preview = (
            list((case.result or {}).get("changes") or []) if isinstance(case.result, dict) else []
        )
    elif case.state not in (CaseState.REJECTED, CaseState.WITHDRAWN):
        try:
            preview = selectors.preview(case)
        except ValidationError as exc:
            problems += exc.messages
        try:
            problems += selectors.problems(case)
        except ValidationError as exc:
            problems += exc.messages
    history = list(
        case.actions.select_related("actor", "signature__signer").prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))
        )
    )
    tasks = list(
        case.tasks.select_related("step", "organization", "region", "done_by").order_by(
            "step__order", "pk"
        )
    )
    steps = list(case.definition.steps.all())
    subjects = []
    for subject in case.subjects.all():
        target = subject.target
        url = ""
        if (
            target is not None
            and hasattr(target, "get_absolute_url")
            and user.has_model_perm(type(target), "view")
        ):
            url = target.get_absolute_url()
        name = target._meta.verbose_name if target is not None else "对象"
        subjects.append({"kind": name, "label": subject.label or str(target), "url": url})
    return {
        "object": case,
        "viewer_actions": actions,
        "decide_form": decide_form,
        "needs_signature": needs_signature,
        "withdraw_form": CommentForm() if "withdraw" in actions else None,
        "attach_form": AttachmentForm() if "attach" in actions else None,
        "payload": payload_rows(case),
        "preview": preview,
        "problems": problems,
        "history": history,
        "attachments": list(case.attachments.select_related("uploaded_by")),
        "tasks": tasks,
        "steps": steps,
        "subjects": subjects,
        "overdue": is_overdue(case),
        "pending": case.state in PENDING_STATES,
        "today": clock.today(),
        "receipt_actions": RECEIPT_ACTIONS,
        "open_dialog": open_dialog,
        "has_receipts": _has_receipts(),
    }


# History entries that have a receipt (回执): submissions and decisions.
RECEIPT_ACTIONS = (Action.SUBMIT, Action.RESUBMIT, Action.APPROVE, Action.RETURN, Action.REJECT)


def _has_receipts() -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse("workflow:case_receipt", args=[1, 1])
    except NoReverseMatch:
        return False
    return True


class CaseView(CaseMixin, ObjectView):
    queryset = Case.objects.select_related(
        "applicant", "counterparty", "region", "definition", "definition__region", "created_by"
    )
    template_name = "workflow/case.html"

    def get_extra_context(self, obj: Case) -> dict[str, Any]:
        return case_page_context(self.request.user, obj)


class CaseActionMixin(CaseMixin, BaseObjectView):
    """A POST on one case the account can see; the service decides whether it may."""

    queryset = CaseView.queryset
    http_method_names = ["post"]

    def expected_version(self) -> int | None:
        try:
            return int(self.request.POST.get("version", ""))
        except ValueError:
            return None

    def refused(self, case: Case, exc: ValidationError):
        for message in exc.messages:
            messages.error(self.request, message)
        return HttpResponseRedirect(case.get_absolute_url())


class CaseSubmitView(CaseActionMixin):
    def post(self, request, pk: int):
        case = self.get_object(pk)
        try:
            case = services.submit_case(
                actor=request.user, case=case, expected_version=self.expected_version()
            )
        except ValidationError as exc:
            return self.refused(case, exc)
        messages.success(request, f"已提交审批，文号：{case.number}。")
        return HttpResponseRedirect(case.get_absolute_url())


class CaseWithdrawView(CaseActionMixin):
    def post(self, request, pk: int):
        case = self.get_object(pk)
        form = CommentForm(request.POST)
        form.is_valid()
        try:
            services.withdraw_case(
                actor=request.user, case=case, comment=form.cleaned_data.get("comment", "")
            )
        except ValidationError as exc:
            return self.refused(case, exc)
        messages.success(request, f"已撤回：{case}。")
        return HttpResponseRedirect(case.get_absolute_url())


class CaseDecideView(CaseActionMixin):
    """The decide dialog's target; a refusal shows the case page with the dialog open."""

    def post(self, request, pk: int):
        case = self.get_object(pk)
        actions = selectors.viewer_actions(request.user, case)
        decisions = [a for a in actions if a in (Action.APPROVE, Action.RETURN, Action.REJECT)]
        if not decisions:
            messages.error(request, "您对该事项没有待办理的审批环节（可能已由他人办理）。")
            return HttpResponseRedirect(case.get_absolute_url())
        form = DecideForm(
            request.POST,
            request.FILES,
            decisions=decisions,
            needs_signature=selectors.needs_signature(request.user, case),
        )
        if form.is_valid():
            try:
                case = services.decide(
                    actor=request.user,
                    case=case,
                    expected_version=self.expected_version(),
                    **form.service_kwargs(),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                label = dict(Action.choices)[form.cleaned_data["decision"]]
                messages.success(
                    request, f"已办理（{label}）：{case}。当前状态：{case.get_state_display()}。"
                )
                return HttpResponseRedirect(safe_next(request, case.get_absolute_url()))
        case.refresh_from_db()
        context = {
            **self.base_context(),
            **case_page_context(request.user, case, decide_form=form, open_dialog="decide"),
        }
        return render(request, CaseView.template_name, context, status=200)


def safe_next(request, default: str) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    url = request.POST.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return default


class CaseAttachView(CaseActionMixin):
    def post(self, request, pk: int):
        case = self.get_object(pk)
        form = AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, f"附件：{message}")
            return HttpResponseRedirect(case.get_absolute_url())
        try:
            attachment = services.add_attachment(
                actor=request.user, case=case, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            return self.refused(case, exc)
        messages.success(request, f"已上传附件“{attachment.name}”。")
        return HttpResponseRedirect(case.get_absolute_url() + "#attachments")


class AttachmentDownloadView(CaseMixin, BaseObjectView):
    """A case's file, for those who may see the case (never a public media URL)."""

    queryset = Case.objects.all()

    def get(self, request, pk: int, attachment: int):
        case = self.get_object(pk)
        try:
            item = case.attachments.get(pk=attachment)
        except (Attachment.DoesNotExist, ValueError):
            raise Http404("没有找到该附件。") from None
        content_type = mimetypes.guess_type(item.name)[0] or "application/octet-stream"
        response = FileResponse(
            item.file.open("rb"), as_attachment=True, filename=item.name, content_type=content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


# New case and edit ----------------------------------------------------------------------------
def available_kinds() -> list[dict[str, str]]:
    return [
        {"kind": value, "label": label, "help": KIND_HELP.get(value, "")}
        for value, label in CaseKind.choices
        if value in KINDS
    ]


class CaseAddView(CaseMixin, BaseObjectView):
    """Step 1 of the wizard: choose the kind (the page's query, e.g. ?room=12, goes along)."""

    queryset = Case.objects.all()
    action = "add"

    def get(self, request):
        query = {k: v for k, v in request.GET.items() if k in PREFILL and v}
        kind = request.GET.get("kind")
        if kind and kind in KINDS:
            url = reverse("workflow:case_create", args=[kind])
            return HttpResponseRedirect(f"{url}?{urlencode(query)}" if query else url)
        kinds = available_kinds()
        suffix = f"?{urlencode(query)}" if query else ""
        for item in kinds:
            item["url"] = reverse("workflow:case_create", args=[item["kind"]]) + suffix
        fitting = [k for k in kinds if kind_fits(k["kind"], query)]
        context = {
            **self.base_context(),
            "kinds": fitting,
            "other_kinds": [k for k in kinds if k not in fitting],
            "prefill": prefill_labels(request),
        }
        return render(request, "workflow/case_add.html", context)


def kind_fits(kind: str, query: dict[str, str]) -> bool:
    """Whether the kind's form takes what the wizard was started from (a room's page offers the
    kinds about rooms first; an organization only presets the applicant, so every kind fits)."""
    keys = [key for key in query if key != "organization"]
    if not keys:
        return True
    fields = KINDS.get(kind).form_class().base_fields
    for key in keys:
        if any(name in fields for name in PREFILL[key]):
            return True
        if key == "building" and "rooms" in fields:  # a whole building: its rooms
            return True
    return False


def prefill_labels(request) -> list[str]:
    """What the wizard was started from, for the page's reminder."""
    from ..compliance.models import Warning
    from ..registry.models import Building, Organization, Room

    models = {"room": Room, "building": Building, "organization": Organization, "warning": Warning}
    labels = []
    for key, model in models.items():
        value = request.GET.get(key, "")
        if is_number(value):
            obj = model.objects.restrict(request.user, "view").filter(pk=value).first()
            if obj is not None:
                labels.append(f"{model._meta.verbose_name}：{obj}")
    return labels


def prefill_initial(request, form) -> tuple[dict[str, Any], Any]:
    """Initial values of the kind's form and the applicant from ``?room=`` and the like."""
    from ..registry.models import Building, Organization, Room

    initial: dict[str, Any] = {}
    applicant = None
    for key, names in PREFILL.items():
        value = request.GET.get(key, "")
        if not is_number(value):
            continue
        for name in names:
            field = form.fields.get(name)
            if field is None:
                continue
            many = hasattr(field, "widget") and getattr(
                field.widget, "allow_multiple_selected", False
            )
            initial[name] = [value] if many else value
            break
        if key == "room":
            room = Room.objects.restrict(request.user, "view").filter(pk=value).first()
            applicant = applicant or (room.organization if room is not None else None)
        elif key == "building":
            building = (
                Building.objects.restrict(request.user, "view")
                .select_related("compound__owner_org")
                .filter(pk=value)
                .first()
            )
            if building is not None:
                applicant = applicant or building.compound.owner_org
                if "building" not in form.fields and "rooms" in form.fields:
                    # A whole building: every room of it the account sees.
                    initial["rooms"] = [
                        str(pk)
                        for pk in Room.objects.restrict(request.user, "view")
                        .filter(floor__building=building)
                        .values_list("pk", flat=True)
                    ]
        elif key == "warning":
            from ..compliance.models import Warning

            warning = (
                Warning.objects.restrict(request.user, "view")
                .select_related("organization", "room__floor__building__compound__owner_org")
                .filter(pk=value)
                .first()
            )
            if warning is not None:
                holder = warning.organization
                if holder is None and warning.room_id:
                    holder = warning.room.floor.building.compound.owner_org
                applicant = applicant or holder
        elif key == "organization":
            org = Organization.objects.restrict(request.user, "view").filter(pk=value).first()
            applicant = org or applicant
    if applicant is None and request.user.scope_organization_id:
        applicant = request.user.scope_organization
    return initial, applicant


class CaseCreateView(CaseMixin, BaseObjectView):
    """Step 2: the kind's form and the applicant; saved as a draft (or submitted at once)."""

    queryset = Case.objects.all()
    action = "add"
    template_name = "workflow/case_edit.html"

    def dispatch(self, request, *args, **kwargs):
        kind = kwargs.get("kind", "")
        user = request.user
        if user.is_authenticated and user.has_model_perm(Case, "add") and kind not in KINDS:
            messages.error(request, "该审批事项类型尚未开通，请从下列类型中选择。")
            return HttpResponseRedirect(reverse("workflow:case_add"))
        return super().dispatch(request, *args, **kwargs)

    def kind(self, kind: str) -> str:
        return kind

    def render_form(self, kind, meta, form, status=200):
        context = {
            **self.base_context(),
            "kind": kind,
            "kind_label": CaseKind(kind).label,
            "meta_form": meta,
            "form": form,
            "is_new": True,
            "prefill": prefill_labels(self.request),
            "return_url": reverse("workflow:case_add"),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, kind: str):
        kind = self.kind(kind)
        form = kind_form(kind, user=request.user)
        initial, applicant = prefill_initial(request, form)
        form = kind_form(kind, initial=initial, user=request.user, applicant=applicant)
        meta = ApplicantForm(user=request.user, initial={"applicant": applicant})
        return self.render_form(kind, meta, form)

    def post(self, request, kind: str):
        kind = self.kind(kind)
        meta = ApplicantForm(request.POST, user=request.user)
        applicant = meta.cleaned_data["applicant"] if meta.is_valid() else None
        form = kind_form(kind, request.POST, request.FILES, user=request.user, applicant=applicant)
        if applicant is not None and form.is_valid():
            try:
                case = services.create_case(
                    actor=request.user,
                    kind=kind,
                    applicant=meta.cleaned_data["applicant"],
                    data=raw_data(form, request.POST, request.FILES),
                )
                if "submit" in request.POST:
                    case = services.submit_case(actor=request.user, case=case)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if case.number:
                    messages.success(request, f"已提交审批，文号：{case.number}。")
                else:
                    messages.success(request, f"已保存草稿：{case}。核对无误后请提交审批。")
                return HttpResponseRedirect(case.get_absolute_url())
        return self.render_form(kind, meta, form)


class CaseEditView(CaseMixin, BaseObjectView):
    """Edit a draft or a returned case's payload (the applicant side)."""

    queryset = CaseView.queryset
    action = "change"
    template_name = "workflow/case_edit.html"

    def get_case(self, pk) -> Case:
        case = self.get_object(pk)
        if "edit" not in selectors.viewer_actions(self.request.user, case):
            raise PermissionDenied("该事项当前不能修改（仅草稿和已退回修改的事项可以修改）。")
        return case

    def render_form(self, case, form, status=200):
        context = {
            **self.base_context(),
            "object": case,
            "kind": case.kind,
            "kind_label": case.get_kind_display(),
            "form": form,
            "is_new": False,
            "return_url": case.get_absolute_url(),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk: int):
        case = self.get_case(pk)
        form = kind_form(
            case.kind,
            initial=case.payload,
            user=request.user,
            applicant=case.applicant,
            case=case,
        )
        return self.render_form(case, form)

    def post(self, request, pk: int):
        case = self.get_case(pk)
        form = kind_form(
            case.kind,
            request.POST,
            request.FILES,
            user=request.user,
            applicant=case.applicant,
            case=case,
        )
        if not form.is_valid():
            return self.render_form(case, form)
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        try:
            case = services.update_case(
                actor=request.user,
                case=case,
                data=raw_data(form, request.POST, request.FILES),
                expected_version=version,
            )
            if "submit" in request.POST:
                case = services.submit_case(actor=request.user, case=case)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if "submit" in request.POST:
                messages.success(request, f"已提交审批，文号：{case.number}。")
            else:
                messages.success(request, f"已保存：{case}。")
            return HttpResponseRedirect(case.get_absolute_url())
        return self.render_form(case, form)


# To-do and batch signing ----------------------------------------------------------------------
class CaseReaderMixin(LoginRequiredMixin):
    """Pages of the engine that are not one model's: for accounts that may read cases (the
    three administrators may not), whatever the method."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_model_perm(Case, "view"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


TODO_PAGE_SIZE = 50


def render_todo(request, form=None):
    """The to-do page (with ``form``'s errors after a refused batch signing), a page of 50
    tasks at a time: a bureau may have thousands open."""
    user = request.user
    page = Paginator(selectors.todo_for(user), TODO_PAGE_SIZE).get_page(request.GET.get("page"))
    tasks = list(page.object_list)
    open_count, overdue_count = selectors.todo_counts(user)
    signable, batch_signature = selectors.todo_signing(user)
    done = list(
        Task.objects.for_user(user)
        .filter(state=TaskState.DONE)
        .select_related("case", "case__applicant", "step", "done_by")
        .order_by("-done_at")[:20]
    )
    today = clock.today()
    for task in tasks:
        task.overdue = task.due_on < today
        task.signable = Action.APPROVE in (task.step.actions or [])
    if form is None:
        form = BatchSignForm(cases=todo_cases(user), needs_signature=batch_signature)
    # The applicant side's own work: drafts to submit and cases returned for correction.
    editable = []
    if user.has_model_perm(Case, "add"):
        editable = list(
            Case.objects.restrict(user, "change")
            .filter(state__in=EDITABLE_STATES)
            .select_related("applicant")
            .order_by("-state", "-updated_at")[:20]
        )
    context = {
        "tasks": tasks,
        "page": page,
        "open_count": open_count,
        "done": done,
        "editable": editable,
        "form": form,
        "signable": signable,
        "batch_signature": batch_signature,
        "overdue_count": overdue_count,
        "can_apply": user.has_model_perm(Case, "add"),
        "extra_panels": render_todo_panels(request),
    }
    return render(request, "workflow/todo.html", context)


def todo_cases(user):
    return Case.objects.filter(
        pk__in=selectors.todo_for(user).values("case_id"), state__in=PENDING_STATES
    )


class TodoView(CaseReaderMixin, View):
    """待办: the open tasks waiting for the account, overdue first (red); check boxes and one
    password + 动态口令 sign several at once."""

    def get(self, request):
        return render_todo(request)


class BatchSignView(CaseReaderMixin, View):
    """Approve the checked cases with one identity confirmation (each case on its own: one
    refused does not stop the others)."""

    http_method_names = ["post"]

    def post(self, request):
        form = BatchSignForm(
            request.POST,
            cases=todo_cases(request.user),
            needs_signature=selectors.todo_signing(request.user)[1],
        )
        if not form.is_valid():
            return render_todo(request, form)
        cases = list(form.cleaned_data["cases"].order_by("pk"))
        try:
            results = services.decide_many(
                actor=request.user,
                cases=cases,
                decision=Action.APPROVE,
                comment=form.cleaned_data.get("comment", ""),
                password=form.cleaned_data.get("password", ""),
                otp=form.cleaned_data.get("otp", ""),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return render_todo(request, form)
        signed = [case for case, error in results if error is None]
        if signed:
            verb = "签批" if "password" in form.fields else "同意"
            messages.success(
                request, f"已{verb} {len(signed)} 件：" + "、".join(str(c) for c in signed) + "。"
            )
        for case, error in results:
            if error:
                messages.error(request, f"{case}：{error}")
        return HttpResponseRedirect(reverse("workflow:todo"))


# Notifications --------------------------------------------------------------------------------
class NotificationListView(CaseReaderMixin, View):
    template_name = "workflow/notifications.html"

    def get(self, request):
        rows = Notification.objects.filter(user=request.user).select_related("case")
        filterset = NotificationFilterSet(request.GET, queryset=rows, request=request)
        rows = filterset.qs if filterset.is_valid() else rows.none()
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        context = {
            "page": page,
            "unread": request.GET.get("unread") == "true",
            "unread_total": selectors.unread_count(request.user),
        }
        return render(request, self.template_name, context)


class NotificationReadView(CaseReaderMixin, View):
    """Mark the chosen notifications (or all) read."""

    http_method_names = ["post"]

    def post(self, request):
        ids = [int(i) for i in request.POST.getlist("ids") if is_number(i)]
        services.mark_read(user=request.user, ids=ids or None)
        messages.success(request, "已标记为已读。")
        return HttpResponseRedirect(reverse("workflow:notification_list"))


class NotificationOpenView(CaseReaderMixin, View):
    """Open a notification's link, marking it read."""

    def get(self, request, pk: int):
        try:
            item = Notification.objects.get(pk=pk, user=request.user)
        except Notification.DoesNotExist:
            raise Http404("没有找到该消息。") from None
        if item.read_at is None:
            services.mark_read(user=request.user, ids=[item.pk])
        url = item.url or (item.case.get_absolute_url() if item.case_id else "")
        if not url.startswith("/"):
            url = reverse("workflow:notification_list")
        return HttpResponseRedirect(url)


# Process definitions --------------------------------------------------------------------------
class DefinitionMixin:
    def base_context(self) -> dict[str, Any]:
        return {
            "model": ProcessDefinition,
            "verbose_name": ProcessDefinition._meta.verbose_name,
            "app_verbose_name": "网上办理",
            "list_url": reverse("workflow:processdefinition_list"),
            "add_url": "",
            "can_add": False,
            "can_change": False,
            "can_delete": False,
        }


class DefinitionListView(DefinitionMixin, ObjectListView):
    queryset = ProcessDefinition.objects.select_related("region")
    filterset = ProcessDefinitionFilterSet
    table = ProcessDefinitionTable
    filter_order = ("kind", "is_active", "national", "region")


def can_revise(user) -> bool:
    return user.has_role(Role.BUREAU_ADMIN) and bool(user.scope_region_id)


class DefinitionView(DefinitionMixin, ObjectView):
    queryset = ProcessDefinition.objects.select_related("region")
    template_name = "workflow/processdefinition.html"

    def get_extra_context(self, obj: ProcessDefinition) -> dict[str, Any]:
        revisions = (
            ProcessDefinition.objects.restrict(self.request.user, "view")
            .filter(kind=obj.kind, region=obj.region)
            .order_by("-revision")
        )
        steps = list(obj.steps.all())
        rules, decisions = dict(ActorRule.choices), dict(Action.choices)
        for step in steps:
            step.actor_labels = [rules.get(a, a) for a in step.actors or ()]
            step.action_labels = [decisions.get(a, a) for a in step.actions or ()]
        return {
            "steps": steps,
            "revisions": list(revisions),
            "can_revise": can_revise(self.request.user) and obj.is_active,
            "case_count": obj.cases.count(),
        }


class DefinitionReviseView(DefinitionMixin, LoginRequiredMixin, View):
    """修订: a new revision (the bureau's region's own when the definition is a national or an
    upper region's one, which the bureau only reads); running cases keep theirs. Any definition
    the bureau reads may be the start; the service decides where the revision applies."""

    template_name = "workflow/processdefinition_revise.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_revise(request.user):
            raise PermissionDenied("只有区划范围的机关事务管理员可以修订审批流程。")
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, pk) -> ProcessDefinition:
        found = (
            ProcessDefinition.objects.restrict(self.request.user, "view")
            .select_related("region")
            .filter(pk=pk, is_active=True)
            .first()
        )
        if found is None:
            raise Http404("没有找到该审批流程（或它已被新修订取代）。")
        return found

    def render_form(self, definition, form, steps, status=200):
        context = {
            **self.base_context(),
            "object": definition,
            "form": form,
            "steps": steps,
            "region": self.request.user.scope_region,
            "return_url": definition.get_absolute_url(),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk: int):
        definition = self.get_object(pk)
        # A revision takes effect from today unless the bureau dates it otherwise; the old
        # revision's date (often years back) is never what is meant.
        form = DefinitionForm(instance=definition, initial={"effective_from": clock.today()})
        initial = [
            {
                "name": s.name,
                "actors": s.actors,
                "actions": s.actions,
                "time_limit_days": s.time_limit_days,
                "needs_signature": s.needs_signature,
            }
            for s in definition.steps.all()
        ]
        steps = StepFormSet(initial=initial, prefix="steps")
        return self.render_form(definition, form, steps)

    def post(self, request, pk: int):
        definition = self.get_object(pk)
        form = DefinitionForm(request.POST, instance=ProcessDefinition(kind=definition.kind))
        steps = StepFormSet(request.POST, prefix="steps")
        if form.is_valid() and steps.is_valid():
            try:
                revised = services.revise_definition(
                    actor=request.user,
                    definition=definition,
                    data=form.service_data(),
                    steps=steps.steps(),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, f"已修订审批流程：{revised}。进行中的事项仍按原流程办理。"
                )
                return HttpResponseRedirect(revised.get_absolute_url())
        return self.render_form(definition, form, steps)


# Hooks into lower apps' pages -----------------------------------------------------------------
def new_case_actions(user, obj) -> list[ObjectAction]:
    """ "新建审批事项" on a room's, building's, organization's and open warning's page (registry
    and compliance know nothing of the engine: framework.objectactions)."""
    from ..compliance.models import Warning
    from ..registry.models import Building, Organization, Room

    if not user.has_model_perm(Case, "add") or not KINDS.specs:
        return []
    if isinstance(obj, Warning):
        # A warning still asking for action: the case that settles it (a loan or change of use
        # approved after the fact, a waiver, a vacate …), its room and applicant preset.
        if not obj.is_active:
            return []
        query = {"warning": obj.pk, **({"room": obj.room_id} if obj.room_id else {})}
        url = f"{reverse('workflow:case_add')}?{urlencode(query)}"
        return [ObjectAction("新建审批事项", url, "plus")]
    keys = {Room: "room", Building: "building", Organization: "organization"}
    key = keys.get(type(obj))
    if key is None:
        return []
    url = f"{reverse('workflow:case_add')}?{urlencode({key: obj.pk})}"
    return [ObjectAction("新建审批事项", url, "plus")]


def related_case_actions(user, obj) -> list[ObjectAction]:
    """ "审批事项（N）" on a room's, building's, warning's and organization's page when cases
    the viewer may see touch it (as a subject; an organization: as the applicant), linking to
    the case list filtered by it."""
    from ..compliance.models import Warning
    from ..registry.models import Building, Organization, Room

    lookups = {
        Room: ("room", "subjects__room"),
        Building: ("building", "subjects__building"),
        Warning: ("warning", "subjects__warning"),
        Organization: ("applicant", "applicant"),
    }
    found = lookups.get(type(obj))
    if found is None or not user.has_model_perm(Case, "view"):
        return []
    key, lookup = found
    count = Case.objects.restrict(user, "view").filter(**{lookup: obj.pk}).distinct().count()
    if not count:
        return []
    url = f"{reverse('workflow:case_list')}?{urlencode({key: obj.pk})}"
    return [ObjectAction(f"审批事项（{count}）", url, "checklist")]


def leader_landing(user) -> str | None:
    """An account that is only a leader opens on its to-do list."""
    roles = set(getattr(user, "roles", None) or ())
    if getattr(user, "is_authenticated", False) and roles == {Role.LEADER}:
        return reverse("workflow:todo")
    return None
