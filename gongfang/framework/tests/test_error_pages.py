"""Errors as users and API clients see them with DEBUG off: Chinese pages and Chinese JSON, never
a traceback, Django's URL list or one of DRF's English messages (issue 9, point 1)."""

from __future__ import annotations

import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path, reverse
from rest_framework.test import APIClient

from ... import urls as project_urls
from ...accounts.roles import Role
from ...registry.tests import factories as f
from ...registry.tests.world import make_user

ROOT = Path(settings.BASE_DIR)
# What Django's debug pages and DRF's defaults say; none of it may reach a user.
LEAKS = (
    "Traceback",
    "Using the URLconf",
    "Page not found",
    "Server Error",
    "matches the given query",
    "Not found.",
    "not allowed",
    "JSON parse error",
    "Unsupported media type",
    "throttled",
    "Authentication credentials",
    "CSRF Failed",
    "CSRF verification",
    "Forbidden",
)


def boom(request) -> HttpResponse:
    raise RuntimeError("an unexpected bug")


def forbidden(request) -> HttpResponse:
    raise PermissionDenied("您的角色不能查看本测试页面。")


# A URL map with failing views among the pages and under /api/ (this module is the ROOT_URLCONF
# of the tests that use it, so it carries the project's handlers).
urlpatterns = [
    path("boom/", boom),
    path("api/boom/", boom),
    path("forbidden/", forbidden),
    path("api/forbidden/", forbidden),
    *project_urls.urlpatterns,
]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500


def assert_clean(text: str) -> None:
    for leak in LEAKS:
        assert leak not in text, f"{leak!r} in {text[:3000]}"


def detail(response) -> str:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert set(body) == {"detail"}, body
    assert_clean(body["detail"])
    return body["detail"]


# Settings ------------------------------------------------------------------------------------
def settings_with(monkeypatch, **env: str) -> dict:
    for name in ("DEBUG", "ALLOWED_HOSTS", "TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gongfang" / "settings.py"))


def test_debug_is_off_unless_a_developer_turns_it_on(monkeypatch):
    plain = settings_with(monkeypatch)
    assert plain["DEBUG"] is False
    assert {"127.0.0.1", "localhost", "testserver"} <= set(plain["ALLOWED_HOSTS"])
    assert plain["TRUSTED_PROXIES"] == []
    assert settings_with(monkeypatch, DEBUG="1")["DEBUG"] is True
    assert settings_with(monkeypatch, DEBUG="0")["DEBUG"] is False
    proxies = settings_with(monkeypatch, TRUSTED_PROXIES="10.0.0.5, 192.168.1.0/24")
    assert proxies["TRUSTED_PROXIES"] == ["10.0.0.5", "192.168.1.0/24"]


# Pages ---------------------------------------------------------------------------------------
@pytest.fixture
def bureau(db):
    return make_user("bureau_x", [Role.BUREAU_ADMIN], scope_region=f.RegionFactory())


def test_unknown_page_is_the_chinese_404_without_the_url_list(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "没有找到您要访问的内容" in text and "公房管理系统" in text
    assert_clean(text)


def test_missing_object_page_names_what_is_missing(bureau):
    client = Client()
    client.force_login(bureau)
    response = client.get(reverse("registry:room", args=[999999]))
    assert response.status_code == 404
    text = response.content.decode()
    assert "没有找到该房间" in text
    assert "工作台" in text and "退出登录" in text  # the site's layout, signed in
    assert_clean(text)


@override_settings(ROOT_URLCONF=__name__)
def test_forbidden_page_says_why_in_chinese(bureau):
    client = Client()
    client.force_login(bureau)
    response = client.get("/forbidden/")
    assert response.status_code == 403
    text = response.content.decode()
    assert "您的角色不能查看本测试页面。" in text and "退出登录" in text
    assert_clean(text)
    api = client.get("/api/forbidden/")
    assert api.status_code == 403 and detail(api) == "您的角色不能查看本测试页面。"
    # Without a message of ours, the page's own.
    response = client.get(reverse("framework:objectchange_list"))
    assert response.status_code == 403
    assert "您的角色不包含此项操作。" in response.content.decode()


def test_bad_host_is_the_chinese_400(db):
    response = Client().get("/accounts/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    text = response.content.decode()
    assert "请求无效" in text and "访问地址中的主机名不是本站的地址" in text
    assert_clean(text)
    api = Client().get("/api/", HTTP_HOST="evil.example")
    assert api.status_code == 400
    assert detail(api).startswith("访问地址中的主机名不是本站的地址")


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024 * 1024)
def test_oversized_body_says_the_limit(api):
    body = '{"name": "' + "x" * (1024 * 1024) + '"}'
    response = api.post(
        reverse("api:registry:room-list"), data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert detail(response) == "提交的内容过大：表单或接口请求体（不含上传的文件）不能超过 1 MB。"
    page = Client().post(reverse("accounts:login"), {"username": "x" * (1024 * 1024)})
    assert page.status_code == 400
    assert "提交的内容过大" in page.content.decode()


def test_form_without_csrf_token_is_the_chinese_403(db):
    response = Client(enforce_csrf_checks=True).post(
        reverse("accounts:login"), {"username": "x", "password": "y"}
    )
    assert response.status_code == 403
    text = response.content.decode()
    assert "页面已过期，表单未提交" in text
    assert_clean(text)


def test_form_from_another_origin_is_the_chinese_403(db):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("accounts:login")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(
        reverse("accounts:login"),
        {"username": "x", "password": "y", "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    text = response.content.decode()
    assert "请求来源与本站地址不符，表单未提交" in text and "CSRF_TRUSTED_ORIGINS" in text
    assert_clean(text)


@override_settings(ROOT_URLCONF=__name__)
def test_server_error_is_the_chinese_500_without_traceback(db, caplog):
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "系统出现错误" in text and "an unexpected bug" not in text
    assert_clean(text)
    # The operator reads the traceback in the log instead.
    assert any(r.exc_info and "an unexpected bug" in str(r.exc_info[1]) for r in caplog.records)


@override_settings(ROOT_URLCONF=__name__)
def test_api_server_error_is_chinese_json(db):
    response = Client(raise_request_exception=False).get("/api/boom/")
    assert response.status_code == 500
    assert "服务器处理请求时出错（GET /api/boom/）" in detail(response)


# API -----------------------------------------------------------------------------------------
@pytest.fixture
def api(bureau) -> APIClient:
    client = APIClient()
    client.force_login(bureau)
    return client


def test_unknown_api_address_is_json_404(api):
    response = api.get("/api/registry/no-such-things/")
    assert response.status_code == 404
    assert detail(response) == "接口地址“/api/registry/no-such-things/”不存在，可用的接口见 /api/。"
    assert Client().get("/api/nothing/here/").status_code == 404


def test_missing_object_names_model_and_id(api):
    response = api.get(reverse("api:registry:room-detail", args=[999999]))
    assert response.status_code == 404
    assert detail(response) == "没有找到编号为“999999”的房间，或其不在您的管辖范围内。"


def test_page_past_the_end_and_unknown_format(api):
    url = reverse("api:registry:room-list")
    response = api.get(url, {"page": 999})
    assert response.status_code == 404
    assert detail(response) == "房间列表没有第“999”页，请从第 1 页起翻页。"
    response = api.get(url, {"format": "xml"})
    assert response.status_code == 404
    assert detail(response) == "不支持的返回格式 format=“xml”，可用的格式：json、api。"
    response = api.get(url, HTTP_ACCEPT="application/xml")
    assert response.status_code == 406
    assert detail(response).startswith("无法按请求头 Accept 所要求的格式“application/xml”")


def test_our_own_not_found_message_is_kept(api):
    response = api.get(reverse("api:standards:effective"), {"region": "999999"})
    assert response.status_code == 404
    assert detail(response) == "没有找到该区划，或其不在您的管辖范围内。"


def test_method_not_allowed_names_the_methods(api):
    response = api.delete(reverse("api:root"))
    assert response.status_code == 405
    assert detail(response) == "接口“/api/”不支持 DELETE 请求，可用的方法：GET。"


def test_unsupported_media_type(api):
    response = api.post(reverse("api:registry:room-list"), data="a=1", content_type="text/plain")
    assert response.status_code == 415
    assert detail(response).startswith("不支持请求体的内容类型“text/plain”")


def test_malformed_json_says_where(api):
    response = api.post(
        reverse("api:registry:room-list"), data='{"name": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert detail(response) == "请求体不是有效的 JSON：第 1 行第 10 列附近有误，请检查格式。"


def test_not_signed_in(db):
    response = APIClient().get(reverse("api:registry:room-list"))
    assert response.status_code == 401
    assert detail(response).startswith("尚未登录")


def test_throttled_says_when_to_retry(db):
    client = APIClient(REMOTE_ADDR="10.77.0.1")
    for _ in range(10):
        client.post(reverse("api:token"), {"username": "x", "password": "y"}, format="json")
    response = client.post(reverse("api:token"), {"username": "x", "password": "y"}, format="json")
    assert response.status_code == 429
    text = detail(response)
    assert text.startswith("请求过于频繁（/api/token/），请在 ") and text.endswith(" 秒后再试。")
    assert int(response["Retry-After"]) > 0


def test_session_api_write_without_csrf_token_is_chinese(bureau):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(bureau)
    response = client.post(reverse("api:registry:room-list"), {}, format="json")
    assert response.status_code == 403
    assert detail(response).startswith("CSRF 校验失败")


def test_field_errors_stay_field_errors(api):
    response = api.post(reverse("api:registry:room-list"), {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert "detail" not in body and body  # field -> messages, as before


# Database outage -----------------------------------------------------------------------------
OUTAGE_SCRIPT = """
import json, django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
client.cookies["sessionid"] = "x" * 32  # any session: reading it needs the database
out = {}
for url in ("/", "/rooms/", "/api/registry/rooms/"):
    r = client.get(url)
    out[url] = [r.status_code, r["Content-Type"], r.content.decode()]
r = client.post("/api/token/", {"username": "a", "password": "b"}, content_type="application/json")
out["token"] = [r.status_code, r["Content-Type"], r.content.decode()]
print(json.dumps(out, ensure_ascii=False))
"""


def closed_port_url() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"postgres://gongfang:s3cret-pw@127.0.0.1:{port}/gongfang"


def test_requests_during_a_database_outage_get_the_chinese_page():
    env = {
        **os.environ,
        "DATABASE_URL": closed_port_url(),
        "DJANGO_SETTINGS_MODULE": "gongfang.settings",
    }
    env.pop("DEBUG", None)
    result = subprocess.run(
        [sys.executable, "-c", OUTAGE_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout)
    status, content_type, body = out["/"]
    assert status == 503 and content_type.startswith("text/html")
    assert "系统暂时无法服务" in body and "数据库暂时无法访问" in body
    assert_clean(body)
    assert out["/rooms/"][0] == 503
    for key in ("/api/registry/rooms/", "token"):
        status, content_type, body = out[key]
        assert status == 503 and content_type == "application/json", out[key]
        assert json.loads(body) == {"detail": "数据库暂时无法访问，请求未处理，请稍后重试。"}
    assert "s3cret-pw" not in result.stdout + result.stderr


def test_check_database_refuses_with_a_chinese_message():
    url = closed_port_url()
    port = url.rsplit(":", 1)[1].split("/")[0]
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "gongfang.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check_database"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"数据库无法连接，公房管理系统未启动：PostgreSQL 数据库“gongfang”（127.0.0.1:{port}，用户 gongfang）。"
    ), result.stderr
    assert "s3cret-pw" not in result.stderr and "Traceback" not in result.stderr
