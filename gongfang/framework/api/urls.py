"""API routes of the framework: the change log (``api:framework:objectchange-list``) and the
holiday calendar (``api:framework:holidayyear-list``, ``api:framework:calendarday-list``)."""

from ..holidays.api import CalendarDayViewSet, HolidayYearViewSet
from .routers import Router
from .views import ObjectChangeViewSet

app_name = "framework"

router = Router()
router.register("changes", ObjectChangeViewSet)
router.register("holiday-years", HolidayYearViewSet)
router.register("calendar-days", CalendarDayViewSet)

urlpatterns = router.urls
