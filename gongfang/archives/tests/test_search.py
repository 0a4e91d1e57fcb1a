"""Chinese full-text search: a phrase inside a PDF is found, only in scope, safely highlighted."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from ...accounts.roles import Role
from ...registry.selectors import search as global_search
from ...registry.tests.world import make_user
from .. import search
from ..models import Document
from ..services import add_document
from .test_extract import make_docx, make_pdf, make_xlsx
from .world import ArchivesWorldMixin

PHRASE = "屋面防水层翻新"


class SearchWorldMixin(ArchivesWorldMixin):
    """H1's world of papers (a floor plan, a survey report per side) and a few more with text."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        w = cls.world
        cls.bureau_b = make_user("bureau_b", [Role.BUREAU_ADMIN], scope_region=w.b.region)
        cls.unit_b = make_user("unit_b", [Role.UNIT_ADMIN], scope_organization=w.b.org)
        cls.report = cls.add(
            w.a.building,
            make_pdf("2025年度维修工程验收报告", f"本工程对综合楼{PHRASE}，并更换雨水管。"),
            "report.pdf",
            title="验收报告",
        )
        cls.plan = cls.add(
            w.a.floor, make_docx(["平面图说明"], [["房间", "用途"], ["101", "档案室"]]), "p.docx"
        )
        cls.sheet = cls.add(w.b.compound, make_xlsx({"台账": [["设备", "电梯"]]}), "t.xlsx")
        cls.titled = cls.add(w.a.compound, make_pdf("无关内容"), "x.pdf", title=f"{PHRASE}方案")

    @classmethod
    def add(cls, subject, data: bytes, name: str, title: str = "") -> Document:
        from django.core.files.uploadedfile import SimpleUploadedFile

        document = add_document(
            user=cls.city_bureau,
            subject=subject,
            category="construction",
            file=SimpleUploadedFile(name, data),
            title=title,
        )
        search.index_document(document)
        return document


class SearchTests(SearchWorldMixin, TestCase):
    def found(self, user, query: str) -> list[int]:
        return [hit.document.pk for hit in search.search(user, query)]

    def test_phrase_inside_a_pdf_is_found(self):
        self.assertIn(self.report.pk, self.found(self.user_with_perm, PHRASE))
        self.assertIn(self.report.pk, self.found(self.user_with_perm, "防水"))

    def test_phrase_split_across_a_pdf_line_is_found(self):
        # The PDF text may break a phrase with a space or a line break.
        self.assertIn(self.report.pk, self.found(self.user_with_perm, "雨水管"))

    def test_words_not_in_order_are_not_a_phrase(self):
        self.assertEqual(self.found(self.user_with_perm, "防水屋面"), [])

    def test_several_terms_all_required(self):
        self.assertEqual(self.found(self.user_with_perm, "防水 雨水管"), [self.report.pk])
        self.assertEqual(self.found(self.user_with_perm, "防水 电梯"), [])

    def test_one_character_query(self):
        self.assertIn(self.report.pk, self.found(self.user_with_perm, "翻"))
        # The last character of a run is found alone too.
        self.assertIn(self.plan.pk, self.found(self.user_with_perm, "室"))

    def test_docx_table_and_xlsx_cells_are_found(self):
        self.assertEqual(self.found(self.user_with_perm, "档案室"), [self.plan.pk])
        self.assertEqual(self.found(self.bureau_b, "电梯"), [self.sheet.pk])

    def test_ascii_and_full_width_digits(self):
        self.assertIn(self.report.pk, self.found(self.user_with_perm, "２０２５年"))

    def test_title_weighs_more_than_text(self):
        found = self.found(self.city_bureau, PHRASE)
        self.assertEqual(found[:2], [self.titled.pk, self.report.pk])

    def test_out_of_scope_users_do_not_find_it(self):
        self.assertEqual(self.found(self.bureau_b, PHRASE), [])
        self.assertEqual(self.found(self.unit_b, PHRASE), [])
        self.assertEqual(self.found(self.user_no_role, PHRASE), [])
        self.assertEqual(self.found(self.user_with_perm, "电梯"), [])

    def test_visible_ids_agrees_with_the_document_scope(self):
        ids = list(Document.objects.values_list("pk", flat=True))
        users = [self.city_bureau, self.user_with_perm, self.user_view_only, self.user_org_scoped]
        for user in [*users, self.bureau_b, self.unit_b, self.user_no_role]:
            with self.subTest(user=user.username):
                expected = set(
                    Document.objects.restrict(user, "view")
                    .filter(is_current=True)
                    .values_list("pk", flat=True)
                )
                self.assertEqual(search.visible_ids(user, ids), expected)

    def test_scope_checked_in_chunks_until_enough_are_visible(self):
        with (
            mock.patch.object(search, "SCOPE_CHUNK", 1),
            mock.patch.object(search, "FIRST_PAGE", 1),
        ):
            self.assertEqual(self.found(self.bureau_b, "电梯"), [self.sheet.pk])
            self.assertEqual(len(search.search(self.city_bureau, PHRASE, limit=1)), 1)

    def test_unit_finds_documents_of_its_own_building(self):
        self.assertIn(self.report.pk, self.found(self.user_org_scoped, PHRASE))

    def test_scope_applies_before_the_limit(self):
        found = search.search(self.bureau_b, "电梯", limit=1)
        self.assertEqual([hit.document.pk for hit in found], [self.sheet.pk])

    def test_highlight_is_escaped(self):
        evil = self.add(
            self.world.a.room, make_pdf("正文"), "e.pdf", title="<script>alert(1)</script>防水"
        )
        [hit] = [h for h in search.search(self.user_with_perm, "防水 script") if h.document == evil]
        self.assertEqual(
            hit.title,
            "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;<mark>防水</mark>",
        )
        self.assertNotIn("<script", hit.snippet)

    def test_snippet_marks_the_match_in_the_text(self):
        [hit] = search.search(self.user_with_perm, "雨水管")
        self.assertIn("<mark>雨水管</mark>", hit.snippet.replace("\n", ""))

    def test_new_version_replaces_the_old_in_results(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        newer = add_document(
            user=self.city_bureau,
            subject=self.world.a.building,
            category="construction",
            file=SimpleUploadedFile("r2.pdf", make_pdf("修订后的验收报告 外墙涂料")),
            supersedes=self.report,
        )
        search.index_document(newer)
        self.assertEqual(self.found(self.user_with_perm, "外墙涂料"), [newer.pk])
        self.assertNotIn(self.report.pk, self.found(self.user_with_perm, PHRASE))

    def test_removed_and_deleted_documents_are_not_found(self):
        search.remove_document(self.plan)
        self.assertEqual(self.found(self.user_with_perm, "档案室"), [])
        Document.objects.filter(pk=self.sheet.pk).delete()
        self.assertEqual(self.count_rows(self.sheet.pk), 0)

    def test_rebuild_restores_the_index(self):
        search.clear_index()
        self.assertEqual(self.found(self.user_with_perm, PHRASE), [])
        self.assertEqual(
            search.rebuild_index(batch=2), Document.objects.filter(is_current=True).count()
        )
        self.assertIn(self.report.pk, self.found(self.user_with_perm, PHRASE))

    def test_rebuild_command(self):
        search.clear_index()
        out = io.StringIO()
        call_command("rebuild_search_index", "--batch", "1", stdout=out)
        count = Document.objects.filter(is_current=True).count()
        self.assertIn(f"已重建全文检索索引：{count} 份资料", out.getvalue())
        self.assertIn(self.report.pk, self.found(self.user_with_perm, PHRASE))

    def test_global_search_box_lists_documents(self):
        groups = global_search(self.user_with_perm, PHRASE)
        documents = [g for g in groups if g.label == "档案资料"]
        self.assertEqual(len(documents), 1)
        self.assertIn(self.report, [obj for obj, _ in documents[0].results])
        self.assertFalse([g for g in global_search(self.bureau_b, PHRASE) if g.label == "档案资料"])

    ODD = [
        '"',
        "*",
        "OR",
        "AND",
        "NOT",
        "NEAR(",
        "NEAR(防水, 2)",
        "'",
        "\\",
        "^",
        ":",
        "(",
        ")",
        "-",
        "😀",
        "防水*",
        '"防水',
        '防水"',
        "a:b",
        "title:防水",
        "&",
        "|",
        "!",
        "<->",
        ":*",
        "\x00",
        "　",
        "",
        " ",
        "x" * 500,
        "防" * 500,
        "防水 " * 100,
    ]

    def test_odd_queries_never_raise(self):
        for query in self.ODD:
            with self.subTest(query=query):
                self.assertIsInstance(search.search(self.city_bureau, query), list)

    def count_rows(self, pk: int) -> int:
        table = (
            "archives_document_search"
            if connection.vendor == "postgresql"
            else "archives_document_fts"
        )
        column = "document_id" if connection.vendor == "postgresql" else "rowid"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} = %s", [pk])
            return cursor.fetchone()[0]


@pytest.mark.django_db
@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80))
def test_any_query_is_answered(query: str) -> None:
    assert isinstance(search.parse_query(query), list)
    # Every term reaches the engine as valid syntax.
    with connection.cursor() as cursor:
        terms = search.parse_query(query)
        if terms and connection.vendor == "sqlite":
            cursor.execute(
                "SELECT COUNT(*) FROM archives_document_fts WHERE archives_document_fts MATCH %s",
                [search._fts5_query(terms)],
            )
        elif terms:
            cursor.execute("SELECT %s::tsquery", [search._tsquery(terms)])


def test_segmentation() -> None:
    assert search.tokens("办公用房") == ["办公", "公用", "用房", "房"]
    assert search.tokens("办公\n用房 A座３") == ["办公", "公用", "用房", "房", "a", "座", "3"]
    [term] = search.parse_query("用房")
    assert term.tokens == ("用房",) and not term.prefix
    [term] = search.parse_query("楼")
    assert term.tokens == ("楼",) and term.prefix
    assert search.parse_query('" * OR ( 😀') == [search.Term(("or",), False, "or")]


class SearchPageTests(SearchWorldMixin, TestCase):
    def test_page_lists_the_hit_with_its_highlight(self):
        self.client.force_login(self.user_with_perm)
        response = self.client.get("/archives/search/", {"q": PHRASE})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f"<mark>{PHRASE}</mark>", html=False)
        self.assertContains(response, f"/archives/documents/{self.report.pk}/file/")

    def test_page_for_an_out_of_scope_account_lists_nothing(self):
        self.client.force_login(self.bureau_b)
        response = self.client.get("/archives/search/", {"q": PHRASE})
        self.assertContains(response, "没有找到")
        self.assertNotContains(response, f"/archives/documents/{self.report.pk}/")

    def test_page_with_odd_queries(self):
        self.client.force_login(self.user_with_perm)
        for query in ("", '"', "NEAR(", "😀", "<b>x</b>", "防" * 500):
            with self.subTest(query=query):
                response = self.client.get("/archives/search/", {"q": query})
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(response, "<b>x</b>")

    def test_api_answers_hits_in_scope(self):
        self.client.force_login(self.user_with_perm)
        response = self.client.get("/api/archives/search/", {"q": PHRASE})
        self.assertEqual(response.status_code, 200)
        ids = [row["id"] for row in response.json()]
        self.assertIn(self.report.pk, ids)
        row = response.json()[ids.index(self.report.pk)]
        self.assertIn("<mark>", row["snippet_html"])
        self.assertTrue(row["file_url"].endswith(f"/archives/documents/{self.report.pk}/file/"))
        self.client.force_login(self.bureau_b)
        self.assertEqual(self.client.get("/api/archives/search/", {"q": PHRASE}).json(), [])

    def test_api_refusals(self):
        self.assertEqual(self.client.get("/api/archives/search/", {"q": "x"}).status_code, 401)
        self.client.force_login(self.user_no_role)
        self.assertEqual(self.client.get("/api/archives/search/", {"q": "x"}).status_code, 403)
        self.client.force_login(self.user_with_perm)
        self.assertEqual(self.client.get("/api/archives/search/").status_code, 400)
        for limit in ("0", "x", "201", "99999999999999999999"):
            response = self.client.get("/api/archives/search/", {"q": "x", "limit": limit})
            self.assertEqual(response.status_code, 400, limit)
