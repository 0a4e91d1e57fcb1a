"""Every time a user reads is Asia/Shanghai (issue 10, point 12): an export's file name and rows,
and the times written into events' data, for something done at 01:26 local (17:26 UTC)."""

from __future__ import annotations

import datetime

from django.test import TestCase
from django.urls import reverse
from freezegun import freeze_time

from ...accounts import sessions, tokens
from ...accounts.models import ApiToken, UserSession
from ...accounts.roles import Role
from ...registry.tests.world import WorldMixin, make_user
from ..changelog import record_event
from ..models import ObjectChange

AT_01_26 = datetime.datetime(2026, 12, 4, 17, 26, tzinfo=datetime.UTC)  # 2026-12-05 01:26 local


class LocalTimeTests(WorldMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.auditor = make_user("lt_audit", [Role.AUDIT_ADMIN])

    def test_the_audit_export_names_and_dates_in_local_time(self):
        with freeze_time(AT_01_26):
            record_event(actor=self.user_with_perm, event="ledger.export", data={"rows": 1})
            self.client.force_login(self.auditor)
            response = self.client.get(reverse("framework:objectchange_export"))
        self.assertIn('filename="audit-log-20261205-0126', response["Content-Disposition"])
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        self.assertIn("2026-12-05 01:26:00", text)
        self.assertNotIn("17:26", text)
        # The event by its name, its code in a column of its own.
        self.assertIn("事件,事件代码", text.splitlines()[0])
        self.assertIn(",导出台账,ledger.export,", text)

    def test_times_in_event_data_are_local(self):
        user = self.user_with_perm
        with freeze_time(AT_01_26):
            row = UserSession.objects.create(user=user, session_key="k" * 32)
            sessions.end_session(user=user, session_id=row.pk)
            tokens.create_token(user=user, name="对接", scope=ApiToken.Scope.READ, days=1)
        ended = ObjectChange.objects.get(event="auth.session_end")
        self.assertEqual(ended.postchange_data["login_at"], "2026-12-05 01:26:00")
        created = ObjectChange.objects.get(event="auth.token_create")
        self.assertEqual(created.postchange_data["expires_at"], "2026-12-06 01:26:00")

    def test_stored_times_read_local_on_the_audit_pages(self):
        # Times already stored in UTC (field values in the change log, events' data) are shown
        # in local time, whatever wrote them.
        from ...compliance.models import Warning
        from ..changelog import logged_value
        from ..eventdata import readable

        field = Warning._meta.get_field("first_found_at")
        self.assertEqual(logged_value(field, "2026-12-04T17:26:00+00:00"), "2026-12-05 01:26:00")
        self.assertEqual(
            readable("ledger.reclaim", "heartbeat", "2026-12-04T17:26:00.5+00:00"),
            "2026-12-05 01:26:00",
        )
        self.assertEqual(readable("x.y", "deadline", "2026-12-04"), "2026-12-04")
