"""一图展示: floor plans (drawn and schematic), the building stack, the compounds map, and the
WGS84 ↔ GCJ-02 conversion."""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace

from django.test import SimpleTestCase, TestCase
from django.urls import reverse
from shapely.geometry import Polygon

from ...accounts.roles import Role
from ...compliance.models import Rule, State, Subject, Warning
from ...framework import maps
from .. import compound_map, floorplan
from ..choices import RoomCategory, RoomStatus
from ..demo.geometry import room_geometries
from ..models import Compound, Room
from . import factories as f
from .world import WorldMixin, make_user


def square(x: float, y: float, side: float) -> dict:
    ring = [[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def warn(room: Room, *, rule: str = Rule.R1, excess: str | None = "6.50", state=State.OPEN):
    return Warning.objects.create(
        rule=rule,
        key=f"{rule}:room:{room.pk}",
        subject=Subject.ROOM,
        region=room.floor.building.compound.region,
        organization=room.organization,
        room=room,
        subject_label=room.number,
        summary="测试",
        excess_area=Decimal(excess) if excess else None,
        state=state,
    )


class FloorPlanTests(WorldMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        a = cls.world.a
        Room.objects.filter(pk=a.room.pk).update(geometry=square(0, 0, 4))
        # A second room on the same floor, of the other side's organization.
        cls.other = f.RoomFactory(
            floor=a.floor,
            number="102",
            organization=cls.world.b.org,
            category=RoomCategory.SERVICE,
            subtype="会议室",
            status=RoomStatus.IDLE,
            geometry=square(5, 0, 3),
        )

    def test_drawn_rooms_become_paths_flipped_to_svg_y(self):
        plan = floorplan.floor_plan(self.user_with_perm, self.world.a.floor)
        self.assertFalse(plan.schematic)
        by_number = {r.number: r for r in plan.rooms}
        self.assertEqual(set(by_number), {"101", "102"})
        # Bounds 0..8 × 0..4 with a 0.5 m margin: y = 0 (the bottom) is drawn at 4.5.
        self.assertEqual((plan.width, plan.height), (9.0, 5.0))
        self.assertTrue(by_number["101"].path.startswith("M0.50,4.50 4.50,4.50 4.50,0.50"))
        self.assertEqual((by_number["101"].label_x, by_number["101"].label_y), (2.5, 2.5))

    def test_each_mode_has_its_colour(self):
        plan = floorplan.floor_plan(self.user_with_perm, self.world.a.floor, mode="status")
        room = next(r for r in plan.rooms if r.number == "102")
        self.assertEqual(plan.mode, "status")
        self.assertEqual(room.color, floorplan.STATUS_COLORS[RoomStatus.IDLE])
        self.assertEqual(room.colors["category"], floorplan.CATEGORY_COLORS[RoomCategory.SERVICE])
        first = next(r for r in plan.rooms if r.number == "101")
        self.assertNotEqual(first.colors["organization"], room.colors["organization"])
        # One occupant in 101 (the world's occupancy), none in 102.
        self.assertEqual(first.occupants, [self.world.a.person.name])
        self.assertEqual(first.colors["occupancy"], floorplan.occupancy_color(1))
        self.assertEqual(room.colors["occupancy"], floorplan.occupancy_color(0))
        self.assertEqual(floorplan.clean_mode("<script>"), floorplan.DEFAULT_MODE)

    def test_over_standard_room_is_red_with_its_excess(self):
        warn(self.world.a.room)
        warn(self.other, rule=Rule.R5, excess=None)
        plan = floorplan.floor_plan(self.user_with_perm, self.world.a.floor, mode="compliance")
        by_number = {r.number: r for r in plan.rooms}
        self.assertEqual(by_number["101"].color, floorplan.OVER_STANDARD)
        self.assertEqual(by_number["101"].excess, Decimal("6.50"))
        self.assertEqual(by_number["102"].color, floorplan.OTHER_WARNING)

    def test_resolved_warning_leaves_the_room_compliant(self):
        warn(self.world.a.room, state=State.RESOLVED)
        plan = floorplan.floor_plan(self.user_with_perm, self.world.a.floor, mode="compliance")
        room = next(r for r in plan.rooms if r.number == "101")
        self.assertEqual(room.color, floorplan.COMPLIANT)
        self.assertIsNone(room.excess)

    def test_unit_sees_only_its_rooms(self):
        # Side b's unit uses 102 in side a's building (not its compound): it sees 102 alone;
        # side a's unit owns the compound and reads every room in it.
        unit_b = make_user("unit_b", [Role.UNIT_ADMIN], scope_organization=self.world.b.org)
        plan = floorplan.floor_plan(unit_b, self.world.a.floor)
        self.assertEqual([r.number for r in plan.rooms], ["102"])
        owner = floorplan.floor_plan(self.user_org_scoped, self.world.a.floor)
        self.assertEqual([r.number for r in owner.rooms], ["101", "102"])
        self.client.force_login(unit_b)
        content = self.client.get(reverse("registry:floor", args=[self.world.a.floor.pk])).content
        self.assertNotIn(b'data-number="101"', content)
        self.assertIn(b'data-number="102"', content)

    def test_floor_without_geometry_is_a_schematic_with_areas_kept(self):
        Room.objects.filter(floor=self.world.a.floor).update(geometry=None)
        plan = floorplan.floor_plan(self.user_with_perm, self.world.a.floor)
        self.assertTrue(plan.schematic)
        for room in plan.rooms:
            numbers = [float(v) for v in re.findall(r"-?\d+\.\d+", room.path)]
            xs, ys = numbers[0::2], numbers[1::2]
            area = (max(xs) - min(xs)) * (max(ys) - min(ys))
            self.assertAlmostEqual(area, float(room.area), delta=0.05)
        self.client.force_login(self.user_with_perm)
        content = self.client.get(reverse("registry:floor", args=[self.world.a.floor.pk]))
        self.assertContains(content, "示意图（按登记面积，非实测）")

    def test_bad_geometry_is_listed_not_drawn(self):
        Room.objects.filter(pk=self.other.pk).update(
            geometry={"type": "Polygon", "coordinates": [[[0, "x"]]]}
        )
        plan = floorplan.floor_plan(self.user_with_perm, self.world.a.floor)
        self.assertEqual([r.number for r in plan.rooms], ["101"])
        self.assertEqual([r.number for r in plan.missing], ["102"])

    def test_floor_page_draws_the_plan_in_the_mode_asked(self):
        self.client.force_login(self.user_with_perm)
        url = reverse("registry:floor", args=[self.world.a.floor.pk])
        response = self.client.get(url, {"mode": "status"})
        self.assertContains(response, "楼层平面图")
        self.assertContains(response, 'data-plan-mode="status" aria-current="true"')
        self.assertContains(response, f'fill="{floorplan.STATUS_COLORS[RoomStatus.IDLE]}"')
        self.assertContains(response, f'href="{self.other.get_absolute_url()}"')

    def test_print_page_and_pdf(self):
        self.client.force_login(self.user_with_perm)
        pk = self.world.a.floor.pk
        page = self.client.get(reverse("registry:floor_plan_print", args=[pk]))
        self.assertContains(page, "data-plan-autoprint")
        pdf = self.client.get(reverse("registry:floor_plan_pdf", args=[pk]), {"mode": "compliance"})
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        self.assertTrue(pdf.content.startswith(b"%PDF"))

    def test_other_unit_gets_404_for_print_and_pdf_of_a_floor_outside_its_scope(self):
        self.client.force_login(self.user_org_scoped)
        pk = self.world.b.floor.pk
        self.assertEqual(
            self.client.get(reverse("registry:floor_plan_print", args=[pk])).status_code, 404
        )
        self.assertEqual(
            self.client.get(reverse("registry:floor_plan_pdf", args=[pk])).status_code, 404
        )

    def test_building_stack_rows_proportional_to_area(self):
        upper = f.FloorFactory(building=self.world.a.building, number=2)
        f.RoomFactory(
            floor=upper,
            number="201",
            organization=self.world.a.org,
            usable_area=Decimal("36.00"),
            building_area=Decimal("40.00"),
        )
        stack = floorplan.building_stack(
            self.user_with_perm, self.world.a.building, mode="category"
        )
        self.assertEqual([s.label for s in stack.floors], [upper.label, self.world.a.floor.label])
        widths = {
            r.number: float(re.search(r"h([\d.]+)", r.path).group(1))
            for s in stack.floors
            for r in s.rooms
        }
        # 201 (36 m²) is the largest floor's only room: the full row; 101 (18 m²) half of it.
        self.assertAlmostEqual(widths["201"], 900.0, delta=0.1)
        self.assertAlmostEqual(widths["101"], 450.0, delta=0.1)
        self.client.force_login(self.user_with_perm)
        response = self.client.get(reverse("registry:building", args=[self.world.a.building.pk]))
        self.assertContains(response, "楼层房间分布")


class CompoundMapTests(WorldMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Compound.objects.filter(pk=cls.world.a.compound.pk).update(lat="35.08", lng="117.15")
        Compound.objects.filter(pk=cls.world.b.compound.pk).update(lat="34.86", lng="117.56")

    def test_points_coloured_by_open_warnings(self):
        for rule in (Rule.R1, Rule.R5, Rule.R8):
            Warning.objects.create(
                rule=rule,
                key=f"{rule}:t",
                subject=Subject.ROOM,
                region=self.world.a.region,
                organization=self.world.a.org,
                room=self.world.a.room,
                subject_label="101",
                summary="测试",
            )
        page = compound_map.map_page(self.user_with_perm)
        points = {p["url"]: p for p in page["spec"]["points"]}
        a = points[reverse("registry:compound", args=[self.world.a.compound.pk])]
        self.assertEqual(a["color"], compound_map.MANY_WARNINGS)
        self.assertEqual(a["rank"], 3)
        self.assertIsNone(page["spec"]["tiles"])
        self.assertEqual(page["spec"]["labels"][0]["text"], self.world.a.region.name)

    def test_scope_unit_sees_its_compound_only(self):
        page = compound_map.map_page(self.user_org_scoped)
        self.assertEqual(
            [p["url"] for p in page["spec"]["points"]],
            [reverse("registry:compound", args=[self.world.a.compound.pk])],
        )
        self.assertEqual(page["spec"]["points"][0]["color"], compound_map.NO_WARNING)

    def test_map_page_and_card(self):
        self.client.force_login(self.user_with_perm)
        response = self.client.get(reverse("registry:map"))
        self.assertContains(response, 'data-map="compound-map"')
        self.assertContains(response, "vendor/leaflet/leaflet.js")
        card = self.client.get(reverse("registry:compound_card", args=[self.world.a.compound.pk]))
        self.assertContains(card, self.world.a.building.name)
        self.assertContains(card, reverse("registry:floor", args=[self.world.a.floor.pk]))
        self.client.force_login(self.user_org_scoped)
        outside = reverse("registry:compound_card", args=[self.world.b.compound.pk])
        self.assertEqual(self.client.get(outside).status_code, 404)

    def test_configured_tiles_reach_the_spec(self):
        with self.settings(MAP_TILES={"url": "https://t{s}.example/{z}/{x}/{y}", "crs": "gcj02"}):
            spec = compound_map.map_page(self.user_with_perm)["spec"]
        self.assertEqual(spec["tiles"]["crs"], "gcj02")


class Gcj02Tests(SimpleTestCase):
    def test_known_point(self):
        # Reference pair of the widely used coordtransform library (Beijing, Tian'anmen).
        lat, lng = maps.wgs84_to_gcj02(39.915, 116.404)
        self.assertAlmostEqual(lat, 39.91640428150164, places=9)
        self.assertAlmostEqual(lng, 116.41024449916938, places=9)

    def test_round_trip_within_a_centimetre(self):
        for lat, lng in ((35.0, 117.3), (22.54, 114.06), (45.75, 126.63)):
            back = maps.gcj02_to_wgs84(*maps.wgs84_to_gcj02(lat, lng))
            self.assertAlmostEqual(back[0], lat, places=7)
            self.assertAlmostEqual(back[1], lng, places=7)

    def test_outside_china_unchanged(self):
        self.assertEqual(maps.wgs84_to_gcj02(48.85, 2.35), (48.85, 2.35))
        self.assertEqual(maps.gcj02_to_wgs84(48.85, 2.35), (48.85, 2.35))

    def test_offset_is_a_few_hundred_metres(self):
        lat, lng = maps.wgs84_to_gcj02(34.81, 117.32)
        self.assertGreater(abs(lng - 117.32) + abs(lat - 34.81), 0.001)
        self.assertLess(abs(lng - 117.32) + abs(lat - 34.81), 0.02)


class DemoGeometryTests(SimpleTestCase):
    def test_every_room_gets_a_polygon_of_its_area(self):
        rooms = [
            SimpleNamespace(floor=0, number="101", name="办公室", usable_area=Decimal("18.50")),
            SimpleNamespace(floor=0, number="102", name="会议室", usable_area=Decimal("72.30")),
            SimpleNamespace(floor=1, number="101", name="档案室", usable_area=Decimal("25.00")),
        ]
        geometries = room_geometries(SimpleNamespace(rooms=rooms))
        for room, geometry in zip(rooms, geometries, strict=True):
            rings = geometry["coordinates"]
            self.assertAlmostEqual(
                Polygon(rings[0], rings[1:]).area, float(room.usable_area), delta=0.01
            )
