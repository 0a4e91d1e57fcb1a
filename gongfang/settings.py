"""Settings for gongfang.

SQLite is the zero-set-up default; set ``DATABASE_URL`` (e.g.
``postgres://postgres@127.0.0.1:5432/gongfang``) for PostgreSQL in production and CI.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("SECRET_KEY", "gongfang-development-key-change-me-in-production")
# Off unless a developer turns it on (`make dev`: DEBUG=1): Django's debug pages show code,
# settings and the URL list to anyone.
DEBUG = os.environ.get("DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "gongfang.framework",
    "gongfang.scheduler",
    "gongfang.accounts",
    "gongfang.registry",
    "gongfang.standards",
    "gongfang.compliance",
    "gongfang.workflow",
    "gongfang.titles",
    "gongfang.cases",
    "gongfang.archives",
    "gongfang.maintenance",
    "gongfang.survey",
    "gongfang.review",
    "gongfang.reporting",
    "gongfang.exchange",
    "gongfang.inspections",
    "gongfang.vehicles",
    "gongfang.terminals",
    "gongfang.supervision",
    "gongfang.ledger",
    "gongfang.demo",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gongfang.framework.middleware.RequestContextMiddleware",
    # Session lifetime, then second factor, password age, enrolment (accounts/middleware.py).
    "gongfang.accounts.middleware.AccountSecurityMiddleware",
    # Last, as django-axes asks: turns a locked-out login into our login page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongfang.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongfang.framework.context_processors.navigation",
                "gongfang.workflow.context_processors.header_counts",
            ],
        },
    },
]

WSGI_APPLICATION = "gongfang.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'gongfang.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers on the embedded default (DESIGN §7): WAL lets readers run beside the one
    # writer; IMMEDIATE transactions take the write lock at BEGIN, so two transactions never
    # both read and then fail to upgrade to writing ("database is locked" at once, whatever the
    # timeout); the busy timeout then really waits for the writer before (a whole city's import
    # holds the lock ~20 s).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 60,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file too: an in-memory database shared between threads locks by table and
    # ignores the busy timeout, so concurrency tests (and a real server started by a test)
    # would not meet the database the product runs on.
    # One file per test process, so two test runs on one machine never share a database.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get(
            "SQLITE_TEST_NAME",
            str(Path(tempfile.gettempdir()) / f"gongfang-test-{os.getpid()}.sqlite3"),
        )
    }
else:
    # One test database per test process (test_<name>_<pid>), as for SQLite above.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Security baseline (DESIGN §6, GB/T 22239-2019 第三级). Every limit is a setting; the
# numbers are the design's defaults.
AUTHENTICATION_BACKENDS = [
    # django-axes first: a locked account or address is refused before its password is checked.
    "gongfang.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_MIN_LENGTH = 8
PASSWORD_MIN_CLASSES = 3  # of upper case, lower case, digits, symbols
PASSWORD_HISTORY_COUNT = 5  # a new password is none of the last five
PASSWORD_MAX_AGE_DAYS = 90  # then a forced change at the next request
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "gongfang.accounts.validators.MinimumLengthValidator"},
    {"NAME": "gongfang.accounts.validators.CharacterClassesValidator"},
    {"NAME": "gongfang.accounts.validators.UsernameValidator"},
    {"NAME": "gongfang.accounts.validators.PasswordHistoryValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Lockout (django-axes): 5 failures lock the account name and, separately, the address for 30
# minutes — whether or not the account exists.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A successful login clears the failures of its own account name only (accounts/receivers.py):
# axes' own reset would clear the address's too, letting someone with one valid account reset
# the count of the names they are guessing.
AXES_RESET_ON_SUCCESS = False
# Attempts while locked do not push the end of the lockout further (the page names the time).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "gongfang.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "gongfang.framework.middleware.client_address"
# Reverse proxies (addresses or networks, comma-separated in the environment) whose
# X-Forwarded-For / X-Real-IP name the client; from any other peer those headers are ignored
# and the socket address counts (framework/middleware.py: client_address).
TRUSTED_PROXIES = [
    entry.strip() for entry in os.environ.get("TRUSTED_PROXIES", "").split(",") if entry.strip()
]
# Logins and logouts are in our one audit trail (ObjectChange), not in a second log of axes.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# Sessions end after 30 idle minutes and, however active, after an absolute lifetime.
SESSION_IDLE_TIMEOUT = 30 * 60
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
# Saved when it changes: at least once a minute while in use (accounts.sessions.touch), which
# also renews the cookie; not on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ABSOLUTE_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "gongfang.framework.views.errors.csrf_failure"

# Second factor (django-otp, TOTP with recovery codes): required for these roles, available to
# every account.
OTP_REQUIRED_ROLES = ["bureau_admin", "leader", "sys_admin", "sec_admin", "audit_admin"]
OTP_RECOVERY_CODE_COUNT = 10
OTP_TOTP_ISSUER = "公房管理系统"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# API tokens: scoped (read / read-write), expiring, revocable (accounts/tokens.py).
API_TOKEN_DEFAULT_DAYS = 30
API_TOKEN_MAX_DAYS = 365
API_TOKEN_RATE = "10/min"  # POST /api/token/ per client address

# Uploads: request bodies without files, files kept in memory, and the largest file accepted by
# a file field (accounts.validators.validate_upload_size); the reverse proxy should cap the body
# at UPLOAD_MAX_SIZE too (ledger uploads: LEDGER_IMPORT_MAX_BYTES).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
UPLOAD_MAX_SIZE = 20 * 1024 * 1024
# Archives (gongfang/archives): papers are kept outside any URL, served only by a scoped view;
# the largest paper accepted (README's proxy body cap, 55 MB, is above it).
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private"))
ARCHIVES_MAX_UPLOAD_BYTES = 50 * 1024 * 1024

# Ledger import (gongfang/ledger): the largest file, what it may expand to when unzipped, and the
# number of rows above which an import runs on the task queue instead of in the request.
LEDGER_IMPORT_MAX_BYTES = 50 * 1024 * 1024
LEDGER_IMPORT_MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024
LEDGER_IMPORT_SYNC_MAX_ROWS = 2000
# A running import renews its lease every HEARTBEAT seconds; one whose lease has run out for
# LEASE seconds is taken for dead and marked failed (services.reclaim_stuck_batches).
LEDGER_IMPORT_HEARTBEAT_SECONDS = 10
LEDGER_IMPORT_LEASE_SECONDS = 90

# Redis (optional; several web nodes): the rate-limit and progress caches and, with
# TASK_BACKEND=rq, the task queue. Without it all of these live in the database or on disk.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()

# Background work (ledger imports, periodic jobs): django-tasks with its database backend and
# `manage.py db_worker` by default; TASK_BACKEND=rq puts the queue in Redis (django-tasks-rq),
# run by `manage.py rqworker --job-class django_tasks_rq.Job`. make serve starts the right one.
TASK_BACKEND = os.environ.get("TASK_BACKEND", "db").strip() or "db"
TASK_BACKENDS = {"db": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}
if TASK_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASK_BACKEND 只能是 db 或 rq，现为“{TASK_BACKEND}”。")
if TASK_BACKEND == "rq" and not REDIS_URL:
    raise ImproperlyConfigured(
        "TASK_BACKEND=rq 时须设置 REDIS_URL（如 redis://127.0.0.1:6379/0）。"
    )
TASKS = {
    "default": {
        "BACKEND": TASK_BACKENDS[TASK_BACKEND],
        "QUEUES": ["default"],
    }
}
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"}}

# Periodic jobs (gongfang/scheduler): `manage.py run_scheduler` checks this often for due jobs
# and puts them on the task queue; their schedules are rows on the 定时任务 page.
SCHEDULER_TICK_SECONDS = 30

# The default cache (rate limits: DRF's throttle of /api/token/) is shared by every process and
# node: in the database (table created by migrate, ledger/apps.py) or in Redis. Sessions are in
# the database (Django's default SESSION_ENGINE). Progress of running tasks must not be part of
# the task's transaction, which hides it from the page that polls it: in Redis, in PostgreSQL on
# a connection of its own (framework/cache.py), or in files on SQLite (one machine, one writer).
PROGRESS_CACHE = "progress"
SESSION_ENGINE = "django.contrib.sessions.backends.db"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "gongfang",
        },
        PROGRESS_CACHE: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "gongfang-progress",
            "TIMEOUT": 24 * 3600,
        },
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "gongfang_cache",
        },
        PROGRESS_CACHE: {
            "BACKEND": "gongfang.framework.cache.OwnConnectionDatabaseCache",
            "LOCATION": "gongfang_progress",
            "TIMEOUT": 24 * 3600,
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "gongfang_cache",
        },
        PROGRESS_CACHE: {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(BASE_DIR / "var" / "cache" / "progress"),
            "TIMEOUT": 24 * 3600,
        },
    }

# Headers for every response (production adds HSTS and secure cookies, settings_production.py).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline script anywhere (pages are driven by static/gongfang/js/gongfang.js); images may be
# data: URIs (Tabler's CSS icons, the enrolment QR code).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# 智能地图's tile source (gongfang/framework/maps.py). Unset: offline, no tile is requested (the map
# is a plain background with region names). Production: MAP_TILES_URL, e.g. 天地图's
# "https://t{s}.tianditu.gov.cn/vec_w/wmts?…&tk=<key>" (CGCS2000 ≈ WGS84: MAP_TILES_CRS=wgs84);
# a GCJ-02 source (高德, 腾讯) says MAP_TILES_CRS=gcj02 and the points are converted. The tile
# server's origin is added to the images the CSP allows.
MAP_TILES: dict[str, str] | None = None
if os.environ.get("MAP_TILES_URL", "").strip():
    MAP_TILES = {
        "url": os.environ["MAP_TILES_URL"].strip(),
        "crs": os.environ.get("MAP_TILES_CRS", "wgs84").strip(),
        "subdomains": os.environ.get("MAP_TILES_SUBDOMAINS", "").strip(),
        "attribution": os.environ.get("MAP_TILES_ATTRIBUTION", "").strip(),
    }
    # "https://t{s}.host/…" → "https://*.host" (a CSP wildcard stands for a whole first label).
    _scheme, _, _host = MAP_TILES["url"].split("/")[:3]
    _labels = _host.split(".")
    if "{s}" in _labels[0]:
        _labels[0] = "*"
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(f"{_scheme}//{'.'.join(_labels)}")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
# whitenoise serves STATIC_ROOT (what collectstatic wrote) with DEBUG off, compressed copies
# included; production adds hashed names (settings_production.py).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = BASE_DIR / "var" / "media"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated client gets 401 with WWW-Authenticate: Token.
        "gongfang.accounts.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["gongfang.framework.api.permissions.ScopedModelPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "gongfang.framework.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "gongfang.framework.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": API_TOKEN_RATE},
}

# Writes through the API name the version they are based on (If-Match, DESIGN §7): optional by
# default (a write without it applies to the current version, changed fields only); True
# answers 428 to a PUT/PATCH/DELETE without it.
API_REQUIRE_IF_MATCH = os.environ.get("API_REQUIRE_IF_MATCH", "0") == "1"

SPECTACULAR_SETTINGS = {
    "TITLE": "公房 gongfang API",
    "DESCRIPTION": (
        "党政机关办公用房与公务用车管理系统的对接接口。\n\n"
        "只读字段（id、url、display、各 *_display、version、created_at、updated_at 等）："
        "写入时原样提交当前值将被忽略，便于把读取到的对象修改后整体提交；提交不同的值"
        "（新建时提交非空值）将被拒绝（400），错误信息指明字段。notices 为上次写入的提示，写入时忽略。"
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/gongfang/favicon.svg",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "gongfang.framework.api.schema.add_error_responses",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RegionLevelEnum": "gongfang.registry.choices.RegionLevel",
        "AdminLevelEnum": "gongfang.registry.choices.AdminLevel",
        "CaseKindEnum": "gongfang.workflow.choices.CaseKind",
        "CaseStateEnum": "gongfang.workflow.choices.CaseState",
        "CaseActionEnum": "gongfang.workflow.choices.Action",
        "CaseDecisionEnum": "gongfang.workflow.api.serializers.DECISION_CHOICES",
        "TaskStateEnum": "gongfang.workflow.choices.TaskState",
        "ActorRuleEnum": "gongfang.workflow.choices.ActorRule",
        "RoomCategoryEnum": "gongfang.registry.choices.RoomCategory",
        "StandardVersionKindEnum": "gongfang.standards.models.VersionKind",
        "CalendarDayKindEnum": "gongfang.framework.models.CalendarDayKind",
        "InspectionPlanKindEnum": "gongfang.inspections.choices.PlanKind",
        "ItemResultEnum": "gongfang.inspections.choices.ItemResult",
        "RecheckResultEnum": "gongfang.inspections.choices.RecheckResult",
        "MaintenanceProjectKindEnum": "gongfang.maintenance.choices.ProjectKind",
        "AcceptanceResultEnum": "gongfang.maintenance.choices.AcceptanceResult",
        "VehicleCategoryEnum": "gongfang.vehicles.choices.VehicleCategory",
        "DisposalKindEnum": "gongfang.vehicles.choices.DisposalKind",
        "RepairKindEnum": "gongfang.vehicles.choices.RepairKind",
        "InsuranceKindEnum": "gongfang.vehicles.choices.InsuranceKind",
        "SurveyDecisionEnum": "gongfang.survey.models.Decision",
        "WarningRuleEnum": "gongfang.compliance.models.Rule",
        "WarningSubjectEnum": "gongfang.compliance.models.Subject",
        "ReviewSubjectEnum": "gongfang.review.models.Subject",
        "AnomalyRuleEnum": "gongfang.supervision.rules.Rule",
    },
}

DJANGO_TABLES2_TEMPLATE = "framework/table.html"
# A filter's empty choice lists everything (django-filter's default label is "---------").
FILTERS_EMPTY_CHOICE_LABEL = "全部"

# Everything to standard error, with time and source: the server's journal keeps it. Errors a
# user only sees as the 500 page (django.request) are logged here with their traceback; 403 and
# 404 answers are not (Django would log each 403 with a traceback), the access log has them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"django.request": {"level": "ERROR"}},
}

# The audit trail is kept at least this long; audit_purge refuses to cut younger entries.
AUDIT_RETENTION_DAYS = 180

# Cryptography (framework/crypto.py): "standard" (SHA-256, HMAC-SHA256, Ed25519) or "sm" (商用密码:
# SM3, HMAC-SM3, SM2). The audit key lives outside the database (framework/keyring.py): AUDIT_KEYS
# ("id:hex,id:hex", the last one current) or the key file, made on first use unless in production.
CRYPTO_SUITE = os.environ.get("CRYPTO_SUITE", "standard")
AUDIT_KEYS = os.environ.get("AUDIT_KEYS", "")
AUDIT_KEY_FILE = os.environ.get("AUDIT_KEY_FILE", str(BASE_DIR / "var" / "audit-keys"))
AUDIT_KEY_GENERATE = True
# Signed checkpoints of the audit chain, one JSON line each: keep this file on other storage.
AUDIT_CHECKPOINT_FILE = os.environ.get(
    "AUDIT_CHECKPOINT_FILE", str(BASE_DIR / "var" / "audit-checkpoints.jsonl")
)
