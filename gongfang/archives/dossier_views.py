"""Pages of the one-click dossier: what it holds and the button (``archives:dossier``), and the
progress of a build the account started (``archives:dossier_job``, polled by htmx)."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.views import View

from . import dossier
from .models import Document


def _subject(request, kind: str, pk: int):
    from ..registry.models import Building, Compound

    model = {"compound": Compound, "building": Building}.get(kind)
    if model is None:
        raise Http404("只能为院落或楼座生成一房一档。")
    return get_object_or_404(model.objects.restrict(request.user, "view"), pk=pk)


class DossierView(LoginRequiredMixin, View):
    """The property's earlier dossiers and, for an account that may, the button to build one."""

    def get(self, request, kind: str, pk: int):
        subject = _subject(request, kind, pk)
        return self._page(request, subject)

    def post(self, request, kind: str, pk: int):
        subject = _subject(request, kind, pk)
        try:
            token = dossier.start_dossier(user=request.user, subject=subject)
        except ValidationError as exc:
            return self._page(request, subject, error="；".join(exc.messages), status=400)
        return HttpResponseRedirect(reverse("archives:dossier_job", args=[token]))

    def _page(self, request, subject, *, error: str = "", status: int = 200):
        can_build = dossier.can_build(request.user, subject)
        if not can_build and not request.user.has_model_perm(Document, "view"):
            raise PermissionDenied("您没有查看档案资料的权限。")
        earlier = (
            Document.objects.restrict(request.user, "view")
            .of(subject)
            .filter(category__code=dossier.CATEGORY)
            .order_by("-uploaded_at", "-pk")[:20]
        )
        return render(
            request,
            "archives/dossier.html",
            {
                "subject": subject,
                "kind": subject._meta.model_name,
                "earlier": earlier,
                "can_build": can_build,
                "error": error,
            },
            status=status,
        )


class DossierJobView(LoginRequiredMixin, View):
    """How far the build has got; the links to the PDF and the zip once it is done."""

    template_name = "archives/dossier_job.html"

    def get(self, request, token: str):
        job = dossier.job(token, request.user)
        if job is None:
            raise Http404("没有找到该生成任务，或任务已过期。")
        return render(request, self.template_name, {"job": job, "token": token})


class DossierProgressView(DossierJobView):
    template_name = "archives/htmx/dossier_progress.html"


urlpatterns = [
    path("dossier/<str:kind>/<int:pk>/", DossierView.as_view(), name="dossier"),
    path("dossier/jobs/<str:token>/", DossierJobView.as_view(), name="dossier_job"),
    path(
        "dossier/jobs/<str:token>/progress/",
        DossierProgressView.as_view(),
        name="dossier_progress",
    ),
]
