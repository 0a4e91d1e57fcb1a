"""Seed the official calendar with every year the ``chinesecalendar`` package carries (2004–2026):
each year announced, its public holidays and its 调休 working days, named in Chinese. Later years
are entered by the bureau when the State Council announces them."""

from __future__ import annotations

from django.db import migrations

from gongfang.framework.holidays.seed import FIRST_YEAR, LAST_YEAR
from gongfang.framework.holidays.seed import seed as seed_years


def seed(apps, schema_editor) -> None:
    seed_years(apps, schema_editor.connection.alias)


def unseed(apps, schema_editor) -> None:
    apps.get_model("framework", "HolidayYear").objects.using(schema_editor.connection.alias).filter(
        year__range=(FIRST_YEAR, LAST_YEAR)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("framework", "0005_holidayyear_calendarday")]

    operations = [migrations.RunPython(seed, unseed)]
