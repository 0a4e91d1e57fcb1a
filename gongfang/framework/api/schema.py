"""The OpenAPI description in Chinese: tags, summaries, the id parameter, the token scheme."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from .. import naturalkeys
from ..versions import is_versioned
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
        parameters = [
            *super().get_override_parameters(),
            OpenApiParameter(
                lookup,
                OpenApiTypes.INT,
                OpenApiParameter.PATH,
                description=f"{model._meta.verbose_name}编号",
            ),
        ]
        # Writes through the model's service honour If-Match where the rows carry a version.
        if getattr(self.view, "action", None) in VERSIONED_WRITES and is_versioned(model):
            parameters.append(IF_MATCH)
        return parameters


VERSIONED_WRITES = frozenset({"update", "partial_update", "destroy"})
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        '所依据的版本：读取对象时响应头 ETag 的值（如 "3"）。版本已变则返回 412，不保存；'
        "不给出时按当前版本修改（系统设置可要求必须给出，否则返回 428）。"
    ),
)


# Error responses every operation may give, documented once for the whole API ----------------------
ERROR_COMPONENTS: dict[str, dict[str, Any]] = {
    "Error": {
        "type": "object",
        "description": "错误：detail 为中文说明。",
        "properties": {"detail": {"type": "string", "description": "中文说明"}},
        "required": ["detail"],
    },
    "ValidationError": {
        "type": "object",
        "description": (
            "输入有误：键为出错的字段名（或 non_field_errors、detail），值为该字段的中文错误说明列表。"
        ),
        "properties": {
            "detail": {"type": "string", "description": "整体说明（如请求体无法解析）"},
            "non_field_errors": {"type": "array", "items": {"type": "string"}},
        },
        # A field's messages; a nested list or object's own errors, by index or field.
        "additionalProperties": {"anyOf": [{"type": "array", "items": {}}, {"type": "object"}]},
    },
}
ERROR_DESCRIPTIONS = {
    "400": ("ValidationError", "输入有误（字段或查询参数的值不合法），未保存"),
    "401": ("Error", "未登录或令牌无效、已过期"),
    "403": ("Error", "账号的角色不允许此操作（或只读令牌用于修改）"),
    "404": ("Error", "对象不存在或不在账号的管辖范围内（列表：页码超出范围）"),
    "412": ("Error", "If-Match 所指版本不是当前版本：对象已被他人修改，未保存"),
    "428": ("Error", "系统要求修改时在 If-Match 中给出所依据的版本"),
    "429": ("Error", "请求过于频繁，请稍后再试"),
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def _error_codes(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    codes = ["401", "403", "429"]
    if method in WRITE_METHODS or operation.get("parameters"):
        codes.append("400")
    if "{" in path:
        codes.append("404")
    parameters = operation.get("parameters", [])
    if any(p.get("in") == "header" and p.get("name") == "If-Match" for p in parameters):
        codes += ["412", "428"]
    if method == "get" and any(p.get("name") in ("page", "format") for p in parameters):
        codes.append("404")  # a page past the last one; a format no renderer offers
    return list(dict.fromkeys(codes))


# Query parameters that are not filters: an empty value is as wrong as any other non-number.
PAGING = frozenset({"limit", "offset", "page", "page_size"})


def _empty_means_no_filter(parameter: dict[str, Any]) -> None:
    """An empty filter value (``?grade=``, as a page's filter form sends it) means "no filter":
    the schema admits it beside the typed values."""
    schema = parameter.get("schema", {})
    if parameter.get("in") != "query" or parameter.get("name") in PAGING:
        return
    if "enum" in schema:
        if "" not in schema["enum"]:
            schema["enum"].append("")
    elif schema.get("type") == "boolean":
        # The page's yes/no select sends "unknown" for "either".
        parameter["schema"] = {"anyOf": [schema, {"type": "string", "enum": ["", "unknown"]}]}
    elif "format" in schema or schema.get("type") in ("integer", "number"):
        parameter["schema"] = {"anyOf": [schema, {"type": "string", "enum": [""]}]}


def add_error_responses(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """drf-spectacular post-processing hook: every operation lists the errors it can answer,
    with their bodies, so a client (and a schema fuzzer) knows them all in advance."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in ERROR_COMPONENTS.items():
        schemas.setdefault(name, schema)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete", "head", "options"}:
                continue
            for parameter in operation.get("parameters", []):
                _empty_means_no_filter(parameter)
            responses = operation.setdefault("responses", {})
            # An error asked for in another format (``?format=csv``) comes as its plain text.
            other_types = {
                media
                for code, response in responses.items()
                if code.startswith("2")
                for media in response.get("content", {})
                if media != "application/json"
            }
            for code in _error_codes(path, method, operation):
                component, description = ERROR_DESCRIPTIONS[code]
                existing = responses.get(code)
                if existing is None or "content" not in existing:
                    content = {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/{component}"}
                        },
                        **{media: {"schema": {"type": "string"}} for media in sorted(other_types)},
                    }
                    responses[code] = {
                        "description": (existing or {}).get("description") or description,
                        "content": content,
                    }
    return result


class NaturalKeyReferenceExtension(OpenApiSerializerFieldExtension):
    """A writable foreign key takes the id, the target's code or a natural-key object
    (``gongfang.framework.naturalkeys``); answers still give the id."""

    target_class = "gongfang.framework.api.serializers.ScopedPrimaryKeyRelatedField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        queryset = getattr(self.target, "queryset", None)
        key = naturalkeys.natural_key_of(queryset.model) if queryset is not None else None
        if direction != "request" or key is None:
            return schema
        nullable = schema.pop("nullable", False)
        alternatives: list[dict[str, Any]] = [schema]
        if key.code is not None:
            alternatives.append({"type": "string", "description": key.described})
        alternatives.append(
            {
                "type": "object",
                "description": "自然键："
                + "、".join(key.fields)
                + "（其中的关联对象同样可用编号、代码或自然键）",
                "properties": {name: {} for name in key.fields},
                "required": list(key.fields),
                "additionalProperties": False,
            }
        )
        result: dict[str, Any] = {"oneOf": alternatives}
        if nullable:
            result["nullable"] = True
        return result
