"""Whether a missed new-energy share stops a vehicle case becomes a parameter of the standard
(``new_energy_share_blocks``), seeded on the national 2017 version as a warning only (0), the
behaviour the code had before."""

from django.db import migrations, models


def seed(apps, schema_editor):
    from gongfang.vehicles.data import national_2017 as data

    alias = schema_editor.connection.alias
    Standard = apps.get_model("vehicles", "VehicleStandard")
    Parameter = apps.get_model("vehicles", "VehicleStandardParameter")
    standard = Standard.objects.using(alias).filter(name=data.NAME, region=None).first()
    if standard is None:
        return
    for key, value, unit, clause in data.PARAMETERS:
        if key == "new_energy_share_blocks":
            Parameter.objects.using(alias).get_or_create(
                standard=standard, key=key, defaults={"value": value, "unit": unit, "clause": clause}
            )


def unseed(apps, schema_editor):
    Parameter = apps.get_model("vehicles", "VehicleStandardParameter")
    Parameter.objects.using(schema_editor.connection.alias).filter(
        key="new_energy_share_blocks"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("vehicles", "0004_dispatch_board_indexes")]

    operations = [
        migrations.AlterField(
            model_name="vehiclestandardparameter",
            name="key",
            field=models.CharField(
                choices=[
                    ("new_energy_price_cap", "新能源轿车价格上限"),
                    ("new_energy_share", "新增及更新车辆新能源比例下限"),
                    ("new_energy_share_blocks", "新能源比例未达标时不能申报"),
                    ("renewal_years", "更新条件：使用年限"),
                    ("renewal_km", "更新条件：行驶里程"),
                ],
                max_length=30,
                verbose_name="参数",
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
