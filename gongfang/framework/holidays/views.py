"""Pages of the holiday calendar: years (list, a year as a calendar, announce, import its days)
and days, on the generic views. Everyone with a business role reads; the bureau edits."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from .. import clock
from ..forms import apply_errors
from ..models import CalendarDay, HolidayYear
from ..views import ObjectDeleteView, ObjectEditView, ObjectListView, ObjectView
from ..views.generic import BaseObjectView
from . import filtersets, forms, selectors, services, tables
from .selectors import WEEKDAYS


# Years -----------------------------------------------------------------------------------------
class HolidayYearListView(ObjectListView):
    queryset = selectors.with_day_counts(HolidayYear.objects.all())
    filterset = filtersets.HolidayYearFilterSet
    table = tables.HolidayYearTable
    template_name = "framework/holidays/holidayyear_list.html"

    def get_extra_context(self) -> dict[str, Any]:
        return {"unannounced": selectors.unannounced_years(clock.today())}


class HolidayYearView(ObjectView):
    queryset = HolidayYear.objects.all()
    template_name = "framework/holidays/holidayyear.html"
    attributes = ("year", "state", "source", "announced_on", "note")

    def get_extra_context(self, obj) -> dict[str, Any]:
        user = self.request.user
        return {
            "months": selectors.year_months(obj),
            "weekdays": WEEKDAYS,
            "days": obj.days.all(),
            "can_add_day": user.has_model_perm(CalendarDay, "add"),
            "can_change_day": user.has_model_perm(CalendarDay, "change"),
        }


class HolidayYearEditView(ObjectEditView):
    queryset = HolidayYear.objects.all()
    form = forms.HolidayYearForm


class HolidayYearDeleteView(ObjectDeleteView):
    queryset = HolidayYear.objects.all()


class YearFormView(BaseObjectView):
    """A form about one year (announce it, import its days), shown on its own page."""

    queryset = HolidayYear.objects.all()
    action = "change"
    title = ""
    submit = "保存"

    def render_form(self, obj, form, status: int = 200):
        context = {
            **self.base_context(),
            "object": obj,
            "form": form,
            "title": self.title,
            "submit": self.submit,
        }
        return render(self.request, "framework/holidays/year_form.html", context, status=status)


class HolidayYearAnnounceView(YearFormView):
    title = "公布节假日安排"
    submit = "确认公布"

    def get(self, request, pk):
        obj = self.get_object(pk)
        initial = {"source": obj.source, "announced_on": obj.announced_on, "version": obj.version}
        return self.render_form(obj, forms.AnnounceForm(initial=initial))

    def post(self, request, pk):
        obj = self.get_object(pk)
        form = forms.AnnounceForm(request.POST)
        if form.is_valid():
            try:
                services.announce_year(
                    actor=request.user,
                    year=obj,
                    source=form.cleaned_data["source"],
                    announced_on=form.cleaned_data["announced_on"],
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"已公布{obj}，此后按其节假日与调休计算工作日。")
                return HttpResponseRedirect(obj.get_absolute_url())
        return self.render_form(obj, form)


class HolidayYearImportView(YearFormView):
    title = "从表格导入日期"
    submit = "导入"

    def get(self, request, pk):
        return self.render_form(self.get_object(pk), forms.ImportForm())

    def post(self, request, pk):
        obj = self.get_object(pk)
        form = forms.ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                counts = services.import_days(
                    actor=request.user,
                    year=obj,
                    data=upload.read(),
                    filename=upload.name,
                    replace=form.cleaned_data["replace"],
                )
            except ValidationError as exc:
                form.add_error(None, "未导入任何日期：")
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    f"已导入{obj}：新增 {counts['added']} 天，修改 {counts['changed']} 天，"
                    f"删除 {counts['deleted']} 天。",
                )
                return HttpResponseRedirect(obj.get_absolute_url())
        return self.render_form(obj, form)


# Days ------------------------------------------------------------------------------------------
class CalendarDayListView(ObjectListView):
    queryset = CalendarDay.objects.select_related("year")
    filterset = filtersets.CalendarDayFilterSet
    table = tables.CalendarDayTable
    filter_order = ("year", "kind", "date_after", "date_before")
    template_name = "framework/holidays/calendarday_list.html"


class CalendarDayView(ObjectView):
    queryset = CalendarDay.objects.select_related("year")
    attributes = ("year", "date", "kind", "name")


class CalendarDayEditView(ObjectEditView):
    queryset = CalendarDay.objects.select_related("year")
    form = forms.CalendarDayForm


class CalendarDayDeleteView(ObjectDeleteView):
    queryset = CalendarDay.objects.select_related("year")

    def return_url(self, obj) -> str:
        """Back to the day's year, not to the list of all days."""
        default = obj.year.get_absolute_url()
        url = super().return_url(obj)
        return default if url == reverse("framework:calendarday_list") else url
