"""Pages of review (``/review/…``)."""

from django.urls import path

from ..framework.routes import object_urls
from . import views as v

app_name = "review"

urlpatterns = [
    path("reviews/<int:pk>/run-checks/", v.RunChecksView.as_view(), name="review_run_checks"),
    path("reviews/<int:pk>/close/", v.CloseReviewView.as_view(), name="review_close"),
    path("reviews/<int:pk>/add-finding/", v.FindingAddView.as_view(), name="finding_add_on"),
    *object_urls(
        "reviews", "review", v.ReviewListView, v.ReviewView, v.ReviewEditView, v.ReviewDeleteView
    ),
    *object_urls(
        "cross",
        "assignment",
        v.AssignmentListView,
        v.AssignmentView,
        v.AssignmentEditView,
        v.AssignmentDeleteView,
    ),
    path("findings/", v.FindingListView.as_view(), name="finding_list"),
    path("findings/<int:pk>/", v.FindingView.as_view(), name="finding"),
    path("findings/<int:pk>/rectify/", v.FindingRectifyView.as_view(), name="finding_rectify"),
    path("findings/<int:pk>/recheck/", v.FindingRecheckView.as_view(), name="finding_recheck"),
    *object_urls("required-fields", "requiredfield", *v.RequiredFieldViews),
]
