"""The batch's life: upload and reconcile, three-party confirmation with disputes and
re-confirmation, signatures, apply as one change, revert (and revert refused after a later edit)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from ...archives.models import Document
from ...framework.models import ObjectChange
from ...framework.services import service_for
from ...registry.models import Room
from .. import services
from ..models import BatchState, Decision, ItemKind, Party, SurveyItem
from .world import SurveyWorldMixin, credentials, drawn, reading

# 101 measured 5 % larger than registered (beyond R9's 3 %), 102 as registered, 103 not drawn,
# 104 new.
DRAWING = [("101", "办公室", 18.9), ("102", "办公室", 18.0), ("104", "档案室", 12.5)]


def dxf_file(name: str = "一层.dxf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"0\nSECTION\n2\nENTITIES\n0\nENDSEC\n0\nEOF\n")


class FlowTests(SurveyWorldMixin, TestCase):
    def upload(self, rooms=DRAWING):
        with reading(drawn(rooms)):
            return services.upload_drawing(
                actor=self.surveyor, batch=self.batch, floor=self.world.a.floor, file=dxf_file()
            )

    def confirm_all(self, *parties):
        for party, user in parties:
            services.decide(actor=user, batch=self.batch, party=party, decision=Decision.CONFIRMED)
        self.batch.refresh_from_db()

    def everyone(self):
        return [
            (Party.SURVEYOR, self.surveyor),
            (Party.UNIT, self.unit),
            (Party.BUREAU, self.bureau),
        ]

    def sign_all(self):
        for party, user in self.everyone():
            services.sign(actor=user, batch=self.batch, party=party, **credentials(user))
        self.batch.refresh_from_db()

    def to_signing(self):
        self.upload()
        services.submit(actor=self.surveyor, batch=self.batch)
        self.confirm_all(*self.everyone())
        self.assertEqual(self.batch.state, BatchState.SIGNING)

    # Upload and reconciliation ---------------------------------------------------------------
    def test_upload_files_document_and_reconciles_with_r9_tolerance(self):
        drawing = self.upload()
        self.assertTrue(drawing.usable)
        self.assertEqual(drawing.document.category.code, "survey")
        self.assertEqual(drawing.document.subject_id, self.world.a.floor.pk)
        items = {i.number: i for i in self.batch.items.all()}
        self.assertEqual(items["101"].kind, ItemKind.MATCHED)
        self.assertTrue(items["101"].beyond_tolerance)
        self.assertEqual(items["101"].drawn_area, Decimal("18.90"))
        self.assertFalse(items["102"].beyond_tolerance)
        self.assertEqual(items["103"].kind, ItemKind.MISSING)
        self.assertEqual(items["104"].kind, ItemKind.NEW)
        # The tolerance is the standards' parameter, with its source.
        self.batch.refresh_from_db()
        self.assertEqual(self.batch.tolerance, Decimal("0.03"))
        self.assertIn("R9", self.batch.tolerance_source)

    def test_reupload_replaces_drawing_and_items(self):
        self.upload()
        self.upload([("101", "办公室", 18.0)])
        self.assertEqual(self.batch.drawings.count(), 1)
        self.assertEqual(
            sorted(self.batch.items.values_list("number", flat=True)), ["101", "102", "103"]
        )
        doc = self.batch.drawings.get().document
        self.assertTrue(Document.objects.filter(pk=doc.pk, supersedes__isnull=False).exists())

    def test_drawing_with_errors_gives_no_items_and_cannot_be_submitted(self):
        bad = drawn(DRAWING)
        bad.error("图层“房间”", "轮廓未闭合")
        with reading(bad):
            drawing = services.upload_drawing(
                actor=self.surveyor, batch=self.batch, floor=self.world.a.floor, file=dxf_file()
            )
        self.assertFalse(drawing.usable)
        self.assertEqual(self.batch.items.count(), 0)
        with self.assertRaisesMessage(ValidationError, "有错误"):
            services.submit(actor=self.surveyor, batch=self.batch)

    def test_only_assigned_surveyor_uploads_and_only_dxf_ifc(self):
        with self.assertRaises(PermissionDenied), reading(drawn(DRAWING)):
            services.upload_drawing(
                actor=self.other_surveyor,
                batch=self.batch,
                floor=self.world.a.floor,
                file=dxf_file(),
            )
        with self.assertRaisesMessage(ValidationError, "DXF 或 IFC"), reading(drawn(DRAWING)):
            services.upload_drawing(
                actor=self.surveyor,
                batch=self.batch,
                floor=self.world.a.floor,
                file=dxf_file("plan.pdf"),
            )
        with self.assertRaises(ValidationError), reading(drawn(DRAWING)):
            services.upload_drawing(
                actor=self.surveyor, batch=self.batch, floor=self.world.b.floor, file=dxf_file()
            )

    # Confirmation ----------------------------------------------------------------------------
    def test_all_three_confirm_then_signing_with_content_hash(self):
        self.to_signing()
        self.assertTrue(self.batch.content_hash)
        self.assertEqual(
            self.batch.content_hash,
            services.crypto.digest(
                services.canonical_content(self.batch), algorithm=self.batch.hash_algorithm
            ),
        )

    def test_two_parties_are_not_enough(self):
        self.upload()
        services.submit(actor=self.surveyor, batch=self.batch)
        self.confirm_all((Party.SURVEYOR, self.surveyor), (Party.BUREAU, self.bureau))
        self.assertEqual(self.batch.state, BatchState.CONFIRMING)
        self.assertEqual(services.open_items(self.batch).count(), 4)  # all wait for the unit

    def test_dispute_returns_to_surveyor_and_reconfirmation_reopens_items(self):
        self.upload()
        services.submit(actor=self.surveyor, batch=self.batch)
        self.confirm_all((Party.SURVEYOR, self.surveyor), (Party.BUREAU, self.bureau))
        item = self.batch.items.get(number="101")
        with self.assertRaisesMessage(ValidationError, "理由"):
            services.decide(
                actor=self.unit,
                batch=self.batch,
                party=Party.UNIT,
                decision=Decision.DISPUTED,
                items=[item],
            )
        services.decide(
            actor=self.unit,
            batch=self.batch,
            party=Party.UNIT,
            decision=Decision.DISPUTED,
            items=[item],
            reason="实际面积与台账一致",
        )
        self.batch.refresh_from_db()
        self.assertEqual(self.batch.state, BatchState.RETURNED)
        item.refresh_from_db()
        self.assertIn("实际面积与台账一致", item.dispute_reason)
        # Confirming is refused while returned; the surveyor corrects and resubmits.
        with self.assertRaises(ValidationError):
            services.decide(
                actor=self.unit, batch=self.batch, party=Party.UNIT, decision=Decision.CONFIRMED
            )
        services.submit(actor=self.surveyor, batch=self.batch)
        item.refresh_from_db()
        self.assertEqual(
            (item.unit_decision, item.surveyor_decision, item.bureau_decision), ("", "", "")
        )
        other = self.batch.items.get(number="102")
        self.assertEqual(other.bureau_decision, Decision.CONFIRMED)  # undisputed items keep theirs
        self.confirm_all(*self.everyone())
        self.assertEqual(self.batch.state, BatchState.SIGNING)
        self.assertEqual(self.batch.confirmations.filter(decision=Decision.DISPUTED).count(), 1)

    def test_dispute_while_signing_voids_signatures(self):
        self.to_signing()
        services.sign(
            actor=self.surveyor,
            batch=self.batch,
            party=Party.SURVEYOR,
            **credentials(self.surveyor),
        )
        services.decide(
            actor=self.bureau,
            batch=self.batch,
            party=Party.BUREAU,
            decision=Decision.DISPUTED,
            items=[self.batch.items.get(number="104")],
            reason="104 为楼梯间，不是房间",
        )
        self.batch.refresh_from_db()
        self.assertEqual(self.batch.state, BatchState.RETURNED)
        self.assertTrue(self.batch.signatures.get().voided)

    def test_unit_decides_only_its_own_rooms(self):
        self.upload()
        services.submit(actor=self.surveyor, batch=self.batch)
        with self.assertRaises(PermissionDenied):
            services.decide(
                actor=self.unit_b, batch=self.batch, party=Party.UNIT, decision=Decision.CONFIRMED
            )
        with self.assertRaises(PermissionDenied):
            services.decide(
                actor=self.unit, batch=self.batch, party=Party.BUREAU, decision=Decision.CONFIRMED
            )

    # Signatures, apply, revert ---------------------------------------------------------------
    def test_wrong_code_signs_nothing(self):
        self.to_signing()
        with self.assertRaises(ValidationError):
            services.sign(
                actor=self.bureau,
                batch=self.batch,
                party=Party.BUREAU,
                password="wrong",
                otp="000000",
            )
        self.assertFalse(self.batch.signatures.exists())
        self.assertTrue(
            ObjectChange.objects.filter(event="survey.sign_failed", user=self.bureau).exists()
        )

    def test_three_signatures_apply_as_one_change(self):
        self.to_signing()
        self.sign_all()
        self.assertEqual(self.batch.state, BatchState.APPLIED)
        signatures = list(self.batch.signatures.all())
        self.assertEqual({s.party for s in signatures}, {"surveyor", "unit", "bureau"})
        for s in signatures:
            self.assertEqual(s.content_hash, self.batch.content_hash)
            self.assertEqual(s.method, "password+totp")
        self.room_101.refresh_from_db()
        self.assertEqual(self.room_101.usable_area, Decimal("18.90"))
        self.assertEqual(self.room_101.surveyed_area, Decimal("18.90"))
        self.assertIsNotNone(self.room_101.surveyed_on)
        self.assertEqual(self.room_101.geometry["type"], "Polygon")
        new = Room.objects.get(floor=self.world.a.floor, number="104")
        self.assertEqual(new.usable_area, Decimal("12.50"))
        # The missing room is flagged, not deleted.
        self.assertTrue(Room.objects.filter(pk=self.room_103.pk).exists())
        self.assertTrue(
            ObjectChange.objects.filter(
                event="survey.missing_room", changed_object_id=self.room_103.pk
            ).exists()
        )
        rows = services.batch_changes(self.batch)
        self.assertEqual(rows.count(), 3)  # 101, 102 updated; 104 created
        # The batch's own state change belongs to the same change.
        self.assertTrue(
            ObjectChange.objects.filter(
                request_id=self.batch.apply_id, changed_object_id=self.batch.pk, action="update"
            ).exists()
        )

    def test_revert_restores_rooms_and_deletes_new_ones(self):
        before = Room.objects.get(pk=self.room_101.pk)
        self.to_signing()
        self.sign_all()
        services.revert(actor=self.bureau, batch=self.batch)
        self.batch.refresh_from_db()
        self.assertEqual(self.batch.state, BatchState.REVERTED)
        self.room_101.refresh_from_db()
        self.assertEqual(self.room_101.usable_area, before.usable_area)
        self.assertIsNone(self.room_101.surveyed_area)
        self.assertEqual(self.room_101.geometry, before.geometry)
        self.assertFalse(Room.objects.filter(floor=self.world.a.floor, number="104").exists())
        self.assertTrue(SurveyItem.objects.filter(number="104", room__isnull=True).exists())

    def test_revert_refused_after_a_later_edit(self):
        self.to_signing()
        self.sign_all()
        room = Room.objects.get(pk=self.room_102.pk)
        service_for(Room).update(actor=self.bureau, instance=room, data={"name": "改名"})
        with self.assertRaisesMessage(ValidationError, "不能整批撤销"):
            services.revert(actor=self.bureau, batch=self.batch)
        self.batch.refresh_from_db()
        self.assertEqual(self.batch.state, BatchState.APPLIED)

    def test_apply_refused_when_room_changed_after_reconciliation(self):
        self.to_signing()
        room = Room.objects.get(pk=self.room_101.pk)
        service_for(Room).update(actor=self.bureau, instance=room, data={"name": "新名称"})
        services.sign(
            actor=self.surveyor,
            batch=self.batch,
            party=Party.SURVEYOR,
            **credentials(self.surveyor),
        )
        services.sign(actor=self.unit, batch=self.batch, party=Party.UNIT, **credentials(self.unit))
        with self.assertRaisesMessage(ValidationError, "又被修改"):
            services.sign(
                actor=self.bureau, batch=self.batch, party=Party.BUREAU, **credentials(self.bureau)
            )
        self.batch.refresh_from_db()
        self.assertEqual(self.batch.state, BatchState.SIGNING)
        self.assertEqual(self.batch.signatures.count(), 2)  # the last one was not kept

    def test_only_bureau_reverts(self):
        self.to_signing()
        self.sign_all()
        for user in (self.unit, self.surveyor, self.bureau_b):
            with self.assertRaises(PermissionDenied):
                services.revert(actor=user, batch=self.batch)

    def test_stale_version_refused(self):
        self.upload()
        version = self.batch.version
        self.batch.refresh_from_db()
        with self.assertRaises(ValidationError):
            services.submit(actor=self.surveyor, batch=self.batch, expected_version=version - 1)
