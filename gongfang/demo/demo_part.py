"""The demo app's own part of the demo (``manage.py load_demo``), after every other app's: titles
and use certificates, then cases of every kind in every state (:mod:`.cases`)."""

from __future__ import annotations

import time

from django.apps import apps

from ..framework import clock
from .cases import build_cases, waiting_work
from .titles import build_titles

LABEL = "审批事项和权属"
# Apps whose rows the demo's cases and titles leave, deleted before the registry's.
CASE_APPS = ("titles", "cases")


def flush() -> int:
    from ..workflow.models import Case, CaseAction, Notification, NumberCounter, Signature

    deleted = 0
    for label in CASE_APPS:
        for model in reversed(list(apps.get_app_config(label).get_models())):
            deleted += model.objects.all().delete()[0]
    # A signed decision protects its signature: the history first, then the signatures.
    for model in (Notification, CaseAction, Signature, Case, NumberCounter):
        deleted += model.objects.all().delete()[0]
    return deleted


def build(run) -> None:
    started = time.perf_counter()
    today = clock.today()
    lines = build_titles(users=run.users, today=today, profile=run.profile)
    result = build_cases(users=run.users, today=today, profile=run.profile)
    made = result["made"]
    from ..workflow.choices import CaseState

    states = dict(CaseState.choices)
    total = sum(made.values())
    lines.append(
        f"审批事项 {total} 件："
        + "，".join(f"{states[state]} {n}" for state, n in sorted(made.items()))
    )
    lines += waiting_work(run.users)
    lines += [f"未能生成：{line}" for line in result["refused"]]
    run.section("审批事项（按实际办理流程生成）", lines)
    run.rows += total
    run.timings.append(f"审批事项 {time.perf_counter() - started:.1f} 秒")
