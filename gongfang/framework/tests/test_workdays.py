"""Working days on the official calendar: 国庆 2026 (1–7 October, 10 October worked), the
status of a day, and arithmetic into a year not announced yet (2027)."""

from __future__ import annotations

import datetime

import pytest

from ..models import CalendarDay, HolidayYear, HolidayYearState
from ..workdays import (
    DayKind,
    Reckoning,
    add_workdays,
    clear_cache,
    day_status,
    estimate_note,
    is_workday,
    reckon,
    unknown_years_note,
    workdays_between,
)

pytestmark = pytest.mark.django_db

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


# The calendar's word on a day (day_status), and arithmetic into a year not announced -----------
K = DayKind
NOTICE_2026 = "国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）"


@pytest.fixture(autouse=True)
def fresh_calendar():
    """Each test reads the calendar as its own transaction has it (rows a test adds roll back)."""
    clear_cache()
    yield
    clear_cache()


@pytest.mark.parametrize(
    ("day", "kind", "name", "source", "workday"),
    [
        (D(2026, 10, 10), K.MAKEUP_WORKDAY, "国庆节", NOTICE_2026, True),  # a worked Saturday
        (D(2026, 2, 14), K.MAKEUP_WORKDAY, "春节", NOTICE_2026, True),  # a worked Saturday
        (D(2026, 2, 17), K.HOLIDAY, "春节", NOTICE_2026, False),  # a Tuesday off
        (D(2026, 10, 1), K.HOLIDAY, "国庆节", NOTICE_2026, False),  # a Thursday off
        (D(2026, 10, 11), K.WEEKEND, "", NOTICE_2026, False),  # an ordinary Sunday
        (D(2026, 12, 7), K.WORKDAY, "", NOTICE_2026, True),  # an ordinary Monday
        (D(2027, 1, 1), K.UNKNOWN, "", "", None),  # 2027 not announced: no guess
        (D(2027, 1, 2), K.UNKNOWN, "", "", None),  # not even that a Saturday is off
        (D(2003, 10, 1), K.UNKNOWN, "", "", None),  # before the data
    ],
)
def test_day_status_follows_the_calendar_and_knows_what_it_does_not_know(
    day, kind, name, source, workday
):
    status = day_status(day)
    assert (status.date, status.kind, status.name, status.source) == (day, kind, name, source)
    assert status.is_workday is workday


def test_day_status_labels():
    assert day_status(D(2026, 10, 10)).label == "调休上班（国庆节）"
    assert day_status(D(2026, 10, 11)).label == "周末"
    assert day_status(D(2027, 5, 1)).label == "未知（2027年节假日安排尚未公布）"
    assert day_status(datetime.datetime(2026, 2, 17, 9, 30)).kind == K.HOLIDAY


def test_reckoning_over_a_holiday_is_not_an_estimate():
    result = reckon(D(2026, 9, 30), 5)
    assert result == Reckoning(D(2026, 10, 13), ())
    assert not result.estimated and result.note == ""


def test_reckoning_into_an_unannounced_year_counts_monday_to_friday_and_says_so():
    result = reckon(D(2026, 12, 28), 5)  # Monday: 29, 30, 31, then Friday 1 January, Monday 4
    assert result.day == D(2027, 1, 4) == add_workdays(D(2026, 12, 28), 5)
    assert result.estimated and result.unknown_years == (2027,)
    assert result.note == "（2027年节假日安排尚未公布，按周一至周五推算）"
    assert estimate_note(D(2026, 12, 28), result.day) == result.note
    assert estimate_note(result.day, D(2026, 12, 28)) == result.note
    assert estimate_note(D(2026, 12, 1), D(2026, 12, 31)) == ""
    assert (
        unknown_years_note([2028, 2027]) == "（2027、2028年节假日安排尚未公布，按周一至周五推算）"
    )
    # Backwards out of the data, too.
    assert reckon(D(2004, 1, 5), -2).unknown_years == (2003,)


def test_announcing_the_year_turns_the_estimate_into_the_official_count():
    year = HolidayYear.objects.create(year=2027)  # entered, not yet announced: still unknown
    CalendarDay.objects.create(year=year, date=D(2027, 1, 1), kind="holiday", name="元旦")
    assert day_status(D(2027, 1, 1)).kind == K.UNKNOWN
    assert reckon(D(2026, 12, 28), 5).day == D(2027, 1, 4)
    year.state = HolidayYearState.ANNOUNCED
    year.source = "国办发明电〔2026〕测试号"
    year.save()  # the write clears the process's copy of the calendar
    status = day_status(D(2027, 1, 1))
    assert (status.kind, status.name, status.source) == (
        K.HOLIDAY,
        "元旦",
        "国办发明电〔2026〕测试号",
    )
    assert reckon(D(2026, 12, 28), 5) == Reckoning(D(2027, 1, 5), ())
    assert estimate_note(D(2026, 12, 28), D(2027, 1, 5)) == ""


def test_an_emptied_calendar_gets_its_seeded_years_back_after_migrate():
    from ..holidays.seed import seed_after_migrate

    seeded = CalendarDay.objects.count()
    HolidayYear.objects.all().delete()  # as a flush leaves it
    assert day_status(D(2026, 10, 1)).kind == K.UNKNOWN
    seed_after_migrate(sender=None)
    assert HolidayYear.objects.count() == 23 and CalendarDay.objects.count() == seeded
    assert day_status(D(2026, 10, 1)).name == "国庆节"
    HolidayYear.objects.filter(year=2004).delete()  # the bureau's calendar is left alone
    seed_after_migrate(sender=None)
    assert HolidayYear.objects.count() == 22
