"""The REST API (``/api/``, namespace ``api``): each app's router under its own namespace.

``/api/<app>/<plural>/`` and ``/api/<app>/<plural>/<id>/`` are named
``api:<app>:<model_name>-list`` / ``-detail``; ``/api/`` lists them, ``/api/schema/`` is the
OpenAPI description, ``/api/docs/`` its Swagger UI (served from our static files), and
``/api/token/`` exchanges a username and password for a token.
"""

from django.contrib.auth.decorators import login_required
from django.urls import include, path

from .accounts import manage_api as accounts_api
from .archives.api import urls as archives_api
from .cases.api import urls as cases_api
from .compliance.api import urls as compliance_api
from .exchange.api import urls as exchange_api
from .framework.api import urls as framework_api
from .framework.api.routers import APIRootView
from .framework.api.views import DocsView, SchemaView, TokenView
from .inspections.api import urls as inspections_api
from .ledger import api as ledger_api
from .maintenance.api import urls as maintenance_api
from .registry.api import urls as registry_api
from .reporting.api import urls as reporting_api
from .review.api import urls as review_api
from .scheduler import api as scheduler_api
from .standards.api import urls as standards_api
from .supervision.api import urls as supervision_api
from .survey.api import urls as survey_api
from .terminals.api import urls as terminals_api
from .titles.api import urls as titles_api
from .vehicles.api import urls as vehicles_api
from .workflow.api import urls as workflow_api

app_name = "api"

# namespace -> the app's router; the root view lists their endpoints.
APP_ROUTERS = {
    "registry": registry_api.router,
    "standards": standards_api.router,
    "compliance": compliance_api.router,
    "ledger": ledger_api.router,
    "framework": framework_api.router,
    "accounts": accounts_api.router,
    "scheduler": scheduler_api.router,
    "workflow": workflow_api.router,
    "titles": titles_api.router,
    "cases": cases_api.router,
    "archives": archives_api.router,
    "maintenance": maintenance_api.router,
    "inspections": inspections_api.router,
    "vehicles": vehicles_api.router,
    "survey": survey_api.router,
    "review": review_api.router,
    "reporting": reporting_api.router,
    "exchange": exchange_api.router,
    "terminals": terminals_api.router,
    "supervision": supervision_api.router,
}

urlpatterns = [
    path(
        "",
        APIRootView.as_view(
            routers=APP_ROUTERS,
            extra={
                "schema": "schema",
                "docs": "docs",
                "token": "token",
                "effective_standard": "standards:effective",
            },
        ),
        name="root",
    ),
    path("registry/", include(registry_api)),
    path("standards/", include(standards_api)),
    path("compliance/", include(compliance_api)),
    path("ledger/", include(ledger_api)),
    path("framework/", include(framework_api)),
    path("accounts/", include(accounts_api)),
    path("scheduler/", include(scheduler_api)),
    path("workflow/", include(workflow_api)),
    path("titles/", include(titles_api)),
    path("cases/", include(cases_api)),
    path("archives/", include(archives_api)),
    path("maintenance/", include(maintenance_api)),
    path("inspections/", include(inspections_api)),
    path("vehicles/", include(vehicles_api)),
    path("survey/", include(survey_api)),
    path("review/", include(review_api)),
    path("reporting/", include(reporting_api)),
    path("exchange/", include(exchange_api)),
    path("terminals/", include(terminals_api)),
    path("supervision/", include(supervision_api)),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", login_required(DocsView.as_view(url_name="api:schema")), name="docs"),
    path("token/", TokenView.as_view(), name="token"),
]
