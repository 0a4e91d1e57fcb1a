"""Data review: generic pages and API, the finding's state machine, counts per unit, the cross
reviewer's scope and the automatic checks."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from ...compliance.loader import Selection
from ...compliance.services import check
from ...framework.testing import APITestCases, ViewTestCases
from ...registry.models import Room
from .. import services
from ..checks import run_checks
from ..models import Assignment, Finding, FindingState, RequiredField, Review, Source
from ..selectors import counts_per_unit
from .world import ReviewWorldMixin, make_finding


# Generic pages and API ---------------------------------------------------------------------------
class ReviewData(ReviewWorldMixin):
    model = Review

    def in_scope_object(self):
        return self.world.a.review

    def out_of_scope_object(self):
        return self.world.b.review

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        side = self.world.a if in_scope else self.world.b
        return {
            "name": "2026年第二批数据会审",
            "region": side.region.pk,
            "starts_on": "2026-05-01",
            "ends_on": "2026-06-30",
        }

    def update_data(self) -> dict[str, Any]:
        return {"name": "改名后的数据会审"}


class ReviewPageTests(ReviewData, ViewTestCases.PrimaryObjectViewTestCase):
    pass


class AssignmentData(ReviewWorldMixin):
    model = Assignment

    def in_scope_object(self):
        return self.world.a.assignment

    def out_of_scope_object(self):
        return self.world.b.assignment

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        side = self.world.a if in_scope else self.world.b
        return {
            "review": side.review.pk,
            "reviewed_organization": side.reviewer_org.pk,
            "reviewer_organization": side.org.pk,
        }

    def update_data(self) -> dict[str, Any]:
        return {"reviewer_organization": self.world.a.sub_org.pk}


class AssignmentPageTests(AssignmentData, ViewTestCases.PrimaryObjectViewTestCase):
    pass


class AssignmentAPITests(AssignmentData, APITestCases.APIViewTestCase):
    pass


class FindingData(ReviewWorldMixin):
    model = Finding

    def in_scope_object(self):
        return self.world.a.finding

    def out_of_scope_object(self):
        return self.world.b.finding


class FindingListTests(FindingData, ViewTestCases.ListViewTestCase):
    def test_export_xlsx(self):
        self.client.force_login(self.user_with_perm)
        response = self.client.get(reverse("review:finding_list"), {"export": "xlsx"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response["Content-Type"])


class FindingDetailTests(FindingData, ViewTestCases.DetailViewTestCase):
    pass


# The state machine -----------------------------------------------------------------------------
class StateMachineTests(ReviewWorldMixin, TestCase):
    def test_rectify_recheck_return_and_close(self):
        a = self.world.a
        finding = make_finding(a.review, a.room)
        with self.assertRaises(PermissionDenied):  # not the responsible unit
            services.rectify(finding=finding, actor=self.user_cross, note="已改")
        with self.assertRaises(ValidationError):
            services.rectify(finding=finding, actor=self.user_org_scoped, note=" ")
        finding = services.rectify(finding=finding, actor=self.user_org_scoped, note="已更正名称")
        self.assertEqual(finding.state, FindingState.RECTIFIED)
        with self.assertRaises(PermissionDenied):  # the unit does not re-check itself
            services.recheck(finding=finding, actor=self.user_org_scoped, passed=True)
        with self.assertRaises(ValidationError):  # sending back needs a reason
            services.recheck(finding=finding, actor=self.user_with_perm, passed=False)
        finding = services.recheck(
            finding=finding, actor=self.user_with_perm, passed=False, note="门牌照片未提供"
        )
        self.assertEqual((finding.state, finding.returned_count), (FindingState.RETURNED, 1))
        finding = services.rectify(finding=finding, actor=self.user_org_scoped, note="已补照片")
        finding = services.recheck(finding=finding, actor=self.user_with_perm, passed=True)
        self.assertEqual(finding.state, FindingState.CLOSED)
        self.assertIsNotNone(finding.closed_at)
        with self.assertRaises(PermissionDenied):  # closed: nothing more to do
            services.rectify(finding=finding, actor=self.user_org_scoped, note="再改")

    def test_stale_version_is_refused(self):
        a = self.world.a
        finding = make_finding(a.review, a.room)
        with self.assertRaises(ValidationError):
            services.rectify(
                finding=finding,
                actor=self.user_org_scoped,
                note="已改",
                expected_version=finding.version + 1,
            )

    def test_pages_rectify_and_recheck(self):
        a = self.world.a
        finding = make_finding(a.review, a.room)
        self.client.force_login(self.user_org_scoped)
        page = self.client.get(finding.get_absolute_url())
        self.assertContains(page, "提交整改")
        self.client.post(
            reverse("review:finding_rectify", args=[finding.pk]),
            {"note": "已更正", "version": finding.version},
        )
        finding.refresh_from_db()
        self.assertEqual(finding.state, FindingState.RECTIFIED)
        self.client.force_login(self.user_with_perm)
        self.client.post(
            reverse("review:finding_recheck", args=[finding.pk]),
            {"passed": "1", "note": "", "version": finding.version},
        )
        finding.refresh_from_db()
        self.assertEqual(finding.state, FindingState.CLOSED)

    def test_forged_ids_give_404(self):
        self.client.force_login(self.user_with_perm)
        review = self.world.a.review
        url = reverse("review:finding_add_on", args=[review.pk])
        for query in ({"subject": "room", "id": "²"}, {"subject": "x", "id": "1"}, {}):
            self.assertEqual(self.client.get(url, query).status_code, 404)
        other = self.world.b.room.pk
        self.assertEqual(self.client.get(url, {"subject": "room", "id": other}).status_code, 404)


# Counts per unit --------------------------------------------------------------------------------
class CountTests(ReviewWorldMixin, TestCase):
    def test_found_rectified_closed_open_per_unit(self):
        a = self.world.a
        states = [FindingState.OPEN, FindingState.RETURNED, FindingState.RECTIFIED]
        states += [FindingState.CLOSED] * 2
        for state in states:
            make_finding(a.review, a.room, state=state)
        [row] = counts_per_unit(a.review, self.user_with_perm)
        # The world's own open finding plus the five above.
        self.assertEqual((row.found, row.rectified, row.closed, row.open), (6, 3, 2, 3))
        page = self.client
        page.force_login(self.user_with_perm)
        response = page.get(a.review.get_absolute_url())
        self.assertContains(response, "各单位问题整改情况")
        self.assertContains(response, a.org.name)
        # Side b's findings are not counted for side a's bureau.
        self.assertEqual(counts_per_unit(self.world.b.review, self.user_with_perm), [])


# Cross review -----------------------------------------------------------------------------------
class CrossReviewTests(ReviewWorldMixin, TestCase):
    def test_reviewer_unit_sees_and_adds_findings_on_the_assigned_unit_only(self):
        a, b = self.world.a, self.world.b
        # The reviewing unit cannot read 教育局's rooms through the registry …
        self.assertFalse(
            Room.objects.restrict(self.user_cross, "view").filter(pk=a.room.pk).exists()
        )
        # … but sees them on its assignment's page and may raise a finding there.
        self.client.force_login(self.user_cross)
        page = self.client.get(a.assignment.get_absolute_url())
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "提出问题")
        url = reverse("review:finding_add_on", args=[a.review.pk])
        response = self.client.post(
            f"{url}?subject=room&id={a.room.pk}",
            {"problem": "使用面积与门牌公示不符", "severity": "major"},
        )
        finding = Finding.objects.get(problem="使用面积与门牌公示不符")
        self.assertRedirects(response, finding.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual((finding.assignment, finding.organization), (a.assignment, a.org))
        self.assertEqual(finding.found_by, self.user_cross)
        # It reads that finding, not the review's other findings of 教育局 …
        visible = Finding.objects.restrict(self.user_cross, "view")
        self.assertIn(finding, visible)
        self.assertNotIn(a.finding, visible)
        # … nor side b's assignment, and cannot raise findings on its own or other data.
        self.assertEqual(self.client.get(b.assignment.get_absolute_url()).status_code, 404)
        with self.assertRaises(PermissionDenied):
            services.add_finding(
                review=a.review, actor=self.user_cross, obj=a.sub_org, problem="编制数未填"
            )
        # 教育局 rectifies; the reviewing unit re-checks and closes.
        services.rectify(finding=finding, actor=self.user_org_scoped, note="已按门牌更正")
        finding.refresh_from_db()
        finding = services.recheck(finding=finding, actor=self.user_cross, passed=True)
        self.assertEqual(finding.state, FindingState.CLOSED)

    def test_unit_without_assignment_cannot_add(self):
        a = self.world.a
        with self.assertRaises(PermissionDenied):
            services.add_finding(
                review=a.review, actor=self.user_org_scoped, obj=a.room, problem="自查"
            )


# Automatic checks ------------------------------------------------------------------------------
class AutomaticCheckTests(ReviewWorldMixin, TestCase):
    def test_required_fields_are_seeded_as_data(self):
        row = RequiredField.objects.get(model="room", field="building_area")
        self.assertEqual(row.condition, {"category": "office"})
        self.assertIn("种子000", row.source)

    def test_checks_file_findings_once_and_recheck_reruns_them(self):
        a = self.world.a
        Room.objects.filter(pk=a.room.pk).update(building_area=None)
        counts = services.do_run_checks(review=a.review, actor=self.user_with_perm)
        self.assertGreaterEqual(counts["new"], 1)
        key = f"required:room:{a.room.pk}:building_area"
        finding = Finding.objects.get(review=a.review, check_key=key)
        self.assertEqual((finding.source, finding.organization), (Source.REQUIRED, a.org))
        # A second run adds nothing.
        self.assertEqual(
            services.do_run_checks(review=a.review, actor=self.user_with_perm)["new"], 0
        )
        # Rectified on paper only: the re-check still finds the empty field.
        finding = services.rectify(finding=finding, actor=self.user_org_scoped, note="已填")
        with self.assertRaises(ValidationError):
            services.recheck(finding=finding, actor=self.user_with_perm, passed=True)
        Room.objects.filter(pk=a.room.pk).update(building_area=Decimal("25.00"))
        finding = services.recheck(finding=finding, actor=self.user_with_perm, passed=True)
        self.assertEqual(finding.state, FindingState.CLOSED)

    def test_surveyed_area_far_from_registered(self):
        a = self.world.a
        Room.objects.filter(pk=a.room.pk).update(surveyed_area=Decimal("17.00"))  # 18 registered
        keys = {r.key: r for r in run_checks(a.review, on=datetime.date(2026, 3, 2))}
        result = keys[f"survey:room:{a.room.pk}"]
        self.assertIn("17.00", result.problem)
        self.assertIn("18.00", result.problem)
        Room.objects.filter(pk=a.room.pk).update(surveyed_area=Decimal("17.60"))  # within 3 %
        keys = {r.key for r in run_checks(a.review, on=datetime.date(2026, 3, 2))}
        self.assertNotIn(f"survey:room:{a.room.pk}", keys)

    def test_plausibility_and_r9(self):
        a = self.world.a
        Room.objects.filter(pk=a.room.pk).update(
            usable_area=Decimal("9000.00"), building_area=None, status="lent", status_since=None
        )
        check(Selection.of(rooms=[a.room.pk]))
        keys = {r.key for r in run_checks(a.review, on=datetime.date(2026, 3, 2))}
        self.assertIn(f"plausibility:room:{a.room.pk}", keys)
        self.assertIn(f"r9:R9:room:{a.room.pk}", keys)
        # Side b's room, as wrong, lies outside side a's review.
        Room.objects.filter(pk=self.world.b.room.pk).update(
            usable_area=Decimal("9000.00"), building_area=None
        )
        keys = {r.key for r in run_checks(a.review, on=datetime.date(2026, 3, 2))}
        self.assertNotIn(f"plausibility:room:{self.world.b.room.pk}", keys)

    def test_scope_limited_to_chosen_organizations(self):
        a = self.world.a
        a.review.organizations.set([a.reviewer_org])
        Room.objects.filter(pk=a.room.pk).update(building_area=None)
        keys = {r.key for r in run_checks(a.review, on=datetime.date(2026, 3, 2))}
        self.assertNotIn(f"required:room:{a.room.pk}:building_area", keys)


class FindingAPITests(ReviewWorldMixin, TestCase):
    def test_unit_rectifies_and_bureau_rechecks_through_the_api(self):
        from rest_framework.test import APIClient

        a = self.world.a
        finding = make_finding(a.review, a.room)
        client = APIClient()
        client.force_authenticate(self.user_org_scoped)
        url = f"/api/review/findings/{finding.pk}/"
        read = client.get(url)["ETag"]
        answer = client.post(
            f"{url}rectify/", {"note": "已更正"}, format="json", HTTP_IF_MATCH=read
        )
        self.assertEqual(answer.status_code, 200, answer.content)
        self.assertEqual(answer.json()["state"], FindingState.RECTIFIED)
        # The answer carries the version the action wrote; one based on the old is refused.
        finding.refresh_from_db()
        self.assertEqual(answer["ETag"], f'"{finding.version}"')
        self.assertNotEqual(answer["ETag"], read)
        answer = client.post(f"{url}rectify/", {"note": "再次"}, format="json", HTTP_IF_MATCH=read)
        self.assertEqual(answer.status_code, 400)
        self.assertEqual(
            answer.json(), {"non_field_errors": ["该问题已被他人处理，请刷新页面后再办理。"]}
        )
        # The unit cannot close its own finding; side b's finding is not found at all.
        answer = client.post(f"{url}recheck/", {"passed": True}, format="json")
        self.assertEqual(answer.status_code, 403)
        other = f"/api/review/findings/{self.world.b.finding.pk}/rectify/"
        self.assertEqual(client.post(other, {"note": "x"}, format="json").status_code, 404)
        client.force_authenticate(self.user_with_perm)
        answer = client.post(f"{url}recheck/", {"passed": True}, format="json")
        self.assertEqual(answer.json()["state"], FindingState.CLOSED)


# The required field's condition on its pages ---------------------------------------------------
class RequiredFieldConditionPageTests(ReviewWorldMixin, TestCase):
    def post(self, url: str, **data) -> Any:
        self.client.force_login(self.user_with_perm)
        values = {
            "model": "room",
            "field": "room.usable_area",
            "label": "使用面积",
            "condition_label": "",
            "version": "本市 2026 版",
            "source": "市机关事务管理局通知",
            "effective_from": "2026-01-01",
            "effective_to": "",
        }
        values.update(data)
        return self.client.post(url, values)

    def test_condition_is_chosen_as_a_field_and_values(self):
        url = reverse("review:requiredfield_add")
        self.post(
            url,
            condition_field="room.category",
            condition_values=["room.category=office", "room.category=service"],
        )
        row = RequiredField.objects.get(field="usable_area", version="本市 2026 版")
        self.assertEqual(row.condition, {"category__in": ["office", "service"]})
        # The edit page shows it back; one value is stored as a plain lookup; none clears it.
        self.client.force_login(self.user_with_perm)
        page = self.client.get(reverse("review:requiredfield_edit", args=[row.pk]))
        self.assertContains(page, 'value="room.category=office" selected')
        self.assertContains(page, 'value="room.usable_area" selected')
        self.post(
            reverse("review:requiredfield_edit", args=[row.pk]),
            condition_field="room.category",
            condition_values=["room.category=office"],
        )
        row.refresh_from_db()
        self.assertEqual(row.condition, {"category": "office"})
        self.post(reverse("review:requiredfield_edit", args=[row.pk]), condition_field="")
        row.refresh_from_db()
        self.assertEqual(row.condition, {})

    def test_condition_of_another_subject_or_field_is_refused(self):
        url = reverse("review:requiredfield_add")
        page = self.post(
            url,
            condition_field="person.employment_status",
            condition_values=["person.employment_status=active"],
        )
        self.assertContains(page, "适用条件字段须属于所选的对象类型")
        page = self.post(
            url, condition_field="room.category", condition_values=["room.status=lent"]
        )
        self.assertContains(page, "请只选择所选条件字段的取值")
        page = self.post(url, field="person.position")
        self.assertContains(page, "字段须属于所选的对象类型")
        self.assertFalse(RequiredField.objects.filter(version="本市 2026 版").exists())

    def test_condition_written_through_the_api_is_kept(self):
        row = RequiredField.objects.get(model="room", field="building_area")
        RequiredField.objects.filter(pk=row.pk).update(
            condition={"category": "office", "floor__number__gte": 2}
        )
        self.post(
            reverse("review:requiredfield_edit", args=[row.pk]),
            field="room.building_area",
            label="建筑面积（二层以上办公室）",
            version=row.version,
            source=row.source,
            effective_from=row.effective_from.isoformat(),
        )
        row.refresh_from_db()
        self.assertEqual(row.label, "建筑面积（二层以上办公室）")
        self.assertEqual(row.condition, {"category": "office", "floor__number__gte": 2})

    def test_field_and_condition_read_in_chinese(self):
        row = RequiredField.objects.get(model="room", field="building_area")
        self.client.force_login(self.user_with_perm)
        page = self.client.get(reverse("review:requiredfield", args=[row.pk]))
        self.assertContains(page, "建筑面积")
        self.assertContains(page, "用房类别：办公室")
        self.assertNotContains(page, "building_area")
        self.assertNotContains(page, "category")


class RequiredFieldAPITests(ReviewWorldMixin, TestCase):
    def test_condition_sent_as_text_null_is_refused_not_a_server_error(self):
        """A form post carries JSON as text: "null" must be refused like a null (found by the
        API fuzz: a 500 on the NOT NULL column)."""
        row = RequiredField.objects.get(model="building", field="year_built")
        self.client.force_login(self.user_with_perm)
        url = reverse("api:review:requiredfield-detail", args=[row.pk])
        body = {
            "model": "building",
            "field": "year_built",
            "label": "建成年份",
            "condition": "null",
            "version": row.version,
            "source": row.source,
            "effective_from": row.effective_from.isoformat(),
        }
        # Multipart, as a form sends it: every value is text.
        response = self.client.put(
            url, encode_multipart(BOUNDARY, body), content_type=MULTIPART_CONTENT
        )
        self.assertEqual(response.status_code, 400, response.content.decode())
        self.assertIn("condition", response.json())
        row.refresh_from_db()
        self.assertEqual(row.condition, {})
