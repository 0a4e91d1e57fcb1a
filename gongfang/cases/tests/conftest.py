"""Fixtures of the kinds' tests: the registry's two-sided world (scanned), accounts of every
role that acts in the national default processes, and a driver that runs a case through them
with the engine's own services (create, submit, decide with e-signatures)."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from ...accounts.otp import current_code, provision_device
from ...compliance.services import scan
from ...registry.tests.world import PASSWORD, World, build_world
from ...workflow import services
from ...workflow.choices import PENDING_STATES, TaskState
from ...workflow.models import Case, Task

# The engine's accounts, each built on this directory's ``world`` (scanned) when a test asks.
from ...workflow.tests.conftest import (  # noqa: F401
    bureau_a,
    city_bureau,
    city_leader,
    leader_a,
    unit_a,
)


@pytest.fixture
def world(db) -> World:
    world = build_world()
    scan()
    return world


def signature(user) -> dict:
    """Password and a fresh authenticator code (the device's replay guard reset first)."""
    device = provision_device(user=user)
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    device.refresh_from_db()
    return {"password": PASSWORD, "otp": current_code(device)}


class Driver:
    """Runs cases through their processes as the world's accounts."""

    def __init__(self, approvers):
        self.approvers = approvers

    def submit(self, *, actor, kind, applicant, data) -> Case:
        case = services.create_case(actor=actor, kind=kind, applicant=applicant, data=data)
        return services.submit_case(actor=actor, case=case)

    def step(self, case: Case) -> Case:
        """Every open task of the current step approved by an account it names."""
        for task in Task.objects.filter(case=case, state=TaskState.OPEN).select_related("step"):
            user = next(
                u for u in self.approvers if Task.objects.for_user(u).filter(pk=task.pk).exists()
            )
            extra = signature(user) if task.step.needs_signature else {}
            case = services.decide(
                actor=user, case=Case.objects.get(pk=case.pk), decision="approve", **extra
            )
        return Case.objects.get(pk=case.pk)

    def approve(self, case: Case) -> Case:
        case = Case.objects.get(pk=case.pk)
        while case.state in PENDING_STATES:
            case = self.step(case)
        return case

    def until_last_step(self, case: Case) -> Case:
        """Approve every step but the last (whose decision applies the case)."""
        case = Case.objects.get(pk=case.pk)
        while case.state in PENDING_STATES:
            later = case.definition.steps.filter(order__gt=case.step_order).exists()
            if not later:
                return case
            case = self.step(case)
        return case


@pytest.fixture
def driver(unit_a, bureau_a, leader_a, city_bureau, city_leader) -> Driver:  # noqa: F811
    return Driver([unit_a, bureau_a, leader_a, city_bureau, city_leader])
