"""Plans to inspections, what an inspection opens with, measured areas through the registry,
tip-offs' steps and who may do what."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.urls import reverse

from ...accounts.roles import Role
from ...compliance.models import Warning
from ...framework.models import ObjectChange
from ...framework.services import service_for
from ...registry.choices import RoomStatus
from ...registry.models import Room
from ...registry.tests import factories as f
from ...registry.tests.world import make_user
from .. import selectors, services
from ..choices import (
    InspectionState,
    ItemResult,
    MeasurementState,
    PlanKind,
    PlanState,
    TipState,
)
from ..models import AssessmentDate, InspectionPlan, Measurement, Tip
from .world import START, InspectionsWorldMixin, make_plan


class PlanTests(InspectionsWorldMixin, TestCase):
    def test_all_organizations_of_the_region_get_one_inspection_each(self):
        a = self.world.a
        plan = make_plan(self.user_with_perm, a, title="全面检查")
        plan.all_organizations = True
        plan.save()
        created = services.generate_inspections(actor=self.user_with_perm, plan=plan)
        self.assertEqual({i.organization for i in created}, {a.org, a.sub_org})
        self.assertTrue(
            all(i.region == a.region and i.checklist == self.checklist for i in created)
        )
        self.assertEqual(services.generate_inspections(actor=self.user_with_perm, plan=plan), [])

    def test_the_team_becomes_the_inspectors(self):
        inspection = self.world.a.inspection
        self.assertEqual(list(inspection.inspectors.all()), [self.user_view_only])

    def test_only_the_bureau_of_the_region_generates(self):
        with self.assertRaises(PermissionDenied):
            services.generate_inspections(actor=self.user_view_only, plan=self.world.a.plan)
        with self.assertRaises(PermissionDenied):
            services.generate_inspections(actor=self.bureau_b, plan=self.world.a.plan)

    def test_full_plan_deadline_is_a_month_before_the_assessment(self):
        a = self.world.a
        service_for(AssessmentDate).create(
            actor=self.user_with_perm,
            data={"region": a.region, "year": 2026, "assessed_on": datetime.date(2026, 12, 31)},
        )
        plan = make_plan(self.user_with_perm, a, kind=PlanKind.FULL, title="全面检查")
        self.assertEqual(plan.deadline, datetime.date(2026, 11, 30))
        self.assertEqual(
            services.one_month_before(datetime.date(2026, 3, 31)), datetime.date(2026, 2, 28)
        )

    def test_a_city_assessment_date_serves_its_counties(self):
        city_bureau = make_user("bureau_city", [Role.BUREAU_ADMIN], scope_region=self.world.city)
        service_for(AssessmentDate).create(
            actor=city_bureau,
            data={
                "region": self.world.city,
                "year": 2026,
                "assessed_on": datetime.date(2026, 12, 15),
            },
        )
        plan = make_plan(self.user_with_perm, self.world.a, kind=PlanKind.FULL, title="全面检查")
        self.assertEqual(plan.deadline, datetime.date(2026, 11, 15))

    def test_chosen_organizations_must_lie_in_the_region(self):
        with self.assertRaises(ValidationError) as caught:
            service_for(InspectionPlan).create(
                actor=self.user_with_perm,
                data={
                    "kind": PlanKind.KEY,
                    "year": 2026,
                    "title": "越界",
                    "region": self.world.a.region,
                    "all_organizations": False,
                    "organizations": [self.world.b.org],
                    "checklist": self.checklist,
                    "start_on": START,
                    "end_on": START,
                },
            )
        self.assertIn("organizations", caught.exception.message_dict)
        self.assertFalse(InspectionPlan.objects.filter(title="越界").exists())

    def test_finish_needs_every_item_then_the_plan_is_done(self):
        a = self.world.a
        inspection = a.inspection
        with self.assertRaisesMessage(ValidationError, "还有检查内容未记录结果"):
            services.finish_inspection(actor=self.user_view_only, inspection=inspection)
        for item in self.checklist.items.all():
            services.record_item_check(
                actor=self.user_view_only,
                inspection=inspection,
                item=item,
                result=ItemResult.NOT_APPLICABLE,
            )
        services.finish_inspection(actor=self.user_view_only, inspection=inspection, summary="好")
        inspection.refresh_from_db()
        self.assertEqual(inspection.state, InspectionState.DONE)
        self.assertEqual(inspection.summary, "好")
        a.plan.refresh_from_db()
        self.assertEqual(a.plan.state, PlanState.DONE)
        with self.assertRaises(ValidationError):
            services.record_item_check(
                actor=self.user_view_only,
                inspection=inspection,
                item=self.org_item,
                result=ItemResult.PASS,
            )

    def test_a_failed_item_needs_a_note(self):
        with self.assertRaises(ValidationError) as caught:
            services.record_item_check(
                actor=self.user_view_only,
                inspection=self.world.a.inspection,
                item=self.org_item,
                result=ItemResult.FAIL,
            )
        self.assertIn("note", caught.exception.message_dict)


class WhoMayInspectTests(InspectionsWorldMixin, TestCase):
    def test_unit_account_and_supervisor_off_the_team_may_not_record(self):
        other_supervisor = make_user(
            "supervisor_a2", [Role.SUPERVISOR], scope_region=self.world.a.region
        )
        for account in (self.user_org_scoped, other_supervisor):
            with self.assertRaises(PermissionDenied):
                services.record_item_check(
                    actor=account,
                    inspection=self.world.a.inspection,
                    item=self.org_item,
                    result=ItemResult.PASS,
                )

    def test_supervisor_on_the_team_records(self):
        check = services.record_item_check(
            actor=self.user_view_only,
            inspection=self.world.a.inspection,
            item=self.org_item,
            result=ItemResult.FAIL,
            note="三楼两间办公室空置半年",
        )
        self.assertEqual(check.result, ItemResult.FAIL)
        self.assertEqual(check.checked_by, self.user_view_only)
        # Corrected, not duplicated.
        self.assertEqual(self.world.a.inspection.item_checks.filter(item=self.org_item).count(), 1)

    def test_unit_sees_only_its_own_inspections_and_no_tips(self):
        self.client.force_login(self.user_org_scoped)
        content = self.client.get(reverse("inspections:inspection_list")).content.decode()
        self.assertIn(self.world.a.inspection.get_absolute_url(), content)
        self.assertNotIn(self.world.b.inspection.get_absolute_url(), content)
        self.assertEqual(self.client.get(self.world.a.tip.get_absolute_url()).status_code, 404)
        self.assertEqual(
            self.client.get(self.world.b.inspection.get_absolute_url()).status_code, 404
        )
        api = self.client.get(reverse("api:inspections:tip-list")).json()
        self.assertEqual(api["count"], 0)


class KnownBesideItemsTests(InspectionsWorldMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for side in (cls.world.a, cls.world.b):
            idle = f.RoomFactory(
                floor=side.floor,
                number="109",
                organization=side.org,
                status=RoomStatus.IDLE,
                status_since=datetime.date(2025, 6, 1),
            )
            Warning.objects.create(
                rule="R5",
                key=f"R5:room:{idle.pk}",
                subject="room",
                region=side.region,
                organization=side.org,
                room=idle,
                subject_label=str(idle),
                summary="闲置超过6个月",
            )
            side.idle = idle

    def test_items_show_the_units_open_warnings_of_their_rules(self):
        rows = {
            (r.item.target, r.item.aspect): r
            for r in selectors.item_rows(self.user_view_only, self.world.a.inspection)
        }
        idle_row = rows[("organization", 5)]  # R5
        self.assertEqual(idle_row.warning_count, 1)
        self.assertEqual(idle_row.warnings[0].room, self.world.a.idle)
        self.assertEqual(idle_row.idle_count, 1)
        self.assertEqual(rows[("leader", 1)].warning_count, 0)  # R1: none
        self.assertFalse(rows[("organization", 1)].known)  # no rule at all

    def test_inspection_page_shows_them_only_within_scope(self):
        self.client.force_login(self.user_view_only)
        response = self.client.get(self.world.a.inspection.get_absolute_url())
        self.assertContains(response, "1 条未结预警")
        self.assertContains(response, self.world.a.idle.get_absolute_url())
        self.assertNotContains(response, self.world.b.idle.get_absolute_url())

    def test_resolved_warnings_are_not_shown(self):
        Warning.objects.filter(organization=self.world.a.org).update(state="resolved")
        rows = selectors.item_rows(self.user_view_only, self.world.a.inspection)
        self.assertEqual(sum(r.warning_count for r in rows), 0)


class MeasurementTests(InspectionsWorldMixin, TestCase):
    def room_changes(self, room):
        return ObjectChange.objects.filter(
            changed_object_type=ContentType.objects.get_for_model(Room),
            changed_object_id=room.pk,
        )

    def test_recorded_changes_nothing_accepted_goes_through_the_registry(self):
        a = self.world.a
        m = a.measurement
        room = Room.objects.get(pk=a.room.pk)
        self.assertEqual(m.registered_area, room.usable_area)
        self.assertEqual(m.state, MeasurementState.RECORDED)
        before = self.room_changes(room).count()
        services.accept_measurement(actor=self.user_with_perm, measurement=m)
        room.refresh_from_db()
        self.assertEqual(room.usable_area, Decimal("19.50"))
        m.refresh_from_db()
        self.assertEqual(m.state, MeasurementState.ACCEPTED)
        change = self.room_changes(room).filter(action=ObjectChange.Action.UPDATE).latest("pk")
        self.assertEqual(m.accepted_change, change)
        self.assertEqual(change.postchange_data["usable_area"], "19.50")
        self.assertEqual(change.user, self.user_with_perm)
        event = self.room_changes(room).get(event="measurement.accept")
        self.assertEqual(event.postchange_data["source"], "实地测量")
        self.assertEqual(self.room_changes(room).count(), before + 2)
        with self.assertRaises(ValidationError):
            services.accept_measurement(actor=self.user_with_perm, measurement=m)

    def test_rejected_changes_nothing(self):
        a = self.world.a
        room = Room.objects.get(pk=a.room.pk)
        area, before = room.usable_area, self.room_changes(room).count()
        with self.assertRaises(ValidationError):
            services.reject_measurement(
                actor=self.user_with_perm, measurement=a.measurement, reason=" "
            )
        services.reject_measurement(
            actor=self.user_with_perm, measurement=a.measurement, reason="测距仪未校准"
        )
        room.refresh_from_db()
        self.assertEqual(room.usable_area, area)
        self.assertEqual(self.room_changes(room).count(), before)
        a.measurement.refresh_from_db()
        self.assertEqual(a.measurement.state, MeasurementState.REJECTED)
        self.assertEqual(a.measurement.reject_reason, "测距仪未校准")

    def test_supervisor_records_but_never_writes_the_registry(self):
        a = self.world.a
        m = services.record_measurement(
            actor=self.user_view_only, inspection=a.inspection, room=a.room, measured_area="21.3"
        )
        self.assertEqual(m.measured_area, Decimal("21.30"))
        with self.assertRaises(PermissionDenied):
            services.accept_measurement(actor=self.user_view_only, measurement=m)
        self.assertEqual(Measurement.objects.get(pk=m.pk).state, MeasurementState.RECORDED)

    def test_a_room_of_another_unit_is_refused(self):
        with self.assertRaises(ValidationError):
            services.record_measurement(
                actor=self.user_with_perm,
                inspection=self.world.a.inspection,
                room=self.world.a.other_room
                if hasattr(self.world.a, "other_room")
                else self.world.b.room,
                measured_area="10",
            )

    def test_accept_from_the_page(self):
        self.client.force_login(self.user_with_perm)
        m = self.world.a.measurement
        response = self.client.post(reverse("inspections:measurement_accept", args=[m.pk]))
        self.assertEqual(response.status_code, 302)
        m.refresh_from_db()
        self.assertEqual(m.state, MeasurementState.ACCEPTED)
        self.client.force_login(self.user_view_only)
        self.assertContains(self.client.get(m.get_absolute_url()), "台账变更记录")


class TipStepsTests(InspectionsWorldMixin, TestCase):
    def step(self, actor, action, **kwargs):
        tip = Tip.objects.get(pk=self.world.a.tip.pk)
        return services.tip_transition(actor=actor, tip=tip, action=action, **kwargs)

    def test_received_to_closed(self):
        bureau, supervisor = self.user_with_perm, self.user_view_only
        with self.assertRaisesMessage(ValidationError, "不能办结"):
            self.step(bureau, "close")
        tip = self.step(
            bureau, "assign", assigned_to=supervisor, deadline=datetime.date(2026, 3, 20)
        )
        self.assertEqual((tip.state, tip.assigned_to), (TipState.ASSIGNED, supervisor))
        self.assertEqual(services.tip_actions(supervisor, tip), ["check"])
        self.step(supervisor, "check")
        with self.assertRaises(ValidationError) as caught:
            self.step(supervisor, "answer", check_result="", answer="")
        self.assertEqual(
            set(caught.exception.message_dict), {"check_result", "substantiated", "answer"}
        )
        tip = self.step(
            supervisor,
            "answer",
            check_result="现场核实：两间办公室空置",
            substantiated=True,
            answer="已责令限期整改",
        )
        self.assertEqual(tip.state, TipState.ANSWERED)
        with self.assertRaises(PermissionDenied):
            self.step(supervisor, "close")
        tip = self.step(bureau, "reopen")
        self.assertEqual(tip.state, TipState.CHECKING)
        self.step(bureau, "answer", check_result="复核属实", substantiated=True, answer="已整改")
        tip = self.step(bureau, "close")
        self.assertEqual(tip.state, TipState.CLOSED)
        self.assertEqual(services.tip_actions(bureau, tip), [])
        events = ObjectChange.objects.filter(event="tip.transition", changed_object_id=tip.pk)
        self.assertEqual(events.count(), 6)

    def test_assignee_must_cover_the_unit(self):
        with self.assertRaises(ValidationError):
            self.step(self.user_with_perm, "assign", assigned_to=self.bureau_b)

    def test_steps_from_the_page_and_the_api(self):
        self.client.force_login(self.user_with_perm)
        url = reverse("inspections:tip_assign", args=[self.world.a.tip.pk])
        self.client.post(url, {"assigned_to": self.user_view_only.pk, "deadline": "2026-03-30"})
        self.assertEqual(Tip.objects.get(pk=self.world.a.tip.pk).state, TipState.ASSIGNED)
        self.client.force_login(self.user_view_only)
        api = reverse("api:inspections:tip-transition", args=[self.world.a.tip.pk])
        response = self.client.post(api, {"action": "check"}, content_type="application/json")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["state"], TipState.CHECKING)
        response = self.client.post(api, {"action": "close"}, content_type="application/json")
        self.assertEqual(response.status_code, 400)


class SitePageTests(InspectionsWorldMixin, TestCase):
    def test_phone_page_records_results_and_areas(self):
        a = self.world.a
        self.client.force_login(self.user_view_only)
        url = reverse("inspections:inspection_site", args=[a.inspection.pk])
        page = self.client.get(url)
        self.assertContains(page, "机构撤并后未在规定时间内腾退原办公用房")
        self.assertNotContains(page, "tabler")  # no framework stylesheet on the phone
        item = self.checklist.items.get(target="leader", aspect=1)
        self.client.post(
            url, {"kind": "item", "item": item.pk, "result": "fail", "note": "超标 3 平方米"}
        )
        self.assertEqual(a.inspection.item_checks.get(item=item).note, "超标 3 平方米")
        rooms = self.client.get(url, {"tab": "rooms", "q": a.room.number})
        self.assertContains(rooms, f'name="room" value="{a.room.pk}"')
        self.client.post(url, {"kind": "measurement", "room": a.room.pk, "measured_area": "18.25"})
        self.assertTrue(a.inspection.measurements.filter(measured_area=Decimal("18.25")).exists())
        refused = self.client.post(
            url,
            {"kind": "measurement", "room": self.world.b.room.pk, "measured_area": "5"},
            follow=True,
        )
        self.assertContains(refused, "所选房间不由被检查单位使用")

    def test_unit_reads_the_page_without_forms(self):
        self.client.force_login(self.user_org_scoped)
        page = self.client.get(
            reverse("inspections:inspection_site", args=[self.world.a.inspection.pk])
        )
        self.assertContains(page, "只读")
        self.assertNotContains(page, 'name="result"')


class PhotoTests(InspectionsWorldMixin, TestCase):
    @staticmethod
    def png() -> bytes:
        import io

        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
        return buffer.getvalue()

    def test_bureau_files_a_photo_on_the_inspection(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from ...archives.models import Document

        self.client.force_login(self.user_with_perm)
        inspection = self.world.a.inspection
        url = reverse("inspections:inspection_site", args=[inspection.pk])
        photo = SimpleUploadedFile("IMG_0001.png", self.png(), content_type="image/png")
        response = self.client.post(url, {"kind": "photo", "photo": photo, "title": "三楼走廊"})
        self.assertEqual(response.status_code, 302)
        document = Document.objects.of(inspection).get()
        self.assertEqual((document.category.code, document.title), ("photo", "三楼走廊"))
        self.assertEqual(document.region, inspection.region)

    def test_unit_account_may_not(self):
        with self.assertRaises(PermissionDenied):
            services.add_photo(
                actor=self.user_org_scoped, inspection=self.world.a.inspection, file=self.png()
            )
