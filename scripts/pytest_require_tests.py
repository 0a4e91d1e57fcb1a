"""pytest plugin: a run in which no test executed fails.

pytest itself exits 5 when nothing was collected or everything was deselected, but exits 0 when
every collected test was skipped (say, the browser tests because Chromium is missing). With this
plugin that run exits 5 as well. Loaded by ``make test`` and CI with ``-p scripts.pytest_require_tests``;
the message is printed before pytest's summary line, which stays the last line of the output.
"""

from __future__ import annotations

import pytest

EXECUTED = ("passed", "failed", "error", "xfailed", "xpassed")


def _executed(config: pytest.Config) -> int:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return -1
    return sum(len(reporter.stats.get(key, ())) for key in EXECUTED)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if exitstatus == pytest.ExitCode.OK and _executed(session.config) == 0:
        session.exitstatus = pytest.ExitCode.NO_TESTS_COLLECTED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED) and (
        _executed(config) == 0
    ):
        terminalreporter.write_line(
            "FAILED: no test was executed (none collected, all deselected or all skipped).",
            red=True,
            bold=True,
        )
