"""Two countersigners approving at the same moment: the next step opens exactly once."""

from __future__ import annotations

import pytest
from django.db import close_old_connections

from ...framework.tests.test_concurrency import run_together
from ...registry.tests import factories as f
from ...registry.tests.world import build_world, make_user
from .. import services
from ..choices import CaseState, TaskState
from ..kinds import KINDS
from ..models import Case, Task
from .conftest import KIND, REVIEW, make_definition
from .kinds import RoomUseSpec


@pytest.mark.django_db(transaction=True)
def test_parallel_countersigners_at_once_open_the_next_step_once():
    previous = KINDS.specs.get(KIND)
    KINDS.specs[KIND] = RoomUseSpec()
    try:
        world = build_world()
        make_definition(
            world.city,
            [
                ("会签", ["supervising_admin", "region_bureau"], REVIEW, False),
                ("领导签批", ["region_leader"], REVIEW, True),
            ],
        )
        bureau = make_user("bureau_a", ["bureau_admin"], scope_region=world.a.region)
        make_user("leader_a", ["leader"], scope_region=world.a.region)
        supervisor = make_user("unit_a", ["unit_admin"], scope_organization=world.a.org)
        applicant = make_user("unit_sub", ["unit_admin"], scope_organization=world.a.sub_org)
        cases = []
        for i in range(3):
            room = f.RoomFactory(floor=world.a.floor, organization=world.a.sub_org, number=f"P{i}")
            case = services.create_case(
                actor=applicant,
                kind=KIND,
                applicant=world.a.sub_org,
                data={"room": room.pk, "subtype": "会议室"},
            )
            cases.append(services.submit_case(actor=applicant, case=case))
        jobs = [
            lambda case=case, who=who: services.decide(actor=who, case=case, decision="approve").pk
            for case in cases
            for who in (bureau, supervisor)
        ]
        results = run_together(jobs)
        close_old_connections()
        assert not [r for r in results if isinstance(r, Exception)], results
        for case in cases:
            fresh = Case.objects.get(pk=case.pk)
            assert (fresh.state, fresh.step_order) == (CaseState.IN_REVIEW, 2)
            leader_tasks = Task.objects.filter(case=case, step__order=2)
            assert leader_tasks.count() == 1
            assert leader_tasks.get().state == TaskState.OPEN
            assert set(
                Task.objects.filter(case=case, step__order=1).values_list("state", flat=True)
            ) == {TaskState.DONE}
    finally:
        if previous is None:
            KINDS.specs.pop(KIND, None)
        else:
            KINDS.specs[KIND] = previous
