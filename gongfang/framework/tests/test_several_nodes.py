"""Web nodes keep no state of their own: sessions and the rate-limit cache are in the database by
default and in Redis with ``REDIS_URL``, seen alike by separate processes (as separate nodes
would), and so is task progress written inside a task's transaction (PostgreSQL); the task queue
is the database's unless ``TASK_BACKEND=rq``, which needs Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection, transaction
from django.test import TransactionTestCase
from rest_framework.test import APIClient

from ...ledger.tests.helpers import database_url
from ..progress import get_progress, set_progress

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = os.environ.get("CI_REDIS_URL", "redis://127.0.0.1:6379/0")


def node(code: str, **env: str) -> subprocess.CompletedProcess:
    """``code`` run by a separate Django process on the test database (another node)."""
    environment = {
        key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "TASK_BACKEND")
    }
    environment.update(
        DATABASE_URL=database_url(), DJANGO_SETTINGS_MODULE="gongfang.settings", **env
    )
    script = f"import django; django.setup()\n{code}"
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def cache_round_trip(**env: str) -> tuple[str, str]:
    """A value one node puts in the default cache, as another node reads it; and the backend."""
    key, value = f"node-test-{uuid.uuid4().hex}", uuid.uuid4().hex
    put = node(f"from django.core.cache import cache; cache.set({key!r}, {value!r}, 60)", **env)
    assert put.returncode == 0, put.stderr
    got = node(
        "from django.core.cache import cache, caches\n"
        f"print(type(caches['default']).__name__, cache.get({key!r}))\n"
        f"cache.delete({key!r})",
        **env,
    )
    assert got.returncode == 0, got.stderr
    backend, read = got.stdout.split()
    assert read == value
    return backend, read


class SeveralNodesTests(TransactionTestCase):
    def test_sessions_and_the_rate_limit_cache_are_in_the_database_by_default(self):
        self.assertEqual(settings.SESSION_ENGINE, "django.contrib.sessions.backends.db")
        self.assertIsInstance(caches["default"], DatabaseCache)
        statuses = [
            APIClient().post("/api/token/", {"username": f"n{i}", "password": "x"}).status_code
            for i in range(12)
        ]
        self.assertIn(429, statuses)  # DRF's throttle counted in the database's cache table
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM gongfang_cache")
            self.assertGreater(cursor.fetchone()[0], 0)

    def test_two_processes_share_the_database_cache(self):
        self.assertEqual(cache_round_trip()[0], "DatabaseCache")

    def test_two_processes_share_redis_with_redis_url(self):
        backend, _ = cache_round_trip(REDIS_URL=REDIS_URL)
        self.assertEqual(backend, "RedisCache")
        described = node(
            "from django.conf import settings; from django.core.cache import caches\n"
            "print(type(caches[settings.PROGRESS_CACHE]).__name__, settings.TASKS['default']"
            "['BACKEND'])",
            REDIS_URL=REDIS_URL,
        )
        self.assertEqual(
            described.stdout.split(), ["RedisCache", "django_tasks_db.DatabaseBackend"]
        )
        on_rq = node(
            "from django.conf import settings; print(settings.TASKS['default']['BACKEND'])",
            REDIS_URL=REDIS_URL,
            TASK_BACKEND="rq",
        )
        self.assertEqual(on_rq.stdout.strip(), "django_tasks_rq.RQBackend", on_rq.stderr)

    @pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="progress in PostgreSQL (SQLite keeps it in files)",
    )
    def test_progress_written_inside_a_transaction_is_seen_by_other_nodes_at_once(self):
        key = f"node-test-{uuid.uuid4().hex}"
        with transaction.atomic():
            set_progress(key, done=7, total=10)
            seen = node(
                "from gongfang.framework.progress import get_progress\n"
                f"print(get_progress({key!r})['done'])"
            )
            transaction.set_rollback(True)  # the task fails: its progress stays readable
        self.assertEqual(seen.stdout.strip(), "7", seen.stderr)
        self.assertEqual(get_progress(key)["percent"], 70)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TASK_BACKEND": "rq"}, "TASK_BACKEND=rq 时须设置 REDIS_URL"),
        ({"TASK_BACKEND": "celery"}, "TASK_BACKEND 只能是 db 或 rq，现为“celery”。"),
    ],
)
def test_a_task_backend_that_cannot_work_stops_the_start(env, message):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k != "REDIS_URL"}, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert message in result.stderr
