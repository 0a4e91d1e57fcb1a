"""The batch's steps through the API: If-Match honoured (412 when the batch moved on), a unit
reads only its items, a refusal is a clear 400/403."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from .. import services
from ..models import BatchState, SurveyItem
from .test_flow import DRAWING, dxf_file
from .world import SurveyWorldMixin, drawn, reading


class BatchAPITests(SurveyWorldMixin, TestCase):
    client_class = APIClient

    def setUp(self):
        with reading(drawn(DRAWING)):
            services.upload_drawing(
                actor=self.surveyor, batch=self.batch, floor=self.world.a.floor, file=dxf_file()
            )

    def url(self, action: str) -> str:
        return reverse(f"api:survey:surveybatch-{action}", args=[self.batch.pk])

    def test_submit_and_decide_with_if_match(self):
        self.client.force_login(self.surveyor)
        etag = self.client.get(reverse("api:survey:surveybatch-detail", args=[self.batch.pk]))[
            "ETag"
        ]
        response = self.client.post(self.url("submit"), HTTP_IF_MATCH=etag)
        self.assertEqual(response.status_code, 200, response.content.decode())
        self.assertEqual(response.json()["state"], BatchState.CONFIRMING)
        # The version read before the submit is stale now.
        self.client.force_login(self.bureau)
        response = self.client.post(
            self.url("decide"),
            {"party": "bureau", "decision": "confirmed"},
            format="json",
            HTTP_IF_MATCH=etag,
        )
        self.assertEqual(response.status_code, 412)
        response = self.client.post(
            self.url("decide"), {"party": "bureau", "decision": "confirmed"}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content.decode())
        self.assertFalse(self.batch.items.exclude(bureau_decision="confirmed").exists())

    def test_dispute_needs_reason_and_unit_acts_only_as_unit(self):
        services.submit(actor=self.surveyor, batch=self.batch)
        self.client.force_login(self.unit)
        item = self.batch.items.get(number="101")
        response = self.client.post(
            self.url("decide"),
            {"party": "unit", "decision": "disputed", "items": [item.pk]},
            format="json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("理由", response.content.decode())
        response = self.client.post(
            self.url("decide"), {"party": "bureau", "decision": "confirmed"}, format="json"
        )
        self.assertEqual(response.status_code, 403)

    def test_unit_lists_only_its_items(self):
        item = self.batch.items.get(number="102")
        SurveyItem.objects.filter(pk=item.pk).update(organization=self.world.b.org)
        self.client.force_login(self.unit)
        rows = self.client.get(reverse("api:survey:surveyitem-list"), {"limit": 100}).json()
        numbers = {r["number"] for r in rows["results"]}
        self.assertIn("101", numbers)
        self.assertNotIn("102", numbers)
        self.client.force_login(self.other_surveyor)
        rows = self.client.get(reverse("api:survey:surveyitem-list")).json()
        self.assertEqual(rows["count"], 0)
