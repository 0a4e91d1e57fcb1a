"""Choice sets of reporting (统计报送)."""

from __future__ import annotations

from django.db import models


class FieldKind(models.TextChoices):
    NUMBER = "number", "数值"
    INTEGER = "integer", "整数"
    TEXT = "text", "文本"
    CHOICE = "choice", "下拉选项"
    DATE = "date", "日期"


class TableScope(models.TextChoices):
    ALL = "all", "各填报单位"
    BUREAU = "bureau", "各级机关事务管理部门"
    PROVINCE = "province", "仅省级"


class RuleKind(models.TextChoices):
    CONTENT = "content", "内容"
    FORMAT = "format", "格式"
    LOGIC = "logic", "逻辑"
    LIMIT = "limit", "超限"


class RuleOperator(models.TextChoices):
    EQ = "==", "等于"
    NE = "!=", "不等于"
    LT = "<", "小于"
    LE = "<=", "不大于"
    GT = ">", "大于"
    GE = ">=", "不小于"
    REQUIRED = "required", "必填"
    PATTERN = "pattern", "格式匹配"


class Importance(models.TextChoices):
    BLOCKING = "blocking", "必须更正"
    WARNING = "warning", "提示核实"


class PeriodState(models.TextChoices):
    OPEN = "open", "填报中"
    CLOSED = "closed", "已结束"


class SubmissionState(models.TextChoices):
    NOT_STARTED = "not_started", "未开始"
    FILLING = "filling", "填报中"
    CHECKED = "checked", "已校验"
    SIGNED = "signed", "已签批"
    SUBMITTED = "submitted", "已报送"
    ACCEPTED = "accepted", "已接收"
    RETURNED = "returned", "已退回"
    SUPERSEDED = "superseded", "已更正替代"


# States a unit may still edit its figures in.
EDITABLE_STATES = frozenset(
    {SubmissionState.NOT_STARTED, SubmissionState.FILLING, SubmissionState.RETURNED}
)


class ActionKind(models.TextChoices):
    PREFILL = "prefill", "预填"
    SAVE = "save", "保存"
    IMPORT = "import", "导入"
    CHECK = "check", "校验"
    SIGN = "sign", "签批"
    SUBMIT = "submit", "报送"
    WITHDRAW = "withdraw", "撤回"
    RETURN = "return", "退回"
    ACCEPT = "accept", "接收"
    CORRECT = "correct", "更正"
    RECEIVE = "receive", "接收外部报送"


class IndicatorKind(models.TextChoices):
    ON_TIME = "on_time", "按时报送"
    FIRST_PASS = "first_pass", "一次通过校验"
    NO_RETURN = "no_return", "未被退回"
    NO_CORRECTION = "no_correction", "接收后无更正"
