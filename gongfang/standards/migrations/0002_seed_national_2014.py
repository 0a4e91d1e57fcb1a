"""Seed the national standard of 2014 and, where 湖北省 is loaded, its 乡级 row (standards.data)."""

from django.db import migrations


def seed(apps, schema_editor):
    from gongfang.standards.seed import ensure_hubei_2015, ensure_national_2014

    alias = schema_editor.connection.alias
    ensure_national_2014(apps, alias)
    ensure_hubei_2015(apps, alias)


def unseed(apps, schema_editor):
    from gongfang.standards.data import hubei_2015, national_2014

    StandardVersion = apps.get_model("standards", "StandardVersion")
    alias = schema_editor.connection.alias
    StandardVersion.objects.using(alias).filter(
        name__in=[national_2014.NAME, hubei_2015.NAME]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("standards", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
