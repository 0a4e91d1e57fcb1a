from ...framework.api.routers import Router

app_name = "compliance"

router = Router()

urlpatterns = router.urls
