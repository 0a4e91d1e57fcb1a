"""A step's time limit that runs into a year whose holidays are not announced yet (2027 in the
seeded calendar): counted Monday to Friday, and every place that shows the deadline says so."""

from __future__ import annotations

import datetime

from django.urls import reverse

from ...framework.models import CalendarDay, HolidayYear, HolidayYearState
from ...framework.workdays import clear_cache
from ..models import Notification

NOTE = "（2027年节假日安排尚未公布，按周一至周五推算）"


def _on(clock, day: datetime.date) -> None:
    clock.advance(datetime.timedelta(days=(day - clock.today()).days))


def test_a_deadline_into_2027_is_shown_as_an_estimate(client, clock, submitted, bureau_a):
    _on(clock, datetime.date(2026, 12, 28))  # a Monday; five working days end in 2027
    case = submitted()
    task = case.tasks.get()
    assert task.due_on == case.deadline == datetime.date(2027, 1, 4)  # 1 January counted
    message = Notification.objects.get(user=bureau_a, case=case).message
    assert f"请于 2027-01-04{NOTE} 前办理" in message

    client.force_login(bureau_a)
    page = client.get(case.get_absolute_url()).content.decode()
    assert f"2027-01-04</span>{NOTE}" in page  # the header and the task's line
    assert f'<div class="small text-secondary fw-normal">{NOTE}</div>' in page  # particulars
    todo = client.get(reverse("workflow:todo")).content.decode()
    assert f"期限 2027-01-04{NOTE}" in todo


def test_a_deadline_within_an_announced_year_carries_no_note(client, clock, submitted, bureau_a):
    _on(clock, datetime.date(2026, 9, 30))  # the eve of 国庆: five working days end 13 October
    case = submitted()
    assert case.deadline == datetime.date(2026, 10, 13)
    assert "推算" not in Notification.objects.get(user=bureau_a, case=case).message
    client.force_login(bureau_a)
    assert "尚未公布" not in client.get(case.get_absolute_url()).content.decode()


def test_once_2027_is_announced_the_count_follows_it(clock, submitted, bureau_a):
    year = HolidayYear.objects.create(
        year=2027, state=HolidayYearState.ANNOUNCED, source="国办发明电〔2026〕测试号"
    )
    CalendarDay.objects.create(year=year, date=datetime.date(2027, 1, 1), kind="holiday")
    try:
        _on(clock, datetime.date(2026, 12, 28))
        case = submitted()
        assert case.deadline == datetime.date(2027, 1, 5)  # 1 January is a holiday
        assert "推算" not in Notification.objects.get(user=bureau_a, case=case).message
    finally:
        clear_cache()  # the year is rolled back with the test


def test_the_reminder_of_an_estimated_deadline_says_so(clock, submitted, bureau_a):
    from ..jobs import send_reminders

    _on(clock, datetime.date(2026, 12, 28))
    case = submitted()
    send_reminders(today=datetime.date(2027, 1, 3))
    reminder = Notification.objects.filter(user=bureau_a, case=case).latest("pk").message
    assert reminder.endswith(f"将于明天（2027-01-04）到期{NOTE}。")
    send_reminders(today=datetime.date(2027, 1, 6))
    reminder = Notification.objects.filter(user=bureau_a, case=case).latest("pk").message
    assert reminder.endswith(f"办理期限为 2027-01-04{NOTE}。")


def test_announcing_2027_recounts_the_open_tasks_estimated_through_it(
    clock, submitted, django_capture_on_commit_callbacks
):
    _on(clock, datetime.date(2026, 12, 28))
    case = submitted()
    assert case.deadline == datetime.date(2027, 1, 4)  # estimated
    done = submitted()
    done.tasks.update(state="done")  # a task no longer open keeps its date
    try:
        with django_capture_on_commit_callbacks(execute=True):
            year = HolidayYear.objects.create(year=2027, source="国办发明电〔2026〕测试号")
            CalendarDay.objects.create(year=year, date=datetime.date(2027, 1, 1), kind="holiday")
        case.refresh_from_db()
        assert case.deadline == datetime.date(2027, 1, 4)  # entered, not announced: unchanged
        with django_capture_on_commit_callbacks(execute=True):
            year.state = HolidayYearState.ANNOUNCED
            year.save()
        case.refresh_from_db()
        assert case.deadline == case.tasks.get().due_on == datetime.date(2027, 1, 5)
        assert done.tasks.get().due_on == datetime.date(2027, 1, 4)
    finally:
        clear_cache()
