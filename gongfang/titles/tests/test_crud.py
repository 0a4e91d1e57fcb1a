"""Page and API tests of titles and use certificates from the generic test mixins
(framework.testing), with the scope of the registry's two-sided world."""

from __future__ import annotations

from typing import Any

from django.test import TestCase
from django.urls import reverse

from ...framework.models import ObjectChange
from ...framework.services import service_for
from ...framework.testing import APITestCases, ViewTestCases
from ..models import Title, UseCertificate
from ..services import issue_certificate
from .world import TitlesWorldMixin


class TitleData(TitlesWorldMixin):
    model = Title

    def in_scope_object(self):
        return self.world.a.title

    def out_of_scope_object(self):
        return self.world.b.title

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        side = self.world.a if in_scope else self.world.b
        return {
            "compound": side.compound.pk,
            "kind": "filing",
            "certificate_number": "备2026-07",
            "holder": side.org.pk,
            "area": "300.00",
            "source_document": "枣政办发〔2025〕3号",
        }

    def update_data(self) -> dict[str, Any]:
        return {"source_document": "枣机管发〔2026〕9号"}

    def deletable_object(self):
        data = {"compound": self.world.a.compound, "kind": "unclear", "holder": self.world.a.org}
        obj, _ = service_for(Title).create(actor=self.user_with_perm, data=data)
        return obj


class UseCertificateData(TitlesWorldMixin):
    model = UseCertificate

    def in_scope_object(self):
        return self.world.a.certificate

    def out_of_scope_object(self):
        return self.world.b.certificate

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        side = self.world.a if in_scope else self.world.b
        return {"organization": side.org.pk, "rooms": [side.spare_room.pk], "note": "首次发证"}

    def deletable_object(self):
        return issue_certificate(
            actor=self.user_with_perm,
            organization=self.world.a.org,
            rooms=[self.world.a.spare_room],
        )


class TestTitleViews(TitleData, ViewTestCases.PrimaryObjectViewTestCase):
    pass


class TestTitleAPI(TitleData, APITestCases.APIViewTestCase):
    pass


class TestUseCertificateViews(
    UseCertificateData,
    ViewTestCases.ListViewTestCase,
    ViewTestCases.DetailViewTestCase,
    ViewTestCases.CreateViewTestCase,
):
    """A certificate is issued and revoked, never edited or deleted: no such pages."""

    def test_unit_admin_may_not_issue(self):
        self.client.force_login(self.user_org_scoped)
        url = reverse("titles:usecertificate_add")
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.post(url, self.create_data()).status_code, 403)

    def test_issue_page_lists_the_organizations_certifiable_rooms(self):
        self.client.force_login(self.user_with_perm)
        a = self.world.a
        response = self.client.get(reverse("titles:usecertificate_add"), {"organization": a.org.pk})
        content = response.content.decode()
        self.assertIn(f'name="rooms" value="{a.spare_room.pk}"', content)
        # Already certified, or another organization's.
        self.assertNotIn(f'name="rooms" value="{a.room.pk}"', content)
        self.assertNotIn(f'name="rooms" value="{a.other_room.pk}"', content)

    def test_issue_refusal_names_the_room(self):
        self.client.force_login(self.user_with_perm)
        a = self.world.a
        response = self.client.post(
            reverse("titles:usecertificate_add"),
            {"organization": a.org.pk, "rooms": [a.other_room.pk], "issued_on": "2026-03-03"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn(
            f"房间“{a.other_room}”的使用单位是", "".join(response.context["form"].errors["rooms"])
        )

    def test_revoke_from_page(self):
        self.client.force_login(self.user_with_perm)
        cert = self.world.a.certificate
        response = self.client.post(
            reverse("titles:usecertificate_revoke", args=[cert.pk]),
            {"revoke_reason": "单位搬迁", "version": cert.version},
        )
        self.assertEqual(response.status_code, 302)
        cert.refresh_from_db()
        self.assertEqual(cert.state, "revoked")
        self.assertEqual(cert.revoke_reason, "单位搬迁")
        self.assertEqual(self.changes(cert, ObjectChange.Action.UPDATE).count(), 1)

    def test_supervisor_cannot_revoke(self):
        self.client.force_login(self.user_view_only)
        cert = self.world.a.certificate
        response = self.client.post(
            reverse("titles:usecertificate_revoke", args=[cert.pk]), {"revoke_reason": "x"}
        )
        self.assertEqual(response.status_code, 403)
        cert.refresh_from_db()
        self.assertEqual(cert.state, "valid")

    def test_revoke_out_of_scope_is_404(self):
        self.client.force_login(self.user_with_perm)
        cert = self.world.b.certificate
        response = self.client.post(
            reverse("titles:usecertificate_revoke", args=[cert.pk]), {"revoke_reason": "x"}
        )
        self.assertEqual(response.status_code, 404)

    def test_pdf_in_scope_and_out_of_scope(self):
        self.client.force_login(self.user_view_only)
        response = self.client.get(
            reverse("titles:usecertificate_pdf", args=[self.world.a.certificate.pk])
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF-"))
        response = self.client.get(
            reverse("titles:usecertificate_pdf", args=[self.world.b.certificate.pk])
        )
        self.assertEqual(response.status_code, 404)

    def test_pdf_anonymous_redirects(self):
        response = self.client.get(
            reverse("titles:usecertificate_pdf", args=[self.world.a.certificate.pk])
        )
        self.assertEqual(response.status_code, 302)


class TestUseCertificateAPI(UseCertificateData, APITestCases.APIViewTestCase):
    """Issue by POST; no PUT/PATCH/DELETE (405, nothing changed); revoke and PDF actions."""

    def test_api_update_with_permission(self):
        self.client.force_login(self.user_with_perm)
        obj = self.in_scope_object()
        response = self.client.patch(self.detail_url(obj), {"note": "改"}, format="json")
        self.assertEqual(response.status_code, 405)

    def test_api_update_out_of_scope_is_404(self):
        self.client.force_login(self.user_with_perm)
        response = self.client.patch(
            self.detail_url(self.out_of_scope_object()), {"note": "改"}, format="json"
        )
        self.assertIn(response.status_code, (404, 405))

    def test_api_update_without_permission_is_forbidden(self):
        self.client.force_login(self.user_view_only)
        response = self.client.patch(
            self.detail_url(self.in_scope_object()), {"note": "改"}, format="json"
        )
        self.assertIn(response.status_code, (403, 405))

    def test_api_delete_with_permission(self):
        obj = self.deletable_object()
        self.client.force_login(self.user_with_perm)
        self.assertEqual(self.client.delete(self.detail_url(obj)).status_code, 405)
        self.assertTrue(UseCertificate.objects.filter(pk=obj.pk).exists())

    def test_api_delete_out_of_scope_is_404(self):
        self.client.force_login(self.user_with_perm)
        obj = self.out_of_scope_object()
        self.assertIn(self.client.delete(self.detail_url(obj)).status_code, (404, 405))
        self.assertTrue(UseCertificate.objects.filter(pk=obj.pk).exists())

    def test_api_revoke(self):
        self.client.force_login(self.user_with_perm)
        obj = self.in_scope_object()
        url = reverse("api:titles:usecertificate-revoke", args=[obj.pk])
        response = self.client.post(url, {"revoke_reason": ""}, format="json")
        self.assertEqual(response.status_code, 400)
        response = self.client.post(url, {"revoke_reason": "房屋收回"}, format="json")
        self.assertEqual(response.status_code, 200, response.content.decode())
        self.assertEqual(response.json()["state_display"], "已注销")
        response = self.client.post(url, {"revoke_reason": "再次"}, format="json")
        self.assertEqual(response.status_code, 400)

    def test_api_revoke_by_unit_admin_is_forbidden(self):
        self.client.force_login(self.user_org_scoped)
        obj = self.in_scope_object()
        url = reverse("api:titles:usecertificate-revoke", args=[obj.pk])
        response = self.client.post(url, {"revoke_reason": "x"}, format="json")
        self.assertEqual(response.status_code, 403)

    def test_api_detail_has_lines_and_verify_url_but_no_token_field(self):
        self.client.force_login(self.user_view_only)
        obj = self.in_scope_object()
        data = self.client.get(self.detail_url(obj)).json()
        self.assertNotIn("verify_token", data)
        self.assertTrue(data["verify_url"].endswith(f"/verify/certificate/{obj.verify_token}/"))
        self.assertEqual([line["room"] for line in data["certified_rooms"]], [self.world.a.room.pk])
        self.assertEqual(
            data["certified_rooms"][0]["category_display"],
            self.world.a.room.get_category_display(),
        )

    def test_api_pdf(self):
        self.client.force_login(self.user_view_only)
        obj = self.in_scope_object()
        response = self.client.get(reverse("api:titles:usecertificate-pdf", args=[obj.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"%PDF-"))


class TestUseCertificateListButton(UseCertificateData, TestCase):
    def test_only_the_bureau_sees_the_issue_button(self):
        url = reverse("titles:usecertificate_list")
        self.client.force_login(self.user_with_perm)
        self.assertContains(self.client.get(url), "签发使用权证")
        self.client.force_login(self.user_org_scoped)
        self.assertNotContains(self.client.get(url), "签发使用权证")
