"""The daily scan job: overdue rectifications are flagged once per deadline, on the project's
clock."""

from __future__ import annotations

import datetime

import pytest

from ...framework.models import ObjectChange
from ..jobs import daily_scan
from ..models import Mode, Warning
from ..services import transition

pytestmark = pytest.mark.django_db


def overdue_events(warning: Warning) -> list[dict]:
    return [
        e.postchange_data
        for e in ObjectChange.objects.filter(event="warning.overdue", changed_object_id=warning.pk)
    ]


def test_an_overdue_rectification_is_flagged_once_per_deadline(world, bureau_a, clock):
    warning = Warning.objects.get(key=f"R1:room:{world.a.room.pk}")
    deadline = clock.today() + datetime.timedelta(days=10)
    transition(
        actor=bureau_a, warning=warning, action="rectify", mode=Mode.DEADLINE, deadline=deadline
    )
    assert "整改逾期 0 项" in daily_scan()

    clock.advance(datetime.timedelta(days=11))
    message = daily_scan()
    assert "整改逾期 1 项（今日新逾期 1）" in message
    assert [e["deadline"] for e in overdue_events(warning)] == [deadline.isoformat()]
    assert Warning.objects.get(pk=warning.pk).is_overdue

    assert "整改逾期 1 项（今日新逾期 0）" in daily_scan()  # the next day: not flagged again
    assert len(overdue_events(warning)) == 1

    later = clock.today() + datetime.timedelta(days=5)  # a new deadline, passed in turn
    transition(
        actor=bureau_a, warning=warning, action="rectify", mode=Mode.DEADLINE, deadline=later
    )
    clock.advance(datetime.timedelta(days=6))
    daily_scan()
    assert sorted(e["deadline"] for e in overdue_events(warning)) == [
        deadline.isoformat(),
        later.isoformat(),
    ]
