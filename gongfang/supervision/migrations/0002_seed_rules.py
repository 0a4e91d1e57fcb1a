"""The national default versions of rules V1–V7 (again after a flush: see apps.py)."""

from django.db import migrations

from gongfang.supervision.seed import seed


def unseed(apps, schema_editor) -> None:
    apps.get_model("supervision", "RuleVersion").objects.using(
        schema_editor.connection.alias
    ).filter(kind="national").delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
