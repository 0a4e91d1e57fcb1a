"""Pages of the framework, mounted at the site's root: the audit log (审计管理员) under
``changelog/`` — list, one entry, CSV export, nothing that edits or deletes — and the holiday
calendar (节假日安排) under ``calendar/``."""

from django.urls import path

from .holidays import views as holidays
from .routes import object_urls
from .views.changelog import ObjectChangeExportView, ObjectChangeListView, ObjectChangeView
from .views.checkpoints import CheckpointListView

app_name = "framework"


urlpatterns = [
    path("changelog/", ObjectChangeListView.as_view(), name="objectchange_list"),
    path("changelog/checkpoints/", CheckpointListView.as_view(), name="checkpoints"),
    path("changelog/export/", ObjectChangeExportView.as_view(), name="objectchange_export"),
    path("changelog/<int:pk>/", ObjectChangeView.as_view(), name="objectchange"),
    *object_urls(
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
    *object_urls(
        "calendar/days",
        "calendarday",
        holidays.CalendarDayListView,
        holidays.CalendarDayView,
        holidays.CalendarDayEditView,
        holidays.CalendarDayDeleteView,
    ),
]
