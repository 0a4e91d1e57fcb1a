"""Generic test cases: declare a model's data, get its page and API tests (NetBox-style)."""

from .api import APITestCases
from .views import ViewTestCases

__all__ = ["APITestCases", "ViewTestCases"]
