"""API routes of titles: ``/api/titles/titles/`` and ``/api/titles/use-certificates/`` (with
``-revoke`` and ``-pdf``)."""

from ...framework.api.routers import Router
from . import views as v

app_name = "titles"

router = Router()
router.register("titles", v.TitleViewSet)
router.register("use-certificates", v.UseCertificateViewSet)

urlpatterns = router.urls
