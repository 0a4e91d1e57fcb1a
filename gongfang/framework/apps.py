import datetime

from django.apps import AppConfig


class FrameworkConfig(AppConfig):
    name = "gongfang.framework"
    label = "framework"
    verbose_name = "基础框架"

    def ready(self) -> None:
        from .audit import purge_expired
        from .jobs import Job, register_job

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
