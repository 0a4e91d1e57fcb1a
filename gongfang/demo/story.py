"""The demo's cases are built as people would build them: through the engine's services, each step
on its own day with the project clock (``framework.clock``) set to that day, so the history,
the numbers, the deadlines (some already overdue), the notifications and the audit trail are what
real use leaves.

A :class:`Story` knows the demo accounts and acts for them: whoever a task names decides it, the
leader's e-signature with the demo password and the code his authenticator shows.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError

from ..framework import clock
from ..framework.workdays import is_workday
from ..registry.demo.accounts import signing_credentials
from ..workflow import services
from ..workflow.actors import accounts_for
from ..workflow.choices import PENDING_STATES, Action, CaseState, TaskState
from ..workflow.models import Case, Task

SHANGHAI = ZoneInfo("Asia/Shanghai")


@contextmanager
def on_day(day: datetime.date, hour: int = 10) -> Iterator[None]:
    """Run what follows with the project clock at ``hour`` o'clock of ``day`` (then back)."""
    target = datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)
    delta = target - clock.now()
    clock.advance(delta)
    try:
        yield
    finally:
        clock.advance(-delta)


def working_days_back(today: datetime.date, n: int) -> datetime.date:
    """The working day ``n`` working days before ``today`` (official holidays excluded)."""
    day = today
    while n > 0:
        day -= datetime.timedelta(days=1)
        if is_workday(day):
            n -= 1
    return day


def working_days_after(day: datetime.date, n: int) -> datetime.date:
    while n > 0:
        day += datetime.timedelta(days=1)
        if is_workday(day):
            n -= 1
    return day


class Refused(Exception):
    """A service refused a demo step (the message says why); the case is left as it is."""


class Story:
    """Runs the services for the demo accounts, day by day."""

    def __init__(self, users: dict[str, object], today: datetime.date) -> None:
        self.users = users
        self.today = today

    # Signing ----------------------------------------------------------------------------------
    def signature(self, user) -> dict[str, str]:
        return signing_credentials(user)

    # Steps ------------------------------------------------------------------------------------
    @staticmethod
    def call(what: str, fn: Callable, **kwargs):
        try:
            return fn(**kwargs)
        except (ValidationError, PermissionDenied) as exc:
            text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise Refused(f"{what}：{text}") from exc

    def create(self, *, actor, kind: str, applicant, data: dict, day: datetime.date) -> Case:
        with on_day(day, 9):
            return self.call(
                "起草",
                services.create_case,
                actor=actor,
                kind=kind,
                applicant=applicant,
                data=data,
            )

    def submit(self, case: Case, *, actor, day: datetime.date) -> Case:
        with on_day(day, 10):
            return self.call("提交", services.submit_case, actor=actor, case=case)

    def withdraw(self, case: Case, *, actor, day: datetime.date, comment: str) -> Case:
        with on_day(day, 15):
            return self.call(
                "撤回", services.withdraw_case, actor=actor, case=case, comment=comment
            )

    def open_tasks(self, case: Case) -> list[Task]:
        return list(case.tasks.filter(state=TaskState.OPEN).select_related("step").order_by("pk"))

    def actor_of(self, task: Task):
        """A demo account that sees ``task`` (the task waits for nobody here: None)."""
        accounts = accounts_for(task)
        return accounts[0] if accounts else None

    def decide(
        self,
        case: Case,
        task: Task,
        *,
        decision: str,
        day: datetime.date,
        comment: str = "",
        hour: int = 11,
    ) -> Case:
        actor = self.actor_of(task)
        if actor is None:
            raise Refused(f"环节“{task.step.name}”没有可办理的演示账号")
        signing = self.signature(actor) if task.step.needs_signature else {}
        with on_day(day, hour):
            return self.call(
                f"{task.step.name}",
                services.decide,
                actor=actor,
                case=case,
                decision=decision,
                comment=comment,
                **signing,
            )

    def advance(
        self, case: Case, *, day: datetime.date, hold: str | None = None, spacing: int = 1
    ) -> tuple[Case, datetime.date]:
        """Approve the open tasks step after step (``spacing`` working days apart), leaving those
        of the role ``hold`` waiting: stops when only they are open or the case leaves review.
        Returns the case and the day of its last decision."""
        while case.state in PENDING_STATES:
            others = [t for t in self.open_tasks(case) if t.role != hold]
            if not others:
                break
            day = min(working_days_after(day, spacing), self.today)
            for task in others:
                case = self.decide(case, task, decision=Action.APPROVE, day=day)
        return case, day


STATE_LABELS = dict(CaseState.choices)
