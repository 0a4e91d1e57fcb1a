"""gunicorn configuration: ``gunicorn --config gongfang/gunicorn_conf.py`` (make demo, production).

Every value can be set in the environment:

- ``GUNICORN_BIND`` (``127.0.0.1:8000``): where to listen; the reverse proxy connects here.
- ``GUNICORN_WORKERS`` (2 × cores + 1): worker processes. Each is a full copy of the site.
- ``GUNICORN_THREADS`` (4): threads per worker (``gthread``). A request mostly waits for the
  database, so a few threads per process serve more users in the same memory; each thread keeps
  its own database connection, so PostgreSQL needs ``max_connections`` ≥ workers × threads per
  node. On SQLite, writers queue for the file (settings.py), whatever the count.
- ``GUNICORN_TIMEOUT`` (120 s): a worker process whose main loop is silent for longer is
  restarted. With ``gthread`` requests run in their own threads, so a long one (an in-request
  ledger import) is not cut by it; the reverse proxy's read timeout should exceed the longest.
- ``GUNICORN_ACCESS_LOG`` (``-``, standard output; empty turns it off).
- ``TRUSTED_PROXIES``: also the proxies gunicorn believes about ``X-Forwarded-Proto``.

Before it binds the port, the master checks that the database answers (framework/startup.py)
and exits with a Chinese message when it does not.
"""

from __future__ import annotations

import multiprocessing
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongfang.settings")

wsgi_app = "gongfang.wsgi:application"
proc_name = "gongfang"
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 120)
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter, so not all at once): memory a
# long-lived process accumulates is given back.
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# No control socket: its default path is per user, so two servers on one machine (a demo and a
# benchmark) would take each other's.
control_socket_disable = True
if os.environ.get("TRUSTED_PROXIES", "").strip():
    forwarded_allow_ips = os.environ["TRUSTED_PROXIES"]


def on_starting(server) -> None:
    """Refuse to start when the database does not answer (before the port is bound)."""
    import django
    from django.db import connections

    django.setup()
    from gongfang.framework.startup import database_problem, describe_database

    problem = database_problem()
    connections.close_all()  # nothing open may be inherited by the forked workers
    if problem:
        server.log.error(problem)
        sys.exit(problem)
    server.log.info("数据库连接正常：%s。", describe_database())


def when_ready(server) -> None:
    server.log.info(
        "公房管理系统开始服务：%s；主进程 pid %s，%s 个工作进程（%s，每个 %s 个线程）。",
        ", ".join(f"{listener}/" for listener in server.LISTENERS),
        server.pid,
        server.cfg.workers,
        server.cfg.worker_class_str,
        server.cfg.threads,
    )


def post_fork(server, worker) -> None:
    server.log.info("工作进程已启动：pid %s。", worker.pid)
