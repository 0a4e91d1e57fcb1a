"""What a server checks before it takes requests: that the database answers.

Run by gunicorn's ``on_starting`` hook (gongfang/gunicorn_conf.py) and by ``manage.py
check_database`` (which ``make serve`` runs before starting the task worker), so that an
unreachable database stops the start with one Chinese sentence instead of a traceback per request.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections


def describe_database(alias: str = DEFAULT_DB_ALIAS) -> str:
    """Which database, in Chinese: engine, host and port, name and user — never the password."""
    db = connections[alias].settings_dict
    vendor = connections[alias].display_name
    if connections[alias].vendor == "sqlite":
        return f"{vendor} 数据库文件 {db['NAME']}"
    host = db.get("HOST") or "本机套接字"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    user = f"，用户 {db['USER']}" if db.get("USER") else ""
    return f"{vendor} 数据库“{db['NAME']}”（{host}{port}{user}）"


def database_problem(alias: str = DEFAULT_DB_ALIAS) -> str | None:
    """None when the database answers a query; otherwise why not, in Chinese, for the operator."""
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if connection.vendor == "sqlite":
            advice = "请确认文件所在目录存在且本服务有权读写"
        else:
            advice = "请确认数据库服务已运行、可从本机访问"
        return (
            f"数据库无法连接，公房管理系统未启动：{describe_database(alias)}。"
            f"{advice}，且环境变量 DATABASE_URL 指向正确的数据库。（数据库驱动报告：{reason}）"
        )
    finally:
        connection.close()
    return None
