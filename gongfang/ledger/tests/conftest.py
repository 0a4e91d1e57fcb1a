"""Ledger test markers: ``queue`` marks the tests that go through the task queue; CI runs them a
second time on the RQ backend (``TASK_BACKEND=rq``, .ci/run)."""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "queue: goes through the task queue (run on the database and RQ backends)"
    )
