"""API routes of the framework: the change log (``api:framework:objectchange-list``)."""

from .routers import Router
from .views import ObjectChangeViewSet

app_name = "framework"

router = Router()
router.register("changes", ObjectChangeViewSet)

urlpatterns = router.urls
