"""Referral (移交纪检监察): the generated package — a Chinese PDF listing the findings with their
evidence, photos and the object's history, and a zip holding the PDF and the evidence files —
kept as archives documents of the referral; the outcome recorded later. Reports: counts by
aspect, unit and state, charts linking into the filtered list, the PDF."""

from __future__ import annotations

import datetime
import io
import zipfile

from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse
from pypdf import PdfReader

from ...framework import clock
from ...framework.services import service_for
from ...registry.models import Room
from ..documents import CATEGORY_PHOTO, file_document
from ..findings import create_finding, recheck, record_outcome, refer, respond
from ..models import Finding, Referral
from ..referrals import package_documents
from ..reports import plan_charts, plan_report
from .findings_world import FindingsWorldMixin, photo, png_bytes, private_media_root  # noqa: F401


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


class ReferralPackageTests(FindingsWorldMixin, TestCase):
    def test_package_lists_the_findings_and_the_zip_holds_the_evidence(self):
        a = self.world.a
        # The room's history: an edit through the registry's service.
        service_for(Room).update(
            actor=self.user_with_perm, instance=a.room, data={"usable_area": "21.50"}
        )
        second = create_finding(
            user=self.user_view_only,
            organization=a.org,
            subject=a.room,
            description="擅自改变房间用途为仓库",
            rectification_kind="record",
        )
        file_document(
            user=self.user_view_only,
            subject=second,
            category=CATEGORY_PHOTO,
            file=png_bytes("#cc3333"),
            name="仓库现场.png",
            title="现场照片",
            authorized=True,
        )
        respond(user=self.user_org_scoped, finding=a.finding, description="已与借用单位协商收回")
        file_document(
            user=self.user_org_scoped,
            subject=a.finding,
            category="inspection",
            file=photo("收回协议.png", "#33aa33"),
            title="收回协议",
        )
        referral = refer(
            user=self.user_view_only, findings=[a.finding, second], recipient="滕州市纪委监委"
        )
        self.assertEqual(referral.organization, a.org)
        self.assertEqual(
            set(Finding.objects.filter(referrals=referral).values_list("state", flat=True)),
            {"referred"},
        )
        package = package_documents(self.user_view_only, referral)
        self.assertEqual(referral.package, package["zip"])
        self.assertEqual(package["zip"].category.code, "inspection")
        self.assertEqual(package["pdf"].content_type, "application/pdf")

        with package["pdf"].file.open("rb") as handle:
            pdf = handle.read()
        text = pdf_text(pdf)
        for expected in (
            "移交纪检监察材料",
            "滕州市纪委监委",
            "101 室出借给其他单位使用",
            "擅自改变房间用途为仓库",
            "已与借用单位协商收回",
            "收回协议.png",
            "仓库现场.png",
            "变更记录",
            "使用面积：18.00→21.50",
        ):
            self.assertIn(expected.replace(" ", ""), text.replace(" ", ""), expected)
        reader = PdfReader(io.BytesIO(pdf))
        images = sum(len(page.images) for page in reader.pages)
        self.assertGreaterEqual(images, 2)  # the photos are embedded

        with package["zip"].file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
            names = archive.namelist()
            self.assertIn("证据/问题1/收回协议.png", names)
            self.assertIn("证据/问题2/仓库现场.png", names)
            pdf_name = next(n for n in names if n.endswith(".pdf"))
            self.assertEqual(archive.read(pdf_name), pdf)
            self.assertEqual(archive.read("证据/问题2/仓库现场.png"), png_bytes("#cc3333"))

    def test_outcome_is_recorded_later(self):
        a = self.world.a
        referral = refer(user=self.user_view_only, findings=[a.finding])
        with self.assertRaises(ValidationError):
            record_outcome(
                user=self.user_view_only, referral=referral, outcome="", outcome_on=clock.today()
            )
        with self.assertRaises(ValidationError):
            record_outcome(
                user=self.user_view_only,
                referral=referral,
                outcome="诫勉谈话",
                outcome_on=clock.today() + datetime.timedelta(days=1),
            )
        record_outcome(
            user=self.user_view_only,
            referral=referral,
            outcome="对单位负责人诫勉谈话",
            outcome_on=clock.today(),
        )
        referral.refresh_from_db()
        self.assertEqual(referral.outcome, "对单位负责人诫勉谈话")
        self.assertEqual(referral.outcome_on, clock.today())

    def test_pages_refer_and_download(self):
        a = self.world.a
        self.client.force_login(self.user_view_only)
        url = reverse("inspections:referral_add") + f"?finding={a.finding.pk}"
        page = self.client.get(url)
        self.assertContains(page, a.finding.description[:20])
        response = self.client.post(
            reverse("inspections:referral_add"),
            {
                "organization": a.org.pk,
                "findings": [a.finding.pk],
                "recipient": "纪委监委",
                "referred_on": clock.today(),
            },
        )
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        referral = Referral.objects.get()
        page = self.client.get(referral.get_absolute_url())
        self.assertContains(page, "材料及证据压缩包")
        download = self.client.get(reverse("archives:document_file", args=[referral.package_id]))
        self.assertEqual(download.status_code, 200)
        response = self.client.post(
            reverse("inspections:referral_outcome", args=[referral.pk]),
            {"outcome": "立案审查", "outcome_on": clock.today(), "version": referral.version},
        )
        self.assertEqual(response.status_code, 302)
        referral.refresh_from_db()
        self.assertEqual(referral.outcome, "立案审查")


class ReportTests(FindingsWorldMixin, TestCase):
    def test_counts_by_aspect_unit_and_state(self):
        a = self.world.a
        create_finding(
            user=self.user_with_perm,
            organization=a.sub_org,
            inspection=None,
            description="下属单位未经批准出租",
            rectification_kind="record",
        )
        second = create_finding(
            user=self.user_with_perm,
            organization=a.org,
            inspection=a.inspection,
            item=self.item_r1,
            subject=a.room,
            description="办公室超标",
            rectification_kind="on_site",
        )
        third = create_finding(
            user=self.user_with_perm,
            organization=a.org,
            inspection=a.inspection,
            item=self.item_r8,
            description="会议室出借",
            rectification_kind="record",
        )
        recheck(user=self.user_with_perm, finding=third, result="closed")
        report = plan_report(self.user_with_perm, a.plan)
        self.assertEqual(report.total, 3)  # the sub-unit's finding is not of the plan
        self.assertEqual(report.unfinished, 2)
        states = {r.params["state"]: r.total for r in report.by_state}
        self.assertEqual(
            states, {"open": 2, "responded": 0, "closed": 1, "reopened": 0, "referred": 0}
        )
        aspects = {r.params.get("item"): (r.total, r.unfinished) for r in report.by_aspect}
        self.assertEqual(aspects, {self.item_r8.pk: (2, 1), self.item_r1.pk: (1, 1)})
        self.assertEqual([(r.label, r.total) for r in report.by_unit], [(a.org.name, 3)])
        self.assertEqual({f.pk for f in report.open_items}, {a.finding.pk, second.pk})
        # The unit of the other side sees none of it; the bureau of side b neither.
        self.assertEqual(plan_report(self.bureau_b, a.plan).total, 0)

    def test_charts_link_into_the_filtered_list(self):
        a = self.world.a
        report = plan_report(self.user_with_perm, a.plan)
        charts = {c["chart_id"]: c for c in plan_charts(report)}
        self.assertEqual(
            set(charts), {"findings-by-aspect", "findings-by-unit", "findings-by-state"}
        )
        link = charts["findings-by-aspect"]["spec"]["links"]["0"][0]
        self.assertIn(f"plan={a.plan.pk}", link)
        self.assertIn(f"item={self.item_r8.pk}", link)
        self.client.force_login(self.user_with_perm)
        response = self.client.get(link)
        self.assertContains(response, a.finding.get_absolute_url())
        state_link = charts["findings-by-state"]["spec"]["links"]["0"][0]
        self.assertContains(self.client.get(state_link), a.finding.get_absolute_url())

    def test_plan_page_shows_the_charts_and_the_pdf_reports(self):
        a = self.world.a
        self.client.force_login(self.user_with_perm)
        page = self.client.get(a.plan.get_absolute_url())
        self.assertContains(page, 'data-chart="findings-by-aspect"')
        self.assertContains(page, reverse("inspections:plan_report_pdf", args=[a.plan.pk]))
        for url in (
            reverse("inspections:plan_report_pdf", args=[a.plan.pk]),
            reverse("inspections:inspection_report_pdf", args=[a.inspection.pk]),
        ):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200)
            text = pdf_text(response.content).replace(" ", "")
            self.assertIn("督查问题报告", text)
            self.assertIn("101室出借给其他单位使用", text)
            self.assertIn("按检查内容", text)
        self.assertEqual(
            self.client.get(
                reverse("inspections:plan_report_pdf", args=[self.world.b.plan.pk])
            ).status_code,
            404,
        )
