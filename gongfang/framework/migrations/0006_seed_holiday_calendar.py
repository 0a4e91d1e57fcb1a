"""Seed the official calendar with every year the ``chinesecalendar`` package carries (2004–2026):
each year announced, its public holidays and its 调休 working days, named in Chinese. Later years
are entered by the bureau when the State Council announces them."""

from __future__ import annotations

from django.db import migrations

FIRST_YEAR, LAST_YEAR = 2004, 2026
# Notice numbers known for certain; the others are left for the bureau to complete.
NUMBERS = {2026: "国办发明电〔2025〕7号"}


def _names() -> dict[str, str]:
    from chinese_calendar.constants import Holiday

    return {h.value: h.chinese for h in Holiday}


def seed(apps, schema_editor) -> None:
    from chinese_calendar.constants import holidays, workdays

    HolidayYear = apps.get_model("framework", "HolidayYear")
    CalendarDay = apps.get_model("framework", "CalendarDay")
    names = _names()
    years = {}
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        number = NUMBERS.get(year)
        title = f"国务院办公厅关于{year}年部分节假日安排的通知"
        years[year] = HolidayYear.objects.create(
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
    CalendarDay.objects.bulk_create(sorted(days, key=lambda day: day.date))


def unseed(apps, schema_editor) -> None:
    apps.get_model("framework", "HolidayYear").objects.filter(
        year__range=(FIRST_YEAR, LAST_YEAR)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("framework", "0005_holidayyear_calendarday")]

    operations = [migrations.RunPython(seed, unseed)]
