"""Pages of the schedule: ``scheduler:scheduledjob_list``, ``scheduler:scheduledjob``,
``scheduler:scheduledjob_edit``."""

from django.urls import path

from . import views

app_name = "scheduler"

urlpatterns = [
    path("", views.ScheduledJobListView.as_view(), name="scheduledjob_list"),
    path("<int:pk>/", views.ScheduledJobView.as_view(), name="scheduledjob"),
    path("<int:pk>/edit/", views.ScheduledJobEditView.as_view(), name="scheduledjob_edit"),
]
