"""``manage.py audit_verify``: walk the audit trail's keyed hash chain and report the first
break, then compare every signed checkpoint of the checkpoint file with the chain."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ...changelog import verify_chain
from ...checkpoints import checkpoint_file, verify_checkpoints


class Command(BaseCommand):
    help = (
        "校验审计日志：以密钥校验哈希链并报告第一处断开或被篡改的记录，再将检查点文件中的"
        "每个签名检查点与哈希链核对，报告第一个不一致的检查点；有问题时以非零状态退出。"
    )

    def handle(self, *args, **options) -> None:
        problems = []
        report = verify_chain()
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"审计日志完整：共 {report.count} 条"))
            if report.last_id is not None:
                self.stdout.write(f"最后一条：编号 {report.last_id}，哈希 {report.last_hash}")
        else:
            broken = report.broken
            when = (
                timezone.localtime(broken.time).strftime("%Y-%m-%d %H:%M:%S")
                if broken.time
                else "—"
            )
            problems.append(
                f"审计日志不完整：{broken.problem}。"
                f"记录编号 {broken.id if broken.id is not None else '—'}，时间 {when}；"
                f"应为 {broken.expected or '（空）'}，实为 {broken.found or '（空）'}。"
                f"此前 {report.count} 条校验通过。"
            )
        checks = verify_checkpoints()
        if checks.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"检查点一致：共 {checks.count} 个（文件 {checkpoint_file()}）"
                    + (f"，其中 {checks.purged} 个所记记录已按保留期清理" if checks.purged else "")
                )
            )
        else:
            mismatch = checks.mismatch
            where = []
            if mismatch.id is not None:
                where.append(f"检查点 #{mismatch.id}")
            if mismatch.line is not None:
                where.append(f"文件第 {mismatch.line} 行")
            problems.append(
                f"检查点不一致：{'，'.join(where) or '—'}：{mismatch.problem}。"
                f"此前 {checks.count} 个检查点一致。"
            )
        if problems:
            raise CommandError("\n".join(problems))
