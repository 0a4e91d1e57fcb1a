from ...framework.api.routers import Router

app_name = "standards"

router = Router()

urlpatterns = router.urls
