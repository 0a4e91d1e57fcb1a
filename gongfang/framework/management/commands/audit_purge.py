"""``manage.py audit_purge --before DATE``: delete audit entries older than DATE, never younger
than ``AUDIT_RETENTION_DAYS``; the purge is itself recorded and the chain still verifies."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ...audit import latest_purge_date, purge, retention_days


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD（收到 {value}）。") from None


class Command(BaseCommand):
    help = (
        "清理早于指定日期的审计日志；只接受至少 AUDIT_RETENTION_DAYS 天以前的日期，"
        "清理本身记入审计日志。"
    )

    def add_arguments(self, parser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument(
            "--before",
            type=_date,
            help="删除此日期（当地时间 0 时）以前的记录，格式 YYYY-MM-DD",
        )
        which.add_argument(
            "--expired",
            action="store_true",
            help="删除超过保留期（AUDIT_RETENTION_DAYS）的全部记录，供定时任务使用",
        )
        parser.add_argument("--dry-run", action="store_true", help="只统计，不删除")

    def handle(self, *args, before: datetime.date | None, expired: bool, dry_run: bool, **options):
        before = before or latest_purge_date()
        try:
            result = purge(before=before, dry_run=dry_run)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if dry_run:
            self.stdout.write(
                f"将删除 {before:%Y-%m-%d} 以前的审计日志 {result.deleted} 条（未删除）。"
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"已删除 {before:%Y-%m-%d} 以前的审计日志 {result.deleted} 条；"
                f"保留期 {retention_days()} 天，最晚可清理到 {latest_purge_date():%Y-%m-%d}。"
            )
        )
