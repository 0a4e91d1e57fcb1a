"""Reads of documents, always through the subject's scope (``Document.objects.restrict``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet

from .models import Document, DocumentCategory


def documents_for(user, subject: Model) -> QuerySet[Document]:
    """The current version of every paper on ``subject`` that ``user`` may see."""
    return (
        Document.objects.restrict(user, "view")
        .of(subject)
        .current()
        .select_related("category", "uploaded_by")
        .order_by("category__order", "category__pk", "-issued_on", "-uploaded_at", "-pk")
    )


@dataclass
class CategoryGroup:
    category: DocumentCategory
    documents: list[Document]


def documents_by_category(user, subject: Model) -> list[CategoryGroup]:
    """The panel's groups: current papers by category, in the categories' order."""
    groups: dict[int, CategoryGroup] = {}
    for document in documents_for(user, subject):
        group = groups.setdefault(
            document.category_id, CategoryGroup(category=document.category, documents=[])
        )
        group.documents.append(document)
    return list(groups.values())


def versions_of(user, document: Document) -> QuerySet[Document]:
    """Every version of ``document``'s paper the user may see, newest first."""
    root = document.series_root_id
    return (
        Document.objects.restrict(user, "view")
        .filter(Q(pk=root) | Q(first_id=root))
        .select_related("uploaded_by", "category")
        .order_by("-revision")
    )


def current_floor_plan(user, floor: Model) -> Document | None:
    """The newest current floor plan (category 平面图) of ``floor`` the user may see."""
    return (
        documents_for(user, floor)
        .filter(category__code="floor_plan")
        .order_by("-uploaded_at", "-pk")
        .first()
    )


def active_categories() -> QuerySet[DocumentCategory]:
    return DocumentCategory.objects.filter(active=True).order_by("order", "pk")
