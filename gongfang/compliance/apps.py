from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "gongfang.compliance"
    label = "compliance"
    verbose_name = "超标预警"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from ..framework.changelog import register_event_labels
        from ..framework.signals import object_written
        from . import jobs, navigation
        from .receivers import HELD_ON_DELETE, on_object_written, on_pre_delete

        navigation.register()
        register_event_labels(
            {
                "warning.open": "发现超标预警",
                "warning.resolve": "预警自动解除",
                "warning.reopen": "预警重新出现",
                "warning.transition": "预警处理",
                "warning.export": "导出预警",
                "warning.overdue": "整改逾期",
                "warning.waiver_request": "暂不整改/备案提请审批",
            }
        )
        register_warning_event_data()
        jobs.register()
        object_written.connect(on_object_written, dispatch_uid="compliance_recheck")
        # Only these: a listener on every model would end Django's fast deletes everywhere.
        for model in HELD_ON_DELETE:
            pre_delete.connect(
                on_pre_delete, sender=model, dispatch_uid=f"compliance_pre_delete_{model.__name__}"
            )


def register_warning_event_data() -> None:
    """How the audit page names the warning events' data (keys, rules, states, modes)."""
    from ..framework.eventdata import register_event_data
    from .models import Mode, Rule, State

    codes = {"rule": dict(Rule.choices), "from": dict(State.choices), "to": dict(State.choices)}
    codes["mode"] = dict(Mode.choices)
    register_event_data(
        keys={
            "figures": "数据",
            "key": "预警标识",
            "rule": "规则",
            "from": "原状态",
            "to": "新状态",
            "label": "操作",
            "mode": "整改方式",
            "deadline": "整改期限",
            "approver": "审批人",
            "case": "审批事项文号",
        },
        values={
            event: codes
            for event in (
                "warning.open",
                "warning.resolve",
                "warning.reopen",
                "warning.transition",
                "warning.waiver_request",
            )
        },
    )
