"""Reads of the holiday calendar: a year's months as a calendar grid, and its day counts."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Count, Q

from ..models import CalendarDay, CalendarDayKind, HolidayYear, HolidayYearState

WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")


@dataclass(frozen=True)
class Cell:
    date: datetime.date
    kind: str  # holiday / makeup_workday / weekend / workday
    name: str
    day: CalendarDay | None

    @property
    def title(self) -> str:
        labels = {
            "holiday": "法定节假日",
            "makeup_workday": "调休上班",
            "weekend": "周末",
            "workday": "工作日",
        }
        text = f"{self.date:%Y-%m-%d} {labels[self.kind]}"
        return f"{text}（{self.name}）" if self.name else text


@dataclass(frozen=True)
class Month:
    number: int
    weeks: list[list[Cell | None]]


def year_months(year: HolidayYear) -> list[Month]:
    """The twelve months of ``year``, Monday first, its special days marked (also for a year
    not announced yet: what the bureau has entered so far)."""
    days = {d.date: d for d in year.days.all()}
    months = []
    for number in range(1, 13):
        weeks = []
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year.year, number):
            row: list[Cell | None] = []
            for date in week:
                if date.month != number:
                    row.append(None)
                    continue
                day = days.get(date)
                if day is not None:
                    row.append(Cell(date, day.kind, day.name, day))
                else:
                    kind = "weekend" if date.weekday() >= 5 else "workday"
                    row.append(Cell(date, kind, "", None))
            weeks.append(row)
        months.append(Month(number, weeks))
    return months


def with_day_counts(queryset):
    """Years with how many holidays and 调休 working days each has entered."""
    return queryset.annotate(
        holiday_count=Count("days", filter=Q(days__kind=CalendarDayKind.HOLIDAY)),
        makeup_count=Count("days", filter=Q(days__kind=CalendarDayKind.MAKEUP_WORKDAY)),
    )


def unannounced_years(today: datetime.date) -> list[dict]:
    """This year and the next when not announced: (year, its row if entered) for the list's
    reminder — deadlines that run into them are estimates until the bureau announces them."""
    rows = {y.year: y for y in HolidayYear.objects.filter(year__in=(today.year, today.year + 1))}
    return [
        {"year": year, "row": rows.get(year)}
        for year in (today.year, today.year + 1)
        if year not in rows or rows[year].state != HolidayYearState.ANNOUNCED
    ]
