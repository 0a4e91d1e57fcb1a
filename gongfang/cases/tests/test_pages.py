"""The pages of the cases' records: read only, scoped, reachable from the menu."""

from __future__ import annotations

import datetime
import re

from django.urls import reverse

from ...accounts.roles import Role
from ...framework import clock
from ...registry.choices import RoomCategory
from ...registry.tests import factories as f
from ...registry.tests.world import make_user
from ...workflow.choices import CaseKind
from ..models import ApprovedUse, ConstructionProject

TODAY = clock.today()


def lend_room(world, unit_a, driver):
    room = f.RoomFactory(
        floor=world.a.floor,
        number="102",
        organization=world.a.org,
        category=RoomCategory.SERVICE,
        subtype="会议室",
    )
    return driver.approve(
        driver.submit(
            actor=unit_a,
            kind=CaseKind.LEND,
            applicant=world.a.org,
            data={
                "rooms": [room.pk],
                "borrower": world.a.sub_org.pk,
                "starts_on": TODAY.isoformat(),
                "ends_on": (TODAY + datetime.timedelta(days=30)).isoformat(),
                "agreement_number": "借字 5",
                "reason": "借用",
            },
        )
    )


def test_approved_uses_list_and_page(client, world, unit_a, bureau_a, driver):
    case = lend_room(world, unit_a, driver)
    use = ApprovedUse.objects.get()
    client.force_login(bureau_a)
    page = client.get(reverse("cases:approveduse_list"))
    assert page.status_code == 200
    body = page.content.decode()
    assert case.number in body and re.search(r"<td[^>]*>出借</td>", body)
    assert 'href="/case-records/uses/add/' not in body and "新增" not in body
    detail = client.get(reverse("cases:approveduse", args=[use.pk]))
    assert detail.status_code == 200
    assert "借字 5" in detail.content.decode() and "修改</a>" not in detail.content.decode()
    # The room's page links to its approvals.
    room_page = client.get(use.room.get_absolute_url()).content.decode()
    assert (
        "经批准的用途（1）" in room_page and f"/case-records/uses/?room={use.room_id}" in room_page
    )
    # The menu shows the group.
    assert "出借、出租和用途变更" in client.get("/").content.decode()
    # Another district's bureau sees nothing of it.
    other = make_user("bureau_b", [Role.BUREAU_ADMIN], scope_region=world.b.region)
    client.force_login(other)
    assert client.get(reverse("cases:approveduse", args=[use.pk])).status_code == 404
    assert case.number not in client.get(reverse("cases:approveduse_list")).content.decode()
    # The borrower's administrator reads it (counterparty).
    borrower = make_user("unit_sub", [Role.UNIT_ADMIN], scope_organization=world.a.sub_org)
    client.force_login(borrower)
    assert client.get(reverse("cases:approveduse", args=[use.pk])).status_code == 200


def test_construction_projects_pages(client, world, unit_a, driver):
    case = driver.approve(
        driver.submit(
            actor=unit_a,
            kind=CaseKind.CONSTRUCTION,
            applicant=world.a.org,
            data={
                "project_kind": "renovation",
                "name": "1号楼屋面防水维修",
                "building": world.a.building.pk,
                "budget": "12",
                "funding": "财政预算",
                "necessity": "屋面渗漏",
            },
        )
    )
    project = ConstructionProject.objects.get(case=case)
    client.force_login(unit_a)
    body = client.get(reverse("cases:constructionproject_list")).content.decode()
    assert "1号楼屋面防水维修" in body and re.search(r"<td[^>]*>装修</td>", body)
    detail = client.get(reverse("cases:constructionproject", args=[project.pk]))
    assert detail.status_code == 200 and "党政机关办公用房管理办法" in detail.content.decode()


def test_the_records_api_is_read_only_and_scoped(client, world, unit_a, bureau_a, driver):
    case = lend_room(world, unit_a, driver)
    use = ApprovedUse.objects.get()
    client.force_login(bureau_a)
    listing = client.get("/api/cases/approved-uses/", {"use": "lent"})
    assert listing.status_code == 200
    [row] = listing.json()["results"]
    assert (row["id"], row["case_number"], row["use"]) == (use.pk, case.number, "lent")
    detail = client.get(f"/api/cases/approved-uses/{use.pk}/")
    assert detail.status_code == 200 and detail.json()["agreement_number"] == "借字 5"
    refused = client.post("/api/cases/approved-uses/", {}, content_type="application/json")
    assert refused.status_code == 405
    assert client.delete(f"/api/cases/approved-uses/{use.pk}/").status_code == 405
    other = make_user("bureau_b", [Role.BUREAU_ADMIN], scope_region=world.b.region)
    client.force_login(other)
    assert client.get(f"/api/cases/approved-uses/{use.pk}/").status_code == 404
    assert client.get("/api/cases/construction-projects/").json()["results"] == []


def test_the_rooms_explanation_names_its_approval(client, world, unit_a, bureau_a, driver):
    case = lend_room(world, unit_a, driver)
    room = ApprovedUse.objects.get().room
    client.force_login(bureau_a)
    page = client.get(room.get_absolute_url()).content.decode()
    assert f"经批准的用途：出借 {TODAY:%Y-%m-%d}" in page and case.number in page
    data = client.get(f"/api/compliance/entitlements/rooms/{room.pk}/").json()
    [approval] = data["approvals"]
    assert (approval["use"], approval["reference"], approval["in_force"]) == (
        "出借",
        case.number,
        True,
    )
