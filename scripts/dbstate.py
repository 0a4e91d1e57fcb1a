#!/usr/bin/env python3
"""Answer questions about the configured database, by exit status, for the Makefile and CI.

    python scripts/dbstate.py ping      0 if the database (DATABASE_URL or SQLite) is reachable
    python scripts/dbstate.py regions   0 if administrative divisions are loaded
    python scripts/dbstate.py demo      0 if the demo data (its accounts and organizations) exist

Otherwise exits 1 (with the database error on stderr, if there was one). Run with the project's virtualenv.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongfang.settings")

# The accounts `manage.py load_demo --profile zaozhuang` creates (README, 演示账号).
DEMO_USERNAMES = [
    "zz_bureau",
    "tz_bureau",
    "unit_admin",
    "surveyor",
    "supervisor",
    "leader",
    "sys_admin",
    "sec_admin",
    "audit_admin",
]


def ping() -> bool:
    from django.db import connection

    settings = connection.settings_dict
    where = settings["NAME"]
    if settings.get("HOST"):
        where = f"{settings['HOST']}:{settings.get('PORT') or 'default port'}, database {where}"
    try:
        connection.ensure_connection()
    except Exception as exc:
        print(
            f"Cannot connect to the database ({connection.vendor}, {where}): {exc}", file=sys.stderr
        )
        return False
    return True


def regions() -> bool:
    from django.apps import apps

    return apps.get_model("registry", "Region").objects.exists()


def demo() -> bool:
    from django.apps import apps
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=DEMO_USERNAMES).count()
    return (
        users == len(DEMO_USERNAMES) and apps.get_model("registry", "Organization").objects.exists()
    )


def main(argv: list[str]) -> int:
    checks = {"ping": ping, "regions": regions, "demo": demo}
    if len(argv) != 2 or argv[1] not in checks:
        print(f"usage: {argv[0]} {{{'|'.join(checks)}}}", file=sys.stderr)
        return 2
    import django

    django.setup()
    from django.db import DatabaseError

    try:
        return 0 if checks[argv[1]]() else 1
    except DatabaseError as exc:  # e.g. no such table: not migrated, so nothing is loaded
        print(f"{argv[1]}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
