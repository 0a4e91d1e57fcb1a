"""The real server (issue 9, point 1): gunicorn with gongfang/gunicorn_conf.py against the test
database, DEBUG off, static files through whitenoise; it refuses to start without a database."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from ...accounts.roles import Role
from ...accounts.tests.conftest import PASSWORD, make_account

ROOT = Path(settings.BASE_DIR)
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))

pytestmark = [pytest.mark.real_auth, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def served_database_url() -> str:
    """The database this test run uses, as a URL for another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(db["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            pytest.skip("the SQLite test database is in memory: another process cannot open it")
        return f"sqlite:///{name}"
    auth = urllib.parse.quote(db["USER"], safe="")
    if db.get("PASSWORD"):
        auth += ":" + urllib.parse.quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "DJANGO_"))}
    env.pop("DEBUG", None)
    return {**env, "DJANGO_SETTINGS_MODULE": "gongfang.settings", **extra}


def production_env(**extra: str) -> dict[str, str]:
    return base_env(
        DJANGO_SETTINGS_MODULE="gongfang.settings_production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        **extra,
    )


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> Path:
    """collectstatic as production runs it (hashed names and a manifest beside the original
    names, compressed copies of both): what either settings module serves."""
    root = tmp_path_factory.mktemp("static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=production_env(DATABASE_URL="sqlite:///unused.sqlite3", STATIC_ROOT=str(root)),
        check=True,
        capture_output=True,
        timeout=300,
    )
    return root


@contextlib.contextmanager
def gunicorn(env: dict[str, str]) -> Iterator[str]:
    """gunicorn on a free port with our configuration; yields its base URL."""
    port = free_port()
    env = {
        **env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
        "GUNICORN_ACCESS_LOG": "",
    }
    process = subprocess.Popen(
        [GUNICORN, "--config", "gongfang/gunicorn_conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read()
            with contextlib.suppress(urllib.error.URLError):  # not listening yet
                Browser(follow=False).request(f"{base}/accounts/login/")
                break
            time.sleep(0.3)
        else:
            pytest.fail("gunicorn did not answer within 120 s")
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 3xx itself is the answer


class Browser:
    """urllib with cookies; answers (status, headers, body) also for 3xx (when not following),
    4xx and 5xx."""

    def __init__(self, follow: bool = True, **headers: str) -> None:
        self.jar = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.jar)]
        if not follow:
            handlers.append(NoRedirect())
        self.opener = urllib.request.build_opener(*handlers)
        self.headers = headers

    def request(self, url: str, data: dict | None = None, **headers: str):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, headers={**self.headers, **headers})
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()


def csrf_token(page: bytes) -> str:
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()


def test_gunicorn_serves_pages_and_static_files(static_root):
    env = base_env(DATABASE_URL=served_database_url(), STATIC_ROOT=str(static_root))
    user = make_account("unit1", Role.UNIT_ADMIN)
    # The server checks passwords with the production hashers, not the tests' fast one.
    hashed = PBKDF2PasswordHasher().encode(PASSWORD, "gunicorn-test", iterations=1000)
    type(user).objects.filter(pk=user.pk).update(password=hashed)
    with gunicorn(env) as base:
        browser = Browser()
        status, headers, page = browser.request(f"{base}/accounts/login/")
        assert status == 200 and "登录" in page.decode()
        assert headers["Server"] == "gunicorn"

        # Signing in goes through the database the test wrote.
        data = {"username": "unit1", "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(page)}
        status, _, page = browser.request(f"{base}/accounts/login/", data)
        assert status == 200 and "退出登录" in page.decode(), page.decode()[:2000]

        # DEBUG is off: the Chinese 404, not Django's debug page.
        status, _, page = browser.request(f"{base}/no-such-page/")
        assert status == 404 and "没有找到您要访问的内容" in page.decode()
        assert "Using the URLconf" not in page.decode()

        # whitenoise serves what collectstatic wrote, compressed when the client accepts it.
        status, headers, css = browser.request(
            f"{base}/static/gongfang/css/gongfang.css", **{"Accept-Encoding": "gzip"}
        )
        assert status == 200 and headers["Content-Type"].startswith("text/css")
        assert headers["Content-Encoding"] == "gzip"
        assert css.startswith(b"\x1f\x8b")


def test_gunicorn_with_production_settings_serves_hashed_static_files(static_root):
    env = production_env(DATABASE_URL=served_database_url(), STATIC_ROOT=str(static_root))
    https = {"X-Forwarded-Proto": "https"}  # as the reverse proxy says
    with gunicorn(env) as base:
        browser = Browser(**https)
        status, _, page = browser.request(f"{base}/accounts/login/")
        assert status == 200
        css = re.search(r'href="(/static/gongfang/css/gongfang\.[0-9a-f]{12}\.css)"', page.decode())
        assert css, page.decode()[:2000]
        status, headers, _ = browser.request(base + css.group(1))
        assert status == 200
        assert "immutable" in headers["Cache-Control"]
        # Without the proxy's word that the client used HTTPS, the site sends it there.
        status, headers, _ = Browser(follow=False).request(f"{base}/accounts/login/")
        assert status == 301 and headers["Location"].startswith("https://127.0.0.1:")


def test_gunicorn_refuses_to_start_without_its_database():
    port = free_port()
    closed = free_port()
    env = base_env(
        DATABASE_URL=f"postgres://gongfang:s3cret-pw@127.0.0.1:{closed}/gongfang",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
    )
    result = subprocess.run(
        [GUNICORN, "--config", "gongfang/gunicorn_conf.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert (
        f"数据库无法连接，公房管理系统未启动：PostgreSQL 数据库“gongfang”（127.0.0.1:{closed}，用户 gongfang）"
        in output
    )
    assert "s3cret-pw" not in output and "Traceback" not in output
    assert "Listening at" not in output
