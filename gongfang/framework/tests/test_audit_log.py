"""The audit log for the audit administrator: filters, entries in full, the audited CSV export
(page and API)."""

from __future__ import annotations

import csv
import io

from django.test import TestCase
from django.urls import reverse

from ...accounts.roles import Role
from ...registry.tests.world import WorldMixin, make_user
from ..changelog import record_event, verify_chain
from ..context import RequestContext, reset_context, set_context
from ..models import ObjectChange
from ..services import service_for


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


class AuditLog(WorldMixin):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.auditor = make_user("audit1", [Role.AUDIT_ADMIN])
        cls.sys = make_user("sys1", [Role.SYS_ADMIN])
        token = set_context(RequestContext(remote_addr="10.9.8.7"))
        try:
            cls.failure = record_event(
                actor=None,
                event="auth.login_failed",
                result=ObjectChange.Result.FAILURE,
                data={"reason": "credentials"},
                user_name="nobody",
            )
        finally:
            reset_context(token)
        room = cls.world.a.room
        service_for(type(room)).update(
            actor=cls.user_with_perm, instance=room, data={"name": "档案室"}
        )
        cls.update = ObjectChange.objects.get(action="update", changed_object_id=room.pk)


class AuditLogPageTests(AuditLog, TestCase):
    url = reverse("framework:objectchange_list")

    def rows(self, **params) -> set[int]:
        return {c.pk for c in self.client.get(self.url, params).context["table"].data}

    def test_only_the_audit_administrator_reads_it(self):
        for user, status in (
            (self.auditor, 200),
            (self.sys, 403),
            (make_user("sec1", [Role.SEC_ADMIN]), 403),
            (self.user_with_perm, 403),
        ):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, status, user.username)
            export = self.client.get(reverse("framework:objectchange_export"))
            self.assertEqual(export.status_code, status, user.username)
            detail = self.client.get(self.failure.get_absolute_url())
            self.assertEqual(detail.status_code, status, user.username)

    def test_filters(self):
        self.client.force_login(self.auditor)
        self.assertEqual(self.rows(result="failure"), {self.failure.pk})
        self.assertEqual(self.rows(event="auth.login_f"), {self.failure.pk})
        self.assertIn(self.failure.pk, self.rows(event="auth."))
        self.assertEqual(self.rows(remote_addr="10.9."), {self.failure.pk})
        self.assertEqual(self.rows(action="update"), {self.update.pk})
        self.assertEqual(self.rows(user_name="bureau_a", action="update"), {self.update.pk})
        self.assertIn(self.update.pk, self.rows(q="行政中心"))
        self.assertNotIn(self.failure.pk, self.rows(q="行政中心"))
        self.assertEqual(self.rows(request_id=str(self.failure.request_id)), {self.failure.pk})

    def test_search_by_a_superscript_digit_is_text_not_an_id(self):
        # "²".isdigit() is true but int("²") fails: it once answered 500 (found by the API fuzz).
        self.client.force_login(self.auditor)
        self.assertEqual(self.rows(q="²"), set())
        self.assertIn(self.update.pk, self.rows(q=str(self.update.changed_object_id)))

    def test_list_shows_event_result_and_address(self):
        self.client.force_login(self.auditor)
        response = self.client.get(self.url, {"result": "failure"})
        self.assertContains(response, "登录失败")
        self.assertContains(response, "失败")
        self.assertContains(response, "10.9.8.7")
        self.assertContains(response, reverse("framework:objectchange_export") + "?result=failure")

    def test_entry_in_full(self):
        self.client.force_login(self.auditor)
        response = self.client.get(self.failure.get_absolute_url())
        self.assertContains(response, "登录失败")
        # The event's data in words: its key named, its code as its label.
        self.assertContains(response, "原因")
        self.assertContains(response, "账号或密码错误")
        self.assertContains(response, self.failure.hash)
        response = self.client.get(self.update.get_absolute_url())
        self.assertContains(response, "档案室")
        self.assertContains(response, self.update.prev_hash)

    def test_export_is_audited(self):
        self.client.force_login(self.auditor)
        before = ObjectChange.objects.count()
        response = self.client.get(
            reverse("framework:objectchange_export"), {"result": "failure", "page": "2"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("attachment;", response["Content-Disposition"])
        rows = _csv(response)
        self.assertEqual(rows[0][:4], ["编号", "时间", "操作账号", "来源地址"])
        self.assertEqual([r[0] for r in rows[1:]], [str(self.failure.pk)])
        # The event by its name, its code beside it, then the result.
        self.assertEqual(rows[1][5:8], ["登录失败", "auth.login_failed", "失败"])
        event = ObjectChange.objects.get(event="audit.export")
        self.assertEqual(ObjectChange.objects.count(), before + 1)
        self.assertEqual(event.user, self.auditor)
        self.assertEqual(event.postchange_data["filters"], {"result": "failure"})
        self.assertEqual(event.postchange_data["rows"], 1)
        # The export of everything holds every earlier entry, and not its own event.
        everything = _csv(self.client.get(reverse("framework:objectchange_export")))
        self.assertEqual(len(everything) - 1, before + 1)
        self.assertEqual(ObjectChange.objects.filter(event="audit.export").count(), 2)
        self.assertTrue(verify_chain().ok)

    def test_export_defuses_spreadsheet_formulas(self):
        # Account names typed at the login page reach the log; a spreadsheet must not run them.
        record_event(actor=None, event="auth.login_failed", user_name='=HYPERLINK("x")')
        self.client.force_login(self.auditor)
        rows = _csv(self.client.get(reverse("framework:objectchange_export"), {"q": "HYPERLINK"}))
        self.assertEqual(rows[1][2], '\'=HYPERLINK("x")')

    def test_invalid_filter_exports_nothing(self):
        self.client.force_login(self.auditor)
        response = self.client.get(reverse("framework:objectchange_export"), {"action": "nope"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(ObjectChange.objects.filter(event="audit.export").exists())


class AuditLogAPITests(AuditLog, TestCase):
    def test_entries_carry_event_result_and_hash(self):
        self.client.force_login(self.auditor)
        data = self.client.get(
            reverse("api:framework:objectchange-list"), {"result": "failure"}
        ).json()
        self.assertEqual(data["count"], 1)
        row = data["results"][0]
        self.assertEqual(row["event"], "auth.login_failed")
        self.assertEqual(row["event_display"], "登录失败")
        self.assertEqual(row["result_display"], "失败")
        self.assertEqual(row["hash"], self.failure.hash)
        self.assertIsNone(row["changed_object_model"])

    def test_export_is_audited(self):
        self.client.force_login(self.auditor)
        response = self.client.get(
            reverse("api:framework:objectchange-export"), {"event": "auth.login_failed"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual([r[0] for r in _csv(response)[1:]], [str(self.failure.pk)])
        event = ObjectChange.objects.get(event="audit.export")
        self.assertEqual(event.postchange_data["filters"], {"event": "auth.login_failed"})

    def test_refused_to_everyone_else(self):
        for user in (self.sys, self.user_view_only):
            self.client.force_login(user)
            for name in ("api:framework:objectchange-list", "api:framework:objectchange-export"):
                self.assertEqual(self.client.get(reverse(name)).status_code, 403)
        self.assertFalse(ObjectChange.objects.filter(event="audit.export").exists())
