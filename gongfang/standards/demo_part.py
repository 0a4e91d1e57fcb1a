"""The standards' part of the demo (``manage.py load_demo``): the seeded versions and 山东省's
demo 乡级 standard, so the demo city's townships have one."""

from __future__ import annotations

from .demo import ensure_demo_versions

LABEL = "办公用房标准"


def build(run) -> None:
    run.rows += len(ensure_demo_versions())
