"""The stage gates read their table from ``StageRequirement`` rows: a region's own rows replace
the national ones there (and only there); the national rows are read-only."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ...accounts.roles import Role
from ...framework import clock
from ...framework.services import service_for
from ...registry.tests.world import build_world, make_user
from .. import gates
from ..choices import Stage
from ..models import MaintenanceProject, StageRequirement
from .test_stages import file_papers
from .world import project_data


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def bureau_a(world):
    return make_user("bureau_a", [Role.BUREAU_ADMIN], scope_region=world.a.region)


@pytest.fixture
def bureau_city(world):
    return make_user("bureau_city", [Role.BUREAU_ADMIN], scope_region=world.city)


@pytest.fixture
def unit_a(world):
    return make_user("unit_a", [Role.UNIT_ADMIN], scope_organization=world.a.org)


def project_of(user, side, **extra) -> MaintenanceProject:
    project, _ = service_for(MaintenanceProject).create(
        actor=user, data=project_data(side, **extra)
    )
    return project


def local_row(user, region, **values) -> StageRequirement:
    data = {
        "region": region,
        "stage": Stage.ACCEPTED,
        "project_kind": "minor",
        "category": "photo",
        "count": 3,
        "label": "施工前后及隐蔽工程照片",
        "source": "县机关事务管理局维修项目管理细则",
        "effective_from": clock.today() - datetime.timedelta(days=1),
        **values,
    }
    row, _ = service_for(StageRequirement).create(actor=user, data=data)
    return row


def test_a_regions_row_changes_what_its_gate_asks_for(world, bureau_a, bureau_city):
    mine = project_of(bureau_city, world.a, kind="minor")
    theirs = project_of(bureau_city, world.b, kind="minor")
    assert gates.missing(mine, Stage.ACCEPTED) == gates.missing(theirs, Stage.ACCEPTED)
    assert "“施工前后照片”1 份" in gates.missing(mine, Stage.ACCEPTED)[0]

    local_row(bureau_a, world.a.region)

    (line,) = gates.missing(mine, Stage.ACCEPTED)
    assert "验收前须上传“施工前后及隐蔽工程照片”3 份" in line and "现有 0 份" in line
    # The national row still applies in the other county.
    (line,) = gates.missing(theirs, Stage.ACCEPTED)
    assert "“施工前后照片”1 份" in line
    assert [r.label for r in gates.requirements_for(Stage.ACCEPTED, "minor", world.b.region)] == [
        "施工前后照片"
    ]


def test_a_region_adds_a_paper_or_waives_one(world, bureau_a, unit_a):
    project = project_of(bureau_a, world.a, kind="minor")
    local_row(bureau_a, world.a.region, stage=Stage.IN_PROGRESS, category="contract", count=0)
    local_row(
        bureau_a,
        world.a.region,
        stage=Stage.IN_PROGRESS,
        category="construction",
        count=1,
        label="维修方案",
    )
    (line,) = gates.missing(project, Stage.IN_PROGRESS)
    assert "“维修方案”1 份" in line and "合同" not in line
    file_papers(unit_a, project, "construction")
    assert gates.missing(project, Stage.IN_PROGRESS) == []


def test_a_row_not_yet_in_force_does_not_apply(world, bureau_a):
    project = project_of(bureau_a, world.a, kind="minor")
    local_row(bureau_a, world.a.region, effective_from=clock.today() + datetime.timedelta(days=30))
    assert "“施工前后照片”1 份" in gates.missing(project, Stage.ACCEPTED)[0]


def test_national_rows_are_read_only(world, bureau_a):
    national = StageRequirement.objects.filter(region__isnull=True).first()
    with pytest.raises((ValidationError, PermissionDenied)):
        service_for(StageRequirement).update(actor=bureau_a, instance=national, data={"count": 5})
    national.refresh_from_db()
    assert national.count != 5


def test_an_unknown_category_is_refused(world, bureau_a):
    with pytest.raises(ValidationError, match="没有代码为“nonsense”的档案类别"):
        local_row(bureau_a, world.a.region, category="nonsense")
