"""Web hardening: CSRF, Content-Security-Policy without inline script, frame and referrer
headers, upload limits, and production settings that pass ``check --deploy``."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from ...registry.tests.world import build_world, make_user
from ..roles import Role
from ..validators import validate_upload_content, validate_upload_size
from .conftest import browser, make_account

ROOT = Path(__file__).resolve().parents[3]

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    result = {}
    for part in header.split(";"):
        name, *values = part.split()
        result[name] = values
    return result


@pytest.mark.django_db
def test_csp_without_inline_script_on_every_main_page():
    world = build_world()
    bureau = make_user("bureau_a", [Role.BUREAU_ADMIN], scope_region=world.a.region)
    client = Client()
    client.force_login(bureau)
    pages = [
        reverse("home"),
        reverse("registry:room_list"),
        world.a.room.get_absolute_url(),
        reverse("registry:room_edit", args=[world.a.room.pk]),
        reverse("accounts:password_change"),
        reverse("accounts:otp"),
        reverse("accounts:otp_enroll"),
        reverse("accounts:sessions"),
        reverse("accounts:tokens"),
        reverse("api:docs"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        csp = policy(response)
        assert csp["script-src"] == ["'self'"], url
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert "'unsafe-eval'" not in response["Content-Security-Policy"]
        assert csp["img-src"] == ["'self'", "data:"]
        assert csp["frame-ancestors"] == ["'none'"]
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), (url, INLINE_SCRIPT.search(html))
        assert not INLINE_HANDLER.search(html), (url, INLINE_HANDLER.search(html))
        assert not INLINE_STYLE.search(html), (url, INLINE_STYLE.search(html))
    anonymous = Client().get(reverse("accounts:login"))
    assert "script-src 'self'" in anonymous["Content-Security-Policy"]


@pytest.mark.django_db
def test_security_headers():
    response = Client().get(reverse("accounts:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
@pytest.mark.real_auth
def test_csrf_is_enforced_on_login_and_pages():
    make_account("unit1", Role.UNIT_ADMIN)
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "unit1", "password": "x"})
    assert response.status_code == 403
    page = client.get(reverse("accounts:login"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    from .conftest import PASSWORD

    response = client.post(
        reverse("accounts:login"),
        {"username": "unit1", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert client.post(reverse("accounts:tokens"), {"scope": "read", "days": 1}).status_code == 403
    assert client.post(reverse("accounts:logout")).status_code == 403


def test_session_and_csrf_cookies_are_http_only():
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_TIMEOUT == 30 * 60


# Uploads -------------------------------------------------------------------------------------
def test_upload_size_limit_is_a_setting():
    small = SimpleUploadedFile("plan.pdf", b"%PDF-1.7 " + b"x" * 100)
    validate_upload_size(small)
    with override_settings(UPLOAD_MAX_SIZE=50), pytest.raises(ValidationError) as exc:
        validate_upload_size(small)
    assert "文件过大" in exc.value.messages[0]


def test_upload_content_must_match_its_extension():
    validate_upload_content(SimpleUploadedFile("plan.png", b"\x89PNG\r\n\x1a\nrest"))
    validate_upload_content(SimpleUploadedFile("plan.jpg", b"\xff\xd8\xff\xe0rest"))
    with pytest.raises(ValidationError) as exc:
        validate_upload_content(SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 not a pdf"))
    assert exc.value.messages == ["文件内容与扩展名 .pdf 不符，请上传真实的 PDF 文件。"]


@pytest.mark.django_db
def test_oversized_request_bodies_are_refused():
    client = browser()
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024):
        response = client.post(reverse("accounts:login"), {"username": "x" * 4096, "password": "y"})
    assert response.status_code == 400


# Production settings -------------------------------------------------------------------------
def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    # A clean environment as in deployment (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE).
    unset = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG")
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "gongfang.settings_production", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "gongfang.example.gov.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

    missing = _run(["check", "--deploy"], {**env, "SECRET_KEY": ""})
    assert missing.returncode != 0
    assert "SECRET_KEY" in missing.stderr
