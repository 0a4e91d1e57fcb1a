"""The title-filing case kind run through the approval engine: validation naming the field, the
preview of exact changes, the Title written on approval, and a refusal when the title changed
meanwhile (nothing applied)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ...accounts.roles import Role
from ...framework.services import service_for
from ...registry.tests.world import build_world, make_user
from ...workflow import selectors
from ...workflow import services as engine
from ...workflow.choices import CaseKind, CaseState
from ...workflow.kinds import KINDS
from ...workflow.models import Case
from ..kinds import TitleFilingKind
from ..models import Title


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def unit_a(world):
    return make_user("unit_a", [Role.UNIT_ADMIN], scope_organization=world.a.org)


@pytest.fixture
def bureau_a(world):
    return make_user("bureau_a", [Role.BUREAU_ADMIN], scope_region=world.a.region)


def test_the_kind_is_registered():
    assert isinstance(KINDS.get(CaseKind.TITLE_FILING), TitleFilingKind)


def test_draft_errors_name_the_field(world, unit_a):
    with pytest.raises(ValidationError) as ctx:
        engine.create_case(
            actor=unit_a,
            kind=CaseKind.TITLE_FILING,
            applicant=world.a.org,
            data={"kind": "certificate", "compound": world.a.compound.pk},
        )
    errors = ctx.value.message_dict
    assert any(m.startswith("证号：") for m in errors["certificate_number"])
    with pytest.raises(ValidationError) as ctx:
        engine.create_case(
            actor=unit_a,
            kind=CaseKind.TITLE_FILING,
            applicant=world.a.org,
            data={"kind": "filing", "compound": world.b.compound.pk},  # not in scope
        )
    assert "院落" in ctx.value.message_dict["compound"][0]


def test_filing_creates_the_title_on_approval(world, unit_a, bureau_a):
    building = world.a.building
    case = engine.create_case(
        actor=unit_a,
        kind=CaseKind.TITLE_FILING,
        applicant=world.a.org,
        data={
            "building": building.pk,
            "kind": "certificate",
            "certificate_number": "鲁（2026）滕州市不动产权第0012345号",
            "area": "2450.50",
            "issued_on": "2026-04-01",
            "held_centrally": "on",
        },
    )
    assert case.title.startswith(str(building))
    case = engine.submit_case(actor=unit_a, case=case)
    preview = selectors.preview(case)
    fields = {(c.model, c.field): c for c in preview}
    assert fields[("权属登记", "证号")].after == "鲁（2026）滕州市不动产权第0012345号"
    assert fields[("权属登记", "权利人")].after == world.a.org.name
    assert fields[("楼座", "权属状态")].after == "已办证"
    assert Title.objects.count() == 0
    case = engine.decide(actor=bureau_a, case=case, decision="approve")
    case.refresh_from_db()
    assert case.state == CaseState.APPLIED
    title = Title.objects.get()
    assert title.building == building
    assert title.holder == world.a.org
    assert title.held_centrally is True
    assert str(title.area) == "2450.50"
    assert title.issued_on == datetime.date(2026, 4, 1)
    building.refresh_from_db()
    assert building.title_status == "certified"
    assert case.result["title"] == title.pk


def test_a_title_changed_meanwhile_stops_the_change(world, unit_a, bureau_a):
    title, _ = service_for(Title).create(
        actor=bureau_a,
        data={"compound": world.a.compound, "kind": "unclear", "holder": world.a.org},
    )
    case = engine.create_case(
        actor=unit_a,
        kind=CaseKind.TITLE_FILING,
        applicant=world.a.org,
        data={"title": title.pk, "kind": "filing", "certificate_number": "滕备2026-3"},
    )
    assert case.payload["title_version"] == title.version
    assert case.payload["compound"] == world.a.compound.pk
    case = engine.submit_case(actor=unit_a, case=case)
    changes = {c.field: c for c in selectors.preview(case)}
    assert changes["权属类型"].before == "权属不清"
    assert changes["权属类型"].after == "备案"
    # The bureau edits the title directly meanwhile.
    service_for(Title).update(actor=bureau_a, instance=title, data={"note": "已核实"})
    assert any("提交后已被修改" in p for p in selectors.problems(case))
    with pytest.raises(ValidationError):
        engine.decide(actor=bureau_a, case=case, decision="approve")
    title.refresh_from_db()
    assert title.kind == "unclear"
    case.refresh_from_db()
    assert case.state in (CaseState.SUBMITTED, CaseState.IN_REVIEW)


def test_the_wizard_drafts_and_edits_a_filing(client, world, unit_a):
    building = world.a.building
    client.force_login(unit_a)
    url = reverse("workflow:case_create", args=[CaseKind.TITLE_FILING])
    page = client.get(url, {"building": building.pk})
    assert page.status_code == 200
    assert "权属类型" in page.content.decode()
    response = client.post(
        url,
        {
            "case-applicant": world.a.org.pk,
            "building": building.pk,
            "kind": "filing",
            "certificate_number": "滕备〔2026〕8号",
            "source_document": "滕州市机关事务服务中心备案表",
        },
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    case = Case.objects.get(kind=CaseKind.TITLE_FILING)
    assert case.payload["building"] == building.pk
    assert case.payload["holder"] == world.a.org.pk
    page = client.get(reverse("workflow:case_edit", args=[case.pk]))
    assert page.status_code == 200
    page = client.get(case.get_absolute_url())
    assert page.status_code == 200
    content = page.content.decode()
    assert "滕备〔2026〕8号" in content
    # The hidden bookkeeping value is not shown as a raw key.
    assert "title_version" not in content


def test_the_title_page_offers_a_filing_to_whoever_may_apply(client, world, unit_a, bureau_a):
    title, _ = service_for(Title).create(
        actor=bureau_a,
        data={"building": world.a.building, "kind": "unclear", "holder": world.a.org},
    )
    link = reverse("workflow:case_create", args=[CaseKind.TITLE_FILING])
    client.force_login(unit_a)
    content = client.get(title.get_absolute_url()).content.decode()
    assert f"{link}?building={world.a.building.pk}" in content
    supervisor = make_user("supervisor_a", [Role.SUPERVISOR], scope_region=world.a.region)
    client.force_login(supervisor)
    assert link not in client.get(title.get_absolute_url()).content.decode()


def test_a_change_keeps_what_it_leaves_empty(world, unit_a, bureau_a):
    title, _ = service_for(Title).create(
        actor=bureau_a,
        data={
            "building": world.a.building,
            "kind": "certificate",
            "certificate_number": "鲁（2024）滕州市不动产权第0000001号",
            "holder": world.a.org,
            "area": "800.00",
            "issued_on": datetime.date(2024, 6, 1),
            "source_document": "划转文件",
        },
    )
    case = engine.create_case(
        actor=unit_a,
        kind=CaseKind.TITLE_FILING,
        applicant=world.a.org,
        data={"title": title.pk, "kind": "certificate", "area": "812.40"},
    )
    case = engine.submit_case(actor=unit_a, case=case)
    changes = {c.field: (c.before, c.after) for c in selectors.preview(case)}
    assert changes == {"证载面积": ("800.00", "812.40")}
    engine.decide(actor=bureau_a, case=case, decision="approve")
    title.refresh_from_db()
    assert str(title.area) == "812.40"
    assert title.certificate_number == "鲁（2024）滕州市不动产权第0000001号"
    assert title.issued_on == datetime.date(2024, 6, 1)
    assert title.source_document == "划转文件"
