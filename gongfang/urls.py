"""URL map: pages per app, the REST API under /api/, its schema and offline Swagger UI."""

from django.urls import include, path

urlpatterns = [
    path("", include("gongfang.registry.urls")),
    path("accounts/manage/", include("gongfang.accounts.urls_manage")),
    path("accounts/", include("gongfang.accounts.urls")),
    path("standards/", include("gongfang.standards.urls")),
    path("warnings/", include("gongfang.compliance.urls")),
    path("changelog/", include("gongfang.framework.urls")),
    path("ledger/", include("gongfang.ledger.urls")),
    path("schedule/", include("gongfang.scheduler.urls")),
    path("api/", include("gongfang.api_urls")),
]
