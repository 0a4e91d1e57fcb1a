"""Use certificates: issuing rules, numbering, automatic revocation when a certified room moves,
the public verification page (nothing personal) and the certificate PDF."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.urls import reverse

from ...framework.models import ObjectChange
from ...framework.services import service_for
from ...registry.models import Room
from ..models import UseCertificate
from ..services import issue_certificate, revoke_certificate
from .world import TitlesWorldMixin


class IssueTests(TitlesWorldMixin, TestCase):
    def test_numbers_run_per_region_and_year(self):
        a, b = self.world.a, self.world.b
        self.assertEqual(a.certificate.number, "滕机管房证〔2026〕1号")
        self.assertEqual(b.certificate.number, "市机管房证〔2026〕1号")
        second = issue_certificate(
            actor=self.user_with_perm, organization=a.org, rooms=[a.spare_room]
        )
        self.assertTrue(second.number.startswith("滕机管房证〔"))
        self.assertNotEqual(second.number, a.certificate.number)
        self.assertEqual(second.room_count, 1)
        self.assertEqual(second.total_area, a.spare_room.usable_area)
        self.assertEqual(second.issued_by, self.user_with_perm)
        event = ObjectChange.objects.get(event="usecertificate.issue", changed_object_id=second.pk)
        self.assertIn(str(a.spare_room), event.postchange_data["room_labels"])

    def test_a_room_is_on_one_valid_certificate_at_a_time(self):
        a = self.world.a
        with self.assertRaises(ValidationError) as ctx:
            issue_certificate(actor=self.user_with_perm, organization=a.org, rooms=[a.room])
        self.assertIn(a.certificate.number, str(ctx.exception))
        revoke_certificate(actor=self.user_with_perm, certificate=a.certificate, reason="换证")
        renewed = issue_certificate(actor=self.user_with_perm, organization=a.org, rooms=[a.room])
        self.assertTrue(renewed.is_valid)

    def test_rooms_of_another_organization_or_out_of_scope_are_refused(self):
        a, b = self.world.a, self.world.b
        with self.assertRaises(ValidationError) as ctx:
            issue_certificate(actor=self.user_with_perm, organization=a.org, rooms=[a.other_room])
        self.assertIn("使用单位是", str(ctx.exception))
        with self.assertRaises(ValidationError):
            issue_certificate(actor=self.user_with_perm, organization=a.org, rooms=[b.spare_room])
        with self.assertRaises(ValidationError):
            issue_certificate(actor=self.user_with_perm, organization=b.org, rooms=[b.spare_room])
        self.assertEqual(UseCertificate.objects.count(), 2)

    def test_only_a_bureau_issues(self):
        a = self.world.a
        for user in (self.user_org_scoped, self.user_view_only, self.user_no_role):
            with self.assertRaises(PermissionDenied):
                issue_certificate(actor=user, organization=a.org, rooms=[a.spare_room])

    def test_sealed_rooms_cannot_be_certified(self):
        a = self.world.a
        Room.objects.filter(pk=a.spare_room.pk).update(status="sealed")
        with self.assertRaises(ValidationError) as ctx:
            issue_certificate(actor=self.user_with_perm, organization=a.org, rooms=[a.spare_room])
        self.assertIn("封存", str(ctx.exception))


class AutomaticRevocationTests(TitlesWorldMixin, TestCase):
    def test_moving_a_certified_room_revokes_its_certificate(self):
        a = self.world.a
        cert = a.certificate
        # The unit admin moves the room to its sub-unit: it may not touch certificates, but the
        # certificate is revoked with its write, by it.
        service_for(Room).update(
            actor=self.user_org_scoped, instance=a.room, data={"organization": a.sub_org}
        )
        cert.refresh_from_db()
        self.assertEqual(cert.state, "revoked")
        self.assertIn(a.org.name, cert.revoke_reason)
        self.assertIn(a.sub_org.name, cert.revoke_reason)
        event = ObjectChange.objects.get(event="usecertificate.auto_revoke")
        self.assertEqual(event.user, self.user_org_scoped)

    def test_other_edits_keep_it_valid(self):
        a = self.world.a
        service_for(Room).update(
            actor=self.user_with_perm, instance=a.room, data={"name": "阅览室"}
        )
        a.certificate.refresh_from_db()
        self.assertEqual(a.certificate.state, "valid")

    def test_sealing_a_certified_room_revokes(self):
        a = self.world.a
        service_for(Room).update(
            actor=self.user_with_perm, instance=a.room, data={"status": "sealed"}
        )
        a.certificate.refresh_from_db()
        self.assertEqual(a.certificate.state, "revoked")
        self.assertIn("封存", a.certificate.revoke_reason)

    def test_vacating_a_certified_room_revokes(self):
        # A vacate case leaves the room idle with its organization (or returns it to the pool).
        a = self.world.a
        service_for(Room).update(
            actor=self.user_with_perm, instance=a.room, data={"status": "idle"}
        )
        a.certificate.refresh_from_db()
        self.assertEqual(a.certificate.state, "revoked")
        self.assertIn("已闲置", a.certificate.revoke_reason)

    def test_deleting_a_certified_room_revokes_and_keeps_the_line(self):
        a = self.world.a
        label = str(a.room)
        a.room.occupancies.all().delete()
        service_for(Room).delete(actor=self.user_with_perm, instance=a.room)
        cert = UseCertificate.objects.get(pk=a.certificate.pk)
        self.assertEqual(cert.state, "revoked")
        line = cert.certified_rooms.get()
        self.assertIsNone(line.room_id)
        self.assertEqual(line.label, label)
        self.assertIn(label, cert.revoke_reason)
        # The other side's certificate is untouched.
        self.world.b.certificate.refresh_from_db()
        self.assertEqual(self.world.b.certificate.state, "valid")

    def test_a_failing_write_revokes_nothing(self):
        a = self.world.a
        with self.assertRaises(ValidationError):
            service_for(Room).update(
                actor=self.user_with_perm,
                instance=a.room,
                data={"organization": self.world.b.org},  # out of scope: refused, rolled back
            )
        a.certificate.refresh_from_db()
        self.assertEqual(a.certificate.state, "valid")


class VerificationTests(TitlesWorldMixin, TestCase):
    def test_public_page_shows_only_the_certificate_facts(self):
        cert = self.world.a.certificate
        response = self.client.get(reverse("verify:certificate", args=[cert.verify_token]))
        self.assertEqual(response.status_code, 200)
        content = response.content.decode()
        self.assertIn(cert.number, content)
        self.assertIn(self.world.a.org.name, content)
        self.assertIn("有效", content)
        self.assertIn("1 间", content)
        # Nothing personal, nothing internal: no signer, no occupant, no room names, no link in.
        self.assertNotIn(self.city_bureau.username, content)
        self.assertNotIn(self.world.a.person.name, content)
        self.assertNotIn(str(self.world.a.room), content)
        self.assertNotIn(cert.get_absolute_url(), content)
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertIn("noindex", response["X-Robots-Tag"])

    def test_revoked_certificates_say_so(self):
        cert = self.world.a.certificate
        revoke_certificate(actor=self.city_bureau, certificate=cert, reason="房屋收回")
        content = self.client.get(reverse("verify:certificate", args=[cert.verify_token]))
        self.assertContains(content, "已注销")
        self.assertNotContains(content, "房屋收回")

    def test_unknown_token_is_404(self):
        response = self.client.get(reverse("verify:certificate", args=["x" * 32]))
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "无法核验", status_code=404)

    def test_the_page_and_pdf_carry_the_verification_address(self):
        cert = self.world.a.certificate
        self.client.force_login(self.user_view_only)
        page = self.client.get(cert.get_absolute_url())
        self.assertContains(page, reverse("verify:certificate", args=[cert.verify_token]))
        self.assertContains(page, 'src="data:image/svg+xml;charset=utf-8,%3Csvg%20xmlns')
        pdf = self.client.get(reverse("titles:usecertificate_pdf", args=[cert.pk]))
        self.assertTrue(pdf.content.startswith(b"%PDF-"))
        self.assertTrue(
            ObjectChange.objects.filter(
                event="usecertificate.pdf", user=self.user_view_only
            ).exists()
        )


class RegistryPageButtonsTests(TitlesWorldMixin, TestCase):
    def test_organization_page_offers_certificates_and_issuing_to_the_bureau(self):
        org = self.world.a.org
        issue = f"{reverse('titles:usecertificate_add')}?organization={org.pk}"
        listing = f"{reverse('titles:usecertificate_list')}?organization={org.pk}"
        self.client.force_login(self.user_with_perm)
        page = self.client.get(org.get_absolute_url())
        self.assertContains(page, f'href="{issue}"')
        self.assertContains(page, f'href="{listing}"')
        self.client.force_login(self.user_org_scoped)
        page = self.client.get(org.get_absolute_url())
        self.assertNotContains(page, f'href="{issue}"')
        self.assertContains(page, f'href="{listing}"')

    def test_room_and_building_pages_link_their_certificates_and_titles(self):
        a = self.world.a
        self.client.force_login(self.user_view_only)
        room_link = f"{reverse('titles:usecertificate_list')}?room={a.room.pk}"
        self.assertContains(self.client.get(a.room.get_absolute_url()), f'href="{room_link}"')
        listing = self.client.get(room_link)
        self.assertContains(listing, a.certificate.get_absolute_url())
        self.assertNotContains(listing, self.world.b.certificate.get_absolute_url())
        title_link = f"{reverse('titles:title_list')}?building={a.building.pk}"
        page = self.client.get(a.building.get_absolute_url())
        self.assertContains(page, f'href="{title_link}"')
        # The supervisor reads titles but files none.
        self.assertNotContains(page, reverse("titles:title_add"))
        self.assertContains(self.client.get(title_link), a.title.get_absolute_url())


class SweepTests(TitlesWorldMixin, TestCase):
    def test_writes_that_bypass_the_services_are_caught_by_the_daily_job(self):
        from ..jobs import sweep_certificates

        a, b = self.world.a, self.world.b
        self.assertEqual(sweep_certificates(), "有效使用权证均与台账相符。")
        # A bulk write without the services' signal (as a ledger import writes).
        Room.objects.filter(pk=a.room.pk).update(organization=a.sub_org)
        Room.objects.filter(pk=b.room.pk).update(status="pending_disposal")
        self.assertIn("2", sweep_certificates())
        a.certificate.refresh_from_db()
        b.certificate.refresh_from_db()
        self.assertEqual((a.certificate.state, b.certificate.state), ("revoked", "revoked"))
        self.assertIn(a.sub_org.name, a.certificate.revoke_reason)
        self.assertIn("待处置", b.certificate.revoke_reason)
        event = ObjectChange.objects.filter(event="usecertificate.auto_revoke").first()
        self.assertIsNone(event.user)
        self.assertEqual(sweep_certificates(), "有效使用权证均与台账相符。")


def test_rooms_are_listed_by_floor_then_number_as_numbers():
    from types import SimpleNamespace

    from ..services import _room_order

    compound = SimpleNamespace(name="行政中心")
    building = SimpleNamespace(name="A座", compound=compound)

    def room(floor: int, number: str):
        return SimpleNamespace(
            number=number, floor=SimpleNamespace(number=floor, building=building)
        )

    rooms = [room(13, "1309"), room(2, "206"), room(2, "206-1"), room(2, "21"), room(-1, "B2")]
    ordered = [r.number for r in sorted(rooms, key=_room_order)]
    assert ordered == ["B2", "21", "206", "206-1", "1309"]
