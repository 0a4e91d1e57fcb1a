"""The importer on a small two-sided world: what it writes, what it refuses, and that a refused
file writes nothing."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.test import TestCase

from ...framework.models import ObjectChange
from ...framework.services import service_for
from ...registry.models import Building, Compound, Floor, Occupancy, Organization, Person, Room
from ...registry.tests.world import WorldMixin
from ..choices import Mode
from ..importer import run_import
from ..reader import RawSheet

ROOM_HEADERS = [
    "区划代码",
    "院落名称",
    "楼座名称",
    "楼层号",
    "房间号",
    "用房类别",
    "使用面积",
    "使用单位",
]


def sheet(title: str, headers: list[str], *rows: list) -> RawSheet:
    return RawSheet(title, headers, [(n, list(r)) for n, r in enumerate(rows, start=2)])


class ImporterTests(WorldMixin, TestCase):
    def site_sheets(self, *room_rows, area="1200"):
        a = self.world.a
        return [
            sheet(
                "院落",
                ["区划代码", "院落名称", "产权/管理单位"],
                [a.region.code, "新院", a.org.uscc],
            ),
            sheet(
                "楼座",
                [
                    "区划代码",
                    "院落名称",
                    "楼座名称",
                    "地上层数",
                    "建筑面积",
                    "使用面积",
                    "建筑类型",
                ],
                [a.region.code, "新院", "A座", 5, "2000平方米", area, "多层"],
            ),
            sheet(
                "楼层",
                ["区划代码", "院落名称", "楼座名称", "楼层号"],
                [a.region.code, "新院", "A座", 2],
            ),
            sheet("房间", ROOM_HEADERS, *room_rows),
        ]

    def room_row(self, number="201", area="25.5㎡", org=None):
        a = self.world.a
        return [a.region.code, "新院", "A座", 2, number, "办公室", area, (org or a.org).uscc]

    def run_as(self, user, sheets, **kwargs):
        return run_import(actor=user, sheets=sheets, **kwargs)

    def test_whole_chain_created_in_dependency_order(self):
        result = self.run_as(
            self.user_with_perm,
            self.site_sheets(self.room_row("201"), self.room_row("202", "18")),
            commit=True,
        )
        self.assertTrue(result.ok, result.errors)
        self.assertTrue(result.committed)
        room = Room.objects.get(number="201", floor__building__name="A座")
        self.assertEqual(room.usable_area, Decimal("25.50"))
        self.assertEqual(room.floor.building.compound.name, "新院")
        self.assertEqual(result.counts["房间"].created, 2)
        created = ObjectChange.objects.filter(
            action="create",
            changed_object_type=ContentType.objects.get_for_model(Room),
            changed_object_id=room.pk,
        )
        self.assertEqual(created.count(), 1)

    def test_same_file_again_changes_nothing(self):
        sheets = self.site_sheets(self.room_row())
        self.run_as(self.user_with_perm, sheets, commit=True)
        before = ObjectChange.objects.count()
        result = self.run_as(self.user_with_perm, sheets, commit=True)
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(result.total("created") + result.total("updated"), 0)
        self.assertEqual(result.total("unchanged"), 4)
        self.assertEqual(ObjectChange.objects.count(), before)

    def test_preview_writes_nothing(self):
        result = self.run_as(self.user_with_perm, self.site_sheets(self.room_row()), commit=False)
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(result.counts["房间"].created, 1)
        self.assertFalse(Compound.objects.filter(name="新院").exists())

    def test_one_bad_row_writes_nothing_and_is_named(self):
        result = self.run_as(
            self.user_with_perm,
            self.site_sheets(self.room_row("201"), self.room_row("202", "abc")),
            commit=True,
        )
        self.assertFalse(result.committed)
        error = result.errors[0]
        self.assertEqual((error.sheet, error.row, error.column), ("房间", 3, "使用面积"))
        self.assertIn("abc", error.message)
        self.assertFalse(Compound.objects.filter(name="新院").exists())
        self.assertFalse(Room.objects.filter(number="201", floor__building__name="A座").exists())

    def test_model_rules_apply_to_each_row(self):
        # A building's usable area above its building area: the form's message, on its column.
        result = self.run_as(self.user_with_perm, self.site_sheets(area="2500"), commit=True)
        self.assertFalse(result.ok)
        error = result.errors[0]
        self.assertEqual((error.sheet, error.row, error.column), ("楼座", 2, "使用面积"))
        self.assertIn("不能大于建筑面积", error.message)
        # Rows that refer to the refused building say so.
        refs = [e for e in result.errors if e.sheet == "楼层"]
        self.assertIn("第 2 行", refs[0].message)

    def test_duplicate_keys_inside_the_file(self):
        result = self.run_as(
            self.user_with_perm, self.site_sheets(self.room_row("201"), self.room_row("201"))
        )
        self.assertEqual(result.errors[0].row, 3)
        self.assertIn("与第 2 行重复", result.errors[0].message)

    def test_missing_and_unknown_columns(self):
        rows = [self.room_row()]
        result = self.run_as(
            self.user_with_perm,
            [sheet("房间", [*ROOM_HEADERS[:-2], "面积", "使用单位"], *rows)],
        )
        messages = " ".join(e.message for e in result.errors)
        self.assertIn("未知的列“面积”", messages)
        self.assertIn("缺少必需的列：使用面积", messages)

    def test_unknown_sheet_and_empty_file(self):
        result = self.run_as(self.user_with_perm, [sheet("Sheet1", ["甲"], ["乙"])])
        self.assertIn("不是台账工作表", result.errors[0].message)
        result = self.run_as(self.user_with_perm, [sheet("房间", ROOM_HEADERS)])
        self.assertIn("没有数据行", result.errors[0].message)

    def test_update_and_create_only_modes(self):
        a = self.world.a
        row = [a.region.code, a.compound.name, a.building.name, a.floor.number, a.room.number,
               "办公室", "11", a.org.uscc]  # fmt: skip
        result = self.run_as(
            self.user_with_perm, [sheet("房间", ROOM_HEADERS, row)], mode=Mode.CREATE, commit=True
        )
        self.assertEqual(result.counts["房间"].skipped, 1)
        a.room.refresh_from_db()
        self.assertNotEqual(a.room.usable_area, Decimal("11"))
        result = self.run_as(self.user_with_perm, [sheet("房间", ROOM_HEADERS, row)], commit=True)
        self.assertEqual(result.counts["房间"].updated, 1)
        self.assertEqual(result.changes[0]["fields"][0]["column"], "使用面积")
        a.room.refresh_from_db()
        self.assertEqual(a.room.usable_area, Decimal("11.00"))

    def test_row_of_another_side_is_out_of_scope(self):
        b = self.world.b
        row = [b.region.code, b.compound.name, b.building.name, b.floor.number, "999", "办公室",
               "12", b.org.uscc]  # fmt: skip
        result = self.run_as(self.user_with_perm, [sheet("房间", ROOM_HEADERS, row)], commit=True)
        self.assertFalse(result.ok)
        self.assertEqual(result.errors[0].row, 2)
        self.assertIn("超出您的管辖范围", result.errors[0].message)
        self.assertFalse(Room.objects.filter(number="999").exists())

    def test_unit_admin_row_of_another_organization_is_refused(self):
        a, b = self.world.a, self.world.b
        headers = ["所在单位", "人员编号", "姓名"]
        result = self.run_as(
            self.user_org_scoped,
            [sheet("人员", headers, [a.org.uscc, "101", "李四"], [b.org.uscc, "102", "王五"])],
            commit=True,
        )
        self.assertFalse(result.committed)
        self.assertEqual(len(result.errors), 1)
        error = result.errors[0]
        self.assertEqual((error.row, error.column), (3, "所在单位"))
        self.assertIn("超出您的管辖范围", error.message)
        self.assertFalse(Person.objects.filter(number__in=["101", "102"]).exists())
        # Its own rows alone go in.
        result = self.run_as(
            self.user_org_scoped,
            [sheet("人员", headers, [a.org.uscc, "101", "李四"])],
            commit=True,
        )
        self.assertTrue(result.committed, result.errors)

    def test_view_only_account_cannot_write(self):
        result = self.run_as(self.user_view_only, self.site_sheets(self.room_row()), commit=True)
        self.assertFalse(result.ok)
        self.assertIn("权限", result.errors[0].message)

    def test_organizations_with_parents_in_the_same_file(self):
        a = self.world.a
        headers = ["统一社会信用代码", "单位名称", "单位类别", "机构层级", "主管部门", "区划代码"]
        child = ["", "新设下属中心", "事业单位", "县级", "新设局", a.region.code]
        parent = ["", "新设局", "行政机关", "县级", a.org.uscc, a.region.code]
        result = self.run_as(
            self.user_with_perm, [sheet("单位", headers, child, parent)], commit=True
        )
        self.assertTrue(result.committed, result.errors)
        new_parent = Organization.objects.get(name="新设局")
        new_child = Organization.objects.get(name="新设下属中心")
        self.assertEqual(new_child.parent, new_parent)
        self.assertEqual(new_child.path, f"{a.org.path}{new_parent.pk}/{new_child.pk}/")

    def test_one_current_primary_office_per_person(self):
        a = self.world.a
        headers = ["人员所在单位", "人员编号", "区划代码", "院落名称", "楼座名称", "楼层号", "房间号",
                   "起始日期", "主要办公室"]  # fmt: skip
        # Another room: a second occupancy of the same room is refused for its own reason.
        Room.objects.create(floor=a.floor, number="102", category="office", usable_area=12)
        site = [a.region.code, a.compound.name, a.building.name, a.floor.number, "102"]
        row = [a.org.uscc, a.person.number, *site, "2024/3/1", "是"]
        result = self.run_as(self.user_with_perm, [sheet("办公室使用", headers, row)])
        self.assertIn("已有一间在用的主要办公室", result.errors[0].message)
        row[-1] = "否"
        result = self.run_as(self.user_with_perm, [sheet("办公室使用", headers, row)], commit=True)
        self.assertTrue(result.committed, result.errors)
        self.assertEqual(Occupancy.objects.filter(person=a.person).count(), 2)

    def test_floor_beyond_the_building_is_refused(self):
        a = self.world.a
        headers = ["区划代码", "院落名称", "楼座名称", "楼层号"]
        result = self.run_as(
            self.user_with_perm,
            [sheet("楼层", headers, [a.region.code, a.compound.name, a.building.name, 99])],
        )
        self.assertEqual(result.errors[0].column, "楼层号")
        self.assertIn("超出楼座", result.errors[0].message)
        self.assertFalse(Floor.objects.filter(number=99).exists())
        self.assertEqual(Building.objects.count(), 2)

    def test_unit_admin_reimports_its_own_export_unchanged(self):
        """Rows the unit can read but not write (a compound another unit owns, which its rooms
        stand in) come back unchanged: a reference it cannot see may stay, not be made."""
        import io

        from ...registry.tests import factories as f
        from ..exporter import export_ledger
        from ..reader import read_workbook

        a, b = self.world.a, self.world.b
        compound = f.CompoundFactory(name="他单位院落", region=a.region, owner_org=b.org)
        floor = f.FloorFactory(building=f.BuildingFactory(compound=compound), number=1)
        f.RoomFactory(floor=floor, number="501", organization=a.org)
        exported = export_ledger(actor=self.user_org_scoped)
        sheets = read_workbook("x.xlsx", io.BytesIO(exported))
        result = self.run_as(self.user_org_scoped, sheets, commit=True)
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(result.total("created") + result.total("updated"), 0)
        self.assertGreater(result.counts["院落"].unchanged, 0)
        # Pointing a row of its own at that hidden unit is refused.
        room = next(s for s in sheets if s.name == "房间")
        row = next(values for _, values in room.rows if values[4] == a.room.number)
        row[10] = b.org.uscc
        result = self.run_as(self.user_org_scoped, sheets)
        self.assertFalse(result.ok)
        self.assertIn("超出您的管辖范围", result.errors[0].message)


class VersionTests(WorldMixin, TestCase):
    """An import's updates raise the version, and a commit never undoes an edit made after its
    preview (issue 9, point 3)."""

    def room_file(self, area: str) -> list[RawSheet]:
        a = self.world.a
        row = [a.region.code, a.compound.name, a.building.name, a.floor.number, a.room.number,
               "办公室", area, a.org.uscc]  # fmt: skip
        return [sheet("房间", ROOM_HEADERS, row)]

    def import_rooms(self, area: str, **kwargs):
        return run_import(actor=self.user_with_perm, sheets=self.room_file(area), **kwargs)

    def edit_meanwhile(self, **data) -> None:
        room = Room.objects.get(pk=self.world.a.room.pk)
        service_for(Room).update(actor=self.user_org_scoped, instance=room, data=data)

    def test_update_raises_the_version_in_the_same_write_and_logs_it(self):
        room = self.world.a.room
        version = room.version
        result = self.import_rooms("11", commit=True)
        self.assertTrue(result.committed, result.errors)
        room.refresh_from_db()
        self.assertEqual((room.usable_area, room.version), (Decimal("11.00"), version + 1))
        change = ObjectChange.objects.get(action="update", changed_object_id=room.pk)
        self.assertEqual(change.prechange_data["version"], version)
        self.assertEqual(change.postchange_data["version"], version + 1)

    def test_preview_records_the_versions_it_is_based_on(self):
        room = self.world.a.room
        preview = self.import_rooms("11")
        self.assertEqual(preview.versions, {"registry.room": {str(room.pk): room.version}})
        self.assertEqual(preview.as_dict()["versions"], preview.versions)
        result = self.import_rooms("11", commit=True, based_on=preview.versions)
        self.assertTrue(result.committed, result.errors)

    def test_commit_refuses_a_row_changed_since_the_preview_and_writes_nothing(self):
        room = self.world.a.room
        old_area = room.usable_area
        preview = self.import_rooms("11")
        self.edit_meanwhile(name="改名后")
        logged = ObjectChange.objects.count()

        result = self.import_rooms("11", commit=True, based_on=preview.versions)
        self.assertFalse(result.committed)
        self.assertEqual(result.error_count, 1)
        error = result.errors[0]
        self.assertEqual((error.sheet, error.row), ("房间", 2))
        room.refresh_from_db()
        self.assertEqual(error.message, f"“{room}”在预览后已被 unit_a 修改，请重新上传。")
        self.assertEqual((room.usable_area, room.name), (old_area, "改名后"))
        self.assertEqual(ObjectChange.objects.count(), logged)

    def test_a_row_unchanged_at_the_preview_is_refused_when_it_would_now_undo_an_edit(self):
        room = self.world.a.room
        preview = self.import_rooms(str(room.usable_area))
        self.assertEqual(preview.counts["房间"].unchanged, 1)
        self.edit_meanwhile(usable_area=Decimal("20"))

        result = self.import_rooms(str(room.usable_area), commit=True, based_on=preview.versions)
        self.assertFalse(result.committed)
        self.assertIn("在预览后已被 unit_a 修改，请重新上传", result.errors[0].message)
        room.refresh_from_db()
        self.assertEqual(room.usable_area, Decimal("20.00"))
