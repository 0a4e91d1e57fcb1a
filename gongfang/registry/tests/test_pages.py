"""Pages beyond the generic CRUD tests: dashboard, search, list mechanics, change log, menu."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.template import Context, Template
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ...accounts.roles import Role
from ...framework.models import ObjectChange
from ...framework.services import service_for
from ...framework.tables import ObjectChangeTable
from .. import tables as t
from ..choices import RegionLevel
from ..models import Room
from . import factories as f
from .world import WorldMixin, make_user


def _queries(client, url, **extra) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    return len(ctx.captured_queries), response


class DashboardTests(WorldMixin, TestCase):
    def test_region_scope_totals_and_breakdown(self):
        self.client.force_login(self.user_with_perm)
        response = self.client.get(reverse("home"))
        self.assertEqual(response.status_code, 200)
        board = response.context["board"]
        self.assertEqual(board.mode, "region")
        self.assertEqual(board.totals.rooms, 1)
        self.assertEqual(board.totals.organizations, 2)
        self.assertEqual(board.totals.building_area, self.world.a.building.building_area)

    def test_drill_down_inside_scope_only(self):
        city_user = make_user("city", [Role.BUREAU_ADMIN], scope_region=self.world.city)
        self.client.force_login(city_user)
        board = self.client.get(reverse("home")).context["board"]
        self.assertEqual({r.key for r in board.rows}, {"370481", "370402"})
        self.assertEqual(board.totals.rooms, 2)
        response = self.client.get(reverse("home"), {"region": "370481"})
        self.assertEqual(response.context["board"].totals.rooms, 1)
        self.client.force_login(self.user_with_perm)
        self.assertEqual(self.client.get(reverse("home"), {"region": "370402"}).status_code, 404)
        self.assertEqual(self.client.get(reverse("home"), {"region": "370400"}).status_code, 404)

    def test_query_count_does_not_grow_with_regions(self):
        city_user = make_user("city", [Role.BUREAU_ADMIN], scope_region=self.world.city)
        self.client.force_login(city_user)
        before, _ = _queries(self.client, reverse("home"))
        for code in ("370403", "370404", "370405"):
            region = f.RegionFactory(
                code=code, name=f"区{code}", level=RegionLevel.COUNTY, parent=self.world.city
            )
            org = f.OrganizationFactory(region=region)
            compound = f.CompoundFactory(region=region, owner_org=org)
            floor = f.FloorFactory(building=f.BuildingFactory(compound=compound), number=1)
            for n in range(3):
                f.RoomFactory(floor=floor, number=f"10{n}", organization=org)
        # Factories write without the change log, which dates the cached figures: drop them.
        cache.clear()
        after, response = _queries(self.client, reverse("home"))
        self.assertEqual(before, after)
        self.assertEqual(response.context["board"].totals.rooms, 11)

    def test_figures_cached_until_a_write(self):
        city_user = make_user("city", [Role.BUREAU_ADMIN], scope_region=self.world.city)
        self.client.force_login(city_user)
        first, response = _queries(self.client, reverse("home"))
        self.assertEqual(response.context["board"].totals.rooms, 2)
        again, response = _queries(self.client, reverse("home"))
        self.assertLess(again, first)
        self.assertEqual(response.context["board"].totals.rooms, 2)
        # Another scope or drill-down has figures of its own.
        self.client.force_login(self.user_with_perm)
        self.assertEqual(self.client.get(reverse("home")).context["board"].totals.rooms, 1)
        # A write through a service (logged) shows at once, in every scope that holds it.
        service_for(Room).create(
            actor=city_user,
            data={
                "floor": self.world.a.floor,
                "number": "999",
                "category": self.world.a.room.category,
                "usable_area": "12.00",
            },
        )
        self.assertEqual(self.client.get(reverse("home")).context["board"].totals.rooms, 2)
        self.client.force_login(city_user)
        self.assertEqual(self.client.get(reverse("home")).context["board"].totals.rooms, 3)

    def test_organization_scope(self):
        self.client.force_login(self.user_org_scoped)
        board = self.client.get(reverse("home")).context["board"]
        self.assertEqual(board.mode, "organization")
        self.assertEqual(board.current, self.world.a.org)
        self.assertEqual(board.totals.persons, 1)

    def test_account_without_scope(self):
        self.client.force_login(self.user_no_role)
        response = self.client.get(reverse("home"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["board"].mode, "none")


class SearchTests(WorldMixin, TestCase):
    def test_grouped_results_inside_scope(self):
        self.client.force_login(self.user_with_perm)
        response = self.client.get(reverse("search"), {"q": "张三"})
        content = response.content.decode()
        self.assertIn(self.world.a.person.get_absolute_url(), content)
        self.assertNotIn(self.world.b.person.get_absolute_url(), content)
        response = self.client.get(reverse("search"), {"q": "教育局"})
        self.assertIn(self.world.a.org.get_absolute_url(), response.content.decode())
        self.assertNotIn(self.world.b.org.get_absolute_url(), response.content.decode())


class ListPageTests(WorldMixin, TestCase):
    def test_queries_do_not_grow_with_page_size(self):
        self.client.force_login(self.user_with_perm)
        url = reverse("registry:room_list")
        few, _ = _queries(self.client, url)
        for n in range(30):
            f.RoomFactory(
                floor=self.world.a.floor, number=f"2{n:02d}", organization=self.world.a.org
            )
        cache.clear()  # factories write without the change log, which dates the cached count
        many, response = _queries(self.client, url, data={"per_page": 100})
        self.assertEqual(few, many)
        self.assertEqual(len(response.context["table"].page.object_list), 31)

    def test_count_and_page_cached_until_a_write(self):
        self.client.force_login(self.user_with_perm)
        url = reverse("registry:room_list")
        first, response = _queries(self.client, url)
        self.assertEqual(response.context["table"].paginator.count, 1)
        again, response = _queries(self.client, url)
        self.assertLess(again, first)
        service_for(Room).create(
            actor=self.user_with_perm,
            data={
                "floor": self.world.a.floor,
                "number": "998",
                "category": self.world.a.room.category,
                "usable_area": "10.00",
            },
        )
        response = self.client.get(url)
        self.assertEqual(response.context["table"].paginator.count, 2)
        self.assertContains(response, ">998</a>")

    def test_filter_form_cached_until_a_write(self):
        self.client.force_login(self.user_with_perm)
        url = reverse("registry:room_list")
        org = self.world.a.org
        self.assertContains(self.client.get(url, {"organization": org.pk}), org.name)
        service_for(type(org)).update(
            actor=self.user_with_perm, instance=org, data={"name": "新名称单位"}
        )
        response = self.client.get(url, {"organization": org.pk, "page": 1})
        self.assertContains(response, f'<option value="{org.pk}" selected>新名称单位</option>')

    def test_htmx_request_gets_the_table_fragment(self):
        self.client.force_login(self.user_with_perm)
        response = self.client.get(reverse("registry:room_list"), headers={"HX-Request": "true"})
        content = response.content.decode()
        self.assertIn('id="object-table"', content)
        self.assertNotIn("<html", content)
        self.assertIn("HX-Request", response["Vary"])

    def test_chosen_columns_are_remembered(self):
        self.client.force_login(self.user_with_perm)
        url = reverse("registry:room_list")
        response = self.client.get(url, {"columns": ["number", "compound"]})
        self.assertEqual(response.context["visible_columns"], ["number", "compound"])
        response = self.client.get(url)
        self.assertEqual(response.context["visible_columns"], ["number", "compound"])
        response = self.client.get(url, {"columns": ""})
        self.assertIn("usable_area", response.context["visible_columns"])

    def test_add_button_only_with_permission(self):
        self.client.force_login(self.user_view_only)
        content = self.client.get(reverse("registry:room_list")).content.decode()
        self.assertNotIn(reverse("registry:room_add"), content)
        self.client.force_login(self.user_with_perm)
        content = self.client.get(reverse("registry:room_list")).content.decode()
        self.assertIn(reverse("registry:room_add"), content)


# The per-cell loop framework/table.html ran before rows were rendered in Python (plus the
# column's name on each cell, for the phone's card layout).
CELL_BY_CELL = Template(
    "{% for row in table.paginated_rows %}<tr {{ row.attrs.as_html }}>"
    "{% for column, cell in row.items %}<td {{ column.attrs.td.as_html }}"
    "{% if column.name != 'actions' %} data-label=\"{{ column.header }}\"{% endif %}>{{ cell }}</td>"
    "{% endfor %}</tr>{% endfor %}"
)


class TableRenderingTests(WorldMixin, TestCase):
    def test_rows_rendered_as_django_tables2_renders_each_cell(self):
        service_for(Room).update(
            actor=self.user_with_perm, instance=self.world.a.room, data={"name": "<b>会议室</b>"}
        )
        for table_class in (
            t.RegionTable,
            t.OrganizationTable,
            t.LeadershipQuotaTable,
            t.CompoundTable,
            t.BuildingTable,
            t.FloorTable,
            t.RoomTable,
            t.PersonTable,
            t.PostTable,
            t.OccupancyTable,
            t.ParkingLotTable,
            t.CanteenTable,
            ObjectChangeTable,
        ):
            with self.subTest(table_class.__name__):
                tables = []
                for _ in range(2):  # rows count odd and even from the table's first render
                    model = table_class._meta.model
                    tables.append(table_class(model.objects.all(), user=self.user_with_perm))
                    tables[-1].paginate(per_page=50)  # every column shown, row buttons too
                self.assertTrue(tables[0].paginator.count)
                expected = CELL_BY_CELL.render(Context({"table": tables[1]}))
                self.assertHTMLEqual(tables[0].body_html(), expected)
        self.assertIn("&lt;b&gt;会议室&lt;/b&gt;", t.RoomTable(Room.objects.all()).body_html())


class ChangeLogTests(WorldMixin, TestCase):
    def setUp(self):
        room = Room.objects.get(pk=self.world.a.room.pk)
        service_for(Room).update(actor=self.user_with_perm, instance=room, data={"name": "档案室"})
        self.change = ObjectChange.objects.get(changed_object_id=room.pk, action="update")
        self.auditor = make_user("auditor", [Role.AUDIT_ADMIN])

    def test_only_audit_admin(self):
        self.client.force_login(self.user_with_perm)
        self.assertEqual(self.client.get(reverse("framework:objectchange_list")).status_code, 403)
        self.client.force_login(self.auditor)
        response = self.client.get(reverse("framework:objectchange_list"))
        self.assertContains(response, self.change.get_absolute_url())
        response = self.client.get(self.change.get_absolute_url())
        self.assertContains(response, "档案室")

    def test_filters(self):
        self.client.force_login(self.auditor)
        url = reverse("framework:objectchange_list")
        response = self.client.get(url, {"request_id": str(self.change.request_id)})
        self.assertContains(response, self.change.get_absolute_url())
        response = self.client.get(url, {"action": "delete"})
        self.assertNotContains(response, self.change.get_absolute_url())
        response = self.client.get(url, {"q": "不存在zzz"})
        self.assertNotContains(response, self.change.get_absolute_url())

    def test_menu(self):
        self.client.force_login(self.auditor)
        content = self.client.get(reverse("home")).content.decode()
        self.assertIn(reverse("framework:objectchange_list"), content)
        self.assertNotIn(reverse("registry:room_list"), content)
        self.client.force_login(self.user_view_only)
        content = self.client.get(reverse("home")).content.decode()
        self.assertNotIn(reverse("framework:objectchange_list"), content)
        self.assertIn(reverse("registry:room_list"), content)
