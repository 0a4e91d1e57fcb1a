# gongfang — build, demo and test entry points. Works from a fresh clone on Debian 12.
#
#   make demo        install everything, build the Zaozhuang demo database, serve on :8000
#                    through gunicorn, DEBUG off (with the task queue's worker, which runs
#                    large ledger imports)
#   make demo-reset  rebuild the demo data from scratch, then serve
#   make dev         the demo data served by Django's runserver with DEBUG=1 (development)
#   make test        install everything, lint, check migrations, run the whole test suite
#   make api-fuzz    fuzz the whole REST API against its OpenAPI description (schemathesis)
#   make lint        ruff check
#   make bench       run every bench/bench_*.py in order
#   make install     only the installation steps (each is file-stamped: a re-run is quick)
#   make clean       remove what the installation generated (keeps the database in var/)
#   make distclean   clean, and remove var/ (database, collected static files)
#
# DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/gongfang) switches from SQLite
# (var/gongfang.sqlite3) to PostgreSQL, for every target.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
UV_VERSION ?= 0.13.9
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

# uv uses the system Python and never downloads one; the project environment is .venv.
export UV_PYTHON ?= $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
export UV_LINK_MODE ?= copy
export UV_NO_PROGRESS := 1
export DJANGO_SETTINGS_MODULE := gongfang.settings

TOOLS := .tools
UV := $(TOOLS)/bin/uv
PY := .venv/bin/python
MANAGE := $(PY) manage.py
GUNICORN := .venv/bin/gunicorn --config gongfang/gunicorn_conf.py
RUFF := .venv/bin/ruff
PYTEST := $(PY) -m pytest -p scripts.pytest_require_tests
# The task queue's worker: django-tasks-db's, or RQ's with TASK_BACKEND=rq (and REDIS_URL).
WORKER = $(if $(filter rq,$(TASK_BACKEND)),rqworker --job-class django_tasks_rq.Job default,db_worker --interval 1)

# File stamps: a step runs again only when its inputs change.
SYSTEM_STAMP := $(TOOLS)/system.stamp
PYTHON_STAMP := .venv/.synced.stamp
NODE_STAMP := node_modules/.installed.stamp
VENDOR_STAMP := static/vendor/.copied.stamp
COLLECT_STAMP := var/staticfiles/.collected.stamp
STATIC_SOURCES := $(shell find static -path static/vendor -prune -o -type f -print 2>/dev/null) \
	$(shell find gongfang -path '*/static/*' -type f 2>/dev/null)

BENCHES = $(sort $(wildcard bench/bench_*.py))

define DEMO_ACCOUNTS
演示账号 / demo accounts — 密码 password: Demo@2026!
  用户名 username  角色 role                      范围 scope      动态口令 TOTP
  zz_bureau        机关事务管理员 (bureau_admin)  枣庄市          需要
  tz_bureau        机关事务管理员 (bureau_admin)  滕州市          需要
  unit_admin       单位系统管理员 (unit_admin)    枣庄市教育局    需要（签字用）
  surveyor         测绘单位 (surveyor)            枣庄市          需要（签字用）
  supervisor       纪检监督 (supervisor)          枣庄市          —
  leader           审批领导 (leader)              枣庄市          需要
  sys_admin        系统管理员 (sys_admin)         —               需要
  sec_admin        安全管理员 (sec_admin)         —               需要
  audit_admin      审计管理员 (audit_admin)       —               需要
  jh_unit          单位系统管理员 (unit_admin)    荆河街道办事处  需要（统计报送演示）
  jh_bureau        机关事务管理员 (bureau_admin)  荆河街道        需要（统计报送演示）
动态口令 / current TOTP code:  .venv/bin/python manage.py demo_totp <用户名> [--qr]
endef
export DEMO_ACCOUNTS

.PHONY: help install system tools python node static collectstatic db demo demo-reset \
	demo-data serve dev accounts test api-fuzz test-prep lint format migrations-check pytest bench clean \
	distclean

help:
	@sed -n '2,18s/^# \{0,1\}//p' Makefile

# ---------------------------------------------------------------------------------------------
# Installation

install: python static | var

system: $(SYSTEM_STAMP)
$(SYSTEM_STAMP): scripts/install_system_packages.sh
	bash scripts/install_system_packages.sh
	@mkdir -p $(@D) && touch $@

tools: $(UV)
$(UV): | $(SYSTEM_STAMP)
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	@touch $@

python: $(PYTHON_STAMP)
$(PYTHON_STAMP): pyproject.toml uv.lock $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

node: $(NODE_STAMP)
$(NODE_STAMP): package.json package-lock.json | $(SYSTEM_STAMP)
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

static: $(VENDOR_STAMP)
$(VENDOR_STAMP): $(NODE_STAMP) scripts/copy_static.py
	$(PYTHON) scripts/copy_static.py
	@touch $@

var:
	mkdir -p var

collectstatic: $(COLLECT_STAMP)
$(COLLECT_STAMP): $(PYTHON_STAMP) $(VENDOR_STAMP) $(STATIC_SOURCES) | var
	$(MANAGE) collectstatic --noinput --clear --verbosity 0
	@touch $@

# ---------------------------------------------------------------------------------------------
# Demo

# Migrate and load the administrative divisions once (about 44,700 rows).
db: install
	$(MANAGE) migrate --noinput
	@if $(PY) scripts/dbstate.py regions; then \
		echo "Administrative divisions: already loaded."; \
	else \
		$(MANAGE) load_regions; \
	fi

# Build the demo city only when it is not there yet; `make demo-reset` rebuilds it.
demo-data: db
	@if $(PY) scripts/dbstate.py demo; then \
		echo "Demo data: already loaded (make demo-reset rebuilds it)."; \
	else \
		$(MANAGE) load_demo --profile zaozhuang --flush; \
	fi

demo: demo-data collectstatic
	@$(MAKE) --no-print-directory serve

demo-reset: db collectstatic
	$(MANAGE) load_demo --profile zaozhuang --flush
	@$(MAKE) --no-print-directory serve

accounts:
	@echo "$$DEMO_ACCOUNTS"

# $(call with_worker,COMMAND): the task queue's worker (large ledger imports, periodic jobs) and
# the scheduler of periodic jobs in the background, COMMAND (the web server) in the foreground;
# Ctrl-C stops them all.
# The JT/T 808 gateway listens on JT808_PORT; a simulator replays 50 demo cars' day on it, live.
JT808_PORT ?= 6808
define with_worker
	@$(MANAGE) $(WORKER) >> var/worker.log 2>&1 & worker=$$!; \
	$(MANAGE) run_scheduler >> var/scheduler.log 2>&1 & scheduler=$$!; \
	$(MANAGE) jt808_gateway --host $(HOST) --port $(JT808_PORT) >> var/gateway.log 2>&1 & gateway=$$!; \
	sh -c 'sleep 5; exec $(MANAGE) jt808_simulator --host $(HOST) --port $(JT808_PORT) --live --loop --limit 50 --unknown 1' >> var/simulator.log 2>&1 & simulator=$$!; \
	trap 'kill $$worker $$scheduler $$gateway $$simulator 2>/dev/null || true' EXIT INT TERM; \
	echo "后台任务进程 / task worker ($(firstword $(WORKER))): pid $$worker, log var/worker.log"; \
	echo "定时任务调度 / scheduler (run_scheduler): pid $$scheduler, log var/scheduler.log"; \
	echo "车载终端网关 / JT/T 808 gateway: pid $$gateway, port $(JT808_PORT), log var/gateway.log"; \
	echo "终端模拟器 / terminal simulator: pid $$simulator, to port $(JT808_PORT), log var/simulator.log"; \
	$(1)
endef

define SERVE_BANNER
	@echo
	@echo "$$DEMO_ACCOUNTS"
	@echo
	@echo "gongfang: http://$(HOST):$(PORT)/   API: http://$(HOST):$(PORT)/api/docs/   (Ctrl-C stops)"
endef

# gunicorn with DEBUG off, as in production (gongfang/gunicorn_conf.py: GUNICORN_WORKERS,
# GUNICORN_THREADS, ...); it stops at once with a Chinese message if the database is unreachable.
serve: install collectstatic
	@$(MANAGE) check_database
	$(SERVE_BANNER)
	$(call with_worker,GUNICORN_BIND=$(HOST):$(PORT) $(GUNICORN))

# Development: runserver reloads code on change and shows Django's debug pages.
dev: demo-data
	$(SERVE_BANNER)
	$(call with_worker,DEBUG=1 $(MANAGE) runserver $(HOST):$(PORT))

# ---------------------------------------------------------------------------------------------
# Checks

lint: python
	$(RUFF) check .

format: python
	$(RUFF) format .
	$(RUFF) check --fix .

migrations-check: python | var
	$(MANAGE) makemigrations --check --dry-run

# Everything `make test` does before pytest (CI runs pytest itself after this).
test-prep: install collectstatic lint migrations-check

pytest: install collectstatic
	$(PYTEST) $(PYTEST_ARGS)

test: test-prep
	$(PYTEST) $(PYTEST_ARGS)

# The whole REST API fuzzed against its OpenAPI description (schemathesis, about 5 minutes).
api-fuzz: install collectstatic
	$(PY) scripts/api_fuzz.py

bench: install | var
	@if [ -z "$(BENCHES)" ]; then echo "No bench/bench_*.py to run." >&2; exit 1; fi
	@for script in $(BENCHES); do \
		echo "==> $$script"; \
		PYTHONPATH=$(CURDIR) $(PY) $$script; \
	done

# ---------------------------------------------------------------------------------------------
# Cleaning

clean:
	rm -rf $(TOOLS) .venv node_modules static/vendor var/staticfiles test-results \
		.ruff_cache .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf var
