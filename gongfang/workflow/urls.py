"""Pages of the approval engine under ``/cases/`` (namespace ``workflow``): ``case_list``,
``case`` (one case), ``case_add`` (the wizard: choose a kind), ``case_create`` (the kind's form),
``case_edit``, the case's actions ``case_submit``, ``case_withdraw``, ``case_decide``,
``case_attach``, ``case_attachment_download``; ``todo`` and ``todo_sign`` (batch signing);
``notification_list``, ``notification_read``, ``notification_open``; the process definitions
``processdefinition_list``, ``processdefinition`` and ``processdefinition_revise``."""

from django.urls import path, register_converter

from . import views
from .receipts import ReceiptView

app_name = "workflow"


class IdConverter:
    """A second id in a path (an attachment, a history entry). Any segment matches, so the view
    runs its login and scope checks first; one that is not a number becomes 0, which no row has
    (404)."""

    regex = "[^/]+"

    def to_python(self, value: str) -> int:
        return int(value) if value.isascii() and value.isdigit() else 0

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "workflow_id")

urlpatterns = [
    path("", views.CaseListView.as_view(), name="case_list"),
    path("new/", views.CaseAddView.as_view(), name="case_add"),
    path("new/<str:kind>/", views.CaseCreateView.as_view(), name="case_create"),
    path("<int:pk>/", views.CaseView.as_view(), name="case"),
    path("<int:pk>/edit/", views.CaseEditView.as_view(), name="case_edit"),
    path("<int:pk>/submit/", views.CaseSubmitView.as_view(), name="case_submit"),
    path("<int:pk>/withdraw/", views.CaseWithdrawView.as_view(), name="case_withdraw"),
    path("<int:pk>/decide/", views.CaseDecideView.as_view(), name="case_decide"),
    path("<int:pk>/attachments/", views.CaseAttachView.as_view(), name="case_attach"),
    path(
        "<int:pk>/attachments/<workflow_id:attachment>/",
        views.AttachmentDownloadView.as_view(),
        name="case_attachment_download",
    ),
    path("<int:pk>/receipts/<workflow_id:action>/", ReceiptView.as_view(), name="case_receipt"),
    path("todo/", views.TodoView.as_view(), name="todo"),
    path("todo/sign/", views.BatchSignView.as_view(), name="todo_sign"),
    path("notifications/", views.NotificationListView.as_view(), name="notification_list"),
    path("notifications/read/", views.NotificationReadView.as_view(), name="notification_read"),
    path("notifications/<int:pk>/", views.NotificationOpenView.as_view(), name="notification_open"),
    path("definitions/", views.DefinitionListView.as_view(), name="processdefinition_list"),
    path("definitions/<int:pk>/", views.DefinitionView.as_view(), name="processdefinition"),
    path(
        "definitions/<int:pk>/revise/",
        views.DefinitionReviseView.as_view(),
        name="processdefinition_revise",
    ),
]
