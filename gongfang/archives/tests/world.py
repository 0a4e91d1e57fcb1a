"""The registry's two-sided world with papers on file: on each side a floor plan (PNG) on the
floor and a survey report (PDF) on the building, uploaded by the city bureau."""

from __future__ import annotations

from ...accounts.roles import Role
from ...registry.tests.world import WorldMixin, make_user
from ..services import add_document
from .files import pdf_bytes, png_bytes, upload


class ArchivesWorldMixin(WorldMixin):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        w = cls.world
        cls.city_bureau = make_user("bureau_city", [Role.BUREAU_ADMIN], scope_region=w.city)
        for side in (w.a, w.b):
            side.plan = add_document(
                user=cls.city_bureau,
                subject=side.floor,
                category="floor_plan",
                file=upload(png_bytes(), "一层平面图.png", "image/png"),
                title=f"{side.building} 一层平面图",
            )
            side.report = add_document(
                user=cls.city_bureau,
                subject=side.building,
                category="survey",
                file=upload(pdf_bytes(), "测绘报告.pdf", "application/pdf"),
                source="市测绘院",
            )
