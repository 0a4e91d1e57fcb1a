from django.apps import AppConfig

EVENT_LABELS = {
    "case.create": "起草审批事项",
    "case.edit": "修改审批事项",
    "case.submit": "提交审批事项",
    "case.resubmit": "重新提交审批事项",
    "case.approve": "审批同意",
    "case.return": "审批退回修改",
    "case.reject": "审批不予批准",
    "case.withdraw": "撤回审批事项",
    "case.apply": "审批事项生效",
    "case.comment": "审批事项备注",
    "case.attach": "上传审批附件",
    "case.sign_failed": "电子签批身份确认失败",
    "case.definition_revise": "修订审批流程",
    "case.export": "导出审批事项",
}


class WorkflowConfig(AppConfig):
    name = "gongfang.workflow"
    label = "workflow"
    verbose_name = "审批流程"

    def ready(self) -> None:
        from ..framework.changelog import register_event_labels
        from . import calendar, exports, jobs, navigation
        from .seeding import reseed_definitions

        calendar.connect()
        reseed_definitions(self, "gongfang.workflow.migrations.0002_default_national_definitions")
        navigation.register()
        exports.register()
        register_event_labels(EVENT_LABELS)
        register_case_event_data()
        jobs.register()
        register_case_search()


def register_case_search() -> None:
    """The global search box finds a case by its number or 事由, in the account's scope."""
    from ..registry.selectors import Searchable, register_search
    from .filtersets import CaseFilterSet
    from .models import Case

    def context(case: Case) -> str:
        return f"{case.get_kind_display()} · {case.get_state_display()} · {case.applicant.name}"

    register_search(Searchable(Case, CaseFilterSet, ("applicant",), "workflow:case_list", context))


def register_case_event_data() -> None:
    """How the audit page names the case events' data (keys, kinds, states)."""
    from ..framework.eventdata import register_event_data
    from .choices import CaseKind, CaseState

    codes = {
        "kind": dict(CaseKind.choices),
        "from": dict(CaseState.choices),
        "to": dict(CaseState.choices),
        "reason": {
            "wrong_password": "登录密码错误",
            "wrong_code": "动态口令错误",
            "throttled": "尝试过于频繁",
        },
    }
    register_event_data(
        keys={
            "number": "文号",
            "kind": "事项类型",
            "title": "事由",
            "from": "原状态",
            "to": "新状态",
            "step": "环节",
            "comment": "意见",
            "signature": "签批记录",
            "content_hash": "内容摘要",
            "definition": "审批流程",
            "name": "文件名",
            "size": "大小（字节）",
            "sha256": "SHA-256",
            "reason": "原因",
            "revision": "修订号",
            "previous": "原流程",
            "region": "区划",
            "steps": "环节",
        },
        values={event: codes for event in EVENT_LABELS},
    )
