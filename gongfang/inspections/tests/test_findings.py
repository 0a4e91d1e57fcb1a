"""Findings: the state machine (table-driven, incl. reopen and overdue), warning linking without
duplicates, who may do what (the supervisor urges, adds findings and refers, and still writes
nothing in the registry), notifications and the unit's to-do."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.urls import reverse

from ...framework import clock
from ...framework.models import ObjectChange
from ...framework.services import service_for
from ...registry.models import Room
from ...workflow.models import Notification
from ..findings import (
    create_finding,
    flag_overdue,
    recheck,
    refer,
    respond,
    urge,
)
from ..models import Finding, Recheck, Rectification, Urge
from .findings_world import FindingsWorldMixin, private_media_root  # noqa: F401

TODAY = clock.today


class StateMachineTests(FindingsWorldMixin, TestCase):
    def new(self, kind: str = "deadline") -> Finding:
        a = self.world.a
        return create_finding(
            user=self.user_with_perm,
            organization=a.org,
            inspection=a.inspection,
            description=f"问题（{kind}）",
            rectification_kind=kind,
            deadline=TODAY() + datetime.timedelta(days=10) if kind == "deadline" else None,
        )

    def reach(self, state: str, kind: str = "deadline") -> Finding:
        finding = self.new(kind)
        if state in ("responded", "reopened", "closed"):
            respond(user=self.user_org_scoped, finding=finding, description="已整改")
        if state == "reopened":
            recheck(user=self.user_with_perm, finding=finding, result="reopened", note="未到位")
        if state == "closed":
            recheck(user=self.user_with_perm, finding=finding, result="closed")
        if state == "referred":
            refer(user=self.user_view_only, findings=[finding])
        finding.refresh_from_db()
        self.assertEqual(finding.state, state)
        return finding

    def act(self, finding: Finding, action: str, who: str) -> None:
        user = {
            "unit": self.user_org_scoped,
            "bureau": self.user_with_perm,
            "supervisor": self.user_view_only,
            "unit_b": self.unit_b,
            "leader": self.leader_a,
        }[who]
        if action == "respond":
            respond(user=user, finding=finding, description="整改完毕，附照片")
        elif action in ("closed", "reopened"):
            recheck(user=user, finding=finding, result=action, note="复查意见")
        elif action == "refer":
            refer(user=user, findings=[finding])
        elif action == "urge":
            urge(user=user, finding=finding, message="请抓紧整改")

    TABLE = [
        # kind, from, action, who, expected state or the exception
        ("deadline", "open", "respond", "unit", "responded"),
        ("deadline", "open", "closed", "bureau", ValidationError),
        ("on_site", "open", "closed", "bureau", "closed"),
        ("record", "open", "closed", "bureau", "closed"),
        ("on_site", "open", "respond", "unit", "responded"),
        ("deadline", "responded", "closed", "bureau", "closed"),
        ("deadline", "responded", "reopened", "bureau", "reopened"),
        ("deadline", "responded", "respond", "unit", ValidationError),
        ("deadline", "reopened", "respond", "unit", "responded"),
        ("deadline", "reopened", "closed", "bureau", ValidationError),
        ("on_site", "reopened", "closed", "bureau", "closed"),
        ("deadline", "closed", "respond", "unit", ValidationError),
        ("deadline", "closed", "closed", "bureau", ValidationError),
        ("deadline", "closed", "urge", "supervisor", ValidationError),
        ("deadline", "open", "respond", "supervisor", PermissionDenied),
        ("deadline", "open", "respond", "bureau", "responded"),
        ("deadline", "responded", "closed", "unit", PermissionDenied),
        ("deadline", "responded", "closed", "supervisor", PermissionDenied),
        ("deadline", "responded", "closed", "leader", PermissionDenied),
        ("deadline", "open", "respond", "unit_b", ValidationError),
        ("deadline", "open", "refer", "supervisor", "referred"),
        ("deadline", "closed", "refer", "bureau", "referred"),
        ("deadline", "open", "refer", "unit", PermissionDenied),
        ("deadline", "referred", "respond", "unit", ValidationError),
        ("deadline", "referred", "refer", "supervisor", ValidationError),
        ("deadline", "open", "urge", "unit", PermissionDenied),
    ]

    def test_transitions(self):
        for kind, start, action, who, expected in self.TABLE:
            with self.subTest(kind=kind, start=start, action=action, who=who):
                finding = self.reach(start, kind)
                version = finding.version
                if isinstance(expected, type):
                    with self.assertRaises(expected):
                        self.act(finding, action, who)
                    finding.refresh_from_db()
                    self.assertEqual(finding.state, start)
                    self.assertEqual(finding.version, version)
                else:
                    self.act(finding, action, who)
                    finding.refresh_from_db()
                    self.assertEqual(finding.state, expected)
                    self.assertGreater(finding.version, version)
                    update = ObjectChange.objects.filter(
                        changed_object_id=finding.pk, action="update", event=""
                    ).first()
                    self.assertEqual(update.postchange_data["state"], expected)

    def test_close_sets_closed_at_and_reopen_clears_it(self):
        finding = self.reach("closed")
        self.assertIsNotNone(finding.closed_at)
        finding = self.reach("reopened")
        self.assertIsNone(finding.closed_at)
        self.assertEqual(Rectification.objects.filter(finding=finding).count(), 1)
        self.assertEqual(Recheck.objects.get(finding=finding).note, "未到位")

    def test_reopen_needs_a_note_and_may_set_a_new_deadline(self):
        finding = self.reach("responded")
        with self.assertRaises(ValidationError) as caught:
            recheck(user=self.user_with_perm, finding=finding, result="reopened")
        self.assertIn("note", caught.exception.message_dict)
        later = TODAY() + datetime.timedelta(days=45)
        recheck(
            user=self.user_with_perm,
            finding=finding,
            result="reopened",
            note="面积仍超标",
            deadline=later,
        )
        finding.refresh_from_db()
        self.assertEqual(finding.deadline, later)
        with self.assertRaises(ValidationError):
            recheck(user=self.user_with_perm, finding=finding, result="reopened", note="x")

    def test_kind_and_deadline_are_checked(self):
        a = self.world.a
        cases = [
            ("deadline", None, "deadline"),
            ("deadline", TODAY(), "deadline"),
            ("on_site", TODAY() + datetime.timedelta(days=3), "deadline"),
            ("bogus", None, "rectification_kind"),
        ]
        for kind, deadline, field in cases:
            with self.subTest(kind=kind), self.assertRaises(ValidationError) as caught:
                create_finding(
                    user=self.user_with_perm,
                    organization=a.org,
                    description="x",
                    rectification_kind=kind,
                    deadline=deadline,
                )
            self.assertIn(field, caught.exception.message_dict)

    def test_stale_version_is_refused(self):
        from ...framework.versions import StaleObjectError

        finding = self.reach("open")
        with self.assertRaises(StaleObjectError):
            respond(
                user=self.user_org_scoped,
                finding=finding,
                description="x",
                expected_version=finding.version - 1 if finding.version > 1 else 99,
            )


class OverdueTests(FindingsWorldMixin, TestCase):
    def tearDown(self):
        clock.reset()

    def test_flagged_once_per_deadline_and_again_after_a_new_one(self):
        finding = self.world.a.finding
        self.assertEqual(flag_overdue(), (0, 0))
        clock.advance(datetime.timedelta(days=31))
        overdue, fresh = flag_overdue()
        self.assertEqual((overdue, fresh), (2, 2))  # both sides' findings
        self.assertEqual(flag_overdue(), (2, 0))
        events = ObjectChange.objects.filter(event="finding.overdue", changed_object_id=finding.pk)
        self.assertEqual(events.count(), 1)
        self.assertTrue(
            Notification.objects.filter(
                user=self.user_org_scoped, message__contains="整改逾期"
            ).exists()
        )
        # Answered: no longer overdue. Reopened with a new deadline that passes: flagged again.
        respond(user=self.user_org_scoped, finding=finding, description="已腾退")
        self.assertEqual(flag_overdue()[0], 1)
        recheck(
            user=self.user_with_perm,
            finding=finding,
            result="reopened",
            note="仍在出借",
            deadline=clock.today() + datetime.timedelta(days=5),
        )
        clock.advance(datetime.timedelta(days=6))
        self.assertEqual(flag_overdue(), (2, 1))
        self.assertEqual(events.count(), 2)

    def test_overdue_filter_on_the_list(self):
        clock.advance(datetime.timedelta(days=31))
        self.client.force_login(self.user_with_perm)
        response = self.client.get(reverse("inspections:finding_list"), {"overdue": "true"})
        self.assertContains(response, self.world.a.finding.get_absolute_url())
        response = self.client.get(reverse("inspections:finding_list"), {"overdue": "false"})
        self.assertNotContains(response, f'href="{self.world.a.finding.get_absolute_url()}"')

    def test_the_daily_job_is_registered(self):
        from ...framework.jobs import registered_job

        job = registered_job("inspections.findings_overdue")
        clock.advance(datetime.timedelta(days=31))
        self.assertIn("整改逾期的督查问题 2 个", job.run())


class WarningLinkTests(FindingsWorldMixin, TestCase):
    def raise_on_room(self, user, item):
        a = self.world.a
        return create_finding(
            user=user,
            organization=a.org,
            inspection=a.inspection,
            item=item,
            subject=a.room,
            description="办公室超标",
            rectification_kind="on_site",
        )

    def test_matching_warning_is_linked_and_not_duplicated(self):
        first = self.raise_on_room(self.user_with_perm, self.item_r1)
        self.assertFalse(first.duplicate)
        self.assertEqual(first.warning, self.world.a.warning)
        self.assertEqual(first.subject_label, str(self.world.a.room))
        before = Finding.objects.count()
        second = self.raise_on_room(self.user_view_only, self.item_r1)
        self.assertTrue(second.duplicate)
        self.assertEqual(second.pk, first.pk)
        self.assertEqual(Finding.objects.count(), before)
        # Closed: a new finding about the same warning is a new one.
        recheck(user=self.user_with_perm, finding=first, result="closed")
        third = self.raise_on_room(self.user_with_perm, self.item_r1)
        self.assertNotEqual(third.pk, first.pk)
        self.assertEqual(third.warning, self.world.a.warning)

    def test_no_link_without_a_rule_of_the_item_or_on_another_object(self):
        self.assertIsNone(self.world.a.finding.warning)  # item R8, the warning is R1
        a = self.world.a
        finding = create_finding(
            user=self.user_with_perm,
            organization=a.org,
            item=self.item_r1,
            subject=a.person,
            description="人员办公室超标",
            rectification_kind="record",
        )
        self.assertIsNone(finding.warning)

    def test_resolved_warning_is_not_linked(self):
        warning = self.world.a.warning
        warning.state = "resolved"
        warning.save()
        self.assertIsNone(self.raise_on_room(self.user_with_perm, self.item_r1).warning)

    def test_page_says_it_was_not_duplicated(self):
        self.raise_on_room(self.user_with_perm, self.item_r1)
        self.client.force_login(self.user_with_perm)
        a = self.world.a
        response = self.client.post(
            reverse("inspections:finding_add"),
            {
                "organization": a.org.pk,
                "inspection": a.inspection.pk,
                "item": self.item_r1.pk,
                "room": a.room.pk,
                "description": "再次发现超标",
                "rectification_kind": "on_site",
            },
            follow=True,
        )
        self.assertContains(response, "未重复登记")


class RightsTests(FindingsWorldMixin, TestCase):
    def test_supervisor_adds_findings_urges_and_refers(self):
        a = self.world.a
        finding = create_finding(
            user=self.user_view_only,
            organization=a.org,
            subject=a.room,
            description="监督发现：出租未审批",
            rectification_kind="deadline",
            deadline=TODAY() + datetime.timedelta(days=20),
        )
        self.assertEqual(finding.created_by, self.user_view_only)
        row = urge(user=self.user_view_only, finding=finding, message="请于本周内整改")
        self.assertEqual(row.organization, a.org)
        row = urge(user=self.user_view_only, warning=a.warning, message="预警已超期，请整改")
        self.assertEqual(row.warning, a.warning)
        referral = refer(user=self.user_view_only, findings=[finding, a.finding])
        self.assertEqual(set(referral.findings.all()), {finding, a.finding})

    def test_supervisor_still_writes_nothing_in_the_registry(self):
        room = self.world.a.room
        with self.assertRaises(PermissionDenied):
            service_for(Room).update(
                actor=self.user_view_only, instance=room, data={"usable_area": "12.00"}
            )
        self.client.force_login(self.user_view_only)
        response = self.client.post(
            reverse("registry:room_edit", args=[room.pk]), {"usable_area": "12.00"}
        )
        self.assertEqual(response.status_code, 403)

    def test_a_leader_raises_and_rechecks_only_on_the_team(self):
        a = self.world.a

        def raise_it():
            return create_finding(
                user=self.leader_a,
                organization=a.org,
                inspection=a.inspection,
                description="检查组成员现场发现",
                rectification_kind="on_site",
            )

        with self.assertRaises(PermissionDenied):
            raise_it()
        a.plan.team.add(self.leader_a)
        finding = raise_it()
        self.assertEqual(finding.created_by, self.leader_a)
        respond(user=self.user_org_scoped, finding=finding, description="当场已整改")
        recheck(user=self.leader_a, finding=finding, result="closed")

    def test_a_team_member_out_of_scope_is_refused(self):
        a = self.world.a
        a.plan.team.add(self.inspector_b)
        with self.assertRaises(PermissionDenied):
            create_finding(
                user=self.inspector_b,
                organization=a.org,
                inspection=a.inspection,
                description="x",
                rectification_kind="on_site",
            )

    def test_unit_and_leader_may_not_raise_urge_or_refer(self):
        a = self.world.a
        for user in (self.user_org_scoped, self.leader_a):
            with self.subTest(user=user.username):
                with self.assertRaises(PermissionDenied):
                    create_finding(
                        user=user, organization=a.org, description="x", rectification_kind="record"
                    )
                with self.assertRaises(PermissionDenied):
                    urge(user=user, warning=a.warning, message="x")
                with self.assertRaises(PermissionDenied):
                    refer(user=user, findings=[a.finding])

    def test_out_of_scope_is_refused(self):
        b = self.world.b
        with self.assertRaises(ValidationError):
            create_finding(
                user=self.user_view_only,
                organization=b.org,
                description="x",
                rectification_kind="record",
            )
        with self.assertRaises(ValidationError):
            urge(user=self.user_view_only, finding=b.finding, message="x")
        with self.assertRaises(ValidationError):
            refer(user=self.user_view_only, findings=[b.finding])

    def test_referral_is_of_one_organization(self):
        a = self.world.a
        other = create_finding(
            user=self.user_with_perm,
            organization=a.sub_org,
            description="下属单位问题",
            rectification_kind="record",
        )
        with self.assertRaises(ValidationError) as caught:
            refer(user=self.user_with_perm, findings=[a.finding, other])
        self.assertIn("同一单位", str(caught.exception))

    def test_supervisor_pages(self):
        a = self.world.a
        self.client.force_login(self.user_view_only)
        page = self.client.get(a.finding.get_absolute_url())
        self.assertContains(page, "移交纪检监察")
        self.assertContains(page, reverse("inspections:finding_urge", args=[a.finding.pk]))
        self.assertNotContains(page, reverse("inspections:finding_respond", args=[a.finding.pk]))
        response = self.client.post(
            reverse("inspections:finding_urge", args=[a.finding.pk]), {"message": "尽快整改"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Urge.objects.filter(finding=a.finding).count(), 1)
        response = self.client.get(reverse("inspections:urge_warning", args=[a.warning.pk]))
        self.assertEqual(response.status_code, 200)
        self.client.post(
            reverse("inspections:urge_warning", args=[a.warning.pk]), {"message": "请限期整改"}
        )
        self.assertEqual(Urge.objects.filter(warning=a.warning).count(), 1)
        # The warning's page offers 督办 to him, not to the unit.
        self.assertContains(self.client.get(a.warning.get_absolute_url()), "督办")
        self.client.force_login(self.user_org_scoped)
        self.assertEqual(
            self.client.get(reverse("inspections:urge_warning", args=[a.warning.pk])).status_code,
            403,
        )


class UnitSideTests(FindingsWorldMixin, TestCase):
    def test_unit_is_notified_and_sees_its_findings_on_its_todo(self):
        a = self.world.a
        self.assertTrue(
            Notification.objects.filter(
                user=self.user_org_scoped, message__contains="新的督查问题"
            ).exists()
        )
        self.assertFalse(
            Notification.objects.filter(user=self.unit_b, message__contains="101 室").exists()
        )
        urge(user=self.user_view_only, finding=a.finding, message="请本周内完成整改")
        self.assertTrue(
            Notification.objects.filter(
                user=self.user_org_scoped, message__contains="督办"
            ).exists()
        )
        self.client.force_login(self.user_org_scoped)
        todo = self.client.get(reverse("workflow:todo"))
        self.assertContains(todo, "待整改的督查问题")
        self.assertContains(todo, a.finding.get_absolute_url())
        self.assertContains(todo, "请本周内完成整改")
        self.assertNotContains(todo, self.world.b.finding.get_absolute_url())

    def test_unit_responds_with_evidence_from_the_page(self):
        from .findings_world import photo

        a = self.world.a
        self.client.force_login(self.user_org_scoped)
        page = self.client.get(a.finding.get_absolute_url())
        self.assertContains(page, "反馈整改情况")
        response = self.client.post(
            reverse("inspections:finding_respond", args=[a.finding.pk]),
            {
                "description": "已收回出借房间",
                "evidence": [photo("收回.png")],
                "version": a.finding.version,
            },
        )
        self.assertEqual(response.status_code, 302)
        a.finding.refresh_from_db()
        self.assertEqual(a.finding.state, "responded")
        page = self.client.get(a.finding.get_absolute_url())
        self.assertContains(page, "已收回出借房间")
        self.assertContains(page, "收回.png")
        # The team is told, and sees it on its to-do.
        self.assertTrue(
            Notification.objects.filter(
                user=self.user_with_perm, message__contains="待复查"
            ).exists()
        )
        self.client.force_login(self.user_with_perm)
        self.assertContains(self.client.get(reverse("workflow:todo")), "待复查的督查问题")

    def test_unit_reads_findings_but_not_referrals(self):
        a = self.world.a
        referral = refer(user=self.user_view_only, findings=[a.finding])
        self.client.force_login(self.user_org_scoped)
        self.assertEqual(self.client.get(a.finding.get_absolute_url()).status_code, 200)
        self.assertEqual(self.client.get(referral.get_absolute_url()).status_code, 404)
