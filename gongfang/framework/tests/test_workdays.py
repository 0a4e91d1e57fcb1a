"""Working days on the official calendar: 国庆 2026 (1–7 October, 10 October worked)."""

from __future__ import annotations

import datetime

import pytest

pytestmark = pytest.mark.django_db

from ..workdays import add_workdays, is_workday, workdays_between

D = datetime.date


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 9, 30), True),  # Wednesday before the holiday
        (D(2026, 10, 1), False),  # 国庆
        (D(2026, 10, 5), False),  # a Monday inside the holiday
        (D(2026, 10, 7), False),
        (D(2026, 10, 8), True),
        (D(2026, 10, 10), True),  # a Saturday worked in exchange (调休)
        (D(2026, 10, 11), False),  # an ordinary Sunday
        (D(2026, 1, 1), False),  # 元旦
    ],
)
def test_is_workday_follows_the_official_calendar(day, expected):
    assert is_workday(day) is expected


def test_adding_workdays_over_the_national_day_holiday():
    eve = D(2026, 9, 30)
    assert add_workdays(eve, 0) == eve
    assert add_workdays(eve, 1) == D(2026, 10, 8)
    assert add_workdays(eve, 3) == D(2026, 10, 10)  # the worked Saturday counts
    assert add_workdays(eve, 5) == D(2026, 10, 13)
    assert add_workdays(D(2026, 10, 8), -1) == eve
    assert add_workdays(D(2026, 10, 1), 1) == D(2026, 10, 8)


def test_workdays_between():
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 13)) == 5
    assert workdays_between(D(2026, 10, 13), D(2026, 9, 30)) == -5
    assert workdays_between(D(2026, 10, 1), D(2026, 10, 7)) == 0
    assert workdays_between(D(2026, 9, 30), D(2026, 9, 30)) == 0


def test_years_outside_the_calendar_fall_back_to_monday_to_friday():
    friday = D(2045, 1, 6)
    assert friday.weekday() == 4
    assert is_workday(friday)
    assert not is_workday(D(2045, 1, 7))
    assert add_workdays(friday, 1) == D(2045, 1, 9)
    assert workdays_between(friday, D(2045, 1, 13)) == 5
