"""The demo city through Excel and back: export it, empty the registry, import the file, and
get the same registry — counts, area sums and every row."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Sum

from ...accounts.models import User
from ...demo.parts import flush_all
from ...registry.models import Building, Canteen, Room
from ..exporter import export_ledger
from ..importer import run_import
from ..reader import read_workbook
from ..specs import SHEETS


def _snapshot() -> dict:
    """What must survive the round trip: rows per model and the area sums."""
    return {
        "counts": {s.title: s.model.objects.count() for s in SHEETS},
        "room_usable": Room.objects.aggregate(s=Sum("usable_area"))["s"],
        "room_building": Room.objects.aggregate(s=Sum("building_area"))["s"],
        "building_area": Building.objects.aggregate(s=Sum("building_area"))["s"],
        "building_usable": Building.objects.aggregate(s=Sum("usable_area"))["s"],
        "canteen_area": Canteen.objects.aggregate(s=Sum("usable_area"))["s"],
    }


def _rows(workbook: bytes) -> dict[str, Counter]:
    """Every row of every sheet, as parsed back by the reader (order aside: ids differ)."""
    return {
        sheet.name: Counter(tuple(values) for _, values in sheet.rows)
        for sheet in read_workbook("ledger.xlsx", io.BytesIO(workbook))
    }


@pytest.mark.django_db
def test_demo_city_export_empty_database_import_is_identical(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", profile="zaozhuang", stdout=io.StringIO())
    bureau = User.objects.get(username="zz_bureau")
    before = _snapshot()
    exported = export_ledger(actor=bureau)

    flush_all()  # the demo's cases and titles too: they name the rooms and buildings
    assert Room.objects.count() == 0
    sheets = read_workbook("ledger.xlsx", io.BytesIO(exported))
    result = run_import(actor=bureau, sheets=sheets, commit=True)

    assert result.committed, result.errors[:10]
    assert result.total("created") == sum(before["counts"].values())
    assert _snapshot() == before
    again, original = _rows(export_ledger(actor=bureau)), _rows(exported)
    for title, rows in original.items():
        missing, extra = rows - again[title], again[title] - rows
        assert not missing and not extra, (title, list(missing)[:3], list(extra)[:3])
    # And the same file once more changes nothing.
    result = run_import(actor=bureau, sheets=sheets, commit=True)
    assert result.total("unchanged") == sum(before["counts"].values())
    assert result.total("created") + result.total("updated") == 0
