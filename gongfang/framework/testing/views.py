"""Generic page tests: list, detail, create, edit, delete — anonymous, without permission, with
permission and out of scope — for any model that declares its :class:`ModelTestData`."""

from __future__ import annotations

from decimal import Decimal

from django.test import TestCase
from django.urls import reverse

from ..models import ObjectChange
from .base import ModelTestData, post_data


def _url(model, suffix: str, *args) -> str:
    return reverse(f"{model._meta.app_label}:{model._meta.model_name}{suffix}", args=args)


def _href(obj) -> str:
    return f'href="{obj.get_absolute_url()}"'


def _same(a, b) -> bool:
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except ArithmeticError:
        return str(a) == str(b)


class ViewTestCases:
    class ListViewTestCase(ModelTestData, TestCase):
        def test_list_anonymous_redirects_to_login(self):
            response = self.client.get(_url(self.model, "_list"))
            self.assertEqual(response.status_code, 302)
            self.assertIn(reverse("accounts:login"), response["Location"])

        def test_list_without_permission_is_forbidden(self):
            self.client.force_login(self.user_no_role)
            self.assertEqual(self.client.get(_url(self.model, "_list")).status_code, 403)

        def test_list_shows_only_scope(self):
            self.client.force_login(self.user_with_perm)
            response = self.client.get(_url(self.model, "_list"))
            self.assertEqual(response.status_code, 200)
            content = response.content.decode()
            self.assertIn(_href(self.in_scope_object()), content)
            self.assertNotIn(_href(self.out_of_scope_object()), content)

        def test_list_org_scoped_account(self):
            user = getattr(self, "user_org_scoped", None)
            if user is None:
                self.skipTest("no organization-scoped account declared")
            self.client.force_login(user)
            content = self.client.get(_url(self.model, "_list")).content.decode()
            self.assertIn(_href(self.in_scope_object()), content)
            self.assertNotIn(_href(self.out_of_scope_object()), content)

        def test_list_search_and_sort(self):
            self.client.force_login(self.user_with_perm)
            response = self.client.get(
                _url(self.model, "_list"), {"q": "不存在的名称zzz", "sort": "-id"}
            )
            self.assertEqual(response.status_code, 200)
            self.assertNotIn(_href(self.in_scope_object()), response.content.decode())

    class DetailViewTestCase(ModelTestData, TestCase):
        def test_detail_anonymous_redirects_to_login(self):
            response = self.client.get(self.in_scope_object().get_absolute_url())
            self.assertEqual(response.status_code, 302)

        def test_detail_without_permission_is_forbidden(self):
            self.client.force_login(self.user_no_role)
            response = self.client.get(self.in_scope_object().get_absolute_url())
            self.assertEqual(response.status_code, 403)

        def test_detail_in_scope(self):
            self.client.force_login(self.user_view_only)
            response = self.client.get(self.in_scope_object().get_absolute_url())
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "变更记录")

        def test_detail_out_of_scope_is_404(self):
            self.client.force_login(self.user_with_perm)
            response = self.client.get(self.out_of_scope_object().get_absolute_url())
            self.assertEqual(response.status_code, 404)

        def test_detail_unknown_id_is_404(self):
            self.client.force_login(self.user_with_perm)
            self.assertEqual(self.client.get(_url(self.model, "", 987654321)).status_code, 404)

    class CreateViewTestCase(ModelTestData, TestCase):
        def test_create_anonymous_redirects_to_login(self):
            response = self.client.post(_url(self.model, "_add"), self.create_data())
            self.assertEqual(response.status_code, 302)
            self.assertIn(reverse("accounts:login"), response["Location"])

        def test_create_without_permission_is_forbidden(self):
            self.client.force_login(self.user_view_only)
            before = self.model.objects.count()
            self.assertEqual(self.client.get(_url(self.model, "_add")).status_code, 403)
            self.assertEqual(
                self.client.post(_url(self.model, "_add"), self.create_data()).status_code, 403
            )
            self.assertEqual(self.model.objects.count(), before)

        def test_create_with_permission(self):
            self.client.force_login(self.user_with_perm)
            self.assertEqual(self.client.get(_url(self.model, "_add")).status_code, 200)
            before = set(self.model.objects.values_list("pk", flat=True))
            response = self.client.post(_url(self.model, "_add"), self.create_data())
            self.assertEqual(
                response.status_code,
                302,
                getattr(response, "context", None)
                and response.context.get("form")
                and response.context["form"].errors,
            )
            created = self.model.objects.exclude(pk__in=before).get()
            change = self.changes(created, ObjectChange.Action.CREATE).get()
            self.assertEqual(change.user, self.user_with_perm)
            self.assertIsNotNone(change.request_id)

        def test_create_out_of_scope_is_refused(self):
            self.client.force_login(self.user_with_perm)
            before = self.model.objects.count()
            response = self.client.post(_url(self.model, "_add"), self.create_data(in_scope=False))
            self.assertEqual(response.status_code, 200)
            self.assertTrue(response.context["form"].errors)
            self.assertEqual(self.model.objects.count(), before)

    class EditViewTestCase(ModelTestData, TestCase):
        def test_edit_anonymous_redirects_to_login(self):
            obj = self.in_scope_object()
            response = self.client.post(
                _url(self.model, "_edit", obj.pk), post_data(obj, self.update_data())
            )
            self.assertEqual(response.status_code, 302)
            self.assertIn(reverse("accounts:login"), response["Location"])

        def test_edit_without_permission_is_forbidden(self):
            self.client.force_login(self.user_view_only)
            obj = self.in_scope_object()
            response = self.client.post(
                _url(self.model, "_edit", obj.pk), post_data(obj, self.update_data())
            )
            self.assertEqual(response.status_code, 403)

        def test_edit_with_permission_logs_before_and_after(self):
            self.client.force_login(self.user_with_perm)
            obj = self.in_scope_object()
            self.assertEqual(self.client.get(_url(self.model, "_edit", obj.pk)).status_code, 200)
            changes = self.update_data()
            response = self.client.post(_url(self.model, "_edit", obj.pk), post_data(obj, changes))
            self.assertEqual(
                response.status_code, 302, response.context and response.context["form"].errors
            )
            obj.refresh_from_db()
            change = self.changes(obj, ObjectChange.Action.UPDATE).get()
            for name, value in changes.items():
                field = self.model._meta.get_field(name)
                self.assertTrue(_same(getattr(obj, field.attname), value), name)
                self.assertTrue(_same(change.postchange_data[name], value), name)
                self.assertFalse(_same(change.prechange_data[name], value), name)

        def test_edit_out_of_scope_is_404(self):
            self.client.force_login(self.user_with_perm)
            obj = self.out_of_scope_object()
            self.assertEqual(self.client.get(_url(self.model, "_edit", obj.pk)).status_code, 404)
            response = self.client.post(
                _url(self.model, "_edit", obj.pk), post_data(obj, self.update_data())
            )
            self.assertEqual(response.status_code, 404)

    class DeleteViewTestCase(ModelTestData, TestCase):
        def test_delete_anonymous_redirects_to_login(self):
            obj = self.deletable_object()
            self.assertEqual(self.client.post(_url(self.model, "_delete", obj.pk)).status_code, 302)
            self.assertTrue(self.model.objects.filter(pk=obj.pk).exists())

        def test_delete_without_permission_is_forbidden(self):
            obj = self.deletable_object()
            self.client.force_login(self.user_view_only)
            self.assertEqual(self.client.post(_url(self.model, "_delete", obj.pk)).status_code, 403)
            self.assertTrue(self.model.objects.filter(pk=obj.pk).exists())

        def test_delete_with_permission(self):
            obj = self.deletable_object()
            self.client.force_login(self.user_with_perm)
            self.assertEqual(self.client.get(_url(self.model, "_delete", obj.pk)).status_code, 200)
            self.assertEqual(self.client.post(_url(self.model, "_delete", obj.pk)).status_code, 302)
            self.assertFalse(self.model.objects.filter(pk=obj.pk).exists())
            self.assertEqual(self.changes(obj, ObjectChange.Action.DELETE).count(), 1)

        def test_delete_out_of_scope_is_404(self):
            self.client.force_login(self.user_with_perm)
            obj = self.out_of_scope_object()
            self.assertEqual(self.client.post(_url(self.model, "_delete", obj.pk)).status_code, 404)
            self.assertTrue(self.model.objects.filter(pk=obj.pk).exists())

    class PrimaryObjectViewTestCase(
        ListViewTestCase,
        DetailViewTestCase,
        CreateViewTestCase,
        EditViewTestCase,
        DeleteViewTestCase,
    ):
        """All page tests of one model."""
