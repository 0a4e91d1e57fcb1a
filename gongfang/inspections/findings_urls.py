"""Pages of findings, rectifications, re-checks, urges, referrals and reports (included by
``inspections/urls.py``)."""

from __future__ import annotations

from django.urls import path

from . import findings_views as v

urlpatterns = [
    path("findings/", v.FindingListView.as_view(), name="finding_list"),
    path("findings/add/", v.FindingAddView.as_view(), name="finding_add"),
    path("findings/onsite/", v.FindingOnsiteView.as_view(), name="finding_onsite"),
    path("findings/<int:pk>/", v.FindingView.as_view(), name="finding"),
    path("findings/<int:pk>/respond/", v.FindingRespondView.as_view(), name="finding_respond"),
    path("findings/<int:pk>/recheck/", v.FindingRecheckView.as_view(), name="finding_recheck"),
    path("findings/<int:pk>/urge/", v.FindingUrgeView.as_view(), name="finding_urge"),
    path("findings/<int:pk>/evidence/", v.FindingEvidenceView.as_view(), name="finding_evidence"),
    path("rectifications/", v.RectificationListView.as_view(), name="rectification_list"),
    path("rectifications/<int:pk>/", v.RectificationView.as_view(), name="rectification"),
    path("rechecks/", v.RecheckListView.as_view(), name="recheck_list"),
    path("rechecks/<int:pk>/", v.RecheckView.as_view(), name="recheck"),
    path("urges/", v.UrgeListView.as_view(), name="urge_list"),
    path("urges/<int:pk>/", v.UrgeView.as_view(), name="urge"),
    path("urges/warning/<int:pk>/", v.WarningUrgeView.as_view(), name="urge_warning"),
    path("referrals/", v.ReferralListView.as_view(), name="referral_list"),
    path("referrals/add/", v.ReferralAddView.as_view(), name="referral_add"),
    path("referrals/<int:pk>/", v.ReferralView.as_view(), name="referral"),
    path("referrals/<int:pk>/outcome/", v.ReferralOutcomeView.as_view(), name="referral_outcome"),
    path("reports/plan/<int:pk>/pdf/", v.PlanReportPDFView.as_view(), name="plan_report_pdf"),
    path(
        "reports/inspection/<int:pk>/pdf/",
        v.InspectionReportPDFView.as_view(),
        name="inspection_report_pdf",
    ),
]
