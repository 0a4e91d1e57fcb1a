"""What the data migrations seed comes back after a flush (framework.seeding).

Between transactional tests — every browser test — Django empties the tables; the seeds of the
migrations (national processes of every case kind, standards, categories, checklists, the holiday
calendar) must be there again for the next test, as on a freshly migrated database.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command

from gongfang.workflow.choices import CaseKind

pytestmark = pytest.mark.django_db(transaction=True)

SEEDED = (
    "workflow.ProcessDefinition",
    "standards.StandardVersion",
    "framework.HolidayYear",
    "archives.DocumentCategory",
    "inspections.Checklist",
    "vehicles.VehicleStandard",
)


def counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in SEEDED}


def test_a_flush_leaves_the_seeded_rows_as_the_migrations_wrote_them():
    migrated = counts()
    assert all(migrated.values()), migrated
    call_command("flush", interactive=False, verbosity=0)
    assert counts() == migrated
    national = apps.get_model("workflow.ProcessDefinition").objects.filter(region__isnull=True)
    assert set(national.values_list("kind", flat=True)) == set(CaseKind.values)
