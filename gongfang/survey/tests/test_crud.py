"""Generic page and API tests of the survey models, and scope: a surveyor reaches only its own
batches, a unit only the items of its rooms."""

from __future__ import annotations

import datetime
from unittest import mock

from django.test import TestCase
from django.urls import reverse

from ...framework.testing import APITestCases, ViewTestCases
from ...framework.testing import views as views_testing
from .. import services
from ..models import SurveyBatch, SurveyDrawing, SurveyItem
from .test_flow import DRAWING, dxf_file
from .world import SurveyWorldMixin, drawn, reading


class SurveyDataMixin(SurveyWorldMixin):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.user_with_perm = cls.bureau
        cls.user_view_only = cls.supervisor
        cls.user_no_role = cls.no_role
        for batch, surveyor, floor in (
            (cls.batch, cls.surveyor, cls.world.a.floor),
            (cls.batch_b, cls.surveyor_b, cls.world.b.floor),
        ):
            with reading(drawn(DRAWING)):
                services.upload_drawing(actor=surveyor, batch=batch, floor=floor, file=dxf_file())


class BatchData(SurveyDataMixin):
    model = SurveyBatch

    def in_scope_object(self):
        return self.batch

    def out_of_scope_object(self):
        return self.batch_b

    def create_data(self, *, in_scope: bool = True):
        side = self.world.a if in_scope else self.world.b
        return {
            "name": "新测绘批次",
            "region": side.region.pk,
            "company": "测绘院",
            "surveyors": [self.surveyor.pk],
            "buildings": [side.building.pk],
            "drawings_by": "测绘院",
            "responsible": "李工",
            "planned_start": "2026-12-01",
            "planned_end": "2026-12-31",
        }

    def update_data(self):
        return {"responsible": "赵工"}

    def deletable_object(self):
        return SurveyBatch.objects.create(
            name="待删除",
            region=self.world.a.region,
            company="测绘院",
            drawings_by="测绘院",
            responsible="李工",
            planned_start=datetime.date(2026, 12, 1),
            planned_end=datetime.date(2026, 12, 31),
        )


class BatchViewTests(BatchData, ViewTestCases.PrimaryObjectViewTestCase):
    def test_edit_with_permission_logs_before_and_after(self):
        # The generic test posts many-to-many values as objects; a browser posts their ids.
        real = views_testing.post_data

        def post_data(instance, changes=None):
            data = real(instance, changes)
            data["buildings"] = [b.pk for b in instance.buildings.all()]
            data["surveyors"] = [u.pk for u in instance.surveyors.all()]
            return data

        with mock.patch.object(views_testing, "post_data", post_data):
            super().test_edit_with_permission_logs_before_and_after()


class BatchAPITests(BatchData, APITestCases.APIViewTestCase):
    def create_data(self, *, in_scope: bool = True):
        data = super().create_data(in_scope=in_scope)
        data.pop("surveyors")
        return data


class DrawingViewTests(
    SurveyDataMixin, ViewTestCases.ListViewTestCase, ViewTestCases.DetailViewTestCase
):
    model = SurveyDrawing

    def in_scope_object(self):
        return self.batch.drawings.get()

    def out_of_scope_object(self):
        return self.batch_b.drawings.get()


class ItemViewTests(
    SurveyDataMixin, ViewTestCases.ListViewTestCase, ViewTestCases.DetailViewTestCase
):
    model = SurveyItem

    def in_scope_object(self):
        return self.batch.items.get(number="101")

    def out_of_scope_object(self):
        return self.batch_b.items.get(number="101")


class ScopeTests(SurveyDataMixin, TestCase):
    def test_surveyor_sees_only_its_batches(self):
        for model in (SurveyBatch, SurveyDrawing, SurveyItem):
            mine = model.objects.restrict(self.surveyor, "view")
            self.assertTrue(mine.exists(), model)
            batch_ids = {getattr(o, "batch_id", o.pk) for o in mine}
            self.assertEqual(batch_ids, {self.batch.pk}, model)
        # Same region, not assigned: nothing.
        self.assertFalse(SurveyBatch.objects.restrict(self.other_surveyor).filter(pk=self.batch.pk))
        self.client.force_login(self.other_surveyor)
        self.assertEqual(self.client.get(self.batch.get_absolute_url()).status_code, 404)

    def test_unit_sees_only_items_of_its_rooms(self):
        # Item 104 (new) belongs to the compound's owner, the same unit; add a foreign one.
        foreign = self.batch.items.get(number="102")
        foreign.organization = self.world.b.org
        foreign.save()
        items = SurveyItem.objects.restrict(self.unit, "view").filter(batch=self.batch)
        self.assertIn("101", {i.number for i in items})
        self.assertNotIn("102", {i.number for i in items})
        self.assertTrue(SurveyBatch.objects.restrict(self.unit).filter(pk=self.batch.pk).exists())
        self.client.force_login(self.unit)
        page = self.client.get(self.batch.get_absolute_url()).content.decode()
        self.assertIn('data-item="101"', page)
        self.assertNotIn('data-item="102"', page)

    def test_rights(self):
        # The surveyor changes no registry data and cannot plan batches.
        self.client.force_login(self.surveyor)
        self.assertEqual(self.client.get(reverse("survey:surveybatch_add")).status_code, 403)
        self.assertEqual(
            self.client.post(reverse("survey:surveybatch_edit", args=[self.batch.pk])).status_code,
            403,
        )
        self.batch.refresh_from_db()
        self.assertEqual(self.batch.responsible, "王工")
        # A unit reads, never edits the plan.
        self.client.force_login(self.unit)
        self.assertEqual(
            self.client.get(reverse("survey:surveybatch_edit", args=[self.batch.pk])).status_code,
            403,
        )

    def test_forged_ids_are_404(self):
        self.client.force_login(self.surveyor)
        url = reverse("survey:batch_action", args=[987654, "submit"])
        self.assertEqual(self.client.post(url).status_code, 404)
        url = reverse("survey:sample_drawing", args=[self.batch.pk, 987654, "dxf"])
        self.assertEqual(self.client.get(url).status_code, 404)
