"""The fixed vocabularies of the approval engine: case kinds, states, actions and the rules that
name who acts at a step (relative to the applicant, never a person)."""

from __future__ import annotations

from django.db import models


class CaseKind(models.TextChoices):
    ALLOCATION = "allocation", "调配"
    VACATE = "vacate", "腾退"
    LEND = "lend", "出借 / 借用"
    LEASE_IN = "lease_in", "租用备案"
    LEASE_OUT = "lease_out", "出租"
    DISPOSAL = "disposal", "处置"
    CHANGE_OF_USE = "change_of_use", "用途变更"
    TITLE_FILING = "title_filing", "权属登记 / 备案"
    WARNING_WAIVER = "warning_waiver", "预警暂不整改 / 备案"
    CONSTRUCTION = "construction", "新建 / 购置 / 装修"
    MAINTENANCE_PROJECT = "maintenance_project", "维修项目立项"
    MAINTENANCE_PLAN = "maintenance_plan", "维修三年计划"
    VEHICLE_PURCHASE = "vehicle_purchase", "公务用车配备"
    VEHICLE_RENEWAL = "vehicle_renewal", "公务用车更新"
    VEHICLE_DISPOSAL = "vehicle_disposal", "公务用车处置"


class CaseState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    IN_REVIEW = "in_review", "审核中"
    RETURNED = "returned", "已退回修改"
    REJECTED = "rejected", "未予批准"
    WITHDRAWN = "withdrawn", "已撤回"
    APPROVED = "approved", "已批准"
    APPLIED = "applied", "已办结"


# Waiting for an approver (a step is open).
PENDING_STATES = (CaseState.SUBMITTED, CaseState.IN_REVIEW)
# The applicant may edit the payload.
EDITABLE_STATES = (CaseState.DRAFT, CaseState.RETURNED)
# Nothing more happens to the case.
CLOSED_STATES = (CaseState.REJECTED, CaseState.WITHDRAWN, CaseState.APPLIED)


class Action(models.TextChoices):
    CREATE = "create", "起草"
    EDIT = "edit", "修改"
    SUBMIT = "submit", "提交"
    RESUBMIT = "resubmit", "重新提交"
    APPROVE = "approve", "同意"
    RETURN = "return", "退回修改"
    REJECT = "reject", "不予批准"
    WITHDRAW = "withdraw", "撤回"
    APPLY = "apply", "生效"
    COMMENT = "comment", "备注"


# What an approver may choose at a step (a step definition lists a subset).
DECISIONS = (Action.APPROVE, Action.RETURN, Action.REJECT)


class ActorRule(models.TextChoices):
    """Who acts at a step, relative to the case's applicant organization and its region."""

    APPLICANT_ADMIN = "applicant_admin", "申请单位管理员"
    SUPERVISING_ADMIN = "supervising_admin", "主管部门管理员"
    COUNTERPARTY_ADMIN = "counterparty_admin", "对方单位管理员"
    REGION_BUREAU = "region_bureau", "本级机关事务管理局"
    UPPER_BUREAU = "upper_bureau", "上级机关事务管理局"
    REGION_LEADER = "region_leader", "本级审批领导"
    UPPER_LEADER = "upper_leader", "上级审批领导"


class TaskState(models.TextChoices):
    OPEN = "open", "待办"
    DONE = "done", "已办"
    CANCELLED = "cancelled", "已取消"
