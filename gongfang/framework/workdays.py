"""Working days of the official calendar (法定节假日 and 调休 working days).

The State Council announces each year's holidays and the weekend days worked in exchange; the
bureau enters them as data (``HolidayYear`` and its ``CalendarDay`` rows, seeded from the
``chinesecalendar`` package for the years it covers). A year not announced yet is *unknown*:
:func:`day_status` says so instead of guessing, and working-day arithmetic that runs into it counts
Monday to Friday and marks its result as an estimate (:class:`Reckoning`), for callers to show.
Time limits counted "in working days" (approval steps, vehicle bookings) use these functions and
nothing else.

The calendar is read once per process and kept; a write to it clears the copy of the writing
process at once, other processes (several web nodes) read it again after ``REFRESH_SECONDS``.
"""

from __future__ import annotations

import datetime
import threading
import time
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction
from django.db.models.signals import post_delete, post_save

ONE_DAY = datetime.timedelta(days=1)
REFRESH_SECONDS = 60


class DayKind(StrEnum):
    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    MAKEUP_WORKDAY = "makeup_workday"
    UNKNOWN = "unknown"


KIND_LABELS = {
    DayKind.WORKDAY: "工作日",
    DayKind.WEEKEND: "周末",
    DayKind.HOLIDAY: "法定节假日",
    DayKind.MAKEUP_WORKDAY: "调休上班",
    DayKind.UNKNOWN: "未知（当年节假日安排尚未公布）",
}


@dataclass(frozen=True)
class DayStatus:
    """What the official calendar says of one day, with the holiday's name and the notice it
    comes from; ``UNKNOWN`` when the day's year is not announced."""

    date: datetime.date
    kind: DayKind
    name: str = ""
    source: str = ""

    @property
    def is_workday(self) -> bool | None:
        """True or False by the calendar; None when the year is unknown."""
        if self.kind == DayKind.UNKNOWN:
            return None
        return self.kind in (DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY)

    @property
    def label(self) -> str:
        """The day's status in Chinese, e.g. “法定节假日（春节）” or “调休上班（国庆节）”."""
        if self.kind == DayKind.UNKNOWN:
            return f"未知（{self.date.year}年节假日安排尚未公布）"
        base = KIND_LABELS[self.kind]
        return f"{base}（{self.name}）" if self.name else base


@dataclass(frozen=True)
class Reckoning:
    """The result of counting working days: the day reached, and the unannounced years counted
    Monday to Friday on the way (none: the result follows the official calendar)."""

    day: datetime.date
    unknown_years: tuple[int, ...] = ()

    @property
    def estimated(self) -> bool:
        return bool(self.unknown_years)

    @property
    def note(self) -> str:
        return unknown_years_note(self.unknown_years)


def unknown_years_note(years) -> str:
    """“（2027年节假日安排尚未公布，按周一至周五推算）” for the given years, "" for none."""
    if not years:
        return ""
    return f"（{'、'.join(str(y) for y in sorted(years))}年节假日安排尚未公布，按周一至周五推算）"


# The calendar as read from the database ---------------------------------------------------------
@dataclass(frozen=True)
class _Year:
    source: str
    days: dict[datetime.date, tuple[DayKind, str]]


_lock = threading.Lock()
_cache: dict[str, object] = {"years": None, "read_at": 0.0}


def _years() -> dict[int, _Year]:
    """The announced years with their special days (read once, kept ``REFRESH_SECONDS``)."""
    years = _cache["years"]
    if years is not None and time.monotonic() - _cache["read_at"] < REFRESH_SECONDS:
        return years  # type: ignore[return-value]
    from .models import CalendarDay, HolidayYear, HolidayYearState

    loaded: dict[int, _Year] = {
        year: _Year(source=source, days={})
        for year, source in HolidayYear.objects.filter(
            state=HolidayYearState.ANNOUNCED
        ).values_list("year", "source")
    }
    for year, day, kind, name in CalendarDay.objects.filter(
        year__state=HolidayYearState.ANNOUNCED
    ).values_list("year__year", "date", "kind", "name"):
        loaded[year].days[day] = (DayKind(kind), name)
    with _lock:
        _cache["years"] = loaded
        _cache["read_at"] = time.monotonic()
    return loaded


def clear_cache() -> None:
    """Forget the calendar read so far: the next question reads it again."""
    with _lock:
        _cache["years"] = None


def _calendar_written(**kwargs) -> None:
    clear_cache()
    # Read during the writing transaction, the copy would keep the rows of a rolled-back write
    # or miss those committed later: forget it again once the transaction is over.
    transaction.on_commit(clear_cache)


def connect_signals() -> None:
    """Clear the copy whenever a calendar row is written (pages, API, imports, migrations)."""
    from .models import CalendarDay, HolidayYear

    for model in (HolidayYear, CalendarDay):
        post_save.connect(_calendar_written, sender=model, dispatch_uid=f"workdays-{model}")
        post_delete.connect(_calendar_written, sender=model, dispatch_uid=f"workdays-d-{model}")


# Questions --------------------------------------------------------------------------------------
def _as_date(day: datetime.date) -> datetime.date:
    return day.date() if isinstance(day, datetime.datetime) else day


def is_known_year(year: int) -> bool:
    """Whether the State Council's arrangement for ``year`` has been entered as announced."""
    return year in _years()


def day_status(day: datetime.date) -> DayStatus:
    """The official calendar's word on ``day``: working day, weekend, public holiday, weekend day
    worked in exchange — or unknown, when its year is not announced (never a guess)."""
    day = _as_date(day)
    year = _years().get(day.year)
    if year is None:
        return DayStatus(day, DayKind.UNKNOWN)
    special = year.days.get(day)
    if special is not None:
        return DayStatus(day, special[0], special[1], year.source)
    kind = DayKind.WEEKEND if day.weekday() >= 5 else DayKind.WORKDAY
    return DayStatus(day, kind, "", year.source)


def is_workday(day: datetime.date) -> bool:
    """Whether ``day`` is a working day: not a holiday, not a weekend unless worked (调休). In a
    year not announced, Monday to Friday (see :func:`reckon` for arithmetic that says so)."""
    day = _as_date(day)
    status = day_status(day)
    if status.kind == DayKind.UNKNOWN:
        return day.weekday() < 5
    return bool(status.is_workday)


def reckon(day: datetime.date, n: int) -> Reckoning:
    """The ``n``-th working day after ``day`` (before it when ``n`` is negative; ``day`` itself
    when ``n`` is 0), with the unannounced years it had to count Monday to Friday."""
    day = _as_date(day)
    known = _years()
    step = ONE_DAY if n >= 0 else -ONE_DAY
    left = abs(n)
    unknown: set[int] = set()
    while left:
        day += step
        if day.year not in known:
            unknown.add(day.year)
        if is_workday(day):
            left -= 1
    return Reckoning(day, tuple(sorted(unknown)))


def add_workdays(day: datetime.date, n: int) -> datetime.date:
    """The ``n``-th working day after ``day`` (before it when ``n`` is negative); ``day`` itself
    when ``n`` is 0. A time limit of 5 working days received on the eve of 国庆 ends on the fifth
    working day after the holiday week. :func:`reckon` also says whether that is an estimate."""
    return reckon(day, n).day


def estimate_note(start: datetime.date, end: datetime.date) -> str:
    """For a date reckoned in working days between ``start`` and ``end`` (either order), the
    note that it is an estimate when a year in between is not announced; "" otherwise."""
    start, end = sorted((_as_date(start), _as_date(end)))
    known = _years()
    return unknown_years_note([y for y in range(start.year, end.year + 1) if y not in known])


def workdays_between(a: datetime.date, b: datetime.date) -> int:
    """How many working days lie after ``a`` up to and including ``b`` (negative when ``b`` is
    before ``a``): from a task's opening day to today, the working days it has taken."""
    if b < a:
        return -workdays_between(b, a)
    count = 0
    day = a
    while day < b:
        day += ONE_DAY
        if is_workday(day):
            count += 1
    return count
