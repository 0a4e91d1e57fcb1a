"""What the data migrations seed comes back after a flush (framework.seeding).

Between transactional tests — every browser test — Django empties the tables; the seeds of the
migrations (national processes of every case kind, standards, categories, checklists, the holiday
calendar) must be there again for the next test, as on a freshly migrated database.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

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


def test_a_flush_empties_the_full_text_index_with_the_documents():
    """The index is not a Django model: the flush leaves its rows, the prune after it removes
    them (else a new document reusing an id would be found by the old one's words)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongfang.accounts.roles import Role
    from gongfang.archives import search
    from gongfang.archives.services import add_document
    from gongfang.registry.tests.world import build_world, make_user

    world = build_world()
    bureau = make_user("bureau", [Role.BUREAU_ADMIN], scope_region=world.city)
    document = add_document(
        user=bureau,
        subject=world.a.compound,
        category="other",
        file=SimpleUploadedFile("说明.txt", "屋面防水工程验收记录".encode(), "text/plain"),
        title="验收说明",
    )
    assert [hit.document.pk for hit in search.search(bureau, "屋面防水")] == [document.pk]
    call_command("flush", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {search._table()}")
        assert cursor.fetchone()[0] == 0
