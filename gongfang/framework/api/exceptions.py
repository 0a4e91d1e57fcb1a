"""Errors as API clients read them: field keys kept, messages in Chinese, 400 not 500.

Services raise Django's ``ValidationError`` and ``PermissionDenied``; :func:`as_api_error` turns
the former into DRF's ``ValidationError`` with the serializer's field names (keys the serializer
does not write go under ``non_field_errors``, prefixed with the field's name), and
:func:`exception_handler` catches any that escape a view. DRF's own messages ("Not found.",
"No Room matches the given query.", "Method "PATCH" not allowed.", "JSON parse error - …",
"Request was throttled. Expected available in 5 seconds.", …) are English or a bare phrase; the
handler gives each in Chinese, naming the object, method or header involved. Errors outside DRF's
views (unknown addresses under /api/, server errors) are framework/views/errors.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from ..text import is_chinese


def _field_label(model: type[models.Model] | None, name: str) -> str:
    if model is None:
        return name
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def as_api_error(
    exc: DjangoValidationError,
    *,
    fields: Iterable[str] = (),
    model: type[models.Model] | None = None,
) -> exceptions.ValidationError:
    """DRF's ValidationError for a service's Django ValidationError.

    ``fields``: the names the client wrote (the serializer's writable fields); errors on any other
    key are moved to ``non_field_errors`` with the field's label in front, so nothing is lost.
    """
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    writable = set(fields)
    detail: dict[str, list[str]] = {}
    if hasattr(exc, "error_dict"):
        for key, messages in exc.message_dict.items():
            if key in writable:
                detail.setdefault(key, []).extend(messages)
            elif key == NON_FIELD_ERRORS:
                detail.setdefault(non_field, []).extend(messages)
            else:
                label = _field_label(model, key)
                detail.setdefault(non_field, []).extend(f"{label}：{m}" for m in messages)
    else:
        detail[non_field] = list(exc.messages)
    return exceptions.ValidationError(detail)


def _model(view) -> type[models.Model] | None:
    queryset = getattr(view, "queryset", None)
    return queryset.model if queryset is not None else None


def _object_label(view) -> str:
    model = _model(view)
    return str(model._meta.verbose_name) if model is not None else "对象"


def _not_found(exc, view, request) -> str:
    lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", None)
    value = (getattr(view, "kwargs", None) or {}).get(lookup) if lookup else None
    # DRF answers 404 also for an unknown ?format= and a page past the end.
    formats = [r.format for r in getattr(view, "renderer_classes", [])]
    wanted = request.query_params.get(api_settings.URL_FORMAT_OVERRIDE)
    if wanted and wanted not in formats:
        return f"不支持的返回格式 format=“{wanted}”，可用的格式：{'、'.join(formats)}。"
    page = request.query_params.get("page")
    if value is None and page is not None:
        return f"{_object_label(view)}列表没有第“{page}”页，请从第 1 页起翻页。"
    if value is not None:
        return f"没有找到编号为“{value}”的{_object_label(view)}，或其不在您的管辖范围内。"
    if _model(view) is not None:
        return f"没有找到所请求的{_object_label(view)}，或其不在您的管辖范围内。"
    return f"没有找到“{request.path}”所指的内容。"


def _permission_denied(exc, view, request) -> str:
    if str(exc.detail).startswith("CSRF Failed"):
        return (
            "CSRF 校验失败，未执行：以登录会话调用接口时，修改类请求须在请求头 X-CSRFToken 中"
            "给出 CSRF 令牌（或改用接口令牌：Authorization: Token <令牌>）。"
        )
    return f"您没有权限对{_object_label(view)}执行此操作（{request.method} {request.path}）。"


def _method_not_allowed(exc, view, request) -> str:
    allowed = "、".join(
        m for m in getattr(view, "allowed_methods", []) if m not in ("HEAD", "OPTIONS")
    )
    return f"接口“{request.path}”不支持 {request.method} 请求，可用的方法：{allowed or '无'}。"


def _unsupported_media_type(exc, view, request) -> str:
    return (
        f"不支持请求体的内容类型“{request.content_type or '未声明'}”，"
        "请以 application/json（上传文件用 multipart/form-data）提交。"
    )


def _not_acceptable(exc, view, request) -> str:
    accept = request.META.get("HTTP_ACCEPT", "")
    return f"无法按请求头 Accept 所要求的格式“{accept}”返回结果，请接受 application/json。"


JSON_POSITION = re.compile(r"line (\d+) column (\d+)")


def _parse_error(exc, view, request) -> str:
    position = JSON_POSITION.search(str(exc.detail))
    if position:
        line, column = position.groups()
        return f"请求体不是有效的 JSON：第 {line} 行第 {column} 列附近有误，请检查格式。"
    return f"无法解析请求体（内容类型“{request.content_type or '未声明'}”），请检查格式。"


def _throttled(exc, view, request) -> str:
    if exc.wait is None:
        return f"请求过于频繁（{request.path}），请稍后再试。"
    return f"请求过于频繁（{request.path}），请在 {math.ceil(exc.wait)} 秒后再试。"


def _not_authenticated(exc, view, request) -> str:
    return (
        "尚未登录：请在请求头 Authorization 中给出接口令牌（Authorization: Token <令牌>），"
        "或先登录本系统。"
    )


def _authentication_failed(exc, view, request) -> str:
    return "身份认证失败：接口令牌或登录信息无效。"


def _server_error(exc, view, request) -> str:
    return f"处理请求时出错（{request.method} {request.path}），请稍后重试。"


# DRF's exceptions whose text (when it is DRF's, not ours) is replaced, most specific first.
Messages = Callable[[exceptions.APIException, object, object], str]
CHINESE_MESSAGES: list[tuple[type[exceptions.APIException], Messages, bool]] = [
    # (exception, Chinese message, replace even a Chinese text: DRF's own translation)
    (exceptions.NotFound, _not_found, False),
    (exceptions.NotAuthenticated, _not_authenticated, True),
    (exceptions.AuthenticationFailed, _authentication_failed, False),
    (exceptions.PermissionDenied, _permission_denied, False),
    (exceptions.MethodNotAllowed, _method_not_allowed, True),
    (exceptions.UnsupportedMediaType, _unsupported_media_type, True),
    (exceptions.NotAcceptable, _not_acceptable, True),
    (exceptions.ParseError, _parse_error, True),
    (exceptions.Throttled, _throttled, True),
]


# DRF's texts besides a kind's default_detail (lazy: compared in the request's language).
DRF_TEXTS = {
    exceptions.NotFound: (
        exceptions.NotFound.default_detail,
        PageNumberPagination.invalid_page_message,
    ),
}


def _replacement(exc: exceptions.APIException) -> Messages | None:
    """The Chinese message for ``exc``, when its text is DRF's (or a framework's English) one."""
    for kind, message, always in CHINESE_MESSAGES:
        if isinstance(exc, kind):
            drf_texts = DRF_TEXTS.get(kind, (kind.default_detail,))
            drf_text = exc.detail in {str(text) for text in drf_texts}
            return message if always or drf_text or not is_chinese(exc.detail) else None
    return None if is_chinese(exc.detail) else _server_error


def _in_chinese(exc: exceptions.APIException, context) -> exceptions.APIException:
    """The same exception with a Chinese text where DRF's (or Django's) would be shown."""
    if not isinstance(exc.detail, str):
        return exc  # field errors: DRF's translated messages and ours
    message = _replacement(exc)
    if message is not None:
        text = message(exc, context.get("view"), context["request"])
        exc.detail = exceptions.ErrorDetail(text, code=getattr(exc.detail, "code", None))
    return exc


def exception_handler(exc, context):
    """DRF's handler, plus Django ``ValidationError`` (from a service) as a 400, in Chinese."""
    if isinstance(exc, DjangoValidationError):
        exc = as_api_error(exc, model=_model(context.get("view")))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    if not isinstance(exc, exceptions.APIException):
        return None  # a server error: Django's handler500 (framework/views/errors.py)
    return drf_exception_handler(_in_chinese(exc, context), context)
