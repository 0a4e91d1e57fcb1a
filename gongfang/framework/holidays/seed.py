"""The years the ``chinesecalendar`` package carries (2004–2026), as the calendar's first data:
written by a data migration, and again after a flush empties the tables (tests that truncate)."""

from __future__ import annotations

from django.apps import apps as global_apps

FIRST_YEAR, LAST_YEAR = 2004, 2026
# Notice numbers known for certain; the others are left for the bureau to complete.
NUMBERS = {2026: "国办发明电〔2025〕7号"}


def seed(apps, using: str = "default") -> None:
    """Every covered year announced, with its holidays and 调休 working days named in Chinese."""
    from chinese_calendar.constants import Holiday, holidays, workdays

    HolidayYear = apps.get_model("framework", "HolidayYear")
    CalendarDay = apps.get_model("framework", "CalendarDay")
    names = {h.value: h.chinese for h in Holiday}
    years = {}
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        number = NUMBERS.get(year)
        title = f"国务院办公厅关于{year}年部分节假日安排的通知"
        years[year] = HolidayYear.objects.using(using).create(
            year=year,
            state="announced",
            source=f"{title}（{number}）" if number else title,
            note="据 chinesecalendar 1.11.0 数据导入"
            + ("" if number else "；文号与公布日期待补录"),
        )
    days = [
        CalendarDay(year=years[d.year], date=d, kind=kind, name=names.get(name, name))
        for kind, table in (("holiday", holidays), ("makeup_workday", workdays))
        for d, name in table.items()
        if FIRST_YEAR <= d.year <= LAST_YEAR
    ]
    CalendarDay.objects.using(using).bulk_create(sorted(days, key=lambda day: day.date))


def seed_after_migrate(sender, using: str = "default", apps=None, **kwargs) -> None:
    """post_migrate: an emptied calendar (a flush) gets its seeded years back; a calendar with
    any year in it is the bureau's and is left alone."""
    apps = apps or global_apps
    try:
        HolidayYear = apps.get_model("framework", "HolidayYear")
    except LookupError:  # migrated backwards: the tables are not there
        return
    if not HolidayYear.objects.using(using).exists():
        seed(apps, using)
    from ..workdays import clear_cache

    clear_cache()  # rows written or truncated without signals
