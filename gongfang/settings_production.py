"""Production settings: the base settings, hardened (GB/T 22239-2019 第三级, DESIGN §6).

    DJANGO_SETTINGS_MODULE=gongfang.settings_production

Required in the environment: ``SECRET_KEY`` (at least 50 random characters), ``ALLOWED_HOSTS``
(comma-separated host names), ``DATABASE_URL`` (PostgreSQL) and the audit key: ``AUDIT_KEYS`` or
the key file ``AUDIT_KEY_FILE`` (``manage.py audit_key rotate`` makes one; it is never generated
here). Optional: ``AUDIT_CHECKPOINT_FILE`` (signed audit checkpoints: keep it on other storage),
``CRYPTO_SUITE`` (``sm`` for SM3/SM2), ``CSRF_TRUSTED_ORIGINS`` (comma-separated ``https://…``
origins), ``SECURE_SSL_REDIRECT`` / ``SECURE_HSTS_INCLUDE_SUBDOMAINS`` / ``SECURE_HSTS_PRELOAD``
(``0`` to turn off), ``SECURE_HSTS_SECONDS``, ``TRUSTED_PROXIES`` (the reverse proxies' addresses
or networks), ``STATIC_ROOT``, ``LOG_LEVEL``, ``REDIS_URL``
(rate limits and task progress in Redis: needed by several web nodes), ``TASK_BACKEND`` (``rq``:
the task queue on Redis, worker ``manage.py rqworker --job-class django_tasks_rq.Job default``;
default ``db``: ``manage.py db_worker``).

The site is served by gunicorn (``gunicorn --config gongfang/gunicorn_conf.py``) over HTTPS
behind a reverse proxy that terminates TLS, sets ``X-Forwarded-Proto`` and ``X-Forwarded-For``
(trusted only from ``TRUSTED_PROXIES``) and caps request bodies at ``UPLOAD_MAX_SIZE``
(``LEDGER_IMPORT_MAX_BYTES`` plus a little for ``/ledger/upload/`` and ``/api/ledger/imports/``).
``python manage.py check --deploy`` is clean with these settings (tested).
"""

from __future__ import annotations

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403
from .settings import CONTENT_SECURITY_POLICY, DATABASES, STORAGES


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"生产环境须设置环境变量 {name}。")
    return value


def _flag(name: str, default: bool = True) -> bool:
    return os.environ.get(name, "1" if default else "0").strip() not in ("0", "false", "False", "")


def _list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = False
SECRET_KEY = _required("SECRET_KEY")
ALLOWED_HOSTS = _list(_required("ALLOWED_HOSTS"))
CSRF_TRUSTED_ORIGINS = _list(os.environ.get("CSRF_TRUSTED_ORIGINS", ""))

DATABASES = {
    **DATABASES,
    "default": dj_database_url.parse(
        _required("DATABASE_URL"), conn_max_age=60, conn_health_checks=True
    ),
}

# HTTPS only: TLS ends at the reverse proxy, which says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _flag("SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = _flag("SECURE_HSTS_PRELOAD")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# The audit key is the operator's (AUDIT_KEYS or AUDIT_KEY_FILE): never made up on the server.
AUDIT_KEY_GENERATE = _flag("AUDIT_KEY_GENERATE", default=False)

# Static files under content-hashed names (collectstatic writes them and a manifest), which
# whitenoise serves with a year's cache lifetime: an upgrade never meets a stale script.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

CONTENT_SECURITY_POLICY = {
    **CONTENT_SECURITY_POLICY,
    "DIRECTIVES": {**CONTENT_SECURITY_POLICY["DIRECTIVES"], "upgrade-insecure-requests": True},
}
