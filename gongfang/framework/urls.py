"""Pages of the framework, mounted at the site's root: the audit log (审计管理员) under
``changelog/`` — list, one entry, CSV export, nothing that edits or deletes — and the holiday
calendar (节假日安排) under ``calendar/``."""

from django.urls import path

from .holidays import views as holidays
from .views.changelog import ObjectChangeExportView, ObjectChangeListView, ObjectChangeView
from .views.checkpoints import CheckpointListView

app_name = "framework"


def model_urls(prefix: str, name: str, listing, detail, edit, delete) -> list:
    """The five generic pages of one model."""
    return [
        path(f"{prefix}/", listing.as_view(), name=f"{name}_list"),
        path(f"{prefix}/add/", edit.as_view(), name=f"{name}_add"),
        path(f"{prefix}/<int:pk>/", detail.as_view(), name=name),
        path(f"{prefix}/<int:pk>/edit/", edit.as_view(), name=f"{name}_edit"),
        path(f"{prefix}/<int:pk>/delete/", delete.as_view(), name=f"{name}_delete"),
    ]


urlpatterns = [
    path("changelog/", ObjectChangeListView.as_view(), name="objectchange_list"),
    path("changelog/checkpoints/", CheckpointListView.as_view(), name="checkpoints"),
    path("changelog/export/", ObjectChangeExportView.as_view(), name="objectchange_export"),
    path("changelog/<int:pk>/", ObjectChangeView.as_view(), name="objectchange"),
    *model_urls(
        "calendar",
        "holidayyear",
        holidays.HolidayYearListView,
        holidays.HolidayYearView,
        holidays.HolidayYearEditView,
        holidays.HolidayYearDeleteView,
    ),
    path(
        "calendar/<int:pk>/announce/",
        holidays.HolidayYearAnnounceView.as_view(),
        name="holidayyear_announce",
    ),
    path(
        "calendar/<int:pk>/import/",
        holidays.HolidayYearImportView.as_view(),
        name="holidayyear_import",
    ),
    *model_urls(
        "calendar/days",
        "calendarday",
        holidays.CalendarDayListView,
        holidays.CalendarDayView,
        holidays.CalendarDayEditView,
        holidays.CalendarDayDeleteView,
    ),
]
