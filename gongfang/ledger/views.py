"""Ledger pages: upload and history, a batch's preview / progress / commit / revert, templates
and exports."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from ..framework.exports import Exporter, register_exporter
from ..framework.filtersets import applied_filters
from ..framework.forms import apply_errors
from . import services
from .exporter import (
    CSV_TYPE,
    XLSX_TYPE,
    export_ledger,
    export_sheet,
    write_errors,
    write_template,
)
from .forms import UploadForm
from .models import ImportBatch
from .progress import get_progress
from .specs import BY_KEY, SHEETS, sheet_for_model

EXPORT_FORMATS = (("xlsx", "Excel .xlsx"), ("csv", "CSV"))


def attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


class LedgerView(LoginRequiredMixin, View):
    action = "view"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_model_perm(
            ImportBatch, self.action
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_batch(self, pk: int) -> ImportBatch:
        try:
            return ImportBatch.objects.restrict(self.request.user, self.action).get(pk=pk)
        except ImportBatch.DoesNotExist:
            raise Http404("没有找到该导入批次。") from None


class IndexView(LedgerView):
    """Upload, templates, the whole-ledger export and the account's batches."""

    def get(self, request, form: UploadForm | None = None, status: int = 200):
        batches = ImportBatch.objects.restrict(request.user)
        page = Paginator(batches, 20).get_page(request.GET.get("page"))
        context = {
            "form": form or UploadForm(),
            "sheets": SHEETS,
            "page": page,
            "sync_max_rows": settings.LEDGER_IMPORT_SYNC_MAX_ROWS,
        }
        return render(request, "ledger/index.html", context, status=status)


class UploadView(IndexView):
    """The upload form posts here; a refused file shows the index page again with the error."""

    action = "add"
    http_method_names = ["post"]

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                batch = services.do_upload(
                    actor=request.user,
                    uploaded_file=form.cleaned_data["file"],
                    mode=form.cleaned_data["mode"],
                    sheet_key=form.cleaned_data["sheet"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect(batch)
        return self.get(request, form=form, status=400)


class BatchView(LedgerView):
    def get(self, request, pk: int):
        batch = self.get_batch(pk)
        result = batch.result or {}
        context = {
            "batch": batch,
            "counts": result.get("counts", {}),
            "errors": result.get("errors", []),
            "error_count": result.get("error_count", 0),
            "changes": result.get("changes", []),
            "notices": result.get("notices", []),
            "progress": get_progress(batch.uuid) if batch.running else None,
            "revert_conflicts": (
                services.revert_conflicts(batch)[:20]
                if batch.status == ImportBatch.Status.COMMITTED
                else []
            ),
        }
        return render(request, "ledger/batch.html", context)


class BatchProgressView(LedgerView):
    """The progress bar, polled by the batch page; a finished batch makes the page reload."""

    def get(self, request, pk: int):
        batch = self.get_batch(pk)
        if not batch.running:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        context = {"batch": batch, "progress": get_progress(batch.uuid)}
        return render(request, "ledger/htmx/progress.html", context)


class BatchCommitView(LedgerView):
    action = "add"

    def post(self, request, pk: int):
        batch = self.get_batch(pk)
        try:
            services.do_commit(actor=request.user, batch=batch)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            batch.refresh_from_db()
            if batch.status == ImportBatch.Status.COMMITTED:
                messages.success(
                    request,
                    f"已导入：新建 {batch.created_count} 条，更新 {batch.updated_count} 条。",
                )
            elif batch.status == ImportBatch.Status.INVALID:
                messages.error(request, batch.message)
        return redirect(batch)


class FailedBatchView(LedgerView):
    """Retry or discard a failed batch (its worker died, or its stage failed)."""

    action = "add"
    service: Callable[..., ImportBatch]

    def done(self, batch: ImportBatch) -> str:
        raise NotImplementedError

    def post(self, request, pk: int):
        batch = self.get_batch(pk)
        try:
            self.service(actor=request.user, batch=batch)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, self.done(batch))
        return redirect(batch)


class BatchRetryView(FailedBatchView):
    service = staticmethod(services.do_retry)

    def done(self, batch: ImportBatch) -> str:
        return f"已重新{batch.get_stage_display() or '检查'}批次“{batch.filename}”。"


class BatchDiscardView(FailedBatchView):
    service = staticmethod(services.do_discard)

    def done(self, batch: ImportBatch) -> str:
        return f"已放弃批次“{batch.filename}”，未写入任何数据。"


class BatchRevertView(LedgerView):
    action = "delete"

    def post(self, request, pk: int):
        batch = self.get_batch(pk)
        try:
            services.do_revert(actor=request.user, batch=batch)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "已撤销整批导入：新建的记录已删除，修改过的记录已恢复。")
        return redirect(batch)


class BatchErrorsView(LedgerView):
    """The batch's errors as a workbook (the page lists the first thousand too)."""

    def get(self, request, pk: int):
        batch = self.get_batch(pk)
        errors = (batch.result or {}).get("errors", [])
        return attachment(write_errors(errors), f"错误清单-{batch.pk}.xlsx", XLSX_TYPE)


class BatchFileView(LedgerView):
    """The file as uploaded (kept with the batch)."""

    def get(self, request, pk: int):
        batch = self.get_batch(pk)
        if not batch.file:
            raise Http404("文件已不存在。")
        return FileResponse(batch.file.open("rb"), as_attachment=True, filename=batch.filename)


class TemplateDownloadView(LoginRequiredMixin, View):
    """A blank template: one model's sheet, or the whole ledger (``key`` = "ledger")."""

    def get(self, request, key: str):
        if key == "ledger":
            sheets, name = list(SHEETS), "台账导入模板（全部）.xlsx"
        elif key in BY_KEY:
            sheets, name = [BY_KEY[key]], f"{BY_KEY[key].title}导入模板.xlsx"
        else:
            raise Http404("没有这种模板。")
        if not any(request.user.has_model_perm(s.model, "view") for s in sheets):
            raise PermissionDenied
        return attachment(write_template(sheets), name, XLSX_TYPE)


class LedgerExportView(LedgerView):
    """Every sheet of the ledger within the account's scope, in one workbook."""

    def get(self, request):
        content = export_ledger(actor=request.user)
        return attachment(content, f"台账-{stamp()}.xlsx", XLSX_TYPE)


def render_list_export(request, filterset, fmt: str) -> HttpResponse:
    """A list page's filtered rows in the importer's layout (registered for each sheet's model)."""
    sheet = sheet_for_model(filterset.queryset.model)
    content = export_sheet(
        actor=request.user,
        sheet=sheet,
        queryset=filterset.qs,
        fmt=fmt,
        filters=applied_filters(filterset),
    )
    content_type = XLSX_TYPE if fmt == "xlsx" else CSV_TYPE
    return attachment(content, f"{sheet.title}-{stamp()}.{fmt}", content_type)


def register_list_exports() -> None:
    for sheet in SHEETS:
        register_exporter(sheet.model, Exporter(EXPORT_FORMATS, render_list_export))
