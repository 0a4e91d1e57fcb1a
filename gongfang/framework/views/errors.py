"""Error answers in Chinese (gongfang/urls.py handler400/403/404/500).

Pages get the templates 400/403/404/500.html; addresses under /api/ get JSON in DRF's shape
(``{"detail": "…"}``), whether or not a DRF view was reached (an unknown address, a database that
fails in the session middleware). A message raised by our code (Chinese) is shown as it is;
Django's English ones never are. The 500 page is rendered without the request: no database, no
account, no context processor can fail a second time.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, reverse

from ..text import is_chinese

DATABASE_DOWN = (OperationalError, InterfaceError)


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(reverse("api:root"))


def api_error(detail: str, status: int) -> JsonResponse:
    return JsonResponse(
        {"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _our_message(exception: BaseException | None) -> str | None:
    """The exception's message when our code wrote it (Chinese), else None."""
    if exception is None or isinstance(exception, Resolver404) or not exception.args:
        return None
    message = exception.args[0]
    return message if isinstance(message, str) and is_chinese(message) else None


def _bad_request_message(exception: BaseException) -> str | None:
    """What was wrong, for the refusals Django itself makes (their texts are English)."""
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
        return f"提交的内容过大：表单或接口请求体（不含上传的文件）不能超过 {limit:g} MB。"
    if isinstance(exception, TooManyFieldsSent):
        return f"提交的字段过多：一次最多 {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} 个。"
    if isinstance(exception, DisallowedHost):
        return "访问地址中的主机名不是本站的地址，请使用系统管理员告知的网址访问。"
    return None


def bad_request(request: HttpRequest, exception: BaseException) -> HttpResponse:
    message = _bad_request_message(exception)
    if is_api_request(request):
        return api_error(
            message or f"请求无效（{request.method} {request.path}），请检查请求头和参数后重试。",
            400,
        )
    # Without the request, as Django does: the host or body that was refused is not read again.
    html = loader.get_template("400.html").render({"message": message})
    return HttpResponseBadRequest(html)


def permission_denied(request: HttpRequest, exception: BaseException) -> HttpResponse:
    message = _our_message(exception)
    if is_api_request(request):
        return api_error(message or f"您没有权限访问“{request.path}”。", 403)
    return render(request, "403.html", {"message": message}, status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF refusal (``CSRF_FAILURE_VIEW``): a wrong origin (a proxy or
    ``CSRF_TRUSTED_ORIGINS`` to fix) told apart from a missing or stale token (reload the form).
    Pages only: DRF's views under /api/ check CSRF themselves (exceptions.py)."""
    wrong_origin = reason.startswith(("Origin checking failed", "Referer checking failed"))
    return render(request, "403_csrf.html", {"wrong_origin": wrong_origin}, status=403)


def page_not_found(request: HttpRequest, exception: BaseException) -> HttpResponse:
    message = _our_message(exception)
    if is_api_request(request):
        if isinstance(exception, Resolver404):
            message = f"接口地址“{request.path}”不存在，可用的接口见 {reverse('api:root')}。"
        return api_error(message or f"没有找到“{request.path}”所指的内容。", 404)
    return render(request, "404.html", {"message": message}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 while the database is unreachable (Django calls this inside its ``except``)."""
    outage = isinstance(sys.exc_info()[1], DATABASE_DOWN)
    status = 503 if outage else 500
    if is_api_request(request):
        if outage:
            return api_error("数据库暂时无法访问，请求未处理，请稍后重试。", status)
        return api_error(
            f"服务器处理请求时出错（{request.method} {request.path}），请稍后重试；"
            "如问题持续，请联系系统管理员。",
            status,
        )
    html = loader.get_template("500.html").render({"outage": outage})
    return HttpResponse(html, status=status)
