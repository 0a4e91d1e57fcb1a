"""Pages of reporting: periods (progress board, aggregation, charts, evaluation), the fill page
of a submission (cells with their check results, sign, submit, decide), form versions, exports.

Views stay thin: reads through selectors and scoped querysets, every write through a service.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views import View

from ..framework import clock
from ..framework.pdf import pdf_response
from ..framework.text import is_number
from ..framework.versions import parse_version
from ..framework.views.generic import (
    ModelReadersMixin,
    ObjectDeleteView,
    ObjectEditView,
    ObjectListView,
    ObjectView,
)
from . import exports, filtersets, forms, selectors, services, tables
from .choices import EDITABLE_STATES, PeriodState, SubmissionState
from .models import (
    EvaluationIndicator,
    EvaluationScore,
    ReportField,
    ReportForm,
    ReportPeriod,
    Submission,
    SubmissionAction,
    ValidationRule,
)

STATE_COLORS = {
    SubmissionState.NOT_STARTED: "bg-secondary-lt",
    SubmissionState.FILLING: "bg-yellow-lt",
    SubmissionState.CHECKED: "bg-cyan-lt",
    SubmissionState.SIGNED: "bg-azure-lt",
    SubmissionState.SUBMITTED: "bg-blue-lt",
    SubmissionState.ACCEPTED: "bg-green-lt",
    SubmissionState.RETURNED: "bg-red-lt",
    SubmissionState.SUPERSEDED: "bg-secondary-lt",
}
# ECharts colours of the states on the period's chart.
CHART_COLORS = {
    SubmissionState.NOT_STARTED: "#9ba9be",
    SubmissionState.FILLING: "#f59f00",
    SubmissionState.CHECKED: "#17a2b8",
    SubmissionState.SIGNED: "#4299e1",
    SubmissionState.SUBMITTED: "#206bc4",
    SubmissionState.ACCEPTED: "#2fb344",
    SubmissionState.RETURNED: "#d63939",
}
XLSX = exports.XLSX_TYPE


def _errors(request, exc: Exception) -> None:
    for message in getattr(exc, "messages", None) or [str(exc)]:
        messages.error(request, message)


def _pk(value) -> int:
    if not is_number(str(value)):
        raise Http404("参数无效。")
    return int(value)


def _attachment(content: bytes, name: str, content_type: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "private, no-store"
    return response


# Periods ------------------------------------------------------------------------------------------
class PeriodListView(LoginRequiredMixin, View):
    """``reporting:reportperiod_list``: the periods the account opened or takes part in; a
    bureau opens a new one for its region here."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_model_perm(ReportPeriod, "view"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def _form(self, data=None):
        user = self.request.user
        region = getattr(user, "scope_region", None)
        if region is None or not user.has_role("bureau_admin"):
            return None
        today = clock.today()
        initial = {
            "year": today.year,
            "as_of": today.replace(month=12, day=31),
            "deadline": today.replace(month=12, day=31),
        }
        return forms.PeriodOpenForm(data, region=region, initial=initial)

    def get(self, request, form=None):
        periods = list(selectors.visible_periods(request.user))
        mine = {}
        for period in periods:
            own = selectors.own_submission(request.user, period)
            if own is not None:
                mine[period.pk] = own
        rows = [{"period": p, "own": mine.get(p.pk)} for p in periods]
        return render(
            request,
            "reporting/period_list.html",
            {"rows": rows, "open_form": form or self._form(), "colors": STATE_COLORS},
        )

    def post(self, request):
        form = self._form(request.POST)
        if form is None:
            raise PermissionDenied
        if not form.is_valid():
            return self.get(request, form)
        try:
            period = services.do_open_period(
                region=request.user.scope_region, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _errors(request, exc)
            return self.get(request, form)
        messages.success(request, f"已发起“{period}”，共 {period.submissions.count()} 个填报单位。")
        return HttpResponseRedirect(period.get_absolute_url())


def _period(request, pk) -> ReportPeriod:
    period = selectors.visible_periods(request.user).filter(pk=_pk(pk)).first()
    if period is None:
        raise Http404("没有找到该报送期。")
    return period


def period_charts(rows) -> tuple[dict, dict | None]:
    """Units by state (a ring) and, when several regions take part, accepted against all per
    region (bars)."""
    counts = selectors.state_counts(rows)
    pie = [
        {
            "name": SubmissionState(state).label,
            "value": n,
            "itemStyle": {"color": CHART_COLORS.get(state, "#999")},
        }
        for state, n in counts.items()
    ]
    ring = {
        "option": {
            "tooltip": {"trigger": "item"},
            "legend": {"bottom": 0, "type": "scroll"},
            "series": [
                {
                    "type": "pie",
                    "radius": ["35%", "65%"],
                    "center": ["50%", "45%"],
                    "data": pie,
                    "label": {"formatter": "{b} {c}"},
                }
            ],
        }
    }
    by_region: dict[str, list[int]] = {}
    for row in rows:
        entry = by_region.setdefault(row.region.name, [0, 0])
        entry[0] += 1
        entry[1] += row.state == SubmissionState.ACCEPTED
    if len(by_region) < 2:
        return ring, None
    names = list(by_region)[:30]
    bars = {
        "option": {
            "tooltip": {"trigger": "axis"},
            "legend": {"bottom": 0},
            "grid": {"left": 8, "right": 16, "top": 8, "bottom": 36, "containLabel": True},
            "xAxis": {"type": "value", "minInterval": 1},
            "yAxis": {"type": "category", "data": names, "inverse": True},
            "series": [
                {"type": "bar", "name": "填报单位", "data": [by_region[n][0] for n in names]},
                {
                    "type": "bar",
                    "name": "已接收",
                    "data": [by_region[n][1] for n in names],
                    "itemStyle": {"color": "#2fb344"},
                },
            ],
        }
    }
    return ring, bars


class PeriodView(LoginRequiredMixin, View):
    """``reporting:reportperiod``: the progress board (填报进度清单), the account's own
    aggregate with missing children and the registry check, the chart and the evaluation."""

    def get(self, request, pk):
        period = _period(request, pk)
        rows = selectors.progress(request.user, period)
        own = selectors.own_submission(request.user, period)
        # A bureau sees its direct children first (the units it accepts); all of them on asking.
        ring, bars = period_charts(rows)
        everyone = request.GET.get("all") == "1"
        can_narrow = own is not None and own.is_bureau
        if can_narrow and not everyone:
            rows = [r for r in rows if r.receiver_id == own.region_id or r.pk == own.pk]
        aggregate = selectors.aggregate(own) if own is not None and own.is_bureau else None
        state = request.GET.get("state", "")
        shown = [r for r in rows if r.state == state] if state in SubmissionState.values else rows
        scores = _scores(request.user, period)
        is_opener = services.is_bureau_of(request.user, period.region)
        return render(
            request,
            "reporting/period.html",
            {
                "period": period,
                "rows": shown,
                "all_count": len(rows),
                "counts": [
                    (s, SubmissionState(s).label, n)
                    for s, n in selectors.state_counts(rows).items()
                ],
                "state": state,
                "everyone": everyone,
                "can_narrow": can_narrow,
                "own": own,
                "aggregate": aggregate,
                "ring": ring,
                "bars": bars,
                "bars_height": 80 + 24 * min(30, len({r.region_id for r in rows})),
                "scores": scores,
                "is_opener": is_opener,
                "can_evaluate": services.covers(request.user, period.region)
                and request.user.has_role("bureau_admin"),
                "colors": STATE_COLORS,
            },
        )

    def post(self, request, pk):
        period = _period(request, pk)
        action = request.POST.get("action")
        try:
            if action == "remind" and services.covers(request.user, period.region):
                n = services.do_remind(period=period, actor=request.user)
                messages.success(request, f"已向未报送单位发送 {n} 条催报消息。")
            elif action == "evaluate":
                n = services.do_evaluate(period=period, actor=request.user)
                messages.success(request, f"已计算考评得分 {n} 项。")
            elif action == "close":
                services.do_close_period(
                    period=period, actor=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, "报送期已结束。")
            elif action == "reopen":
                services.do_reopen_period(
                    period=period, actor=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, "报送期已重新开启。")
            else:
                raise PermissionDenied
        except ValidationError as exc:
            _errors(request, exc)
        return HttpResponseRedirect(period.get_absolute_url())


def _scores(user, period: ReportPeriod) -> list[dict]:
    """Each visible unit's total and the indicators' points (the 考评台账)."""
    visible = Submission.objects.restrict(user, "view").filter(period=period)
    rows: dict[int, dict] = {}
    for score in (
        EvaluationScore.objects.filter(period=period, submission__in=visible)
        .select_related("submission__region", "submission__organization", "indicator")
        .order_by("submission__region__path", "indicator__order")
    ):
        row = rows.setdefault(
            score.submission_id, {"submission": score.submission, "total": 0, "items": []}
        )
        row["total"] += score.points
        row["items"].append(score)
    return sorted(rows.values(), key=lambda r: -r["total"])


# Submissions --------------------------------------------------------------------------------------
def _submission(request, pk) -> Submission:
    sub = (
        Submission.objects.restrict(request.user, "view")
        .select_related("period__form", "period__region", "region", "organization", "receiver")
        .filter(pk=_pk(pk))
        .first()
    )
    if sub is None:
        # The receiving bureau reads what reaches it even outside its own subtree? No: the
        # receiver is always the parent region, inside the bureau's scope.
        raise Http404("没有找到该报送。")
    return sub


def cell_rows(submission: Submission) -> list[dict]:
    """The unit's tables with each cell's value, registry value and check findings."""
    findings: dict[str, list[dict]] = {}
    for f in submission.check_results or []:
        for code in f.get("cells") or []:
            findings.setdefault(code, []).append(f)
    out = []
    for table in services.tables_for(submission.period.form, submission):
        cells = []
        for field in table.fields.all():
            found = findings.get(field.code, [])
            blocking = any(f["importance"] == "blocking" for f in found)
            value = submission.values.get(field.code, "")
            registry = submission.prefilled.get(field.code)
            cells.append(
                {
                    "field": field,
                    "value": "" if value is None else value,
                    "registry": registry,
                    "changed": registry is not None and str(registry) != str(value),
                    "findings": found,
                    "css": "gf-cell-error" if blocking else "gf-cell-warning" if found else "",
                    "tooltip": "；".join(f["message"] for f in found),
                }
            )
        out.append({"table": table, "cells": cells})
    return out


class SubmissionView(LoginRequiredMixin, View):
    """``reporting:submission``: the fill page."""

    def get(self, request, pk):
        sub = _submission(request, pk)
        user = request.user
        can_fill = services.may_fill(user, sub) and sub.is_current
        can_decide = services.may_decide(user, sub)
        editable = can_fill and sub.state in EDITABLE_STATES | {
            SubmissionState.CHECKED,
            SubmissionState.SIGNED,
        }
        children = (
            list(
                services.children(sub)
                .restrict(user, "view")
                .select_related("region", "organization")
                .order_by("region__path", "organization__path")
            )
            if sub.is_bureau
            else []
        )
        history = list(sub.actions.select_related("actor"))
        revisions = list(
            Submission.objects.filter(period=sub.period, unit_key=sub.unit_key)
            .exclude(pk=sub.pk)
            .order_by("-revision")
        )
        return render(
            request,
            "reporting/submission.html",
            {
                "sub": sub,
                "tables": cell_rows(sub),
                "can_fill": can_fill,
                "editable": editable,
                "can_decide": can_decide and sub.state == SubmissionState.SUBMITTED,
                # Imported from a system below: returned through exchange, whose return package
                # tells that system.
                "external_return": services.EXTERNAL_RETURN if sub.external else "",
                # A bureau's figures may go to a system above on another deployment (exchange).
                "can_package": can_fill
                and sub.is_bureau
                and sub.state in (SubmissionState.SIGNED, SubmissionState.SUBMITTED),
                "sign_form": forms.SignForm()
                if can_fill and sub.state == SubmissionState.CHECKED
                else None,
                "reason_form": forms.ReasonForm(),
                "import_form": forms.ImportForm() if editable else None,
                "children": children,
                "missing": [c for c in children if c.state != SubmissionState.ACCEPTED],
                "aggregate": selectors.aggregate(sub) if sub.is_bureau else None,
                "history": history,
                "receipts": [a for a in history if a.action in exports.RECEIPT_ACTIONS],
                "revisions": revisions,
                "blocking": [f for f in sub.check_results if f["importance"] == "blocking"],
                "warnings": [f for f in sub.check_results if f["importance"] != "blocking"],
                "colors": STATE_COLORS,
                "period_open": sub.period.state == PeriodState.OPEN,
            },
        )


class SubmissionActionView(ModelReadersMixin, View):
    """``reporting:submission_act`` (pk, action): one transition by its service."""

    reader_model = Submission

    def post(self, request, pk, action):
        sub = _submission(request, pk)
        user = request.user
        done = ""
        target = sub
        try:
            if action == "save":
                values = {k[5:]: v for k, v in request.POST.items() if k.startswith("cell_")}
                services.do_save(
                    submission=sub,
                    values=values,
                    actor=user,
                    expected_version=parse_version(request.POST.get("version")),
                    contact_name=request.POST.get("contact_name", ""),
                    contact_phone=request.POST.get("contact_phone", ""),
                )
                done = "已保存。"
                if request.POST.get("then") == "check":
                    target = services.do_check(submission=sub, actor=user)
                    done = _check_message(target)
            elif action == "prefill":
                services.do_prefill(submission=sub, actor=user)
                done = "已按统计时点的登记数据重新预填。"
            elif action == "check":
                target = services.do_check(submission=sub, actor=user)
                done = _check_message(target)
            elif action == "import":
                form = forms.ImportForm(request.POST, request.FILES)
                if not form.is_valid():
                    raise ValidationError("请选择要导入的 .xlsx 文件。")
                values = exports.read_workbook(sub, form.cleaned_data["file"].read())
                services.do_save(submission=sub, values=values, actor=user, action="import")
                done = f"已导入 {len(values)} 个指标，请校验。"
            elif action == "sign":
                form = forms.SignForm(request.POST, request.FILES)
                if not form.is_valid():
                    raise ValidationError([e for errs in form.errors.values() for e in errs])
                data = form.cleaned_data
                services.do_sign(
                    submission=sub,
                    actor=user,
                    password=data["password"],
                    otp=data["otp"],
                    signer_name=data["signer_name"],
                    signer_title=data["signer_title"],
                    scan=data["scan"].read(),
                )
                done = "已签批。"
            elif action == "submit":
                services.do_submit(submission=sub, actor=user)
                done = "已报送，可下载报送回执。"
            elif action == "withdraw":
                services.do_withdraw(
                    submission=sub, actor=user, reason=request.POST.get("reasons", "")
                )
                done = "已撤回。"
            elif action == "accept":
                services.do_accept(submission=sub, actor=user)
                done = f"已接收“{sub.unit_name}”的报送。"
            elif action == "return":
                services.do_return(
                    submission=sub, reasons=request.POST.get("reasons", ""), actor=user
                )
                done = f"已退回“{sub.unit_name}”的报送。"
            elif action == "correct":
                target = services.do_correct(
                    submission=sub, reason=request.POST.get("reasons", ""), actor=user
                )
                done = f"已建立第 {target.revision} 版更正，请修改后重新校验、签批、报送。"
            else:
                raise Http404("未知操作。")
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "您没有执行此操作的权限。")
        except ValidationError as exc:
            _errors(request, exc)
        else:
            if (
                target.check_results
                and action in ("check", "save")
                and target.state != SubmissionState.CHECKED
            ):
                messages.warning(request, done)
            else:
                messages.success(request, done)
        back = request.POST.get("next", "")
        if back.startswith("/reporting/") and "//" not in back:
            return HttpResponseRedirect(back)
        return HttpResponseRedirect(target.get_absolute_url())


def _check_message(sub: Submission) -> str:
    blocking = [f for f in sub.check_results if f["importance"] == "blocking"]
    warnings = len(sub.check_results) - len(blocking)
    if blocking:
        return f"校验未通过：{len(blocking)} 项必须更正，{warnings} 项提示核实（见标红单元格）。"
    return f"校验通过{f'（{warnings} 项提示核实）' if warnings else ''}，请由负责人签批。"


class SubmissionExportView(LoginRequiredMixin, View):
    """``reporting:submission_export`` (pk, fmt): the workbook (xlsx) or the PDF."""

    def get(self, request, pk, fmt):
        sub = _submission(request, pk)
        aggregate = selectors.aggregate(sub) if sub.is_bureau else None
        if fmt == "xlsx":
            return _attachment(
                exports.submission_workbook(sub, aggregate), exports.workbook_name(sub), XLSX
            )
        if fmt == "pdf":
            name = exports.workbook_name(sub).replace(".xlsx", ".pdf")
            return pdf_response(exports.submission_pdf(sub, aggregate), name)
        raise Http404("未知格式。")


class ReceiptView(LoginRequiredMixin, View):
    """``reporting:submission_receipt`` (pk, action pk): the receipt PDF."""

    def get(self, request, pk, action):
        sub = _submission(request, pk)
        entry = (
            SubmissionAction.objects.select_related("actor")
            .filter(submission=sub, pk=_pk(action), action__in=exports.RECEIPT_ACTIONS)
            .first()
        )
        if entry is None:
            raise Http404("该记录没有回执。")
        return pdf_response(exports.receipt_pdf(sub, entry), f"回执-{sub.pk}-{entry.pk}.pdf")


class ScanView(ModelReadersMixin, View):
    """``reporting:submission_scan``: the signed page's scan, for whoever sees the submission."""

    reader_model = Submission

    def get(self, request, pk):
        sub = _submission(request, pk)
        if not sub.signed_scan:
            raise Http404("没有签批扫描件。")
        name = sub.signed_scan.name.rsplit("/", 1)[-1]
        types = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg"}
        content_type = types.get(name[name.rfind(".") :], "application/octet-stream")
        with sub.signed_scan.open("rb") as handle:
            response = HttpResponse(handle.read(), content_type=content_type)
        response["Content-Disposition"] = f'inline; filename="{name}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


# Forms ---------------------------------------------------------------------------------------------
class ReportFormListView(ObjectListView):
    queryset = ReportForm.objects.select_related("region")
    filterset = filtersets.ReportFormFilterSet
    table = tables.ReportFormTable


class ReportFormView(LoginRequiredMixin, View):
    """``reporting:reportform``: a version's tables, fields and rules; copy; edit links."""

    def get(self, request, pk):
        form = ReportForm.objects.restrict(request.user).filter(pk=_pk(pk)).first()
        if form is None:
            raise Http404("没有找到该报表。")
        user = request.user
        region = getattr(user, "scope_region", None)
        return render(
            request,
            "reporting/form.html",
            {
                "form": form,
                "tables": form.tables.prefetch_related("fields"),
                "rules": form.rules.all(),
                "can_edit": services.may_edit_form(user, form),
                "can_copy": region is not None
                and region.level == "province"
                and user.has_role("bureau_admin"),
            },
        )

    def post(self, request, pk):
        form = ReportForm.objects.restrict(request.user).filter(pk=_pk(pk)).first()
        if form is None:
            raise Http404("没有找到该报表。")
        try:
            copy = services.do_copy_form(
                form=form, region=request.user.scope_region, actor=request.user
            )
        except (PermissionDenied, ValidationError, AttributeError) as exc:
            _errors(request, exc)
            return HttpResponseRedirect(form.get_absolute_url())
        messages.success(request, f"已复制为“{copy}”，可在此修改指标与校验规则。")
        return HttpResponseRedirect(copy.get_absolute_url())


class ReportFieldEditView(ObjectEditView):
    queryset = ReportField.objects.select_related("table__form")
    form = forms.ReportFieldForm


class ValidationRuleEditView(ObjectEditView):
    queryset = ValidationRule.objects.select_related("form")
    form = forms.ValidationRuleForm


class EvaluationIndicatorListView(ObjectListView):
    queryset = EvaluationIndicator.objects.all()
    filterset = filtersets.EvaluationIndicatorFilterSet
    table = tables.EvaluationIndicatorTable


class EvaluationIndicatorView(ObjectView):
    queryset = EvaluationIndicator.objects.all()
    attributes = ("code", "name", "kind", "points", "active", "order")


class EvaluationIndicatorEditView(ObjectEditView):
    queryset = EvaluationIndicator.objects.all()
    form = forms.EvaluationIndicatorForm


class EvaluationIndicatorDeleteView(ObjectDeleteView):
    queryset = EvaluationIndicator.objects.all()
