"""What an integrating system meets: invalid query values refused, every error documented.

(The whole API is also fuzzed against its schema by ``scripts/api_fuzz.py``, run by CI.)
"""

from __future__ import annotations

import pytest
from django.test import TestCase
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from ...registry.tests.world import WorldMixin

ROOMS = "/api/registry/rooms/"
OCCUPANCIES = "/api/registry/occupancies/"


class QueryValueTests(WorldMixin, TestCase):
    def setUp(self):
        self.client = APIClient()
        self.client.force_login(self.user_with_perm)

    def test_paging_values_that_are_not_whole_numbers_in_range_are_400(self):
        for query in (
            "limit=true",
            "limit=0",
            "offset=false",
            "offset=-1",
            "page_size=null",
            "page=0",
            "limit=１０",
        ):
            response = self.client.get(f"{ROOMS}?{query}")
            assert response.status_code == 400, query
            name = query.split("=")[0]
            assert "整数" in response.json()[name][0], query

    def test_valid_paging_values_pass(self):
        for query in ("limit=5", "offset=0", "page=1", "page_size=10", "page=last"):
            assert self.client.get(f"{ROOMS}?{query}").status_code == 200, query

    def test_a_yes_no_filter_refuses_other_values(self):
        response = self.client.get(f"{OCCUPANCIES}?current=-1")
        assert response.status_code == 400
        assert "true 或 false" in response.json()["current"][0]
        for value in ("true", "false", ""):
            assert self.client.get(f"{OCCUPANCIES}?current={value}").status_code == 200
        # A "%" in the value once broke the refusal itself (500).
        response = self.client.get(f"{OCCUPANCIES}?current=%25s%25")
        assert response.status_code == 400
        assert "%s%" in response.json()["current"][0]

    def test_the_page_list_keeps_its_select_values(self):
        self.client.force_login(self.user_with_perm)
        url = reverse("registry:occupancy_list")
        for value in ("unknown", "true", "false"):
            response = self.client.get(f"{url}?current={value}")
            assert response.status_code == 200
            assert "只能是 true 或 false" not in response.content.decode()


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            yield path, method, op


def test_every_operation_documents_its_errors_with_a_body(schema):
    for path, method, op in operations(schema):
        responses = op["responses"]
        for code in ("401", "403", "429"):
            assert code in responses, (path, method, code)
            assert "application/json" in responses[code]["content"], (path, method, code)
        if "{" in path:
            assert "404" in responses, (path, method)
        if method in ("post", "put", "patch"):
            assert "400" in responses, (path, method)


def test_writes_of_versioned_objects_document_if_match_and_keep_their_success(schema):
    detail = schema["paths"]["/api/registry/rooms/{id}/"]
    for method, success in (("put", "200"), ("patch", "200"), ("delete", "204")):
        responses = detail[method]["responses"]
        assert success in responses, method
        assert "412" in responses and "428" in responses, method
        headers = [p["name"] for p in detail[method]["parameters"] if p["in"] == "header"]
        assert "If-Match" in headers, method


def test_an_unset_choice_is_in_the_schema(schema):
    mode = schema["components"]["schemas"]["Warning"]["properties"]["mode"]
    refs = [item.get("$ref", "") for item in mode.get("oneOf", [])]
    assert any(ref.endswith("/BlankEnum") for ref in refs), mode


class APIRootTests(WorldMixin, TestCase):
    def test_the_root_lists_every_endpoint_including_the_one_object_ones(self):
        client = APIClient()
        client.force_login(self.user_with_perm)
        root = client.get("/api/").json()
        entitlements = root["compliance"]["entitlements/persons"]
        assert entitlements.endswith("/api/compliance/entitlements/persons/{id}/")
        assert root["effective_standard"].endswith("/api/standards/effective/")
        assert root["registry"]["rooms"].endswith("/api/registry/rooms/")


def test_if_match_is_documented_only_where_rows_carry_a_version(schema):
    # A standard's rows use "version" for the standard version they belong to: no If-Match.
    limit = schema["paths"]["/api/standards/office-limits/{id}/"]
    for method in ("put", "patch", "delete"):
        headers = [p["name"] for p in limit[method].get("parameters", []) if p["in"] == "header"]
        assert "If-Match" not in headers, method
        assert "412" not in limit[method]["responses"], method
