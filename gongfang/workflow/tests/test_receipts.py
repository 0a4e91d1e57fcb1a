"""Receipts (回执): one PDF per submission and decision, for whoever sees the case, 404 for
anyone else; the content names the case, the subjects, the decision, the signer and the hash,
in local time."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ...accounts.roles import Role
from ...registry.tests.world import make_user
from .. import services
from ..choices import Action
from ..receipts import receipt_context, receipt_pdf
from .conftest import sign


@pytest.fixture
def decided(world, new_case, unit_a, bureau_a, leader_a):
    case = new_case()
    case = services.submit_case(actor=unit_a, case=case)
    case = services.decide(
        actor=bureau_a, case=case, decision="approve", comment="同意，请领导签批"
    )
    case = services.decide(actor=leader_a, case=case, decision="approve", **sign(leader_a))
    return case


def url(case, action) -> str:
    return reverse("workflow:case_receipt", args=[case.pk, action.pk])


def test_every_submission_and_decision_has_a_receipt(client, decided, unit_a, bureau_a, leader_a):
    entries = {a.action: a for a in decided.actions.order_by("pk")}
    submit = decided.actions.get(action=Action.SUBMIT)
    decisions = list(decided.actions.filter(action=Action.APPROVE).order_by("pk"))
    assert len(decisions) == 2
    for user in (unit_a, bureau_a, leader_a):
        client.force_login(user)
        for entry in (submit, *decisions):
            response = client.get(url(decided, entry))
            assert response.status_code == 200, (user, entry)
            assert response["Content-Type"] == "application/pdf"
            assert response.content.startswith(b"%PDF-")
            assert "filename*=UTF-8''" in response["Content-Disposition"]
    # A draft's creation or the effect applying is no submission or decision: no receipt.
    client.force_login(unit_a)
    for code in (Action.CREATE, Action.APPLY):
        assert client.get(url(decided, entries[code])).status_code == 404


def test_receipts_are_scoped(client, world, decided, unit_b, bureau_b):
    submit = decided.actions.get(action=Action.SUBMIT)
    for user in (unit_b, bureau_b):
        client.force_login(user)
        assert client.get(url(decided, submit)).status_code == 404
    client.logout()
    response = client.get(url(decided, submit))
    assert response.status_code == 302


def test_an_entry_of_another_case_is_404(client, decided, submitted, unit_a):
    other = submitted()
    entry = other.actions.get(action=Action.SUBMIT)
    client.force_login(unit_a)
    assert (
        client.get(reverse("workflow:case_receipt", args=[decided.pk, entry.pk])).status_code == 404
    )


def test_a_viewer_without_case_permission_is_refused(client, world, decided):
    nobody = make_user("sysadmin_r", [Role.SYS_ADMIN])
    client.force_login(nobody)
    submit = decided.actions.get(action=Action.SUBMIT)
    assert client.get(url(decided, submit)).status_code == 404


def test_signed_decision_receipt_content(decided, leader_a):
    entry = decided.actions.get(action=Action.APPROVE, actor=leader_a)
    context = receipt_context(decided, entry)
    assert context["heading"] == "办理回执"
    assert leader_a.username in context["signer"]
    assert context["method"] == "登录密码 + 动态口令"
    local = timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S")
    assert context["at"] == local
    html = render_to_string("workflow/receipt.html", {"pdf_font_family": "x", **context})
    for text in (
        decided.number,
        decided.get_kind_display(),
        decided.applicant.name,
        "同意",
        "电子签批",
        decided.content_hash,
        entry.signature.content_hash,
        local,
    ):
        assert text in html, text
    # Subjects by their label.
    for subject in decided.subjects.all():
        assert subject.label in html
    assert receipt_pdf(decided, entry).startswith(b"%PDF-")


def test_submission_receipt_content(decided, unit_a):
    entry = decided.actions.get(action=Action.SUBMIT)
    context = receipt_context(decided, entry)
    assert context["heading"] == "受理回执"
    assert context["signature"] is None
    html = render_to_string("workflow/receipt.html", {"pdf_font_family": "x", **context})
    assert "本次提交" in html and "电子签批" not in html
    assert "提交" in html


def test_receipt_pdf_refuses_entries_without_receipt(decided):
    entry = decided.actions.get(action=Action.CREATE)
    with pytest.raises(ValueError):
        receipt_pdf(decided, entry)
