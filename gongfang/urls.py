"""URL map: pages per app, the REST API under /api/, its schema and offline Swagger UI; error
answers in Chinese (HTML pages, JSON under /api/)."""

from django.urls import include, path

handler400 = "gongfang.framework.views.errors.bad_request"
handler403 = "gongfang.framework.views.errors.permission_denied"
handler404 = "gongfang.framework.views.errors.page_not_found"
handler500 = "gongfang.framework.views.errors.server_error"

urlpatterns = [
    path("", include("gongfang.registry.urls")),
    path("accounts/manage/", include("gongfang.accounts.urls_manage")),
    path("accounts/", include("gongfang.accounts.urls")),
    path("standards/", include("gongfang.standards.urls")),
    path("warnings/", include("gongfang.compliance.urls")),
    path("", include("gongfang.framework.urls")),  # changelog/, calendar/
    path("ledger/", include("gongfang.ledger.urls")),
    path("schedule/", include("gongfang.scheduler.urls")),
    path("titles/", include("gongfang.titles.urls")),
    path("verify/", include("gongfang.titles.urls_verify")),
    path("cases/", include("gongfang.workflow.urls")),
    path("case-records/", include("gongfang.cases.urls")),
    path("archives/", include("gongfang.archives.urls")),
    path("maintenance/", include("gongfang.maintenance.urls")),
    path("survey/", include("gongfang.survey.urls")),
    path("review/", include("gongfang.review.urls")),
    path("reporting/", include("gongfang.reporting.urls")),
    path("exchange/", include("gongfang.exchange.urls")),
    path("inspections/", include("gongfang.inspections.urls")),
    path("vehicles/", include("gongfang.vehicles.urls")),
    path("terminals/", include("gongfang.terminals.urls")),
    path("supervision/", include("gongfang.supervision.urls")),
    path("api/", include("gongfang.api_urls")),
]
