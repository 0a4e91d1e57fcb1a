"""``manage.py check_database``: exit 1 with a Chinese message when the database does not answer."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from ...startup import database_problem, describe_database


class Command(BaseCommand):
    help = "检查数据库能否连接（启动服务前运行）。"
    requires_system_checks = []

    def handle(self, *args, **options) -> None:
        problem = database_problem()
        if problem:
            self.stderr.write(problem)
            sys.exit(1)
        self.stdout.write(f"数据库连接正常：{describe_database()}。")
