"""API routes of archives (``/api/archives/…``)."""

from ...framework.api.routers import Router
from . import search

app_name = "archives"

router = Router()

search.register(router)

urlpatterns = router.urls
