"""A batch's commit carries the versions its preview saw: an object edited in between is not
overwritten (issue 9, point 3)."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from ...framework.models import ObjectChange
from ...framework.services import service_for
from ...registry.models import Room
from ...registry.tests.world import WorldMixin
from ..models import ImportBatch
from ..services import do_commit, do_revert, do_upload
from .helpers import workbook

HEADERS = ["区划代码", "院落名称", "楼座名称", "楼层号", "房间号", "用房类别", "使用面积"]


class StaleCommitTests(WorldMixin, TestCase):
    def upload(self, area: str) -> ImportBatch:
        a = self.world.a
        row = [a.region.code, a.compound.name, a.building.name, a.floor.number, a.room.number,
               "办公室", area]  # fmt: skip
        content = workbook({"房间": [HEADERS, row]})
        return do_upload(
            actor=self.user_with_perm,
            uploaded_file=SimpleUploadedFile("rooms.xlsx", content),
            mode="upsert",
        )

    def test_commit_after_an_edit_of_the_same_object_writes_nothing(self):
        room = self.world.a.room
        batch = self.upload("11")
        self.assertEqual(batch.status, ImportBatch.Status.PREVIEWED)
        self.assertEqual(batch.result["versions"], {"registry.room": {str(room.pk): room.version}})
        service_for(Room).update(
            actor=self.user_org_scoped, instance=Room.objects.get(pk=room.pk), data={"name": "会议"}
        )

        do_commit(actor=self.user_with_perm, batch=batch)
        batch.refresh_from_db()
        self.assertEqual(batch.status, ImportBatch.Status.INVALID)
        room.refresh_from_db()
        self.assertEqual(
            batch.result["errors"],
            [
                {
                    "sheet": "房间",
                    "row": 2,
                    "column": "",
                    "message": f"“{room}”在预览后已被 unit_a 修改，请重新上传。",
                }
            ],
        )
        self.assertNotEqual(room.usable_area, Decimal("11.00"))
        self.assertEqual(room.name, "会议")
        self.assertFalse(ObjectChange.objects.filter(request_id=batch.uuid).exists())

    def test_commit_without_an_edit_in_between_writes(self):
        room = self.world.a.room
        version = room.version
        batch = self.upload("11")
        do_commit(actor=self.user_with_perm, batch=batch)
        batch.refresh_from_db()
        self.assertEqual(batch.status, ImportBatch.Status.COMMITTED)
        room.refresh_from_db()
        self.assertEqual((room.usable_area, room.version), (Decimal("11.00"), version + 1))

    def test_revert_raises_the_version_again(self):
        room = self.world.a.room
        version = room.version
        batch = self.upload("11")
        do_commit(actor=self.user_with_perm, batch=batch)
        do_revert(actor=self.user_with_perm, batch=ImportBatch.objects.get(pk=batch.pk))
        room.refresh_from_db()
        self.assertNotEqual(room.usable_area, Decimal("11.00"))
        self.assertEqual(room.version, version + 2)
        change = ObjectChange.objects.filter(action="update", changed_object_id=room.pk).latest(
            "id"
        )
        self.assertEqual(change.postchange_data["version"], version + 2)
