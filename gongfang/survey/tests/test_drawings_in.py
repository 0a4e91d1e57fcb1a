"""Real drawings through the batch: a DXF and an IFC of S1's samples read, reconciled and
confirmed layers re-read; a bad file lists its problems and yields nothing."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from .. import services
from ..drawings import samples
from ..models import ItemKind
from .world import SurveyWorldMixin

ROOMS = [("101", "办公室", 18.9), ("102", "办公室", 18.0)]


class DrawingsInTests(SurveyWorldMixin, TestCase):
    def upload(self, name: str, data: bytes, **kwargs):
        return services.upload_drawing(
            actor=self.surveyor,
            batch=self.batch,
            floor=self.world.a.floor,
            file=SimpleUploadedFile(name, data),
            **kwargs,
        )

    def test_dxf_floor_reconciled(self):
        drawing = self.upload("一层平面.dxf", samples.office_floor_dxf(ROOMS))
        self.assertTrue(drawing.usable, drawing.result.get("problems"))
        self.assertEqual(drawing.format, "dxf")
        self.assertTrue(drawing.outline_layers)
        items = {i.number: i for i in self.batch.items.all()}
        self.assertEqual(items["101"].kind, ItemKind.MATCHED)
        self.assertEqual(items["101"].drawn_area, Decimal("18.90"))
        self.assertTrue(items["101"].beyond_tolerance)
        self.assertEqual(items["103"].kind, ItemKind.MISSING)

    def test_layers_confirmed_reread(self):
        drawing = self.upload("一层平面.dxf", samples.office_floor_dxf(ROOMS))
        layers = [layer["name"] for layer in drawing.result["layers"]]
        # Choosing a layer without outlines leaves no room: the drawing cannot be used.
        wrong = [n for n in layers if n not in drawing.outline_layers][:1]
        drawing = services.configure_drawing(
            actor=self.surveyor,
            drawing=drawing,
            units=None,
            outline_layers=wrong,
            label_layers=drawing.label_layers,
        )
        self.assertFalse(drawing.usable)
        self.assertEqual(self.batch.items.count(), 0)

    def test_ifc_floor_reconciled(self):
        drawing = self.upload("办公楼.ifc", samples.office_building_ifc([ROOMS]))
        self.assertTrue(drawing.usable, drawing.result.get("problems"))
        self.assertEqual(drawing.format, "ifc")
        self.assertEqual(
            self.batch.items.get(number="102").drawn_area.quantize(Decimal("0.1")),
            Decimal("18.0"),
        )

    def test_bad_dxf_lists_problems(self):
        drawing = self.upload("坏图纸.dxf", b"0\nSECTION\n2\nENTITIES\n0\nLINE\n")
        self.assertFalse(drawing.usable)
        self.assertTrue(drawing.result["problems"])
        self.assertEqual(self.batch.items.count(), 0)
        self.client.force_login(self.surveyor)
        page = self.client.get(drawing.get_absolute_url()).content.decode()
        self.assertIn("问题清单", page)
        self.assertIn(drawing.result["problems"][0]["message"], page)
