"""API of the holiday calendar: ``/api/framework/holiday-years/`` and
``/api/framework/calendar-days/`` (generic serializers, scoped viewsets, writes by the services)."""

from __future__ import annotations

from ..api.serializers import ObjectSerializer
from ..api.viewsets import ObjectViewSet
from ..models import CalendarDay, HolidayYear
from .filtersets import CalendarDayFilterSet, HolidayYearFilterSet


class HolidayYearSerializer(ObjectSerializer):
    """节假日安排：某年国务院公布的放假与调休安排（未公布的年份视为未知，工作日按周一至周五推算）。"""

    class Meta(ObjectSerializer.Meta):
        model = HolidayYear


class CalendarDaySerializer(ObjectSerializer):
    """节假日与调休：法定节假日（holiday）或调休上班日（makeup_workday），带节日名称。"""

    class Meta(ObjectSerializer.Meta):
        model = CalendarDay


class HolidayYearViewSet(ObjectViewSet):
    """节假日安排：所有业务账号可读，机关事务管理员维护。"""

    queryset = HolidayYear.objects.all()
    serializer_class = HolidayYearSerializer
    filterset_class = HolidayYearFilterSet


class CalendarDayViewSet(ObjectViewSet):
    """节假日与调休的日期。"""

    queryset = CalendarDay.objects.select_related("year")
    serializer_class = CalendarDaySerializer
    filterset_class = CalendarDayFilterSet
