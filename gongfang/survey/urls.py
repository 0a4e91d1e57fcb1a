"""Pages of survey (``/survey/…``): batches, drawings, items, and the steps of a batch."""

from __future__ import annotations

from django.urls import path

from ..framework.routes import object_urls
from . import views as v

app_name = "survey"

urlpatterns = [
    *object_urls(
        "batches",
        "surveybatch",
        v.SurveyBatchListView,
        v.SurveyBatchView,
        v.SurveyBatchEditView,
        v.SurveyBatchDeleteView,
    ),
    path("batches/<int:pk>/do/<str:verb>/", v.BatchActionView.as_view(), name="batch_action"),
    path(
        "batches/<int:pk>/sample/<int:floor>.<str:fmt>",
        v.SampleDrawingView.as_view(),
        name="sample_drawing",
    ),
    path("drawings/", v.SurveyDrawingListView.as_view(), name="surveydrawing_list"),
    path("drawings/<int:pk>/", v.SurveyDrawingView.as_view(), name="surveydrawing"),
    path(
        "drawings/<int:pk>/layers/", v.DrawingConfigureView.as_view(), name="surveydrawing_layers"
    ),
    path("items/", v.SurveyItemListView.as_view(), name="surveyitem_list"),
    path("items/<int:pk>/", v.SurveyItemView.as_view(), name="surveyitem"),
]
