"""Pages of the standards: ``standards:<model>_list``, ``standards:<model>``, ``_add``, ``_edit``,
``_delete`` for versions and each kind of row, and ``standards:effective`` (适用标准查询)."""

from __future__ import annotations

from django.urls import path

from . import views
from .models import Clause, GradeEquivalence, OfficeLimit, RuleParameter, ServiceAllowance

app_name = "standards"


def model_urls(prefix: str, name: str, pages: dict[str, type]) -> list:
    """The five pages of one model from its views (``<Model>ListView`` …)."""
    listing, detail, edit, delete = (pages[f"{name}{s}"] for s in ("ListView", "View",
                                                                    "EditView", "DeleteView"))  # fmt: skip
    url = name.lower()
    return [
        path(f"{prefix}/", listing.as_view(), name=f"{url}_list"),
        path(f"{prefix}/add/", edit.as_view(), name=f"{url}_add"),
        path(f"{prefix}/<int:pk>/", detail.as_view(), name=url),
        path(f"{prefix}/<int:pk>/edit/", edit.as_view(), name=f"{url}_edit"),
        path(f"{prefix}/<int:pk>/delete/", delete.as_view(), name=f"{url}_delete"),
    ]


VERSION_PAGES = {
    "StandardVersionListView": views.StandardVersionListView,
    "StandardVersionView": views.StandardVersionView,
    "StandardVersionEditView": views.StandardVersionEditView,
    "StandardVersionDeleteView": views.StandardVersionDeleteView,
}

urlpatterns = [
    path("effective/", views.EffectiveView.as_view(), name="effective"),
    path(
        "versions/<int:pk>/recheck/",
        views.StandardVersionRecheckView.as_view(),
        name="standardversion_recheck",
    ),
    *model_urls("versions", "StandardVersion", VERSION_PAGES),
    *model_urls("office-limits", "OfficeLimit", views.ROW_PAGES[OfficeLimit]),
    *model_urls("grade-equivalences", "GradeEquivalence", views.ROW_PAGES[GradeEquivalence]),
    *model_urls("service-allowances", "ServiceAllowance", views.ROW_PAGES[ServiceAllowance]),
    *model_urls("parameters", "RuleParameter", views.ROW_PAGES[RuleParameter]),
    *model_urls("clauses", "Clause", views.ROW_PAGES[Clause]),
]
