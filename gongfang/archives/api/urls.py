"""API routes of archives: ``/api/archives/documents/`` (with ``-file``) and
``/api/archives/categories/``."""

from ...framework.api.routers import Router
from . import search
from . import views as v

app_name = "archives"

router = Router()
router.register("documents", v.DocumentViewSet)
router.register("categories", v.DocumentCategoryViewSet)
search.register(router)

urlpatterns = router.urls
