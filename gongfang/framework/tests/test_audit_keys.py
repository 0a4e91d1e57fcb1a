"""The keyed audit chain and its signed checkpoints (issue 19, point 3): a chain rewritten
without the key is caught at the first rewritten row; rewritten with the key, it is caught by the
checkpoint exported before; keys rotate, and the SM suite seals the same way."""

from __future__ import annotations

import json
import os
import stat
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import TestCase, override_settings
from django.urls import reverse

from ...accounts.models import User
from .. import crypto, keyring
from ..changelog import (
    _VERIFY_COLUMNS,
    _json_text,
    _payload,
    entry_hash,
    record_event,
    verify_chain,
)
from ..checkpoints import checkpoint_file, create_checkpoint, run_checkpoint, verify_checkpoints
from ..models import AuditChainHead, AuditCheckpoint, ObjectChange

KEY_A = "test-1:" + "5a" * 32
KEY_B = "test-2:" + "6b" * 32


def _event(name: str = "test.event", **data) -> ObjectChange:
    return record_event(actor=None, event=name, data=data or None)


def _sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table=ObjectChange._meta.db_table), params)


def _rows() -> list[dict]:
    rows = []
    for row in ObjectChange._base_manager.order_by("id").values_list(*_VERIFY_COLUMNS):
        values = dict(zip(_VERIFY_COLUMNS, row, strict=True))
        values["changed_object_type"] = values.pop("changed_object_type_id")
        rows.append(values)
    return rows


def _rewrite_from(first_id: int, seal) -> None:
    """What a database writer does after changing a row: seal it and every later row again
    with ``seal`` (the algorithm, with or without the key) and move the head."""
    prev = None
    for values in _rows():
        if values["id"] < first_id:
            prev = values["hash"]
            continue
        values["prev_hash"] = prev or ""
        prev = seal(values)
        _sql(
            "UPDATE {table} SET prev_hash = %s, hash = %s WHERE id = %s",
            values["prev_hash"],
            prev,
            values["id"],
        )
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)


def _guessed_key_seal(values: dict) -> str:
    """The right algorithm (HMAC-SHA256 over the canonical text) with a key that is not ours."""
    text = _payload(
        values, _json_text(values["prechange_data"]), _json_text(values["postchange_data"])
    )
    return crypto.mac(
        crypto.derive_key(b"\0" * 32, "audit-chain"), text, algorithm=values["algorithm"]
    )


def _verify_output() -> tuple[str, str]:
    out = StringIO()
    try:
        call_command("audit_verify", stdout=out)
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), ""


class KeyedChainTests(TestCase):
    def setUp(self):
        self.rows = [_event("test.a", n=1), _event("test.b", n=2), _event("test.c", n=3)]

    def test_rows_name_their_key_and_algorithm(self):
        for row in ObjectChange.objects.all():
            self.assertEqual((row.key_id, row.algorithm), ("test-1", "hmac-sha256"))
        self.assertTrue(verify_chain().ok)
        # Not the plain SHA-256 the chain used to be: the key is needed to make the hash.
        values = _rows()[-1]
        self.assertEqual(entry_hash(values), values["hash"])
        with override_settings(AUDIT_KEYS="test-1:" + "00" * 32):
            self.assertNotEqual(entry_hash(values), values["hash"])

    def test_rewrite_without_the_key_is_caught_at_the_first_rewritten_row(self):
        target = self.rows[1]
        _sql("UPDATE {table} SET object_repr = %s WHERE id = %s", "改过", target.pk)
        _rewrite_from(target.pk, _guessed_key_seal)
        report = verify_chain()
        self.assertFalse(report.ok)
        self.assertEqual(report.broken.id, target.pk)
        self.assertEqual(report.broken.problem, "内容被篡改")
        _, error = _verify_output()
        self.assertIn(f"记录编号 {target.pk}", error)

    def test_rewrite_with_the_key_is_caught_by_the_checkpoint(self):
        checkpoint = create_checkpoint()
        later = _event("test.after_checkpoint")
        target = self.rows[1]
        _sql("UPDATE {table} SET object_repr = %s WHERE id = %s", "改过", target.pk)
        _rewrite_from(target.pk, entry_hash)  # the real key: the chain holds again
        self.assertTrue(verify_chain().ok)
        report = verify_checkpoints()
        self.assertFalse(report.ok)
        self.assertEqual(report.mismatch.id, checkpoint.pk)
        self.assertEqual(report.mismatch.line, 1)
        self.assertIn("历史被改写", report.mismatch.problem)
        output, error = _verify_output()
        self.assertIn("审计日志完整", output)
        self.assertIn(f"检查点 #{checkpoint.pk}", error)
        self.assertIn("文件第 1 行", error)
        self.assertTrue(ObjectChange.objects.filter(pk=later.pk).exists())

    def test_legacy_unkeyed_rows_and_unknown_keys_are_reported(self):
        target = self.rows[2]
        _sql("UPDATE {table} SET key_id = %s WHERE id = %s", "", target.pk)
        self.assertEqual(verify_chain().broken.id, target.pk)
        self.assertIn("未以密钥封存", verify_chain().broken.problem)
        _sql("UPDATE {table} SET key_id = %s WHERE id = %s", "gone", target.pk)
        self.assertIn("密钥 gone 未配置", verify_chain().broken.problem)

    def test_rotation_keeps_old_rows_verifiable(self):
        with override_settings(AUDIT_KEYS=f"{KEY_A},{KEY_B}"):
            newer = _event("test.rotated")
            self.assertEqual(newer.key_id, "test-2")
            self.assertTrue(verify_chain().ok)
        # The old key dropped from the configuration: its rows can no longer be verified.
        with override_settings(AUDIT_KEYS=KEY_B):
            self.assertIn("密钥 test-1 未配置", verify_chain().broken.problem)

    def test_sm_suite_seals_with_hmac_sm3_and_mixed_chains_verify(self):
        with override_settings(CRYPTO_SUITE="sm"):
            row = _event("test.sm")
            self.assertEqual(row.algorithm, "hmac-sm3")
            self.assertTrue(verify_chain().ok)
            checkpoint = create_checkpoint()
            self.assertEqual(checkpoint.algorithm, "sm2")
        self.assertTrue(verify_chain().ok)
        self.assertTrue(verify_checkpoints().ok)
        _sql("UPDATE {table} SET object_repr = %s WHERE id = %s", "改过", row.pk)
        self.assertEqual(verify_chain().broken.id, row.pk)


class CheckpointTests(TestCase):
    def setUp(self):
        _event("test.a")
        _event("test.b")

    def _lines(self) -> list[dict]:
        return [json.loads(line) for line in checkpoint_file().read_text().splitlines()]

    def test_checkpoint_is_signed_stored_exported_and_audited(self):
        head = AuditChainHead.objects.get()
        checkpoint = create_checkpoint()
        self.assertEqual((checkpoint.last_id, checkpoint.last_hash), (head.last_id, head.last_hash))
        self.assertEqual(checkpoint.algorithm, "ed25519")
        (line,) = self._lines()
        self.assertEqual(line["id"], checkpoint.pk)
        self.assertEqual(line["last_hash"], head.last_hash)
        self.assertEqual(line["signature"], checkpoint.signature)
        event = ObjectChange.objects.get(event="audit.checkpoint")
        self.assertEqual(event.postchange_data["last_id"], head.last_id)
        self.assertTrue(verify_checkpoints().ok)
        # Nothing new but its own event: no second checkpoint.
        self.assertIsNone(create_checkpoint())
        self.assertIn("未生成检查点", run_checkpoint())
        _event("test.c")
        self.assertIn("已生成审计检查点", run_checkpoint())
        self.assertEqual(len(self._lines()), 2)
        output, error = _verify_output()
        self.assertEqual(error, "")
        self.assertIn("检查点一致：共 2 个", output)

    def test_a_forged_line_is_refused(self):
        create_checkpoint()
        (line,) = self._lines()
        foreign = crypto.SigningKey(b"\x07" * 32, "ed25519")
        from ..checkpoints import signed_text

        line.update(last_hash="0" * 64, public_key=foreign.public_key)
        line["signature"] = foreign.sign(signed_text(line))
        checkpoint_file().write_text(json.dumps(line) + "\n")
        self.assertIn("签名无效", verify_checkpoints().mismatch.problem)

    def test_a_cut_file_or_a_changed_row_is_reported(self):
        first = create_checkpoint()
        _event("test.c")
        second = create_checkpoint()
        lines = checkpoint_file().read_text().splitlines()
        checkpoint_file().write_text(lines[0] + "\n")
        report = verify_checkpoints()
        self.assertEqual(report.mismatch.id, second.pk)
        self.assertIn("文件中缺少", report.mismatch.problem)
        checkpoint_file().write_text("\n".join(lines) + "\n")
        AuditCheckpoint.objects.filter(pk=first.pk).update(last_hash="f" * 64)
        report = verify_checkpoints()
        self.assertEqual((report.mismatch.id, report.mismatch.line), (first.pk, 1))
        self.assertIn("数据库中的检查点与文件不一致", report.mismatch.problem)

    def test_a_file_that_cannot_be_written_stores_nothing(self):
        unwritable = override_settings(AUDIT_CHECKPOINT_FILE="/proc/gongfang/checkpoints.jsonl")
        with unwritable, pytest.raises(OSError):
            create_checkpoint()
        self.assertFalse(AuditCheckpoint.objects.exists())
        self.assertFalse(ObjectChange.objects.filter(event="audit.checkpoint").exists())


class CheckpointPageTests(TestCase):
    def setUp(self):
        self.auditor = User.objects.create_user("auditor", "Test@2026pass", roles=["audit_admin"])
        self.other = User.objects.create_user("sysadm", "Test@2026pass", roles=["sys_admin"])
        _event("test.a")

    def test_audit_admin_sees_and_makes_checkpoints(self):
        self.client.force_login(self.auditor)
        url = reverse("framework:checkpoints")
        self.assertContains(self.client.get(url), "还没有检查点")
        response = self.client.post(url, follow=True)
        self.assertContains(response, "已生成检查点")
        self.assertContains(response, "一致，签名有效")
        self.assertContains(response, "Ed25519")
        checkpoint_file().write_text("")
        self.assertContains(self.client.get(url), "不一致或缺失")
        event = ObjectChange.objects.get(event="audit.checkpoint")
        self.assertEqual(event.user_name, "auditor")

    def test_an_entry_shows_its_key_and_algorithm(self):
        self.client.force_login(self.auditor)
        entry = ObjectChange.objects.order_by("id").first()
        page = self.client.get(reverse("framework:objectchange", args=[entry.pk]))
        self.assertContains(page, "封存密钥与算法")
        self.assertContains(page, "test-1")
        self.assertContains(page, "HMAC-SHA256")
        api = self.client.get(f"/api/framework/changes/{entry.pk}/").json()
        self.assertEqual((api["key_id"], api["algorithm"]), ("test-1", "hmac-sha256"))

    def test_others_may_not(self):
        self.client.force_login(self.other)
        self.assertEqual(self.client.get(reverse("framework:checkpoints")).status_code, 403)


class KeyFileTests(TestCase):
    def test_generated_on_first_use_and_rotated(self):
        import tempfile

        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "keys", "audit-keys")
            with override_settings(AUDIT_KEYS="", AUDIT_KEY_FILE=path, AUDIT_KEY_GENERATE=True):
                first = keyring.current()
                self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
                row = _event("test.generated")
                self.assertEqual(row.key_id, first.id)
                out = StringIO()
                call_command("audit_key", "rotate", stdout=out)
                second = keyring.current()
                self.assertNotEqual(second.id, first.id)
                self.assertIn(second.id, out.getvalue())
                self.assertNotIn(second.secret.hex(), out.getvalue())
                ring = keyring.keys()
                self.assertEqual([key.id for key in ring], [first.id, second.id])
                self.assertEqual(_event("test.rotated").key_id, second.id)
                self.assertTrue(verify_chain().ok)
            with (
                override_settings(
                    AUDIT_KEYS="", AUDIT_KEY_FILE=path + ".missing", AUDIT_KEY_GENERATE=False
                ),
                pytest.raises(ImproperlyConfigured),
            ):
                keyring.current()

    def test_bad_configuration_is_named(self):
        for value, message in (
            ("k1:abcd", "过短"),
            ("k1:zz" + "0" * 64, "十六进制"),
            (f"{KEY_A},{KEY_A}", "重复"),
            ("bad id:" + "00" * 32, "编号"),
        ):
            with override_settings(AUDIT_KEYS=value), pytest.raises(ImproperlyConfigured) as exc:
                keyring.keys()
            self.assertIn(message, str(exc.value))

    def test_key_never_in_repr(self):
        self.assertNotIn("5a5a", repr(keyring.current()))
