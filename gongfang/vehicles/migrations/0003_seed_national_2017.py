"""Seed the national vehicle standard of 2017 (vehicles.data.national_2017)."""

from django.db import migrations


def seed(apps, schema_editor):
    from gongfang.vehicles.data import national_2017 as data

    alias = schema_editor.connection.alias
    Standard = apps.get_model("vehicles", "VehicleStandard")
    Row = apps.get_model("vehicles", "VehicleStandardRow")
    Parameter = apps.get_model("vehicles", "VehicleStandardParameter")
    standard, _ = Standard.objects.using(alias).get_or_create(
        name=data.NAME,
        region=None,
        defaults={
            "kind": "national",
            "source": data.SOURCE,
            "revision": data.REVISION,
            "effective_from": data.EFFECTIVE_FROM,
            "notes": data.NOTES,
        },
    )
    Row.objects.using(alias).bulk_create(
        [
            Row(
                standard=standard,
                category=category,
                body_class=body_class,
                exceptional=exceptional,
                price_cap=price_cap,
                displacement_cap=displacement_cap,
                clause=clause,
            )
            for category, body_class, exceptional, price_cap, displacement_cap, clause in data.ROWS
        ],
        ignore_conflicts=True,
    )
    Parameter.objects.using(alias).bulk_create(
        [
            Parameter(standard=standard, key=key, value=value, unit=unit, clause=clause)
            for key, value, unit, clause in data.PARAMETERS
        ],
        ignore_conflicts=True,
    )


def unseed(apps, schema_editor):
    from gongfang.vehicles.data import national_2017 as data

    Standard = apps.get_model("vehicles", "VehicleStandard")
    Standard.objects.using(schema_editor.connection.alias).filter(
        name=data.NAME, region=None
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("vehicles", "0002_vehicle_case_definitions")]

    operations = [migrations.RunPython(seed, unseed)]
