"""The archives' demo part: real files on a sample of the world, found by search, flushed."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

from django.core.management.base import OutputWrapper
from django.test import TestCase

from ...accounts.roles import Role
from ...demo.parts import DemoRun
from ...registry.tests.world import WorldMixin, make_user
from .. import demo_part, search
from ..models import Document, private_storage


class TestDemoPart(WorldMixin, TestCase):
    def test_build_writes_real_files_found_by_search_and_flush_removes_them(self):
        city = make_user("zz_bureau", [Role.BUREAU_ADMIN], scope_region=self.world.city)
        run = DemoRun(
            profile="small",
            seed=2026,
            anchor=datetime.date(2026, 3, 1),
            stdout=OutputWrapper(io.StringIO()),
            users={"zz_bureau": city, "unit_admin": self.user_org_scoped},
        )
        demo_part.build(run)
        documents = list(Document.objects.all())
        self.assertGreater(len(documents), 10)
        self.assertEqual(demo_part.existing(), {"档案资料": len(documents)})
        heads = {d.content_type: d.file.open("rb").read(8) for d in documents}
        self.assertTrue(heads["application/pdf"].startswith(b"%PDF"))
        self.assertTrue(heads["image/png"].startswith(b"\x89PNG"))
        self.assertTrue(heads["image/jpeg"].startswith(b"\xff\xd8"))
        self.assertTrue(all(d.size > 1000 for d in documents))
        self.assertEqual({d.category.code for d in documents} >= {"floor_plan", "survey"}, True)
        hits = search.search(city, "屋面防水")
        self.assertTrue(hits)
        self.assertEqual({hit.document.category.code for hit in hits}, {"construction"})
        # The unit's own rooms' photos are its own uploads.
        self.assertTrue(any(d.uploaded_by == self.user_org_scoped for d in documents))
        self.assertIn("档案资料", dict(run.sections))

        deleted = demo_part.flush()
        self.assertEqual(deleted, len(documents))
        self.assertFalse(Document.objects.exists())
        root = Path(private_storage.location) / "documents"
        self.assertEqual([p for p in root.rglob("*") if p.is_file()], [])
