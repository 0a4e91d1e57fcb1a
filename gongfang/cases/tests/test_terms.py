"""Terms of loans and leases: a case dated ahead waits for its day, the end of a term is
reminded, and the payload reads back as the form names it."""

from __future__ import annotations

import datetime

from ...framework import clock
from ...registry.choices import RoomCategory, RoomStatus
from ...registry.tests import factories as f
from ...workflow.choices import CaseKind, CaseState
from ...workflow.jobs import apply_due
from ...workflow.kinds import KINDS
from ...workflow.models import Case, Notification
from ..jobs import remind_term_ends, threshold
from ..models import ApprovedUse

TODAY = clock.today()


def lend(world, unit_a, driver, *, starts_on, days):
    room = f.RoomFactory(
        floor=world.a.floor,
        number="102",
        organization=world.a.org,
        category=RoomCategory.SERVICE,
        subtype="会议室",
    )
    case = driver.submit(
        actor=unit_a,
        kind=CaseKind.LEND,
        applicant=world.a.org,
        data={
            "rooms": [room.pk],
            "borrower": world.a.sub_org.pk,
            "starts_on": starts_on.isoformat(),
            "ends_on": (starts_on + datetime.timedelta(days=days)).isoformat(),
            "agreement_number": "借字 9",
            "reason": "借用",
        },
    )
    return room, driver.approve(case)


def test_a_loan_starting_tomorrow_waits_for_its_day(world, unit_a, driver):
    tomorrow = TODAY + datetime.timedelta(days=1)
    room, case = lend(world, unit_a, driver, starts_on=tomorrow, days=30)
    assert (case.state, case.effective_on) == (CaseState.APPROVED, tomorrow)
    room.refresh_from_db()
    assert room.status == RoomStatus.IN_USE and not ApprovedUse.objects.exists()
    # The day comes (the date moved back instead of the clock forward: registry dates may not
    # lie ahead of the real today).
    Case.objects.filter(pk=case.pk).update(effective_on=TODAY)
    case.payload["starts_on"] = TODAY.isoformat()
    Case.objects.filter(pk=case.pk).update(payload=case.payload)
    assert apply_due(today=TODAY) == (1, [])
    room.refresh_from_db()
    assert (room.status, room.status_since) == (RoomStatus.LENT, TODAY)


def test_term_end_reminders(world, unit_a, driver):
    room, case = lend(world, unit_a, driver, starts_on=TODAY, days=40)
    use = ApprovedUse.objects.get(room=room)
    assert remind_term_ends(today=TODAY) == 0  # 40 days left
    assert remind_term_ends(today=use.ends_on - datetime.timedelta(days=30)) == 1
    assert remind_term_ends(today=use.ends_on - datetime.timedelta(days=29)) == 0  # once
    assert remind_term_ends(today=use.ends_on - datetime.timedelta(days=6)) == 1
    assert remind_term_ends(today=use.ends_on + datetime.timedelta(days=1)) == 1
    assert remind_term_ends(today=use.ends_on + datetime.timedelta(days=2)) == 0
    messages = list(
        Notification.objects.filter(user=unit_a, case=case, message__contains="期限")
        .order_by("pk")
        .values_list("message", flat=True)
    )
    assert len(messages) == 3
    assert "还有 30 天" in messages[0] and "已于" in messages[2] and case.number in messages[2]


def test_thresholds():
    assert [threshold(d) for d in (31, 30, 8, 7, 0, -1, -30)] == [None, 30, 30, 7, 7, -1, -1]


def test_the_payload_reads_back_in_words(world, unit_a, driver):
    room, case = lend(world, unit_a, driver, starts_on=TODAY, days=10)
    rows = dict(KINDS.get(case.kind).describe(case))
    assert rows["房间"] == str(room)
    assert rows["借用单位"] == world.a.sub_org.name
    assert rows["协议编号"] == "借字 9"


def test_the_r8_provider_reads_few_or_all(world, unit_a, driver):
    from ..hooks import CHUNK, approved_room_uses

    room, case = lend(world, unit_a, driver, starts_on=TODAY, days=10)
    [fact] = approved_room_uses([room.pk], TODAY)
    assert (fact.use, fact.reference, fact.covers(TODAY)) == ("lent", case.number, True)
    many = [*range(10_000_000, 10_000_000 + CHUNK), room.pk]
    assert [f.room_id for f in approved_room_uses(many, TODAY)] == [room.pk]
    assert list(approved_room_uses([world.a.room.pk], TODAY)) == []
