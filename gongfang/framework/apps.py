import datetime

from django.apps import AppConfig


class FrameworkConfig(AppConfig):
    name = "gongfang.framework"
    label = "framework"
    verbose_name = "基础框架"

    def ready(self) -> None:
        from . import workdays
        from .holidays import services as holiday_services  # noqa: F401  (registers them)

        workdays.connect_signals()
        from django.db.models.signals import post_migrate

        from .holidays.seed import seed_after_migrate

        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid="holiday_calendar_seed")
        from .audit import purge_expired
        from .changelog import register_event_labels
        from .checkpoints import run_checkpoint
        from .jobs import Job, register_job

        register_event_labels(
            {"audit.checkpoint": "生成审计检查点", "audit.rekey": "审计哈希链改用密钥封存"}
        )
        from . import crypto
        from .eventdata import register_event_data

        register_event_data(
            keys={
                "checkpoint": "检查点",
                "last_id": "截至记录编号",
                "last_hash": "截至记录哈希",
                "key_id": "密钥编号",
                "algorithm": "算法",
                "legacy_chain_intact": "原哈希链完整",
                "legacy_break_id": "原哈希链断开处",
            },
            values={"audit.rekey": {"algorithm": crypto.ALGORITHM_LABELS}},
        )
        register_job(
            Job(
                key="framework.audit_checkpoint",
                name="生成审计检查点",
                description="对审计日志哈希链的链头签名，存入数据库并追加写入检查点文件"
                "（AUDIT_CHECKPOINT_FILE，应放在数据库以外的存储上）；audit_verify 据此发现被改写的历史。",
                run=run_checkpoint,
                interval=datetime.timedelta(hours=1),
            )
        )

        register_job(
            Job(
                key="framework.audit_purge",
                name="清理过期审计日志",
                description="删除超过保留期（AUDIT_RETENTION_DAYS）的审计日志；保留期内的记录不会删除，"
                "清理本身记入审计日志。",
                run=purge_expired,
                at=datetime.time(2, 30),
            )
        )
