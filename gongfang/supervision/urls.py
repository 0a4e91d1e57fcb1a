"""Pages of supervision (``/supervision/…``)."""

from __future__ import annotations

from django.urls import path

from . import views as v

app_name = "supervision"

urlpatterns = [
    path("", v.OverviewView.as_view(), name="overview"),
    path("map/", v.FleetMapView.as_view(), name="fleet_map"),
    path("vehicles/<int:pk>/day/", v.PlaybackView.as_view(), name="playback"),
    path("anomalies/", v.AnomalyListView.as_view(), name="anomaly_list"),
    path("anomalies/<int:pk>/", v.AnomalyView.as_view(), name="anomaly"),
    path("anomalies/<int:pk>/<str:to>/", v.AnomalyMoveView.as_view(), name="anomaly_move"),
    path("rules/", v.RuleVersionListView.as_view(), name="ruleversion_list"),
    path("rules/<int:pk>/", v.RuleVersionView.as_view(), name="ruleversion"),
    path("rules/<int:pk>/revise/", v.RuleReviseView.as_view(), name="ruleversion_revise"),
    path("areas/", v.RegionAreaListView.as_view(), name="regionarea_list"),
    path("areas/add/", v.RegionAreaEditView.as_view(), name="regionarea_add"),
    path("areas/<int:pk>/", v.RegionAreaView.as_view(), name="regionarea"),
    path("areas/<int:pk>/edit/", v.RegionAreaEditView.as_view(), name="regionarea_edit"),
    path("areas/<int:pk>/delete/", v.RegionAreaDeleteView.as_view(), name="regionarea_delete"),
    path("notes/", v.ScanNoteListView.as_view(), name="scannote_list"),
]
