"""Generic API tests: list, retrieve, create, update, delete — anonymous, without permission, with
permission and out of scope — for any model that declares its :class:`ModelTestData`."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from ..models import ObjectChange
from .base import ModelTestData
from .views import _same


class APITestCases:
    class APIViewTestCase(ModelTestData, TestCase):
        client_class = APIClient

        def list_url(self) -> str:
            meta = self.model._meta
            return reverse(f"api:{meta.app_label}:{meta.model_name}-list")

        def detail_url(self, obj) -> str:
            meta = self.model._meta
            return reverse(f"api:{meta.app_label}:{meta.model_name}-detail", args=[obj.pk])

        def result_ids(self, response) -> set[int]:
            return {row["id"] for row in response.json()["results"]}

        # List / retrieve --------------------------------------------------------------------
        def test_api_list_anonymous_is_refused(self):
            self.assertIn(self.client.get(self.list_url()).status_code, (401, 403))

        def test_api_list_without_permission_is_forbidden(self):
            self.client.force_login(self.user_no_role)
            self.assertEqual(self.client.get(self.list_url()).status_code, 403)

        def test_api_list_shows_only_scope(self):
            self.client.force_login(self.user_view_only)
            response = self.client.get(self.list_url(), {"limit": 1000})
            self.assertEqual(response.status_code, 200)
            ids = self.result_ids(response)
            self.assertIn(self.in_scope_object().pk, ids)
            self.assertNotIn(self.out_of_scope_object().pk, ids)
            self.assertEqual(response.json()["count"], len(ids))

        def test_api_retrieve(self):
            self.client.force_login(self.user_view_only)
            obj = self.in_scope_object()
            response = self.client.get(self.detail_url(obj))
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.json()["id"], obj.pk)
            self.assertEqual(response.json()["display"], str(obj))

        def test_api_retrieve_out_of_scope_is_404(self):
            self.client.force_login(self.user_with_perm)
            self.assertEqual(
                self.client.get(self.detail_url(self.out_of_scope_object())).status_code, 404
            )

        # Create --------------------------------------------------------------------------------
        def test_api_create_without_permission_is_forbidden(self):
            self.client.force_login(self.user_view_only)
            before = self.model.objects.count()
            response = self.client.post(self.list_url(), self.create_data(), format="json")
            self.assertEqual(response.status_code, 403)
            self.assertEqual(self.model.objects.count(), before)

        def test_api_create_with_permission(self):
            self.client.force_login(self.user_with_perm)
            response = self.client.post(self.list_url(), self.create_data(), format="json")
            self.assertEqual(response.status_code, 201, response.content.decode())
            created = self.model.objects.get(pk=response.json()["id"])
            self.assertEqual(self.changes(created, ObjectChange.Action.CREATE).count(), 1)

        def test_api_create_out_of_scope_is_refused(self):
            self.client.force_login(self.user_with_perm)
            before = self.model.objects.count()
            response = self.client.post(
                self.list_url(), self.create_data(in_scope=False), format="json"
            )
            self.assertEqual(response.status_code, 400, response.content.decode())
            self.assertEqual(self.model.objects.count(), before)

        # Update --------------------------------------------------------------------------------
        def test_api_update_without_permission_is_forbidden(self):
            self.client.force_login(self.user_view_only)
            obj = self.in_scope_object()
            response = self.client.patch(self.detail_url(obj), self.update_data(), format="json")
            self.assertEqual(response.status_code, 403)

        def test_api_update_with_permission(self):
            self.client.force_login(self.user_with_perm)
            obj = self.in_scope_object()
            changes = self.update_data()
            response = self.client.patch(self.detail_url(obj), changes, format="json")
            self.assertEqual(response.status_code, 200, response.content.decode())
            obj.refresh_from_db()
            for name, value in changes.items():
                self.assertTrue(
                    _same(getattr(obj, self.model._meta.get_field(name).attname), value), name
                )
            self.assertEqual(self.changes(obj, ObjectChange.Action.UPDATE).count(), 1)

        def test_api_update_out_of_scope_is_404(self):
            self.client.force_login(self.user_with_perm)
            obj = self.out_of_scope_object()
            response = self.client.patch(self.detail_url(obj), self.update_data(), format="json")
            self.assertEqual(response.status_code, 404)

        # Delete --------------------------------------------------------------------------------
        def test_api_delete_without_permission_is_forbidden(self):
            obj = self.deletable_object()
            self.client.force_login(self.user_view_only)
            self.assertEqual(self.client.delete(self.detail_url(obj)).status_code, 403)
            self.assertTrue(self.model.objects.filter(pk=obj.pk).exists())

        def test_api_delete_with_permission(self):
            obj = self.deletable_object()
            self.client.force_login(self.user_with_perm)
            self.assertEqual(self.client.delete(self.detail_url(obj)).status_code, 204)
            self.assertFalse(self.model.objects.filter(pk=obj.pk).exists())
            self.assertEqual(self.changes(obj, ObjectChange.Action.DELETE).count(), 1)

        def test_api_delete_out_of_scope_is_404(self):
            self.client.force_login(self.user_with_perm)
            obj = self.out_of_scope_object()
            self.assertEqual(self.client.delete(self.detail_url(obj)).status_code, 404)
            self.assertTrue(self.model.objects.filter(pk=obj.pk).exists())
