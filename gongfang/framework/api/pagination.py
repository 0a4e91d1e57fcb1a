"""One pagination for the whole API: ``limit``/``offset`` or ``page``/``page_size``.

Either style answers with the same envelope, ``{count, next, previous, results}``; 50 rows by
default, at most 1,000. A request that names ``page`` or ``page_size`` (and neither ``limit`` nor
``offset``) pages by number, and its ``next``/``previous`` links keep that style.
"""

from __future__ import annotations

from rest_framework import pagination
from rest_framework.exceptions import ValidationError

DEFAULT_SIZE = 50
MAX_SIZE = 1000


# (query parameter, its Chinese name, its smallest value)
PARAMETERS = (
    ("limit", "每页条数 limit", 1),
    ("offset", "起始位置 offset", 0),
    ("page", "页码 page", 1),
    ("page_size", "每页条数 page_size", 1),
)


class _LimitOffset(pagination.LimitOffsetPagination):
    default_limit = DEFAULT_SIZE
    max_limit = MAX_SIZE
    limit_query_description = f"每页条数（默认 {DEFAULT_SIZE}，最多 {MAX_SIZE}）"
    offset_query_description = "从第几条开始（0 起）"


class _PageNumber(pagination.PageNumberPagination):
    page_size = DEFAULT_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_SIZE
    page_query_description = "页码（1 起；与 limit/offset 二选一）"
    page_size_query_description = f"每页条数（默认 {DEFAULT_SIZE}，最多 {MAX_SIZE}）"


class Pagination(pagination.BasePagination):
    """Chooses limit/offset or page-number paging per request; see the module docstring."""

    def __init__(self) -> None:
        self._impl: pagination.BasePagination = _LimitOffset()

    @staticmethod
    def _wants_page_numbers(request) -> bool:
        params = request.query_params
        by_page = "page" in params or "page_size" in params
        return by_page and "limit" not in params and "offset" not in params

    @staticmethod
    def check_parameters(request) -> None:
        """Refuse paging values that are not whole numbers in range (DRF would silently use
        its default for ``limit=true`` or ``offset=-1``)."""
        params = request.query_params
        errors: dict[str, list[str]] = {}
        for name, label, minimum in PARAMETERS:
            if name not in params:
                continue
            raw = params[name]
            if name == "page" and raw == "last":
                continue
            if not (raw.isascii() and raw.isdigit()) or int(raw) < minimum:
                errors[name] = [f"{label}须为不小于 {minimum} 的整数，收到“{raw[:40]}”。"]
        if errors:
            raise ValidationError(errors)

    def paginate_queryset(self, queryset, request, view=None):
        self.check_parameters(request)
        self._impl = _PageNumber() if self._wants_page_numbers(request) else _LimitOffset()
        return self._impl.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return self._impl.get_paginated_response(data)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return _LimitOffset().get_paginated_response_schema(schema)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = [
            *_LimitOffset().get_schema_operation_parameters(view),
            *_PageNumber().get_schema_operation_parameters(view),
        ]
        minimums = {name: minimum for name, _label, minimum in PARAMETERS}
        for parameter in parameters:
            if parameter["name"] in minimums:
                parameter["schema"]["minimum"] = minimums[parameter["name"]]
        return parameters

    # Browsable API controls.
    @property
    def display_page_controls(self) -> bool:
        return getattr(self._impl, "display_page_controls", False)

    def to_html(self) -> str:
        return self._impl.to_html()

    def get_results(self, data):
        return self._impl.get_results(data)
