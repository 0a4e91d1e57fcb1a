"""Ids and years taken from a query string or form are checked with ``framework.text.is_number``:
``str.isdigit`` says yes to "²" or "①", which ``int()`` and the database then refuse with a 500.

Each page below once answered such a value with a server error; now it ignores the value or
answers 404, never 500.
"""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from gongfang.registry.tests.world import WorldMixin

FORGED = ("²", "①", "٣")

# (URL name, kwargs, method, parameter names that take an id or a year)
PAGES = [
    ("maintenance:budget_comparison", {}, "get", ["year"]),
    ("maintenance:cost_comparison", {}, "get", ["year"]),
    ("inspections:finding_add", {}, "get", ["organization", "inspection", "room", "item"]),
    ("inspections:finding_onsite", {}, "get", ["inspection", "room", "item"]),
    ("inspections:referral_add", {}, "get", ["organization", "finding"]),
    ("inspections:referral_add", {}, "post", ["organization", "finding"]),
    ("workflow:case_create", {"kind": "allocation"}, "get", ["room", "building", "organization"]),
    ("workflow:notification_read", {}, "post", ["ids"]),
    ("titles:usecertificate_add", {}, "get", ["organization"]),
    ("titles:usecertificate_add", {}, "post", ["organization"]),
    ("vehicles:dispatch_board", {}, "get", ["organization"]),
    ("framework:holidayyear_list", {}, "get", ["q"]),
]


class ForgedQueryIdsTest(WorldMixin, TestCase):
    def test_no_page_answers_a_forged_number_with_a_server_error(self):
        for user in (self.user_with_perm, self.user_org_scoped):
            self.client.force_login(user)
            for name, kwargs, method, params in PAGES:
                url = reverse(name, kwargs=kwargs)
                for value in FORGED:
                    data = {param: value for param in params}
                    with self.subTest(user=user.username, page=name, method=method, value=value):
                        response = getattr(self.client, method)(url, data)
                        self.assertLess(response.status_code, 500)
