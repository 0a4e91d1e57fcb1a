"""The holiday calendar's pages, API and import (framework.holidays).

The calendar is national: no row lies outside an account's scope. The generic tests run on both
models; their out-of-scope cases become "every business account reads it, wherever it is scoped"
and, for creating, "a row the rules refuse is not written" (``create_data(in_scope=False)``).
"""

from __future__ import annotations

import datetime
import io
from typing import Any
from unittest import mock

import openpyxl
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from ...accounts.roles import Role
from ...registry.tests.world import WorldMixin, make_user
from .. import clock, workdays
from ..holidays import services as holiday_services
from ..models import CalendarDay, CalendarDayKind, HolidayYear, HolidayYearState, ObjectChange
from ..services import service_for
from ..testing import APITestCases, ViewTestCases

D = datetime.date


class CalendarWorld(WorldMixin):
    """The registry's world and accounts, a pending year 2031 with its New Year's Day, and a
    unit admin of the other side (市中区) who reads the same national calendar."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.year = HolidayYear.objects.create(year=2031, source="测试通知", note="测试")
        cls.new_year = CalendarDay.objects.create(
            year=cls.year, date=D(2031, 1, 1), kind=CalendarDayKind.HOLIDAY, name="元旦"
        )
        cls.other_side = make_user("unit_b", [Role.UNIT_ADMIN], scope_organization=cls.world.b.org)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        workdays.clear_cache()  # the rows above are rolled back; the process copy must follow

    def tearDown(self):
        workdays.clear_cache()
        super().tearDown()

    def out_of_scope_object(self):
        return None  # national data: no row lies outside anyone's scope

    def readers(self) -> list:
        return [self.user_with_perm, self.user_view_only, self.user_org_scoped, self.other_side]


class ViewNational:
    """The page side of national data: every business account reads it, only the bureau writes."""

    def assert_everyone_reads(self) -> None:
        obj = self.in_scope_object()
        for user in self.readers():
            self.client.force_login(user)
            list_url = reverse(f"framework:{self.model._meta.model_name}_list")
            list_page = self.client.get(list_url, {"q": "2031"})
            self.assertContains(
                list_page, f'href="{obj.get_absolute_url()}"', msg_prefix=user.username
            )
            self.assertEqual(self.client.get(obj.get_absolute_url()).status_code, 200)

    def test_list_shows_only_scope(self):
        self.assert_everyone_reads()

    def test_list_org_scoped_account(self):
        self.assert_everyone_reads()

    def test_detail_out_of_scope_is_404(self):
        self.assert_everyone_reads()

    def assert_only_the_bureau_writes(self) -> None:
        obj = self.in_scope_object()
        name = self.model._meta.model_name
        for user in (self.user_org_scoped, self.other_side, self.user_view_only):
            self.client.force_login(user)
            for suffix in ("_edit", "_delete"):
                url = reverse(f"framework:{name}{suffix}", args=[obj.pk])
                self.assertEqual(self.client.post(url).status_code, 403, (user, suffix))
        self.assertTrue(self.model.objects.filter(pk=obj.pk).exists())

    def test_edit_out_of_scope_is_404(self):
        self.assert_only_the_bureau_writes()

    def test_delete_out_of_scope_is_404(self):
        self.assert_only_the_bureau_writes()


class HolidayYearData(CalendarWorld):
    model = HolidayYear

    def in_scope_object(self):
        return self.year

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        if in_scope:
            return {"year": 2032, "state": HolidayYearState.PENDING, "source": "", "note": "测试"}
        # Announced without its notice: refused.
        return {"year": 2033, "state": HolidayYearState.ANNOUNCED, "source": "", "note": ""}

    def update_data(self):
        return {"note": "国务院办公厅通知尚未印发"}


class CalendarDayData(CalendarWorld):
    model = CalendarDay

    def in_scope_object(self):
        return self.new_year

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        if in_scope:
            return {"year": self.year.pk, "date": "2031-10-01", "kind": "holiday", "name": "国庆节"}
        # A Wednesday cannot be a weekend day worked in exchange: refused.
        return {"year": self.year.pk, "date": "2031-10-08", "kind": "makeup_workday", "name": ""}

    def update_data(self):
        return {"name": "新年"}


class APINational:
    """The API side of national data: every business account lists it; others write nothing."""

    def test_api_list_shows_only_scope(self):
        obj = self.in_scope_object()
        for user in self.readers():
            self.client.force_login(user)
            response = self.client.get(self.list_url(), {"q": "2031"})
            self.assertEqual(response.status_code, 200)
            self.assertIn(obj.pk, self.result_ids(response))

    def test_api_retrieve_out_of_scope_is_404(self):
        self.client.force_login(self.other_side)
        self.assertEqual(self.client.get(self.detail_url(self.in_scope_object())).status_code, 200)

    def test_api_update_out_of_scope_is_404(self):
        self.client.force_login(self.other_side)
        obj = self.in_scope_object()
        response = self.client.patch(self.detail_url(obj), self.update_data(), format="json")
        self.assertEqual(response.status_code, 403)

    def test_api_delete_out_of_scope_is_404(self):
        self.client.force_login(self.other_side)
        obj = self.in_scope_object()
        self.assertEqual(self.client.delete(self.detail_url(obj)).status_code, 403)
        self.assertTrue(self.model.objects.filter(pk=obj.pk).exists())


class TestHolidayYearViews(HolidayYearData, ViewNational, ViewTestCases.PrimaryObjectViewTestCase):
    pass


class TestCalendarDayViews(CalendarDayData, ViewNational, ViewTestCases.PrimaryObjectViewTestCase):
    pass


class TestHolidayYearAPI(HolidayYearData, APINational, APITestCases.APIViewTestCase):
    pass


class TestCalendarDayAPI(CalendarDayData, APINational, APITestCases.APIViewTestCase):
    pass


# The year page, announcing, importing ---------------------------------------------------------------
def xlsx(rows: list[tuple]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class YearPageTests(CalendarWorld, TestCase):
    model = HolidayYear

    def in_scope_object(self):
        return self.year

    def test_a_seeded_year_shows_its_months_holidays_and_worked_saturdays(self):
        year = HolidayYear.objects.get(year=2026)
        self.client.force_login(self.user_org_scoped)
        response = self.client.get(year.get_absolute_url())
        self.assertContains(response, "国办发明电〔2025〕7号")
        self.assertContains(response, "12月</caption>")
        self.assertContains(response, 'title="2026-10-10 调休上班（国庆节）"')
        self.assertContains(response, 'title="2026-02-17 法定节假日（春节）"')
        self.assertContains(response, 'title="2026-10-11 周末"')
        # A unit admin reads; the bureau's buttons are not there.
        self.assertNotContains(response, reverse("framework:holidayyear_import", args=[year.pk]))
        self.assertNotContains(response, "公布</a>")

    def test_the_list_names_each_years_state(self):
        self.client.force_login(self.user_view_only)
        response = self.client.get(reverse("framework:holidayyear_list"), {"q": "2031"})
        self.assertContains(response, "未公布")
        self.assertContains(response, "未列出或未公布的年份视为未知")

    def test_the_list_reminds_the_bureau_of_next_year_not_entered(self):
        next_year = clock.today().year + 1
        self.client.force_login(self.user_with_perm)
        response = self.client.get(reverse("framework:holidayyear_list"))
        self.assertContains(response, f"{next_year}年的节假日安排尚未录入")
        add = reverse("framework:holidayyear_add")
        self.assertContains(response, f'href="{add}?year={next_year}"')
        form = self.client.get(add, {"year": next_year})
        self.assertEqual(form.context["form"]["year"].value(), str(next_year))
        # Entered but not announced: the reminder stays, pointing to the year.
        pending = HolidayYear.objects.create(year=next_year)
        response = self.client.get(reverse("framework:holidayyear_list"))
        self.assertContains(response, f"{next_year}年的节假日安排已录入、尚未公布")
        self.assertContains(response, f'href="{pending.get_absolute_url()}"')

    def test_announcing_a_year_makes_its_days_count(self):
        self.assertEqual(workdays.day_status(D(2031, 1, 1)).kind, workdays.DayKind.UNKNOWN)
        self.client.force_login(self.user_with_perm)
        url = reverse("framework:holidayyear_announce", args=[self.year.pk])
        page = self.client.get(self.year.get_absolute_url())
        self.assertContains(page, url)
        self.assertContains(page, "尚未公布")
        data = {"source": "国办发明电〔2030〕9号", "announced_on": "2030-11-04", "version": 1}
        response = self.client.post(url, data)
        self.assertRedirects(response, self.year.get_absolute_url())
        self.year.refresh_from_db()
        self.assertEqual(self.year.state, HolidayYearState.ANNOUNCED)
        status = workdays.day_status(D(2031, 1, 1))
        self.assertEqual((status.kind, status.name), (workdays.DayKind.HOLIDAY, "元旦"))
        self.assertEqual(status.source, "国办发明电〔2030〕9号")
        change = ObjectChange.objects.filter(changed_object_id=self.year.pk).latest("pk")
        self.assertEqual(change.postchange_data["state"], HolidayYearState.ANNOUNCED)

    def test_announcing_needs_the_notice_and_the_bureau(self):
        url = reverse("framework:holidayyear_announce", args=[self.year.pk])
        self.client.force_login(self.user_org_scoped)
        self.assertEqual(self.client.post(url, {"source": "x"}).status_code, 403)
        self.client.force_login(self.user_with_perm)
        response = self.client.post(url, {"source": "", "announced_on": "2030-11-04"})
        self.assertContains(response, "该字段是必填项")
        self.year.refresh_from_db()
        self.assertEqual(self.year.state, HolidayYearState.PENDING)

    def test_importing_a_spreadsheet_adds_changes_and_replaces(self):
        self.client.force_login(self.user_with_perm)
        url = reverse("framework:holidayyear_import", args=[self.year.pk])
        self.assertContains(self.client.get(url), "调休上班")
        rows = [
            ("日期", "类型", "节日"),
            (datetime.datetime(2031, 1, 1), "法定节假日", "新年"),
            ("2031-10-01", "法定节假日", "国庆节"),
            ("2031/10/11", "调休上班", "国庆节"),
        ]
        upload = SimpleUploadedFile("2031.xlsx", xlsx(rows))
        response = self.client.post(url, {"file": upload})
        self.assertRedirects(response, self.year.get_absolute_url())
        days = {d.date: (d.kind, d.name) for d in self.year.days.all()}
        self.assertEqual(
            days,
            {
                D(2031, 1, 1): ("holiday", "新年"),
                D(2031, 10, 1): ("holiday", "国庆节"),
                D(2031, 10, 11): ("makeup_workday", "国庆节"),
            },
        )
        csv_file = SimpleUploadedFile("2031.csv", "2031年10月1日,休,国庆节\n".encode())
        response = self.client.post(url, {"file": csv_file, "replace": "on"})
        self.assertRedirects(response, self.year.get_absolute_url())
        self.assertEqual([d.date for d in self.year.days.all()], [D(2031, 10, 1)])

    def test_a_faulty_row_names_its_row_and_nothing_is_written(self):
        self.client.force_login(self.user_with_perm)
        url = reverse("framework:holidayyear_import", args=[self.year.pk])
        rows = [
            ("日期", "类型", "节日"),
            ("2031-10-01", "法定节假日", "国庆节"),
            ("2031-10-08", "调休上班", ""),
            ("2031-13-01", "放假", ""),
            ("2030-12-31", "法定节假日", ""),
            ("2031-10-01", "春节", ""),
        ]
        response = self.client.post(url, {"file": SimpleUploadedFile("bad.xlsx", xlsx(rows))})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "未导入任何日期")
        self.assertContains(response, "第 3 行：2031-10-08 不是周六或周日，不能是调休上班日。")
        self.assertContains(response, "第 4 行：日期“2031-13-01”无法识别")
        self.assertContains(response, "第 5 行：日期 2030-12-31 不在2031年内。")
        self.assertContains(
            response,
            "第 6 行：日期 2031-10-01 与第 2 行重复；类型“春节”应为“法定节假日”或“调休上班”。",
        )
        self.assertEqual([d.date for d in self.year.days.all()], [D(2031, 1, 1)])


class ImportServiceTests(CalendarWorld, TestCase):
    model = HolidayYear

    def test_a_row_the_service_refuses_leaves_nothing_written(self):
        service = service_for(CalendarDay)
        calls = []

        def refuse_the_second(*, actor, instance, before):
            calls.append(instance.date)
            if len(calls) == 2:
                raise ValidationError({"name": "测试拒绝"})

        data = "2031-10-01,法定节假日,国庆节\n2031-10-02,法定节假日,国庆节\n".encode()
        with (
            mock.patch.object(service, "validate", refuse_the_second),
            self.assertRaises(ValidationError) as caught,
        ):
            holiday_services.import_days(
                actor=self.user_with_perm, year=self.year, data=data, filename="x.csv"
            )
        self.assertEqual(caught.exception.messages, ["第 2 行：测试拒绝"])
        self.assertEqual([d.date for d in self.year.days.all()], [D(2031, 1, 1)])

    def test_files_it_cannot_read(self):
        cases = [
            (b"", "x.csv", "文件中没有数据行"),
            (b"\x00\x01 not a workbook", "x.xlsx", "无法读取该 Excel 文件"),
            (b"2031-01-01,holiday,x", "x.txt", "只能导入 .xlsx 或 .csv 文件"),
            ("日期,类型,节日\n".encode(), "x.csv", "文件中没有数据行"),
        ]
        for data, name, message in cases:
            with self.subTest(name=name), self.assertRaises(ValidationError) as caught:
                holiday_services.import_days(
                    actor=self.user_with_perm, year=self.year, data=data, filename=name
                )
            self.assertIn(message, caught.exception.messages[0])

    def test_only_the_bureau_imports(self):
        from django.core.exceptions import PermissionDenied

        with self.assertRaises(PermissionDenied):
            holiday_services.import_days(
                actor=self.user_org_scoped,
                year=self.year,
                data="2031-10-01,法定节假日,国庆节\n".encode(),
                filename="x.csv",
            )
        self.assertEqual(self.year.days.count(), 1)
