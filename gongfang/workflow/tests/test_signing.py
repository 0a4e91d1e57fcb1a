"""E-signatures: password and authenticator code, nothing decided without both; batch sign."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_otp.plugins.otp_totp.models import TOTPDevice

from ...framework.models import ObjectChange
from ...registry.models import Room
from ...registry.tests.world import PASSWORD, make_user
from .. import services
from ..choices import CaseState, TaskState
from ..models import Case, Signature
from ..signing import canonical_content, content_hash
from .conftest import code_for, sign


@pytest.fixture
def at_leader(submitted, bureau_a):
    """Cases waiting for the leader's signature."""

    def make():
        return services.decide(actor=bureau_a, case=submitted(), decision="approve")

    return make


def unchanged(case) -> bool:
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.state == CaseState.IN_REVIEW
        and fresh.version == case.version
        and not Signature.objects.filter(case=case).exists()
        and case.tasks.get(step__order=2).state == TaskState.OPEN
    )


def test_signature_needs_password_and_code(at_leader, leader_a):
    case = at_leader()
    with pytest.raises(ValidationError) as exc:
        services.decide(actor=leader_a, case=case, decision="approve")
    assert set(exc.value.message_dict) == {"password", "otp"}
    with pytest.raises(ValidationError) as exc:
        services.decide(actor=leader_a, case=case, decision="approve", password=PASSWORD)
    assert set(exc.value.message_dict) == {"otp"}
    assert unchanged(case)


def test_a_wrong_password_or_code_signs_nothing(at_leader, leader_a):
    case = at_leader()
    with pytest.raises(ValidationError) as exc:
        services.decide(
            actor=leader_a, case=case, decision="approve", password="wrong", otp=code_for(leader_a)
        )
    assert "password" in exc.value.message_dict
    # The wrong password made the device wait: even the right password is refused at once.
    assert TOTPDevice.objects.get(user=leader_a).throttling_failure_count == 1
    with pytest.raises(ValidationError) as exc:
        services.decide(actor=leader_a, case=case, decision="approve", password=PASSWORD, otp="1")
    assert "稍候" in exc.value.message_dict["otp"][0]
    right = code_for(leader_a)  # (resets the wait)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    with pytest.raises(ValidationError) as exc:
        services.decide(actor=leader_a, case=case, decision="approve", password=PASSWORD, otp=wrong)
    assert "otp" in exc.value.message_dict
    assert unchanged(case)
    # Both failures are in the audit trail, and the wrong code counts against the device.
    failures = ObjectChange.objects.filter(event="case.sign_failed", user=leader_a)
    assert sorted(e.postchange_data["reason"] for e in failures) == [
        "throttled",
        "wrong_code",
        "wrong_password",
    ]
    assert TOTPDevice.objects.get(user=leader_a).throttling_failure_count == 1


def test_a_code_is_accepted_once(at_leader, leader_a):
    first, second = at_leader(), at_leader()
    code = code_for(leader_a)
    services.decide(actor=leader_a, case=first, decision="approve", password=PASSWORD, otp=code)
    with pytest.raises(ValidationError) as exc:
        services.decide(
            actor=leader_a, case=second, decision="approve", password=PASSWORD, otp=code
        )
    assert "otp" in exc.value.message_dict
    assert unchanged(second)


def test_an_account_without_authenticator_cannot_sign(world, at_leader, leader_a):
    case = at_leader()
    TOTPDevice.objects.filter(user=leader_a).delete()
    with pytest.raises(ValidationError) as exc:
        services.decide(
            actor=leader_a, case=case, decision="approve", password=PASSWORD, otp="123456"
        )
    assert "身份验证器" in exc.value.message_dict["otp"][0]
    assert unchanged(case)


def test_the_signature_records_signer_time_and_content_hash(at_leader, leader_a):
    case = at_leader()
    case = services.decide(actor=leader_a, case=case, decision="approve", **sign(leader_a))
    signature = Signature.objects.get(case=case)
    algorithm, digest = content_hash(case)
    assert (signature.algorithm, signature.content_hash) == (algorithm, digest)
    assert digest == case.content_hash  # what the approvers saw at submission
    assert b'"subjects":[["room",' in canonical_content(case)
    assert signature.action.action == "approve" and signature.action.actor == leader_a


def test_a_return_at_a_signature_step_is_signed_too(at_leader, leader_a):
    case = at_leader()
    case = services.decide(
        actor=leader_a, case=case, decision="return", comment="请补充材料", **sign(leader_a)
    )
    assert case.state == CaseState.RETURNED
    assert Signature.objects.filter(case=case, signer=leader_a).count() == 1


# Batch sign -----------------------------------------------------------------------------------
def test_batch_sign_with_one_confirmation(world, at_leader, submitted, bureau_a, leader_a):
    from ...framework.services import service_for

    ready = [at_leader(), at_leader()]
    stale = at_leader()
    room = Room.objects.get(pk=stale.payload["room"])
    service_for(Room).update(actor=bureau_a, instance=room, data={"name": "改过"})
    not_mine = submitted()  # still at the bureau's step
    results = services.decide_many(
        actor=leader_a, cases=[*ready, stale, not_mine], **sign(leader_a)
    )
    outcome = {case.pk: error for case, error in results}
    assert outcome[ready[0].pk] is None and outcome[ready[1].pk] is None
    assert "在提交后已被修改" in outcome[stale.pk]
    assert outcome[not_mine.pk] == "您不是该事项当前环节的办理人。"
    assert Case.objects.get(pk=ready[0].pk).state == CaseState.APPLIED
    assert Case.objects.get(pk=ready[1].pk).state == CaseState.APPLIED
    assert unchanged(stale)
    assert Signature.objects.filter(signer=leader_a).count() == 2


def test_batch_sign_with_a_wrong_code_decides_nothing(at_leader, leader_a):
    cases = [at_leader(), at_leader()]
    with pytest.raises(ValidationError) as exc:
        services.decide_many(actor=leader_a, cases=cases, password=PASSWORD, otp="000000")
    assert "otp" in exc.value.message_dict
    assert all(unchanged(case) for case in cases)


def test_batch_by_someone_without_tasks_decides_nothing(world, at_leader):
    stranger = make_user("stranger", ["leader"], scope_region=world.b.region)
    case = at_leader()
    results = services.decide_many(actor=stranger, cases=[case])
    assert results[0][1] == "您不是该事项当前环节的办理人。"
    assert unchanged(case)
    with pytest.raises(PermissionDenied):
        services.decide(actor=stranger, case=case, decision="approve")


def test_a_deactivated_account_decides_nothing(at_leader, leader_a):
    case = at_leader()
    leader_a.is_active = False
    leader_a.save()
    with pytest.raises(PermissionDenied):
        services.decide(actor=leader_a, case=case, decision="approve", **sign(leader_a))
    assert unchanged(case)
