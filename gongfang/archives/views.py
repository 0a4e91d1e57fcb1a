"""Pages of archives: documents (list, page with its versions, upload, edit, withdraw), the
scoped file download, and the categories (the bureau's data).

The file itself is served only by :class:`DocumentFileView`: the document is looked up through
``Document.objects.restrict(user, "view")`` (the subject's scope), so an id outside the scope —
or unknown, or forged — answers 404, and the stored name is never derived from anything a user
sent.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from ..framework.changelog import record_event
from ..framework.forms import apply_errors
from ..framework.views import ObjectDeleteView, ObjectEditView, ObjectListView, ObjectView
from ..framework.views.generic import BaseObjectView, safe_return_url
from . import filtersets, forms, selectors, services, tables
from .models import Document, DocumentCategory
from .subjects import can_see_subject, can_write_subject, subject_spec

logger = logging.getLogger(__name__)


# Documents -------------------------------------------------------------------------------------
class DocumentListView(ObjectListView):
    queryset = Document.objects.select_related(
        "category", "uploaded_by", "region", "subject_type"
    ).prefetch_related("subject")
    filterset = filtersets.DocumentFilterSet
    table = tables.DocumentTable
    filter_order = (
        "category",
        "subject_type",
        "uploader",
        "uploaded_after",
        "uploaded_before",
        "issued_after",
        "issued_before",
        "is_current",
        "region",
    )

    def get_extra_context(self) -> dict[str, Any]:
        # A paper is uploaded on its subject's page (the 档案资料 card), not from the list.
        return {"add_url": "", "can_add": False}


class DocumentView(ObjectView):
    queryset = Document.objects.select_related("category", "uploaded_by", "region")
    template_name = "archives/document.html"
    attributes = (
        "title",
        "category",
        "revision",
        "is_current",
        "original_name",
        "issued_on",
        "source",
        "uploaded_by",
        "uploaded_at",
        "region",
    )

    def get_extra_context(self, obj: Document) -> dict[str, Any]:
        user = self.request.user
        subject = services.subject_of(obj)
        writable = Document.objects.restrict(user, "change").filter(pk=obj.pk).exists()
        deletable = (
            obj.is_current and Document.objects.restrict(user, "delete").filter(pk=obj.pk).exists()
        )
        may_supersede = (
            obj.is_current and subject is not None and can_write_subject(user, subject, "add")
        )
        upload_form = None
        if may_supersede:
            upload_form = forms.DocumentUploadForm(
                user=user,
                subject_fixed=True,
                initial={
                    "subject_type": obj.subject_type_id,
                    "subject_id": obj.subject_id,
                    "supersedes": obj.pk,
                    "category": obj.category_id,
                    "title": obj.title,
                },
            )
        return {
            "can_change": writable,
            "can_delete": deletable,
            "subject": subject,
            "versions": selectors.versions_of(user, obj),
            "upload_form": upload_form,
            "size_label": tables.file_size(obj.size),
            "type_label": services.ALLOWED_TYPES.get(obj.content_type, obj.content_type),
        }


class DocumentEditView(ObjectEditView):
    queryset = Document.objects.all()
    form = forms.DocumentForm


class DocumentDeleteView(ObjectDeleteView):
    """Withdraw the current version (its predecessor becomes current again)."""

    queryset = Document.objects.all()

    def return_url(self, obj: Document) -> str:
        subject = services.subject_of(obj)
        if subject is not None and obj.supersedes_id is None:
            default = subject.get_absolute_url()
        elif obj.supersedes_id is not None:
            default = reverse("archives:document", args=[obj.supersedes_id])
        else:
            default = reverse("archives:document_list")
        url = safe_return_url(self.request, default)
        return default if url.split("?")[0].startswith(obj.get_absolute_url()) else url


class DocumentUploadView(BaseObjectView):
    """上传档案资料: a new paper on a subject, or (``supersedes``) a new version of one."""

    queryset = Document.objects.all()
    action = "add"
    template_name = "archives/document_upload.html"

    def render_form(self, form, status: int = 200):
        subject = getattr(form, "subject", None)
        default = (
            subject.get_absolute_url() if subject is not None else reverse("archives:document_list")
        )
        context = {
            **self.base_context(),
            "form": form,
            "subject": subject,
            "return_url": safe_return_url(self.request, default),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        initial = {
            name: request.GET[name]
            for name in ("subject_type", "subject_id", "supersedes", "category")
            if request.GET.get(name, "").isdecimal()
        }
        form = forms.DocumentUploadForm(
            user=request.user, initial=initial, subject_fixed="subject_id" in initial
        )
        form.subject = _visible_subject(request.user, initial)
        return self.render_form(form)

    def post(self, request):
        fixed = request.POST.get("subject_fixed") == "1"
        form = forms.DocumentUploadForm(
            request.POST, request.FILES, user=request.user, subject_fixed=fixed
        )
        form.subject = None
        if not form.is_valid():
            form.subject = _visible_subject(request.user, request.POST)
            return self.render_form(form)
        data = form.cleaned_data
        form.subject = subject = _visible_subject(request.user, data)
        if subject is None:
            form.add_error("subject_id", "对象不存在或超出您的管辖范围。")
            return self.render_form(form)
        supersedes = None
        if data.get("supersedes"):
            supersedes = (
                Document.objects.restrict(request.user, "view")
                .filter(pk=data["supersedes"])
                .first()
            )
            if supersedes is None:
                form.add_error(None, "所替换的资料不存在或超出您的管辖范围。")
                return self.render_form(form)
        try:
            document = services.add_document(
                user=request.user,
                subject=subject,
                category=data["category"],
                file=data["file"],
                title=data["title"],
                issued_on=data["issued_on"],
                source=data["source"],
                supersedes=supersedes,
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or "您没有为该对象上传档案资料的权限。")
            return self.render_form(form)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_form(form)
        verb = f"第 {document.revision} 版" if document.revision > 1 else "档案资料"
        messages.success(request, f"已上传{verb}“{document}”。")
        return HttpResponseRedirect(safe_return_url(request, subject.get_absolute_url()))


def _visible_subject(user, data) -> Any:
    """The subject named by ``subject_type`` / ``subject_id`` if ``user`` may see it."""
    from django.contrib.contenttypes.models import ContentType

    try:
        type_id, object_id = int(data.get("subject_type")), int(data.get("subject_id"))
        ct = ContentType.objects.get_for_id(type_id)
    except (TypeError, ValueError, ContentType.DoesNotExist):
        return None
    model = ct.model_class()
    if model is None or subject_spec(model) is None or not 0 < object_id < 2**63:
        return None
    subject = model._base_manager.filter(pk=object_id).first()
    if subject is None or not can_see_subject(user, subject):
        return None
    return subject


class DocumentFileView(LoginRequiredMixin, View):
    """The file of one document version, to whoever may see its subject; 404 to anyone else
    (also without the right on documents: the id says nothing)."""

    def get(self, request, pk: int):
        document = (
            Document.objects.restrict(request.user, "view").filter(pk=pk).first()
            if 0 < pk < 2**63
            else None
        )
        if document is None:
            raise Http404("没有找到该档案资料。")
        try:
            handle = document.file.open("rb")
        except (FileNotFoundError, SuspiciousFileOperation, ValueError):
            logger.error("archives: file of document %s missing or invalid", document.pk)
            raise Http404("该档案资料的文件已丢失，请联系管理员。") from None
        inline = document.is_inline and request.GET.get("download") != "1"
        response = FileResponse(
            handle,
            as_attachment=not inline,
            filename=document.original_name,
            content_type=document.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        response["Content-Security-Policy"] = (
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
        )
        record_event(
            actor=request.user,
            event="document.open",
            obj=document,
            data={"original_name": document.original_name},
        )
        return response


# Categories ------------------------------------------------------------------------------------
class DocumentCategoryListView(ObjectListView):
    queryset = DocumentCategory.objects.all()
    filterset = filtersets.DocumentCategoryFilterSet
    table = tables.DocumentCategoryTable


class DocumentCategoryView(ObjectView):
    queryset = DocumentCategory.objects.all()
    attributes = ("name", "order", "active")


class DocumentCategoryEditView(ObjectEditView):
    queryset = DocumentCategory.objects.all()
    form = forms.DocumentCategoryForm


class DocumentCategoryDeleteView(ObjectDeleteView):
    queryset = DocumentCategory.objects.all()
