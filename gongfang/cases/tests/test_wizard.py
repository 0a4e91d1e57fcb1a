"""The kinds' forms in the engine's pages: every kind's new-case page renders for a unit admin,
and a loan posted through it is drafted and submitted."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from ...framework import clock
from ...workflow.choices import CaseKind, CaseState
from ...workflow.models import Case

TODAY = clock.today()
KINDS_HERE = [k for k in CaseKind.values if k != CaseKind.TITLE_FILING]


@pytest.mark.parametrize("kind", KINDS_HERE)
def test_every_kinds_form_renders(client, world, unit_a, kind):
    client.force_login(unit_a)
    response = client.get(reverse("workflow:case_create", args=[kind]), {"room": world.a.room.pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert "请选择" in body or "<select" in body
    if kind in (CaseKind.LEND, CaseKind.VACATE, CaseKind.ALLOCATION):
        # The room it was started from is chosen already.
        assert f'value="{world.a.room.pk}" selected' in body


def test_a_loan_through_the_page(client, world, unit_a):
    client.force_login(unit_a)
    url = reverse("workflow:case_create", args=[CaseKind.LEND])
    response = client.post(
        url,
        {
            "case-applicant": world.a.org.pk,
            "rooms": [world.a.room.pk],
            "borrower": world.a.sub_org.pk,
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + datetime.timedelta(days=30)).isoformat(),
            "agreement_number": "借字 1",
            "reason": "借用",
            "submit": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    assert case.state == CaseState.SUBMITTED and case.payload["rooms"] == [world.a.room.pk]
    page = client.get(case.get_absolute_url()).content.decode()
    assert "出借" in page and "借字 1" in page
    # A form error names its field.
    response = client.post(url, {"case-applicant": world.a.org.pk, "rooms": [world.a.room.pk]})
    assert response.status_code == 200
    assert "请选择借用单位。" in response.content.decode()


def test_a_waiver_started_from_the_warning(client, world, bureau_a):
    from ...compliance.models import Warning

    warning = Warning.objects.get(key=f"R1:room:{world.a.room.pk}")
    client.force_login(bureau_a)
    url = reverse("workflow:case_create", args=[CaseKind.WARNING_WAIVER])
    body = client.get(url, {"warning": warning.pk}).content.decode()
    assert f'value="{warning.pk}" selected' in body
    response = client.post(
        url,
        {
            "case-applicant": world.a.org.pk,
            "warning": warning.pk,
            "action": "defer",
            "reason": "结构原因",
            "submit": "1",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(kind=CaseKind.WARNING_WAIVER)
    assert case.state == CaseState.SUBMITTED
    assert Warning.objects.get(pk=warning.pk).state == "open"
