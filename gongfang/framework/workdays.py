"""Working days of the official calendar (法定节假日 and 调休 working days).

The State Council publishes each year's holidays and the weekend days worked in exchange; the
``chinesecalendar`` package carries them. A year it does not know yet (or no longer) falls back to
Monday to Friday. Time limits counted "in working days" (approval steps, vehicle bookings) use
these functions and nothing else.
"""

from __future__ import annotations

import datetime

import chinese_calendar

ONE_DAY = datetime.timedelta(days=1)


def is_workday(day: datetime.date) -> bool:
    """Whether ``day`` is a working day: not a holiday, not a weekend unless worked (调休)."""
    if isinstance(day, datetime.datetime):
        day = day.date()
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year outside the calendar's data
        return day.weekday() < 5


def add_workdays(day: datetime.date, n: int) -> datetime.date:
    """The ``n``-th working day after ``day`` (before it when ``n`` is negative); ``day`` itself
    when ``n`` is 0. A time limit of 5 working days received on the eve of 国庆 ends on the fifth
    working day after the holiday week."""
    step = ONE_DAY if n >= 0 else -ONE_DAY
    left = abs(n)
    while left:
        day += step
        if is_workday(day):
            left -= 1
    return day


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
