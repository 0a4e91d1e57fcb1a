"""Test set-up for the whole project.

- ``Client.force_login`` (and so DRF's ``APIClient.force_login``) is a test-only bypass of
  authentication; here it also passes the second-factor and password-age steps the account
  security middleware enforces (``gongfang.accounts.testing.complete_login``). Tests of the login
  flow itself post to the login form and mark themselves ``@pytest.mark.real_auth``, which leaves
  ``force_login`` as Django has it.
- Passwords are hashed with a fast hasher: the slow production hasher would only make the suite
  slower, it tests nothing.
- Uploaded documents (archives) go to a temporary private directory, never into var/private.
- The audit key is a fixed test key (never the development key file in var/), and checkpoints go
  to a temporary file.
- The cache (DRF's rate limits) is emptied between tests, so one test's requests do not throttle
  the next (the database cache of a test without database access is left alone); so is the
  holiday calendar's per-process copy, so a test never sees another test's rolled-back days.
"""

from __future__ import annotations

import contextlib

import pytest
from django.test import Client

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "real_auth: log in through the real flow; force_login does not pass the second factor",
    )


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher():
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        yield


@pytest.fixture(autouse=True, scope="session")
def _private_media_root(tmp_path_factory):
    from django.test.utils import override_settings

    with override_settings(PRIVATE_MEDIA_ROOT=str(tmp_path_factory.mktemp("private"))):
        yield


TEST_AUDIT_KEYS = "test-1:" + "5a" * 32


@pytest.fixture(autouse=True, scope="session")
def _test_audit_key():
    from django.test.utils import override_settings

    with override_settings(AUDIT_KEYS=TEST_AUDIT_KEYS):
        yield


@pytest.fixture(scope="session")
def _audit_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("audit")


@pytest.fixture(autouse=True)
def _audit_checkpoint_file(request, _audit_dir):
    """Each test its own checkpoint file (not made until a checkpoint is written)."""
    from django.test.utils import override_settings

    path = _audit_dir / f"checkpoints-{abs(hash(request.node.nodeid))}.jsonl"
    with override_settings(AUDIT_CHECKPOINT_FILE=str(path)):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache
    from django.test.testcases import DatabaseOperationForbidden

    # The database cache, in a test without the database (pytest's or a SimpleTestCase), has
    # nothing to clear.
    with contextlib.suppress(RuntimeError, DatabaseOperationForbidden):
        cache.clear()
    yield
    from gongfang.framework import workdays

    workdays.clear_cache()


@pytest.fixture(autouse=True)
def _force_login_passes_every_step(request, monkeypatch):
    if request.node.get_closest_marker("real_auth"):
        yield
        return
    from gongfang.accounts.testing import complete_login

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        complete_login(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)
    yield


@pytest.fixture
def clock():
    """The project's clock (``gongfang.framework.clock``), movable with ``clock.advance(delta)``;
    back to the real time after the test."""
    from gongfang.framework import clock as project_clock

    yield project_clock
    project_clock.reset()
