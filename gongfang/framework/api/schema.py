"""The OpenAPI description in Chinese: tags, summaries, the id parameter, the token scheme."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from .permissions import view_model

# Summaries of the generated OpenAPI operations, by viewset action.
SUMMARIES = {
    "list": "{name}列表",
    "retrieve": "查看{name}",
    "create": "新建{name}",
    "update": "修改{name}",
    "partial_update": "修改{name}（部分字段）",
    "destroy": "删除{name}",
}


class ObjectSchema(AutoSchema):
    """OpenAPI in Chinese: one tag per model, summaries by action, the id described."""

    def get_tags(self) -> list[str]:
        model = view_model(self.view)
        return [str(model._meta.verbose_name)] if model is not None else super().get_tags()

    def get_summary(self) -> str | None:
        model = view_model(self.view)
        template = SUMMARIES.get(getattr(self.view, "action", None) or "")
        if model is None or template is None:
            return super().get_summary()
        return template.format(name=model._meta.verbose_name)

    def get_override_parameters(self) -> list[Any]:
        model = view_model(self.view)
        # drf-spectacular shows the ``pk`` path variable as ``id``.
        lookup = next((name for name in ("id", "pk") if f"{{{name}}}" in self.path), None)
        if model is None or lookup is None:
            return super().get_override_parameters()
        return [
            *super().get_override_parameters(),
            OpenApiParameter(
                lookup,
                OpenApiTypes.INT,
                OpenApiParameter.PATH,
                description=f"{model._meta.verbose_name}编号",
            ),
        ]
