"""The 档案资料 menu group, the 档案资料 card on every subject's page, and the list export."""

from __future__ import annotations

from ..framework.exports import field_exporter, register_exporter
from ..framework.navigation import MENU, MenuGroup, MenuItem, register_menu

ARCHIVES_MENU = MenuGroup(
    "档案资料",
    items=(
        MenuItem("档案资料", "archives.Document", "archives:document_list"),
        MenuItem("全文检索", "archives.Document", "archives:search"),
        MenuItem("档案类别", "archives.DocumentCategory", "archives:documentcategory_list"),
    ),
)


def register() -> None:
    from ..framework.objectactions import register_object_panels
    from .models import Document

    if ARCHIVES_MENU not in MENU:
        register_menu(ARCHIVES_MENU)
    register_object_panels(documents_panel)
    register_exporter(
        Document,
        field_exporter(
            Document,
            "档案资料",
            (
                "title",
                "category",
                "subject_type",
                "subject_id",
                "revision",
                "is_current",
                "original_name",
                "content_type",
                "size",
                "sha256",
                "issued_on",
                "source",
                "uploaded_by",
                "uploaded_at",
                "region",
            ),
        ),
    )


def documents_panel(user, obj) -> list:
    """The 档案资料 card (framework.objectactions) on the page of every registered subject:
    current papers by category, their version count, and the upload form for who may write."""
    from django.contrib.contenttypes.models import ContentType

    from ..framework.objectactions import ObjectPanel
    from .forms import DocumentUploadForm
    from .models import Document
    from .selectors import documents_by_category
    from .subjects import can_write_subject, subject_spec

    if subject_spec(obj) is None or not user.has_model_perm(Document, "view"):
        return []
    floor_plans = _is_floor(obj)
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    upload_form = None
    if can_write_subject(user, obj, "add"):
        initial = {"subject_type": ct.pk, "subject_id": obj.pk}
        category = _default_category("floor_plan" if floor_plans else None)
        if category is not None:
            initial["category"] = category
        upload_form = DocumentUploadForm(user=user, subject_fixed=True, initial=initial)
    groups = documents_by_category(user, obj)
    if floor_plans:
        # A floor's plan first: it is what the floor page is looked up for.
        groups.sort(key=lambda group: group.category.code != "floor_plan")
    plan = next(
        (
            document
            for group in groups
            if group.category.code == "floor_plan"
            for document in group.documents
            if document.content_type.startswith("image/") and document.is_inline
        ),
        None,
    )
    return [
        ObjectPanel(
            template="archives/panel.html",
            context={
                "groups": groups,
                "upload_form": upload_form,
                "plan_preview": plan if floor_plans else None,
                "is_floor": floor_plans,
                "subject_type_id": ct.pk,
            },
            order=80,
        )
    ]


def _is_floor(obj) -> bool:
    return obj._meta.label == "registry.Floor"


def _default_category(code: str | None) -> int | None:
    if code is None:
        return None
    from .models import DocumentCategory

    return (
        DocumentCategory.objects.filter(code=code, active=True).values_list("pk", flat=True).first()
    )
