"""The audit trail's hash chain, its verification and the retention purge (issue 5, §6)."""

from __future__ import annotations

import datetime
import itertools
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import TestCase, TransactionTestCase, override_settings
from django.utils import timezone

from ...accounts.models import User
from ..audit import purge
from ..changelog import PURGE_EVENT, record_event, record_events, verify_chain
from ..models import AuditChainHead, ObjectChange


def _event(name: str = "test.event", **data) -> ObjectChange:
    return record_event(actor=None, event=name, data=data or None)


def _old(days: int, name: str = "test.old") -> ObjectChange:
    """An entry written ``days`` ago (through the model, which chains it like any other)."""
    row = ObjectChange(
        time=timezone.now() - datetime.timedelta(days=days),
        action=ObjectChange.Action.EVENT,
        event=name,
        user_name="system",
    )
    row.save()
    return row


def _sql(statement: str, *params) -> None:
    table = ObjectChange._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table=table), params)


def _verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


class ChainTests(TestCase):
    def setUp(self):
        self.user = User.objects.create_user("someone", "Test@2026pass")
        self.rows = [
            _event("test.a", n=1),
            *record_events(
                actor=self.user,
                entries=[("test.b", self.user, {"x": [1, 2.5, "三"]}), ("test.c", None, None)],
            ),
            _event("test.d", big=1e20, nested={"b": 1, "a": None}),
        ]

    def test_rows_are_chained_in_id_order(self):
        rows = list(ObjectChange.objects.order_by("id"))
        self.assertGreaterEqual(len(rows), 4)
        self.assertEqual(rows[0].prev_hash, "")
        for before, after in itertools.pairwise(rows):
            self.assertEqual(after.prev_hash, before.hash)
        self.assertEqual(AuditChainHead.objects.get().last_hash, rows[-1].hash)
        self.assertEqual(AuditChainHead.objects.get().last_id, rows[-1].pk)

    def test_intact_chain_verifies(self):
        self.assertTrue(verify_chain().ok)
        output = _verify()
        self.assertIn(f"审计日志完整：共 {ObjectChange.objects.count()} 条", output)
        self.assertIn(f"哈希 {self.rows[-1].hash}", output)

    def test_tampered_row_is_reported(self):
        target = self.rows[1]
        _sql("UPDATE {table} SET object_repr = %s WHERE id = %s", "改过的对象", target.pk)
        report = verify_chain()
        self.assertFalse(report.ok)
        self.assertEqual(report.broken.id, target.pk)
        self.assertEqual(report.broken.problem, "内容被篡改")
        self.assertEqual(report.broken.found, target.hash)
        with pytest.raises(CommandError) as exc:
            _verify()
        self.assertIn(f"记录编号 {target.pk}", str(exc.value))
        self.assertIn("内容被篡改", str(exc.value))

    def test_tampered_data_is_reported(self):
        target = self.rows[3]
        _sql("UPDATE {table} SET result = %s WHERE id = %s", "failure", target.pk)
        self.assertEqual(verify_chain().broken.id, target.pk)

    def test_row_deleted_in_the_middle_is_reported(self):
        _sql("DELETE FROM {table} WHERE id = %s", self.rows[1].pk)
        report = verify_chain()
        self.assertEqual(report.broken.id, self.rows[2].pk)
        self.assertIn("链接断开", report.broken.problem)
        self.assertEqual(report.broken.expected, self.rows[0].hash)
        self.assertEqual(report.broken.found, self.rows[1].hash)

    def test_first_and_last_rows_deleted_are_reported(self):
        _sql("DELETE FROM {table} WHERE id = %s", self.rows[-1].pk)
        self.assertIn("链尾缺失", verify_chain().broken.problem)
        _sql("DELETE FROM {table} WHERE id = %s", self.rows[0].pk)
        self.assertIn("链首缺失", verify_chain().broken.problem)

    def test_rows_refuse_updates_and_deletes(self):
        row = self.rows[0]
        with pytest.raises(PermissionError):
            row.save()
        with pytest.raises(PermissionError):
            row.delete()
        with pytest.raises(PermissionError):
            ObjectChange.objects.filter(pk=row.pk).update(object_repr="x")
        with pytest.raises(PermissionError):
            ObjectChange.objects.filter(pk=row.pk).delete()
        self.assertTrue(verify_chain().ok)

    def test_every_way_of_adding_rows_joins_the_chain(self):
        ObjectChange.objects.create(action=ObjectChange.Action.EVENT, event="test.create")
        ObjectChange.objects.bulk_create(
            [ObjectChange(action=ObjectChange.Action.EVENT, event="test.bulk") for _ in range(3)]
        )
        self.assertFalse(ObjectChange.objects.filter(hash="").exists())
        self.assertTrue(verify_chain().ok)

    def test_deleting_an_account_keeps_the_chain(self):
        # The account's rows lose their link to it (SET NULL); its name stays, sealed.
        self.user.delete()
        self.assertTrue(verify_chain().ok)
        self.assertTrue(ObjectChange.objects.filter(user_name="someone").exists())

    def test_no_password_hash_in_the_trail(self):
        from ..changelog import serialize_object

        self.assertNotIn("password", serialize_object(self.user))


@override_settings(AUDIT_RETENTION_DAYS=180)
class PurgeTests(TestCase):
    def setUp(self):
        self.old = [_old(400), _old(200)]
        self.young = _old(100, "test.young")
        self.old_after_young = _old(190)  # older, but written after a young one
        self.today = _event("test.today")
        self.limit = timezone.localdate() - datetime.timedelta(days=180)

    def test_refuses_to_cut_younger_entries(self):
        with pytest.raises(CommandError) as exc:
            call_command("audit_purge", "--before", str(self.limit + datetime.timedelta(days=1)))
        self.assertIn("至少保留 180 天", str(exc.value))
        self.assertEqual(ObjectChange.objects.count(), 5)

    def test_purge_deletes_old_entries_only_and_the_chain_verifies(self):
        call_command("audit_purge", "--before", str(self.limit), stdout=_Null())
        remaining = set(ObjectChange.objects.values_list("pk", flat=True))
        self.assertFalse({r.pk for r in self.old} & remaining)
        self.assertTrue({self.young.pk, self.old_after_young.pk, self.today.pk} <= remaining)
        cutoff = timezone.now() - datetime.timedelta(days=180)
        self.assertFalse(
            ObjectChange.objects.filter(time__gte=cutoff).exclude(pk__in=remaining).exists()
        )
        event = ObjectChange.objects.get(event=PURGE_EVENT)
        self.assertEqual(event.postchange_data["deleted"], 2)
        self.assertEqual(event.postchange_data["anchor_id"], self.young.pk)
        self.assertEqual(event.postchange_data["anchor_prev_hash"], self.old[1].hash)
        self.assertIn("审计日志完整：共 4 条", _verify())

    def test_after_a_purge_tampering_is_still_found(self):
        purge(before=self.limit)
        _sql("UPDATE {table} SET prev_hash = %s WHERE id = %s", "0" * 64, self.young.pk)
        self.assertIn("链首缺失", verify_chain().broken.problem)

    def test_deleting_young_entries_after_a_purge_is_found(self):
        purge(before=self.limit)
        _sql("DELETE FROM {table} WHERE id = %s", self.young.pk)
        self.assertFalse(verify_chain().ok)

    def test_purge_of_everything_leaves_a_verifiable_chain(self):
        with override_settings(AUDIT_RETENTION_DAYS=-1):
            result = purge(before=timezone.localdate() + datetime.timedelta(days=1))
        self.assertEqual(result.deleted, 5)
        self.assertEqual(list(ObjectChange.objects.values_list("event", flat=True)), [PURGE_EVENT])
        self.assertIsNone(result.event.postchange_data["anchor_id"])
        self.assertTrue(verify_chain().ok)

    def test_expired_purges_up_to_the_retention(self):
        call_command("audit_purge", "--expired", stdout=_Null())
        remaining = set(ObjectChange.objects.values_list("pk", flat=True))
        self.assertFalse({r.pk for r in self.old} & remaining)
        self.assertIn(self.young.pk, remaining)
        self.assertTrue(verify_chain().ok)

    def test_dry_run_deletes_nothing(self):
        result = purge(before=self.limit, dry_run=True)
        self.assertEqual(result.deleted, 2)
        self.assertEqual(ObjectChange.objects.count(), 5)


class _Null:
    def write(self, *args) -> None:
        pass

    def flush(self) -> None:
        pass


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serializes writers itself")
class ConcurrentAppendTests(TransactionTestCase):
    def test_parallel_writers_make_one_chain(self):
        errors: list[BaseException] = []

        def write(n: int) -> None:
            try:
                for i in range(15):
                    record_events(actor=None, entries=[(f"test.t{n}", None, {"i": i})] * 2)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        report = verify_chain()
        self.assertTrue(report.ok, report.broken)
        self.assertEqual(report.count, 4 * 15 * 2)
