"""``manage.py audit_verify``: walk the audit trail's hash chain and report the first break."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ...changelog import verify_chain


class Command(BaseCommand):
    help = "校验审计日志的哈希链：报告第一处断开或被篡改的记录；有问题时以非零状态退出。"

    def handle(self, *args, **options) -> None:
        report = verify_chain()
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"审计日志完整：共 {report.count} 条"))
            if report.last_id is not None:
                self.stdout.write(f"最后一条：编号 {report.last_id}，哈希 {report.last_hash}")
            return
        broken = report.broken
        when = timezone.localtime(broken.time).strftime("%Y-%m-%d %H:%M:%S") if broken.time else "—"
        raise CommandError(
            f"审计日志不完整：{broken.problem}。"
            f"记录编号 {broken.id if broken.id is not None else '—'}，时间 {when}；"
            f"应为 {broken.expected or '（空）'}，实为 {broken.found or '（空）'}。"
            f"此前 {report.count} 条校验通过。"
        )
